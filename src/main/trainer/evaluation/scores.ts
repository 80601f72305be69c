// Turns classifier outputs of real and generated images into one epoch's scores.
import type { EpochScores } from '@shared/evaluation'
import {
  classHistogram,
  classesCovered,
  classifierScore,
  frechetDistance,
  gaussianOf,
  meanPairwiseDistance,
  prdc
} from '@shared/eval-math'
import type { ClassifierOutputs } from './classifier'

export const PRDC_K = 5

export interface ScoreInputs {
  /** Real test images: the reference distribution. */
  realTest: ClassifierOutputs & { count: number }
  /** As many real training images: the real-vs-real floor of the FID. */
  realTrain: ClassifierOutputs & { count: number }
  generated: ClassifierOutputs & { count: number }
  /** The fixed latent batch's images and as many real images, for the "all alike" check. */
  fixedBatch?: { generated: ClassifierOutputs & { count: number }; real: ClassifierOutputs & { count: number } }
}

export type ComputedScores = Omit<EpochScores, 'epoch' | 'classifierId' | 'classifierAccuracy' | 'createdAt' | 'conditional'>

export function computeScores(s: ScoreInputs): ComputedScores {
  const dim = s.realTest.featureDim
  const real = gaussianOf(s.realTest.features, s.realTest.count, dim)
  const fid = frechetDistance(real, gaussianOf(s.generated.features, s.generated.count, dim))
  const fidFloor = frechetDistance(real, gaussianOf(s.realTrain.features, s.realTrain.count, dim))
  const k = Math.min(PRDC_K, s.realTest.count - 1, s.generated.count - 1)
  const p = prdc(s.realTest.features, s.realTest.count, s.generated.features, s.generated.count, dim, k)
  const histogram = classHistogram(s.generated.probs, s.generated.count, s.generated.classes)
  let fixedBatchDiversity = 1
  if (s.fixedBatch) {
    const g = meanPairwiseDistance(s.fixedBatch.generated.features, s.fixedBatch.generated.count, dim)
    const r = meanPairwiseDistance(s.fixedBatch.real.features, s.fixedBatch.real.count, dim)
    fixedBatchDiversity = r > 0 ? g / r : 0
  }
  return {
    realCount: s.realTest.count,
    generatedCount: s.generated.count,
    fid,
    fidFloor,
    classifierScore: classifierScore(s.generated.probs, s.generated.count, s.generated.classes),
    realClassifierScore: classifierScore(s.realTest.probs, s.realTest.count, s.realTest.classes),
    ...p,
    histogram,
    classesCovered: classesCovered(histogram),
    fixedBatchDiversity
  }
}
