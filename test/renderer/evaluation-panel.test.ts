// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { RunScores } from '@shared/api'
import type { ClassifierInfo, ClassifierStatus, EpochScores } from '@shared/evaluation'
import { LabError } from '@shared/errors'
import { setLabApi } from '@renderer/api/current'
import EvaluationPanel from '@renderer/components/EvaluationPanel.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'

let api: FakeLabApi
const pinia = useAppTestSetup()

const info: ClassifierInfo = {
  dataset: 'mnist',
  id: 'mnist-convnet-32x64-d128-abc',
  arch: { convFilters: [32, 64], denseUnits: 128 },
  classes: 10,
  featureDim: 128,
  epochs: 2,
  trainCount: 60000,
  testCount: 10000,
  testAccuracy: 0.987,
  backend: 'wasm',
  durationMs: 415_000,
  trainedAt: 0
}

function scores(epoch: number, fid: number): EpochScores {
  return {
    epoch,
    classifierId: info.id,
    classifierAccuracy: info.testAccuracy,
    realCount: 2000,
    generatedCount: 1500,
    fid,
    fidFloor: 1.73,
    classifierScore: 8.1,
    realClassifierScore: 9.47,
    precision: 0.7,
    recall: 0.6,
    density: 0.8,
    coverage: 0.65,
    histogram: [10, 20, 30, 40, 50, 60, 70, 80, 90, 1050],
    classesCovered: 9,
    fixedBatchDiversity: 0.9,
    conditional: null,
    createdAt: 0
  }
}

const missing: ClassifierStatus = { dataset: 'mnist', classifier: null, training: null }
const noScores: RunScores = { scores: [], evaluation: null, pending: [], notice: 'There is no reference classifier for MNIST yet, so no epoch is scored: train it in the Evaluation panel.' }

beforeEach(() => {
  api = new FakeLabApi({ 'classifier:status': () => missing, 'eval:scores': () => noScores })
  setLabApi(api)
})

const mountPanel = () => mount(EvaluationPanel, { props: { runId: 3, checkpointEpochs: [1, 2, 3] }, global: { plugins: [pinia()] } })

