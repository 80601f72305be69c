// The numbers behind the sample-quality scores, as pure functions over feature and
// probability matrices (row-major, one sample per row): the Frechet distance with a
// symmetric matrix square root, the (Inception-style) classifier score, k-NN precision,
// recall, density and coverage, and the predicted-class histogram.

/** Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations (float64). */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n) throw new Error(`symmetricEigen: expected ${n * n} values for a ${n} x ${n} matrix, got ${matrix.length}`)
  const a = Float64Array.from(matrix)
  // Symmetrise: the caller's matrix may carry rounding asymmetry.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i] = (a[i * n + j] + a[j * n + i]) / 2
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  let scale = 0
  for (let i = 0; i < n * n; i++) scale += a[i] * a[i]
  const tolerance = 1e-30 * Math.max(scale, 1e-300)
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j]
    if (off <= tolerance) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]
        if (apq === 0) continue
        const app = a[p * n + p]
        const aqq = a[q * n + q]
        const theta = (aqq - app) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]
          const akq = a[k * n + q]
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]
          const aqk = a[q * n + k]
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]
          const vkq = v[k * n + q]
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]
  return { values, vectors: v }
}

/** The principal square root of a symmetric positive semi-definite matrix (tiny negative eigenvalues clipped to 0). */
export function sqrtmPsd(matrix: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n)
  const out = new Float64Array(n * n)
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(values[k], 0))
    if (s === 0) continue
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * s
      if (vik === 0) continue
      for (let j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k]
    }
  }
  return out
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]
      if (aik === 0) continue
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j]
    }
  }
  return out
}

/** Tr sqrt(S1 S2) for symmetric PSD S1, S2, as Tr sqrt(S1^1/2 S2 S1^1/2), which is symmetric. */
export function traceSqrtProduct(s1: ArrayLike<number>, s2: ArrayLike<number>, n: number): number {
  const root = sqrtmPsd(s1, n)
  const m = matmul(matmul(root, Float64Array.from(s2), n), root, n)
  const { values } = symmetricEigen(m, n)
  let sum = 0
  for (const v of values) sum += Math.sqrt(Math.max(v, 0))
  return sum
}

export interface Gaussian {
  dim: number
  count: number
  mean: Float64Array
  /** Unbiased (n - 1) covariance, dim x dim, as numpy.cov. */
  cov: Float64Array
}

/** Mean and covariance of `count` rows of `dim` features. */
export function gaussianOf(features: ArrayLike<number>, count: number, dim: number): Gaussian {
  if (features.length !== count * dim) throw new Error(`gaussianOf: expected ${count} x ${dim} values, got ${features.length}`)
  if (count < 2) throw new Error(`gaussianOf: a covariance needs at least 2 samples, got ${count}`)
  const mean = new Float64Array(dim)
  for (let r = 0; r < count; r++) for (let d = 0; d < dim; d++) mean[d] += features[r * dim + d]
  for (let d = 0; d < dim; d++) mean[d] /= count
  const cov = new Float64Array(dim * dim)
  const centred = new Float64Array(dim)
  for (let r = 0; r < count; r++) {
    for (let d = 0; d < dim; d++) centred[d] = features[r * dim + d] - mean[d]
    for (let i = 0; i < dim; i++) {
      const ci = centred[i]
      if (ci === 0) continue
      for (let j = i; j < dim; j++) cov[i * dim + j] += ci * centred[j]
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j] / (count - 1)
      cov[i * dim + j] = v
      cov[j * dim + i] = v
    }
  }
  return { dim, count, mean, cov }
}

