// CTGAN's transform of table rows (Xu et al. 2019), beside the lab's min-max one: each numeric
// column as (offset within its mode, mode one-hot), where the modes are values that repeat
// (zeros, caps, integer codes) kept exact, and the components of a Gaussian mixture fitted by EM
// to the other values; categories one-hot in {0, 1}. Pure: fit, encode, decode.
import { decodeRow, type ColumnSpec } from './datasets'
import { conditionProblem, type TableCondition } from './table-condition'

export const TABLE_TRANSFORMS = ['modes', 'minmax'] as const
export type TableTransformKind = (typeof TABLE_TRANSFORMS)[number]

/** The file in a run's folder that records how its rows are encoded (written by the trainer, read to decode drawn rows). */
export const TRANSFORM_FILE = 'transform.json'

export type NumericMode = { kind: 'value'; value: number } | { kind: 'gauss'; mean: number; std: number }

export type ModeColumn =
  | { name: string; type: 'numeric' | 'integer'; min: number; max: number; modes: NumericMode[] }
  | { name: string; type: 'categorical'; categories: string[] }

/**
 * How a run's rows are encoded for G and D; stored beside the run (transform.json) so its rows
 * decode later. `condition`: the run trained by sampling (table-condition.ts), so its G takes the
 * conditional vector after z, drawn by these counts when rows are drawn.
 */
export type TableTransform = { kind: 'minmax' } | { kind: 'modes'; columns: ModeColumn[]; condition?: TableCondition }

/** One block of G's output: tanh for an offset, softmax for a one-hot. */
export interface OutputHead {
  activation: 'tanh' | 'softmax'
  width: number
}

/** A value within this share of a gaussian mode's 4 sd is an offset of 1 (CTGAN's scaling). */
const OFFSET_SDS = 4

export interface ModeFitOptions {
  /** Most mixture components per column. */
  maxComponents: number
  /** A value repeated in at least this share of rows (and 3 rows) is a mode of its own. */
  exactShare: number
  /**
   * Most exact modes per column: the most frequent such values are kept (ties: the smaller
   * value); the other repeated values join the mixture's values. A column with dozens of
   * repeated levels (a rate rounded to 3 digits, a tax band) otherwise widens the row and G's
   * heads with one-hots whose joint choice across columns G must learn for the correlations.
   */
  maxExact: number
  /** Components whose weight falls below this are dropped (CTGAN: 0.005). */
  minWeight: number
  emIterations: number
}

export const DEFAULT_MODE_FIT: ModeFitOptions = { maxComponents: 10, exactShare: 0.01, maxExact: 10, minWeight: 0.005, emIterations: 100 }

/** Widths and activations of G's output blocks, in the encoded order. */
export function outputHeads(t: ModeColumn[]): OutputHead[] {
  return t.flatMap((c): OutputHead[] => (c.type === 'categorical' ? [{ activation: 'softmax', width: c.categories.length }] : [{ activation: 'tanh', width: 1 }, { activation: 'softmax', width: c.modes.length }]))
}

export function modesWidth(t: ModeColumn[]): number {
  return outputHeads(t).reduce((s, h) => s + h.width, 0)
}

/**
 * A 1-D Gaussian mixture fitted by EM from quantile starts; components with too little weight
 * are dropped. Deterministic. Returns components sorted by mean.
 */
