// @vitest-environment jsdom
// The latent explorer over epochs (scrubber, sweep), beside another run, and saved views with
// their JSON export, against a fake API.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { LATENT_VIEW_FORMAT, type ExplorerGridRequest, type ExplorerGridResult, type RunDetail, type SavedLatentView } from '@shared/api'
import { LabError } from '@shared/errors'
import { parseLatentViewFile } from '@shared/latent-view'
import LatentPlane from '@renderer/components/LatentPlane.vue'
import { useRunsStore } from '@renderer/stores/runs'
import { captureDownloads, useFakeLab } from './helpers/app'

function answer(req: ExplorerGridRequest): ExplorerGridResult {
  const { id, epoch, through: _through, ...coords } = req
  return { epoch, pngBase64: `R${id}E${epoch}`, rows: req.resolution, cols: req.resolution, cached: false, coords }
}

const detail = (id: number, latentDim: number) => ({ summary: { id }, config: { latentDim } }) as unknown as RunDetail

const lab = useFakeLab(() => ({
  'explorer:grid': (req) => {
    if (req.id === 6 && req.epoch === 3) throw new LabError('NOT_FOUND', 'Run 6 has no checkpoint for epoch 3 (checkpoints exist for epochs 1, 2)')
    return answer(req)
  },
  'latent-views:list': () => [],
  'runs:get': ({ id }) => detail(id, id === 7 ? 64 : 100)
}))
const { blobs, clicked } = captureDownloads()

beforeEach(() => {
  const runs = useRunsStore()
  runs.runs = [4, 6, 7, 8].map((id) => ({ id, name: `run ${id} name`, epochsDone: id === 8 ? 0 : 3 })) as typeof runs.runs
})

const mountPlane = () => lab.mount(LatentPlane, { props: { runId: 4, epochs: [1, 2, 3], latentDim: 100 } })
/** The plane form set to axes 0 and 1 through zero, -3 to 3, 10 cells (no grid sample in these tests). */
async function axesPlane(...args: Parameters<typeof mountPlane>): Promise<ReturnType<typeof mountPlane>> {
  const w = mountPlane(...args)
  await flushPromises()
  await w.get('[data-testid="latent-field-directions"]').setValue('axes')
  await w.get('[data-testid="latent-field-base"]').setValue('zero')
  await w.get('[data-testid="latent-field-min"]').setValue('-3')
  await w.get('[data-testid="latent-field-max"]').setValue('3')
  await w.get('[data-testid="latent-field-resolution"]').setValue('10')
  return w
}

async function renderFirst(w: ReturnType<typeof mountPlane>): Promise<void> {
  await w.get('[data-testid="latent-field-resolution"]').setValue('6')
  await w.get('[data-testid="latent-render"]').trigger('submit')
  await flushPromises()
}

