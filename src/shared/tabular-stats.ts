// Per-column comparison of a real and a generated table: the two-sample Kolmogorov-Smirnov
// distance of each numeric column, the total variation distance of each categorical one, and
// the difference of the numeric columns' Pearson correlation matrices. Pure functions, for
// the tabular data sets (not wired into the UI yet).

/** sup_x |F_a(x) - F_b(x)| of the two empirical distributions; non-finite values are ignored. */
export function ksDistance(a: readonly number[], b: readonly number[]): number {
  const x = a.filter(Number.isFinite).sort((p, q) => p - q)
  const y = b.filter(Number.isFinite).sort((p, q) => p - q)
  if (x.length === 0 || y.length === 0) throw new Error(`ksDistance: a sample has no finite values (${x.length} and ${y.length})`)
  let i = 0
  let j = 0
  let d = 0
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j])
    while (i < x.length && x[i] === v) i++
    while (j < y.length && y[j] === v) j++
    d = Math.max(d, Math.abs(i / x.length - j / y.length))
  }
  return d
}

/** Share of each category in a column. */
export function categoryShares(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  for (const [k, c] of counts) counts.set(k, c / values.length)
  return counts
}

/** Half the L1 distance between the category shares: 0 same, 1 disjoint. */
export function totalVariation(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) throw new Error(`totalVariation: a column is empty (${a.length} and ${b.length} values)`)
  const pa = categoryShares(a)
  const pb = categoryShares(b)
  let sum = 0
  for (const k of new Set([...pa.keys(), ...pb.keys()])) sum += Math.abs((pa.get(k) ?? 0) - (pb.get(k) ?? 0))
  return sum / 2
}

/** Pearson correlation matrix of columns (each the same length); a constant column correlates 0 with the others, 1 with itself. */
export function correlationMatrix(columns: readonly (readonly number[])[]): number[][] {
  const k = columns.length
  const n = k === 0 ? 0 : columns[0].length
  if (columns.some((c) => c.length !== n)) throw new Error('correlationMatrix: columns differ in length')
  const centred = columns.map((c) => {
    const m = c.reduce((s, v) => s + v, 0) / n
    return c.map((v) => v - m)
  })
  const norms = centred.map((c) => Math.sqrt(c.reduce((s, v) => s + v * v, 0)))
  return centred.map((ci, i) =>
    centred.map((cj, j) => {
      if (i === j) return 1
      if (norms[i] === 0 || norms[j] === 0) return 0
      let dot = 0
      for (let r = 0; r < n; r++) dot += ci[r] * cj[r]
      return dot / (norms[i] * norms[j])
    })
  )
}

export interface CorrelationDifference {
  /** real - generated, entry by entry. */
  difference: number[][]
  /** Largest absolute entry. */
  maxAbs: number
  /** Frobenius norm of the off-diagonal part over sqrt(k (k - 1)): the root mean square difference. */
  rms: number
}

export function correlationDifference(real: readonly (readonly number[])[], generated: readonly (readonly number[])[]): CorrelationDifference {
  if (real.length !== generated.length) throw new Error(`correlationDifference: ${real.length} real columns but ${generated.length} generated`)
  const a = correlationMatrix(real)
  const b = correlationMatrix(generated)
  const difference = a.map((row, i) => row.map((v, j) => v - b[i][j]))
  let maxAbs = 0
  let sq = 0
  const k = real.length
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue
      maxAbs = Math.max(maxAbs, Math.abs(difference[i][j]))
      sq += difference[i][j] ** 2
    }
  }
  return { difference, maxAbs, rms: k > 1 ? Math.sqrt(sq / (k * (k - 1))) : 0 }
}

export type TableColumn = { name: string; kind: 'numeric'; values: readonly number[] } | { name: string; kind: 'categorical'; values: readonly string[] }

export interface ColumnComparison {
  name: string
  kind: 'numeric' | 'categorical'
  statistic: 'ks' | 'tv'
  value: number
}

/** Compares two tables column by column (matched by name; a missing or differently typed column is an error naming it). */
export function compareTables(real: readonly TableColumn[], generated: readonly TableColumn[]): { columns: ColumnComparison[]; correlation: CorrelationDifference } {
  const byName = new Map(generated.map((c) => [c.name, c]))
  const columns: ColumnComparison[] = []
  const numericReal: (readonly number[])[] = []
  const numericGen: (readonly number[])[] = []
  for (const col of real) {
    const other = byName.get(col.name)
    if (!other) throw new Error(`compareTables: the generated table has no column "${col.name}"`)
    if (other.kind !== col.kind) throw new Error(`compareTables: column "${col.name}" is ${col.kind} in the real table but ${other.kind} in the generated one`)
    if (col.kind === 'numeric' && other.kind === 'numeric') {
      columns.push({ name: col.name, kind: 'numeric', statistic: 'ks', value: ksDistance(col.values, other.values) })
      numericReal.push(col.values)
      numericGen.push(other.values)
    } else if (col.kind === 'categorical' && other.kind === 'categorical') {
      columns.push({ name: col.name, kind: 'categorical', statistic: 'tv', value: totalVariation(col.values, other.values) })
    }
  }
  return { columns, correlation: correlationDifference(numericReal, numericGen) }
}

/**
 * Real and generated columns of an epoch's table samples (rows in the data set's columns, as
 * decoded), ready for compareTables: numeric and integer columns as numbers, categorical as
 * strings; other columns are left out.
 */
export function tableColumnsOf(
  columns: readonly { name: string; type: string }[],
  real: readonly (readonly (number | string)[])[],
  generated: readonly (readonly (number | string)[])[]
): { real: TableColumn[]; generated: TableColumn[] } {
  const pick = (rows: readonly (readonly (number | string)[])[]): TableColumn[] =>
    columns.flatMap((c, j): TableColumn[] => {
      if (c.type === 'categorical') return [{ name: c.name, kind: 'categorical', values: rows.map((r) => String(r[j])) }]
      if (c.type === 'numeric' || c.type === 'integer') return [{ name: c.name, kind: 'numeric', values: rows.map((r) => Number(r[j])) }]
      return []
    })
  return { real: pick(real), generated: pick(generated) }
}
