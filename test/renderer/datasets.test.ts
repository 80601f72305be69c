// @vitest-environment jsdom
// Data sets in the UI: picking one in the new-run form, the import preview and its column
// types, and the generated rows / points that tabular and toy runs show instead of a grid.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { PRESETS } from '@shared/config'
import { type ColumnSpec, BUILTIN_DATASET_INFO, type DatasetInfo, type DatasetPreview, type EpochSamples } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { setLabApi } from '@renderer/api/current'
import { useDatasetsStore } from '@renderer/stores/datasets'
import { useRunsStore } from '@renderer/stores/runs'
import DatasetImport from '@renderer/components/DatasetImport.vue'
import EpochSamplesView from '@renderer/components/EpochSamplesView.vue'
import NewRunForm from '@renderer/views/NewRunForm.vue'
import RunView from '@renderer/views/RunView.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { config, detail, epoch, series, summary } from './helpers/fixtures'

let api: FakeLabApi
const pinia = useAppTestSetup()

const fashion: DatasetInfo = {
  id: 3,
  name: 'Fashion-MNIST',
  kind: 'images',
  image: { height: 28, width: 28, channels: 1 },
  columns: null,
  count: 60_000,
  classes: 10,
  source: 'train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz',
  importedAt: 1
}
const weather: DatasetInfo = {
  id: 4,
  name: 'weather',
  kind: 'tabular',
  image: null,
  columns: [
    { name: 'temp', type: 'numeric', min: -5, max: 35 },
    { name: 'sky', type: 'categorical', categories: ['rain', 'sun'] }
  ],
  count: 1000,
  classes: null,
  source: 'weather.csv',
  importedAt: 2
}
const preview: DatasetPreview = {
  token: 'tok',
  suggestedName: 'weather',
  summary: { ...weather, id: 0, importedAt: null },
  rows: [['12.5', 'sun']],
  valueRange: null,
  warnings: ['3 rows with missing values skipped']
}

beforeEach(() => {
  api = new FakeLabApi({
    'datasets:list': () => [BUILTIN_DATASET_INFO.mnist, BUILTIN_DATASET_INFO['toy-ring-8'], fashion, weather],
    'runs:create': ({ config: c }) => summary({ id: 9, name: c.name })
  })
  setLabApi(api)
})

const mountIn = (component: Parameters<typeof mount>[0], props: Record<string, unknown> = {}): VueWrapper =>
  mount(component, { props, global: { plugins: [pinia()] } }) as VueWrapper

describe('data sets in the new-run form', () => {
  it('offers the data sets the preset takes, follows the preset, and names the choice in the config', async () => {
    await useDatasetsStore().load()
    const w = mountIn(NewRunForm)
    const options = (): string[] => w.get('[data-testid="field-dataset"]').findAll('option').map((o) => o.text())
    expect(options()).toEqual(['MNIST (built in)', 'Fashion-MNIST (#3)'])
    await w.get('[data-testid="field-dataset"]').setValue(3)
    expect(w.text()).toContain('28x28x1, 60000 images, 10 classes')
    // 60000 / 32 (the quick preset's batch) steps for a full pass of the chosen data set.
    expect(w.text()).toContain('full pass (1875 steps)')

    await w.get('[data-testid="field-preset"]').setValue('tabular-mlp')
    await flushPromises()
    expect(options()).toEqual(['Toy: ring of 8 Gaussians (2D)', 'weather (#4)'])
    expect((w.get('[data-testid="field-dataset"]').element as HTMLSelectElement).value).toBe(String(PRESETS['tabular-mlp'].defaults.dataset))
    await w.get('[data-testid="field-dataset"]').setValue(4)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('runs:create')[0].config).toMatchObject({ preset: 'tabular-mlp', dataset: 4 })
  })

  it('offers the columns of a chosen table as the target column, none by default, and drops it with another data set', async () => {
    await useDatasetsStore().load()
    const w = mountIn(NewRunForm)
    const target = () => w.find('[data-testid="field-evaluation.targetColumn"]')
    expect(target().exists()).toBe(false)
    await w.get('[data-testid="field-preset"]').setValue('tabular-mlp')
    await flushPromises()
    // Toy points have no table to predict a column of.
    expect(target().exists()).toBe(false)
    await w.get('[data-testid="field-dataset"]').setValue(4)
    expect(target().findAll('option').map((o) => o.text())).toEqual(['none', 'temp', 'sky'])
    expect((target().element as HTMLSelectElement).selectedIndex).toBe(0)
    expect(w.get('[data-field="evaluation.targetColumn"]').text()).toContain('holds out 20% of rows to score a model trained on generated rows (TSTR) against one trained on real rows (TRTR)')
    await target().setValue('sky')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('runs:create')[0].config).toMatchObject({ preset: 'tabular-mlp', dataset: 4, evaluation: { targetColumn: 'sky' } })
    await w.get('[data-testid="field-dataset"]').setValue('toy-ring-8')
    await flushPromises()
    expect(target().exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('runs:create')[1].config).toMatchObject({ dataset: 'toy-ring-8', evaluation: { targetColumn: null } })
  })

  it('deletes an imported data set, or says which runs still use it', async () => {
    api.handlers['datasets:delete'] = () => {
      throw new LabError('CONFLICT', 'Data set 3 is used by run 12; delete it first')
    }
    await useDatasetsStore().load()
    const w = mountIn(NewRunForm)
    expect(w.find('[data-testid="delete-dataset"]').exists()).toBe(false)
    await w.get('[data-testid="field-dataset"]').setValue(3)
    await w.get('[data-testid="delete-dataset"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="error-datasets"]').text()).toContain('Data set 3 is used by run 12; delete it first')
    api.handlers['datasets:delete'] = ({ id }) => ({ id })
    api.handlers['datasets:list'] = () => [BUILTIN_DATASET_INFO.mnist, weather]
    await w.get('[data-testid="delete-dataset"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('datasets:delete')).toEqual([{ id: 3 }, { id: 3 }])
    expect((w.get('[data-testid="field-dataset"]').element as HTMLSelectElement).value).toBe('mnist')
    expect(w.find('[data-testid="error-datasets"]').exists()).toBe(false)
  })

  it('shows the back end refusing a missing data set next to the field', async () => {
    api.handlers['runs:create'] = () => {
      throw new LabError('INVALID_CONFIG', 'Invalid run config: dataset: there is no data set 3', [{ field: 'dataset', message: 'there is no data set 3' }])
    }
    await useDatasetsStore().load()
    const w = mountIn(NewRunForm)
    await w.get('[data-testid="field-dataset"]').setValue(3)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="error-dataset"]').text()).toBe('there is no data set 3')
  })
})

