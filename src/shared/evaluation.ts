// Sample-quality evaluation: the reference classifier's description, the scores of one
// epoch, the score names and which way is better, and the request schemas of the
// evaluation channels. Pure TS, shared by the trainer, the lab and the renderer.
import { z } from 'zod'

/** A small convnet: conv 3x3 (ReLU) + 2x2 max-pool per entry of convFilters, then one dense layer (the feature layer), then softmax. */
export const classifierArchSchema = z
  .object({
    convFilters: z.array(z.number().int().min(1, 'must be at least 1').max(256, 'must be at most 256')).min(0).max(3, 'at most 3 conv layers'),
    denseUnits: z.number().int().min(2, 'must be at least 2').max(1024, 'must be at most 1024')
  })
  .strict()
export type ClassifierArch = z.infer<typeof classifierArchSchema>

export const classifierTrainSchema = z
  .object({
    dataset: z.literal('mnist').default('mnist'),
    arch: classifierArchSchema.default({ convFilters: [32, 64], denseUnits: 128 }),
    epochs: z.number().int().min(1, 'must be at least 1').max(50, 'must be at most 50').default(2),
    /** Training images used (the first ones of a seeded shuffle); null: the whole training split. */
    trainCount: z.number().int().min(100, 'must be at least 100').nullable().default(null),
    /** Test images the accuracy is measured on; null: the whole test split. */
    testCount: z.number().int().min(100, 'must be at least 100').nullable().default(null),
    batchSize: z.number().int().min(8, 'must be at least 8').max(1024, 'must be at most 1024').default(128),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto')
  })
  .strict()
export type ClassifierTrainRequest = z.output<typeof classifierTrainSchema>

/** What the lab stores beside the classifier's weights (classifier.json). */
export interface ClassifierInfo {
  dataset: 'mnist'
  /** Stable name of this classifier, recorded with every score made with it. */
  id: string
  arch: ClassifierArch
  classes: number
  featureDim: number
  epochs: number
  trainCount: number
  testCount: number
  testAccuracy: number
  backend: string
  durationMs: number
  trainedAt: number
}

export interface ClassifierStatus {
  dataset: 'mnist'
  classifier: ClassifierInfo | null
  /** Set while a classifier is being trained. */
  training: ClassifierProgress | null
}

export interface ClassifierProgress {
  epoch: number
  epochs: number
  step: number
  stepsPerEpoch: number
  /** Accuracy on the test split after the last finished epoch. */
  lastAccuracy: number | null
}

export const SCORE_NAMES = ['fid', 'classifierScore', 'precision', 'recall', 'density', 'coverage', 'classesCovered', 'labelAccuracy', 'tstrAccuracy'] as const
export type ScoreName = (typeof SCORE_NAMES)[number]
export const SCORE_LABELS: Record<ScoreName, string> = {
  fid: 'Classifier FID',
  classifierScore: 'Classifier score',
  precision: 'Precision',
  recall: 'Recall',
  density: 'Density',
  coverage: 'Coverage',
  classesCovered: 'Classes covered',
  labelAccuracy: 'Label accuracy',
  tstrAccuracy: 'TSTR accuracy'
}

/** Scores only conditional runs have (from their labelled samples). */
export const CONDITIONAL_SCORES: readonly ScoreName[] = ['labelAccuracy', 'tstrAccuracy']

/** One score of an epoch; NaN where the epoch lacks it (a conditional score of an unconditional run). */
export function scoreOf(s: EpochScores, name: ScoreName): number {
  if (name === 'labelAccuracy') return s.conditional?.labelAccuracy ?? NaN
  if (name === 'tstrAccuracy') return s.conditional?.tstrAccuracy ?? NaN
  return s[name]
}
export const LOWER_IS_BETTER: Record<ScoreName, boolean> = {
  fid: true,
  classifierScore: false,
  precision: false,
  recall: false,
  density: false,
  coverage: false,
  classesCovered: false,
  labelAccuracy: false,
  tstrAccuracy: false
}

/** The scores of one checkpoint, with what they were computed from. */
export interface EpochScores {
  epoch: number
  classifierId: string
  classifierAccuracy: number
  realCount: number
  generatedCount: number
  fid: number
  /** FID between two real samples of the same sizes (training vs test split): the floor. */
  fidFloor: number
  classifierScore: number
  /** The classifier score of the real test images: the ceiling this classifier gives. */
  realClassifierScore: number
  precision: number
  recall: number
  density: number
  coverage: number
  /** Predicted classes of the generated samples. */
  histogram: number[]
  classesCovered: number
  /** Mean pairwise feature distance in the fixed latent batch over that of as many real images (near 0: all alike). */
  fixedBatchDiversity: number
  /** Scores of a conditional run's labelled samples; null for an unconditional run. */
  conditional: ConditionalScores | null
  createdAt: number
}

/** What a conditional run's labels are worth (issue 7's TSTR). */
export interface ConditionalScores {
  /** Share of generated samples the reference classifier assigns the class G was asked for. */
  labelAccuracy: number
  /** Train on synthetic, test on real: accuracy on the real test images of a classifier trained on `tstrSamples` generated samples. */
  tstrAccuracy: number
  /** The same classifier, trained the same way on as many real training images: the bar TSTR is measured against. */
  trtrAccuracy: number
  tstrSamples: number
  /** The TSTR classifier, in words. */
  tstrClassifier: string
}

/** The file beside a stored reference classifier that describes it (architecture, accuracy, when trained). */
export const CLASSIFIER_INFO_FILE = 'classifier.json'

export const DEFAULT_EVAL_SAMPLES = 2000

/** Per-run evaluation settings (run config `evaluation`). */
export const evaluationConfigSchema = z
  .object({
    /** Score every k-th epoch; 0 scores only on demand. */
    every: z.number().int('must be a whole number').min(0, 'must be at least 0').max(1000, 'must be at most 1000').default(1),
    samples: z.number().int('must be a whole number').min(50, 'must be at least 50').max(10_000, 'must be at most 10000').default(DEFAULT_EVAL_SAMPLES),
    bestBy: z.enum(SCORE_NAMES).default('fid'),
    /** Stop the run when one of these flags is raised (empty: never). */
    earlyStopOn: z.array(z.enum(['convergence', 'mode-collapse', 'oscillation'])).default([]),
    /**
     * Tabular runs: the column a small model predicts from the others in each epoch's fidelity
     * report, trained on generated rows and on real ones (TSTR against TRTR, tabular-utility.ts);
     * 20% of the rows are then held out of training to test on. null: none.
     */
    targetColumn: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .nullable()
      .default(null)
      .describe("tabular runs: the column to predict from the others, trained on generated rows and on real ones (TSTR against TRTR); holds out 20% of the rows")
  })
  .strict()
export type EvaluationConfig = z.infer<typeof evaluationConfigSchema>
export const DEFAULT_EVALUATION: EvaluationConfig = evaluationConfigSchema.parse({})

export const evaluateSchema = z
  .object({
    id: z.number().int().positive(),
    epoch: z.number().int().min(1),
    samples: z.number().int().min(50, 'must be at least 50').max(10_000, 'must be at most 10000').optional()
  })
  .strict()
export type EvaluateRequest = z.output<typeof evaluateSchema>