describe('EvaluationPanel', () => {
  it('says there is no classifier, trains one with progress, then shows its accuracy', async () => {
    api.handlers['classifier:train'] = () => ({ dataset: 'mnist', classifier: null, training: { epoch: 0, epochs: 2, step: 0, stepsPerEpoch: 0, lastAccuracy: null } })
    const w = mountPanel()
    await flushPromises()
    expect(w.get('[data-testid="classifier-missing"]').text()).toContain('No reference classifier for MNIST yet')
    expect(w.get('[data-testid="eval-notice"]').text()).toContain('no epoch is scored')
    expect(w.get('[data-testid="score-epoch"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="train-classifier"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('classifier:train')).toEqual([{}])
    expect(w.get('[data-testid="train-classifier"]').attributes('disabled')).toBeDefined()
    api.emit('classifier:progress', { dataset: 'mnist', classifier: null, training: { epoch: 2, epochs: 2, step: 100, stepsPerEpoch: 469, lastAccuracy: 0.983 } })
    await flushPromises()
    expect(w.get('[data-testid="classifier-progress"]').text()).toMatch(/epoch 2\/2, step 100\/469\s+· accuracy after the last epoch 98\.3%/)
    api.emit('classifier:changed', { dataset: 'mnist', classifier: info, training: null })
    await flushPromises()
    expect(w.find('[data-testid="classifier-progress"]').exists()).toBe(false)
    expect(w.get('[data-testid="classifier-info"]').text()).toMatch(/mnist-convnet-32x64-d128-abc: 98\.7% test accuracy \(10000 test images; trained on 60000 images, 2 epochs on wasm/)
  })

  it('shows a failed training with its reason', async () => {
    const w = mountPanel()
    await flushPromises()
    api.emit('classifier:changed', { dataset: 'mnist', classifier: null, training: null, error: 'Training the reference classifier failed: MNIST file not found: /x' })
    await flushPromises()
    expect(w.get('[data-testid="classifier-error"]').text()).toContain('MNIST file not found: /x')
  })

  it('lists the scores with their sample counts and classifier, marks the best epoch, and shows flags with explanations', async () => {
    api.handlers['classifier:status'] = () => ({ dataset: 'mnist', classifier: info, training: null })
    api.handlers['eval:scores'] = () => ({
      scores: [scores(1, 40), scores(2, 12.5), scores(3, 30)],
      evaluation: {
        bestBy: 'fid',
        bestEpoch: 2,
        bestValue: 12.5,
        flags: [{ kind: 'regressed', epoch: 3, explanation: 'Classifier FID at the last scored epoch 3 is 30.00, much worse than 12.50 at epoch 2' }]
      },
      pending: [],
      notice: null
    })
    const w = mountPanel()
    await flushPromises()
    expect(api.requestsTo('eval:scores')).toEqual([{ id: 3 }])
    expect(w.get('[data-testid="best-epoch"]').text()).toMatch(/Best epoch 2 by Classifier FID \(12\.500, lower is better\)/)
    const row = w.get('[data-testid="score-row-2"]')
    expect(row.classes()).toContain('best')
    expect(row.text()).toContain('★ 2')
    expect(row.text()).toContain('12.50 (1.73)')
    expect(row.text()).toContain('8.10 (9.47)')
    expect(row.text()).toContain('9/10')
    expect(row.text()).toContain('2000 / 1500')
    expect(row.text()).toContain(info.id)
    expect(w.get('[data-testid="score-row-3"]').classes()).not.toContain('best')
    expect(w.get('[data-testid="score-chart-fid"]').attributes()).toMatchObject({ 'data-points': '3', 'data-best': '2' })
    expect(w.get('[data-testid="flag-regressed"]').text()).toMatch(/Worse than its best \(epoch 3\): Classifier FID at the last scored epoch 3/)
    expect(w.find('[data-testid="eval-notice"]').exists()).toBe(false)
  })

  it('scores a chosen checkpoint on demand, shows it pending, and shows a refusal', async () => {
    api.handlers['classifier:status'] = () => ({ dataset: 'mnist', classifier: info, training: null })
    let release: (() => void) | null = null
    api.handlers['eval:run'] = (req) => new Promise((resolve) => (release = () => resolve(scores(req.epoch, 20))))
    const w = mountPanel()
    await flushPromises()
    expect((w.get('[data-testid="score-epoch-select"]').element as HTMLSelectElement).value).toBe('3')
    await w.get('[data-testid="score-epoch-select"]').setValue('2')
    await w.get('[data-testid="score-epoch"]').trigger('click')
    api.emit('eval:scores', { runId: 3, scores: { ...noScores, notice: null, pending: [2] } })
    await flushPromises()
    expect(api.requestsTo('eval:run')).toEqual([{ id: 3, epoch: 2 }])
    expect(w.get('[data-testid="scoring-pending"]').text()).toContain('scoring epoch 2')
    api.handlers['eval:scores'] = () => ({ scores: [scores(2, 20)], evaluation: { bestBy: 'fid', bestEpoch: 2, bestValue: 20, flags: [] }, pending: [], notice: null })
    release!()
    await flushPromises()
    expect(w.find('[data-testid="scoring-pending"]').exists()).toBe(false)
    expect(w.get('[data-testid="score-row-2"]').text()).toContain('20.00')

    api.handlers['eval:run'] = () => {
      throw new LabError('NOT_FOUND', 'The checkpoint of run 3 for epoch 1 is missing its generator files (/x)')
    }
    await w.get('[data-testid="score-epoch-select"]').setValue('1')
    await w.get('[data-testid="score-epoch"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="score-error"]').text()).toContain('missing its generator files')
  })
})
