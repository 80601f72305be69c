// @vitest-environment jsdom
// The runs list's text and status filter and its sortable columns, state in the runs store.
import { describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import { useRunsStore } from '@renderer/stores/runs'
import { filterRuns, sortRuns } from '@renderer/stores/runs-view'
import App from '@renderer/App.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { summary } from './helpers/fixtures'

const metrics = (gLoss: number) => ({ dLossReal: 0.5, dLossFake: 0.5, gLoss, dAccReal: 0.5, dAccFake: 0.5, wasserstein: null })
const RUNS = [
  summary({ id: 1, name: 'beta dcgan', preset: 'mnist-dcgan', optimizer: 'Adam 0.0002 β1 0.5', status: 'completed', createdAt: 100, lastMetrics: metrics(2), tags: ['baseline'] }),
  summary({ id: 2, name: 'alpha', preset: 'mnist-mlp', optimizer: 'SGD 0.01', status: 'diverged', createdAt: 300, lastMetrics: metrics(0.5) }),
  summary({ id: 3, name: 'Gamma', preset: 'mnist-mlp', optimizer: 'Adam 0.001 β1 0.9', status: 'completed', createdAt: 200, lastMetrics: null, tags: ['sweep'] })
]
const ids = (list: { id: number }[]): number[] => list.map((r) => r.id)

const pinia = useAppTestSetup()

describe('filterRuns and sortRuns', () => {
  it('matches every word against name, preset, optimizer and tags, case-insensitively', () => {
    expect(ids(filterRuns(RUNS, 'DCGAN', 'all'))).toEqual([1])
    expect(ids(filterRuns(RUNS, 'sgd', 'all'))).toEqual([2])
    expect(ids(filterRuns(RUNS, 'sweep', 'all'))).toEqual([3])
    expect(ids(filterRuns(RUNS, 'mlp adam', 'all'))).toEqual([3])
    expect(ids(filterRuns(RUNS, '  ', 'completed'))).toEqual([1, 3])
    expect(ids(filterRuns(RUNS, 'mlp', 'diverged'))).toEqual([2])
  })

  it('sorts by name, created, status and last G loss, runs without a loss last', () => {
    expect(ids(sortRuns(RUNS, 'name', 'asc'))).toEqual([2, 1, 3])
    expect(ids(sortRuns(RUNS, 'created', 'desc'))).toEqual([2, 3, 1])
    expect(ids(sortRuns(RUNS, 'status', 'asc'))).toEqual([3, 1, 2])
    expect(ids(sortRuns(RUNS, 'gLoss', 'asc'))).toEqual([2, 1, 3])
    expect(ids(sortRuns(RUNS, 'gLoss', 'desc'))).toEqual([1, 2, 3])
  })
})

describe('runs list filter and sort in the app', () => {
  async function mountApp(): Promise<VueWrapper> {
    setLabApi(new FakeLabApi({ 'runs:list': () => RUNS, 'presets:list': () => [] }))
    const w = mount(App, { global: { plugins: [pinia()] } })
    await flushPromises()
    return w
  }
  const rowIds = (w: VueWrapper): string[] => w.findAll('[data-testid^="run-row-"]').map((r) => r.attributes('data-testid')!.slice(8))

  it('filters by text and status and says when nothing matches', async () => {
    const w = await mountApp()
    expect(rowIds(w)).toEqual(['2', '3', '1'])
    await w.get('[data-testid="runs-filter"]').setValue('mlp')
    expect(rowIds(w)).toEqual(['2', '3'])
    expect(useRunsStore().filterText).toBe('mlp')
    await w.get('[data-testid="runs-status-filter"]').setValue('completed')
    expect(rowIds(w)).toEqual(['3'])
    expect(useRunsStore().statusFilter).toBe('completed')
    await w.get('[data-testid="runs-filter"]').setValue('nothing like this')
    expect(rowIds(w)).toEqual([])
    expect(w.get('[data-testid="runs-list"]').text()).toContain('No runs match the filter.')
  })

  it('sorts by a clicked column and flips on a second click', async () => {
    const w = await mountApp()
    await w.get('[data-testid="sort-name"]').trigger('click')
    expect(rowIds(w)).toEqual(['2', '1', '3'])
    await w.get('[data-testid="sort-name"]').trigger('click')
    expect(rowIds(w)).toEqual(['3', '1', '2'])
    expect(useRunsStore().sortDir).toBe('desc')
    await w.get('[data-testid="sort-gLoss"]').trigger('click')
    expect(rowIds(w)).toEqual(['2', '1', '3'])
    await w.get('[data-testid="sort-status"]').trigger('click')
    expect(rowIds(w)).toEqual(['3', '1', '2'])
    await w.get('[data-testid="sort-created"]').trigger('click')
    expect(rowIds(w)).toEqual(['2', '3', '1'])
    expect(w.get('[data-testid="sort-created"]').element.closest('th')?.getAttribute('aria-sort')).toBe('descending')
    expect(w.get('[data-testid="sort-created"]').text()).toContain('▼')
  })
})
