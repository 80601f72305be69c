import { describe, expect, it } from 'vitest'
import { emptySeries, appendRows } from '@shared/metrics'
import { chartedMetrics, curve, gridEpochFor, metricLabel, smooth, thin, xOf, type CurveSeries } from '@renderer/compare/curves'

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
      dAccFake: 0.5
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
    expect([...smooth(raw, 0)]).toEqual(raw)
    expect(smooth([1, NaN, 3], 0.5)[1]).toBeNaN()
    // A missing value (a WGAN's accuracy) is skipped: the EMA goes on from the last real one.
    const gap = smooth([1, null, 3], 0.5)
    expect(gap[1]).toBeNaN()
    expect(gap[2]).toBeCloseTo((0.25 * 1 + 0.5 * 3) / 0.75)
  })

  it('thins 100,000 points to a few thousand in order and keeps every spike, the first and the last', () => {
    const ys = Float64Array.from({ length: 100_000 }, (_, i) => (i === 54_321 ? 99 : i === 7_777 ? -99 : Math.sin(i / 100)))
    const kept = thin(ys, 1000)
    expect(kept.length).toBeLessThanOrEqual(4000)
    expect(kept.length).toBeGreaterThan(1000)
    expect(kept).toContain(54_321)
    expect(kept).toContain(7_777)
    expect(kept[0]).toBe(0)
    expect(kept[kept.length - 1]).toBe(99_999)
    for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1])
  })

  it('thins around missing values and keeps short series whole', () => {
    expect(thin(Float64Array.from([1, NaN, 2]), 1000)).toEqual([0, 2])
    const holes = Float64Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? NaN : i))
    const kept = thin(holes, 100)
    expect(kept.every((i) => i % 2 === 1)).toBe(true)
    expect(kept[kept.length - 1]).toBe(9_999)
  })

  it('builds a smoothed curve of one metric', () => {
    const c = curve(series(100), 'gLoss', { axis: 'epoch', smoothing: 0, stepsPerEpoch: 10 })
    expect(c).toHaveLength(100)
    expect(c[99]).toEqual({ x: 10, y: 99 })
  })

  it('charts the five metrics, then extra ones a loss adds, and leaves out metrics no run has a value for', () => {
    const plain = series(10)
    const wgan: CurveSeries = {
      step: [1, 2],
      timeMs: [10, 20],
      values: { dLossReal: [0.1, 0.2], dLossFake: [0.1, 0.2], gLoss: [1, 2], dAccReal: [null, null], dAccFake: [null, null], wasserstein: [0.5, 0.4] }
    }
    expect(chartedMetrics([plain, wgan])).toEqual(['dLossReal', 'dLossFake', 'gLoss', 'dAccReal', 'dAccFake', 'wasserstein'])
    expect(chartedMetrics([wgan])).toEqual(['dLossReal', 'dLossFake', 'gLoss', 'wasserstein'])
    expect(chartedMetrics([series(0), series(0)])).toEqual(['dLossReal', 'dLossFake', 'gLoss', 'dAccReal', 'dAccFake'])
    expect(curve(wgan, 'wasserstein', { axis: 'step', smoothing: 0, stepsPerEpoch: 1 })).toEqual([
      { x: 1, y: 0.5 },
      { x: 2, y: 0.4 }
    ])
    expect(curve(plain, 'wasserstein', { axis: 'step', smoothing: 0, stepsPerEpoch: 1 })).toEqual([])
    expect(metricLabel('gLoss')).toBe('G loss')
    expect(metricLabel('wasserstein')).toBe('wasserstein')
  })

  it('shows a shorter run its last grid and says so', () => {
    expect(gridEpochFor([1, 2, 3], 2)).toEqual({ epoch: 2, note: null })
    expect(gridEpochFor([1, 2, 3], 7)).toEqual({ epoch: 3, note: 'ends at epoch 3; showing its last grid' })
    expect(gridEpochFor([], 1)).toEqual({ epoch: null, note: 'no sample grid yet' })
    expect(gridEpochFor([2, 4], 3)).toEqual({ epoch: 2, note: 'no grid for epoch 3; showing epoch 2' })
    expect(gridEpochFor([2, 4], 1)).toEqual({ epoch: 2, note: 'first grid is epoch 2' })
  })
})
