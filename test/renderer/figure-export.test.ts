// @vitest-environment jsdom
// Figure exports from the run view: the menus ask figures:export with the chosen size and
// save what comes back; bad sizes and epochs are named before anything is asked.
import { describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import type { FigureExport, GeneratorExport, LabCalls } from '@shared/api'
import { LabError } from '@shared/errors'
import { parseEpochList, spreadEpochs } from '@renderer/epoch-list'
import { figurePixelSize } from '@renderer/figure-canvas'
import { useRunsStore } from '@renderer/stores/runs'
import RunView from '@renderer/views/RunView.vue'
import ExportMenu from '@renderer/components/ExportMenu.vue'
import CompareExports from '@renderer/components/CompareExports.vue'
import GeneratorExportMenu from '@renderer/components/GeneratorExport.vue'
import { DEFAULT_COMPARE_SETTINGS } from '@shared/compare'
import { config } from './helpers/fixtures'
import type { FakeLabApi } from './helpers/fake-api'
import { captureDownloads, useFakeLab } from './helpers/app'
import { detail, epoch, series, summary } from './helpers/fixtures'

const lab = useFakeLab()
const { blobs, clicked } = captureDownloads()

/** The files asked for, not the previews' layouts (PNG figures at scale 1). */
const saves = (api: FakeLabApi): LabCalls['figures:export']['req'][] => api.requestsTo('figures:export').filter((r) => !(r.format === 'png' && r.scale === 1))
/** Past the menu's pause before it lays out a preview. */
const previewPause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200))

const svgFile: FigureExport = { format: 'svg', filename: 'run-9-loss.svg', mime: 'image/svg+xml', base64: btoa('<svg/>'), bytes: 6 }

async function mountRun(
  handler: (req: unknown) => FigureExport,
  generator: (req: LabCalls['runs:export-generator']['req']) => GeneratorExport = () => ({ kind: 'cancelled' })
): Promise<{ w: VueWrapper; api: FakeLabApi }> {
  const run = summary({ id: 9, name: 'fig', status: 'completed', epochsDone: 3 })
  const api = lab.serve({
    'runs:list': () => [run],
    'runs:get': () => detail(run, { epochs: [epoch(1), epoch(2), epoch(3)] }),
    'runs:metrics': () => series(1, 30),
    'runs:grid': ({ epoch: e }) => ({ epoch: e, pngBase64: 'iVBORw0KGgo=', rows: 10, cols: 10 }),
    'figures:export': (req) => handler(req),
    'runs:export-generator': (req) => generator(req)
  })
  await useRunsStore().start()
  await useRunsStore().select(9)
  const w = lab.mount(RunView)
  await flushPromises()
  return { w, api }
}

describe('epoch lists', () => {
  it('spreads defaults over the run and parses lists and ranges against the grids that exist', () => {
    expect(spreadEpochs([1, 2, 3])).toEqual([1, 2, 3])
    expect(spreadEpochs(Array.from({ length: 100 }, (_, i) => i + 1), 5)).toEqual([1, 26, 51, 75, 100])
    expect(parseEpochList('1, 3-4', [1, 2, 3, 4])).toEqual({ epochs: [1, 3, 4] })
    expect(parseEpochList('1, 9', [1, 2])).toEqual({ problem: 'no sample grid for epoch 9' })
    expect(parseEpochList('x', [1])).toEqual({ problem: '"x" is not an epoch number or range (e.g. 1, 5, 10-12)' })
    expect(parseEpochList('5-2', [1])).toEqual({ problem: '"5-2": the range runs backwards' })
    expect(parseEpochList('1-20', [1])).toEqual({ problem: 'at most 12 epochs in one row' })
    expect(parseEpochList(' ', [1])).toEqual({ problem: 'name at least one epoch' })
  })

  it('sizes a PNG at scale times the screen size of the figure', () => {
    expect(figurePixelSize({ width: 240, height: 150 }, 1)).toEqual({ width: 320, height: 200 })
    expect(figurePixelSize({ width: 240, height: 150 }, 3)).toEqual({ width: 960, height: 600 })
  })
})

