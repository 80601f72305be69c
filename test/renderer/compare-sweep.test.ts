// @vitest-environment jsdom
// A sweep's runs in the compare view: a chart per varied field of a final (or lowest/highest)
// epoch metric against the field's values; other comparisons have none.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Sweep } from '@shared/sweep'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { epochStat, sweepFieldCharts, sweepFieldValue, sweepOf, type SweepRunInput } from '@renderer/compare/sweep-metric'
import { FakeLabApi } from './helpers/fake-api'
import { stubCanvasContext } from './helpers/dom'
import { config, detail, epoch, series, summary } from './helpers/fixtures'

let pinia: Pinia
beforeEach(() => {
  localStorage.clear()
  stubCanvasContext(null)
  pinia = createPinia()
  setActivePinia(pinia)
  history.replaceState(null, '', '/')
})
afterEach(() => setLabApi(null))

const adam = (lr: number): ReturnType<typeof config>['optimizerD'] => ({ kind: 'adam', lr, beta1: 0.5, beta2: 0.999, momentum: 0.9 })
const sgd = (lr: number): ReturnType<typeof config>['optimizerD'] => ({ kind: 'sgd', lr, beta1: 0.5, beta2: 0.999, momentum: 0.9 })
const withLosses = (...gLosses: number[]): ReturnType<typeof epoch>[] =>
  gLosses.map((g, i) => epoch(i + 1, { means: { dLossReal: 0.6, dLossFake: 0.7, gLoss: g, dAccReal: 0.6, dAccFake: 0.55, wasserstein: null } }))

const sweep: Sweep = {
  id: 4,
  name: 'opt',
  axes: [
    { field: 'optimizer.kind', values: ['sgd', 'adam'] },
    { field: 'optimizer.lr', values: [0.0002, 0.02] },
    { field: 'latentDim', values: [64] }
  ],
  runIds: [1, 2, 3, 4],
  compareWhenDone: true,
  createdAt: 1
}
const inputs: SweepRunInput[] = [
  { id: 1, color: 'red', label: 'SGD 2e-4', config: config({ optimizerD: sgd(0.0002), optimizerG: sgd(0.0002) }), epochs: withLosses(3, 2.5) },
  { id: 2, color: 'blue', label: 'SGD 0.02', config: config({ optimizerD: sgd(0.02), optimizerG: sgd(0.02) }), epochs: withLosses(2, 1.5) },
  { id: 3, color: 'green', label: 'Adam 2e-4', config: config({ optimizerD: adam(0.0002), optimizerG: adam(0.0002) }), epochs: withLosses(1, 0.5, 0.8) },
  { id: 4, color: 'black', label: 'Adam 0.02', config: config({ optimizerD: adam(0.02), optimizerG: adam(0.02) }), epochs: [] }
]

describe('sweep metric charts', () => {
  it('finds the sweep holding every compared run, and none for runs of no one sweep', () => {
    expect(sweepOf([sweep], [3, 1])?.id).toBe(4)
    expect(sweepOf([sweep], [1, 9])).toBeNull()
    expect(sweepOf([sweep], [1])).toBeNull()
  })

  it('reads a swept field from the config, optimizer.* from D, and an epoch metric as last, lowest or highest', () => {
    expect(sweepFieldValue(inputs[2].config, 'optimizer.kind')).toBe('adam')
    expect(sweepFieldValue(inputs[1].config, 'optimizer.lr')).toBe(0.02)
    expect(sweepFieldValue(inputs[1].config, 'no.such')).toBeUndefined()
    expect(epochStat(inputs[2].epochs, 'gLoss', 'final')).toBe(0.8)
    expect(epochStat(inputs[2].epochs, 'gLoss', 'min')).toBe(0.5)
    expect(epochStat(inputs[2].epochs, 'gLoss', 'max')).toBe(1)
    expect(epochStat(inputs[2].epochs, 'wasserstein', 'final')).toBeNull()
    expect(epochStat([], 'gLoss', 'final')).toBeNull()
  })

  it('charts each field that varies: categories in the sweep’s order, a log axis over decades, the mean per value', () => {
    const charts = sweepFieldCharts(sweep, inputs, 'gLoss', 'final')
    // latentDim has one value; run 4 has no finished epoch and is left out.
    expect(charts.map((c) => c.field)).toEqual(['optimizer.kind', 'optimizer.lr'])
    const [kind, lr] = charts
    expect(kind.categories).toEqual(['sgd', 'adam'])
    expect(kind.points.map((p) => [p.runId, p.x, p.y])).toEqual([
      [1, 0, 2.5],
      [2, 0, 1.5],
      [3, 1, 0.8]
    ])
    expect(kind.means).toEqual([
      { x: 0, y: 2 },
      { x: 1, y: 0.8 }
    ])
    expect(kind.log).toBe(false)
    expect(lr.categories).toBeNull()
    expect(lr.log).toBe(true)
    expect(lr.means.map((m) => m.x)).toEqual([0.0002, 0.02])
    expect(lr.means[0].y).toBeCloseTo((2.5 + 0.8) / 2)
    expect(sweepFieldCharts(sweep, inputs, 'gLoss', 'min')[0].points.map((p) => p.y)).toEqual([2.5, 1.5, 0.5])
  })
})

