// CTGAN's conditional vector: counts per category, draws by log-frequency (training) and by
// frequency (drawing rows), where each slot sits in an encoded row, and stored conditions checked.
import { describe, expect, it } from 'vitest'
import { conditionOf, conditionPositions, conditionProblem, conditionSlotNames, conditionWidth, drawCondition } from '@shared/table-condition'
import { transformProblem, type ModeColumn } from '@shared/tabular-transform'
import type { ColumnSpec } from '@shared/datasets'
import { mulberry32 } from '../../src/main/common/random'

const t: ModeColumn[] = [
  { name: 'kind', type: 'categorical', categories: ['a', 'b', 'c'] },
  { name: 'x', type: 'numeric', min: 0, max: 1, modes: [{ kind: 'value', value: 0 }, { kind: 'gauss', mean: 0.5, std: 0.1 }] },
  { name: 'flag', type: 'categorical', categories: ['no', 'yes'] }
]
// kind: a 900, b 100, c 0; flag: no 990, yes 10.
const raw = Array.from({ length: 1000 }, (_, i) => [i < 900 ? 'a' : 'b', 0.5, i % 100 === 0 ? 'yes' : 'no'])

const shares = (slots: Int32Array, width: number): number[] => {
  const n = new Array<number>(width).fill(0)
  for (const s of slots) n[s]++
  return n.map((v) => v / slots.length)
}

describe('the conditional vector', () => {
  it("counts each categorical column's categories and places its slots in the encoded row", () => {
    const c = conditionOf(t, raw)!
    expect(c.columns).toEqual([
      { name: 'kind', counts: [900, 100, 0] },
      { name: 'flag', counts: [990, 10] }
    ])
    expect(conditionWidth(c)).toBe(5)
    // kind at 0-2, x's offset and 2 modes at 3-5, flag at 6-7.
    expect(Array.from(conditionPositions(t))).toEqual([0, 1, 2, 6, 7])
    expect(conditionSlotNames(c, (name) => (name === 'kind' ? ['a', 'b', 'c'] : ['no', 'yes']))).toEqual(['kind = a', 'kind = b', 'kind = c', 'flag = no', 'flag = yes'])
    expect(conditionOf([t[1]], raw.map((r) => [r[1]]))).toBeNull()
  })

  it('draws a column uniformly and its category by log-frequency in training, by frequency for rows; never a category without rows', () => {
    const c = conditionOf(t, raw)!
    const byLog = shares(drawCondition(c, 40_000, mulberry32(1), 'log-frequency'), 5)
    const byFreq = shares(drawCondition(c, 40_000, mulberry32(2), 'frequency'), 5)
    // Each column half the time; within kind log(901) : log(101) = 0.596 : 0.404, within flag log(991) : log(11) = 0.742 : 0.258.
    expect(byLog[0]).toBeCloseTo(0.5 * 0.596, 1)
    expect(byLog[1]).toBeCloseTo(0.5 * 0.404, 1)
    expect(byLog[4]).toBeCloseTo(0.5 * 0.258, 1)
    expect(byFreq[1]).toBeCloseTo(0.5 * 0.1, 2)
    expect(byFreq[4]).toBeCloseTo(0.5 * 0.01, 2)
    // The rare flag is drawn 25x more often in training than by its share: what makes it learnt.
    expect(byLog[4] / byFreq[4]).toBeGreaterThan(15)
    expect(byLog[2]).toBe(0)
    expect(byFreq[2]).toBe(0)
  })

  it('refuses a stored condition that does not fit the transform, naming the problem', () => {
    const columns: ColumnSpec[] = [
      { name: 'kind', type: 'categorical', categories: ['a', 'b', 'c'] },
      { name: 'x', type: 'numeric', min: 0, max: 1 },
      { name: 'flag', type: 'categorical', categories: ['no', 'yes'] }
    ]
    const condition = conditionOf(t, raw)!
    expect(transformProblem({ kind: 'modes', columns: t, condition }, columns)).toBeNull()
    expect(conditionProblem({ columns: [condition.columns[0]] }, t)).toBe('its condition has 1 columns; the table has 2 categorical ones')
    expect(transformProblem({ kind: 'modes', columns: t, condition: { columns: [condition.columns[1], condition.columns[0]] } }, columns)).toBe(
      `its condition's column 1 is "flag", not "kind"`
    )
    expect(transformProblem({ kind: 'modes', columns: t, condition: { columns: [{ name: 'kind', counts: [1, 2] }, condition.columns[1]] } }, columns)).toBe(
      `its condition's column "kind" needs 3 row counts`
    )
    expect(transformProblem({ kind: 'modes', columns: t, condition: 'all' }, columns)).toBe('its condition has no columns')
  })
})