describe('RunView figure menus', () => {
  it('exports the loss chart as SVG at the chosen width and font, and saves the file', async () => {
    const { w, api } = await mountRun(() => svgFile)
    const menu = w.get('[data-testid="export-loss-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await menu.get('[data-testid="figure-width"]').setValue('3.3')
    await menu.get('[data-testid="figure-unit"]').setValue('in')
    await menu.get('[data-testid="figure-font"]').setValue('9')
    await menu.get('[data-testid="figure-svg"]').trigger('click')
    await flushPromises()
    expect(saves(api)).toEqual([{ figure: { kind: 'chart', ids: [9], chart: 'loss' }, format: 'svg', size: { width: 3.3, unit: 'in', fontPt: 9 }, scale: 3 }])
    expect(clicked).toEqual([{ download: 'run-9-loss.svg' }])
    expect(blobs[0].type).toBe('image/svg+xml')
    expect(menu.get('[data-testid="figure-saved"]').text()).toBe('Saved run-9-loss.svg (6 B)')
  })

  it('names a bad width before asking, and shows what the back end refuses', async () => {
    const { w, api } = await mountRun(() => {
      throw new LabError('NOT_FOUND', 'There is no run 9')
    })
    const menu = w.get('[data-testid="export-accuracy-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await menu.get('[data-testid="figure-width"]').setValue('100')
    expect(menu.get('[data-testid="figure-problem"]').text()).toBe('width: must be from 2 to 60 cm (0.79 to 23.6 in)')
    expect(menu.get('[data-testid="figure-pdf"]').attributes('disabled')).toBeDefined()
    await menu.get('[data-testid="figure-pdf"]').trigger('click')
    expect(saves(api)).toHaveLength(0)

    await menu.get('[data-testid="figure-width"]').setValue('8')
    await menu.get('[data-testid="figure-pdf"]').trigger('click')
    await flushPromises()
    expect(menu.get('[data-testid="figure-error"]').text()).toBe('Could not export the figure: There is no run 9')
    expect(clicked).toHaveLength(0)
  })

  it('exports a row of grids over typed epochs, without labels when unticked', async () => {
    const { w, api } = await mountRun(() => ({ ...svgFile, filename: 'run-9-samples.pdf', format: 'pdf', mime: 'application/pdf' }))
    const menu = w.get('[data-testid="export-grid-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    expect((menu.get('[data-testid="grid-row-epochs"]').element as HTMLInputElement).value).toBe('1, 2, 3')
    await menu.get('[data-testid="grid-row-epochs"]').setValue('1, 7')
    expect(menu.get('[data-testid="figure-problem"]').text()).toBe('no sample grid for epoch 7')
    await menu.get('[data-testid="grid-row-epochs"]').setValue('3, 1-2')
    await menu.get('[data-testid="grid-row-labels"]').setValue(false)
    await menu.get('[data-testid="figure-pdf"]').trigger('click')
    await flushPromises()
    expect(saves(api)[0].figure).toEqual({ kind: 'grid-row', id: 9, epochs: [3, 1, 2], labels: false })
    expect(clicked).toEqual([{ download: 'run-9-samples.pdf' }])
  })

  it('previews the chart figure as it will be saved, and leaves the caption out when unticked', async () => {
    const figure = { width: 240.94, height: 200.4, fontPt: 8, title: 't', items: [] }
    const { w, api } = await mountRun((req) => ((req as { format: string }).format === 'png' ? { format: 'png', filename: 'p.png', mime: 'image/png', figure, scale: 1 } : svgFile))
    const menu = w.get('[data-testid="export-loss-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await previewPause()
    await flushPromises()
    expect(menu.get('[data-testid="figure-preview-size"]').text()).toBe('8.5 × 7.1 cm')
    await menu.get('[data-testid="figure-caption"]').setValue(false)
    await menu.get('[data-testid="figure-svg"]').trigger('click')
    await flushPromises()
    expect(saves(api)[0].figure).toEqual({ kind: 'chart', ids: [9], chart: 'loss', caption: false })
  })

  it('says so when this window cannot draw a PNG, instead of saving an empty file', async () => {
    const figure = { width: 240, height: 150, fontPt: 8, title: 't', items: [] }
    const { w } = await mountRun(() => ({ format: 'png', filename: 'run-9-loss@3x.png', mime: 'image/png', figure, scale: 3 }))
    const menu = w.get('[data-testid="export-loss-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await menu.get('[data-testid="figure-png"]').trigger('click')
    await flushPromises()
    expect(menu.get('[data-testid="figure-error"]').text()).toContain('PNG export is unavailable here; export SVG or PDF instead')
    expect(clicked).toHaveLength(0)
  })
})

describe('RunView generator export', () => {
  it('asks for the chosen checkpoint and sample count, saves the zip a browser gets, and says what it saved', async () => {
    const zip: GeneratorExport = { kind: 'zip', filename: 'run-9-epoch-2-generator.zip', mime: 'application/zip', base64: btoa('PK'), bytes: 2, files: ['a', 'b', 'c'] }
    const { w, api } = await mountRun(() => svgFile, () => zip)
    const menu = w.get('[data-testid="generator-export-menu"]')
    await menu.get('[data-testid="generator-toggle"]').trigger('click')
    expect((menu.get('[data-testid="generator-epoch"]').element as HTMLSelectElement).value).toBe('3')
    await menu.get('[data-testid="generator-epoch"]').setValue('2')
    await menu.get('[data-testid="generator-samples"]').setValue('20000')
    expect(menu.get('[data-testid="generator-problem"]').text()).toBe('Samples: a whole number from 0 to 10000')
    await menu.get('[data-testid="generator-samples"]').setValue('500')
    await menu.get('[data-testid="generator-seed"]').setValue('4x')
    expect(menu.get('[data-testid="generator-problem"]').text()).toContain('Seed: a whole number')
    expect(menu.get('[data-testid="generator-export"]').attributes('disabled')).toBeDefined()
    await menu.get('[data-testid="generator-seed"]').setValue('42')
    await menu.get('[data-testid="generator-export"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:export-generator')).toEqual([{ id: 9, epoch: 2, samples: 500, seed: 42 }])
    expect(clicked).toEqual([{ download: 'run-9-epoch-2-generator.zip' }])
    expect(menu.get('[data-testid="generator-result"]').text()).toBe('Saved run-9-epoch-2-generator.zip (3 files)')
  })

  it('reports the folder the desktop app wrote, nothing when the dialog was cancelled, and refusals', async () => {
    let answer: GeneratorExport | Error = { kind: 'folder', path: '/home/r/exports/run-9-epoch-3-generator', files: ['a', 'b'] }
    const { w, api } = await mountRun(
      () => svgFile,
      () => {
        if (answer instanceof Error) throw answer
        return answer
      }
    )
    const menu = w.get('[data-testid="generator-export-menu"]')
    await menu.get('[data-testid="generator-toggle"]').trigger('click')
    await menu.get('[data-testid="generator-export"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:export-generator')).toEqual([{ id: 9, epoch: 3, samples: 64 }])
    expect(menu.get('[data-testid="generator-result"]').text()).toBe('Wrote 2 files to /home/r/exports/run-9-epoch-3-generator')
    answer = { kind: 'cancelled' }
    await menu.get('[data-testid="generator-export"]').trigger('click')
    await flushPromises()
    expect(menu.find('[data-testid="generator-result"]').exists()).toBe(false)
    answer = new LabError('NOT_FOUND', 'Run 9 has no checkpoint for epoch 3 (it has no checkpoints yet)')
    await menu.get('[data-testid="generator-export"]').trigger('click')
    await flushPromises()
    expect(menu.get('[data-testid="generator-error"]').text()).toBe('Could not export the generator: Run 9 has no checkpoint for epoch 3 (it has no checkpoints yet)')
    expect(clicked).toHaveLength(0)
  })
})

describe('ExportMenu on its own (as the compare view places it)', () => {
  it('sends the comparison request it is given, with the shared size', async () => {
    const api = lab.serve({ 'figures:export': () => ({ ...svgFile, filename: 'comparison-3-5.pdf', format: 'pdf', mime: 'application/pdf' }) })
    const request = { kind: 'comparison' as const, ids: [3, 5], epoch: 10, xAxis: 'epoch' as const, smoothing: 0.6 }
    const w = lab.mount(ExportMenu, { props: { request, label: 'Comparison figure', testid: 'export-comparison-figure' } })
    expect(w.get('[data-testid="figure-toggle"]').text()).toBe('Comparison figure ▾')
    await w.get('[data-testid="figure-toggle"]').trigger('click')
    await w.get('[data-testid="figure-width"]').setValue('17')
    await w.get('[data-testid="figure-pdf"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('figures:export')).toEqual([{ figure: request, format: 'pdf', size: { width: 17, unit: 'cm', fontPt: 8 }, scale: 3 }])
    expect(clicked).toEqual([{ download: 'comparison-3-5.pdf' }])
  })
})

describe('CompareExports in the compare view slot', () => {
  const context = (n: number) => ({
    runs: Array.from({ length: n }, (_, i) => ({ id: 3 + 2 * i, color: '#000', name: `r${i}`, config: config() })),
    metrics: ['dLossReal', 'dLossFake', 'gLoss', 'dAccReal', 'dAccFake', 'wasserstein'],
    settings: { ...DEFAULT_COMPARE_SETTINGS, xAxis: 'epoch' as const, smoothing: 0.8 },
    epoch: 4,
    differences: ['optimizerD.kind: sgd vs adam']
  })

  it('asks for the composite at the shown epoch with the view axis, smoothing and the CLI’s default metrics in the figure’s order', async () => {
    const api = lab.serve({ 'figures:export': () => svgFile })
    const w = lab.mount(CompareExports, { props: context(2) })
    const menu = w.get('[data-testid="export-comparison-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await menu.get('[data-testid="figure-svg"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('figures:export').filter((r) => r.format === 'svg')[0].figure).toEqual({
      kind: 'comparison',
      ids: [3, 5],
      epoch: 4,
      xAxis: 'epoch',
      smoothing: 0.8,
      metrics: ['gLoss', 'dLossReal', 'dLossFake']
    })
    const curves = w.get('[data-testid="export-compare-accuracy"]')
    await curves.get('[data-testid="figure-toggle"]').trigger('click')
    await curves.get('[data-testid="figure-pdf"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('figures:export').filter((r) => r.format === 'pdf')[0].figure).toEqual({ kind: 'chart', ids: [3, 5], chart: 'accuracy', xAxis: 'epoch', smoothing: 0.8 })
  })

  it('offers the CLI’s options: metrics ticked, legend labels from the settings that differ (editable), no caption', async () => {
    const api = lab.serve({ 'figures:export': () => svgFile })
    const adam = config()
    const sgd = config({ optimizerD: { ...adam.optimizerD, kind: 'sgd', lr: 0.01 }, optimizerG: { ...adam.optimizerG, kind: 'sgd', lr: 0.01 } })
    const props = { ...context(2), runs: [{ id: 3, color: '#000', name: 'a', config: sgd }, { id: 5, color: '#111', name: 'b', config: adam }] }
    const w = lab.mount(CompareExports, { props })
    const menu = w.get('[data-testid="export-comparison-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    const legend3 = menu.get('[data-testid="comparison-legend-3"]')
    expect(legend3.attributes('placeholder')).toBe('SGD, lr 0.01')
    expect(menu.get('[data-testid="comparison-legend-5"]').attributes('placeholder')).toBe('Adam, lr 2e-4, β1 0.5')
    await legend3.setValue('plain SGD')
    await menu.get('[data-testid="comparison-metric-dLossFake"]').setValue(false)
    await menu.get('[data-testid="comparison-metric-wasserstein"]').setValue(true)
    await menu.get('[data-testid="comparison-caption"]').setValue(false)
    await menu.get('[data-testid="figure-pdf"]').trigger('click')
    await flushPromises()
    const figure = api.requestsTo('figures:export').filter((r) => r.format === 'pdf')[0].figure
    expect(figure).toMatchObject({ metrics: ['gLoss', 'dLossReal', 'wasserstein'], legend: ['plain SGD', `Adam, lr 2e-4, β1 0.5`], caption: false })
  })

  it('keeps each menu’s own status, and closes a menu on Escape and on a click outside it', async () => {
    lab.serve({ 'figures:export': (req) => ({ ...svgFile, filename: `${(req as { figure: { kind: string } }).figure.kind}.svg` }) })
    const w = lab.mount(CompareExports, { props: context(2), attachTo: document.body })
    const composite = w.get('[data-testid="export-comparison-figure"]')
    const loss = w.get('[data-testid="export-compare-loss"]')
    await composite.get('[data-testid="figure-toggle"]').trigger('click')
    await composite.get('[data-testid="figure-svg"]').trigger('click')
    await flushPromises()
    expect(composite.get('[data-testid="figure-saved"]').text()).toContain('comparison.svg')
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(composite.find('[data-testid="figure-svg"]').exists()).toBe(false)
    await loss.get('[data-testid="figure-toggle"]').trigger('click')
    // Another menu's file is not this menu's news.
    expect(loss.find('[data-testid="figure-saved"]').exists()).toBe(false)
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }))
    await flushPromises()
    expect(loss.find('[data-testid="figure-svg"]').exists()).toBe(false)
    w.unmount()
  })

  it('exports the score curves of the score the view shows', async () => {
    const api = lab.serve({ 'figures:export': () => svgFile })
    const w = lab.mount(CompareExports, { props: { ...context(3), settings: { ...context(3).settings, score: 'coverage' as const } } })
    const menu = w.get('[data-testid="export-compare-scores"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await menu.get('[data-testid="figure-svg"]').trigger('click')
    await flushPromises()
    expect(saves(api)[0].figure).toEqual({ kind: 'scores', ids: [3, 5, 7], score: 'coverage' })
  })

  it('gives the loss, accuracy and score figures the legend labels (shared by every menu) and a caption switch', async () => {
    const api = lab.serve({ 'figures:export': () => svgFile })
    const adam = config()
    const sgd = config({ optimizerD: { ...adam.optimizerD, kind: 'sgd', lr: 0.01 }, optimizerG: { ...adam.optimizerG, kind: 'sgd', lr: 0.01 } })
    const props = { ...context(2), runs: [{ id: 3, color: '#000', name: 'a', config: sgd }, { id: 5, color: '#111', name: 'b', config: adam }] }
    const w = lab.mount(CompareExports, { props })
    const loss = w.get('[data-testid="export-compare-loss"]')
    await loss.get('[data-testid="figure-toggle"]').trigger('click')
    expect(loss.get('[data-testid="figure-legend-3"]').attributes('placeholder')).toBe('SGD, lr 0.01')
    await loss.get('[data-testid="figure-legend-5"]').setValue('Adam')
    await loss.get('[data-testid="figure-caption"]').setValue(false)
    await loss.get('[data-testid="figure-svg"]').trigger('click')
    await flushPromises()
    expect(saves(api)[0].figure).toEqual({ kind: 'chart', ids: [3, 5], chart: 'loss', xAxis: 'epoch', smoothing: 0.8, legend: ['SGD, lr 0.01', 'Adam'], caption: false })
    // The edited label is every menu's; the caption switch is each menu's own.
    const scores = w.get('[data-testid="export-compare-scores"]')
    await scores.get('[data-testid="figure-toggle"]').trigger('click')
    expect((scores.get('[data-testid="figure-legend-5"]').element as HTMLInputElement).value).toBe('Adam')
    await scores.get('[data-testid="figure-pdf"]').trigger('click')
    await flushPromises()
    expect(saves(api)[1].figure).toEqual({ kind: 'scores', ids: [3, 5], score: 'fid', legend: ['SGD, lr 0.01', 'Adam'] })
  })

  it('says in the menu why a figure cannot be previewed', async () => {
    lab.serve({
      'figures:export': () => {
        throw new LabError('NOT_FOUND', 'No scores to draw: runs 3, 5 have no epoch scores yet')
      }
    })
    const w = lab.mount(CompareExports, { props: context(2) })
    const menu = w.get('[data-testid="export-compare-scores"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    await previewPause()
    await flushPromises()
    expect(menu.get('[data-testid="figure-preview-problem"]').text()).toBe('Could not lay out the figure: No scores to draw: runs 3, 5 have no epoch scores yet')
    expect(menu.find('[data-testid="figure-preview"]').exists()).toBe(false)
  })

  it('saves the steps of every compared run as one CSV file', async () => {
    const csv = 'run_id,run_name,step\r\n3,r0,1\r\n5,r1,1\r\n'
    const api = lab.serve({ 'runs:export-metrics': ({ ids }) => ({ filename: `runs-${ids.join('-')}-metrics.csv`, mime: 'text/csv', content: csv }) })
    const w = lab.mount(CompareExports, { props: context(2) })
    await w.get('[data-testid="export-compare-csv"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:export-metrics')).toEqual([{ ids: [3, 5], format: 'csv' }])
    expect(clicked).toEqual([{ download: 'runs-3-5-metrics.csv' }])
    expect(await blobs[0].text()).toBe(csv)
  })

  it('says why nothing can be exported with fewer than two runs', async () => {
    const w = lab.mount(CompareExports, { props: context(1) })
    const menu = w.get('[data-testid="export-comparison-figure"]')
    await menu.get('[data-testid="figure-toggle"]').trigger('click')
    expect(menu.get('[data-testid="figure-problem"]').text()).toBe('Compare at least 2 runs')
    expect(menu.get('[data-testid="figure-svg"]').attributes('disabled')).toBeDefined()
  })
})

describe('GeneratorExport for a run of rows or points', () => {
  it('exports the model only, saying where the generated rows go', async () => {
    const api = lab.serve({ 'runs:export-generator': () => ({ kind: 'cancelled' }) })
    const w = lab.mount(GeneratorExportMenu, { props: { runId: 4, epochs: [1, 2], seed: 3, images: false } })
    await w.get('[data-testid="generator-toggle"]').trigger('click')
    const input = w.get('[data-testid="generator-samples"]').element as HTMLInputElement
    expect([input.value, input.disabled]).toEqual(['0', true])
    expect(w.get('[data-testid="generator-model-only"]').text()).toContain('export as CSV')
    await w.get('[data-testid="generator-export"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:export-generator')).toEqual([{ id: 4, epoch: 2, samples: 0 }])
  })
})
