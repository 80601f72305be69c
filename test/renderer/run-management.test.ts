// @vitest-environment jsdom
// Rename, notes and tags in the run view, against the fake LabApi.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { RunSummary } from '@shared/api'
import { setLabApi } from '@renderer/api/current'
import { useRunsStore } from '@renderer/stores/runs'
import RunView from '@renderer/views/RunView.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { detail, series, summary } from './helpers/fixtures'

let api: FakeLabApi
const pinia = useAppTestSetup()
let current: RunSummary

beforeEach(() => {
  current = summary({ id: 3, name: 'baseline', status: 'completed', tags: ['mlp'], notes: '' })
  api = new FakeLabApi({
    'runs:list': () => [current],
    'runs:get': () => detail(current),
    'runs:metrics': () => series(1, 0),
    'runs:update': ({ id, ...patch }) => {
      current = { ...current, id, ...patch }
      return current
    }
  })
  setLabApi(api)
})

async function mountView(): Promise<VueWrapper> {
  const runs = useRunsStore()
  await runs.start()
  await runs.select(3)
  const w = mount(RunView, { global: { plugins: [pinia()] }, attachTo: document.body })
  await flushPromises()
  return w
}

describe('RunView run management', () => {
  it('renames inline: click the name, type, Enter saves; Escape cancels', async () => {
    const w = await mountView()
    await w.get('[data-testid="run-name"]').trigger('click')
    const input = w.get('[data-testid="rename-input"]')
    expect((input.element as HTMLInputElement).value).toBe('baseline')
    await input.setValue('  lr 1e-3 ')
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(api.requestsTo('runs:update')).toEqual([{ id: 3, name: 'lr 1e-3' }])
    expect(w.get('[data-testid="run-name"]').text()).toBe('lr 1e-3')

    await w.get('[data-testid="run-name"]').trigger('click')
    await w.get('[data-testid="rename-input"]').setValue('nope')
    await w.get('[data-testid="rename-input"]').trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(api.requestsTo('runs:update')).toHaveLength(1)
    expect(w.get('[data-testid="run-name"]').text()).toBe('lr 1e-3')
    w.unmount()
  })

  it('saves notes on blur and adds and removes tag chips', async () => {
    const w = await mountView()
    const notes = w.get('[data-testid="run-notes"]')
    await notes.setValue('mode collapse after epoch 3')
    await notes.trigger('blur')
    await flushPromises()
    expect(api.requestsTo('runs:update')).toEqual([{ id: 3, notes: 'mode collapse after epoch 3' }])

    const tag = w.get('[data-testid="new-tag"]')
    await tag.setValue(' adam ')
    await tag.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(api.requestsTo('runs:update')[1]).toEqual({ id: 3, tags: ['mlp', 'adam'] })
    expect(w.find('[data-testid="tag-adam"]').exists()).toBe(true)

    await w.get('[data-testid="remove-tag-mlp"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:update')[2]).toEqual({ id: 3, tags: ['adam'] })
    expect(w.find('[data-testid="tag-mlp"]').exists()).toBe(false)
    w.unmount()
  })

  it('shows the back end refusal of a rename', async () => {
    api.handlers['runs:update'] = () => {
      throw new Error('name: must be at most 120 characters')
    }
    const w = await mountView()
    await w.get('[data-testid="run-name"]').trigger('click')
    await w.get('[data-testid="rename-input"]').setValue('x')
    await w.get('[data-testid="rename-input"]').trigger('blur')
    await flushPromises()
    expect(useRunsStore().error).toContain('name: must be at most 120 characters')
    expect(w.get('[data-testid="run-name"]').text()).toBe('baseline')
    w.unmount()
  })
})
