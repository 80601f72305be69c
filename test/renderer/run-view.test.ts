// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { RunSummary } from '@shared/api'
import { setLabApi } from '@renderer/api/current'
import { useRunsStore } from '@renderer/stores/runs'
import RunView from '@renderer/views/RunView.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { appendRows, emptySeries } from '@shared/metrics'
import { config, detail, epoch, rows, series, summary } from './helpers/fixtures'

let api: FakeLabApi
const pinia = useAppTestSetup()

const diverged = summary({
  id: 7,
  name: 'too hot',
  status: 'diverged',
  statusMessage: 'Diverged at step 412: dLossReal=NaN, gLoss=Infinity',
  epochs: 5,
  epochsDone: 3,
  stepsDone: 412,
  endedAt: 1_700_000_100_000
})

beforeEach(() => {
  api = new FakeLabApi({
    'runs:list': () => [diverged],
    'runs:get': ({ id }) =>
      detail(id === 7 ? diverged : summary({ id }), {
        epochs: [epoch(1), epoch(2), epoch(3)],
        backendReport: {
          requested: 'auto',
          chosen: 'wasm',
          skipped: [
            { backend: 'tensorflow-gpu', reason: 'no CUDA device found' },
            { backend: 'tensorflow', reason: '@tensorflow/tfjs-node is not installed' }
          ],
          detail: 'SIMD on, threads off'
        }
      }),
    'runs:metrics': () => series(1, 412),
    'runs:grid': ({ epoch: e }) => ({ epoch: e, pngBase64: `GRID${e}`, rows: 4, cols: 4 })
  })
  setLabApi(api)
})

async function mountSelected(id = 7): Promise<VueWrapper> {
  const runs = useRunsStore()
  await runs.start()
  await runs.select(id)
  const w = mount(RunView, { global: { plugins: [pinia()] } })
  await flushPromises()
  return w
}

function gridSrc(w: VueWrapper): string | undefined {
  return w.get('[data-testid="sample-grid"]').attributes('src')
}

