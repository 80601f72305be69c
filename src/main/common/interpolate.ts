// The pure math of latent interpolation and vector arithmetic: lerp, slerp (falling back to
// lerp for near-parallel vectors, where the great circle is undefined) and a - b + c.

/** Below this angle (radians) between the vectors slerp falls back to lerp. */
export const SLERP_MIN_ANGLE = 1e-4

export type InterpolationMode = 'lerp' | 'slerp'

/** (1 - t) a + t b. */
export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  const out = new Float32Array(a.length)
  for (let k = 0; k < a.length; k++) out[k] = (1 - t) * a[k] + t * b[k]
  return out
}

/**
 * Spherical interpolation: sin((1 - t) w) / sin(w) a + sin(t w) / sin(w) b, w the angle
 * between a and b. Falls back to lerp when either vector is zero or they are (anti)parallel.
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  let dot = 0
  let na = 0
  let nb = 0
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k]
    na += a[k] * a[k]
    nb += b[k] * b[k]
  }
  if (na === 0 || nb === 0) return lerp(a, b, t)
  const cos = Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)))
  const omega = Math.acos(cos)
  const sin = Math.sin(omega)
  if (omega < SLERP_MIN_ANGLE || Math.PI - omega < SLERP_MIN_ANGLE || Math.abs(sin) < 1e-8) return lerp(a, b, t)
  const wa = Math.sin((1 - t) * omega) / sin
  const wb = Math.sin(t * omega) / sin
  const out = new Float32Array(a.length)
  for (let k = 0; k < a.length; k++) out[k] = wa * a[k] + wb * b[k]
  return out
}

/**
 * The angle between a and b in degrees (null when either is zero) and whether slerp falls
 * back to lerp for them (a zero vector, or parallel or opposite within SLERP_MIN_ANGLE).
 */
export function slerpAngle(a: ArrayLike<number>, b: ArrayLike<number>): { degrees: number | null; sameAsLerp: boolean } {
  let dot = 0
  let na = 0
  let nb = 0
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k]
    na += a[k] * a[k]
    nb += b[k] * b[k]
  }
  if (na === 0 || nb === 0) return { degrees: null, sameAsLerp: true }
  const omega = Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb))))
  return { degrees: (omega * 180) / Math.PI, sameAsLerp: omega < SLERP_MIN_ANGLE || Math.PI - omega < SLERP_MIN_ANGLE || Math.abs(Math.sin(omega)) < 1e-8 }
}

/** `steps` latent vectors from `from` to `to`, ends included, concatenated. */
export function interpolationLatents(from: ArrayLike<number>, to: ArrayLike<number>, steps: number, mode: InterpolationMode): Float32Array {
  const dim = from.length
  const out = new Float32Array(steps * dim)
  const f = mode === 'lerp' ? lerp : slerp
  for (let s = 0; s < steps; s++) {
    const t = steps < 2 ? 0 : s / (steps - 1)
    out.set(s === 0 ? Float32Array.from(from) : s === steps - 1 ? Float32Array.from(to) : f(from, to, t), s * dim)
  }
  return out
}

/** a - b + c. */
export function arithmetic(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): Float32Array {
  const out = new Float32Array(a.length)
  for (let k = 0; k < a.length; k++) out[k] = a[k] - b[k] + c[k]
  return out
}

/** Why a vector cannot be a latent vector of a run of latentDim, or null when it can. */
export function latentProblem(name: string, v: readonly number[], latentDim: number): string | null {
  if (v.length !== latentDim) return `${name}: has ${v.length} values but the run's latent size is ${latentDim}`
  const bad = v.findIndex((x) => !Number.isFinite(x))
  if (bad >= 0) return `${name}: value ${bad} is not a finite number`
  return null
}
