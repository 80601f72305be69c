import { describe, expect, it } from 'vitest'
import { explorerGridSchema } from '@shared/api'
import {
  axisValues,
  cellCoords,
  cellLatent,
  planeCacheKey,
  planeDirections,
  planeCoordsOf,
  planeLatents,
  planeProblem,
  randomOrthonormalPair,
  type PlaneSpec
} from '../../src/main/common/plane'

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

  it('draws two orthonormal random directions, the same for the same seed and different for another', () => {
    const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, k) => s + x * b[k], 0)
    for (const [dim, seed] of [[2, 0], [3, 1], [100, 42], [100, 4294967295]]) {
      const [u, v] = randomOrthonormalPair(dim, seed)
      expect(u).toHaveLength(dim)
      expect(dot(u, u)).toBeCloseTo(1, 5)
      expect(dot(v, v)).toBeCloseTo(1, 5)
      expect(Math.abs(dot(u, v))).toBeLessThan(1e-6)
      const [u2, v2] = randomOrthonormalPair(dim, seed)
      expect(Array.from(u2)).toEqual(Array.from(u))
      expect(Array.from(v2)).toEqual(Array.from(v))
    }
    expect(Array.from(randomOrthonormalPair(100, 7)[0])).not.toEqual(Array.from(randomOrthonormalPair(100, 8)[0]))
    // Not just axis vectors: the directions spread over many components.
    expect(Array.from(randomOrthonormalPair(100, 7)[0]).filter((x) => Math.abs(x) > 1e-3).length).toBeGreaterThan(50)
  })

  it('puts a random plane and a base point into the cell latents', () => {
    const base = [1, 2, 3, 4]
    const random: PlaneSpec = { ...spec, seed: 9, base }
    const [u, v] = planeDirections(random, 4)
    const z = cellLatent(random, 4, 0, 4) // x = max = 3, y = max = 3
    for (let k = 0; k < 4; k++) expect(z[k]).toBeCloseTo(base[k] + 3 * u[k] + 3 * v[k], 5)
    const centre = cellLatent(random, 4, 2, 2) // x = y = 0: the base itself
    expect(Array.from(centre)).toEqual(base)
    const through = cellLatent({ ...spec, base }, 4, 0, 0) // x = -3 on axis 0, y = 3 on axis 1
    expect(Array.from(through)).toEqual([-2, 5, 3, 4])
    expect(Array.from(planeLatents(random, 4).subarray(4 * 4, 5 * 4))).toEqual(Array.from(z))
  })

  it('keys the cache by the plane definition: directions, seed and base', () => {
    const keys = new Set([
      planeCacheKey(1, 2, spec),
      planeCacheKey(1, 2, { ...spec, seed: 1 }),
      planeCacheKey(1, 2, { ...spec, seed: 2 }),
      planeCacheKey(1, 2, { ...spec, base: [0, 0, 0.5] }),
      planeCacheKey(1, 2, { ...spec, base: [0, 0, 0.25] }),
      planeCacheKey(1, 2, { ...spec, seed: 1, base: [0, 0, 0.5] })
    ])
    expect(keys.size).toBe(6)
    // With a seed the axes do not matter.
    expect(planeCacheKey(1, 2, { ...spec, seed: 1, axisI: 5 })).toBe(planeCacheKey(1, 2, { ...spec, seed: 1 }))
  })

  it('names base and seed problems', () => {
    expect(planeProblem({ ...spec, base: [1, 2] }, 4)).toBe("base: has 2 values but the run's latent size is 4")
    expect(planeProblem({ ...spec, seed: 3, axisJ: 0 }, 4)).toBeNull()
    expect(planeProblem({ ...spec, seed: 3 }, 1)).toBe("seed: a random plane needs a latent size of at least 2 (the run's is 1)")
    const ok = { id: 1, epoch: 1, axisI: 0, axisJ: 0, min: -3, max: 3, resolution: 20, seed: 5 }
    expect(explorerGridSchema.safeParse(ok).success).toBe(true)
    expect(explorerGridSchema.safeParse({ ...ok, seed: -1 }).success).toBe(false)
    expect(explorerGridSchema.safeParse({ ...ok, seed: 1.5 }).success).toBe(false)
    expect(explorerGridSchema.safeParse({ ...ok, base: [] }).success).toBe(false)
  })

  it('spans the plane through three points, centred on the first, with the others at their plane coordinates', () => {
    const a = [1, 1, 0, 0]
    const b = [3, 1, 0, 0]
    const c = [1, 1, 0, 5]
    const through = { ...spec, min: -5, max: 5, resolution: 11, through: [a, b, c] }
    expect(planeProblem(through, 4)).toBeNull()
    const dirs = planeDirections(through, 4)
    expect(Array.from(dirs[0])).toEqual([1, 0, 0, 0])
    expect(Array.from(dirs[1])).toEqual([0, 0, 0, 1])
    expect(planeCoordsOf(b, a, dirs)).toEqual({ x: 2, y: 0 })
    expect(planeCoordsOf(c, a, dirs)).toEqual({ x: 0, y: 5 })
    // The centre cell is a; the cell at x = 2, y = 0 is b; the top-left corner is a + (-5, 5).
    expect(Array.from(cellLatent(through, 4, 5, 5))).toEqual(a)
    expect(Array.from(cellLatent(through, 4, 5, 7))).toEqual(b)
    expect(Array.from(cellLatent(through, 4, 0, 0))).toEqual([-4, 1, 0, 5])
    // A skewed c keeps only its part orthogonal to b - a.
    const [, v] = planeDirections({ ...through, through: [a, b, [2, 1, 0, 1]] }, 4)
    expect(Array.from(v)).toEqual([0, 0, 0, 1])
    expect(planeCacheKey(1, 2, through)).not.toBe(planeCacheKey(1, 2, { ...through, through: [a, c, b] }))
  })

  it('refuses three points on one line, of the wrong size, or combined with a base or seed', () => {
    const a = [0, 0, 0, 0]
    const b = [1, 1, 0, 0]
    expect(planeProblem({ ...spec, through: [a, b, [2, 2, 0, 0]] }, 4)).toBe(
      'through: the three points lie on one line (or two are the same), so they span no plane'
    )
    expect(planeProblem({ ...spec, through: [a, a, b] }, 4)).toMatch('lie on one line')
    expect(planeProblem({ ...spec, through: [a, b, [1, 2]] }, 4)).toBe("through.2: has 2 values but the run's latent size is 4")
    expect(planeProblem({ ...spec, through: [a, b, [0, 0, 1, 0]], seed: 1 }, 4)).toMatch('neither a base nor a seed')
    const ok = { id: 1, epoch: 1, axisI: 0, axisJ: 0, min: -3, max: 3, resolution: 20, through: [a, b, [0, 0, 1, 0]] }
    expect(explorerGridSchema.safeParse(ok).success).toBe(true)
    expect(explorerGridSchema.safeParse({ ...ok, through: [a, b] }).error?.issues[0]).toMatchObject({ path: ['through'], message: 'must be exactly 3 points' })
    expect(explorerGridSchema.safeParse({ ...ok, base: a }).error?.issues[0]).toMatchObject({ path: ['through'] })
  })
})
