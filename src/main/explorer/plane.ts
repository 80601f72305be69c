// The pure geometry of a latent plane: which latent vector each cell of an n x n grid uses.
// Cell (r, c) uses z = base + x_c u + y_r v, with
// x_c = min + c (max - min) / (n - 1) left to right and y_r = max - r (max - min) / (n - 1),
// so row 0 is at the top (y = max) as in a plot. The base is the zero vector or a given
// point; u and v are the unit vectors of axes i and j, or with a seed two random orthonormal
// directions (Gaussian draws from mulberry32(seed), Gram-Schmidt).
import { gaussian, mulberry32 } from '../trainer/random'

export interface PlaneSpec {
  axisI: number
  axisJ: number
  min: number
  max: number
  /** Cells per side. */
  resolution: number
  /** The plane's centre; the zero vector when absent. */
  base?: number[]
  /** With a seed the directions are random orthonormal ones and axisI/axisJ are not used. */
  seed?: number
}

/** Two orthonormal directions of a latent space of latentDim (>= 2), the same for the same seed. */
export function randomOrthonormalPair(latentDim: number, seed: number): [Float32Array, Float32Array] {
  const rand = mulberry32(seed)
  const u = Float64Array.from(gaussian(latentDim, rand))
  const v = Float64Array.from(gaussian(latentDim, rand))
  const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, k) => s + x * b[k], 0)
  const nu = Math.sqrt(dot(u, u))
  for (let k = 0; k < latentDim; k++) u[k] /= nu
  const p = dot(u, v)
  for (let k = 0; k < latentDim; k++) v[k] -= p * u[k]
  const nv = Math.sqrt(dot(v, v))
  for (let k = 0; k < latentDim; k++) v[k] /= nv
  return [Float32Array.from(u), Float32Array.from(v)]
}

/** The plane's two directions u (left to right) and v (bottom to top). */
export function planeDirections(spec: PlaneSpec, latentDim: number): [Float32Array, Float32Array] {
  if (spec.seed !== undefined) return randomOrthonormalPair(latentDim, spec.seed)
  const u = new Float32Array(latentDim)
  const v = new Float32Array(latentDim)
  u[spec.axisI] = 1
  v[spec.axisJ] = 1
  return [u, v]
}

/** The n values from min to max, ends included. */
export function axisValues(min: number, max: number, n: number): number[] {
  if (n < 2) return [min]
  const step = (max - min) / (n - 1)
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? max : min + k * step))
}

/** The plane coordinates (x along axis i, y along axis j) of cell (row, col). */
export function cellCoords(spec: PlaneSpec, row: number, col: number): { x: number; y: number } {
  const values = axisValues(spec.min, spec.max, spec.resolution)
  return { x: values[col], y: values[spec.resolution - 1 - row] }
}

/** The latent vector of one cell (directions computed once by the caller where it has many). */
export function cellLatent(
  spec: PlaneSpec,
  latentDim: number,
  row: number,
  col: number,
  directions: [Float32Array, Float32Array] = planeDirections(spec, latentDim)
): Float32Array {
  const [u, v] = directions
  const z = new Float32Array(latentDim)
  const { x, y } = cellCoords(spec, row, col)
  for (let k = 0; k < latentDim; k++) z[k] = (spec.base?.[k] ?? 0) + x * u[k] + y * v[k]
  return z
}

/** All n*n latent vectors, row-major (cell index r * n + c), latentDim values each. */
export function planeLatents(spec: PlaneSpec, latentDim: number): Float32Array {
  const n = spec.resolution
  const out = new Float32Array(n * n * latentDim)
  const directions = planeDirections(spec, latentDim)
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out.set(cellLatent(spec, latentDim, r, c, directions), (r * n + c) * latentDim)
  return out
}

/** Why a plane cannot be drawn in a latent space of latentDim, or null when it can. */
export function planeProblem(spec: PlaneSpec, latentDim: number): string | null {
  if (spec.base !== undefined) {
    if (spec.base.length !== latentDim) return `base: has ${spec.base.length} values but the run's latent size is ${latentDim}`
    if (!spec.base.every(Number.isFinite)) return 'base: values must be finite numbers'
  }
  if (spec.seed !== undefined) {
    if (latentDim < 2) return `seed: a random plane needs a latent size of at least 2 (the run's is ${latentDim})`
    if (!(spec.min < spec.max)) return 'max: min must be less than max'
    return null
  }
  for (const [name, axis] of [['axisI', spec.axisI], ['axisJ', spec.axisJ]] as const) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= latentDim) return `${name}: must be between 0 and ${latentDim - 1} (the run's latent size is ${latentDim})`
  }
  if (spec.axisI === spec.axisJ) return 'axisJ: axis j must differ from axis i'
  if (!(spec.min < spec.max)) return 'max: min must be less than max'
  return null
}

/** A stable text key of a plane of one run's checkpoint. */
export function planeCacheKey(runId: number, epoch: number, spec: PlaneSpec): string {
  const directions = spec.seed !== undefined ? `random ${spec.seed}` : `axes ${spec.axisI} ${spec.axisJ}`
  const base = spec.base ? `base ${spec.base.join(',')}` : 'base 0'
  return [runId, epoch, directions, base, spec.min, spec.max, spec.resolution].join(':')
}
