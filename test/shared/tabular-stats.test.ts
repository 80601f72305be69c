import { describe, expect, it } from 'vitest'
import { compareTables, correlationDifference, correlationMatrix, ksDistance, totalVariation } from '@shared/tabular-stats'
import { gaussian, mulberry32 } from '../../src/main/common/random'
import { numpyMissing, runNumpy } from '../helpers/numpy'

describe('Kolmogorov-Smirnov distance', () => {
  it('is 0 for equal samples, 1 for disjoint ones, and the known value in between', () => {
    expect(ksDistance([1, 2, 3], [3, 1, 2])).toBe(0)
    expect(ksDistance([1, 2, 3], [4, 5])).toBe(1)
    // F_a jumps to 1/2 at 1 and 1 at 3; F_b to 1/2 at 2 and 1 at 4: the largest gap is 1/2.
    expect(ksDistance([1, 3], [2, 4])).toBe(0.5)
    // Ties across samples are stepped over together.
    expect(ksDistance([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12)
    expect(() => ksDistance([NaN], [1])).toThrow(/no finite values/)
  })
})

describe('total variation', () => {
  it('compares category shares', () => {
    expect(totalVariation(['a', 'b'], ['b', 'a'])).toBe(0)
    expect(totalVariation(['a', 'a'], ['b'])).toBe(1)
    expect(totalVariation(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b'])).toBeCloseTo(0.25, 12)
  })
})

describe('correlation matrices', () => {
  it('knows perfect, inverse and constant columns', () => {
    const m = correlationMatrix([
      [1, 2, 3, 4],
      [2, 4, 6, 8],
      [4, 3, 2, 1],
      [5, 5, 5, 5]
    ])
    expect(m[0][1]).toBeCloseTo(1, 12)
    expect(m[0][2]).toBeCloseTo(-1, 12)
    expect(m[0][3]).toBe(0)
    expect(m[3][3]).toBe(1)
  })
  it('differences: zero for the same table, the gap for broken correlations', () => {
    const x = [1, 2, 3, 4, 5]
    expect(correlationDifference([x, x], [x, x]).maxAbs).toBeCloseTo(0, 12)
    const d = correlationDifference([x, x], [x, [2, 5, 1, 4, 3]])
    // Centred: x = (-2, -1, 0, 1, 2), y = (-1, 2, -2, 1, 0); x.y = 1, |x| |y| = 10: r = 0.1.
    expect(d.maxAbs).toBeCloseTo(0.9, 12)
    expect(d.rms).toBeCloseTo(0.9, 12)
  })
})

describe('compareTables', () => {
  it('uses KS for numeric and TV for categorical columns, and names a missing or mistyped column', () => {
    const real = [
      { name: 'age', kind: 'numeric' as const, values: [20, 30, 40, 50] },
      { name: 'job', kind: 'categorical' as const, values: ['a', 'b', 'a', 'b'] },
      { name: 'income', kind: 'numeric' as const, values: [1, 2, 3, 4] }
    ]
    const gen = [
      { name: 'job', kind: 'categorical' as const, values: ['a', 'a', 'a', 'a'] },
      { name: 'age', kind: 'numeric' as const, values: [20, 30, 40, 50] },
      { name: 'income', kind: 'numeric' as const, values: [4, 3, 2, 1] }
    ]
    const out = compareTables(real, gen)
    expect(out.columns).toEqual([
      { name: 'age', kind: 'numeric', statistic: 'ks', value: 0 },
      { name: 'job', kind: 'categorical', statistic: 'tv', value: 0.5 },
      { name: 'income', kind: 'numeric', statistic: 'ks', value: 0 }
    ])
    expect(out.correlation.maxAbs).toBeCloseTo(2, 12)
    expect(() => compareTables(real, gen.slice(1))).toThrow(/no column "job"/)
    expect(() => compareTables(real, [{ name: 'age', kind: 'categorical', values: ['20', '30'] }, gen[0], gen[2]])).toThrow(/"age" is numeric in the real table but categorical/)
  })
})

describe.skipIf(numpyMissing !== null)(`tabular statistics against numpy${numpyMissing ? ` (skipped: ${numpyMissing})` : ''}`, () => {
  it('KS distance and correlation matrices match numpy on random columns', () => {
    const rand = mulberry32(3)
    const a = Array.from(gaussian(300, rand))
    const b = Array.from(gaussian(250, rand)).map((v) => v * 1.3 + 0.2)
    const cols = [a.slice(0, 200), a.slice(100, 300).map((v, i) => v + a[i]), Array.from(gaussian(200, rand))]
    const ref = runNumpy<{ ks: number; corr: number[][] }>(
      `
import json, sys
import numpy as np
d = json.load(sys.stdin)
a, b = np.sort(d['a']), np.sort(d['b'])
grid = np.concatenate([a, b])
ks = np.max(np.abs(np.searchsorted(a, grid, side='right') / len(a) - np.searchsorted(b, grid, side='right') / len(b)))
print(json.dumps({'ks': float(ks), 'corr': np.corrcoef(np.array(d['cols'])).tolist()}))
`,
      { a, b, cols }
    )
    expect(ksDistance(a, b)).toBeCloseTo(ref.ks, 12)
    correlationMatrix(cols).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(ref.corr[i][j], 10)))
  })
})
