// @vitest-environment jsdom
// The compare view through the App: tick runs, compare; curves per run in the run's colour,
// the settings that differ, one scrubber for all grids, links and saved comparisons, pairs.
import { PRESETS } from '@shared/config'
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { h } from 'vue'
import type { RunScores } from '@shared/api'
import { DEFAULT_COMPARE_SETTINGS, RUN_COLORS, type SavedComparison } from '@shared/compare'
import type { EpochScores } from '@shared/evaluation'
import { LabError } from '@shared/errors'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import CompareView, { type CompareExportContext } from '@renderer/views/CompareView.vue'
import SampleGrid from '@renderer/components/SampleGrid.vue'
import { useCompareStore } from '@renderer/stores/compare'
import { useTrainerStore } from '@renderer/stores/trainer'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { appendRows, emptySeries } from '@shared/metrics'
import { config, detail, epoch, rows, series, summary } from './helpers/fixtures'
import { epochScores } from '../helpers/scores'

const pinia = useAppTestSetup()

const sgdRun = summary({ id: 1, name: 'sgd', status: 'completed', epochsDone: 3 })
const adamRun = summary({ id: 2, name: 'adam', status: 'completed', epochsDone: 2 })
const sgdOptimizer = { kind: 'sgd' as const, lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.9 }

function api(extra: ConstructorParameters<typeof FakeLabApi>[0] = {}): FakeLabApi {
  const saved: SavedComparison[] = []
  return new FakeLabApi({
    'runs:list': () => [sgdRun, adamRun],
    'presets:list': () => [],
    'runs:get': ({ id }) => {
      if (id === 1) return detail(sgdRun, { config: config({ name: 'sgd', optimizerD: sgdOptimizer }), epochs: [epoch(1), epoch(2), epoch(3)] })
      if (id === 2) return detail(adamRun, { config: config({ name: 'adam' }), epochs: [epoch(1), epoch(2)] })
      throw new LabError('NOT_FOUND', `Run ${id} does not exist`)
    },
    'runs:metrics': ({ id }) => series(1, id === 1 ? 300 : 200),
    'runs:grid': ({ id, epoch: e }) => ({ epoch: e, pngBase64: btoa(`grid ${id}/${e}`), rows: 10, cols: 10 }),
    'comparisons:list': () => saved,
    'comparisons:save': ({ name, runIds }) => {
      const s: SavedComparison = { id: 9, name, runIds, settings: { ...DEFAULT_COMPARE_SETTINGS, xAxis: 'step', smoothing: 0.6, epoch: null, showAllFields: false, score: 'fid' }, createdAt: 1, updatedAt: 1 }
      saved.push(s)
      return s
    },
    ...extra
  })
}

async function mountApp(fake: FakeLabApi): Promise<VueWrapper> {
  setLabApi(fake)
  const w = mount(App, { global: { plugins: [pinia()] }, attachTo: document.body })
  await flushPromises()
  return w
}

async function compareBoth(w: VueWrapper): Promise<void> {
  await w.get('[data-testid="compare-pick-1"]').setValue(true)
  await w.get('[data-testid="compare-pick-2"]').setValue(true)
  await w.get('[data-testid="compare-picked"]').trigger('click')
  await flushPromises()
}

