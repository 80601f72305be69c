// @vitest-environment jsdom
// Conditional runs in the renderer: the form's checkbox follows the data set's labels, the
// explorer asks for a class, the grid names its rows, and the scores show TSTR beside TRTR.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { ExplorerGridRequest, ExplorerGridResult, RunScores } from '@shared/api'
import { BUILTIN_DATASET_INFO, type DatasetInfo } from '@shared/datasets'
import type { EpochScores } from '@shared/evaluation'
import { setLabApi } from '@renderer/api/current'
import EvaluationPanel from '@renderer/components/EvaluationPanel.vue'
import LatentPlane from '@renderer/components/LatentPlane.vue'
import SampleGrid from '@renderer/components/SampleGrid.vue'
import { useDatasetsStore } from '@renderer/stores/datasets'
import NewRunForm from '@renderer/views/NewRunForm.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { summary } from './helpers/fixtures'
import { epochScores } from '../helpers/scores'

let api: FakeLabApi
const pinia = useAppTestSetup()

const unlabelled: DatasetInfo = {
  id: 5,
  name: 'faces',
  kind: 'images',
  image: { height: 28, width: 28, channels: 1 },
  columns: null,
  count: 300,
  classes: null,
  source: 'faces/',
  importedAt: 1
}

function answer(req: ExplorerGridRequest): ExplorerGridResult {
  const { id: _id, epoch, classLabel: _c, through: _t, ...coords } = req
  return { epoch, pngBase64: `PLANE${epoch}`, rows: req.resolution, cols: req.resolution, cached: false, coords }
}

beforeEach(() => {
  api = new FakeLabApi({
    'datasets:list': () => [BUILTIN_DATASET_INFO.mnist, unlabelled],
    'runs:create': ({ config }) => summary({ id: 8, name: config.name }),
    'explorer:grid': (req) => answer(req),
    'explorer:interpolate': (req) => ({ epoch: req.epoch, steps: req.steps, lerpPngBase64: 'L', slerpPngBase64: 'S', slerp: { degrees: 60, sameAsLerp: false } }),
    'latent-views:list': () => []
  })
  setLabApi(api)
})

const mountIn = (component: Parameters<typeof mount>[0], props: Record<string, unknown> = {}): VueWrapper =>
  mount(component, { props, global: { plugins: [pinia()] } }) as VueWrapper

describe('the conditional checkbox of the new-run form', () => {
  it('sends conditional runs for labelled images, and is unticked and disabled for data without labels', async () => {
    await useDatasetsStore().load()
    const w = mountIn(NewRunForm)
    const box = (): HTMLInputElement => w.get('[data-testid="field-conditional"]').element as HTMLInputElement
    expect(box().disabled).toBe(false)
    expect(w.text()).toContain('grids show one row per class')
    await w.get('[data-testid="field-conditional"]').setValue(true)
    await w.get('[data-testid="field-dataset"]').setValue(5)
    await flushPromises()
    expect(box().checked).toBe(false)
    expect(box().disabled).toBe(true)
    expect(w.text()).toContain('needs a data set with class labels')
    await w.get('[data-testid="field-dataset"]').setValue('mnist')
    await w.get('[data-testid="field-conditional"]').setValue(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('runs:create')[0].config).toMatchObject({ dataset: 'mnist', conditional: true })
    // The preset of points has no labels to condition on: no checkbox at all.
    await w.get('[data-testid="field-preset"]').setValue('toy-mlp')
    expect(w.find('[data-testid="field-conditional"]').exists()).toBe(false)
  })
})

describe('the latent explorer of a conditional run', () => {
  it('holds the chosen class over the plane and its strips', async () => {
    const w = mountIn(LatentPlane, { runId: 4, epochs: [1, 2], latentDim: 3, classes: 10 })
    expect(w.get('[data-testid="latent-field-class"]').findAll('option')).toHaveLength(10)
    await w.get('[data-testid="latent-field-class"]').setValue(7)
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('explorer:grid')[0]).toMatchObject({ id: 4, epoch: 2, classLabel: 7 })
  })

  it('sends no class for an unconditional run', async () => {
    const w = mountIn(LatentPlane, { runId: 4, epochs: [1], latentDim: 3 })
    expect(w.find('[data-testid="latent-field-class"]').exists()).toBe(false)
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('explorer:grid')[0]).not.toHaveProperty('classLabel')
  })
})

describe('the grid of a conditional run', () => {
  it('names its rows by class', () => {
    const w = mountIn(SampleGrid, { src: 'data:image/png;base64,AAAA', epoch: 3, rowLabels: ['0', '1', '2'] })
    expect(w.get('[data-testid="sample-grid-rows"]').findAll('li').map((li) => li.text())).toEqual(['0', '1', '2'])
    expect(w.get('[data-testid="sample-grid"]').attributes('alt')).toBe('Samples at epoch 3, one row per class (0 to 2)')
    const plain = mountIn(SampleGrid, { src: 'data:image/png;base64,AAAA', epoch: 3 })
    expect(plain.find('[data-testid="sample-grid-rows"]').exists()).toBe(false)
  })
})

describe('the scores of a conditional run', () => {
  const base: EpochScores = epochScores({
    conditional: { labelAccuracy: 0.81, tstrAccuracy: 0.62, trtrAccuracy: 0.88, tstrSamples: 500, tstrClassifier: 'MLP 128 hidden units, 5 epochs, Adam 1e-3, batch 64' }
  })

  it('charts label accuracy and TSTR against TRTR and tabulates them with what they came from', async () => {
    const scored: RunScores = { scores: [base, { ...base, epoch: 2, conditional: { ...base.conditional!, tstrAccuracy: 0.7 } }], evaluation: null, pending: [], notice: null }
    api.handlers['eval:scores'] = () => scored
    api.handlers['classifier:status'] = () => ({ dataset: 'mnist', classifier: null, training: null })
    const w = mountIn(EvaluationPanel, { runId: 3, checkpointEpochs: [1, 2] })
    await flushPromises()
    expect(w.find('[data-testid="score-chart-labels"]').exists()).toBe(true)
    expect(w.get('[data-testid="score-tstr-2"]').text()).toBe('70.0% (88.0%)')
    expect(w.get('[data-testid="tstr-note"]').text()).toContain('trained on 500 generated samples')
  })

  it('says where TSTR comes from when the run is not conditional', async () => {
    api.handlers['eval:scores'] = () => ({ scores: [{ ...base, conditional: null }], evaluation: null, pending: [], notice: null })
    api.handlers['classifier:status'] = () => ({ dataset: 'mnist', classifier: null, training: null })
    const w = mountIn(EvaluationPanel, { runId: 3, checkpointEpochs: [1] })
    await flushPromises()
    expect(w.find('[data-testid="score-chart-labels"]').exists()).toBe(false)
    expect(w.get('[data-testid="tstr-note"]').text()).toContain('scored for conditional runs')
  })
})
