import { describe, expect, it } from 'vitest'
import {
  classHistogram,
  classesCovered,
  classifierScore,
  confidentShare,
  frechetDistance,
  gaussianOf,
  histogramEntropyBits,
  meanPairwiseDistance,
  prdc,
  sqrtmPsd,
  symmetricEigen,
  traceSqrtProduct
} from '@shared/eval-math'
import { mulberry32, gaussian } from '../../src/main/common/random'
import { NUMPY_SCORES, numpyMissing, runNumpy, type NumpyScores } from '../helpers/numpy'

function square(m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] += m[i * n + k] * m[k * n + j]
  return out
}

/** A random symmetric positive definite n x n matrix B B^T / n + eps I. */
function randomSpd(n: number, seed: number, eps = 0.01): Float64Array {
  const b = gaussian(n * n, mulberry32(seed))
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0
    for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k]
    out[i * n + j] = s / n + (i === j ? eps : 0)
  }
  return out
}

describe('symmetric eigen-decomposition and matrix square root', () => {
  it('finds the eigenvalues of known matrices', () => {
    const { values } = symmetricEigen([2, 1, 1, 2], 2)
    expect([...values].sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)])
    const three = symmetricEigen([2, -1, 0, -1, 2, -1, 0, -1, 2], 3)
    const expected = [2 - Math.SQRT2, 2, 2 + Math.SQRT2]
    ;[...three.values].sort((a, b) => a - b).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12))
  })

  it('takes square roots of known matrices', () => {
    expect([...sqrtmPsd([4, 0, 0, 9], 2)]).toEqual([2, 0, 0, 3])
    // [[5, 4], [4, 5]] = [[2, 1], [1, 2]]^2
    sqrtmPsd([5, 4, 4, 5], 2).forEach((v, i) => expect(v).toBeCloseTo([2, 1, 1, 2][i], 12))
    // A singular PSD matrix: [[1, 1], [1, 1]] = ([[1, 1], [1, 1]] / sqrt 2)^2
    sqrtmPsd([1, 1, 1, 1], 2).forEach((v) => expect(v).toBeCloseTo(Math.SQRT1_2, 12))
  })

  it('squares back to a random 64 x 64 SPD matrix', () => {
    const n = 64
    const a = randomSpd(n, 3)
    const root = sqrtmPsd(a, n)
    const back = square(root, n)
    let worst = 0
    for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(back[i] - a[i]))
    expect(worst).toBeLessThan(1e-9)
  })

  it('Tr sqrt(S1 S2) equals the sum of square roots of the eigenvalues of S1 S2 for commuting matrices', () => {
    // Diagonal matrices commute: Tr sqrt(S1 S2) = sum sqrt(a_i b_i).
    expect(traceSqrtProduct([1, 0, 0, 0, 4, 0, 0, 0, 9], [16, 0, 0, 0, 1, 0, 0, 0, 4], 3)).toBeCloseTo(4 + 2 + 6, 12)
  })
})

describe('Frechet distance', () => {
  it('is zero for identical samples and matches the closed form for diagonal covariances', () => {
    const rand = mulberry32(9)
    const x = gaussian(500 * 4, rand)
    const g = gaussianOf(x, 500, 4)
    expect(frechetDistance(g, g)).toBeLessThan(1e-9)
    const a = { dim: 2, count: 2, mean: Float64Array.from([0, 0]), cov: Float64Array.from([1, 0, 0, 4]) }
    const b = { dim: 2, count: 2, mean: Float64Array.from([3, 4]), cov: Float64Array.from([9, 0, 0, 1]) }
    // 25 + (1 - 3)^2 + (2 - 1)^2
    expect(frechetDistance(a, b)).toBeCloseTo(30, 10)
  })

  it('grows with a shift of the mean and a change of scale', () => {
    const base = gaussian(400 * 3, mulberry32(1))
    const shifted = base.map((v) => v + 1)
    const scaled = base.map((v) => v * 3)
    const g0 = gaussianOf(base, 400, 3)
    expect(frechetDistance(g0, gaussianOf(shifted, 400, 3))).toBeCloseTo(3, 6)
    expect(frechetDistance(g0, gaussianOf(scaled, 400, 3))).toBeGreaterThan(10)
  })
})

