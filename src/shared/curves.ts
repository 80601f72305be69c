// Metric curves against step, epoch or wall time, smoothed with a debiased exponential moving
// average (as TensorBoard does) and thinned by min-max buckets, so six long runs redraw in
// milliseconds without hiding spikes; the compare view and exported figures draw the same curves.
import type { StepMetricName, StepSeries } from './metrics'
import type { XAxis } from './compare'

export interface Point {
  x: number
  y: number
}

export const AXIS_LABELS: Record<XAxis, string> = { step: 'step', epoch: 'epoch', time: 'wall time (min)' }

/** x of sample i: the step, the fractional epoch (step / steps per epoch), or minutes since start. */
export function xOf(series: StepSeries, i: number, axis: XAxis, stepsPerEpoch: number): number {
  if (axis === 'epoch') return series.step[i] / stepsPerEpoch
  if (axis === 'time') return series.timeMs[i] / 60_000
  return series.step[i]
}

/** Debiased EMA; weight 0 returns the values. Non-finite values (a WGAN's missing accuracy) are skipped. */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return values.slice()
  const out = new Array<number>(values.length)
  let last = 0
  let n = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v)) {
      out[i] = NaN
      continue
    }
    last = last * weight + (1 - weight) * v
    n++
    out[i] = last / (1 - weight ** n)
  }
  return out
}

/**
 * At most ~2 * buckets points: per bucket of consecutive samples its first, min, max and last
 * (in x order, duplicates dropped), so the line's envelope survives.
 */
export function decimate(points: readonly Point[], buckets: number): Point[] {
  if (points.length <= buckets * 2) return points.slice()
  const size = points.length / buckets
  const out: Point[] = []
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size)
    const end = Math.min(points.length, Math.floor((b + 1) * size))
    if (end <= start) continue
    let min = start
    let max = start
    for (let i = start + 1; i < end; i++) {
      if (points[i].y < points[min].y) min = i
      if (points[i].y > points[max].y) max = i
    }
    for (const i of [...new Set([start, min, max, end - 1])].sort((a, b) => a - b)) out.push(points[i])
  }
  return out
}

export function curve(
  series: StepSeries,
  metric: StepMetricName,
  opts: { axis: XAxis; smoothing: number; stepsPerEpoch: number; buckets?: number }
): Point[] {
  const ys = smooth(series.values[metric], opts.smoothing)
  const points: Point[] = []
  for (let i = 0; i < ys.length; i++) if (Number.isFinite(ys[i])) points.push({ x: xOf(series, i, opts.axis, opts.stepsPerEpoch), y: ys[i] })
  return decimate(points, opts.buckets ?? 1000)
}
