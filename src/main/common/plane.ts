// The pure geometry of a latent plane: which latent vector each cell of an n x n grid uses.
// Cell (r, c) uses z = base + x_c u + y_r v, with
// x_c = min + c (max - min) / (n - 1) left to right and y_r = max - r (max - min) / (n - 1),
// so row 0 is at the top (y = max) as in a plot. The base is the zero vector or a given
// point; u and v are the unit vectors of axes i and j, or with a seed two random orthonormal
// directions (Gaussian draws from mulberry32(seed), Gram-Schmidt), or the plane through three
// points a, b, c: base a, u along b - a, v the part of c - a orthogonal to u.
import { gaussian, mulberry32 } from './random'

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
  /** Three latent points: the plane through them, centred on the first (no base or seed then). */
  through?: number[][]
}

/** Below this length (relative to the points' size) a direction is taken as degenerate. */
const DEGENERATE = 1e-6

/** The orthonormal pair of the plane through a, b, c, or null when the points lie on one line. */
export function throughDirections(points: readonly (readonly number[])[]): [Float32Array, Float32Array] | null {
  const [a, b, c] = points
  const d = a.length
  const u = Float64Array.from({ length: d }, (_, k) => b[k] - a[k])
  const w = Float64Array.from({ length: d }, (_, k) => c[k] - a[k])
  const norm = (x: Float64Array): number => Math.sqrt(x.reduce((s, y) => s + y * y, 0))
  const scale = Math.max(1, norm(Float64Array.from(a)), norm(Float64Array.from(b)), norm(Float64Array.from(c)))
  const nu = norm(u)
  if (nu <= DEGENERATE * scale) return null
  for (let k = 0; k < d; k++) u[k] /= nu
  const p = w.reduce((s, y, k) => s + y * u[k], 0)
  for (let k = 0; k < d; k++) w[k] -= p * u[k]
  const nw = norm(w)
  if (nw <= DEGENERATE * scale) return null
  for (let k = 0; k < d; k++) w[k] /= nw
  return [Float32Array.from(u), Float32Array.from(w)]
}

/** Plane coordinates (x along u, y along v) of a latent point relative to the base. */
export function planeCoordsOf(point: readonly number[], base: readonly number[] | undefined, [u, v]: [Float32Array, Float32Array]): { x: number; y: number } {
  let x = 0
  let y = 0
  for (let k = 0; k < point.length; k++) {
    const d = point[k] - (base?.[k] ?? 0)
    x += d * u[k]
    y += d * v[k]
  }
  return { x, y }
}

/** The plane's centre: the first of three points, the given base, or undefined (zero). */
export function planeBase(spec: PlaneSpec): number[] | undefined {
  return spec.through ? spec.through[0] : spec.base
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
  if (spec.through) {
    const pair = throughDirections(spec.through)
    if (!pair) throw new Error('The three points lie on one line: they span no plane')
    return pair
  }
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
  const base = planeBase(spec)
  for (let k = 0; k < latentDim; k++) z[k] = (base?.[k] ?? 0) + x * u[k] + y * v[k]
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
  if (spec.through !== undefined) {
    if (spec.base !== undefined || spec.seed !== undefined) return 'through: a plane through three points takes neither a base nor a seed'
    if (spec.through.length !== 3) return `through: needs exactly 3 points, got ${spec.through.length}`
    for (const [k, point] of spec.through.entries()) {
      const name = `through.${k}`
      if (point.length !== latentDim) return `${name}: has ${point.length} values but the run's latent size is ${latentDim}`
      if (!point.every(Number.isFinite)) return `${name}: values must be finite numbers`
    }
    if (!throughDirections(spec.through)) return 'through: the three points lie on one line (or two are the same), so they span no plane'
    if (!(spec.min < spec.max)) return 'max: min must be less than max'
    return null
  }
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
  const directions = spec.through
    ? `through ${spec.through.map((p) => p.join(',')).join(';')}`
    : spec.seed !== undefined
      ? `random ${spec.seed}`
      : `axes ${spec.axisI} ${spec.axisJ}`
  const base = spec.base ? `base ${spec.base.join(',')}` : 'base 0'
  return [runId, epoch, directions, base, spec.min, spec.max, spec.resolution].join(':')
}
