// What a tabular run's generated rows are worth to a model (issue 21): with a target column
// chosen, a small model predicts it from the other columns. Trained on generated rows and tested
// on real rows held out from the GAN's training (TSTR), beside the same model trained on the
// real training rows (TRTR: what the data itself allows) and on the naive baseline's independent
// rows (what a GAN adds). Categories: multinomial logistic regression, scored by accuracy (and
// macro F1); numbers: ridge regression, scored by R². Features as the detection classifier's.
// Pure and deterministic.
import { features } from './tabular-fidelity'

type Row = readonly (number | string)[]
interface Col {
  name: string
  type: string
}

/** The share of a table's rows a run with a target column holds out, and the fewest rows it takes. */
export const HOLDOUT_SHARE = 0.2
export const MIN_UTILITY_ROWS = 100

/** Rows held out of `rows` (20%, rounded). */
export function heldOutCount(rows: number): number {
  return Math.round(rows * HOLDOUT_SHARE)
}

/** Why a table of `rows` rows is too small to hold rows out for a target column, or null. */
export function holdOutProblem(rows: number): string | null {
  if (rows >= MIN_UTILITY_ROWS) return null
  return `a target column holds out ${HOLDOUT_SHARE * 100}% of the rows to test on, which needs at least ${MIN_UTILITY_ROWS} rows (${MIN_UTILITY_ROWS * HOLDOUT_SHARE} held out); this table has ${rows}`
}

export type UtilityTask = 'classification' | 'regression'

/** The utility scores of one epoch (stored with its fidelity report). */
export interface TabularUtility {
  target: string
  task: UtilityTask
  /** Accuracy for a categorical target, R² (1 perfect, 0 the held-out mean, below 0 worse) for a number. Higher is better. */
  metric: 'accuracy' | 'r2'
  /** Trained on the epoch's generated rows, tested on the held-out real rows. */
  tstr: number
  /** Trained on the real training rows (those the fidelity report compares), tested on the same held-out rows; the same every epoch. */
  trtr: number
  /** Trained on the naive baseline's independent rows; the same every epoch. */
  baseline: number
  /** Always predicting the real training rows' most common class (accuracy) or their mean (R², about 0). */
  constant: number
  /** Classification: the macro F1 (mean over the classes seen or predicted) of the same three models. */
  macroF1?: { tstr: number; trtr: number; baseline: number }
  /** Real rows TRTR trained on, and held-out rows every model is tested on. */
  trainRows: number
  heldOutRows: number
}

export const UTILITY_METRIC_LABELS: Record<TabularUtility['metric'], string> = { accuracy: 'accuracy', r2: 'R²' }
export const UTILITY_MODEL_LABELS: Record<UtilityTask, string> = { classification: 'logistic regression', regression: 'ridge regression' }

export function utilityTask(type: string): UtilityTask {
  return type === 'categorical' ? 'classification' : 'regression'
}

/** Softmax regression by full-batch gradient descent (L2 1e-3, as the detection classifier's); weights per class, bias last. */
export function fitSoftmax(x: readonly Float64Array[], y: readonly number[], classes: number, iterations = 300, lr = 0.5): Float64Array[] {
  const d = x[0]?.length ?? 0
  const w = Array.from({ length: classes }, () => new Float64Array(d + 1))
  const g = Array.from({ length: classes }, () => new Float64Array(d + 1))
  const p = new Float64Array(classes)
  for (let it = 0; it < iterations; it++) {
    for (const gk of g) gk.fill(0)
    for (let i = 0; i < x.length; i++) {
      softmaxInto(w, x[i], p)
      for (let c = 0; c < classes; c++) {
        const e = p[c] - (y[i] === c ? 1 : 0)
        const gc = g[c]
        for (let k = 0; k < d; k++) gc[k] += e * x[i][k]
        gc[d] += e
      }
    }
    for (let c = 0; c < classes; c++) for (let k = 0; k <= d; k++) w[c][k] -= lr * (g[c][k] / x.length + (k < d ? 1e-3 * w[c][k] : 0))
  }
  return w
}

