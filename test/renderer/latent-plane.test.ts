// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import type { ExplorerGridRequest, ExplorerGridResult } from '@shared/api'
import { LabError } from '@shared/errors'
import LatentPlane from '@renderer/components/LatentPlane.vue'
import { useFakeLab } from './helpers/app'

function answer(req: ExplorerGridRequest, cached = false): ExplorerGridResult {
  const { id: _id, epoch, through, ...rest } = req
  const coords = through ? { ...rest, base: through[0], through: true } : rest
  return { epoch, pngBase64: `PLANE${epoch}`, rows: req.resolution, cols: req.resolution, cached, coords }
}

const lab = useFakeLab(() => ({ 'explorer:grid': (req) => answer(req), 'latent-views:list': () => [] }))

const mountPlane = (latentDim = 100) => lab.mount(LatentPlane, { props: { runId: 4, epochs: [1, 2, 3], latentDim } })
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

describe('LatentPlane', () => {
  it('sends the chosen plane, shows progress while rendering, then the image with its axes', async () => {
    let release: (() => void) | null = null
    lab.api.handlers['explorer:grid'] = (req) => new Promise((resolve) => (release = () => resolve(answer(req))))
    const w = await axesPlane()
    expect((w.get('[data-testid="latent-field-epoch"]').element as HTMLSelectElement).value).toBe('3')
    await w.get('[data-testid="latent-field-epoch"]').setValue('2')
    await w.get('[data-testid="latent-field-axisI"]').setValue('4')
    await w.get('[data-testid="latent-field-axisJ"]').setValue('9')
    await w.get('[data-testid="latent-field-min"]').setValue('-2')
    await w.get('[data-testid="latent-field-max"]').setValue('2')
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid')).toEqual([{ id: 4, epoch: 2, axisI: 4, axisJ: 9, min: -2, max: 2, resolution: 5 }])
    expect(w.find('[data-testid="latent-progress"]').exists()).toBe(true)
    expect(w.get('[data-testid="latent-render"]').attributes('disabled')).toBeDefined()

    lab.api.emit('explorer:progress', { runId: 99, done: 20, total: 25 })
    lab.api.emit('explorer:progress', { runId: 4, done: 10, total: 25 })
    await flushPromises()
    expect(w.get('[data-testid="latent-progress"]').text()).toContain('10 / 25')

    release!()
    await flushPromises()
    expect(w.find('[data-testid="latent-progress"]').exists()).toBe(false)
    const img = w.get('[data-testid="latent-image"]')
    expect(img.attributes('src')).toBe('data:image/png;base64,PLANE2')
    expect(w.text()).toContain('z_4')
    expect(w.text()).toContain('z_9')
    expect(w.find('[data-testid="latent-origin"]').exists()).toBe(true)
    expect(w.get('[data-testid="latent-coords"]').text()).toContain('hover a cell')
  })

  it('shows the hovered cell coordinates, row 0 at the top being max', async () => {
    const w = await axesPlane()
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    const wrap = w.get('[data-testid="latent-image"]').element.parentElement as HTMLElement
    Object.defineProperty(wrap, 'clientWidth', { value: 500 })
    Object.defineProperty(wrap, 'clientHeight', { value: 500 })
    const move = (x: number, y: number): void => {
      const e = new MouseEvent('mousemove', { bubbles: true })
      Object.defineProperty(e, 'offsetX', { value: x })
      Object.defineProperty(e, 'offsetY', { value: y })
      wrap.dispatchEvent(e)
    }
    move(10, 10)
    await flushPromises()
    expect(w.get('[data-testid="latent-coords"]').text()).toBe('cell (0, 0): z_0 = -3, z_1 = 3')
    move(490, 490)
    await flushPromises()
    expect(w.get('[data-testid="latent-coords"]').text()).toBe('cell (4, 4): z_0 = 3, z_1 = -3')
    move(250, 150)
    await flushPromises()
    expect(w.get('[data-testid="latent-coords"]').text()).toBe('cell (1, 2): z_0 = 0, z_1 = 1.5')
  })

  it('shows the refusal of the back end', async () => {
    lab.api.handlers['explorer:grid'] = () => {
      throw new LabError('INVALID_REQUEST', 'Invalid explorer:grid request: max: min must be less than max')
    }
    const w = await axesPlane()
    await w.get('[data-testid="latent-field-min"]').setValue('3')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="latent-error"]').text()).toContain('min must be less than max')
    expect(lab.api.takeRefused()).toEqual(['Invalid explorer:grid request: max: min must be less than max'])
    expect(w.find('[data-testid="latent-image"]').exists()).toBe(false)
    expect(w.find('[data-testid="latent-progress"]').exists()).toBe(false)
  })

  it('pins clicked cells A, B, C with their full vectors, shows lerp above slerp between A and B, and A - B + C', async () => {
    lab.api.handlers['explorer:interpolate'] = (req) => ({ epoch: req.epoch, steps: req.steps, lerpPngBase64: 'LERP', slerpPngBase64: 'SLERP', slerp: { degrees: 60, sameAsLerp: false } })
    lab.api.handlers['explorer:arithmetic'] = (req) => ({ epoch: req.epoch, latent: req.a.map((v, k) => v - req.b[k] + req.c[k]), pngBase64: 'SUM' })
    const w = await axesPlane(4)
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    const wrap = w.get('[data-testid="latent-image-wrap"]').element as HTMLElement
    Object.defineProperty(wrap, 'clientWidth', { value: 500 })
    Object.defineProperty(wrap, 'clientHeight', { value: 500 })
    const click = async (x: number, y: number): Promise<void> => {
      const e = new MouseEvent('click', { bubbles: true })
      Object.defineProperty(e, 'offsetX', { value: x })
      Object.defineProperty(e, 'offsetY', { value: y })
      wrap.dispatchEvent(e)
      await flushPromises()
    }
    await click(10, 10)
    expect(w.get('[data-testid="latent-pin-A"]').text()).toContain('cell (0, 0)')
    expect(w.get('[data-testid="latent-pin-A"] [data-testid="latent-pin-vector"]').text()).toBe('[-3, 3, 0, 0]')
    expect(w.find('[data-testid="latent-pin-marker-A"]').attributes('style')).toContain('left: 10%')
    expect(w.find('[data-testid="latent-interpolate"]').exists()).toBe(false)

    await click(490, 250)
    expect(w.get('[data-testid="latent-pin-B"] [data-testid="latent-pin-vector"]').text()).toBe('[3, 0, 0, 0]')
    await w.get('[data-testid="latent-field-steps"]').setValue('5')
    await w.get('[data-testid="latent-interpolate"]').trigger('click')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:interpolate')).toEqual([{ id: 4, epoch: 3, from: [-3, 3, 0, 0], to: [3, 0, 0, 0], steps: 5 }])
    const strips = w.get('[data-testid="latent-strips"]')
    const imgs = strips.findAll('img')
    expect(imgs.map((i) => i.attributes('data-testid'))).toEqual(['latent-lerp', 'latent-slerp'])
    expect(imgs[0].attributes('src')).toBe('data:image/png;base64,LERP')
    expect(imgs[1].attributes('src')).toBe('data:image/png;base64,SLERP')
    expect(w.find('[data-testid="latent-arithmetic"]').exists()).toBe(false)

    await click(250, 490)
    expect(w.get('[data-testid="latent-pin-C"] [data-testid="latent-pin-vector"]').text()).toBe('[0, -3, 0, 0]')
    expect(w.findAll('.pin-marker').map((m) => m.text())).toEqual(['A', 'B', 'C'])
    await w.get('[data-testid="latent-arithmetic"]').trigger('click')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:arithmetic')).toEqual([{ id: 4, epoch: 3, a: [-3, 3, 0, 0], b: [3, 0, 0, 0], c: [0, -3, 0, 0] }])
    expect(w.get('[data-testid="latent-sum"]').attributes('src')).toBe('data:image/png;base64,SUM')
    expect(w.get('[data-testid="latent-sum-vector"]').text()).toContain('[-6, 0, 0, 0]')

    await click(100, 100)
    expect(w.get('[data-testid="latent-pin-note"]').text()).toContain('At most 3 pins')
    await w.get('[data-testid="latent-pins-clear"]').trigger('click')
    expect(w.find('[data-testid="latent-pins"]').exists()).toBe(false)
    expect(w.find('.pin-marker').exists()).toBe(false)
  })

  it('shows the refusal of an interpolation', async () => {
    lab.api.handlers['explorer:interpolate'] = () => {
      throw new LabError('INVALID_REQUEST', "Invalid explorer:interpolate request: from: has 3 values but the run's latent size is 100")
    }
    const w = await axesPlane()
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    const wrap = w.get('[data-testid="latent-image-wrap"]').element as HTMLElement
    Object.defineProperty(wrap, 'clientWidth', { value: 500 })
    Object.defineProperty(wrap, 'clientHeight', { value: 500 })
    for (const x of [10, 490]) {
      const e = new MouseEvent('click', { bubbles: true })
      Object.defineProperty(e, 'offsetX', { value: x })
      Object.defineProperty(e, 'offsetY', { value: 10 })
      wrap.dispatchEvent(e)
    }
    await flushPromises()
    await w.get('[data-testid="latent-interpolate"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="latent-combine-error"]').text()).toContain("from: has 3 values but the run's latent size is 100")
    expect(w.find('[data-testid="latent-strips"]').exists()).toBe(false)
  })

  it('renders the plane through a pinned base point along random orthonormal directions, and pins on it', async () => {
    lab.api.handlers['explorer:grid'] = (req) => ({
      ...answer(req),
      ...(req.seed !== undefined ? { directions: { u: [0.6, 0.8, 0, 0], v: [0, 0, 1, 0] } } : {})
    })
    const w = await axesPlane(4)
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    const clickAt = async (x: number, y: number): Promise<void> => {
      const wrap = w.get('[data-testid="latent-image-wrap"]').element as HTMLElement
      Object.defineProperty(wrap, 'clientWidth', { value: 500, configurable: true })
      Object.defineProperty(wrap, 'clientHeight', { value: 500, configurable: true })
      const e = new MouseEvent('click', { bubbles: true })
      Object.defineProperty(e, 'offsetX', { value: x })
      Object.defineProperty(e, 'offsetY', { value: y })
      wrap.dispatchEvent(e)
      await flushPromises()
    }
    await clickAt(490, 10) // x = 3, y = 3 on axes 0, 1
    await w.get('[data-testid="latent-field-base"]').setValue('A')
    await w.get('[data-testid="latent-field-directions"]').setValue('random')
    expect(w.find('[data-testid="latent-field-axisI"]').exists()).toBe(false)
    await w.get('[data-testid="latent-field-seed"]').setValue('7')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toEqual({ id: 4, epoch: 3, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 5, base: [3, 3, 0, 0], seed: 7 })
    expect(w.text()).toContain('u (seed 7)')
    // Pin A was clicked on the other plane: no marker here.
    expect(w.find('[data-testid="latent-pin-marker-A"]').exists()).toBe(false)
    await clickAt(490, 250) // x = 3, y = 0: base + 3 u
    expect(w.get('[data-testid="latent-pin-B"] [data-testid="latent-pin-vector"]').text()).toBe('[4.8, 5.4, 0, 0]')
    expect(w.find('[data-testid="latent-pin-marker-B"]').exists()).toBe(true)
    await clickAt(250, 10) // x = 0, y = 3: base + 3 v
    expect(w.get('[data-testid="latent-pin-C"] [data-testid="latent-pin-vector"]').text()).toBe('[3, 3, 3, 0]')
  })

  it('renders the plane through pins A, B, C centred on A, marks the three points on it, and pins on it', async () => {
    lab.api.handlers['explorer:grid'] = (req) => ({
      ...answer(req),
      ...(req.through
        ? { directions: { u: [1, 0, 0, 0], v: [0, 0, 0, 1] }, points: [{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 0, y: 2 }] }
        : {})
    })
    const w = await axesPlane(4)
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    const clickAt = async (x: number, y: number): Promise<void> => {
      const wrap = w.get('[data-testid="latent-image-wrap"]').element as HTMLElement
      Object.defineProperty(wrap, 'clientWidth', { value: 500, configurable: true })
      Object.defineProperty(wrap, 'clientHeight', { value: 500, configurable: true })
      const e = new MouseEvent('click', { bubbles: true })
      Object.defineProperty(e, 'offsetX', { value: x })
      Object.defineProperty(e, 'offsetY', { value: y })
      wrap.dispatchEvent(e)
      await flushPromises()
    }
    const option = () => w.get('[data-testid="latent-field-directions"] option[value="through"]').element as HTMLOptionElement
    await clickAt(10, 10)
    await clickAt(490, 10)
    expect(option().disabled).toBe(true)
    await clickAt(10, 490)
    expect(option().disabled).toBe(false)
    await w.get('[data-testid="latent-field-directions"]').setValue('through')
    expect(w.find('[data-testid="latent-field-base"]').exists()).toBe(false)
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toEqual({
      id: 4,
      epoch: 3,
      axisI: 0,
      axisJ: 1,
      min: -3,
      max: 3,
      resolution: 5,
      through: [
        [-3, 3, 0, 0],
        [3, 3, 0, 0],
        [-3, -3, 0, 0]
      ]
    })
    expect(w.text()).toContain('u (A → B)')
    // B sits at x = 2 (cell 3.33 of 0..4), C at y = 2.
    expect(w.get('[data-testid="latent-pin-marker-A"]').attributes('style')).toContain('left: 50%')
    expect(w.get('[data-testid="latent-pin-marker-B"]').attributes('style')).toMatch(/left: 76\.6/)
    expect(w.get('[data-testid="latent-pin-marker-C"]').attributes('style')).toMatch(/top: 23\.3/)
    expect(w.find('[data-testid="latent-fit-note"]').exists()).toBe(false)
    // C moved out of the range: the note names it and fitting widens the range to hold it.
    lab.api.handlers['explorer:grid'] = (req) => ({
      ...answer(req),
      directions: { u: [1, 0, 0, 0], v: [0, 0, 0, 1] },
      points: [{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 0, y: 4.5 }]
    })
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="latent-fit-note"]').text()).toContain('C lies at (0, 4.5), outside the range')
    expect(w.find('[data-testid="latent-pin-marker-C"]').exists()).toBe(false)
    await w.get('[data-testid="latent-fit-range"]').trigger('click')
    await flushPromises()
    expect(lab.api.requestsTo('explorer:grid').at(-1)).toMatchObject({ min: -5.4, max: 5.4 })
    expect(w.find('[data-testid="latent-fit-note"]').exists()).toBe(false)
    expect(w.find('[data-testid="latent-pin-marker-C"]').exists()).toBe(true)
    await w.get('[data-testid="latent-pins-clear"]').trigger('click')
    expect((w.get('[data-testid="latent-field-directions"]').element as HTMLSelectElement).value).toBe('axes')
  })
})
