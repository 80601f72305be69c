// @vitest-environment jsdom
// A sweep's runs in the compare view: a chart per varied field of a final (or lowest/highest)
// epoch metric against the field's values; other comparisons have none.
import { describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Sweep } from '@shared/sweep'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { epochStat, sweepFieldCharts, sweepFieldValue, sweepOf, type SweepRunInput } from '@renderer/compare/sweep-metric'
import { inBrushes, logTickLabelled, metricColors, scaleColor, sweepParallel } from '@renderer/compare/sweep-parallel'
import { RUN_COLORS } from '@shared/compare'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { config, detail, epoch, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

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

describe('parallel coordinates of a sweep', () => {
  it('has an axis per varied field (categories in the sweep’s order, log over decades) and the metric last, a line per run with the metric', () => {
    const p = sweepParallel(sweep, inputs, 'gLoss', 'final')
    expect(p.axes.map((a) => [a.key, a.label, a.categories, a.log])).toEqual([
      ['optimizer.kind', 'optimizer.kind', ['sgd', 'adam'], false],
      ['optimizer.lr', 'optimizer.lr', null, true],
      ['metric', 'G loss (last epoch)', null, false]
    ])
    // Run 4 has no finished epoch: no line.
    expect(p.lines.map((l) => [l.runId, l.values, l.texts])).toEqual([
      [1, [0, 0.0002, 2.5], ['sgd', '2e-4', '2.5']],
      [2, [0, 0.02, 1.5], ['sgd', '0.02', '1.5']],
      [3, [1, 0.0002, 0.8], ['adam', '2e-4', '0.8']]
    ])
    expect(p.axes[2]).toMatchObject({ min: 0.8, max: 2.5 })
  })

  it('keeps the lines inside every brushed range, either way round', () => {
    const p = sweepParallel(sweep, inputs, 'gLoss', 'final')
    const kept = (brushes: Parameters<typeof inBrushes>[2]): number[] => p.lines.filter((l) => inBrushes(p.axes, l, brushes)).map((l) => l.runId)
    expect(kept({})).toEqual([1, 2, 3])
    expect(kept({ metric: [2, 1] })).toEqual([2])
    expect(kept({ metric: [0, 2], 'optimizer.kind': [-0.2, 0.4] })).toEqual([2])
    expect(kept({ 'optimizer.lr': [0.0001, 0.001] })).toEqual([1, 3])
  })

  it('colours lines by the metric on viridis, low dark and high yellow', () => {
    const p = sweepParallel(sweep, inputs, 'gLoss', 'final')
    expect(scaleColor(0)).toBe('#440154')
    expect(scaleColor(1)).toBe('#fde725')
    expect(metricColors(p)).toEqual({ 1: '#fde725', 2: scaleColor((1.5 - 0.8) / 1.7), 3: '#440154' })
    expect([1e-4, 2e-4, 5e-4, 3e-4, 0.01, 0.07].map(logTickLabelled)).toEqual([true, true, true, false, true, false])
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
    const w = mount(App, { global: { plugins: [pinia()] }, attachTo: document.body })
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

  it('draws the runs as parallel coordinates coloured by the metric, or by the colour-by field when one is chosen', async () => {
    const w = await compareAll(api([{ ...sweep, runIds: [1, 2, 3] }]))
    const pcp = (): ReturnType<VueWrapper['get']> => w.get('[data-testid="sweep-parallel"]')
    expect(pcp().attributes('data-axes')).toBe('optimizer.kind:category,optimizer.lr:log,metric:linear')
    expect(pcp().attributes('data-lines')).toBe(`1:#fde725,2:${scaleColor((1.5 - 0.8) / 1.7)},3:#440154`)
    expect(pcp().attributes('data-in')).toBe('1,2,3')
    expect(w.get('[data-testid="sweep-parallel-key"]').text()).toMatch(/^0\.8\s+2\.5$/)
    expect(w.get('[data-testid="sweep-parallel-count"]').text()).toBe('Drag along an axis to keep the runs in a range')
    await w.get('[data-testid="compare-color-by"]').setValue('optimizerD.kind')
    await flushPromises()
    expect(pcp().attributes('data-lines')).toBe(`1:${RUN_COLORS[0]},2:${RUN_COLORS[0]},3:${RUN_COLORS[1]}`)
    expect(w.find('[data-testid="sweep-parallel-key"]').exists()).toBe(false)
    w.unmount()
  })

  it('shows no sweep charts when the compared runs are not one sweep’s', async () => {
    const w = await compareAll(api([{ ...sweep, runIds: [1, 2] }]))
    expect(w.find('[data-testid="compare-view"]').exists()).toBe(true)
    expect(w.find('[data-testid="compare-sweep"]').exists()).toBe(false)
    w.unmount()
  })
})
