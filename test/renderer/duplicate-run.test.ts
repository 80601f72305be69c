// @vitest-environment jsdom
// "Run again with changes": the new-run form prefilled from a run, the same seed kept.
import { describe, expect, it } from 'vitest'
import { DEFAULT_TRICKS } from '@shared/config'
import { flushPromises, mount } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { config, detail, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

describe('duplicate run', () => {
  it('opens the form with the run config, the same seed and "(copy)" in the name, and creates the changed run', async () => {
    const original = summary({ id: 3, name: 'lr, "hot"', status: 'completed', seed: 4242 })
    const copy = summary({ id: 4, name: 'lr, "hot" (copy)', status: 'queued', seed: 4242 })
    const api = new FakeLabApi({
      'runs:list': () => [original],
      'presets:list': () => [],
      'runs:get': ({ id }) =>
        id === 3
          ? detail(original, {
              config: config({ name: 'old config name', seed: 4242, batchSize: 48, epochs: 3, optimizerD: { kind: 'sgd', lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.9 }, tricks: { ...DEFAULT_TRICKS, labelFlip: 0.1 } })
            })
          : detail(copy),
      'runs:metrics': () => series(1, 0),
      'runs:create': () => copy
    })
    setLabApi(api)
    const w = mount(App, { global: { plugins: [pinia()] } })
    await flushPromises()
    await w.get('[data-testid="run-row-3"]').trigger('click')
    await flushPromises()

    await w.get('[data-testid="duplicate-run"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="new-run-form"]').text()).toContain('Run again with changes')
    const value = (testid: string): string => (w.get(`[data-testid="${testid}"]`).element as HTMLInputElement).value
    expect(value('field-name')).toBe('lr, "hot" (copy)')
    expect(value('field-seed')).toBe('4242')
    expect(value('field-batchSize')).toBe('48')
    expect(value('field-optimizerD.kind')).toBe('sgd')

    await w.get('[data-testid="field-epochs"]').setValue(6)
    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    const [req] = api.requestsTo('runs:create')
    expect(req.config).toMatchObject({ name: 'lr, "hot" (copy)', seed: 4242, batchSize: 48, epochs: 6, optimizerD: { kind: 'sgd', lr: 0.01 }, tricks: { labelFlip: 0.1 } })
    expect(w.get('[data-testid="run-view"]').text()).toContain('lr, "hot" (copy)')

    // "New run" opens a fresh form, not the copy.
    await w.get('[data-testid="new-run"]').trigger('click')
    expect(w.get('[data-testid="new-run-form"]').text()).not.toContain('Run again with changes')
    expect((w.get('[data-testid="field-name"]').element as HTMLInputElement).value).not.toContain('(copy)')
  })
})
