// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount } from '@vue/test-utils'
import type { ExplorerGridRequest, ExplorerGridResult } from '@shared/api'
import { LabError } from '@shared/errors'
import { setLabApi } from '@renderer/api/current'
import LatentPlane from '@renderer/components/LatentPlane.vue'
import { FakeLabApi } from './helpers/fake-api'

let api: FakeLabApi
let pinia: Pinia

function answer(req: ExplorerGridRequest, cached = false): ExplorerGridResult {
  const { id: _id, epoch, ...coords } = req
  return { epoch, pngBase64: `PLANE${epoch}`, rows: req.resolution, cols: req.resolution, cached, coords }
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  api = new FakeLabApi({ 'explorer:grid': (req) => answer(req) })
  setLabApi(api)
})

const mountPlane = () => mount(LatentPlane, { props: { runId: 4, epochs: [1, 2, 3], latentDim: 100 }, global: { plugins: [pinia] } })

describe('LatentPlane', () => {
  it('sends the chosen plane, shows progress while rendering, then the image with its axes', async () => {
    let release: (() => void) | null = null
    api.handlers['explorer:grid'] = (req) => new Promise((resolve) => (release = () => resolve(answer(req))))
    const w = mountPlane()
    expect((w.get('[data-testid="latent-field-epoch"]').element as HTMLSelectElement).value).toBe('3')
    await w.get('[data-testid="latent-field-epoch"]').setValue('2')
    await w.get('[data-testid="latent-field-axisI"]').setValue('4')
    await w.get('[data-testid="latent-field-axisJ"]').setValue('9')
    await w.get('[data-testid="latent-field-min"]').setValue('-2')
    await w.get('[data-testid="latent-field-max"]').setValue('2')
    await w.get('[data-testid="latent-field-resolution"]').setValue('5')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('explorer:grid')).toEqual([{ id: 4, epoch: 2, axisI: 4, axisJ: 9, min: -2, max: 2, resolution: 5 }])
    expect(w.find('[data-testid="latent-progress"]').exists()).toBe(true)
    expect(w.get('[data-testid="latent-render"]').attributes('disabled')).toBeDefined()

    api.emit('explorer:progress', { runId: 99, done: 20, total: 25 })
    api.emit('explorer:progress', { runId: 4, done: 10, total: 25 })
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
    const w = mountPlane()
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
    api.handlers['explorer:grid'] = () => {
      throw new LabError('INVALID_REQUEST', 'Invalid explorer:grid request: max: min must be less than max')
    }
    const w = mountPlane()
    await w.get('[data-testid="latent-field-min"]').setValue('3')
    await w.get('[data-testid="latent-render"]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="latent-error"]').text()).toContain('min must be less than max')
    expect(w.find('[data-testid="latent-image"]').exists()).toBe(false)
    expect(w.find('[data-testid="latent-progress"]').exists()).toBe(false)
  })
})