describe('compare view of a sweep', () => {
  const runs = [1, 2, 3].map((id) => summary({ id, name: `opt · run ${id}`, status: 'completed', epochsDone: 2 }))
  function api(sweeps: Sweep[]): FakeLabApi {
    return new FakeLabApi({
      'runs:list': () => runs,
      'presets:list': () => [],
      'sweeps:list': () => sweeps,
      'runs:get': ({ id }) => {
        const input = inputs[id - 1]
        return detail(runs[id - 1], { config: { ...input.config, name: runs[id - 1].name }, epochs: [...input.epochs] })
      },
      'runs:metrics': () => series(1, 200),
      'runs:grid': ({ epoch: e }) => ({ epoch: e, pngBase64: btoa('grid'), rows: 10, cols: 10 }),
      'comparisons:list': () => []
    })
  }
  async function compareAll(fake: FakeLabApi): Promise<VueWrapper> {
    setLabApi(fake)
    const w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
    await flushPromises()
    for (const id of [1, 2, 3]) await w.get(`[data-testid="compare-pick-${id}"]`).setValue(true)
    await w.get('[data-testid="compare-picked"]').trigger('click')
    await flushPromises()
    return w
  }

  it('shows the final metric against each varied field, and follows the chosen metric and statistic', async () => {
    const w = await compareAll(api([{ ...sweep, runIds: [1, 2, 3] }]))
    expect(w.find('[data-testid="compare-sweep"]').exists()).toBe(true)
    const kind = (): ReturnType<VueWrapper['get']> => w.get('[data-testid="sweep-chart-optimizer.kind"]')
    expect(kind().attributes('data-scale')).toBe('category')
    expect(kind().attributes('data-points')).toBe('1:sgd=2.5,2:sgd=1.5,3:adam=0.8')
    expect(kind().attributes('data-means')).toBe('2,0.8')
    expect(w.get('[data-testid="sweep-chart-optimizer.lr"]').attributes('data-scale')).toBe('log')
    expect(w.find('[data-testid="sweep-chart-latentDim"]').exists()).toBe(false)
    expect(w.get('[data-testid="compare-sweep"]').text()).toContain('G loss (last epoch) vs optimizer.kind')

    await w.get('[data-testid="sweep-stat"]').setValue('min')
    expect(kind().attributes('data-points')).toBe('1:sgd=2.5,2:sgd=1.5,3:adam=0.5')
    await w.get('[data-testid="sweep-metric"]').setValue('dLossReal')
    expect(kind().attributes('data-points')).toBe('1:sgd=0.6,2:sgd=0.6,3:adam=0.6')
    w.unmount()
  })

  it('shows no sweep charts when the compared runs are not one sweep’s', async () => {
    const w = await compareAll(api([{ ...sweep, runIds: [1, 2] }]))
    expect(w.find('[data-testid="compare-view"]').exists()).toBe(true)
    expect(w.find('[data-testid="compare-sweep"]').exists()).toBe(false)
    w.unmount()
  })
})