describe('DatasetImport', () => {
  it('previews the chosen file, re-checks changed column types, and saves under the chosen name', async () => {
    api.handlers['datasets:choose'] = () => preview
    api.handlers['datasets:preview'] = ({ columns }) => ({
      ...preview,
      summary: { ...preview.summary, columns: weather.columns!.map((c) => ({ ...c, type: columns.find((o) => o.name === c.name)!.type })) }
    })
    api.handlers['datasets:import'] = () => weather
    const w = mountIn(DatasetImport)
    await w.get('[data-testid="dataset-import-csv"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('datasets:choose')).toEqual([{ kind: 'csv' }])
    expect(w.get('[data-testid="dataset-summary"]').text()).toContain('2 columns, 1000 rows')
    expect(w.get('[data-testid="dataset-warnings"]').text()).toContain('3 rows with missing values skipped')
    expect((w.get('[data-testid="dataset-name"]').element as HTMLInputElement).value).toBe('weather')

    await w.get('[data-testid="dataset-column-sky"]').setValue('ignore')
    await flushPromises()
    expect(api.requestsTo('datasets:preview')[0]).toEqual({ token: 'tok', columns: [{ name: 'temp', type: 'numeric' }, { name: 'sky', type: 'ignore' }] })
    expect(w.get('[data-testid="dataset-summary"]').text()).toContain('1 column, 1000 rows')

    await w.get('[data-testid="dataset-name"]').setValue('Seattle')
    await w.get('[data-testid="dataset-save"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('datasets:import')[0]).toMatchObject({ token: 'tok', name: 'Seattle', columns: [{ name: 'temp', type: 'numeric' }, { name: 'sky', type: 'ignore' }] })
    expect(w.emitted('imported')).toEqual([[4]])
    expect(w.find('[data-testid="dataset-preview"]').exists()).toBe(false)
  })

  it('says how to import where the lab has no file dialog', async () => {
    api.handlers['datasets:choose'] = () => {
      throw new LabError('INVALID_REQUEST', 'Importing a data set needs a file on the lab machine. From a browser, run on that machine: npm run cli -- import-dataset FILE')
    }
    const w = mountIn(DatasetImport)
    await w.get('[data-testid="dataset-import-idx"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="dataset-error"]').text()).toContain('npm run cli -- import-dataset')
  })
})

describe('EpochSamplesView', () => {
  it('lists the first generated rows in the original columns, with a histogram per column', () => {
    const samples: EpochSamples = {
      kind: 'table',
      columns: weather.columns!,
      rows: Array.from({ length: 100 }, (_, i) => [i % 40 - 5, i % 2 ? 'sun' : 'rain']),
      real: Array.from({ length: 100 }, () => [20, 'sun'])
    }
    const w = mountIn(EpochSamplesView, { samples, epoch: 2 })
    expect(w.findAll('th').map((t) => t.text())).toEqual(['temp', 'sky'])
    const hists = w.findAll('[data-testid="column-histogram"]')
    expect(hists.map((h) => h.attributes('data-column'))).toEqual(['temp', 'sky'])
    expect(hists[1].findAll('title').map((t) => t.text())).toEqual(['rain: real 0%, generated 50%', 'sun: real 100%, generated 50%'])
    expect(hists[0].findAll('g')).toHaveLength(12)
    expect(w.findAll('[data-testid="samples-row"]')).toHaveLength(10)
    expect(w.findAll('[data-testid="samples-row"]')[1].text()).toBe('-4sun')
    w.get('[data-testid="export-samples"]').trigger('click')
    expect(w.emitted('export')).toEqual([[2]])
  })

  it('puts each column\'s distance under its histogram and the correlation difference beside them', () => {
    const columns: ColumnSpec[] = [
      { name: 'x', type: 'numeric', min: 0, max: 10 },
      { name: 'y', type: 'numeric', min: 0, max: 10 },
      { name: 'sky', type: 'categorical', categories: ['rain', 'sun'] }
    ]
    // Real: y rises with x; generated: y falls with x, x shifted by 5 for half the rows, all sun.
    const real = Array.from({ length: 40 }, (_, i) => [i % 10, i % 10, i % 2 ? 'sun' : 'rain'])
    const rows = Array.from({ length: 40 }, (_, i) => [(i % 10) + (i < 20 ? 5 : 0), 10 - (i % 10), 'sun'])
    const w = mountIn(EpochSamplesView, { samples: { kind: 'table', columns, rows, real } satisfies EpochSamples, epoch: 1 })
    expect(w.findAll('[data-testid="column-stat"]').map((s) => s.text())).toEqual(['KS 0.25', 'KS 0.10', 'TV 0.50'])
    const cells = w.findAll('[data-testid="correlation-cell"]').map((c) => c.text())
    expect(cells).toHaveLength(4)
    // Real correlation +1, generated strongly negative: the difference is large and positive off the diagonal.
    expect(Number(cells[1])).toBeGreaterThan(1.5)
    expect(w.get('[data-testid="correlation-diff"]').text()).toMatch(/largest \|Δ\| 1\.\d\d/)
  })

  it('draws generated points over the real ones and counts those off the plot', () => {
    const real = [
      [2, 0],
      [0, 2],
      [-2, 0],
      [0, -2]
    ]
    const samples: EpochSamples = { kind: 'points', columns: ['x', 'y'], real, fake: [[0.1, 0.1], [1, 1], [100, 100]] }
    const w = mountIn(EpochSamplesView, { samples, epoch: 1 })
    expect(w.findAll('[data-testid="scatter-real"] circle')).toHaveLength(4)
    expect(w.findAll('[data-testid="scatter-fake"] circle')).toHaveLength(2)
    expect(w.text()).toContain('1 generated points fall outside the plot')
    expect(w.find('[data-testid="sample-grid"]').exists()).toBe(false)
  })
})

describe('RunView of a toy run', () => {
  it('loads the epoch samples, not an image grid, and hides the latent explorer', async () => {
    const run = summary({ id: 5, preset: 'toy-mlp', status: 'completed', epochsDone: 1 })
    api.handlers['runs:list'] = () => [run]
    api.handlers['runs:get'] = () =>
      detail(run, { config: config({ ...PRESETS['toy-mlp'].defaults, name: run.name }), epochs: [epoch(1, { hasGrid: false, hasSamples: true })] })
    api.handlers['runs:metrics'] = () => series(1, 10)
    api.handlers['runs:samples'] = () => ({ kind: 'points', columns: ['x', 'y'], real: [[2, 0], [0, 2]], fake: [[1, 1]] })
    const runs = useRunsStore()
    await runs.start()
    await runs.select(5)
    const w = mountIn(RunView)
    await flushPromises()
    expect(api.requestsTo('runs:samples')).toEqual([{ id: 5, epoch: 1 }])
    expect(api.requestsTo('runs:grid')).toEqual([])
    expect(w.find('[data-testid="samples-scatter"]').exists()).toBe(true)
    expect(w.find('[data-testid="sample-grid"]').exists()).toBe(false)
    expect(w.find('[data-testid="latent-plane"]').exists()).toBe(false)
  })
})
