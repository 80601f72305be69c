// CTGAN's mode-specific normalisation: the mixture EM, exact repeated values as modes of their
// own, and rows that come back through encode and decode.
import { describe, expect, it } from 'vitest'
import type { ColumnSpec } from '@shared/datasets'
import { decodeModesRow, decodeWith, encodeModesRow, fitMixture, fitModes, modesWidth, outputHeads, transformProblem } from '@shared/tabular-transform'
import { gaussian, mulberry32 } from '../../src/main/common/random'

const columns: ColumnSpec[] = [
  { name: 'rate', type: 'numeric', min: 0, max: 60 },
  { name: 'code', type: 'integer', min: 1, max: 24 },
  { name: 'skip', type: 'ignore' },
  { name: 'kind', type: 'categorical', categories: ['a', 'b', 'c'] }
]

/** 1000 rows: rate 0 in 70% of rows, else from N(10, 1) or N(40, 3); code one of 1, 2, 24; kind mostly 'a'. */
function table(): (number | string)[][] {
  const rand = mulberry32(5)
  const z = gaussian(1000, rand)
  return Array.from({ length: 1000 }, (_, i) => {
    const u = rand()
    const rate = u < 0.7 ? 0 : u < 0.85 ? 10 + z[i] : 40 + 3 * z[i]
    const code = [1, 2, 24][i % 3]
    return [Math.max(0, Math.min(60, rate)), code, rand() < 0.9 ? 'a' : rand() < 0.5 ? 'b' : 'c']
  })
}

