// The rows a tabular run with a target column holds out: a seeded 20%, disjoint from the rows it
// trains on, together the whole table, the same rows every time; a table too small is refused.
import { describe, expect, it } from 'vitest'
import { holdOut } from '../../src/main/trainer/data/holdout'
import { vectorData, type TrainingData } from '../../src/main/trainer/data/source'

/** `count` one-feature rows whose value is their index. */
const indexed = (count: number): TrainingData => vectorData(Float32Array.from({ length: count }, (_, i) => i), 1)

function values(data: TrainingData): number[] {
  const out = new Float32Array(data.count)
  for (let i = 0; i < data.count; i++) data.fill(i, out, i)
  return [...out]
}

describe('holdOut', () => {
  it('holds out a seeded 20% of the rows, disjoint from the training rows, which are the rest', () => {
    const { train, heldOut } = holdOut(indexed(506), 1)
    expect([train.count, heldOut.count]).toEqual([405, 101])
    const t = values(train)
    const h = values(heldOut)
    expect(t.filter((v) => h.includes(v))).toEqual([])
    expect([...t, ...h].sort((a, b) => a - b)).toEqual(Array.from({ length: 506 }, (_, i) => i))
    // Not simply the last rows: spread over the table, in table order.
    expect(h).toEqual([...h].sort((a, b) => a - b))
    expect(h[0]).toBeLessThan(100)
    expect(h[h.length - 1]).toBeGreaterThan(406)
    expect(train.shape).toEqual([1])
  })

  it('holds out the same rows of a table every time (every run compares on them), others for another seed', () => {
    expect(values(holdOut(indexed(300)).heldOut)).toEqual(values(holdOut(indexed(300)).heldOut))
    expect(values(holdOut(indexed(300), 8).heldOut)).not.toEqual(values(holdOut(indexed(300)).heldOut))
  })

  it('refuses a table under 100 rows, saying why', () => {
    expect(() => holdOut(indexed(99), 1)).toThrow('a target column holds out 20% of the rows to test on, which needs at least 100 rows (20 held out); this table has 99')
    expect(holdOut(indexed(100), 1).heldOut.count).toBe(20)
  })
})