function softmaxInto(w: readonly Float64Array[], v: Float64Array, out: Float64Array): void {
  const d = v.length
  let top = -Infinity
  for (let c = 0; c < w.length; c++) {
    let t = w[c][d]
    for (let k = 0; k < d; k++) t += w[c][k] * v[k]
    out[c] = t
    top = Math.max(top, t)
  }
  let sum = 0
  for (let c = 0; c < w.length; c++) sum += out[c] = Math.exp(out[c] - top)
  for (let c = 0; c < w.length; c++) out[c] /= sum
}

/** The most probable class of `v` under softmax weights `w`. */
export function predictClass(w: readonly Float64Array[], v: Float64Array): number {
  const p = new Float64Array(w.length)
  softmaxInto(w, v, p)
  let best = 0
  for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
  return best
}

/**
 * Ridge regression in closed form: (XcᵀXc + λI) w = Xcᵀyc on the centred data, λ = 1e-3·n (the
 * logistic models' L2 per row; it also settles the one-hots, which sum to the bias). Returns
 * the weights and the bias, by Cholesky (the matrix is symmetric positive definite).
 */
export function fitRidge(x: readonly Float64Array[], y: readonly number[]): { w: Float64Array; bias: number } {
  const n = x.length
  const d = x[0]?.length ?? 0
  const mx = new Float64Array(d)
  for (const v of x) for (let k = 0; k < d; k++) mx[k] += v[k] / n
  const my = y.reduce((s, v) => s + v, 0) / n
  const a = new Float64Array(d * d)
  const b = new Float64Array(d)
  const c = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) c[k] = x[i][k] - mx[k]
    const yc = y[i] - my
    for (let k = 0; k < d; k++) {
      b[k] += c[k] * yc
      for (let l = 0; l <= k; l++) a[k * d + l] += c[k] * c[l]
    }
  }
  const lambda = 1e-3 * n + 1e-9
  for (let k = 0; k < d; k++) a[k * d + k] += lambda
  // Cholesky a = L Lᵀ in the lower triangle, then forward and back substitution.
  for (let k = 0; k < d; k++) {
    for (let l = 0; l <= k; l++) {
      let s = a[k * d + l]
      for (let m = 0; m < l; m++) s -= a[k * d + m] * a[l * d + m]
      a[k * d + l] = k === l ? Math.sqrt(Math.max(s, 1e-12)) : s / a[l * d + l]
    }
  }
  const z = new Float64Array(d)
  for (let k = 0; k < d; k++) {
    let s = b[k]
    for (let m = 0; m < k; m++) s -= a[k * d + m] * z[m]
    z[k] = s / a[k * d + k]
  }
  const w = new Float64Array(d)
  for (let k = d - 1; k >= 0; k--) {
    let s = z[k]
    for (let m = k + 1; m < d; m++) s -= a[m * d + k] * w[m]
    w[k] = s / a[k * d + k]
  }
  const bias = my - w.reduce((s, v, k) => s + v * mx[k], 0)
  return { w, bias }
}

/** R² of predictions against truth: 1 - residual / total sum of squares about the truth's mean. */
export function rSquared(truth: readonly number[], predicted: readonly number[]): number {
  const m = truth.reduce((s, v) => s + v, 0) / truth.length
  let res = 0
  let tot = 0
  truth.forEach((t, i) => {
    res += (t - predicted[i]) ** 2
    tot += (t - m) ** 2
  })
  if (tot === 0) return res === 0 ? 1 : 0
  return 1 - res / tot
}

/** Accuracy and macro F1 (over the classes that occur in truth or predictions, as scikit-learn's). */
export function classificationScores(truth: readonly number[], predicted: readonly number[]): { accuracy: number; macroF1: number } {
  const classes = [...new Set([...truth, ...predicted])]
  const f1s = classes.map((c) => {
    let tp = 0
    let fp = 0
    let fn = 0
    truth.forEach((t, i) => {
      if (predicted[i] === c && t === c) tp++
      else if (predicted[i] === c) fp++
      else if (t === c) fn++
    })
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
  })
  const accuracy = truth.filter((t, i) => t === predicted[i]).length / truth.length
  return { accuracy, macroF1: f1s.reduce((s, v) => s + v, 0) / Math.max(1, f1s.length) }
}

/**
 * A target column's models against one held-out set: `score(train)` fits the model on rows (any
 * source, in `columns`' order) and scores it on `heldOut`. Features are standardised by the
 * real training rows `reference`, so every model sees the same encoding.
 */