describe('LatentPlane over epochs, beside another run, and saved views', () => {
  it('redraws the same plane at the scrubbed epoch, and a sweep asks for every epoch in turn', async () => {
    const w = await axesPlane()
    await renderFirst(w)
    expect(w.get('[data-testid="latent-scrub-epoch"]').text()).toBe('epoch 3')
    await w.get('[data-testid="latent-field-min"]').setValue('-1') // not yet rendered: the scrubber keeps the shown plane
    await w.get('[data-testid="latent-epoch-scrubber"]').setValue('0')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toEqual({ id: 4, epoch: 1, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 6 })
    expect(w.get('[data-testid="latent-image"]').attributes('src')).toBe('data:image/png;base64,R4E1')
    expect(w.get('[data-testid="latent-scrub-epoch"]').text()).toBe('epoch 1')

    const releases: (() => void)[] = []
    lab.api.handlers['explorer:grid'] = (req) => new Promise((resolve) => releases.push(() => resolve(answer(req))))
    await w.get('[data-testid="latent-sweep"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="latent-sweep-progress"]').text()).toContain('epoch 1 (1 of 3)')
    expect(w.get('[data-testid="latent-sweep"]').attributes('disabled')).toBeDefined()
    for (let k = 0; k < 3; k++) {
      releases[k]()
      await flushPromises()
    }
    expect(lab.api.requestsTo('explorer:grid').slice(-3).map((r) => r.epoch)).toEqual([1, 2, 3])
    expect(w.find('[data-testid="latent-sweep-progress"]').exists()).toBe(false)
  })

  it('draws the same plane of another run beside it, and refuses a run of another latent size or without that epoch', async () => {
    const w = await axesPlane()
    await renderFirst(w)
    const options = w.findAll('[data-testid="latent-side-run"] option').map((o) => o.text())
    expect(options).toEqual(['no other run', 'run 6: run 6 name', 'run 7: run 7 name'])
    await w.get('[data-testid="latent-side-run"]').setValue('6')
    await flushPromises()
    expect(w.get('[data-testid="latent-side-error"]').text()).toBe('Run 6: Run 6 has no checkpoint for epoch 3 (checkpoints exist for epochs 1, 2)')
    await w.get('[data-testid="latent-epoch-scrubber"]').setValue('1')
    await flushPromises()
    expect(w.get('[data-testid="latent-side-image"]').attributes('src')).toBe('data:image/png;base64,R6E2')
    expect(w.get('[data-testid="latent-image"]').attributes('src')).toBe('data:image/png;base64,R4E2')
    await w.get('[data-testid="latent-side-run"]').setValue('7')
    await flushPromises()
    expect(w.get('[data-testid="latent-side-error"]').text()).toContain("its latent size is 64 but this run's is 100")
    expect(lab.api.requestsTo('explorer:grid').some((r) => r.id === 7)).toBe(false)
  })

  it('saves the shown plane by name, exports its settings as JSON the CLI reads, and reopens and deletes it', async () => {
    const saved: SavedLatentView[] = []
    lab.api.handlers['latent-views:save'] = ({ name, settings }) => {
      const view = { id: saved.length + 1, name, runId: settings.grid.id, settings: settings as SavedLatentView['settings'], createdAt: 1, updatedAt: 1 }
      saved.push(view)
      return view
    }
    lab.api.handlers['latent-views:delete'] = ({ id }) => ({ id })
    const w = await axesPlane()
    expect(w.get('[data-testid="latent-view-save"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="latent-field-directions"]').setValue('random')
    await w.get('[data-testid="latent-field-seed"]').setValue('12')
    await renderFirst(w)
    await w.get('[data-testid="latent-side-run"]').setValue('6')
    await flushPromises()
    await w.get('[data-testid="latent-view-name"]').setValue('Random twelve')
    await w.get('[data-testid="latent-view-save"]').trigger('click')
    await flushPromises()
    const grid = { id: 4, epoch: 3, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 6, seed: 12 }
    expect(lab.api.requestsTo('latent-views:save')).toEqual([
      { name: 'Random twelve', settings: { format: LATENT_VIEW_FORMAT, version: 1, grid, compareRunId: 6 } }
    ])

    await w.get('[data-testid="latent-export-json"]').trigger('click')
    expect(clicked).toEqual([{ download: 'random-twelve.view.json' }])
    expect(parseLatentViewFile(await blobs[0].text())).toEqual({ format: LATENT_VIEW_FORMAT, version: 1, grid, compareRunId: 6 })

    // Change everything, then reopen the view: the form and the plane come back.
    await w.findAll('[data-testid="latent-side-run"] option')[0].setValue()
    await w.get('[data-testid="latent-field-directions"]').setValue('axes')
    await w.get('[data-testid="latent-field-resolution"]').setValue('9')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    const before = lab.api.requestsTo('explorer:grid').length
    await w.get('[data-testid="latent-view-open"]').setValue('1')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').slice(before)).toEqual([grid, { ...grid, id: 6 }])
    expect((w.get('[data-testid="latent-field-resolution"]').element as HTMLInputElement).value).toBe('6')
    expect((w.get('[data-testid="latent-field-seed"]').element as HTMLInputElement).value).toBe('12')
    expect((w.get('[data-testid="latent-side-run"]').element as HTMLSelectElement).value).toBe('6')
    await w.get('[data-testid="latent-view-delete"]').trigger('click')
    await flushPromises()
    expect(lab.api.requestsTo('latent-views:delete')).toEqual([{ id: 1 }])
    expect(w.findAll('[data-testid="latent-view-open"] option').map((o) => o.text())).toEqual(['open…'])
  })

  it('reopens a view through three points with A, B, C restored, and shows a refused save', async () => {
    const a = new Array<number>(100).fill(0)
    const b = a.map((_, k) => (k === 0 ? 1 : 0))
    const c = a.map((_, k) => (k === 1 ? 1 : 0))
    const grid = { id: 4, epoch: 2, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5, through: [a, b, c] }
    lab.api.handlers['latent-views:list'] = () => [{ id: 3, name: 'abc', runId: 4, settings: { format: LATENT_VIEW_FORMAT, version: 1, grid }, createdAt: 1, updatedAt: 1 }]
    lab.api.handlers['latent-views:save'] = () => {
      throw new LabError('NOT_FOUND', 'There is no run 4')
    }
    const w = await axesPlane()
    await flushPromises()
    await w.get('[data-testid="latent-view-open"]').setValue('3')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toEqual(grid)
    expect((w.get('[data-testid="latent-field-directions"]').element as HTMLSelectElement).value).toBe('through')
    expect(w.get('[data-testid="latent-pin-C"]').text()).toContain('from the view')
    await w.get('[data-testid="latent-view-save"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="latent-views-error"]').text()).toBe('Could not save the view: There is no run 4')
  })
})