describe('compare view', () => {
  it('needs two ticked runs, then overlays every metric in one colour per run', async () => {
    const w = await mountApp(api())
    expect(w.get('[data-testid="compare-picked"]').attributes('disabled')).toBeDefined()
    await compareBoth(w)
    expect(w.find('[data-testid="compare-view"]').exists()).toBe(true)
    const chart = w.get('[data-testid="compare-chart-gLoss"]')
    expect(chart.attributes('data-colors')).toBe(`${RUN_COLORS[0]},${RUN_COLORS[1]}`)
    expect(chart.attributes('data-points')).toBe('300,200')
    expect(w.get('[data-testid="compare-run-1"]').attributes('data-color')).toBe(RUN_COLORS[0])
    expect(location.hash).toBe('#/compare?runs=1,2')
    w.unmount()
  })

  it('labels runs by the settings they differ in, on chips and chart legends; hides and shows a run; log y; groups runs with a band', async () => {
    const w = await mountApp(api())
    await compareBoth(w)
    const chart = (): ReturnType<VueWrapper['get']> => w.get('[data-testid="compare-chart-gLoss"]')
    // Run 1 trains D with SGD, G with the preset's Adam: the labels say so per network.
    expect(chart().attributes('data-legend')).toBe('SGD (D) / Adam (G), lr 0.01 (D) / 2e-4 (G), β1 0.5 (G)|Adam, lr 2e-4, β1 0.5')
    expect(w.get('[data-testid="compare-run-2"]').text()).toContain('#2 Adam, lr 2e-4, β1 0.5')
    await w.get('[data-testid="compare-visible-1"]').trigger('click')
    // Redraws are throttled to an animation frame: wait for the one that lands.
    await vi.waitFor(() => expect(chart().attributes('data-points')).toBe('200'))
    expect(w.get('[data-testid="compare-visible-1"]').attributes('aria-pressed')).toBe('false')
    await w.get('[data-testid="compare-visible-1"]').trigger('click')
    await vi.waitFor(() => expect(chart().attributes('data-points')).toBe('300,200'))
    await w.get('[data-testid="compare-log-y"]').setValue(true)
    await flushPromises()
    expect(chart().attributes('data-scale')).toBe('log')
    expect(location.hash).toContain('log=1')
    // Grouped by a field both runs share a value of... none here: each run its own group, with a band.
    await w.get('[data-testid="compare-group-toggle"]').trigger('click')
    await w.get('[data-testid="compare-group-optimizerD.kind"]').setValue(true)
    await vi.waitFor(() => expect(chart().attributes('data-bands')).toBe('2'))
    expect(chart().attributes('data-legend')).toMatch(/\(1 run\)\|.*\(1 run\)$/)
    expect(location.hash).toContain('group=optimizerD.kind')
    await w.get('[data-testid="compare-ungroup"]').trigger('click')
    await vi.waitFor(() => expect(chart().attributes('data-bands')).toBe('0'))
    w.unmount()
  })

  it('opens a run from its #/run/ID link, and the address bar follows the open run', async () => {
    history.replaceState(null, '', '#/run/2')
    const fake = api()
    const w = await mountApp(fake)
    await flushPromises()
    expect(fake.requestsTo('runs:get').map((r) => r.id)).toContain(2)
    expect(location.hash).toBe('#/run/2')
    w.unmount()
  })

  it('shows a sample grid at a whole scale only, and enlarges it on a click', async () => {
    const grid = mount(SampleGrid, { props: { src: 'data:image/png;base64,iVBORw0KGgo=', epoch: 3, maxWidth: 700 }, attachTo: document.body })
    const img = grid.get('[data-testid="sample-grid"]')
    Object.defineProperty(img.element, 'naturalWidth', { value: 302 })
    Object.defineProperty(img.element, 'naturalHeight', { value: 302 })
    await img.trigger('load')
    expect(img.attributes('data-scale')).toBe('2')
    expect((img.element as HTMLImageElement).style.width).toBe('604px')
    // Narrower than the grid: 1x (the box scrolls), never a fraction that drops pixel rows.
    await grid.setProps({ maxWidth: 220 })
    expect(img.attributes('data-scale')).toBe('1')
    expect((img.element as HTMLImageElement).style.width).toBe('302px')
    await img.trigger('click')
    const big = grid.get('[data-testid="sample-grid-enlarged"] img')
    expect(Number.isInteger(Number(big.attributes('data-scale')))).toBe(true)
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(grid.find('[data-testid="sample-grid-enlarged"]').exists()).toBe(false)
    grid.unmount()
  })

  it('charts only the metrics the compared runs record: no estimate for two GANs', async () => {
    const gan = await mountApp(api())
    await compareBoth(gan)
    expect(gan.find('[data-testid="compare-chart-wasserstein"]').exists()).toBe(false)
    expect(gan.find('[data-testid="compare-chart-dAccReal"]').exists()).toBe(true)
    gan.unmount()
  })

  it("charts a critic's Wasserstein estimate beside a GAN's accuracies", async () => {
    const wgan = config({ name: 'adam', tricks: { ...config().tricks, loss: 'wgan' } })
    const criticSeries = () => {
      const s = emptySeries()
      appendRows(s, rows(1, 200).map((r) => ({ ...r, dAccReal: null, dAccFake: null, wasserstein: r.step / 100 })))
      return s
    }
    const w = await mountApp(
      api({
        'runs:get': ({ id }) => (id === 1 ? detail(sgdRun, { config: config({ name: 'sgd' }) }) : detail(adamRun, { config: wgan })),
        'runs:metrics': ({ id }) => (id === 1 ? series(1, 300) : criticSeries())
      })
    )
    await compareBoth(w)
    expect(w.find('[data-testid="compare-chart-wasserstein"]').exists()).toBe(true)
    expect(w.find('[data-testid="compare-chart-dAccReal"]').exists()).toBe(true)
    w.unmount()
  })

  it('shows exactly the settings that differ, and all of them on request', async () => {
    const w = await mountApp(api())
    await compareBoth(w)
    const differing = w.findAll('[data-testid="config-diff"] tbody tr').map((r) => r.attributes('data-testid'))
    expect(differing).toEqual(['diff-row-optimizerD.kind', 'diff-row-optimizerD.lr'])
    expect(w.get('[data-testid="diff-row-optimizerD.kind"]').text()).toBe('optimizerD.kindsgdadam')
    await w.get('[data-testid="diff-show-all"]').setValue(true)
    expect(w.findAll('[data-testid="config-diff"] tbody tr').length).toBeGreaterThan(10)
    w.unmount()
  })

  it('moves every run grid with one scrubber; the shorter run shows its last grid and says so', async () => {
    const w = await mountApp(api())
    await compareBoth(w)
    expect(w.get('[data-testid="compare-epoch-shown"]').text()).toBe('epoch 3 / 3')
    expect(w.get('[data-testid="compare-grid-1"]').attributes('data-epoch')).toBe('3')
    expect(w.get('[data-testid="compare-grid-2"]').attributes('data-epoch')).toBe('2')
    expect(w.get('[data-testid="compare-grid-note-2"]').text()).toBe('ends at epoch 2; showing its last grid')
    await w.get('[data-testid="compare-epoch-scrubber"]').setValue('0')
    await flushPromises()
    expect(w.get('[data-testid="compare-grid-1"]').attributes('data-epoch')).toBe('1')
    expect(w.get('[data-testid="compare-grid-2"]').attributes('data-epoch')).toBe('1')
    expect(w.get('[data-testid="compare-grid-1"] img').attributes('src')).toBe(`data:image/png;base64,${btoa('grid 1/1')}`)
    expect(w.get('[data-testid="compare-grid-2"] img').attributes('src')).toBe(`data:image/png;base64,${btoa('grid 2/1')}`)
    w.unmount()
  })

  it('switches the x axis to epochs', async () => {
    const w = await mountApp(api())
    await compareBoth(w)
    await w.get('[data-testid="compare-x-axis"]').setValue('epoch')
    await flushPromises()
    expect(w.get('[data-testid="compare-chart-dLossReal"]').attributes('data-axis')).toBe('epoch')
    expect(w.get('[data-testid="compare-link"]').attributes('href')).toBe('#/compare?runs=1,2&x=epoch')
    w.unmount()
  })

  it('opens from a link and saves the comparison by name', async () => {
    history.replaceState(null, '', '/#/compare?runs=2,1')
    const fake = api()
    const w = await mountApp(fake)
    expect(w.find('[data-testid="compare-view"]').exists()).toBe(true)
    expect(w.get('[data-testid="compare-chart-gLoss"]').attributes('data-points')).toBe('200,300')
    await w.get('[data-testid="compare-save-name"]').setValue('SGD vs Adam, seed 7')
    await w.get('[data-testid="compare-save"]').trigger('submit')
    await flushPromises()
    expect(fake.requestsTo('comparisons:save')[0]).toMatchObject({ name: 'SGD vs Adam, seed 7', runIds: [2, 1] })
    expect(w.get('[data-testid="saved-comparisons"]').text()).toContain('SGD vs Adam, seed 7')
    expect(w.get('[data-testid="compare-saved-note"]').text()).toBe('Saved as “SGD vs Adam, seed 7”')
    await w.get('[data-testid="compare-save-name"]').setValue('SGD vs Adam, seed 7')
    await w.get('[data-testid="compare-save"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="compare-saved-note"]').text()).toBe('Replaced the saved comparison “SGD vs Adam, seed 7”')
    w.unmount()
  })

  it('says which run of a saved comparison is gone', async () => {
    history.replaceState(null, '', '/#/compare?runs=1,5')
    const w = await mountApp(api())
    expect(w.get('[data-testid="compare-run-5"]').text()).toBe('run 5: Run 5 does not exist')
    expect(w.get('[data-testid="compare-chart-gLoss"]').attributes('data-points')).toBe('300')
    w.unmount()
  })

  it('starts the SGD vs Adam pair from the new-run form and compares both', async () => {
    const pairA = summary({ id: 1, name: 'sgd', status: 'queued' })
    const pairB = summary({ id: 2, name: 'adam', status: 'queued' })
    const fake = api({ 'runs:create-pair': () => [pairA, pairB] })
    const w = await mountApp(fake)
    await w.get('[data-testid="new-run"]').trigger('click')
    await w.get('[data-testid="field-seed"]').setValue(4242)
    await w.get('[data-testid="field-batchSize"]').setValue(0)
    const button = w.get('[data-testid="start-pair"]')
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.attributes('title')).toBe('Cannot start the pair: batchSize: must be at least 1')
    await w.get('[data-testid="field-batchSize"]').setValue(16)
    await w.get('[data-testid="field-stepsPerEpoch"]').setValue(5)
    await w.get('[data-testid="field-backend"]').setValue('wasm')
    await button.trigger('click')
    await flushPromises()
    expect(fake.requestsTo('runs:create-pair')).toEqual([
      // the form opens on the quick preset, whose default length the pair takes
      { pair: 'sgd-vs-adam', preset: 'mnist-dcgan-small', seed: 4242, epochs: PRESETS['mnist-dcgan-small'].defaults.epochs, batchSize: 16, stepsPerEpoch: 5, backend: 'wasm' }
    ])
    expect(w.find('[data-testid="compare-view"]').exists()).toBe(true)
    expect(location.hash).toBe('#/compare?runs=1,2')
    w.unmount()
  })

  it('shows both runs of a pair progressing live, and a run deleted meanwhile as gone', async () => {
    const fake = api()
    const w = await mountApp(fake)
    await compareBoth(w)
    const running = summary({ id: 2, name: 'adam', status: 'running', epochs: 2, stepsDone: 150 })
    fake.emit('runs:changed', running)
    fake.emit('trainer:progress', {
      runId: 2,
      progress: { epoch: 2, stepInEpoch: 50, stepsPerEpoch: 100, globalStep: 150, totalSteps: 200, imagesPerSec: 900, etaSeconds: 3 }
    })
    await flushPromises()
    expect(w.get('[data-testid="compare-status-2"]').attributes('data-status')).toBe('running')
    expect(w.get('[data-testid="compare-progress-2"]').text()).toBe('epoch 2/2')
    expect(w.get('[data-testid="compare-progress-2"] .fill').attributes('style')).toContain('width: 75%')
    expect(w.get('[data-testid="compare-status-1"]').attributes('data-status')).toBe('completed')

    fake.emit('runs:deleted', { id: 2 })
    await flushPromises()
    expect(w.get('[data-testid="compare-run-2"]').text()).toBe('run 2 was deleted')
    // Charts redraw on the next throttled frame.
    await vi.waitFor(() => expect(w.get('[data-testid="compare-chart-gLoss"]').attributes('data-points')).toBe('300'))
    expect(w.find('[data-testid="compare-grid-2"]').exists()).toBe(false)
    expect((w.get('[data-testid="compare-pick-1"]').element as HTMLInputElement).checked).toBe(true)
    expect(w.get('[data-testid="compare-picked"]').text()).toBe('Compare (1)')
    w.unmount()
  })

  it('keeps the address bar on the view as shown, and says why a bad link cannot be opened', async () => {
    history.replaceState(null, '', '/#/compare?runs=1,2&smooth=0.9')
    const w = await mountApp(api())
    expect((w.get('[data-testid="compare-smoothing"]').element as HTMLInputElement).value).toBe('0.9')
    await w.get('[data-testid="compare-x-axis"]').setValue('time')
    await w.get('[data-testid="compare-epoch-scrubber"]').setValue('1')
    await flushPromises()
    expect(location.hash).toBe('#/compare?runs=1,2&x=time&smooth=0.9&epoch=2')
    w.unmount()

    history.replaceState(null, '', '/#/compare?runs=1,2,2')
    const bad = await mountApp(api())
    expect(bad.find('[data-testid="compare-view"]').exists()).toBe(false)
    expect(bad.get('[data-testid="app-error"]').text()).toContain('This compare link cannot be opened: runs: a run is listed twice')
    bad.unmount()
  })

  it('reopens a saved comparison from the list as it was saved', async () => {
    const fake = api({
      'comparisons:list': () => [
        { id: 4, name: 'by epoch', runIds: [2, 1], settings: { ...DEFAULT_COMPARE_SETTINGS, xAxis: 'epoch', smoothing: 0.3, epoch: 1, showAllFields: true, score: 'coverage', logY: true, groupBy: ['optimizerD.kind'], band: 'minmax' }, createdAt: 1, updatedAt: 1 }
      ]
    })
    const w = await mountApp(fake)
    await w.get('[data-testid="open-comparison-4"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="compare-run-2"]').attributes('data-color')).toBe(RUN_COLORS[0])
    expect(w.get('[data-testid="compare-chart-gLoss"]').attributes('data-axis')).toBe('epoch')
    expect(w.get('[data-testid="compare-epoch-shown"]').text()).toBe('epoch 1 / 3')
    expect((w.get('[data-testid="diff-show-all"]').element as HTMLInputElement).checked).toBe(true)
    expect((w.get('[data-testid="compare-score-metric"]').element as HTMLSelectElement).value).toBe('coverage')
    expect(w.get('[data-testid="compare-chart-gLoss"]').attributes('data-scale')).toBe('log')
    expect((w.get('[data-testid="compare-log-y"]').element as HTMLInputElement).checked).toBe(true)
    expect(location.hash).toBe('#/compare?runs=2,1&x=epoch&smooth=0.3&epoch=1&all=1&score=coverage&log=1&group=optimizerD.kind&band=minmax')
    w.unmount()
  })

  it('charts the runs’ epoch scores, one score at a time, live, and the link keeps the score', async () => {
    const scored = (epoch: number, fid: number): EpochScores => epochScores({ epoch, classifierId: 'cls-a', fid })
    const best = (bestEpoch: number): RunScores['evaluation'] => ({ bestBy: 'fid', bestEpoch, bestValue: 0, flags: [] })
    const fake = api({
      'eval:scores': ({ id }) =>
        id === 1 ? { scores: [scored(1, 50), scored(2, 20)], evaluation: best(2), pending: [], notice: null } : { scores: [scored(1, 40)], evaluation: best(1), pending: [], notice: null }
    })
    const w = await mountApp(fake)
    await compareBoth(w)
    const chart = w.get('[data-testid="compare-score-chart"]')
    expect(chart.attributes()).toMatchObject({ 'data-lines': '2,1,2', 'data-best': '1,2' })
    expect(w.get('[data-testid="compare-score-curves"]').attributes('data-best')).toBe('1:2,2:1')
    expect(w.get('[data-testid="compare-score-curve-2"]').text()).toBe('#2 adam (500 real / 500 generated, cls-a) · ★ best epoch 1')

    // An epoch scored while compared: the chart and the star follow.
    fake.emit('eval:scores', { runId: 2, scores: { scores: [scored(1, 40), scored(2, 10)], evaluation: best(2), pending: [], notice: null } })
    await flushPromises()
    expect(w.get('[data-testid="compare-score-curves"]').attributes('data-best')).toBe('1:2,2:2')
    expect(w.get('[data-testid="compare-score-chart"]').attributes('data-lines')).toBe('2,2,2')

    await w.get('[data-testid="compare-score-metric"]').setValue('coverage')
    await flushPromises()
    expect(w.get('[data-testid="compare-score-chart"]').attributes('data-lines')).toBe('2,2')
    expect(location.hash).toBe('#/compare?runs=1,2&score=coverage')
    w.unmount()
  })

  it('plays the grids of every run together, fetching each grid once and the next one ahead', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const fake = api()
      const w = await mountApp(fake)
      await compareBoth(w)
      const epochs = (): string[] => [1, 2].map((id) => w.get(`[data-testid="compare-grid-${id}"]`).attributes('data-epoch') ?? '')
      expect(epochs()).toEqual(['3', '2'])
      // From the last epoch, play starts over.
      await w.get('[data-testid="compare-play"]').trigger('click')
      await flushPromises()
      expect(epochs()).toEqual(['1', '1'])
      expect(fake.requestsTo('runs:grid')).toContainEqual({ id: 1, epoch: 2 })
      vi.advanceTimersByTime(800)
      await flushPromises()
      expect(epochs()).toEqual(['2', '2'])
      expect(w.find('[data-testid="compare-grid-note-2"]').exists()).toBe(false)
      vi.advanceTimersByTime(800)
      await flushPromises()
      expect(epochs()).toEqual(['3', '2'])
      expect(w.get('[data-testid="compare-grid-note-2"]').text()).toBe('ends at epoch 2; showing its last grid')
      vi.advanceTimersByTime(800)
      await flushPromises()
      expect(w.get('[data-testid="compare-play"]').text()).toContain('Play')
      expect(epochs()).toEqual(['3', '2'])
      const fetched = fake.requestsTo('runs:grid').map((r) => `${r.id}/${r.epoch}`)
      expect([...fetched].sort()).toEqual(['1/1', '1/2', '1/3', '2/1', '2/2'])
      w.unmount()
    } finally {
      vi.useRealTimers()
    }
  })

  it('leaves a toolbar slot for figure export, handing it the runs, colours, metrics, epoch and differences', async () => {
    setLabApi(api())
    await useCompareStore().open([1, 2], { epoch: 2 })
    const seen: CompareExportContext[] = []
    const w = mount(CompareView, {
      global: { plugins: [pinia()] },
      slots: {
        export: (ctx: CompareExportContext) => {
          seen.push(ctx)
          return h('button', { 'data-testid': 'export-figure' }, `Export ${ctx.runs.length} runs`)
        }
      }
    })
    await flushPromises()
    expect(w.get('[data-testid="compare-export-slot"] [data-testid="export-figure"]').text()).toBe('Export 2 runs')
    const ctx = seen[seen.length - 1]
    expect(ctx.runs.map((r) => [r.id, r.color, r.name])).toEqual([
      [1, RUN_COLORS[0], 'sgd'],
      [2, RUN_COLORS[1], 'adam']
    ])
    expect(ctx.metrics).toEqual(['dLossReal', 'dLossFake', 'gLoss', 'dAccReal', 'dAccFake'])
    expect(ctx.epoch).toBe(2)
    expect(ctx.differences).toEqual(['optimizerD.kind: sgd vs adam', 'optimizerD.lr: 0.01 vs 0.0002'])
    w.unmount()
  })

  it('takes at most eight runs: the other boxes are disabled, and the store refuses a ninth by name', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => summary({ id: i + 1, name: `r${i + 1}`, status: 'completed' }))
    const w = await mountApp(api({ 'runs:list': () => nine }))
    for (let id = 1; id <= 8; id++) await w.get(`[data-testid="compare-pick-${id}"]`).setValue(true)
    const ninth = w.get('[data-testid="compare-pick-9"]')
    expect(ninth.attributes('disabled')).toBeDefined()
    expect(ninth.attributes('title')).toBe('At most 8 runs can be compared; untick one first')
    expect(w.get('[data-testid="compare-picked"]').text()).toBe('Compare (8)')
    const compare = useCompareStore()
    compare.togglePicked(9)
    expect(compare.picked).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(compare.error).toBe('At most 8 runs can be compared; untick one first.')
    await w.get('[data-testid="compare-pick-3"]').setValue(false)
    expect(w.get('[data-testid="compare-pick-9"]').attributes('disabled')).toBeUndefined()
    w.unmount()
  })

  it('follows the latest epoch of runs still training until the scrubber is moved, and again when asked', async () => {
    const fake = api()
    const w = await mountApp(fake)
    await compareBoth(w)
    const follow = (): HTMLInputElement => w.get('[data-testid="compare-epoch-follow"]').element as HTMLInputElement
    expect(follow().checked).toBe(true)
    fake.emit('trainer:epoch', { runId: 1, epoch: epoch(4) })
    await flushPromises()
    expect(w.get('[data-testid="compare-epoch-shown"]').text()).toBe('epoch 4 / 4')
    expect(w.get('[data-testid="compare-grid-1"]').attributes('data-epoch')).toBe('4')
    await w.get('[data-testid="compare-epoch-scrubber"]').setValue('1')
    expect(follow().checked).toBe(false)
    fake.emit('trainer:epoch', { runId: 1, epoch: epoch(5) })
    await flushPromises()
    expect(w.get('[data-testid="compare-epoch-shown"]').text()).toBe('epoch 2 / 5')
    await w.get('[data-testid="compare-epoch-follow"]').setValue(true)
    expect(w.get('[data-testid="compare-epoch-shown"]').text()).toBe('epoch 5 / 5')
    expect(location.hash).toBe('#/compare?runs=1,2')
    w.unmount()
  })

  it('after a reconnect fetches only the steps each compared run missed', async () => {
    const stored: Record<number, number> = { 1: 300, 2: 200 }
    const fake = api({ 'runs:metrics': ({ id, afterStep }) => series((afterStep ?? 0) + 1, stored[id]) })
    setLabApi(fake)
    const compare = useCompareStore()
    await compare.open([1, 2])
    const trainer = useTrainerStore()
    // Run 1 went on training while the connection was down; its step events were lost.
    stored[1] = 340
    await compare.resync()
    expect(fake.requestsTo('runs:metrics').slice(2)).toEqual([
      { id: 1, afterStep: 300 },
      { id: 2, afterStep: 200 }
    ])
    expect(trainer.runs[1].series.step).toHaveLength(340)
    expect(trainer.runs[1].series.step[339]).toBe(340)
    expect(trainer.runs[2].series.step).toHaveLength(200)
  })
})
