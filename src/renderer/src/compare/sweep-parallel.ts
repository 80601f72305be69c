// A sweep as parallel coordinates: one axis per swept field that varies among the runs plus the
// chosen epoch metric, one line per run through its values; ranges brushed on axes keep the runs
// inside all of them. Colours follow the metric (a sequential scale) unless the view colours by
// a field. Pure: the chart component draws it.
import { metricLabel } from './curves'
import { epochStat, sweepFieldValue, SWEEP_STAT_LABELS, type SweepRunInput, type SweepStat } from './sweep-metric'
import type { Sweep } from '@shared/sweep'
import { shortNumber } from '@shared/run-labels'

export interface ParallelAxis {
  /** The swept field, or "metric" for the outcome axis. */
  key: string
  label: string
  /** Category names by position when the values are not all numbers; null for a numeric axis. */
  categories: string[] | null
  /** Positive numbers spanning two decades or more (learning rates): a log axis. */
  log: boolean
  min: number
  max: number
}

export interface ParallelLine {
  runId: number
  label: string
  /** The run's position on each axis: its value, or its category's index. */
  values: number[]
  /** The run's value on each axis as shown ("adam", "2e-4", "1.23"). */
  texts: string[]
  /** The run's own colour in the view (its colour-by value's, when colouring by a field). */
  color: string
}

export interface SweepParallel {
  axes: ParallelAxis[]
  lines: ParallelLine[]
}

/** A brushed range on one axis, in the axis's values (category indices on a category axis). */
export type Brushes = Record<string, readonly [number, number]>

export const METRIC_AXIS = 'metric'

/** The axes and lines of the runs that have the metric, in the sweep's axis order, the metric last. */
export function sweepParallel(sweep: Sweep, runs: readonly SweepRunInput[], metric: string, stat: SweepStat): SweepParallel {
  const rows = runs.flatMap((run) => {
    const y = epochStat(run.epochs, metric, stat)
    return y === null ? [] : [{ run, y }]
  })
  const fields = sweep.axes.flatMap((axis) => {
    const values = rows.map(({ run }) => sweepFieldValue(run.config, axis.field))
    if (values.some((v) => v === undefined) || new Set(values.map((v) => JSON.stringify(v))).size < 2) return []
    const numeric = values.every((v) => typeof v === 'number')
    // Categories in the sweep's own order of values, then any value the sweep did not list.
    const categories = numeric ? null : [...new Set([...axis.values.map(String), ...values.map(String)])].filter((c) => values.some((v) => String(v) === c))
    return [{ field: axis.field, values: values.map((v) => (categories ? categories.indexOf(String(v)) : (v as number))), categories }]
  })
  const axisOf = (key: string, label: string, values: number[], categories: string[] | null): ParallelAxis => {
    const min = Math.min(...values)
    const max = Math.max(...values)
    return { key, label, categories, log: !categories && min > 0 && max / min >= 100, min, max }
  }
  const axes = [
    ...fields.map((f) => axisOf(f.field, f.field, f.values, f.categories)),
    axisOf(METRIC_AXIS, `${metricLabel(metric)} (${SWEEP_STAT_LABELS[stat]})`, rows.map((r) => r.y), null)
  ]
  const columns = [...fields.map((f) => f.values), rows.map((r) => r.y)]
  const lines = rows.map(({ run }, i) => {
    const values = columns.map((c) => c[i])
    return { runId: run.id, label: run.label, color: run.color, values, texts: values.map((v, k) => axisText(axes[k], v)) }
  })
  return { axes, lines }
}

/** A value as its axis shows it. */
export function axisText(axis: ParallelAxis, value: number): string {
  if (axis.categories) return axis.categories[value] ?? ''
  return shortNumber(Number(value.toPrecision(4)))
}

/** Whether a log axis labels the tick at `v`: 1, 2 and 5 times a power of ten, so labels never crowd. */
export function logTickLabelled(v: number): boolean {
  if (!(v > 0)) return false
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9)
  return [1, 2, 5].some((k) => Math.abs(mantissa - k) < 1e-6)
}

/** Whether a line lies inside every brushed range. */
export function inBrushes(axes: readonly ParallelAxis[], line: ParallelLine, brushes: Brushes): boolean {
  return axes.every((axis, k) => {
    const range = brushes[axis.key]
    if (!range) return true
    const [lo, hi] = range[0] <= range[1] ? range : [range[1], range[0]]
    return line.values[k] >= lo && line.values[k] <= hi
  })
}

/** Stops of viridis (matplotlib's perceptually even map): low values dark purple, high yellow. */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725']

/** The colour of `t` in [0, 1] on the metric's scale. */
export function scaleColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1)
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x))
  const f = x - i
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]].map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)))
  return `#${a.map((v, k) => Math.round(v + (b[k] - v) * f).toString(16).padStart(2, '0')).join('')}`
}

/** The CSS gradient of the metric's scale, for its key. */
export const SCALE_GRADIENT = `linear-gradient(to right, ${VIRIDIS.join(', ')})`

/** Each line's colour by its metric value (the last axis) on the scale: log when the axis is. */
export function metricColors(p: SweepParallel): Record<number, string> {
  const axis = p.axes[p.axes.length - 1]
  const at = (v: number): number => (axis.log ? Math.log(v) : v)
  const span = at(axis.max) - at(axis.min)
  return Object.fromEntries(p.lines.map((l) => [l.runId, scaleColor(span > 0 ? (at(l.values[l.values.length - 1]) - at(axis.min)) / span : 0.5)]))
}
