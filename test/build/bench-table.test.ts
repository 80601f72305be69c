// The synthetic table `npm run bench` trains tabular-mlp on (scripts/bench/synthetic-table.ts):
// the housing table's shape and column kinds, as the lab's CSV import reads them.
import { describe, expect, it } from 'vitest'
import { prepareCsvText } from '../../src/main/services/dataset-import'
import { SYNTHETIC_TABLE_COLUMNS, syntheticTableCsv, syntheticTableRows } from '../../scripts/bench/synthetic-table'

describe('the bench synthetic table', () => {
  const rows = syntheticTableRows(1234)
  const column = (name: string): number[] => {
    const j = SYNTHETIC_TABLE_COLUMNS.findIndex((c) => c.name === name)
    return rows.map((r) => r[j])
  }

  it('has 506 rows of 14 columns, the same for the same seed and others for another', () => {
    expect(rows).toHaveLength(506)
    expect(rows.every((r) => r.length === 14 && r.every(Number.isFinite))).toBe(true)
    expect(syntheticTableCsv(1234)).toBe(syntheticTableCsv(1234))
    expect(syntheticTableCsv(1235)).not.toBe(syntheticTableCsv(1234))
  })

  it('has skewed positive columns, a mostly-zero column, a 0/1 flag and an integer code', () => {
    const crim = column('CRIM')
    const sorted = [...crim].sort((a, b) => a - b)
    const mean = crim.reduce((s, v) => s + v, 0) / crim.length
    expect(sorted[0]).toBeGreaterThan(0)
    expect(mean).toBeGreaterThan(1.5 * sorted[crim.length >> 1])
    const zeroShare = column('ZN').filter((v) => v === 0).length / rows.length
    expect(zeroShare).toBeGreaterThan(0.6)
    expect(zeroShare).toBeLessThan(0.8)
    expect(new Set(column('CHAS'))).toEqual(new Set([0, 1]))
    expect([...new Set(column('RAD'))].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 24])
  })

  it('imports as 11 numeric columns, 2 integer ones and one category, like the real table', () => {
    const prepared = prepareCsvText(syntheticTableCsv(1234), 'housing-synthetic.csv')
    expect(prepared.summary.count).toBe(506)
    const types = Object.fromEntries((prepared.summary.columns ?? []).map((c) => [c.name, c.type]))
    expect(types).toMatchObject({ CHAS: 'categorical', RAD: 'integer', TAX: 'integer', ZN: 'numeric', CRIM: 'numeric', MEDV: 'numeric' })
    expect(Object.values(types).filter((t) => t === 'numeric')).toHaveLength(11)
  })
})