describe('RunView', () => {
  it('shows why the run ended, prominently', async () => {
    const w = await mountSelected()
    expect(w.get('[data-testid="run-status"]').text()).toBe('diverged')
    const message = w.get('[data-testid="run-message"]')
    expect(message.attributes('role')).toBe('alert')
    expect(message.text()).toContain('Training diverged')
    expect(message.text()).toContain('Diverged at step 412: dLossReal=NaN, gLoss=Infinity')
  })

  it('names the backend and why each better one was skipped', async () => {
    const w = await mountSelected()
    expect(w.get('[data-testid="backend-badge"]').attributes('data-backend')).toBe('wasm')
    const skipped = w.get('[data-testid="backend-skipped"]').text()
    expect(skipped).toContain('no CUDA device found')
    expect(skipped).toContain('@tensorflow/tfjs-node is not installed')
  })

  it('shows the progress of a finished run from its summary', async () => {
    const w = await mountSelected()
    const bar = w.get('[data-testid="progress-bar"]')
    expect(bar.attributes('data-step')).toBe('412')
    expect(bar.attributes('data-epoch')).toBe('3')
  })

  it('follows the latest grid, and the scrubber switches the image', async () => {
    const w = await mountSelected()
    expect(gridSrc(w)).toBe('data:image/png;base64,GRID3')

    await w.get('[data-testid="epoch-scrubber"]').setValue('0')
    await flushPromises()
    expect(gridSrc(w)).toBe('data:image/png;base64,GRID1')
    expect((w.get('[data-testid="epoch-follow"]').element as HTMLInputElement).checked).toBe(false)

    // A new epoch does not move a picked grid...
    api.emit('trainer:epoch', { runId: 7, epoch: epoch(4) })
    await flushPromises()
    expect(gridSrc(w)).toBe('data:image/png;base64,GRID1')

    // ...until "latest" is switched back on.
    await w.get('[data-testid="epoch-follow"]').setValue(true)
    await flushPromises()
    expect(gridSrc(w)).toBe('data:image/png;base64,GRID4')
    expect(api.requestsTo('runs:grid').map((r) => r.epoch)).toEqual([3, 1, 4])
  })

  it("charts a critic's Wasserstein estimate instead of accuracy, and leaves accuracies out of its epoch table", async () => {
    const critic = config({ tricks: { ...config().tricks, loss: 'wgan-gp' } })
    const means = { dLossReal: -0.2, dLossFake: 0.1, gLoss: -0.1, dAccReal: null, dAccFake: null, wasserstein: 0.3 }
    api.handlers['runs:get'] = () => detail(diverged, { config: critic, epochs: [epoch(1, { means })] })
    const criticRows = rows(1, 40).map((r) => ({ ...r, dAccReal: null, dAccFake: null, wasserstein: r.step / 100 }))
    api.handlers['runs:metrics'] = () => {
      const s = emptySeries()
      appendRows(s, criticRows)
      return s
    }
    const w = await mountSelected()
    expect(w.find('[data-testid="accuracy-chart"]').exists()).toBe(false)
    expect(w.find('[data-testid="wasserstein-chart"]').exists()).toBe(true)
    expect(w.text()).toContain('Wasserstein estimate (critic)')
    const table = w.get('[data-testid="epoch-table"]').text()
    expect(table).toContain('W est.')
    expect(table).toContain('0.300')
    expect(table).not.toContain('D acc')

    // A GAN keeps its accuracy chart.
    api.handlers['runs:get'] = () => detail(diverged, { epochs: [epoch(1)] })
    const other = await mountSelected()
    expect(other.find('[data-testid="wasserstein-chart"]').exists()).toBe(false)
    expect(other.find('[data-testid="accuracy-chart"]').exists()).toBe(true)
    expect(other.get('[data-testid="epoch-table"]').text()).not.toContain('W est.')
  })

  it('stops an active run', async () => {
    const running: RunSummary = { ...diverged, status: 'running', statusMessage: null }
    api.handlers['runs:list'] = () => [running]
    api.handlers['runs:get'] = () => detail(running)
    api.handlers['runs:stop'] = () => ({ ...running, status: 'stopped' })
    const w = await mountSelected()
    expect(w.find('[data-testid="run-message"]').exists()).toBe(false)
    await w.get('[data-testid="stop-run"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:stop')).toEqual([{ id: 7 }])
    expect(w.get('[data-testid="run-status"]').text()).toBe('stopped')
    expect((w.get('[data-testid="stop-run"]').element as HTMLButtonElement).disabled).toBe(true)
  })

  it('names each damaged stored field, and the run can still be deleted', async () => {
    const problems = ['runs.backend_report_json is not valid JSON (Unexpected token n)', 'run_evaluation.flags_json does not hold what this app expects at 0.kind: Invalid option']
    api.handlers['runs:get'] = ({ id }) => detail(id === 7 ? diverged : summary({ id }), { problems })
    api.handlers['runs:delete'] = ({ id }) => ({ id })
    const w = await mountSelected()
    const shown = w.get('[data-testid="run-problems"]')
    expect(shown.attributes('role')).toBe('alert')
    expect(shown.text()).toContain("Part of this run's stored record is damaged")
    expect(shown.findAll('li').map((li) => li.text())).toEqual(problems)
    await w.get('[data-testid="delete-run"]').trigger('click')
    await w.get('[data-testid="confirm-delete"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:delete')).toEqual([{ id: 7 }])
  })

  it('shows no damage notice for a whole run', async () => {
    const w = await mountSelected()
    expect(w.find('[data-testid="run-problems"]').exists()).toBe(false)
  })

  it('deletes only after confirmation', async () => {
    api.handlers['runs:delete'] = ({ id }) => ({ id })
    const w = await mountSelected()
    await w.get('[data-testid="delete-run"]').trigger('click')
    expect(api.requestsTo('runs:delete')).toHaveLength(0)
    await w.get('[data-testid="cancel-delete"]').trigger('click')
    expect(w.find('[data-testid="confirm-delete"]').exists()).toBe(false)

    await w.get('[data-testid="delete-run"]').trigger('click')
    await w.get('[data-testid="confirm-delete"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:delete')).toEqual([{ id: 7 }])
    expect(w.emitted('deleted')).toEqual([[7]])
    expect(useRunsStore().selectedId).toBeNull()
  })

  it('offers the latent space explorer with the epochs that have checkpoints', async () => {
    const w = await mountSelected()
    const plane = w.get('[data-testid="latent-plane"]')
    expect(plane.text()).toContain('Latent space')
    const options = plane.findAll('[data-testid="latent-field-epoch"] option').map((o) => o.text())
    expect(options).toEqual(['1', '2', '3'])
  })

  it('says the latent explorer needs a checkpoint when the run has none', async () => {
    api.handlers['runs:get'] = ({ id }) => detail(summary({ id }), { epochs: [epoch(1, { checkpointDir: null })] })
    const w = await mountSelected()
    expect(w.find('[data-testid="latent-plane"]').exists()).toBe(false)
    expect(w.get('[data-testid="latent-none"]').text()).toContain('this run has no checkpoints yet')
  })
})
