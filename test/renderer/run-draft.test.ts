// @vitest-environment jsdom
// The new-run form's draft against the run-config schema: every schema field has an input in one
// of the form's sections (or is listed as not in the form), every input names a schema field,
// a draft round-trips every preset and example, and problems away from their input name its label.
import { describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { PRESETS, runConfigSchema, type RunConfig } from '@shared/config'
import { RUN_CONFIG_FIELDS, type RunConfigField } from '@shared/config-fields'
import { LabError } from '@shared/errors'
import { BUILTIN_DATASET_INFO, BUILTIN_DATASETS, type DatasetInfo } from '@shared/datasets'
import { EXAMPLES } from '@shared/examples'
import { draftInput, draftOf } from '@renderer/composables/useRunDraft'
import { useDatasetsStore } from '@renderer/stores/datasets'
import { useRunsStore } from '@renderer/stores/runs'
import NewRunForm from '@renderer/views/NewRunForm.vue'
import { useFakeLab } from './helpers/app'
import { summary } from './helpers/fixtures'

/** Schema fields the form deliberately has no input for (none today); each needs its reason here. */
const NOT_IN_FORM: readonly RunConfigField[] = []
/** Form inputs that are not config fields. */
const FORM_ONLY = ['example']

const lab = useFakeLab(() => ({ 'runs:create': ({ config }) => summary({ id: 42, name: config.name }) }))

const shownFields = (w: VueWrapper): string[] => w.findAll('[data-field]').map((f) => f.attributes('data-field')!)

/** Every field the form shows in any of its states: each optimizer kind, each loss, a D from a run, the table preset. */
async function everyFieldShown(): Promise<Set<string>> {
  lab.api.handlers['runs:list'] = () => [summary({ id: 3, name: 'old', preset: 'mnist-dcgan-small', epochsDone: 2 })]
  await useRunsStore().refresh()
  const table: DatasetInfo = { id: 7, name: 'table', kind: 'tabular', image: null, columns: [{ name: 'a', type: 'numeric', min: 0, max: 1 }], count: 200, classes: null, source: 'table.csv', importedAt: 1 }
  lab.api.handlers['datasets:list'] = () => [...BUILTIN_DATASETS.map((b) => BUILTIN_DATASET_INFO[b]), table]
  await useDatasetsStore().load()
  const w = lab.mount(NewRunForm)
  const seen = new Set(shownFields(w))
  const set = async (field: string, value: string | number): Promise<void> => {
    await w.get(`[data-testid="field-${field}"]`).setValue(value)
    for (const f of shownFields(w)) seen.add(f)
  }
  await set('optimizerD.kind', 'momentum')
  await set('optimizerG.kind', 'momentum')
  await set('tricks.loss', 'wgan')
  await set('tricks.loss', 'wgan-gp')
  await set('discriminator.from.runId', 3)
  // The table preset's own fields (the row encoding), and the target column of an imported table
  await set('preset', 'tabular-mlp')
  await set('dataset', 7)
  return seen
}

describe('the new-run draft and the run-config schema', () => {
  it('has an input in some section for every schema field not listed as outside the form, and none for a field the schema lacks', async () => {
    const shown = await everyFieldShown()
    const missing = RUN_CONFIG_FIELDS.filter((f) => !shown.has(f) && !NOT_IN_FORM.includes(f))
    expect(missing, 'schema fields without an input in any section of the new-run form (add one, or list them in NOT_IN_FORM)').toEqual([])
    const unknown = [...shown].filter((f) => !(RUN_CONFIG_FIELDS as string[]).includes(f) && !FORM_ONLY.includes(f))
    expect(unknown, 'form inputs naming no schema field').toEqual([])
    expect(NOT_IN_FORM.filter((f) => shown.has(f)), 'fields listed as not in the form that have an input').toEqual([])
  })

  it('binds each shown field to an input with its test id', async () => {
    const w = lab.mount(NewRunForm)
    for (const field of shownFields(w).filter((f) => !FORM_ONLY.includes(f))) {
      const box = w.get(`[data-field="${field}"]`)
      expect(box.find(`[data-testid="field-${field}"], [data-testid^="field-${field}-"]`).exists(), field).toBe(true)
    }
  })

  it('round-trips every preset and example through a draft', () => {
    const configs: RunConfig[] = [
      ...Object.values(PRESETS).map((p) => ({ ...p.defaults, name: p.id, seed: 1 })),
      ...EXAMPLES.map((e) => ({ ...e.config, name: e.id, seed: 2 })),
      { ...PRESETS['mnist-mlp'].defaults, name: 'from a run', seed: 3, discriminator: { from: { runId: 4, epoch: 2 }, freeze: 'body', regularizer: 'none', fromClassifier: false } }
    ]
    for (const config of configs) expect(runConfigSchema.parse(draftInput(draftOf(config)))).toEqual(config)
  })

  it('reads number inputs typed as text, blank as null where the schema takes null and as missing elsewhere', () => {
    const draft = draftOf({ ...PRESETS['mnist-mlp'].defaults, name: 'typed', seed: 1 })
    Object.assign(draft, { batchSize: ' 32 ', stepsPerEpoch: '', latentDim: '' })
    draft.optimizerD.lr = '0.01'
    draft.tricks.realLabel.min = '0.9'
    const parsed = runConfigSchema.parse(draftInput(draft))
    expect(parsed).toMatchObject({ batchSize: 32, stepsPerEpoch: null, latentDim: 100, optimizerD: { lr: 0.01 }, tricks: { realLabel: { min: 0.9, max: 1 } } })
    draft.epochs = ''
    const refused = runConfigSchema.safeParse(draftInput(draft))
    expect(refused.success).toBe(false)
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toEqual(['epochs'])
  })

  it("names a field the back end refuses by its label when its input is not on screen", async () => {
    lab.api.handlers['runs:create'] = () => {
      throw new LabError('INVALID_CONFIG', 'Invalid runs:create request', [
        { field: 'optimizerG.beta1', message: 'must be below 1' },
        { field: 'batchSize', message: 'too big for this machine' }
      ])
    }
    const w = lab.mount(NewRunForm)
    await w.get('[data-testid="field-optimizerG.kind"]').setValue('sgd')
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="error-batchSize"]').text()).toBe('too big for this machine')
    const form = w.get('[data-testid="error-form"]').text()
    expect(form).toBe('Generator β1: must be below 1')
    expect(form).not.toContain('optimizerG')
  })
})
