// The sanity checks of the scores: real test images against real training images
// (FID near the floor, classifier score near the number of classes), and two obviously bad
// "generators": uniform noise and one digit repeated. Used by a test with a small
// classifier and by scripts/check-scores.ts with the lab's stored one.
import type { LabelledImages } from '../../common/idx'
import { mulberry32 } from '../../common/random'
import type { tf } from '../tf'
import { classify, imagesOf, sampleIndices } from './classifier'
import { computeScores, type ComputedScores } from './scores'

export interface ReferenceChecks {
  realVsReal: ComputedScores
  noise: ComputedScores
  singleDigit: ComputedScores
  /** The digit that was repeated. */
  digit: number
}

export async function referenceChecks(model: tf.LayersModel, test: LabelledImages, train: LabelledImages, n: number): Promise<ReferenceChecks> {
  const per = test.height * test.width
  const run = async (images: Float32Array, count: number) => ({ ...(await classify(model, images, count)), count })
  const testIdx = sampleIndices(test.count, n, 11)
  const realTest = await run(imagesOf(test, testIdx), n)
  const floorTrain = await run(imagesOf(train, sampleIndices(train.count, n, 12)), n)
  // "Generated" real images: another sample of the training split, disjoint from the floor's.
  const asGenerated = await run(imagesOf(train, sampleIndices(train.count, 2 * n, 13).subarray(n)), n)
  const fixedReal = await run(imagesOf(test, testIdx.subarray(0, 100)), Math.min(100, n))
  const scoresOf = async (images: Float32Array) => {
    const generated = await run(images, n)
    const fixedGenerated = await run(images.subarray(0, Math.min(100, n) * per), Math.min(100, n))
    return computeScores({ realTest, realTrain: floorTrain, generated, fixedBatch: { generated: fixedGenerated, real: fixedReal } })
  }
  const rand = mulberry32(5)
  const noise = Float32Array.from({ length: n * per }, () => rand() * 2 - 1)
  const first = imagesOf(train, [0])
  const single = new Float32Array(n * per)
  for (let i = 0; i < n; i++) single.set(first, i * per)
  return {
    realVsReal: computeScores({
      realTest,
      realTrain: floorTrain,
      generated: asGenerated,
      fixedBatch: { generated: await run(imagesOf(train, sampleIndices(train.count, 100, 14)), 100), real: fixedReal }
    }),
    noise: await scoresOf(noise),
    singleDigit: await scoresOf(single),
    digit: train.labels ? train.labels[0] : -1
  }
}
