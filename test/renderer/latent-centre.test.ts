// @vitest-environment jsdom
// The explorer's first picture: the default plane centred on the run's first grid sample, a click
// on a sample-grid tile centring it on that sample; pins shown compactly and copied as JSON;
// strips that say their epoch, follow the scrubber and say when slerp is lerp; the run beside
// drawn in the same frame; the run's explorer opened and closed with the view. Against a fake API.
import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import type { ExplorerGridRequest, ExplorerGridResult, GridSampleLatent, RunDetail } from '@shared/api'
import LatentPlane from '@renderer/components/LatentPlane.vue'
import SampleGrid from '@renderer/components/SampleGrid.vue'
import { useExplorerStore } from '@renderer/stores/explorer'
import { useRunsStore } from '@renderer/stores/runs'
import { useFakeLab } from './helpers/app'

function answer(req: ExplorerGridRequest): ExplorerGridResult {
  const { id, epoch, through: _through, ...coords } = req
  return { epoch, pngBase64: `R${id}E${epoch}`, rows: req.resolution, cols: req.resolution, cached: false, coords }
}

/** Sample k's latent vector: k + 0.5 in every component (4 of them), so tests can tell samples apart. */
const sampleOf = (index: number, classLabel?: number): GridSampleLatent => ({
  index,
  latent: [index + 0.5, index + 0.5, index + 0.5, index + 0.5],
  spread: 1,
  count: 100,
  ...(classLabel === undefined ? {} : { classLabel })
})

const lab = useFakeLab(() => ({
  'explorer:grid': (req) => answer(req),
  'explorer:sample': ({ index }) => sampleOf(index),
  'explorer:open': ({ id }) => ({ id, warm: true }),
  'explorer:close': ({ id }) => ({ id }),
  'latent-views:list': () => [],
  'runs:get': ({ id }) => ({ summary: { id }, config: { latentDim: 4, conditional: false } }) as unknown as RunDetail
}))

const mountPlane = (classes = 0) => lab.mount(LatentPlane, { props: { runId: 4, epochs: [1, 2, 3], latentDim: 4, classes } })

async function clickCell(w: ReturnType<typeof mountPlane>, x: number, y: number): Promise<void> {
  const wrap = w.get('[data-testid="latent-image-wrap"]').element as HTMLElement
  Object.defineProperty(wrap, 'clientWidth', { value: 550, configurable: true })
  Object.defineProperty(wrap, 'clientHeight', { value: 550, configurable: true })
  const e = new MouseEvent('click', { bubbles: true })
  Object.defineProperty(e, 'offsetX', { value: x })
  Object.defineProperty(e, 'offsetY', { value: y })
  wrap.dispatchEvent(e)
  await flushPromises()
}

