// The utility scores of a tabular run with a target column: the models (softmax and ridge
// regression), their scores, and TSTR/TRTR/baseline on tables whose answer is known.
import { describe, expect, it } from 'vitest'
import { classificationScores, fitRidge, heldOutCount, holdOutProblem, rSquared, utilityModel, utilityScorer } from '@shared/tabular-utility'
import { independentRows } from '@shared/tabular-fidelity'
import { gaussian, mulberry32 } from '../../src/main/common/random'

const columns = [
  { name: 'x', type: 'numeric' },
  { name: 'y', type: 'numeric' },
  { name: 'n', type: 'integer' },
  { name: 'c', type: 'categorical' }
]

/** y = 2x + 0.1 noise, n an independent count, c 'p' when x + n/2 > 1 else 'q' (a separable rule). */
function rows(count: number, seed: number): (number | string)[][] {
  const rand = mulberry32(seed)
  const z = gaussian(count * 2, rand)
  return Array.from({ length: count }, (_, i) => {
    const x = z[2 * i]
    const n = Math.floor(rand() * 4)
    return [x, 2 * x + 0.1 * z[2 * i + 1], n, x + n / 2 > 1 ? 'p' : 'q']
  })
}

describe('the scores', () => {
  it('R² is 1 for exact predictions, 0 for the mean, below 0 for worse', () => {
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1)
    expect(rSquared([1, 2, 3], [2, 2, 2])).toBe(0)
    expect(rSquared([1, 2, 3], [3, 2, 1])).toBe(-3)
  })

  it('accuracy and macro F1 over the classes seen or predicted', () => {
    // Class 0: tp 2, fn 1 -> F1 0.8; class 1: tp 1, fp 1 -> 2/3.
    const s = classificationScores([0, 0, 0, 1], [0, 0, 1, 1])
    expect(s.accuracy).toBe(0.75)
    expect(s.macroF1).toBeCloseTo((0.8 + 2 / 3) / 2, 12)
  })
})

describe('fitRidge', () => {
  it('recovers a linear rule, collinear inputs included', () => {
    const x = Array.from({ length: 200 }, (_, i) => Float64Array.from([Math.sin(i), Math.cos(i * 0.7), 1]))
    const y = x.map((v) => 3 * v[0] - 2 * v[1] + 5)
    const { w, bias } = fitRidge(x, y)
    expect(w[0]).toBeCloseTo(3, 1)
    expect(w[1]).toBeCloseTo(-2, 1)
    expect(bias + w[2]).toBeCloseTo(5, 1)
  })
})

describe('utilityModel', () => {
  const train = rows(800, 1)
  const test = rows(200, 2)

  it('regression: R² near 1 for a linear target, near 0 for an independent one', () => {
    const linear = utilityModel(columns, 'y', train, test)
    expect(linear.task).toBe('regression')
    expect(linear.score(train).score).toBeGreaterThan(0.98)
    expect(Math.abs(linear.constant)).toBeLessThan(0.05)
    // n is independent of x and y (c depends on it, so c is left out).
    const drop = (rs: (number | string)[][]): (number | string)[][] => rs.map((r) => r.slice(0, 3))
    const independent = utilityModel(columns.slice(0, 3), 'n', drop(train), drop(test))
    const r2 = independent.score(train).score
    expect(r2).toBeLessThan(0.05)
    expect(r2).toBeGreaterThan(-0.1)
  })

  it('classification: recovers a separable rule, where always the majority class scores its share', () => {
    const model = utilityModel(columns, 'c', train, test)
    expect(model.task).toBe('classification')
    const s = model.score(train)
    expect(s.score).toBeGreaterThan(0.95)
    expect(s.macroF1).toBeGreaterThan(0.9)
    const qShare = test.filter((r) => r[3] === 'q').length / test.length
    expect(model.constant).toBeCloseTo(qShare, 12)
    // Labels shuffled against the inputs: no better than the majority class.
    const rand = mulberry32(5)
    const shuffled = train.map((r) => [r[0], r[1], r[2], train[Math.floor(rand() * train.length)][3]])
    expect(model.score(shuffled).score).toBeLessThan(qShare + 0.03)
  })

  it('refuses a column that is not there, or a table with nothing else to predict from', () => {
    expect(() => utilityModel(columns, 'z', train, test)).toThrow('no column "z" among x, y, n, c')
    expect(() => utilityModel([columns[0]], 'x', train, test)).toThrow('"x" is the only column')
  })
})

describe('utilityScorer', () => {
  it('scores generated rows against TRTR (once) and the independent baseline, which loses the relation', () => {
    const train = rows(800, 1)
    const heldOut = rows(200, 2)
    const base = independentRows(columns, train, 800, mulberry32(3))
    const score = utilityScorer(columns, 'y', train, heldOut, base)
    // Rows of the same distribution as the real ones: TSTR close to TRTR.
    const good = score(rows(800, 7))
    expect(good).toMatchObject({ target: 'y', task: 'regression', metric: 'r2', trainRows: 800, heldOutRows: 200 })
    expect(good.trtr).toBeGreaterThan(0.98)
    expect(good.tstr).toBeGreaterThan(good.trtr - 0.02)
    expect(good.baseline).toBeLessThan(0.05)
    expect(good.macroF1).toBeUndefined()
    // Rows whose y forgot x score like the baseline; TRTR and the baseline do not move.
    const poor = score(rows(800, 8).map((r, i) => [r[0], train[i][1], r[2], r[3]]))
    expect(poor.tstr).toBeLessThan(0.05)
    expect([poor.trtr, poor.baseline]).toEqual([good.trtr, good.baseline])

    const cls = utilityScorer(columns, 'c', train, heldOut, base)(rows(800, 7))
    expect(cls).toMatchObject({ task: 'classification', metric: 'accuracy' })
    expect(cls.tstr).toBeGreaterThan(0.95)
    expect(cls.macroF1!.tstr).toBeGreaterThan(0.9)
    expect(cls.baseline).toBeLessThan(cls.trtr - 0.1)
  })
})

describe('the holdout size', () => {
  it('holds out 20% and refuses a table under 100 rows, saying why', () => {
    expect(heldOutCount(506)).toBe(101)
    expect(heldOutCount(100)).toBe(20)
    expect(holdOutProblem(100)).toBeNull()
    expect(holdOutProblem(99)).toBe('a target column holds out 20% of the rows to test on, which needs at least 100 rows (20 held out); this table has 99')
  })
})
