// How long a run will take on this machine: the step time of its preset, backend and batch
// (measured once by training a few steps in a trainer process, or read from earlier runs of the
// same kind), times the run's steps. The new-run form shows it before a run starts.
import { z } from 'zod'
import { runConfigSchema, stepsPerEpochOf, type BackendName, type RunConfig } from './config'

/** A run longer than this is flagged in the form: it will not finish while the researcher waits. */
export const LONG_RUN_SECONDS = 60 * 60

export const timingRequestSchema = z.object({ config: runConfigSchema }).strict()

/** What decides a step's cost; runs that agree on these take the same time per step. */
export type TimingKeyFields = Pick<RunConfig, 'preset' | 'backend' | 'batchSize' | 'dataset' | 'latentDim' | 'conditional'> & {
  tricks: Pick<RunConfig['tricks'], 'dStepsPerG' | 'loss' | 'dBatch'>
  discriminator: Pick<RunConfig['discriminator'], 'regularizer' | 'fromClassifier'>
}

export function timingKey(c: TimingKeyFields): string {
  return [
    c.preset,
    c.backend,
    `batch ${c.batchSize}`,
    `data ${String(c.dataset)}`,
    `z ${c.latentDim}`,
    `k ${c.tricks.dStepsPerG}`,
    c.tricks.loss,
    c.tricks.dBatch,
    c.discriminator.regularizer,
    c.discriminator.fromClassifier ? 'classifier D' : 'own D',
    c.conditional ? 'conditional' : 'unconditional'
  ].join(' | ')
}

export interface StepTiming {
  key: string
  msPerStep: number
  /** The backend the steps ran on ('auto' resolved). */
  backend: BackendName
  /** How many steps the figure averages. */
  steps: number
  /** 'measured': a few steps trained for the estimate; 'runs': an earlier run of the same kind in this lab. */
  source: 'measured' | 'runs'
  /** The run it was read from (source 'runs'). */
  runId?: number
  measuredAt: number
}

export interface RunEstimate {
  steps: number
  seconds: number
  /** "about 9 min", "about 20 h 5 min". */
  text: string
  long: boolean
}

/** Total steps of a run on a data set of `datasetSize` examples. */
export function runSteps(config: Pick<RunConfig, 'stepsPerEpoch' | 'batchSize' | 'epochs'>, datasetSize?: number): number {
  return stepsPerEpochOf(config, datasetSize) * config.epochs
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `about ${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return `about ${h} h${m > 0 ? ` ${m} min` : ''}`
}

/** The run's duration from a measured step time (scoring and checkpoints not included). */
export function estimateRun(config: Pick<RunConfig, 'stepsPerEpoch' | 'batchSize' | 'epochs'>, msPerStep: number, datasetSize?: number): RunEstimate {
  const steps = runSteps(config, datasetSize)
  const seconds = (steps * msPerStep) / 1000
  return { steps, seconds, text: formatDuration(seconds), long: seconds > LONG_RUN_SECONDS }
}

/** Mean time per step from recorded steps (step number and time since the run started), leaving out the first `skip` (warm-up). */
export function msPerStepOf(rows: readonly { step: number; timeMs: number }[], skip: number): number | null {
  const timed = rows.filter((r) => r.step > skip)
  if (timed.length < 2) return null
  const first = timed[0]
  const last = timed[timed.length - 1]
  return last.step > first.step ? (last.timeMs - first.timeMs) / (last.step - first.step) : null
}