describe('the first picture of the latent explorer', () => {
  it('opens the run on mount, centres the default plane on grid sample 0 along random directions over +-2 sd, and closes the run on unmount', async () => {
    const w = mountPlane()
    await flushPromises()
    expect(lab.api.requestsTo('explorer:open')).toEqual([{ id: 4 }])
    expect(lab.api.requestsTo('explorer:sample')).toEqual([{ id: 4, index: 0 }])
    expect((w.get('[data-testid="latent-field-base"]').element as HTMLSelectElement).value).toBe('sample')
    expect(w.get('[data-testid="latent-field-base"]').text()).toContain('grid sample 0')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid')).toEqual([
      { id: 4, epoch: 3, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 11, base: [0.5, 0.5, 0.5, 0.5], seed: 1 }
    ])
    w.unmount()
    expect(lab.api.requestsTo('explorer:close')).toEqual([{ id: 4 }])
  })

  it('centres on the sample-grid tile clicked, at the grid epoch (or the checkpoint before it), in its class for a conditional run', async () => {
    lab.api.handlers['explorer:sample'] = ({ index }) => sampleOf(index, index === 23 ? 2 : undefined)
    const w = mountPlane(10)
    await flushPromises()
    await w.get('[data-testid="latent-field-resolution"]').setValue('8')
    useExplorerStore().focusSample(4, 23, 2)
    await flushPromises()
    expect(lab.api.requestsTo('explorer:sample').at(-1)).toEqual({ id: 4, index: 23 })
    // An even resolution has no centre tile: it becomes odd.
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toEqual({
      id: 4,
      epoch: 2,
      axisI: 0,
      axisJ: 1,
      min: -2,
      max: 2,
      resolution: 9,
      base: [23.5, 23.5, 23.5, 23.5],
      seed: 1,
      classLabel: 2
    })
    expect(w.get('[data-testid="latent-field-base"]').text()).toContain('grid sample 23')
    // A click meant for another run is not this explorer's.
    useExplorerStore().focusSample(9, 5, 3)
    await flushPromises()
    expect(lab.api.requestsTo('explorer:sample').at(-1)).toEqual({ id: 4, index: 23 })
  })

  it('scales the plane to a uniform latent: +-2 standard deviations of U(-1, 1)', async () => {
    lab.api.handlers['explorer:sample'] = ({ index }) => ({ ...sampleOf(index), spread: 1 / Math.sqrt(3) })
    mountPlane()
    await flushPromises()
    useExplorerStore().focusSample(4, 7, 3)
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toMatchObject({ min: -1.15, max: 1.15, resolution: 11, base: [7.5, 7.5, 7.5, 7.5] })
  })

  it('shows pins compactly (norm and first values) and copies the whole vector as JSON', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    lab.api.handlers['explorer:grid'] = (req) => ({ ...answer(req), directions: { u: [1, 0, 0, 0], v: [0, 1, 0, 0] } })
    const w = mountPlane()
    await flushPromises()
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    await clickCell(w, 275, 275) // the centre cell: the sample itself
    expect(w.get('[data-testid="latent-pin-A"]').text()).toContain('cell (5, 5)')
    expect(w.get('[data-testid="latent-pin-A"] [data-testid="latent-pin-norm"]').text()).toBe('‖z‖ = 1')
    expect(w.get('[data-testid="latent-pin-A"] [data-testid="latent-pin-vector"]').text()).toBe('[0.5, 0.5, 0.5, 0.5]')
    await w.get('[data-testid="latent-pin-A"] [data-testid="latent-pin-copy"]').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('[0.5,0.5,0.5,0.5]')
    expect(w.get('[data-testid="latent-pin-copied"]').text()).toBe('copied 4 values')
  })

  it('labels strips with their epoch, redraws them when the scrubber moves, and says when slerp equals lerp', async () => {
    lab.api.handlers['explorer:interpolate'] = (req) => ({
      epoch: req.epoch,
      steps: req.steps,
      lerpPngBase64: `L${req.epoch}`,
      slerpPngBase64: `L${req.epoch}`,
      slerp: { degrees: 180, sameAsLerp: true }
    })
    const w = mountPlane()
    await flushPromises()
    await w.get('[data-testid="latent-field-base"]').setValue('zero')
    await w.get('[data-testid="latent-field-directions"]').setValue('axes')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    await clickCell(w, 10, 10)
    await clickCell(w, 540, 540)
    await w.get('[data-testid="latent-interpolate"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="latent-strips-epoch"]').text()).toBe('epoch 3')
    expect(w.get('[data-testid="latent-slerp-note"]').text()).toContain('slerp equals lerp here: A and B point in opposite directions (180°)')
    await w.get('[data-testid="latent-epoch-scrubber"]').setValue('0')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:interpolate').map((r) => r.epoch)).toEqual([3, 1])
    expect(w.get('[data-testid="latent-strips-epoch"]').text()).toBe('epoch 1')
    expect(w.get('[data-testid="latent-lerp"]').attributes('src')).toBe('data:image/png;base64,L1')
  })

  it('draws the run beside in the same frame as the plane: the same size, with its axes', async () => {
    const runs = useRunsStore()
    runs.runs = [4, 6].map((id) => ({ id, name: `run ${id}`, epochsDone: 3 })) as typeof runs.runs
    const w = mountPlane()
    await flushPromises()
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    await w.get('[data-testid="latent-side-run"]').setValue('6')
    await flushPromises()
    const frames = w.findAll('.plot')
    expect(frames).toHaveLength(2)
    expect(frames[1].find('[data-testid="latent-side-image"]').exists()).toBe(true)
    const side = frames[1].element.closest('figure')!
    expect(side.textContent).toContain('Run 6, same plane, epoch 3')
    expect(side.querySelector('.x-axis')?.textContent).toContain('-2')
    expect(side.querySelector('.y-axis')?.textContent).toContain('2')
  })
})

describe('SampleGrid', () => {
  it('emits the index of the tile clicked (row-major), and nothing without a layout', async () => {
    const w = lab.mount(SampleGrid, { props: { src: 'data:image/png;base64,G', epoch: 2, rows: 10, cols: 10 } })
    const img = w.get('[data-testid="sample-grid"]').element as HTMLElement
    Object.defineProperty(img, 'clientWidth', { value: 300 })
    Object.defineProperty(img, 'clientHeight', { value: 300 })
    const click = (x: number, y: number): void => {
      const e = new MouseEvent('click', { bubbles: true })
      Object.defineProperty(e, 'offsetX', { value: x })
      Object.defineProperty(e, 'offsetY', { value: y })
      img.dispatchEvent(e)
    }
    click(95, 65) // column 3, row 2
    click(299, 299)
    expect(w.emitted('explore')).toEqual([[23], [99]])
    await w.setProps({ rows: 0, cols: 0 })
    click(95, 65)
    expect(w.emitted('explore')).toHaveLength(2)
  })
})
