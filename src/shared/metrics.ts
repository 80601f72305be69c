// Metric names shared by the trainer, the store and the charts.
export const STEP_METRICS = ['dLossReal', 'dLossFake', 'gLoss', 'dAccReal', 'dAccFake'] as const
export type StepMetricName = (typeof STEP_METRICS)[number]

export const METRIC_LABELS: Record<StepMetricName, string> = {
  dLossReal: 'D loss (real)',
  dLossFake: 'D loss (fake)',
  gLoss: 'G loss',
  dAccReal: 'D accuracy (real)',
  dAccFake: 'D accuracy (fake)'
}

export type StepMetrics = Record<StepMetricName, number>

export interface StepRow extends StepMetrics {
  /** 1-based global step across epochs. */
  step: number
  epoch: number
  /** Milliseconds since the run started training. */
  timeMs: number
}

/** Columnar form for charts: one array per field, all the same length. */
export interface StepSeries {
  step: number[]
  epoch: number[]
  timeMs: number[]
  values: Record<StepMetricName, number[]>
}

export function emptySeries(): StepSeries {
  return {
    step: [],
    epoch: [],
    timeMs: [],
    values: { dLossReal: [], dLossFake: [], gLoss: [], dAccReal: [], dAccFake: [] }
  }
}

export function appendRows(series: StepSeries, rows: readonly StepRow[]): void {
  for (const r of rows) {
    series.step.push(r.step)
    series.epoch.push(r.epoch)
    series.timeMs.push(r.timeMs)
    for (const m of STEP_METRICS) series.values[m].push(r[m])
  }
}
