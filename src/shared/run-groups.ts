// Runs grouped by config fields (the seeds of one setting, say) and drawn as one curve: the mean
// across the group's runs with a band of their spread (± one standard deviation, or min to max),
// as W&B and TensorBoard users read repeated runs.
import { flattenConfig, type ConfigValue } from './config-diff'
import type { RunConfig } from './config'
import type { Point } from './curves'
import { runLabels } from './run-labels'

export const BANDS = ['std', 'minmax'] as const
export type Band = (typeof BANDS)[number]

export interface RunGroup {
  /** The values of the grouping fields, as JSON: runs with the same key are one group. */
  key: string
  runIds: number[]
}

/** Groups in the order their first run comes; every run in exactly one. */
export function groupRuns(runs: readonly { id: number; config: RunConfig }[], fields: readonly string[]): RunGroup[] {
  const groups = new Map<string, number[]>()
  for (const run of runs) {
    const flat = flattenConfig(run.config)
    const key = JSON.stringify(fields.map((f): ConfigValue => (f in flat ? flat[f] : null)))
    groups.set(key, [...(groups.get(key) ?? []), run.id])
  }
  return [...groups].map(([key, runIds]) => ({ key, runIds }))
}

/**
 * Colours by one config field: runs with the same value share a colour, values taking the
 * palette's colours in the order their first run comes (a run's colour key is then the value).
 */
export function colorsByField(runs: readonly { id: number; config: RunConfig }[], field: string, palette: readonly string[]): { colors: Record<number, string>; values: { value: string; color: string }[] } {
  const groups = groupRuns(runs, [field])
  const colors: Record<number, string> = {}
  const values = groups.map((g, i) => {
    const color = palette[i % palette.length]
    for (const id of g.runIds) colors[id] = color
    const [value] = JSON.parse(g.key) as [ConfigValue]
    return { value: value === null ? '(none)' : String(value), color }
  })
  return { colors, values }
}

/** The colour of a group whose runs take several values of the colour-by field. */
export const MIXED_GROUP_COLOR = '#6b7280'
/** Dash patterns (in px) that tell apart groups sharing a colour: the first solid, then these. */
export const GROUP_DASHES: readonly (readonly number[])[] = [[], [6, 3], [2, 2], [8, 3, 2, 3]]

/**
 * Each group's colour and dash: by position in `palette` when runs are coloured by run; when they
 * are coloured by a field (`runColors`), the colour its runs share (grey where they differ), and
 * groups sharing a colour drawn solid, dashed, dotted, in turn.
 */
export function groupStyles(groups: readonly { runIds: readonly number[] }[], runColors: Readonly<Record<number, string>> | null, palette: readonly string[]): { color: string; dash: number[] }[] {
  const seen = new Map<string, number>()
  return groups.map((g, i) => {
    const own = runColors ? [...new Set(g.runIds.map((id) => runColors[id]))] : [palette[i % palette.length]]
    const color = own.length === 1 && own[0] ? own[0] : MIXED_GROUP_COLOR
    const n = seen.get(color) ?? 0
    seen.set(color, n + 1)
    return { color, dash: [...GROUP_DASHES[n % GROUP_DASHES.length]] }
  })
}

/**
 * A label per group from the settings its runs share and other groups do not ("SGD, lr 0.01"):
 * the run labels of the groups' first runs, with what varies inside a group (the seed) left out.
 */
export function groupLabels(groups: readonly { runs: readonly { id: number; name: string; config: RunConfig }[] }[]): string[] {
  // A field that varies inside any group (the seed) is set alike in every group's first run, so it tells no group apart.
  const flat = groups.map((g) => g.runs.map((r) => flattenConfig(r.config)))
  const varying = new Set(flat.flatMap((runs) => runs.flatMap((f) => Object.keys(f).filter((k) => runs.some((o) => o[k] !== f[k])))))
  const unified = groups.map((g) => ({ ...g.runs[0], config: unify(g.runs[0].config, varying) }))
  return runLabels(unified).map((l, i) => `${l} (${groups[i].runs.length} run${groups[i].runs.length === 1 ? '' : 's'})`)
}

/** `config` with the dotted fields in `paths` set to a placeholder every config shares. */
function unify(config: RunConfig, paths: ReadonlySet<string>): RunConfig {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>
  for (const path of paths) {
    const keys = path.split('.')
    let at: Record<string, unknown> = copy
    for (const k of keys.slice(0, -1)) at = (at[k] ?? {}) as Record<string, unknown>
    if (keys[keys.length - 1] in at) at[keys[keys.length - 1]] = 0
  }
  return copy as RunConfig
}

/** y of a sorted curve at x by linear interpolation; null outside it. */
function at(points: readonly Point[], x: number): number | null {
  if (points.length === 0 || x < points[0].x || x > points[points.length - 1].x) return null
  let lo = 0
  let hi = points.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (points[mid].x <= x) lo = mid
    else hi = mid
  }
  const [a, b] = [points[lo], points[hi]]
  return b.x === a.x ? a.y : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x)
}

export interface GroupCurve {
  mean: Point[]
  lower: Point[]
  upper: Point[]
}

/**
 * The mean of the runs' curves and the band around it, on the x values of the run with the most
 * points, over the x range every run covers (a run still training limits it).
 */
export function aggregateCurves(curves: readonly (readonly Point[])[], band: Band): GroupCurve {
  const live = curves.filter((c) => c.length > 0)
  if (live.length === 0) return { mean: [], lower: [], upper: [] }
  const xMax = Math.min(...live.map((c) => c[c.length - 1].x))
  const xMin = Math.max(...live.map((c) => c[0].x))
  const grid = live.reduce((a, b) => (b.length > a.length ? b : a)).filter((p) => p.x >= xMin && p.x <= xMax).map((p) => p.x)
  const out: GroupCurve = { mean: [], lower: [], upper: [] }
  for (const x of grid) {
    const ys = live.map((c) => at(c, x)).filter((y): y is number => y !== null && Number.isFinite(y))
    if (ys.length === 0) continue
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length
    let lo: number
    let hi: number
    if (band === 'std') {
      const sd = Math.sqrt(ys.reduce((a, y) => a + (y - mean) ** 2, 0) / ys.length)
      ;[lo, hi] = [mean - sd, mean + sd]
    } else [lo, hi] = [Math.min(...ys), Math.max(...ys)]
    out.mean.push({ x, y: mean })
    out.lower.push({ x, y: lo })
    out.upper.push({ x, y: hi })
  }
  return out
}
