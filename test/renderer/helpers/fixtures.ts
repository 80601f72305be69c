// Small, valid back-end objects for renderer tests.
import type { EpochInfo, RunDetail, RunSummary } from '@shared/api'
import { PRESETS, type RunConfig } from '@shared/config'
import { appendRows, emptySeries, type StepRow, type StepSeries } from '@shared/metrics'

export function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1,
    name: 'run one',
    preset: 'mnist-mlp',
    optimizer: 'adam 2e-4 / adam 2e-4',
    status: 'running',
    statusMessage: null,
    backend: 'cpu',
    seed: 7,
    epochs: 5,
    epochsDone: 0,
    stepsDone: 0,
    createdAt: 1_700_000_000_000,
    startedAt: 1_700_000_000_500,
    endedAt: null,
    lastMetrics: null,
    notes: '',
    tags: [],
    ...overrides
  }
}

export function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...PRESETS['mnist-mlp'].defaults, name: 'run one', seed: 7, ...overrides }
}

export function epoch(n: number, overrides: Partial<EpochInfo> = {}): EpochInfo {
  return {
    epoch: n,
    means: { dLossReal: 0.6, dLossFake: 0.7, gLoss: 0.9, dAccReal: 0.6, dAccFake: 0.55, wasserstein: null },
    durationMs: 1000,
    imagesPerSec: 250,
    hasGrid: true,
    hasSamples: false,
    hasField: false,
    checkpointDir: `checkpoints/epoch-${n}`,
    ...overrides
  }
}

export function detail(s: RunSummary = summary(), overrides: Partial<RunDetail> = {}): RunDetail {
  return { summary: s, config: config({ name: s.name, seed: s.seed }), backendReport: null, epochs: [], progress: null, ...overrides }
}

/** Rows for steps from..to inclusive, with values derived from the step so they can be checked. */
export function rows(from: number, to: number, stepsPerEpoch = 100): StepRow[] {
  const out: StepRow[] = []
  for (let step = from; step <= to; step++) {
    out.push({
      step,
      epoch: Math.ceil(step / stepsPerEpoch),
      timeMs: step * 10,
      dLossReal: step / 1000,
      dLossFake: step / 2000,
      gLoss: 1 + step / 1000,
      dAccReal: 0.5,
      dAccFake: 0.5,
      wasserstein: null
    })
  }
  return out
}

export function series(from: number, to: number): StepSeries {
  const s = emptySeries()
  if (to >= from) appendRows(s, rows(from, to))
  return s
}
