// Evaluation work inside a trainer process: training the reference classifier of a data
// set, and scoring one checkpoint's generator with it. Results leave as TrainerEvents.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { balancedLabels, conditionalGrid, gridLabels } from '@shared/conditional'
import { CLASSIFIER_INFO_FILE, type ClassifierArch, type ClassifierInfo, type ConditionalScores } from '@shared/evaluation'
import { toErrorInfo } from '@shared/errors'
import type { ClassifierTrainJob, EvaluateJob, TrainerEvent } from '@shared/trainer-protocol'
import { generate } from '../explorer/render'
import { selectBackend } from '../backend/select'
import { loadModelFrom, saveModelTo } from '../checkpoint'
import { loadMnist } from '../data/mnist'
import { IMAGE_SHAPE } from '../models/presets'
import { gaussian, mulberry32, seedGlobalRandom } from '../../common/random'
import { fixedBatchLatents } from '../train'
import { generatorClasses } from '../conditional'
import { accuracyOf, classify, imagesOf, labelsOf, sampleIndices, trainClassifier, type ClassifierOutputs } from './classifier'
import { computeScores } from './scores'

const CLASSES = 10
/** Real images compared with the fixed latent batch (its size). */
const FIXED_BATCH = 100

export async function runClassifierJob(job: ClassifierTrainJob, emit: (event: TrainerEvent) => void): Promise<void> {
  try {
    const { request: r } = job
    const report = await selectBackend(r.backend)
    seedGlobalRandom(r.seed)
    const trainSet = loadMnist('train', job.mnistDir)
    const testSet = loadMnist('test', job.mnistDir)
    const trainIdx = sampleIndices(trainSet.count, r.trainCount ?? trainSet.count, r.seed)
    const testIdx = sampleIndices(testSet.count, r.testCount ?? testSet.count, r.seed + 1)
    const started = Date.now()
    let lastAccuracy: number | null = null
    let lastReport = 0
    const { model, testAccuracy } = await trainClassifier(
      { images: imagesOf(trainSet, trainIdx), labels: labelsOf(trainSet, trainIdx) },
      { images: imagesOf(testSet, testIdx), labels: labelsOf(testSet, testIdx) },
      IMAGE_SHAPE,
      CLASSES,
      {
        arch: r.arch,
        epochs: r.epochs,
        batchSize: r.batchSize,
        seed: r.seed,
        onStep: (epoch, step, stepsPerEpoch) => {
          if (Date.now() - lastReport < 250 && step !== stepsPerEpoch) return
          lastReport = Date.now()
          emit({ type: 'classifier-progress', progress: { epoch, epochs: r.epochs, step, stepsPerEpoch, lastAccuracy } })
        },
        onEpoch: (_epoch, accuracy) => {
          lastAccuracy = accuracy
        }
      }
    )
    const info: ClassifierInfo = {
      dataset: r.dataset,
      id: `${r.dataset}-convnet-${r.arch.convFilters.join('x') || 'mlp'}-d${r.arch.denseUnits}-${Date.now().toString(36)}`,
      arch: r.arch,
      classes: CLASSES,
      featureDim: r.arch.denseUnits,
      epochs: r.epochs,
      trainCount: trainIdx.length,
      testCount: testIdx.length,
      testAccuracy,
      backend: report.chosen,
      durationMs: Date.now() - started,
      trainedAt: Date.now()
    }
    // Written beside the old one and renamed, so a failure never leaves half a classifier.
    const tmp = `${job.outDir}.partial`
    rmSync(tmp, { recursive: true, force: true })
    await saveModelTo(model, tmp)
    writeFileSync(join(tmp, CLASSIFIER_INFO_FILE), JSON.stringify(info, null, 1))
    model.dispose()
    rmSync(job.outDir, { recursive: true, force: true })
    mkdirSync(join(job.outDir, '..'), { recursive: true })
    renameSync(tmp, job.outDir)
    emit({ type: 'classifier-trained', info })
  } catch (err) {
    emit({ type: 'task-failed', message: toErrorInfo(err).message })
  }
}

/** The latent vectors scored for every epoch of a run: the same ones each time, from the run's seed. */
export function evaluationLatents(seed: number, count: number, latentDim: number, latent: 'gaussian' | 'uniform'): Float32Array {
  const rand = mulberry32((seed ^ 0xe7a1) >>> 0)
  return latent === 'gaussian' ? gaussian(count * latentDim, rand) : Float32Array.from({ length: count * latentDim }, () => rand() * 2 - 1)
}

