// @vitest-environment jsdom
// Sweeps and the run queue in the renderer: the sweep form sends the form's config and the
// grid, the runs list shows the sweep's runs, the compare view opens when they have all
// ended, and "runs at once" reads and sets the lab's setting.
import { describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import type { LabSettings, RunSummary } from '@shared/api'
import { PRESETS } from '@shared/config'
import { LabError } from '@shared/errors'
import type { Sweep } from '@shared/sweep'
import { useCompareStore } from '@renderer/stores/compare'
import { useRunsStore } from '@renderer/stores/runs'
import { mountApp, useAppTestSetup } from './helpers/app'
import { FakeLabApi } from './helpers/fake-api'
import { config, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

function fakeApi(): { api: FakeLabApi; settings: LabSettings } {
  const settings: LabSettings = { maxConcurrentRuns: 2 }
  const created: RunSummary[] = []
  const api = new FakeLabApi({
    'runs:list': () => created,
    'presets:list': () => Object.values(PRESETS),
    'datasets:list': () => [],
    'comparisons:list': () => [],
    'settings:get': () => settings,
    'settings:set': (patch) => {
      if ((patch.maxConcurrentRuns ?? 1) > 16) throw new LabError('INVALID_REQUEST', 'Invalid settings: maxConcurrentRuns: must be at most 16')
      Object.assign(settings, patch)
      return { ...settings }
    },
    'sweeps:create': (req) => {
      const runs = [10, 11, 12, 13].map((id, k) => summary({ id, name: `${req.name} · ${k}`, status: 'queued', tags: ['sweep 4'] }))
      created.push(...runs)
      const sweep: Sweep = { id: 4, name: req.name, axes: req.axes, runIds: runs.map((r) => r.id), compareWhenDone: req.compareWhenDone ?? true, createdAt: 1 }
      return { sweep, runs }
    },
    'runs:get': ({ id }) => ({ summary: summary({ id }), config: config(), backendReport: null, epochs: [], progress: null }),
    'runs:metrics': () => ({ step: [], epoch: [], timeMs: [], values: { dLossReal: [], dLossFake: [], gLoss: [], dAccReal: [], dAccFake: [], wasserstein: [] } }),
    'eval:scores': () => ({ scores: [], evaluation: null, pending: [], notice: null }),
    'classifier:status': () => ({ dataset: 'mnist', classifier: null, training: null }),
    'latent-views:list': () => []
  })
  return { api, settings }
}

async function openSweepForm(w: VueWrapper): Promise<void> {
  await w.get('[data-testid="new-run"]').trigger('click')
  await flushPromises()
  const toggle = w.get('[data-testid="sweep-toggle"]')
  ;(toggle.element as HTMLDetailsElement).open = true
}

describe('sweeps', () => {
  it('sends the Slurm executor with its options when the sweep is to train on a cluster, and waits for a work folder', async () => {
    const { api } = fakeApi()
    const w = await mountApp(pinia(), api)
    await openSweepForm(w)
    expect(w.find('[data-testid="sweep-slurm-workdir"]').exists()).toBe(false)
    await w.get('[data-testid="sweep-executor-kind"]').setValue('slurm')
    expect(w.get('[data-testid="sweep-start"]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('name the shared work folder')
    await w.get('[data-testid="sweep-slurm-workdir"]').setValue(' /scratch/me/sweeps ')
    await w.get('[data-testid="sweep-slurm-partition"]').setValue('gpu')
    await w.get('[data-testid="sweep-slurm-time"]').setValue('02:00:00')
    await w.get('[data-testid="sweep-slurm-gres"]').setValue('gpu:1')
    await w.get('[data-testid="sweep-slurm-args"]').setValue('--mem=16G  --qos=short')
    await w.get('[data-testid="sweep-start"]').trigger('click')
    await flushPromises()
    const [req] = api.requestsTo('sweeps:create')
    expect(req.executor).toEqual({ kind: 'slurm', workDir: '/scratch/me/sweeps', partition: 'gpu', time: '02:00:00', gres: 'gpu:1', account: undefined, sbatchArgs: ['--mem=16G', '--qos=short'] })
  })

  it("sends the form's config and the grid, shows the sweep's runs, and compares them when all have ended", async () => {
    const { api } = fakeApi()
    const w = await mountApp(pinia(), api)
    await openSweepForm(w)
    await w.get('[data-testid="field-name"]').setValue('opt sweep')
    await w.get('[data-testid="sweep-values-0"]').setValue('sgd, adam')
    await w.get('[data-testid="sweep-values-1"]').setValue('1, 2')
    expect(w.get('[data-testid="sweep-count"]').text()).toBe('4 runs')
    await w.get('[data-testid="sweep-start"]').trigger('click')
    await flushPromises()
    const [req] = api.requestsTo('sweeps:create')
    expect(req).toMatchObject({
      name: 'opt sweep',
      axes: [
        { field: 'optimizer.kind', values: ['sgd', 'adam'] },
        { field: 'seed', values: [1, 2] }
      ],
      compareWhenDone: true
    })
    expect(req.base).toMatchObject({ preset: 'mnist-dcgan-small', batchSize: PRESETS['mnist-dcgan-small'].defaults.batchSize })
    const runs = useRunsStore()
    expect(runs.filterText).toBe('sweep 4')
    expect(runs.selectedId).toBe(10)
    const compare = useCompareStore()
    expect(compare.runIds).toEqual([])
    for (const id of [10, 11, 12]) api.emit('runs:changed', summary({ id, status: 'completed', tags: ['sweep 4'] }))
    await flushPromises()
    expect(compare.runIds).toEqual([])
    api.emit('runs:changed', summary({ id: 13, status: 'failed', tags: ['sweep 4'] }))
    await flushPromises()
    expect(compare.runIds).toEqual([10, 11, 12, 13])
    w.unmount()
  })

  it('says why a sweep cannot start: too many runs, an empty field, or what the lab refused', async () => {
    const { api } = fakeApi()
    api.handlers['sweeps:create'] = () => {
      throw new LabError('INVALID_CONFIG', 'Invalid sweep: The point lr=20 is not a valid run: optimizerD.lr: must be at most 10')
    }
    const w = await mountApp(pinia(), api)
    await openSweepForm(w)
    await w.get('[data-testid="sweep-values-0"]').setValue('')
    expect(w.get('[data-testid="sweep-start"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="sweep-form"]').text()).toContain('give every field at least one value')
    await w.get('[data-testid="sweep-values-0"]').setValue('1,2,3,4,5')
    await w.get('[data-testid="sweep-values-1"]').setValue('1,2,3,4,5')
    expect(w.get('[data-testid="sweep-form"]').text()).toContain('25 runs is more than 24')
    await w.get('[data-testid="sweep-field-1"]').setValue('other')
    await w.get('[data-testid="sweep-other-1"]').setValue('optimizer.lr')
    await w.get('[data-testid="sweep-values-1"]').setValue('0.001, 20')
    await w.get('[data-testid="sweep-start"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('sweeps:create')[0].axes[1]).toEqual({ field: 'optimizer.lr', values: [0.001, 20] })
    expect(w.get('[data-testid="sweep-error"]').text()).toContain('The point lr=20 is not a valid run')
    w.unmount()
  })
})

describe('the sweeps list', () => {
  it('lists the lab\'s sweeps with how many runs have ended, shows their runs and compares them', async () => {
    const { api } = fakeApi()
    const runs = [summary({ id: 5, status: 'completed', tags: ['sweep 2'] }), summary({ id: 6, status: 'running', tags: ['sweep 2'] })]
    api.handlers['runs:list'] = () => runs
    api.handlers['sweeps:list'] = () => [{ id: 2, name: 'lr sweep', axes: [{ field: 'optimizer.lr', values: [0.001, 0.01] }], runIds: [5, 6], compareWhenDone: false, createdAt: 1 }]
    const w = await mountApp(pinia(), api)
    expect(w.get('[data-testid="sweep-2"]').text()).toContain('1/2 ended · optimizer.lr')
    await w.get('[data-testid="show-sweep-2"]').trigger('click')
    expect(useRunsStore().filterText).toBe('sweep 2')
    await w.get('[data-testid="compare-sweep-2"]').trigger('click')
    await flushPromises()
    expect(useCompareStore().runIds).toEqual([5, 6])
    // A sweep created in another window (a browser on the lab server) joins the list.
    api.emit('sweeps:changed', { id: 3, name: 'seeds', axes: [{ field: 'seed', values: [1, 2] }], runIds: [], compareWhenDone: false, createdAt: 2 })
    await flushPromises()
    expect(w.find('[data-testid="sweep-3"]').exists()).toBe(true)
    w.unmount()
  })
})

describe('runs at once', () => {
  it("shows the lab's setting and changes it, saying when the lab refuses", async () => {
    const { api, settings } = fakeApi()
    const w = await mountApp(pinia(), api)
    const input = w.get('[data-testid="runs-at-once"]')
    expect((input.element as HTMLInputElement).value).toBe('2')
    await input.setValue('3')
    await flushPromises()
    expect(settings.maxConcurrentRuns).toBe(3)
    await input.setValue('40')
    await flushPromises()
    // Named as the page labels it, not by the setting's name in the API.
    expect(w.get('[data-testid="runs-at-once-error"]').text()).toBe('Runs at once: must be at most 16')
    expect(api.takeRefused()).toEqual(['Invalid settings:set request: maxConcurrentRuns: must be at most 16'])
    // Another window changed it: this one follows.
    api.emit('settings:changed', { maxConcurrentRuns: 1 })
    await flushPromises()
    expect((w.get('[data-testid="runs-at-once"]').element as HTMLInputElement).value).toBe('1')
    w.unmount()
  })
})
