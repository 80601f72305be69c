// @vitest-environment jsdom
// The explorer of a run of points: asks explorer:scatter with the form's plane and draws each
// cell's point coloured by its plane coordinates over the real points; refusals are shown.
import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { ExplorerScatterResult } from '@shared/api'
import { LabError } from '@shared/errors'
import { setLabApi } from '@renderer/api/current'
import LatentScatter from '@renderer/components/LatentScatter.vue'
import { useAppTestSetup } from './helpers/app'
import { FakeLabApi } from './helpers/fake-api'

const pinia = useAppTestSetup()

const result: ExplorerScatterResult = {
  epoch: 3,
  columns: ['x', 'y'],
  points: [
    [0.5, 1, -2, -2],
    [1.5, 1, 2, -2],
    [0.5, 2, -2, 2],
    [1.5, 2, 2, 2]
  ],
  real: [
    [0, 0],
    [2, 2],
    [1, 1]
  ],
  coords: { min: -2, max: 2, resolution: 2 }
}

describe('LatentScatter', () => {
  it('renders the plane as coloured generated points over the real ones', async () => {
    const api = new FakeLabApi({ 'explorer:scatter': () => result })
    setLabApi(api)
    const w = mount(LatentScatter, { props: { runId: 5, epochs: [1, 2, 3], latentDim: 8 }, global: { plugins: [pinia()] } })
    await w.get('[data-testid="scatter-field-resolution"]').setValue(5)
    await w.get('[data-testid="scatter-field-axisJ"]').setValue(4)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestsTo('explorer:scatter')).toEqual([{ id: 5, epoch: 3, axisI: 0, axisJ: 4, min: -2, max: 2, resolution: 5 }])
    const gen = w.findAll('[data-testid="scatter-gen"]')
    expect(gen).toHaveLength(4)
    expect(w.findAll('[data-testid="scatter-real"]')).toHaveLength(3)
    // Hue runs along u, lightness along v: the corners get distinct colours.
    const fills = gen.map((g) => g.attributes('fill'))
    expect(fills[0]).toBe('hsl(0 80% 30%)')
    expect(fills[3]).toBe('hsl(300 80% 70%)')
    expect(new Set(fills).size).toBe(4)
    // Larger x is drawn further right; larger y higher up.
    const cx = gen.map((g) => Number(g.attributes('cx')))
    const cy = gen.map((g) => Number(g.attributes('cy')))
    expect(cx[1]).toBeGreaterThan(cx[0])
    expect(cy[2]).toBeLessThan(cy[0])
    expect(w.get('[data-testid="scatter-axes"]').text()).toContain('x')
  })

  it('shows why a plane cannot be drawn', async () => {
    setLabApi(new FakeLabApi({ 'explorer:scatter': () => Promise.reject(new LabError('INVALID_REQUEST', 'axisJ: must be below the latent size 8')) }))
    const w = mount(LatentScatter, { props: { runId: 5, epochs: [1], latentDim: 8 }, global: { plugins: [pinia()] } })
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="scatter-error"]').text()).toContain('axisJ: must be below the latent size 8')
    expect(w.find('[data-testid="scatter-svg"]').exists()).toBe(false)
  })
})
