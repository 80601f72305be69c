// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, mount, type VueWrapper } from '@vue/test-utils'
import { markRaw, nextTick } from 'vue'
import { appendRows, emptySeries } from '@shared/metrics'
import AccuracyChart from '@renderer/components/AccuracyChart.vue'
import LossChart from '@renderer/components/LossChart.vue'
import WassersteinChart from '@renderer/components/WassersteinChart.vue'
import { stubCanvasContext } from './helpers/dom'
import { FakeChart, resetFakeCharts } from './helpers/fake-chart'
import { rows, series } from './helpers/fixtures'

vi.mock('chart.js', () => import('./helpers/fake-chart'))

beforeEach(() => {
  vi.useFakeTimers()
  resetFakeCharts()
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

enableAutoUnmount(afterEach)

function points(w: VueWrapper): string | undefined {
  return w.get('[data-testid="loss-chart"]').attributes('data-points')
}

describe('LossChart', () => {
  it('creates one decimated chart and feeds it incrementally, at most ~4 redraws a second', async () => {
    stubCanvasContext({})
    const s = markRaw(series(1, 10))
    const w = mount(LossChart, { props: { series: s, version: 1 } })
    await vi.advanceTimersByTimeAsync(20)
    expect(FakeChart.instances).toHaveLength(1)
    const chart = FakeChart.instances[0]
    expect(chart.options).toMatchObject({ parsing: false, animation: false, plugins: { decimation: { enabled: true } } })
    expect(chart.data.datasets.map((d) => d.label)).toEqual(['D loss (real)', 'D loss (fake)', 'G loss'])
    expect(chart.data.datasets[2].data[9]).toEqual({ x: 10, y: 1.01 })
    expect(points(w)).toBe('10')
    expect(chart.updates).toEqual(['none'])

    // Three batches within one throttle window: drawn once, after the window.
    for (let v = 2; v <= 4; v++) {
      appendRows(s, rows(10 * (v - 1) + 1, 10 * v))
      await w.setProps({ version: v })
    }
    await vi.advanceTimersByTimeAsync(100)
    expect(chart.updates).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(chart.updates).toEqual(['none', 'none'])
    expect(chart.data.datasets[0].data).toHaveLength(40)
    expect(chart.data.datasets[0].data.map((p) => p.x)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(points(w)).toBe('40')
    expect(FakeChart.instances).toHaveLength(1)

    w.unmount()
    expect(chart.destroyed).toBe(true)
  })

  it('starts over when given another series', async () => {
    stubCanvasContext({})
    const w = mount(LossChart, { props: { series: markRaw(series(1, 30)), version: 1 } })
    await vi.advanceTimersByTimeAsync(20)
    await w.setProps({ series: markRaw(series(1, 5)), version: 1 })
    await vi.advanceTimersByTimeAsync(300)
    expect(FakeChart.instances[0].data.datasets[1].data).toHaveLength(5)
    expect(points(w)).toBe('5')
  })

  it('keeps counting points without a canvas context', async () => {
    stubCanvasContext(null)
    const s = markRaw(emptySeries())
    const w = mount(LossChart, { props: { series: s, version: 0 } })
    await vi.advanceTimersByTimeAsync(20)
    expect(points(w)).toBe('0')
    appendRows(s, rows(1, 3))
    await w.setProps({ version: 1 })
    await vi.advanceTimersByTimeAsync(300)
    await nextTick()
    expect(points(w)).toBe('3')
    expect(FakeChart.instances).toHaveLength(0)
  })
})

describe('WassersteinChart', () => {
  it("plots a critic's estimate, and a chart of a metric the run does not define gets no points", async () => {
    stubCanvasContext({})
    const s = emptySeries()
    appendRows(s, rows(1, 5).map((r) => ({ ...r, dAccReal: null, dAccFake: null, wasserstein: r.step / 10 })))
    mount(WassersteinChart, { props: { series: markRaw(s), version: 1 } })
    mount(AccuracyChart, { props: { series: markRaw(s), version: 1 } })
    await vi.advanceTimersByTimeAsync(20)
    const [w, acc] = FakeChart.instances
    expect(w.data.datasets.map((d) => d.label)).toEqual(['Wasserstein estimate'])
    expect(w.data.datasets[0].data).toEqual([1, 2, 3, 4, 5].map((x) => ({ x, y: x / 10 })))
    expect(acc.data.datasets.map((d) => d.data)).toEqual([[], []])
  })
})