export function fitMixture(values: readonly number[], k: number, iterations: number, minWeight: number): { weight: number; mean: number; std: number }[] {
  const n = values.length
  if (n === 0) return []
  const sorted = [...values].sort((a, b) => a - b)
  const range = sorted[n - 1] - sorted[0]
  const floor = Math.max(range * 1e-3, 1e-6)
  if (range === 0) return [{ weight: 1, mean: sorted[0], std: floor }]
  k = Math.max(1, Math.min(k, Math.floor(n / 5)))
  let comps = Array.from({ length: k }, (_, j) => ({ weight: 1 / k, mean: sorted[Math.floor(((j + 0.5) / k) * n)], std: range / (2 * k) }))
  const resp = new Float64Array(n * k)
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) {
      let total = 0
      for (let j = 0; j < comps.length; j++) {
        const c = comps[j]
        const z = (values[i] - c.mean) / c.std
        const p = (c.weight / c.std) * Math.exp(-0.5 * z * z)
        resp[i * k + j] = p
        total += p
      }
      for (let j = 0; j < comps.length; j++) resp[i * k + j] = total > 0 ? resp[i * k + j] / total : 1 / comps.length
    }
    comps = comps.map((_, j) => {
      let w = 0
      let m = 0
      for (let i = 0; i < n; i++) {
        w += resp[i * k + j]
        m += resp[i * k + j] * values[i]
      }
      m = w > 0 ? m / w : 0
      let v = 0
      for (let i = 0; i < n; i++) v += resp[i * k + j] * (values[i] - m) ** 2
      return { weight: w / n, mean: m, std: Math.max(w > 0 ? Math.sqrt(v / w) : floor, floor) }
    })
  }
  const kept = comps.filter((c) => c.weight >= minWeight)
  const total = kept.reduce((s, c) => s + c.weight, 0)
  return kept.map((c) => ({ ...c, weight: c.weight / total })).sort((a, b) => a.mean - b.mean)
}

/** Fits the modes of every kept column from its raw values (numbers, or category labels). */
export function fitModes(columns: readonly ColumnSpec[], raw: readonly (readonly (number | string)[])[], options: ModeFitOptions = DEFAULT_MODE_FIT): ModeColumn[] {
  const kept = columns.filter((c) => c.type !== 'ignore')
  return kept.map((c, j): ModeColumn => {
    if (c.type === 'categorical') return { name: c.name, type: 'categorical', categories: [...(c.categories ?? [])] }
    const values = raw.map((r) => Number(r[j]))
    const counts = new Map<number, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    const minCount = Math.max(3, Math.ceil(options.exactShare * values.length))
    const exact = [...counts]
      .filter(([, n]) => n >= minCount)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, options.maxExact)
      .map(([v]) => v)
      .sort((a, b) => a - b)
    const exactSet = new Set(exact)
    const rest = values.filter((v) => !exactSet.has(v))
    const gauss = rest.length >= 2 ? fitMixture(rest, options.maxComponents, options.emIterations, options.minWeight) : []
    const modes: NumericMode[] = [...exact.map((value): NumericMode => ({ kind: 'value', value })), ...gauss.map((g): NumericMode => ({ kind: 'gauss', mean: g.mean, std: g.std }))]
    if (modes.length === 0) modes.push({ kind: 'value', value: values[0] ?? 0 })
    const min = c.min ?? Math.min(...values)
    const max = c.max ?? Math.max(...values)
    return { name: c.name, type: c.type === 'integer' ? 'integer' : 'numeric', min, max, modes }
  })
}

const density = (m: Extract<NumericMode, { kind: 'gauss' }>, v: number): number => Math.exp(-0.5 * ((v - m.mean) / m.std) ** 2) / m.std

/**
 * Encodes one raw row (numbers and labels, in the kept columns' order) into `out` at `offset`.
 * A value that is an exact mode takes it with offset 0; another value takes a gaussian mode drawn
 * in proportion to its density there (`rand`), as CTGAN does, with the offset in units of 4 sd.
 */
export function encodeModesRow(t: readonly ModeColumn[], row: readonly (number | string)[], out: Float32Array, offset: number, rand: () => number): void {
  let o = offset
  t.forEach((c, j) => {
    if (c.type === 'categorical') {
      const k = c.categories.indexOf(String(row[j]))
      for (let q = 0; q < c.categories.length; q++) out[o + q] = q === k ? 1 : 0
      o += c.categories.length
      return
    }
    const v = Number(row[j])
    const m = c.modes.length
    for (let q = 0; q < m; q++) out[o + 1 + q] = 0
    let chosen = c.modes.findIndex((mode) => mode.kind === 'value' && mode.value === v)
    let off = 0
    if (chosen < 0) {
      const weights = c.modes.map((mode) => (mode.kind === 'gauss' ? density(mode, v) : 0))
      const total = weights.reduce((s, w) => s + w, 0)
      if (total > 0) {
        let u = rand() * total
        chosen = weights.findIndex((w) => (u -= w) < 0)
        if (chosen < 0) chosen = weights.length - 1 - [...weights].reverse().findIndex((w) => w > 0)
      } else {
        // Far from every component (or no gaussian mode): the nearest mode by distance.
        chosen = nearestMode(c.modes, v)
      }
      const mode = c.modes[chosen]
      if (mode.kind === 'gauss') off = Math.max(-0.99, Math.min(0.99, (v - mode.mean) / (OFFSET_SDS * mode.std)))
    }
    out[o] = off
    out[o + 1 + chosen] = 1
    o += 1 + m
  })
}

