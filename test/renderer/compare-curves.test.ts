import { describe, expect, it } from 'vitest'
import { emptySeries, appendRows } from '@shared/metrics'
import { curve, decimate, gridEpochFor, smooth, xOf } from '@renderer/compare/curves'

function series(n: number, stepsPerEpoch = 10) {
  const s = emptySeries()
  appendRows(
    s,
    Array.from({ length: n }, (_, i) => ({
      step: i + 1,
      epoch: Math.floor(i / stepsPerEpoch) + 1,
      timeMs: (i + 1) * 6000,
      dLossReal: i % 2 === 0 ? 1 : 3,
      dLossFake: 0,
      gLoss: i,
      dAccReal: 0.5,
      dAccFake: 0.5,
      wasserstein: null
    }))
  )
  return s
}

describe('compare curves', () => {
  it('puts samples on the step, epoch or wall-time axis', () => {
    const s = series(30)
    expect(xOf(s, 14, 'step', 10)).toBe(15)
    expect(xOf(s, 14, 'epoch', 10)).toBe(1.5)
    expect(xOf(s, 9, 'time', 10)).toBe(1)
  })

  it('smooths with a debiased EMA: the first value is kept, an alternating series flattens to its mean', () => {
    const raw = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : 3))
    const s = smooth(raw, 0.9)
    expect(s[0]).toBeCloseTo(1)
    expect(Math.abs(s[199] - 2)).toBeLessThan(0.2)
    expect(smooth(raw, 0)).toEqual(raw)
    expect(smooth([1, NaN, 3], 0.5)[1]).toBeNaN()
  })

  it('thins 100,000 points to a few thousand and keeps every spike', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({ x: i, y: i === 54_321 ? 99 : Math.sin(i / 100) }))
    const thin = decimate(points, 1000)
    expect(thin.length).toBeLessThanOrEqual(4000)
    expect(thin.some((p) => p.y === 99)).toBe(true)
    expect(thin[0]).toEqual(points[0])
    expect(thin[thin.length - 1]).toEqual(points[points.length - 1])
    for (let i = 1; i < thin.length; i++) expect(thin[i].x).toBeGreaterThan(thin[i - 1].x)
  })

  it('builds a smoothed curve of one metric', () => {
    const c = curve(series(100), 'gLoss', { axis: 'epoch', smoothing: 0, stepsPerEpoch: 10 })
    expect(c).toHaveLength(100)
    expect(c[99]).toEqual({ x: 10, y: 99 })
  })

  it('shows a shorter run its last grid and says so', () => {
    expect(gridEpochFor([1, 2, 3], 2)).toEqual({ epoch: 2, note: null })
    expect(gridEpochFor([1, 2, 3], 7)).toEqual({ epoch: 3, note: 'ends at epoch 3; showing its last grid' })
    expect(gridEpochFor([], 1)).toEqual({ epoch: null, note: 'no sample grid yet' })
    expect(gridEpochFor([2, 4], 3)).toEqual({ epoch: 2, note: 'no grid for epoch 3; showing epoch 2' })
    expect(gridEpochFor([2, 4], 1)).toEqual({ epoch: 2, note: 'first grid is epoch 2' })
  })
})