/** The classifier TSTR trains, on generated and on real samples alike: small and fast, so every scored epoch can afford it. */
export const TSTR_ARCH: ClassifierArch = { convFilters: [], denseUnits: 128 }
export const TSTR_EPOCHS = 5
const TSTR_BATCH = 64
const TSTR_SEED = 7
export const TSTR_CLASSIFIER = `MLP ${TSTR_ARCH.denseUnits} hidden units, ${TSTR_EPOCHS} epochs, Adam 1e-3, batch ${TSTR_BATCH}`

/** Test accuracy of the TSTR classifier trained on `train` (images in [-1, 1] with labels) and tested on `test`. */
export async function tstrAccuracy(
  train: { images: Float32Array; labels: Int32Array },
  test: { images: Float32Array; labels: Int32Array },
  classes: number
): Promise<number> {
  const { model, testAccuracy } = await trainClassifier(train, test, IMAGE_SHAPE, classes, { arch: TSTR_ARCH, epochs: TSTR_EPOCHS, batchSize: TSTR_BATCH, seed: TSTR_SEED })
  model.dispose()
  return testAccuracy
}

/**
 * A conditional run's label scores: the reference classifier's agreement with the asked
 * classes, and TSTR against TRTR (the same classifier trained on as many real images).
 */
async function conditionalScores(
  generated: { images: Float32Array; labels: Int32Array; outputs: ClassifierOutputs },
  realTrain: { images: Float32Array; labels: Int32Array },
  test: { images: Float32Array; labels: Int32Array },
  classes: number
): Promise<ConditionalScores> {
  return {
    labelAccuracy: accuracyOf(generated.outputs.probs, generated.labels, classes),
    tstrAccuracy: await tstrAccuracy({ images: generated.images, labels: generated.labels }, test, classes),
    trtrAccuracy: await tstrAccuracy(realTrain, test, classes),
    tstrSamples: generated.labels.length,
    tstrClassifier: TSTR_CLASSIFIER
  }
}

export async function runEvaluateJob(job: EvaluateJob, emit: (event: TrainerEvent) => void): Promise<void> {
  try {
    await selectBackend(job.backend)
    const classifier = await loadModelFrom(job.classifierDir)
    const generator = await loadModelFrom(job.generatorDir)
    const testSet = loadMnist('test', job.mnistDir)
    const trainSet = loadMnist('train', job.mnistDir)
    const realCount = Math.min(job.samples, testSet.count)
    const testIdx = sampleIndices(testSet.count, realCount, 1)
    const trainIdx = sampleIndices(trainSet.count, realCount, 2)
    const withCount = async (images: Float32Array, count: number) => ({ ...(await classify(classifier, images, count)), count })
    const testImages = imagesOf(testSet, testIdx)
    const trainImages = imagesOf(trainSet, trainIdx)
    const realTest = await withCount(testImages, realCount)
    const realTrain = await withCount(trainImages, realCount)
    // A conditional generator is asked for every class equally often; its fixed batch is its grid (one row per class).
    const classes = generatorClasses(generator, job.latentDim)
    const labels = classes > 0 ? balancedLabels(job.samples, classes) : undefined
    const fake = await generate(generator, evaluationLatents(job.seed, job.samples, job.latentDim, job.latent), job.latentDim, undefined, undefined, labels)
    const generated = await withCount(fake.values, job.samples)
    const fixedCount = classes > 0 ? conditionalGrid(classes, FIXED_BATCH).count : FIXED_BATCH
    const fixed = await generate(
      generator,
      fixedBatchLatents(job.seed, job.latentDim, fixedCount, job.latent, classes),
      job.latentDim,
      undefined,
      undefined,
      classes > 0 ? gridLabels(classes, FIXED_BATCH) : undefined
    )
    const fixedBatch = {
      generated: await withCount(fixed.values, fixedCount),
      real: await withCount(imagesOf(testSet, testIdx.subarray(0, fixedCount)), Math.min(fixedCount, realCount))
    }
    generator.dispose()
    classifier.dispose()
    const scores = computeScores({ realTest, realTrain, generated, fixedBatch })
    const conditional =
      labels && classes === CLASSES
        ? await conditionalScores(
            { images: fake.values, labels, outputs: generated },
            { images: trainImages, labels: labelsOf(trainSet, trainIdx) },
            { images: testImages, labels: labelsOf(testSet, testIdx) },
            classes
          )
        : null
    emit({
      type: 'evaluated',
      scores: { epoch: job.epoch, classifierId: job.classifier.id, classifierAccuracy: job.classifier.testAccuracy, createdAt: Date.now(), ...scores, conditional }
    })
  } catch (err) {
    emit({ type: 'task-failed', message: toErrorInfo(err).message })
  }
}