function nearestMode(modes: readonly NumericMode[], v: number): number {
  let best = 0
  let bestD = Infinity
  modes.forEach((mode, q) => {
    const d = Math.abs((mode.kind === 'value' ? mode.value : mode.mean) - v)
    if (d < bestD) {
      bestD = d
      best = q
    }
  })
  return best
}

/**
 * A generated vector back to a row: a mode and a category drawn from G's softmax (as CTGAN
 * samples them) with `rand`, or the most likely one without it; a mode's value, or its mean +
 * offset (clamped to the seen range, integers rounded).
 */
export function decodeModesRow(t: readonly ModeColumn[], values: ArrayLike<number>, offset = 0, rand?: () => number): (number | string)[] {
  const row: (number | string)[] = []
  let o = offset
  const argmax = (from: number, width: number): number => {
    if (rand) {
      let total = 0
      for (let q = 0; q < width; q++) total += Math.max(0, values[from + q]) || 0
      if (total > 0) {
        let u = rand() * total
        for (let q = 0; q < width; q++) {
          u -= Math.max(0, values[from + q]) || 0
          if (u < 0) return q
        }
        return width - 1
      }
    }
    let best = 0
    for (let q = 1; q < width; q++) if (values[from + q] > values[from + best]) best = q
    return best
  }
  for (const c of t) {
    if (c.type === 'categorical') {
      row.push(c.categories[argmax(o, c.categories.length)] ?? '')
      o += c.categories.length
      continue
    }
    const mode = c.modes[argmax(o + 1, c.modes.length)]
    const off = Number.isFinite(values[o]) ? Math.max(-1, Math.min(1, values[o])) : 0
    let x = mode.kind === 'value' ? mode.value : mode.mean + off * OFFSET_SDS * mode.std
    x = Math.max(c.min, Math.min(c.max, x))
    row.push(c.type === 'integer' ? Math.round(x) : Number(x.toPrecision(6)))
    o += 1 + c.modes.length
  }
  return row
}

/** Decodes a generated vector with a run's transform (min-max: the data set's column ranges). */
export function decodeWith(transform: TableTransform, columns: readonly ColumnSpec[], values: ArrayLike<number>, offset = 0, rand?: () => number): (number | string)[] {
  return transform.kind === 'modes' ? decodeModesRow(transform.columns, values, offset, rand) : decodeRow(columns, values, offset)
}

/** Checks a stored transform against the data set's kept columns; a message naming the problem, or null. */
export function transformProblem(value: unknown, columns: readonly ColumnSpec[]): string | null {
  if (typeof value !== 'object' || value === null) return 'it is not an object'
  const t = value as Partial<TableTransform>
  if (t.kind === 'minmax') return null
  if (t.kind !== 'modes' || !Array.isArray((t as { columns?: unknown }).columns)) return `its kind is ${JSON.stringify(t.kind)}, not "modes" or "minmax"`
  const kept = columns.filter((c) => c.type !== 'ignore')
  const cols = (t as { columns: ModeColumn[] }).columns
  if (cols.length !== kept.length) return `it has ${cols.length} columns; the data set has ${kept.length}`
  for (let j = 0; j < kept.length; j++) {
    const c = cols[j]
    if (c.name !== kept[j].name) return `its column ${j + 1} is "${c.name}", the data set's is "${kept[j].name}"`
    if (c.type !== 'categorical' && (!Array.isArray(c.modes) || c.modes.length === 0)) return `column "${c.name}" has no modes`
  }
  const condition = (t as { condition?: unknown }).condition
  return condition === undefined ? null : conditionProblem(condition, cols)
}
