// The fidelity report of a tabular run's epoch: how close generated rows come to the real ones
// column by column (KS for numbers, total variation for categories), in their correlations, and
// to a small classifier that tries to tell them apart (detection AUC: 0.5 is perfect), beside
// the same figures for the naive baseline (every column drawn independently from a fit of its
// own). Pure; randomness comes from the caller's seeded `rand`.
import { compareTables, tableColumnsOf, type ColumnComparison, type TableColumn } from './tabular-stats'
import type { TabularUtility } from './tabular-utility'

type Row = readonly (number | string)[]
interface Col {
  name: string
  type: string
}

export interface FidelityFigures {
  /** Per column: KS (numbers and integers) or total variation (categories). */
  columns: ColumnComparison[]
  /** Mean and largest KS over the numeric columns (null without any). */
  meanKs: number | null
  maxKs: number | null
  /** Mean total variation over the categorical columns (null without any). */
  meanTv: number | null
  /** RMS of the off-diagonal differences of the numeric columns' Pearson correlations. */
  correlationRms: number
  /** Held-out AUC of a logistic classifier of real vs generated rows: 0.5 cannot tell them apart, 1 always can. */
  detection: number
}

export interface TabularFidelity extends FidelityFigures {
  realRows: number
  generatedRows: number
  /** The naive baseline: every column drawn independently (numbers from a Gaussian fit, rounded for integers, within the seen range; categories by their shares). */
  baseline: FidelityFigures
  /** With a target column: TSTR against TRTR and the baseline (tabular-utility.ts); absent in runs without one and in reports stored before. */
  utility?: TabularUtility
}

/** The fidelity names charted per epoch, and which way is better (all: lower). */
export const FIDELITY_NAMES = ['meanKs', 'maxKs', 'meanTv', 'correlationRms', 'detection'] as const
export type FidelityName = (typeof FIDELITY_NAMES)[number]
export const FIDELITY_LABELS: Record<FidelityName, string> = {
  meanKs: 'Mean KS',
  maxKs: 'Max KS',
  meanTv: 'Mean TV (categories)',
  correlationRms: 'Correlation RMS',
  detection: 'Detection AUC (0.5 best)'
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, v) => s + v, 0) / xs.length)

/** Numeric features of rows for the detection classifier (and the utility models, tabular-utility.ts): numbers standardised by the real rows and squared, categories one-hot. */
export function features(columns: readonly Col[], real: readonly Row[], rows: readonly Row[]): Float64Array[] {
  const stats = columns.map((c, j) => {
    if (c.type === 'categorical') return { cats: [...new Set(real.map((r) => String(r[j])))], m: 0, s: 1 }
    const xs = real.map((r) => Number(r[j]))
    const m = xs.reduce((a, v) => a + v, 0) / xs.length
    const s = Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / xs.length) || 1
    return { cats: null, m, s }
  })
  return rows.map((r) => {
    const f: number[] = []
    columns.forEach((c, j) => {
      const st = stats[j]
      if (st.cats) for (const k of st.cats) f.push(String(r[j]) === k ? 1 : 0)
      else {
        // The square lets a linear model see a spread or a tail that differs, not only a shift.
        const z = Math.max(-10, Math.min(10, (Number(r[j]) - st.m) / st.s))
        f.push(Number.isFinite(z) ? z : 0, Number.isFinite(z) ? (z * z) / 4 : 0)
      }
    })
    return Float64Array.from(f)
  })
}

/** Area under the ROC curve of scores for positives vs negatives (ties count half). */
export function auc(pos: readonly number[], neg: readonly number[]): number {
  const all = [...pos.map((v) => ({ v, p: 1 })), ...neg.map((v) => ({ v, p: 0 }))].sort((a, b) => a.v - b.v)
  let rankSum = 0
  for (let i = 0; i < all.length; ) {
    let j = i
    while (j < all.length && all[j].v === all[i].v) j++
    const rank = (i + j + 1) / 2
    for (let k = i; k < j; k++) if (all[k].p === 1) rankSum += rank
    i = j
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length)
}

/** Logistic regression by full-batch gradient descent (L2 1e-3); returns the weights (bias last). */
function fitLogistic(x: readonly Float64Array[], y: readonly number[], iterations = 300, lr = 0.5): Float64Array {
  const d = x[0]?.length ?? 0
  const w = new Float64Array(d + 1)
  const g = new Float64Array(d + 1)
  for (let it = 0; it < iterations; it++) {
    g.fill(0)
    for (let i = 0; i < x.length; i++) {
      let t = w[d]
      for (let k = 0; k < d; k++) t += w[k] * x[i][k]
      const e = 1 / (1 + Math.exp(-t)) - y[i]
      for (let k = 0; k < d; k++) g[k] += e * x[i][k]
      g[d] += e
    }
    for (let k = 0; k <= d; k++) w[k] -= lr * (g[k] / x.length + (k < d ? 1e-3 * w[k] : 0))
  }
  return w
}

/**
 * Detection score: a logistic classifier (numbers standardised and squared, categories one-hot)
 * trained on half of the real and generated rows and tested on the other half, then the other
 * way round; the mean held-out AUC, at least 0.5 (a classifier worse than chance is chance).
 */
