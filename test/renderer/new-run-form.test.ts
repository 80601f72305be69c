// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { PRESETS, runConfigSchema } from '@shared/config'
import { LabError } from '@shared/errors'
import NewRunForm from '@renderer/views/NewRunForm.vue'
import { useRunsStore } from '@renderer/stores/runs'
import { timingKey, type StepTiming } from '@shared/timing'
import { exampleById } from '@shared/examples'
import { useFakeLab } from './helpers/app'
import { summary } from './helpers/fixtures'

const lab = useFakeLab(() => ({ 'runs:create': ({ config }) => summary({ id: 42, name: config.name }) }))

function mountForm(): VueWrapper {
  return lab.mount(NewRunForm)
}

function field(w: VueWrapper, name: string) {
  return w.get(`[data-testid="field-${name}"]`)
}

function submitButton(w: VueWrapper): HTMLButtonElement {
  return w.get('[data-testid="submit-run"]').element as HTMLButtonElement
}

describe('NewRunForm', () => {
  it('shows the run time from the step time measured for this kind of run, and warns when it takes hours', async () => {
    const asked: string[] = []
    let answer: (t: StepTiming) => void = () => undefined
    lab.serve({
      'timing:estimate': ({ config }) => {
        const key = timingKey(runConfigSchema.parse(config))
        asked.push(key)
        return new Promise<StepTiming>((resolve) => {
          answer = (t) => resolve({ ...t, key })
        })
      }
    })
    const w = mountForm()
    await field(w, 'preset').setValue('mnist-dcgan')
    await field(w, 'epochs').setValue('10')
    await field(w, 'stepsPerEpoch').setValue('')
    await flushPromises()
    expect(w.get('[data-testid="run-estimate"]').text()).toMatch(/timing a few steps/)
    answer({ key: '', msPerStep: 600, backend: 'wasm', steps: 5, source: 'measured', measuredAt: 1 })
    await flushPromises()
    // 10 full passes over MNIST at batch 32: 18,750 steps x 0.6 s = 3 h 8 min.
    const estimate = w.get('[data-testid="run-estimate"]')
    expect(estimate.text()).toMatch(/^Estimated time: about 3 h 8 min \(18,750 steps × 600 ms on wasm, measured on this machine/)
    expect(estimate.text()).toMatch(/would take hours/)
    expect(estimate.classes()).toContain('long')
    // A shorter run of the same kind needs no new measurement.
    const before = asked.length
    await field(w, 'epochs').setValue('1')
    await field(w, 'stepsPerEpoch').setValue('100')
    await flushPromises()
    expect(asked.length).toBe(before)
    expect(w.get('[data-testid="run-estimate"]').text()).toMatch(/^Estimated time: about 1 min \(100 steps × 600 ms/)
    expect(w.get('[data-testid="run-estimate"]').classes()).not.toContain('long')
  })


  it('starts valid, on the quick-start preset with its defaults filled in', () => {
    const w = mountForm()
    const quick = PRESETS['mnist-dcgan-small'].defaults
    expect((field(w, 'preset').element as HTMLSelectElement).value).toBe('mnist-dcgan-small')
    expect((field(w, 'batchSize').element as HTMLInputElement).value).toBe(String(quick.batchSize))
    expect((field(w, 'epochs').element as HTMLInputElement).value).toBe(String(quick.epochs))
    expect((field(w, 'stepsPerEpoch').element as HTMLInputElement).value).toBe(String(quick.stepsPerEpoch ?? ''))
    expect((field(w, 'tricks.realLabel.min').element as HTMLInputElement).value).toBe(String(quick.tricks.realLabel.min))
    expect((field(w, 'tricks.dBatch').element as HTMLSelectElement).value).toBe(quick.tricks.dBatch)
    expect((field(w, 'tricks.imageScale').element as HTMLSelectElement).value).toBe(quick.tricks.imageScale)
    expect((field(w, 'discriminator.regularizer').element as HTMLSelectElement).value).toBe(quick.discriminator.regularizer)
    expect(w.findAll('[data-testid^="error-"]')).toHaveLength(0)
    expect(submitButton(w).disabled).toBe(false)
  })

  it('fills in a named example whole (the seed DCGAN at batch 64 that D wins), and sends it as it is', async () => {
    const w = mountForm()
    await field(w, 'seed').setValue('5')
    await field(w, 'example').setValue('seed-dcgan-batch-64')
    expect((field(w, 'preset').element as HTMLSelectElement).value).toBe('mnist-dcgan')
    expect((field(w, 'batchSize').element as HTMLInputElement).value).toBe('64')
    expect((field(w, 'tricks.realLabel.min').element as HTMLInputElement).value).toBe('1')
    expect((field(w, 'tricks.imageScale').element as HTMLSelectElement).value).toBe('tanh')
    expect((field(w, 'optimizerD.lr').element as HTMLInputElement).value).toBe('0.0002')
    expect((field(w, 'name').element as HTMLInputElement).value).toMatch(/^Seed DCGAN, batch 64: D wins/)
    expect(w.text()).toMatch(/samples turn black/)
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    const [{ config }] = lab.api.requestsTo('runs:create')
    const { name, seed, ...rest } = runConfigSchema.parse(config)
    expect(seed).toBe(5)
    expect(name).toMatch(/^Seed DCGAN/)
    expect(rest).toEqual(exampleById('seed-dcgan-batch-64')!.config)
  })

  it('fills the defaults of the preset picked', async () => {
    const w = mountForm()
    await field(w, 'preset').setValue('mnist-mlp')
    expect((field(w, 'epochs').element as HTMLInputElement).value).toBe(String(PRESETS['mnist-mlp'].defaults.epochs))
    expect((field(w, 'stepsPerEpoch').element as HTMLInputElement).value).toBe('200')
  })

  it('shows a negative learning rate next to its field and disables submit', async () => {
    const w = mountForm()
    await field(w, 'optimizerD.lr').setValue('-0.001')
    expect(w.get('[data-testid="error-optimizerD.lr"]').text()).toBe('must be greater than 0')
    expect(w.find('[data-testid="error-optimizerG.lr"]').exists()).toBe(false)
    expect(submitButton(w).disabled).toBe(true)
  })

  it('refuses a batch size of 0 and a blank epoch count', async () => {
    const w = mountForm()
    await field(w, 'batchSize').setValue('0')
    await field(w, 'epochs').setValue('')
    expect(w.get('[data-testid="error-batchSize"]').text()).toBe('must be at least 1')
    expect(w.get('[data-testid="error-epochs"]').text()).toBe('must be a number')
    expect(submitButton(w).disabled).toBe(true)
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('runs:create')).toHaveLength(0)

    await field(w, 'batchSize').setValue('32')
    await field(w, 'epochs').setValue('3')
    expect(w.find('[data-testid="error-batchSize"]').exists()).toBe(false)
    expect(submitButton(w).disabled).toBe(false)
  })

  it('submits the parsed config and reports the new run', async () => {
    const w = mountForm()
    await field(w, 'name').setValue('  lr sweep a  ')
    await field(w, 'preset').setValue('mnist-mlp')
    await field(w, 'batchSize').setValue('32')
    await field(w, 'stepsPerEpoch').setValue('')
    await field(w, 'seed').setValue('1234')
    await field(w, 'optimizerD.kind').setValue('sgd')
    await field(w, 'optimizerD.lr').setValue('0.01')
    await field(w, 'optimizerG.lr').setValue('0.0005')
    await field(w, 'backend').setValue('cpu')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()

    const sent = lab.api.requestsTo('runs:create')
    expect(sent).toHaveLength(1)
    expect(sent[0].config).toEqual({
      ...PRESETS['mnist-mlp'].defaults,
      name: 'lr sweep a',
      batchSize: 32,
      stepsPerEpoch: null,
      seed: 1234,
      optimizerD: { kind: 'sgd', lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.9 },
      optimizerG: { kind: 'adam', lr: 0.0005, beta1: 0.5, beta2: 0.999, momentum: 0.9 },
      backend: 'cpu',
      discriminator: { from: null, freeze: 'none', regularizer: 'dropout', fromClassifier: false }
    })
    expect(runConfigSchema.safeParse(sent[0].config).success).toBe(true)
    expect(w.emitted('created')).toEqual([[42]])
  })

  it('sends the training tricks and refuses impossible ones next to their fields', async () => {
    const w = mountForm()
    await field(w, 'tricks.dStepsPerG').setValue('2')
    await field(w, 'tricks.realLabel.min').setValue('1.2')
    await field(w, 'tricks.realLabel.max').setValue('0.9')
    expect(w.get('[data-testid="error-tricks.realLabel.min"]').text()).toBe('min must not exceed max')
    expect(w.get('[data-testid="submit-run"]').attributes('disabled')).toBeDefined()
    await field(w, 'tricks.realLabel.min').setValue('0.7')
    await field(w, 'tricks.realLabel.max').setValue('1.2')
    await field(w, 'tricks.labelFlip').setValue('0.05')
    await field(w, 'tricks.latent').setValue('uniform')
    await field(w, 'tricks.dBatch').setValue('mixed')
    await field(w, 'tricks.loss').setValue('hinge')
    await field(w, 'optimizerG.kind').setValue('momentum')
    await field(w, 'optimizerG.momentum').setValue('0.8')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    const sent = lab.api.requestsTo('runs:create')[0].config
    // What was chosen, and every other trick (a field added later too) as the quick preset has it.
    const chosen = { dStepsPerG: 2, realLabel: { min: 0.7, max: 1.2 }, labelFlip: 0.05, latent: 'uniform', dBatch: 'mixed', loss: 'hinge' }
    expect(sent.tricks).toEqual({ ...PRESETS['mnist-dcgan-small'].defaults.tricks, ...chosen })
    expect(sent.tricks).toMatchObject({
      ...chosen,
      instanceNoise: { std: 0, decayEpochs: 0 },
      clip: 0.01,
      gpWeight: 10,
      // the quick preset's own initialisation, scale and G, untouched
      init: PRESETS['mnist-dcgan-small'].defaults.tricks.init,
      imageScale: PRESETS['mnist-dcgan-small'].defaults.tricks.imageScale,
      generatorNorm: 'batchnorm',
      tableTransform: 'minmax'
    })
    expect(sent.optimizerG).toMatchObject({ kind: 'momentum', momentum: 0.8 })
  })

  it("offers WGAN's and WGAN-GP's fields and the papers' optimizers, and sends what was chosen", async () => {
    const w = mountForm()
    expect(w.find('[data-testid="field-tricks.clip"]').exists()).toBe(false)
    expect(w.find('[data-testid="wgan-defaults"]').exists()).toBe(false)
    await field(w, 'tricks.loss').setValue('wgan')
    expect(w.get('[data-testid="wgan-note"]').text()).toContain('no accuracy')
    expect(w.get('[data-testid="wgan-defaults"]').text()).toContain('WGAN paper: RMSprop 0.00005 for both networks, n_critic = 5')
    await field(w, 'tricks.clip').setValue('0')
    expect(w.get('[data-testid="error-tricks.clip"]').text()).toBe('must be greater than 0')
    await field(w, 'tricks.clip').setValue('0.02')
    await w.get('[data-testid="apply-wgan-defaults"]').trigger('click')
    expect(w.find('[data-testid="wgan-defaults"]').exists()).toBe(false)
    expect((field(w, 'optimizerD.kind').element as HTMLSelectElement).value).toBe('rmsprop')
    expect((field(w, 'tricks.dStepsPerG').element as HTMLInputElement).value).toBe('5')
    // Label smoothing means nothing to a critic: refused next to its field.
    await field(w, 'tricks.realLabel.min').setValue('0.9')
    expect(w.get('[data-testid="error-tricks.realLabel.min"]').text()).toBe('a wgan critic has no labels to smooth; use 1-1')
    await field(w, 'tricks.realLabel.min').setValue('1')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    const sent = lab.api.requestsTo('runs:create')[0].config
    expect(sent.tricks).toMatchObject({ loss: 'wgan', clip: 0.02, dStepsPerG: 5 })
    expect(sent.optimizerD).toMatchObject({ kind: 'rmsprop', lr: 5e-5 })
    expect(sent.optimizerG).toMatchObject({ kind: 'rmsprop', lr: 5e-5 })

    await field(w, 'tricks.loss').setValue('wgan-gp')
    expect(w.find('[data-testid="field-tricks.clip"]').exists()).toBe(false)
    // The quick preset's D is batch-normalised, which a gradient penalty cannot take: the paper's defaults drop it.
    expect(w.get('[data-testid="error-discriminator.regularizer"]').text()).toContain('WGAN-GP penalises each image')
    expect(w.get('[data-testid="wgan-defaults"]').text()).toContain('WGAN-GP paper: Adam 0.0001 β1 0 β2 0.9 for both networks, n_critic = 5, no batch norm in D')
    await w.get('[data-testid="apply-wgan-defaults"]').trigger('click')
    expect((field(w, 'discriminator.regularizer').element as HTMLSelectElement).value).toBe('none')
    await field(w, 'tricks.gpWeight').setValue('5')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    const gp = lab.api.requestsTo('runs:create')[1].config
    expect(gp.tricks).toMatchObject({ loss: 'wgan-gp', gpWeight: 5 })
    expect(gp.optimizerD).toMatchObject({ kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 })
  })

  it("offers the tabular preset's row sampling: by category with the modes encoding, shuffled rows with min-max", async () => {
    const w = mountForm()
    expect(w.find('[data-testid="field-tricks.tableSampling"]').exists()).toBe(false)
    await field(w, 'preset').setValue('tabular-mlp')
    expect((field(w, 'tricks.tableSampling').element as HTMLSelectElement).value).toBe('by-category')
    await field(w, 'tricks.tableTransform').setValue('minmax')
    expect((field(w, 'tricks.tableSampling').element as HTMLSelectElement).value).toBe('rows')
    expect(w.get('[data-testid="field-tricks.tableSampling"] option[value="by-category"]').attributes('disabled')).toBeDefined()
    await field(w, 'tricks.tableTransform').setValue('modes')
    await field(w, 'tricks.tableSampling').setValue('by-category')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('runs:create')[0].config.tricks).toMatchObject({ tableTransform: 'modes', tableSampling: 'by-category' })
  })

  it('starts D from an earlier run of the same preset, at its last epoch by default', async () => {
    lab.api.handlers['runs:list'] = () => [
      summary({ id: 3, name: 'old mlp', preset: 'mnist-mlp', epochsDone: 4 }),
      summary({ id: 4, name: 'old dcgan', preset: 'mnist-dcgan', epochsDone: 2 }),
      summary({ id: 5, name: 'no checkpoints', preset: 'mnist-mlp', epochsDone: 0 })
    ]
    await useRunsStore().refresh()
    const w = mountForm()
    await field(w, 'preset').setValue('mnist-mlp')
    const options = field(w, 'discriminator.from.runId').findAll('option').map((o) => o.text())
    expect(options).toEqual(['scratch', '#3 old mlp (4 epochs)'])
    await field(w, 'discriminator.from.runId').setValue(3)
    expect((field(w, 'discriminator.from.epoch').element as HTMLInputElement).value).toBe('4')
    await field(w, 'discriminator.freeze').setValue('body')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('runs:create')[0].config.discriminator).toEqual({ from: { runId: 3, epoch: 4 }, freeze: 'body', regularizer: 'dropout', fromClassifier: false })
  })

  it("starts D from the reference classifier's body when ticked, and then offers no run to start from", async () => {
    const w = mountForm()
    await field(w, 'preset').setValue('mnist-mlp')
    await field(w, 'discriminator.fromClassifier').setValue(true)
    expect(field(w, 'discriminator.from.runId').attributes('disabled')).toBeDefined()
    await field(w, 'discriminator.freeze').setValue('all')
    expect(w.get('[data-testid="error-discriminator.freeze"]').text()).toBe('a D from the classifier has a new head that must train: freeze none or the body')
    await field(w, 'discriminator.freeze').setValue('body')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('runs:create')[0].config.discriminator).toEqual({ from: null, freeze: 'body', regularizer: 'dropout', fromClassifier: true })
  })

  it('places the back end objections next to their fields and clears them on edit', async () => {
    lab.api.handlers['runs:create'] = () => {
      throw new LabError('INVALID_CONFIG', 'Invalid runs:create request', [
        { field: 'name', message: 'a run with this name exists' },
        { field: '(config)', message: 'unknown field foo' }
      ])
    }
    const w = mountForm()
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="error-name"]').text()).toBe('a run with this name exists')
    expect(w.get('[data-testid="error-form"]').text()).toContain('unknown field foo')
    expect(w.emitted('created')).toBeUndefined()

    await field(w, 'name').setValue('another name')
    expect(w.find('[data-testid="error-name"]').exists()).toBe(false)
    expect(w.find('[data-testid="error-form"]').exists()).toBe(false)
  })

  it('shows a back end error without issues as a form error', async () => {
    lab.api.handlers['runs:create'] = () => {
      throw new LabError('DATA_ERROR', 'This IDX file says 60000 images but holds 59999')
    }
    const w = mountForm()
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="error-form"]').text()).toContain('DATA_ERROR: This IDX file says 60000 images but holds 59999')
    expect(submitButton(w).disabled).toBe(false)
  })
})

describe('NewRunForm sample quality', () => {
  it('sends the scoring schedule, sample count, best-epoch score and early-stop flags, and refuses a bad count by field', async () => {
    const w = mountForm()
    expect((field(w, 'evaluation.every').element as HTMLInputElement).value).toBe('1')
    expect((field(w, 'evaluation.samples').element as HTMLInputElement).value).toBe('2000')
    await field(w, 'evaluation.samples').setValue('10')
    expect(w.get('[data-testid="error-evaluation.samples"]').text()).toBe('must be at least 50')
    expect(submitButton(w).disabled).toBe(true)
    await field(w, 'evaluation.samples').setValue('500')
    await field(w, 'evaluation.every').setValue('2')
    await field(w, 'evaluation.bestBy').setValue('coverage')
    await field(w, 'evaluation.earlyStopOn-convergence').setValue(true)
    await field(w, 'evaluation.earlyStopOn-mode-collapse').setValue(true)
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('runs:create')[0].config.evaluation).toEqual({ every: 2, samples: 500, bestBy: 'coverage', earlyStopOn: ['convergence', 'mode-collapse'], targetColumn: null })
  })
})