describe('classifier score, histogram, coverage of classes', () => {
  const oneHot = (labels: number[], k: number): Float32Array => {
    const p = new Float32Array(labels.length * k)
    labels.forEach((l, i) => (p[i * k + l] = 1))
    return p
  }
  it('is the number of classes for confident balanced predictions and 1 for a single class', () => {
    const balanced = Array.from({ length: 100 }, (_, i) => i % 10)
    expect(classifierScore(oneHot(balanced, 10), 100, 10)).toBeCloseTo(10, 6)
    expect(classifierScore(oneHot(new Array(100).fill(3), 10), 100, 10)).toBeCloseTo(1, 6)
    expect(classifierScore(new Float32Array(100 * 10).fill(0.1), 100, 10)).toBeCloseTo(1, 6)
  })
  it('counts predicted classes and the ones covered', () => {
    const probs = oneHot([...new Array(95).fill(7), 1, 2, 3, 4, 5], 10)
    const hist = classHistogram(probs, 100, 10)
    expect(hist).toEqual([0, 1, 1, 1, 1, 1, 0, 95, 0, 0])
    expect(classesCovered(hist)).toBe(1)
    expect(classesCovered(classHistogram(oneHot(Array.from({ length: 100 }, (_, i) => i % 10), 10), 100, 10))).toBe(10)
  })
})

describe('confident share and entropy of predicted classes (bench:quality)', () => {
  it('counts samples whose top class is above the threshold, strictly', () => {
    // rows: sure of class 2; exactly 0.9 (not above); spread over two classes
    const probs = Float32Array.from([0, 0, 0.95, 0.05, 0.9, 0.1, 0, 0, 0.5, 0.5, 0, 0])
    expect(confidentShare(probs, 3, 4, 0.9)).toBeCloseTo(1 / 3, 9)
    expect(confidentShare(probs, 3, 4, 0.4)).toBe(1)
    expect(confidentShare(new Float32Array(0), 0, 4)).toBe(0)
  })
  it('is log2(classes) for a uniform histogram, 0 for one class, 1 bit for two equal ones', () => {
    expect(histogramEntropyBits(new Array(10).fill(7))).toBeCloseTo(Math.log2(10), 9)
    expect(histogramEntropyBits([0, 0, 50, 0])).toBe(0)
    expect(histogramEntropyBits([30, 0, 30, 0])).toBeCloseTo(1, 9)
    expect(histogramEntropyBits([0, 0])).toBe(0)
  })
})

describe('precision, recall, density, coverage', () => {
  it('are about 1 for two samples of one distribution and fall for a collapsed one', () => {
    const dim = 8
    const real = gaussian(600 * dim, mulberry32(5))
    const fake = gaussian(600 * dim, mulberry32(6))
    const same = prdc(real, 600, fake, 600, dim)
    expect(same.precision).toBeGreaterThan(0.8)
    expect(same.recall).toBeGreaterThan(0.8)
    expect(same.coverage).toBeGreaterThan(0.8)
    expect(same.density).toBeGreaterThan(0.7)
    expect(same.density).toBeLessThan(1.3)
    // Every generated sample is (nearly) the same point: good precision at best, no coverage or recall.
    const collapsed = new Float32Array(600 * dim).map((_, i) => real[i % dim] + 1e-3 * ((i * 7919) % 13))
    const bad = prdc(real, 600, collapsed, 600, dim)
    expect(bad.coverage).toBeLessThan(0.05)
    expect(bad.recall).toBeLessThan(0.05)
    expect(meanPairwiseDistance(collapsed, 50, dim)).toBeLessThan(0.1 * meanPairwiseDistance(real, 50, dim))
  })
})

describe.skipIf(numpyMissing !== null)(`against numpy${numpyMissing ? ` (skipped: ${numpyMissing})` : ''}`, () => {
  it('FID, classifier score and PRDC match an independent numpy computation', () => {
    const dim = 16
    const real = gaussian(300 * dim, mulberry32(11))
    const rand = mulberry32(12)
    const fake = gaussian(250 * dim, rand).map((v, i) => v * (1 + (i % dim) / 10) + 0.3)
    const probsRaw = Float32Array.from({ length: 250 * 10 }, () => rand() ** 3)
    for (let r = 0; r < 250; r++) {
      let s = 0
      for (let c = 0; c < 10; c++) s += probsRaw[r * 10 + c]
      for (let c = 0; c < 10; c++) probsRaw[r * 10 + c] /= s
    }
    const ref = runNumpy<NumpyScores>(NUMPY_SCORES, {
      dim,
      real: Array.from(real),
      fake: Array.from(fake),
      probs: Array.from(probsRaw)
    })
    const ours = prdc(real, 300, fake, 250, dim)
    expect(frechetDistance(gaussianOf(real, 300, dim), gaussianOf(fake, 250, dim))).toBeCloseTo(ref.fid, 6)
    expect(ours.precision).toBeCloseTo(ref.precision, 10)
    expect(ours.recall).toBeCloseTo(ref.recall, 10)
    expect(ours.density).toBeCloseTo(ref.density, 10)
    expect(ours.coverage).toBeCloseTo(ref.coverage, 10)
    expect(classifierScore(probsRaw, 250, 10)).toBeCloseTo(ref.score, 5)
  })
})