export function utilityModel(columns: readonly Col[], target: string, reference: readonly Row[], heldOut: readonly Row[]): {
  task: UtilityTask
  score(train: readonly Row[]): { score: number; macroF1?: number }
  constant: number
} {
  const t = columns.findIndex((c) => c.name === target)
  if (t < 0) throw new Error(`utilityModel: no column "${target}" among ${columns.map((c) => c.name).join(', ')}`)
  if (columns.length < 2) throw new Error(`utilityModel: "${target}" is the only column; there is nothing to predict it from`)
  const others = columns.filter((_, j) => j !== t)
  const inputs = (rows: readonly Row[]): Row[] => rows.map((r) => r.filter((_, j) => j !== t))
  const ref = inputs(reference)
  const xTest = features(others, ref, inputs(heldOut))
  const task = utilityTask(columns[t].type)
  if (task === 'classification') {
    const labels = [...new Set([...reference, ...heldOut].map((r) => String(r[t])))].sort()
    const index = (rows: readonly Row[]): number[] => rows.map((r) => labels.indexOf(String(r[t])))
    const yTest = index(heldOut)
    const counts = new Array<number>(labels.length).fill(0)
    for (const y of index(reference)) counts[y]++
    const majority = counts.indexOf(Math.max(...counts))
    return {
      task,
      score(train) {
        // A generated class the real rows never have cannot be right: it stays a class of its own.
        const known = [...labels, ...new Set(train.map((r) => String(r[t])).filter((v) => !labels.includes(v)))]
        const y = train.map((r) => known.indexOf(String(r[t])))
        const w = fitSoftmax(features(others, ref, inputs(train)), y, known.length)
        const s = classificationScores(yTest, xTest.map((v) => predictClass(w, v)))
        return { score: s.accuracy, macroF1: s.macroF1 }
      },
      constant: classificationScores(yTest, yTest.map(() => majority)).accuracy
    }
  }
  const number = (rows: readonly Row[]): number[] => rows.map((r) => Number(r[t]))
  const yTest = number(heldOut)
  const refMean = number(reference).reduce((s, v) => s + v, 0) / reference.length
  return {
    task,
    score(train) {
      const kept = train.filter((r) => Number.isFinite(Number(r[t])))
      const { w, bias } = fitRidge(features(others, ref, inputs(kept)), number(kept))
      return { score: rSquared(yTest, xTest.map((v) => v.reduce((s, x, k) => s + w[k] * x, bias))) }
    },
    constant: rSquared(yTest, yTest.map(() => refMean))
  }
}

/**
 * The utility scorer of a run: TRTR (on `realTrain`) and the baseline (on `baselineRows`) scored
 * once, and a function that scores each epoch's generated rows (TSTR) beside them.
 */
export function utilityScorer(columns: readonly Col[], target: string, realTrain: readonly Row[], heldOut: readonly Row[], baselineRows: readonly Row[]): (generated: readonly Row[]) => TabularUtility {
  const model = utilityModel(columns, target, realTrain, heldOut)
  const trtr = model.score(realTrain)
  const baseline = model.score(baselineRows)
  const classification = model.task === 'classification'
  return (generated) => {
    const tstr = model.score(generated)
    return {
      target,
      task: model.task,
      metric: classification ? 'accuracy' : 'r2',
      tstr: tstr.score,
      trtr: trtr.score,
      baseline: baseline.score,
      constant: model.constant,
      ...(classification ? { macroF1: { tstr: tstr.macroF1!, trtr: trtr.macroF1!, baseline: baseline.macroF1! } } : {}),
      trainRows: realTrain.length,
      heldOutRows: heldOut.length
    }
  }
}

/** "TSTR R² 0.61 vs TRTR 0.74 (baseline 0.12) predicting MEDV" */
export function describeUtility(u: TabularUtility): string {
  const m = UTILITY_METRIC_LABELS[u.metric]
  return `TSTR ${m} ${u.tstr.toFixed(3)} vs TRTR ${u.trtr.toFixed(3)} (baseline ${u.baseline.toFixed(3)}, constant ${u.constant.toFixed(3)}) predicting ${u.target}`
}
