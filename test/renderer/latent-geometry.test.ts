// @vitest-environment jsdom
// The geometry of a rendered latent plane (components/latent/plane-geometry.ts), worked by hand
// on small planes, and the session the explorer's parts share refusing a part mounted alone.
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount } from '@vue/test-utils'
import type { PlaneImage } from '@renderer/stores/explorer'
import { cellAt, cellValues, fittedReach, hoverTextOf, latentAt, markersOf, originOf, planeKeyOf, pointsOutsideOf, type Pin } from '@renderer/components/latent/plane-geometry'
import { useLatentSession } from '@renderer/composables/useLatentSession'

function plane(coords: Partial<PlaneImage['coords']> = {}, extra: Partial<PlaneImage> = {}): PlaneImage {
  const c = { min: -2, max: 2, resolution: 5, axisI: 1, axisJ: 3, ...coords }
  return { runId: 4, epoch: 2, pngBase64: '', src: '', rows: c.resolution, cols: c.resolution, cached: false, coords: c, ...extra }
}

describe('the latent plane geometry', () => {
  it('finds the cell under the pointer, clamped to the grid, and none on an empty image or without a plane', () => {
    const p = plane()
    expect(cellAt(p, 500, 500, 0, 0)).toEqual({ row: 0, col: 0 })
    expect(cellAt(p, 500, 500, 250, 120)).toEqual({ row: 1, col: 2 })
    expect(cellAt(p, 500, 500, 500, 520)).toEqual({ row: 4, col: 4 })
    expect(cellAt(p, 0, 500, 10, 10)).toBeNull()
    expect(cellAt(null, 500, 500, 10, 10)).toBeNull()
  })

  it('puts row 0 at max and column 0 at min, and places a cell on its two latent axes', () => {
    const p = plane()
    expect(cellValues(p, { row: 0, col: 0 })).toEqual({ x: -2, y: 2 })
    expect(cellValues(p, { row: 3, col: 4 })).toEqual({ x: 2, y: -1 })
    expect(latentAt(p, 5, 2, -1)).toEqual([0, 2, 0, -1, 0])
    expect(latentAt(plane({ base: [1, 1, 1, 1, 1] }), 5, 2, -1)).toEqual([1, 3, 1, 0, 1])
    expect(latentAt(null, 3, 2, -1)).toEqual([0, 0, 0])
  })

  it('moves along u and v from the base on a plane of directions', () => {
    const p = plane({ base: [1, 0, 0], seed: 7 }, { directions: { u: [0, 1, 0], v: [0, 0, 2] } })
    expect(latentAt(p, 3, 1.5, -1)).toEqual([1, 1.5, -2])
    expect(hoverTextOf(p, { row: 0, col: 4 })).toBe('cell (0, 4): u = 2, v = 2 from the base')
    expect(hoverTextOf(plane(), { row: 2, col: 1 })).toBe('cell (2, 1): z_1 = -1, z_3 = 0')
    expect(hoverTextOf(plane({ base: [0, 0, 0, 0], through: true }), { row: 4, col: 0 })).toBe('cell (4, 0): u = -2, v = -2 from A')
  })

  it('places the origin at the centre of its cell, and nowhere when the range leaves out zero', () => {
    expect(originOf(plane())).toEqual({ left: 50, top: 50 })
    expect(originOf(plane({ min: 0, max: 4 }))).toEqual({ left: 10, top: 90 })
    expect(originOf(plane({ min: 1, max: 4 }))).toBeNull()
  })

  it('marks only the pins clicked on the plane shown, and on a plane through A, B, C the points inside its range', () => {
    const p = plane()
    const pins: Pin[] = [
      { label: 'A', row: 0, col: 4, planeKey: planeKeyOf(p), latent: [] },
      { label: 'B', row: 1, col: 1, planeKey: planeKeyOf(plane({ min: -3 })), latent: [] }
    ]
    expect(markersOf(p, pins)).toEqual([{ label: 'A', left: 90, top: 10 }])
    const through = plane({}, { points: [{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 0, y: 3 }] })
    expect(markersOf(through, pins)).toEqual([
      { label: 'A', left: 50, top: 50 },
      { label: 'B', left: 90, top: 50 }
    ])
    expect(pointsOutsideOf(through)).toEqual([{ label: 'C', x: 0, y: 3 }])
    expect(pointsOutsideOf(p)).toEqual([])
  })

  it('fits a symmetric range holding every point with a fifth to spare, rounded up to a tenth', () => {
    expect(fittedReach([{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 0, y: 4.5 }])).toBe(5.4)
    expect(fittedReach([{ x: -1, y: 0.5 }])).toBe(1.2)
  })
})

describe('the latent session', () => {
  it('refuses a part of the explorer mounted outside LatentPlane', () => {
    const Part = defineComponent({
      setup() {
        useLatentSession()
        return () => h('div')
      }
    })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined) // Vue warns of the render function it never got
    expect(() => mount(Part)).toThrow('outside LatentPlane')
    warn.mockRestore()
  })
})
