// A sweep's outcome per varied field: each compared run's final (or lowest/highest) epoch
// metric against its value of every swept field, with the mean at each value, for the compare
// view's "metric vs hyperparameter" charts.
import type { EpochInfo } from '@shared/api'
import type { RunConfig } from '@shared/config'
import { flattenConfig } from '@shared/config-diff'
import type { Sweep, SweepValue } from '@shared/sweep'

export const SWEEP_STATS = ['final', 'min', 'max'] as const
export type SweepStat = (typeof SWEEP_STATS)[number]
export const SWEEP_STAT_LABELS: Record<SweepStat, string> = { final: 'last epoch', min: 'lowest epoch mean', max: 'highest epoch mean' }

export interface SweepRunInput {
  id: number
  color: string
  label: string
  config: RunConfig
  epochs: readonly EpochInfo[]
}

export interface SweepFieldPoint {
  runId: number
  color: string
  label: string
  /** Position on the x axis: the value itself, or the category's index. */
  x: number
  y: number
}

export interface SweepFieldChart {
  field: string
  /** Category names by index when the field's values are not all numbers; null for a numeric axis. */
  categories: string[] | null
  /** A numeric field spanning two decades or more of positive values (learning rates) on a log axis. */
  log: boolean
  points: SweepFieldPoint[]
  /** The mean of the runs at each x, in x order (a line through the sweep's trend). */
  means: { x: number; y: number }[]
}

/** The newest sweep holding every compared run (at least two), or null when they are not one sweep's runs. */
export function sweepOf(sweeps: readonly Sweep[], runIds: readonly number[]): Sweep | null {
  if (runIds.length < 2) return null
  return sweeps.find((s) => runIds.every((id) => s.runIds.includes(id))) ?? null
}

/** A run's value of a swept field; `optimizer.x` (both networks) reads optimizerD.x. */
export function sweepFieldValue(config: RunConfig, field: string): SweepValue | undefined {
  const path = field.startsWith('optimizer.') ? `optimizerD.${field.slice('optimizer.'.length)}` : field
  const flat = flattenConfig(config)
  if (!Object.hasOwn(flat, path)) return undefined
  const v = flat[path]
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined
}

/** The run's epoch means of `metric`: the last one, or the lowest or highest; null when none. */
export function epochStat(epochs: readonly EpochInfo[], metric: string, stat: SweepStat): number | null {
  const values = [...epochs]
    .sort((a, b) => a.epoch - b.epoch)
    .map((e) => (e.means as unknown as Record<string, number | null | undefined>)[metric])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  if (values.length === 0) return null
  if (stat === 'final') return values[values.length - 1]
  return stat === 'min' ? Math.min(...values) : Math.max(...values)
}

/** One chart per swept field that takes two or more values among the runs, in the sweep's axis order. */
export function sweepFieldCharts(sweep: Sweep, runs: readonly SweepRunInput[], metric: string, stat: SweepStat): SweepFieldChart[] {
  return sweep.axes.flatMap((axis): SweepFieldChart[] => {
    const rows = runs.flatMap((r) => {
      const value = sweepFieldValue(r.config, axis.field)
      const y = epochStat(r.epochs, metric, stat)
      return value === undefined || y === null ? [] : [{ run: r, value, y }]
    })
    const distinct = [...new Set(rows.map((row) => JSON.stringify(row.value)))]
    if (distinct.length < 2) return []
    const numeric = rows.every((row) => typeof row.value === 'number')
    // Categories in the sweep's own order of values, then any value the sweep did not list.
    const categories = numeric
      ? null
      : [...new Set([...axis.values.map(String), ...rows.map((row) => String(row.value))])].filter((c) => rows.some((row) => String(row.value) === c))
    const xOf = (value: SweepValue): number => (categories ? categories.indexOf(String(value)) : (value as number))
    const points = rows.map(({ run, value, y }) => ({ runId: run.id, color: run.color, label: run.label, x: xOf(value), y }))
    const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b)
    const means = xs.map((x) => {
      const ys = points.filter((p) => p.x === x).map((p) => p.y)
      return { x, y: ys.reduce((s, v) => s + v, 0) / ys.length }
    })
    const log = !categories && xs[0] > 0 && xs[xs.length - 1] / xs[0] >= 100
    return [{ field: axis.field, categories, log, points, means }]
  })
}
