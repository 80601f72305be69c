// Metric names shared by the trainer, the store and the charts. A WGAN critic has no accuracy
// (null) and reports a Wasserstein estimate instead; the other losses have no estimate (null).
export const STEP_METRICS = ['dLossReal', 'dLossFake', 'gLoss', 'dAccReal', 'dAccFake', 'wasserstein'] as const
export type StepMetricName = (typeof STEP_METRICS)[number]

/** The metrics every step has; the others are null where the loss does not define them. */
export const LOSS_METRICS = ['dLossReal', 'dLossFake', 'gLoss'] as const
export type LossMetricName = (typeof LOSS_METRICS)[number]
export type OptionalMetricName = Exclude<StepMetricName, LossMetricName>
export const OPTIONAL_METRICS: readonly OptionalMetricName[] = ['dAccReal', 'dAccFake', 'wasserstein']

export const METRIC_LABELS: Record<StepMetricName, string> = {
  dLossReal: 'D loss (real)',
  dLossFake: 'D loss (fake)',
  gLoss: 'G loss',
  dAccReal: 'D accuracy (real)',
  dAccFake: 'D accuracy (fake)',
  wasserstein: 'Wasserstein estimate'
}

/** The metrics a run records: a critic's Wasserstein estimate, or else D's accuracies. */
export function recordedMetrics(critic: boolean): StepMetricName[] {
  return STEP_METRICS.filter((m) => (critic ? m !== 'dAccReal' && m !== 'dAccFake' : m !== 'wasserstein'))
}

export type StepMetrics = Record<LossMetricName, number> & Record<OptionalMetricName, number | null>

export interface StepRow extends StepMetrics {
  /** 1-based global step across epochs. */
  step: number
  epoch: number
  /** Milliseconds since the run started training. */
  timeMs: number
}

/** Columnar form for charts: one array per field, all the same length; null where a metric is undefined. */
export interface StepSeries {
  step: number[]
  epoch: number[]
  timeMs: number[]
  values: Record<LossMetricName, number[]> & Record<OptionalMetricName, (number | null)[]>
}

export function emptySeries(): StepSeries {
  return {
    step: [],
    epoch: [],
    timeMs: [],
    values: { dLossReal: [], dLossFake: [], gLoss: [], dAccReal: [], dAccFake: [], wasserstein: [] }
  }
}

export function appendRows(series: StepSeries, rows: readonly StepRow[]): void {
  for (const r of rows) {
    series.step.push(r.step)
    series.epoch.push(r.epoch)
    series.timeMs.push(r.timeMs)
    for (const m of LOSS_METRICS) series.values[m].push(r[m])
    for (const m of OPTIONAL_METRICS) series.values[m].push(r[m])
  }
}

/** "D loss (real) 0.6931, …" with the metrics the step defines (null ones left out). */
export function describeMetrics(m: StepMetrics, digits = 4): string {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v))
  return STEP_METRICS.flatMap((k) => {
    const v = m[k]
    return v === null ? [] : [`${METRIC_LABELS[k]} ${f(v)}`]
  }).join(', ')
}