/** Frechet distance of two Gaussians: |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr sqrt(S1 S2). */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: feature sizes differ (${a.dim} and ${b.dim})`)
  const n = a.dim
  let meanTerm = 0
  for (let d = 0; d < n; d++) meanTerm += (a.mean[d] - b.mean[d]) ** 2
  let traces = 0
  for (let d = 0; d < n; d++) traces += a.cov[d * n + d] + b.cov[d * n + d]
  // Rounding can leave a hair below zero for identical distributions.
  return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a.cov, b.cov, n))
}

/**
 * Classifier score (the Inception Score with the lab's classifier): exp(E_x KL(p(y|x) || p(y))),
 * over all rows at once (one split). 1 is the worst; the number of classes is the top.
 */
export function classifierScore(probs: ArrayLike<number>, count: number, classes: number): number {
  const marginal = new Float64Array(classes)
  for (let r = 0; r < count; r++) for (let c = 0; c < classes; c++) marginal[c] += probs[r * classes + c] / count
  let kl = 0
  const eps = 1e-12
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < classes; c++) {
      const p = probs[r * classes + c]
      if (p > 0) kl += p * (Math.log(p + eps) - Math.log(marginal[c] + eps))
    }
  }
  return Math.exp(kl / count)
}

/** Predicted class (arg max) counts. */
export function classHistogram(probs: ArrayLike<number>, count: number, classes: number): number[] {
  const hist = new Array<number>(classes).fill(0)
  for (let r = 0; r < count; r++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (probs[r * classes + c] > probs[r * classes + best]) best = c
    hist[best]++
  }
  return hist
}

/** A class is covered when it holds at least a fifth of a uniform share of the samples. */
export function classesCovered(histogram: readonly number[]): number {
  const total = histogram.reduce((s, x) => s + x, 0)
  if (total === 0) return 0
  const threshold = total / (5 * histogram.length)
  return histogram.filter((x) => x > 0 && x >= threshold).length
}

/** Squared Euclidean distances between every row of a (na x dim) and every row of b (nb x dim). */
export function squaredDistances(a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number, dim: number): Float64Array {
  const out = new Float64Array(na * nb)
  const normA = new Float64Array(na)
  const normB = new Float64Array(nb)
  for (let i = 0; i < na; i++) for (let d = 0; d < dim; d++) normA[i] += a[i * dim + d] * a[i * dim + d]
  for (let j = 0; j < nb; j++) for (let d = 0; d < dim; d++) normB[j] += b[j * dim + d] * b[j * dim + d]
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let dot = 0
      for (let d = 0; d < dim; d++) dot += a[i * dim + d] * b[j * dim + d]
      out[i * nb + j] = Math.max(0, normA[i] + normB[j] - 2 * dot)
    }
  }
  return out
}

/** Per row of a square distance matrix: the distance to its k-th nearest other row. */
function kthNeighbourRadii(dist: Float64Array, n: number, k: number): Float64Array {
  const radii = new Float64Array(n)
  const row = new Float64Array(n - 1)
  for (let i = 0; i < n; i++) {
    let w = 0
    for (let j = 0; j < n; j++) if (j !== i) row[w++] = dist[i * n + j]
    row.sort()
    radii[i] = row[Math.min(k, n - 1) - 1]
  }
  return radii
}

export interface Prdc {
  precision: number
  recall: number
  density: number
  coverage: number
}

/**
 * Precision, recall, density and coverage (Naeem et al. 2020, the `prdc` package's definitions):
 * k-NN balls around real and generated features; a point is inside a ball when strictly closer
 * than the ball's radius.
 */
export function prdc(real: ArrayLike<number>, nReal: number, fake: ArrayLike<number>, nFake: number, dim: number, k = 5): Prdc {
  if (nReal <= k || nFake <= k) throw new Error(`prdc: needs more than k = ${k} real and generated samples (got ${nReal} and ${nFake})`)
  const realRadii = kthNeighbourRadii(squaredDistances(real, nReal, real, nReal, dim), nReal, k)
  const fakeRadii = kthNeighbourRadii(squaredDistances(fake, nFake, fake, nFake, dim), nFake, k)
  const cross = squaredDistances(real, nReal, fake, nFake, dim)
  let precise = 0
  let dense = 0
  for (let j = 0; j < nFake; j++) {
    let inside = 0
    for (let i = 0; i < nReal; i++) if (cross[i * nFake + j] < realRadii[i]) inside++
    if (inside > 0) precise++
    dense += inside
  }
  let recalled = 0
  let covered = 0
  for (let i = 0; i < nReal; i++) {
    let nearest = Infinity
    let inFake = false
    for (let j = 0; j < nFake; j++) {
      const d = cross[i * nFake + j]
      if (d < nearest) nearest = d
      if (!inFake && d < fakeRadii[j]) inFake = true
    }
    if (inFake) recalled++
    if (nearest < realRadii[i]) covered++
  }
  return { precision: precise / nFake, recall: recalled / nReal, density: dense / (k * nFake), coverage: covered / nReal }
}

/** Mean Euclidean distance between distinct rows: a spread measure for "are these samples all alike?". */
export function meanPairwiseDistance(features: ArrayLike<number>, count: number, dim: number): number {
  if (count < 2) return 0
  const dist = squaredDistances(features, count, features, count, dim)
  let sum = 0
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) sum += Math.sqrt(dist[i * count + j])
  return sum / ((count * (count - 1)) / 2)
}

/** Share of samples whose most probable class has probability above `threshold` (the classifier is sure what it sees). */
export function confidentShare(probs: ArrayLike<number>, count: number, classes: number, threshold = 0.9): number {
  if (count === 0) return 0
  let sure = 0
  for (let r = 0; r < count; r++) {
    let best = 0
    for (let c = 0; c < classes; c++) best = Math.max(best, probs[r * classes + c])
    if (best > threshold) sure++
  }
  return sure / count
}

/** Entropy in bits of a class histogram: log2(classes) when uniform (3.32 for 10), 0 when one class takes all. */
export function histogramEntropyBits(histogram: readonly number[]): number {
  const total = histogram.reduce((s, x) => s + x, 0)
  if (total === 0) return 0
  let h = 0
  for (const x of histogram) if (x > 0) h -= (x / total) * Math.log2(x / total)
  return h
}
