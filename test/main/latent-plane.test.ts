import { describe, expect, it } from 'vitest'
import { explorerGridSchema } from '@shared/api'
import { axisValues, cellCoords, cellLatent, planeCacheKey, planeLatents, planeProblem, type PlaneSpec } from '../../src/main/explorer/plane'

const spec: PlaneSpec = { axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 5 }

describe('latent plane math', () => {
  it('spaces axis values evenly with both ends included', () => {
    expect(axisValues(-3, 3, 5)).toEqual([-3, -1.5, 0, 1.5, 3])
    expect(axisValues(-1, 2, 20)[19]).toBe(2)
  })

  it('puts y = max in row 0 and x = min in column 0', () => {
    expect(cellCoords(spec, 0, 0)).toEqual({ x: -3, y: 3 })
    expect(cellCoords(spec, 0, 4)).toEqual({ x: 3, y: 3 })
    expect(cellCoords(spec, 4, 0)).toEqual({ x: -3, y: -3 })
    expect(cellCoords(spec, 4, 4)).toEqual({ x: 3, y: -3 })
    expect(cellCoords(spec, 2, 2)).toEqual({ x: 0, y: 0 })
  })

  it('gives the corner cells z = x e_i + y e_j on a zero base', () => {
    const s = { ...spec, axisI: 3, axisJ: 7 }
    const top = Array.from(cellLatent(s, 10, 0, 0))
    expect(top).toEqual([0, 0, 0, -3, 0, 0, 0, 3, 0, 0])
    const bottomRight = Array.from(cellLatent(s, 10, 4, 4))
    expect(bottomRight).toEqual([0, 0, 0, 3, 0, 0, 0, -3, 0, 0])
    const all = planeLatents(s, 10)
    expect(all).toHaveLength(25 * 10)
    expect(Array.from(all.subarray(0, 10))).toEqual(top)
    expect(Array.from(all.subarray(24 * 10, 25 * 10))).toEqual(bottomRight)
    // Row-major: cell (1, 0) follows the first row.
    expect(all[5 * 10 + 3]).toBe(-3)
    expect(all[5 * 10 + 7]).toBe(1.5)
  })

  it('names axis, range and size problems', () => {
    expect(planeProblem(spec, 100)).toBeNull()
    expect(planeProblem({ ...spec, axisJ: 100 }, 100)).toMatch(/axisJ: must be between 0 and 99/)
    expect(planeProblem({ ...spec, axisJ: 0 }, 100)).toMatch(/differ/)
    expect(planeProblem({ ...spec, min: 3 }, 100)).toMatch(/min must be less than max/)
  })

  it('keys the cache by run, epoch and every plane parameter', () => {
    const keys = new Set([
      planeCacheKey(1, 2, spec),
      planeCacheKey(1, 3, spec),
      planeCacheKey(2, 2, spec),
      planeCacheKey(1, 2, { ...spec, axisI: 2 }),
      planeCacheKey(1, 2, { ...spec, min: -2 }),
      planeCacheKey(1, 2, { ...spec, resolution: 6 })
    ])
    expect(keys.size).toBe(6)
    expect(planeCacheKey(1, 2, { ...spec })).toBe(planeCacheKey(1, 2, spec))
  })

  it('the request schema refuses bad sizes, ranges, equal axes and unknown fields', () => {
    const ok = { id: 1, epoch: 1, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 20 }
    expect(explorerGridSchema.safeParse(ok).success).toBe(true)
    for (const bad of [{ resolution: 4 }, { resolution: 33 }, { min: 3, max: -3 }, { min: 1, max: 1 }, { axisJ: 0 }, { axisI: -1 }, { extra: 1 }]) {
      expect(explorerGridSchema.safeParse({ ...ok, ...bad }).success).toBe(false)
    }
  })
})
