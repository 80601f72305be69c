// The pure geometry of a latent plane: which latent vector each cell of an n x n grid uses.
// Cell (r, c) uses z = x_c e_axisI + y_r e_axisJ (the base is the zero vector), with
// x_c = min + c (max - min) / (n - 1) left to right and y_r = max - r (max - min) / (n - 1),
// so row 0 is at the top (y = max) as in a plot.

export interface PlaneSpec {
  axisI: number
  axisJ: number
  min: number
  max: number
  /** Cells per side. */
  resolution: number
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

/** The latent vector of one cell. */
export function cellLatent(spec: PlaneSpec, latentDim: number, row: number, col: number): Float32Array {
  const z = new Float32Array(latentDim)
  const { x, y } = cellCoords(spec, row, col)
  z[spec.axisI] = x
  z[spec.axisJ] = y
  return z
}

/** All n*n latent vectors, row-major (cell index r * n + c), latentDim values each. */
export function planeLatents(spec: PlaneSpec, latentDim: number): Float32Array {
  const n = spec.resolution
  const out = new Float32Array(n * n * latentDim)
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out.set(cellLatent(spec, latentDim, r, c), (r * n + c) * latentDim)
  return out
}

/** Why a plane cannot be drawn in a latent space of latentDim, or null when it can. */
export function planeProblem(spec: PlaneSpec, latentDim: number): string | null {
  for (const [name, axis] of [['axisI', spec.axisI], ['axisJ', spec.axisJ]] as const) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= latentDim) return `${name}: must be between 0 and ${latentDim - 1} (the run's latent size is ${latentDim})`
  }
  if (spec.axisI === spec.axisJ) return 'axisJ: axis j must differ from axis i'
  if (!(spec.min < spec.max)) return 'max: min must be less than max'
  return null
}

/** A stable text key of a plane of one run's checkpoint. */
export function planeCacheKey(runId: number, epoch: number, spec: PlaneSpec): string {
  return [runId, epoch, spec.axisI, spec.axisJ, spec.min, spec.max, spec.resolution].join(':')
}