export function detectionScore(columns: readonly Col[], real: readonly Row[], generated: readonly Row[], rand: () => number): number {
  const n = Math.min(real.length, generated.length)
  if (n < 4) throw new Error(`detectionScore: needs at least 4 real and 4 generated rows (${real.length} and ${generated.length})`)
  const pick = (rows: readonly Row[]): Row[] => shuffle([...rows], rand).slice(0, n)
  const r = pick(real)
  const f = pick(generated)
  const xr = features(columns, r, r)
  const xf = features(columns, r, f)
  const half = Math.floor(n / 2)
  const folds: [number, number][] = [
    [0, half],
    [half, n]
  ]
  const aucs = folds.map(([lo, hi]) => {
    const train = (xs: Float64Array[]): Float64Array[] => xs.filter((_, i) => i < lo || i >= hi)
    const test = (xs: Float64Array[]): Float64Array[] => xs.slice(lo, hi)
    const xt = [...train(xr), ...train(xf)]
    const yt = [...train(xr).map(() => 1), ...train(xf).map(() => 0)]
    const w = fitLogistic(xt, yt)
    const score = (v: Float64Array): number => v.reduce((s, x, k) => s + w[k] * x, w[v.length])
    return auc(test(xr).map(score), test(xf).map(score))
  })
  return Math.max(0.5, (aucs[0] + aucs[1]) / 2)
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[xs[i], xs[j]] = [xs[j], xs[i]]
  }
  return xs
}

/** The figures of `generated` against `real` (rows in `columns`' order). */
export function fidelityFigures(columns: readonly Col[], real: readonly Row[], generated: readonly Row[], rand: () => number): FidelityFigures {
  const t = tableColumnsOf(columns, real, generated)
  const { columns: per, correlation } = compareTables(t.real, t.generated)
  const ks = per.filter((c) => c.statistic === 'ks').map((c) => c.value)
  const tv = per.filter((c) => c.statistic === 'tv').map((c) => c.value)
  const kept = columns.filter((c) => c.type === 'numeric' || c.type === 'integer' || c.type === 'categorical')
  const keptIdx = columns.map((c, j) => (kept.includes(c) ? j : -1)).filter((j) => j >= 0)
  const project = (rows: readonly Row[]): Row[] => rows.map((r) => keptIdx.map((j) => r[j]))
  return {
    columns: per,
    meanKs: mean(ks),
    maxKs: ks.length ? Math.max(...ks) : null,
    meanTv: mean(tv),
    correlationRms: correlation.rms,
    detection: detectionScore(kept, project(real), project(generated), rand)
  }
}

/** A standard normal draw (Box-Muller). */
function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/** The naive baseline's rows: each column independently from its own fit to `real`. */
export function independentRows(columns: readonly Col[], real: readonly Row[], count: number, rand: () => number): (number | string)[][] {
  const t: TableColumn[] = tableColumnsOf(columns, real, []).real
  const byName = new Map(t.map((c) => [c.name, c]))
  const draws = columns.map((c): (() => number | string) => {
    const col = byName.get(c.name)
    if (!col) return () => ''
    if (col.kind === 'categorical') {
      const vals = col.values
      return () => vals[Math.floor(rand() * vals.length)]
    }
    const xs = col.values
    const m = xs.reduce((a, v) => a + v, 0) / xs.length
    const s = Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / xs.length)
    const lo = Math.min(...xs)
    const hi = Math.max(...xs)
    return () => {
      const x = Math.max(lo, Math.min(hi, m + s * normal(rand)))
      return c.type === 'integer' ? Math.round(x) : x
    }
  })
  return Array.from({ length: count }, () => draws.map((d) => d()))
}

/** The report of one epoch: its generated rows' figures and the naive baseline's (computed once, passed in). */
export function tabularFidelity(columns: readonly Col[], real: readonly Row[], generated: readonly Row[], baseline: FidelityFigures, rand: () => number): TabularFidelity {
  return { realRows: real.length, generatedRows: generated.length, ...fidelityFigures(columns, real, generated, rand), baseline }
}

/** The baseline's figures: as many independent rows as `count`, scored like a GAN's. */
export function baselineFidelity(columns: readonly Col[], real: readonly Row[], count: number, rand: () => number): FidelityFigures {
  return fidelityFigures(columns, real, independentRows(columns, real, count, rand), rand)
}

/** "mean KS 0.081, max KS 0.150 (ZN), corr RMS 0.062, detection 0.71" */
export function describeFidelity(f: FidelityFigures): string {
  const worst = f.columns.filter((c) => c.statistic === 'ks').sort((a, b) => b.value - a.value)[0]
  const parts = [
    f.meanKs === null ? null : `mean KS ${f.meanKs.toFixed(3)}`,
    f.maxKs === null ? null : `max KS ${f.maxKs.toFixed(3)}${worst ? ` (${worst.name})` : ''}`,
    f.meanTv === null ? null : `mean TV ${f.meanTv.toFixed(3)}`,
    `corr RMS ${f.correlationRms.toFixed(3)}`,
    `detection AUC ${f.detection.toFixed(3)}`
  ]
  return parts.filter((p) => p !== null).join(', ')
}
