// CTGAN's conditional vector and training-by-sampling (Xu et al. 2019, section 4.3): G and D take,
// besides z and a row, one slot per category of every categorical column, exactly one slot set.
// In training, each example picks a categorical column uniformly and a category of it in
// proportion to the log of its frequency, a real row with that category is drawn for D, and G is
// told to produce it (a cross-entropy term), so rare categories are seen and learned. Drawing rows
// afterwards picks categories by their plain frequency, which keeps the table's own shares. Pure.
import type { ModeColumn } from './tabular-transform'

/** One categorical column of the condition: its rows per category in the training rows. */
export interface ConditionColumn {
  name: string
  counts: number[]
}

/** Stored in a run's transform.json: the condition's columns in the encoded order; the slots are their categories one after another. */
export interface TableCondition {
  columns: ConditionColumn[]
}

export type ConditionDraw = 'log-frequency' | 'frequency'

/** Each categorical column of `t` with the indices of the rows of `raw` (in the kept columns' order) in each of its categories. */
export function categoryRows(t: readonly ModeColumn[], raw: readonly (readonly (number | string)[])[]): { name: string; rows: number[][] }[] {
  const out: { name: string; rows: number[][] }[] = []
  t.forEach((c, j) => {
    if (c.type !== 'categorical') return
    const rows = c.categories.map((): number[] => [])
    raw.forEach((row, i) => rows[c.categories.indexOf(String(row[j]))]?.push(i))
    out.push({ name: c.name, rows })
  })
  return out
}

/** The condition of categoryRows' columns (their counts); null with no categorical column. */
export function conditionFrom(columns: readonly { name: string; rows: readonly (readonly number[])[] }[]): TableCondition | null {
  return columns.length === 0 ? null : { columns: columns.map((c) => ({ name: c.name, counts: c.rows.map((r) => r.length) })) }
}

/** The condition of a table's categorical columns, from the training rows (`raw`, in the kept columns' order); null with no categorical column. */
export function conditionOf(t: readonly ModeColumn[], raw: readonly (readonly (number | string)[])[]): TableCondition | null {
  return conditionFrom(categoryRows(t, raw))
}

/** The condition's slots: every column's categories. */
export function conditionWidth(c: TableCondition): number {
  return c.columns.reduce((s, col) => s + col.counts.length, 0)
}

/** Where each slot's category sits in an encoded row of transform `t` (G's softmax output for it). */
export function conditionPositions(t: readonly ModeColumn[]): Int32Array {
  const out: number[] = []
  let o = 0
  for (const c of t) {
    if (c.type === 'categorical') {
      for (let q = 0; q < c.categories.length; q++) out.push(o + q)
      o += c.categories.length
    } else o += 1 + c.modes.length
  }
  return Int32Array.from(out)
}

/**
 * `count` slots: a column drawn uniformly, then a category of it in proportion to its training
 * rows ('frequency') or to log(1 + rows) ('log-frequency', CTGAN's training-by-sampling). A
 * category with no training rows is never drawn.
 */
export function drawCondition(c: TableCondition, count: number, rand: () => number, by: ConditionDraw): Int32Array {
  const starts: number[] = []
  let start = 0
  const weights = c.columns.map((col) => {
    starts.push(start)
    start += col.counts.length
    return col.counts.map((n) => (by === 'frequency' ? n : Math.log1p(n)))
  })
  const totals = weights.map((w) => w.reduce((s, v) => s + v, 0))
  const usable = weights.map((_, j) => j).filter((j) => totals[j] > 0)
  if (usable.length === 0) throw new Error('The condition has no category with training rows')
  const out = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const j = usable[Math.min(usable.length - 1, Math.floor(rand() * usable.length))]
    let u = rand() * totals[j]
    let k = weights[j].findIndex((w) => (u -= w) < 0)
    if (k < 0) k = weights[j].length - 1 - [...weights[j]].reverse().findIndex((w) => w > 0)
    out[i] = starts[j] + k
  }
  return out
}

/** "CHAS = 0" for each slot, in order (what the generator's extra inputs mean). */
export function conditionSlotNames(c: TableCondition, categories: (column: string) => readonly string[]): string[] {
  return c.columns.flatMap((col) => {
    const names = categories(col.name)
    return col.counts.map((_, k) => `${col.name} = ${names[k] ?? k}`)
  })
}

/** Checks a stored condition against the transform's categorical columns; a message naming the problem, or null. */
export function conditionProblem(value: unknown, t: readonly ModeColumn[]): string | null {
  const cats = t.filter((c): c is Extract<ModeColumn, { type: 'categorical' }> => c.type === 'categorical')
  const cols = (value as { columns?: unknown } | null)?.columns
  if (!Array.isArray(cols)) return 'its condition has no columns'
  if (cols.length !== cats.length) return `its condition has ${cols.length} columns; the table has ${cats.length} categorical ones`
  for (let j = 0; j < cats.length; j++) {
    const col = cols[j] as Partial<ConditionColumn>
    if (col.name !== cats[j].name) return `its condition's column ${j + 1} is ${JSON.stringify(col.name)}, not "${cats[j].name}"`
    if (!Array.isArray(col.counts) || col.counts.length !== cats[j].categories.length || !col.counts.every((n) => Number.isInteger(n) && n >= 0)) {
      return `its condition's column "${cats[j].name}" needs ${cats[j].categories.length} row counts`
    }
  }
  return null
}
