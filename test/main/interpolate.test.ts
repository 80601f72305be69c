import { describe, expect, it } from 'vitest'
import { arithmetic, interpolationLatents, latentProblem, lerp, slerp } from '../../src/main/common/interpolate'

const close = (a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-5): boolean => Array.from(a).every((v, k) => Math.abs(v - b[k]) <= eps)
const norm = (v: ArrayLike<number>): number => Math.hypot(...Array.from(v))

describe('latent interpolation math', () => {
  const a = [1, 0, 0]
  const b = [0, 2, 0]

  it('lerp and slerp agree at the ends and differ in the middle', () => {
    for (const t of [0, 1]) expect(close(lerp(a, b, t), slerp(a, b, t))).toBe(true)
    expect(close(lerp(a, b, 0), a)).toBe(true)
    expect(close(slerp(a, b, 1), b)).toBe(true)
    expect(Array.from(lerp(a, b, 0.5))).toEqual([0.5, 1, 0])
    const mid = slerp(a, b, 0.5)
    expect(close(mid, lerp(a, b, 0.5))).toBe(false)
    // Slerp of orthogonal vectors: sin(pi/4) / sin(pi/2) weights on each.
    expect(close(mid, [Math.SQRT1_2, 2 * Math.SQRT1_2, 0])).toBe(true)
    // Slerp between unit vectors stays on the unit sphere; lerp cuts through it.
    const u = [0, 1, 0]
    expect(norm(slerp(a, u, 0.3))).toBeCloseTo(1, 5)
    expect(norm(lerp(a, u, 0.5))).toBeLessThan(0.75)
  })

  it('slerp falls back to lerp for near-parallel, opposite and zero vectors', () => {
    const p = [1, 1, 1]
    const q = [2, 2, 2.0000001]
    expect(close(slerp(p, q, 0.4), lerp(p, q, 0.4))).toBe(true)
    expect(close(slerp(p, [-1, -1, -1], 0.25), lerp(p, [-1, -1, -1], 0.25))).toBe(true)
    expect(close(slerp([0, 0, 0], p, 0.5), [0.5, 0.5, 0.5])).toBe(true)
    expect(Array.from(slerp(p, q, 0.4)).every(Number.isFinite)).toBe(true)
  })

  it('strips hold steps vectors with the exact ends', () => {
    const strip = interpolationLatents(a, b, 5, 'slerp')
    expect(strip.length).toBe(15)
    expect(Array.from(strip.subarray(0, 3))).toEqual(a)
    expect(Array.from(strip.subarray(12, 15))).toEqual(b)
    const lin = interpolationLatents(a, b, 5, 'lerp')
    expect(Array.from(lin.subarray(6, 9))).toEqual([0.5, 1, 0])
  })

  it('computes a - b + c and names wrong vectors', () => {
    expect(Array.from(arithmetic([1, 2], [3, 5], [10, 20]))).toEqual([8, 17])
    expect(latentProblem('from', [1, 2], 3)).toBe("from: has 2 values but the run's latent size is 3")
    expect(latentProblem('to', [1, NaN, 2], 3)).toBe('to: value 1 is not a finite number')
    expect(latentProblem('to', [1, 0, 2], 3)).toBeNull()
  })
})
