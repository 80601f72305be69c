// Metric curves against step, epoch or wall time, smoothed with a debiased exponential moving
// average (as TensorBoard does) and thinned by min-max buckets, so six long runs redraw in
// milliseconds without hiding spikes; the compare view and exported figures draw the same curves.
import { METRIC_LABELS, recordedMetrics, STEP_METRICS } from './metrics'
import type { XAxis } from './compare'

export interface Point {
  x: number
  y: number
}

/**
 * A series' metric columns by name. Wider than StepSeries on purpose: runs of other losses carry
 * extra metrics (a WGAN's "wasserstein") and null where a metric does not apply (its accuracies).
 */
export type MetricColumns = Readonly<Record<string, readonly (number | null)[] | undefined>>

export interface CurveSeries {
  step: readonly number[]
  timeMs: readonly number[]
  values: MetricColumns
}

export const AXIS_LABELS: Record<XAxis, string> = { step: 'step', epoch: 'epoch', time: 'wall time (min)' }

/** x of sample i: the step, the fractional epoch (step / steps per epoch), or minutes since start. */
export function xOf(series: CurveSeries, i: number, axis: XAxis, stepsPerEpoch: number): number {
  if (axis === 'epoch') return series.step[i] / stepsPerEpoch
  if (axis === 'time') return series.timeMs[i] / 60_000
  return series.step[i]
}

const isValue = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v)

/** Debiased EMA (as TensorBoard draws it); weight 0 returns the values. Missing values (null, NaN) stay NaN and are skipped. */
export function smooth(values: readonly (number | null)[], weight: number): Float64Array {
  const out = new Float64Array(values.length)
  let last = 0
  // weight ** (values seen so far), kept as a running product: Math.pow per sample is the slow part.
  let decay = 1
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!isValue(v)) {
      out[i] = NaN
      continue
    }
    if (weight <= 0) {
      out[i] = v
      continue
    }
    last = last * weight + (1 - weight) * v
    decay *= weight
    out[i] = last / (1 - decay)
  }
  return out
}

/**
 * Indices to draw of ys (NaN skipped): all of them when there are at most 2 * buckets, otherwise
 * per bucket of consecutive samples its first, min, max and last, in order, so the envelope and
 * every spike survive. The same min-max idea as Chart.js's decimation in the run view, done before
 * any point object exists, so six runs of 100,000 steps cost milliseconds.
 */
export function thin(ys: Float64Array, buckets: number): number[] {
  const n = ys.length
  const out: number[] = []
  if (n <= buckets * 2) {
    for (let i = 0; i < n; i++) if (!Number.isNaN(ys[i])) out.push(i)
    return out
  }
  const size = n / buckets
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size)
    const end = Math.min(n, Math.floor((b + 1) * size))
    let first = -1
    let last = -1
    let min = -1
    let max = -1
    for (let i = start; i < end; i++) {
      const y = ys[i]
      if (Number.isNaN(y)) continue
      if (first < 0) first = min = max = i
      else if (y < ys[min]) min = i
      else if (y > ys[max]) max = i
      last = i
    }
    if (first < 0) continue
    out.push(first)
    // min and max in index order, each once.
    const lo = Math.min(min, max)
    const hi = Math.max(min, max)
    if (lo !== first) out.push(lo)
    if (hi !== lo && hi !== first) out.push(hi)
    if (last !== hi && last !== first) out.push(last)
  }
  return out
}

/** One run's metric as points to draw: smoothed, on the chosen axis, thinned to about 2-4 x `buckets`. */
export function curve(series: CurveSeries, metric: string, opts: { axis: XAxis; smoothing: number; stepsPerEpoch: number; buckets?: number }): Point[] {
  const ys = smooth(series.values[metric] ?? [], opts.smoothing)
  return thin(ys, opts.buckets ?? 1000).map((i) => ({ x: xOf(series, i, opts.axis, opts.stepsPerEpoch), y: ys[i] }))
}

/**
 * The metrics to chart, one chart each: the five step metrics, then any other metric a run
 * carries, by name. A metric no run has a value for (a WGAN's accuracies) gets no chart, except
 * the five while no run has any step yet, so the view keeps its shape while runs start.
 */
export function chartedMetrics(series: readonly CurveSeries[]): string[] {
  const standard: readonly string[] = STEP_METRICS
  const extra = [...new Set(series.flatMap((s) => Object.keys(s.values)))].filter((k) => !standard.includes(k)).sort()
  // Nothing recorded yet: the charts of a GAN (a critic's estimate appears once it has values).
  if (series.every((s) => s.step.length === 0)) return recordedMetrics(false)
  return [...standard, ...extra].filter((k) => series.some((s) => (s.values[k] ?? []).some(isValue)))
}

/** A metric's chart title: the known label, or the metric's own name. */
export function metricLabel(metric: string): string {
  return (METRIC_LABELS as Readonly<Record<string, string>>)[metric] ?? metric
}

/** Accuracies are fractions; their charts keep a 0-1 axis. */
export function isFraction(metric: string): boolean {
  return metric.startsWith('dAcc')
}
