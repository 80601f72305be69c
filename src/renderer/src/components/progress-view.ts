// What the progress bar shows, from the trainer's live progress when there is one and from
// the run's summary otherwise (a finished run, or one opened before its first progress event).
import type { EpochInfo, RunSummary } from '@shared/api'
import { stepsPerEpochOf, type RunConfig } from '@shared/config'
import type { ProgressInfo } from '@shared/trainer-protocol'

export interface ProgressView {
  epoch: number
  epochs: number
  stepInEpoch: number
  stepsPerEpoch: number
  globalStep: number
  totalSteps: number
  imagesPerSec: number | null
  etaSeconds: number | null
}

export function progressView(
  summary: RunSummary,
  config: Pick<RunConfig, 'stepsPerEpoch' | 'batchSize'> | null,
  live: ProgressInfo | null,
  epochs: readonly EpochInfo[]
): ProgressView {
  // Live progress wins unless the summary has moved past it (e.g. the run finished since).
  if (live && live.globalStep >= summary.stepsDone) {
    return { ...live, epochs: summary.epochs }
  }
  const perEpoch = config ? stepsPerEpochOf(config) : live?.stepsPerEpoch ?? 0
  const totalSteps = perEpoch * summary.epochs
  const globalStep = summary.stepsDone
  const epoch = perEpoch > 0 ? Math.min(summary.epochs, Math.max(summary.epochsDone, Math.ceil(globalStep / perEpoch))) : summary.epochsDone
  const stepInEpoch = perEpoch > 0 ? globalStep - Math.max(0, epoch - 1) * perEpoch : 0
  const lastEpoch = epochs.length > 0 ? epochs[epochs.length - 1] : null
  return {
    epoch,
    epochs: summary.epochs,
    stepInEpoch: Math.max(0, stepInEpoch),
    stepsPerEpoch: perEpoch,
    globalStep,
    totalSteps,
    imagesPerSec: lastEpoch?.imagesPerSec ?? null,
    etaSeconds: null
  }
}