describe('fitMixture', () => {
  it('finds the two components of a two-Gaussian sample', () => {
    const rand = mulberry32(3)
    const z = gaussian(2000, rand)
    const xs = Array.from(z, (v, i) => (i % 4 === 0 ? 10 + v : 40 + 3 * v))
    const comps = fitMixture(xs, 10, 100, 0.005)
    const heavy = comps.filter((c) => c.weight > 0.1)
    // The 25% component near 10 and the 75% one near 40 (EM may split the wide one in two).
    expect(heavy.some((c) => Math.abs(c.mean - 10) < 1)).toBe(true)
    const near40 = comps.filter((c) => Math.abs(c.mean - 40) < 6).reduce((s, c) => s + c.weight, 0)
    expect(near40).toBeGreaterThan(0.7)
    expect(comps.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(1, 6)
  })
})

describe('fitModes: the cap on exact modes', () => {
  // 600 rows over 20 levels: level k (0..19) repeats 40 - k rows, except level 19 which is
  // given 5 more; every level is over 1% of the rows, so without a cap all 20 are exact modes.
  const levels = Array.from({ length: 20 }, (_, k) => ({ value: 0.3 + k * 0.01, count: k === 19 ? 26 : 40 - k }))
  const raw = levels.flatMap((l) => Array.from({ length: l.count }, () => [Number(l.value.toFixed(2))]))
  const spec: ColumnSpec[] = [{ name: 'nox', type: 'numeric', min: 0.3, max: 0.49 }]
  const exactValues = (maxExact: number): number[] => {
    const [c] = fitModes(spec, raw, { maxComponents: 10, exactShare: 0.01, maxExact, minWeight: 0.005, emIterations: 50 })
    if (c.type === 'categorical') throw new Error('nox should be numeric')
    return c.modes.flatMap((m) => (m.kind === 'value' ? [m.value] : []))
  }

  it('keeps only the most frequent repeated values, in ascending order, and fits the others with the mixture', () => {
    // The 10 most frequent: levels 0..9 (40..31 rows); level 19 (26 rows) is not among them.
    expect(exactValues(10)).toEqual(levels.slice(0, 10).map((l) => Number(l.value.toFixed(2))))
    expect(exactValues(3)).toEqual([0.3, 0.31, 0.32])
    expect(exactValues(100)).toHaveLength(20)
    const [c] = fitModes(spec, raw)
    if (c.type === 'categorical') throw new Error('nox should be numeric')
    expect(c.modes.filter((m) => m.kind === 'value')).toHaveLength(10)
    expect(c.modes.filter((m) => m.kind === 'gauss').length).toBeGreaterThanOrEqual(1)
    // A value beyond the cap is encoded by a gaussian mode and still decodes near itself.
    const out = new Float32Array(modesWidth([c]))
    encodeModesRow([c], [0.45], out, 0, mulberry32(1))
    expect(Math.abs(Number(decodeModesRow([c], out)[0]) - 0.45)).toBeLessThan(1e-3)
  })
})

describe('fitModes, encode and decode', () => {
  const rows = table()
  const kept = rows
  const t = fitModes(columns, kept)

  it('keeps repeated values as modes of their own and fits the rest with Gaussian components', () => {
    expect(t.map((c) => c.name)).toEqual(['rate', 'code', 'kind'])
    const rate = t[0]
    if (rate.type === 'categorical') throw new Error('rate should be numeric')
    expect(rate.modes[0]).toEqual({ kind: 'value', value: 0 })
    expect(rate.modes.filter((m) => m.kind === 'gauss').length).toBeGreaterThanOrEqual(2)
    const code = t[1]
    if (code.type === 'categorical') throw new Error('code should be numeric')
    expect(code.modes).toEqual([
      { kind: 'value', value: 1 },
      { kind: 'value', value: 2 },
      { kind: 'value', value: 24 }
    ])
    expect(outputHeads(t).map((h) => `${h.activation}:${h.width}`)).toEqual([`tanh:1`, `softmax:${rate.modes.length}`, 'tanh:1', 'softmax:3', 'softmax:3'])
  })

  it('brings every row back: exact values exactly, others within float precision, integers as integers, categories as labels', () => {
    const width = modesWidth(t)
    const out = new Float32Array(width)
    const rand = mulberry32(9)
    for (const row of rows.slice(0, 300)) {
      encodeModesRow(t, row, out, 0, rand)
      // One-hots in {0, 1} with exactly one 1 per block; offsets within (-1, 1).
      const back = decodeModesRow(t, out)
      expect(back[1]).toBe(row[1])
      expect(back[2]).toBe(row[2])
      if (row[0] === 0) expect(back[0]).toBe(0)
      else expect(Math.abs(Number(back[0]) - Number(row[0]))).toBeLessThan(1e-3)
    }
  })

  it('decodes a generated vector to the most likely mode, clamped to the seen range', () => {
    const width = modesWidth(t)
    const v = new Float32Array(width)
    const rate = t[0]
    if (rate.type === 'categorical') throw new Error('rate should be numeric')
    // The last gaussian mode with the largest offset: the mean + 4 sd, but no more than the max.
    v[0] = 1
    v[1 + rate.modes.length - 1] = 0.9
    const row = decodeWith({ kind: 'modes', columns: t }, columns, v)
    const last = rate.modes[rate.modes.length - 1]
    if (last.kind !== 'gauss') throw new Error('the last mode should be a Gaussian one')
    expect(row[0]).toBeCloseTo(Math.min(60, last.mean + 4 * last.std), 3)
    expect(Number.isInteger(row[1])).toBe(true)
  })

  it('names what is wrong with a stored transform that does not fit the data set', () => {
    expect(transformProblem({ kind: 'minmax' }, columns)).toBeNull()
    expect(transformProblem({ kind: 'modes', columns: t }, columns)).toBeNull()
    expect(transformProblem({ kind: 'other' }, columns)).toBe('its kind is "other", not "modes" or "minmax"')
    expect(transformProblem({ kind: 'modes', columns: t.slice(1) }, columns)).toBe('it has 2 columns; the data set has 3')
    expect(transformProblem({ kind: 'modes', columns: [{ ...t[0], name: 'x' }, t[1], t[2]] }, columns)).toBe('its column 1 is "x", the data set\'s is "rate"')
    expect(transformProblem(null, columns)).toBe('it is not an object')
  })
})
