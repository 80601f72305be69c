// The fidelity report's parts: AUC, the detection classifier, the naive baseline's independent
// rows and the figures together.
import { describe, expect, it } from 'vitest'
import { auc, baselineFidelity, detectionScore, fidelityFigures, independentRows } from '@shared/tabular-fidelity'
import { gaussian, mulberry32 } from '../../src/main/common/random'

const columns = [
  { name: 'x', type: 'numeric' },
  { name: 'y', type: 'numeric' },
  { name: 'n', type: 'integer' },
  { name: 'c', type: 'categorical' }
]

/** Rows with y = x + noise (correlated), n a small count, c one of two labels. */
function rows(count: number, seed: number, shift = 0): (number | string)[][] {
  const rand = mulberry32(seed)
  const z = gaussian(count * 2, rand)
  return Array.from({ length: count }, (_, i) => [z[2 * i] + shift, z[2 * i] + 0.3 * z[2 * i + 1], Math.floor(rand() * 4), rand() < 0.3 ? 'p' : 'q'])
}

describe('auc', () => {
  it('is 1 for separated scores, 0.5 for equal ones and counts ties half', () => {
    expect(auc([3, 4], [1, 2])).toBe(1)
    expect(auc([1, 2], [3, 4])).toBe(0)
    expect(auc([1, 1], [1, 1])).toBe(0.5)
    expect(auc([2, 1], [1, 0])).toBeCloseTo(0.875, 10)
  })
})

describe('detectionScore', () => {
  it('is near 0.5 for two samples of one distribution and near 1 for a shifted one', () => {
    const real = rows(1000, 1)
    expect(detectionScore(columns, real, rows(1000, 2), mulberry32(3))).toBeLessThan(0.56)
    expect(detectionScore(columns, real, rows(1000, 4, 2), mulberry32(3))).toBeGreaterThan(0.85)
  })

  it('sees a difference in spread, which a shift-only model would miss', () => {
    const real = rows(1000, 1)
    const wide = rows(1000, 2).map((r) => [Number(r[0]) * 2, Number(r[1]) * 2, r[2], r[3]])
    expect(detectionScore(columns, real, wide, mulberry32(3))).toBeGreaterThan(0.7)
  })

  it('refuses too few rows, naming the counts', () => {
    expect(() => detectionScore(columns, rows(3, 1), rows(10, 2), mulberry32(1))).toThrow('needs at least 4 real and 4 generated rows (3 and 10)')
  })
})

describe('the naive baseline', () => {
  it('matches each column alone but loses the correlation', () => {
    const real = rows(2000, 1)
    const naive = independentRows(columns, real, 2000, mulberry32(5))
    expect(naive.every((r) => Number.isInteger(r[2]) && (r[3] === 'p' || r[3] === 'q'))).toBe(true)
    const f = fidelityFigures(columns, real, naive, mulberry32(6))
    expect(f.meanKs!).toBeLessThan(0.06)
    expect(f.meanTv!).toBeLessThan(0.05)
    // corr(x, y) is ~0.96 in the real rows and ~0 in independent ones: 2 of the 6 off-diagonal entries, RMS ~0.55.
    expect(f.correlationRms).toBeGreaterThan(0.3)
    expect(baselineFidelity(columns, real, 2000, mulberry32(5)).correlationRms).toBeCloseTo(f.correlationRms, 1)
  })

  it('scores a second real sample close to perfect', () => {
    const f = fidelityFigures(columns, rows(2000, 1), rows(2000, 2), mulberry32(6))
    expect(f.maxKs!).toBeLessThan(0.06)
    expect(f.correlationRms).toBeLessThan(0.03)
    expect(f.detection).toBeLessThan(0.55)
    expect(f.columns.map((c) => `${c.name}:${c.statistic}`)).toEqual(['x:ks', 'y:ks', 'n:ks', 'c:tv'])
  })
})
