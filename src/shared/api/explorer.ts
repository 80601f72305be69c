// The latent explorer's requests and results: planes (grid and scatter), interpolation strips,
// latent arithmetic, grid tiles' latent vectors, and saved latent views.
import { z } from 'zod'

/** Latent-plane resolution bounds (cells per side). */
export const EXPLORER_MIN_RESOLUTION = 5
export const EXPLORER_MAX_RESOLUTION = 32

const latentVector = z.array(z.number().finite('must be finite numbers')).min(1, 'must not be empty')

/** The class a conditional run's generator is asked for, held fixed over a plane or strip. */
const classLabel = z.number().int('must be a whole number').min(0, 'must be at least 0').max(255, 'must be at most 255').optional()

/**
 * One plane of the latent space: z = base + x u + y v, u and v the unit vectors of axes i
 * and j or, with a seed, two random orthonormal directions; base the zero vector or a point.
 * Originally z = x e_axisI + y e_axisJ, x and y from min to max in
 * `resolution` steps. Axes below latentDim are checked by the service (it knows the run).
 */
export const explorerGridSchema = z
  .object({
    id: z.number().int().positive(),
    epoch: z.number().int().min(1),
    axisI: z.number().int().min(0, 'must be at least 0'),
    axisJ: z.number().int().min(0, 'must be at least 0'),
    min: z.number().finite(),
    max: z.number().finite(),
    resolution: z
      .number()
      .int()
      .min(EXPLORER_MIN_RESOLUTION, `must be at least ${EXPLORER_MIN_RESOLUTION}`)
      .max(EXPLORER_MAX_RESOLUTION, `must be at most ${EXPLORER_MAX_RESOLUTION}`),
    base: latentVector.optional(),
    seed: z.number().int('must be an integer').min(0, 'must be at least 0').max(0xffffffff, 'must be at most 4294967295').optional(),
    /** The plane through three latent points, centred on the first; axisI/axisJ are then not used. */
    through: z.array(latentVector).length(3, 'must be exactly 3 points').optional(),
    classLabel
  })
  .strict()
  .refine((r) => r.min < r.max, { message: 'min must be less than max', path: ['max'] })
  .refine((r) => r.seed !== undefined || r.through !== undefined || r.axisI !== r.axisJ, { message: 'axis j must differ from axis i', path: ['axisJ'] })
  .refine((r) => r.through === undefined || (r.base === undefined && r.seed === undefined), {
    message: 'a plane through three points takes neither a base nor a seed',
    path: ['through']
  })
export type ExplorerGridRequest = z.output<typeof explorerGridSchema>

export const LATENT_VIEW_FORMAT = 'gan-workbench/latent-view'
export const LATENT_VIEW_VERSION = 1

/** A latent view's settings: the plane request (run and epoch included) and an optional second run. */
export const latentViewSettingsSchema = z
  .object({
    format: z.literal(LATENT_VIEW_FORMAT, `must be "${LATENT_VIEW_FORMAT}"`),
    version: z.literal(LATENT_VIEW_VERSION, `must be ${LATENT_VIEW_VERSION}`),
    grid: explorerGridSchema,
    /** A second run drawn on the same plane beside the first. */
    compareRunId: z.number().int().positive().optional()
  })
  .strict()
export type LatentViewSettings = z.output<typeof latentViewSettingsSchema>

export const saveLatentViewSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    settings: latentViewSettingsSchema
  })
  .strict()

export interface SavedLatentView {
  id: number
  name: string
  runId: number
  settings: LatentViewSettings
  createdAt: number
  updatedAt: number
}

export interface ExplorerGridResult {
  epoch: number
  pngBase64: string
  rows: number
  cols: number
  /** True when the plane came from the cache rather than a new rendering. */
  cached: boolean
  coords: { min: number; max: number; resolution: number; axisI: number; axisJ: number; base?: number[]; seed?: number; through?: boolean }
  /** With a seed or three points: the directions u (left to right) and v (bottom to top). */
  directions?: { u: number[]; v: number[] }
  /** With three points: where each lies on the plane (the first at the origin). */
  points?: { x: number; y: number }[]
}

/** Interpolation strip length bounds (images per strip). */
export const EXPLORER_MIN_STEPS = 3
export const EXPLORER_MAX_STEPS = 32

/** Lerp and slerp strips from one latent vector to another (lengths checked by the service). */
export const explorerInterpolateSchema = z
  .object({
    id: z.number().int().positive(),
    epoch: z.number().int().min(1),
    from: latentVector,
    to: latentVector,
    steps: z
      .number()
      .int()
      .min(EXPLORER_MIN_STEPS, `must be at least ${EXPLORER_MIN_STEPS}`)
      .max(EXPLORER_MAX_STEPS, `must be at most ${EXPLORER_MAX_STEPS}`),
    classLabel
  })
  .strict()
export type ExplorerInterpolateRequest = z.output<typeof explorerInterpolateSchema>

export interface ExplorerInterpolateResult {
  epoch: number
  steps: number
  /** 1 x steps strips, PNG. */
  lerpPngBase64: string
  slerpPngBase64: string
  /**
   * The angle between the two vectors (null when one is zero) and whether slerp fell back to
   * lerp (parallel, opposite or zero vectors: the strips are then the same).
   */
  slerp: { degrees: number | null; sameAsLerp: boolean }
}

/** The image of a - b + c. */
export const explorerArithmeticSchema = z
  .object({ id: z.number().int().positive(), epoch: z.number().int().min(1), a: latentVector, b: latentVector, c: latentVector, classLabel })
  .strict()
export type ExplorerArithmeticRequest = z.output<typeof explorerArithmeticSchema>

export interface ExplorerArithmeticResult {
  epoch: number
  /** a - b + c. */
  latent: number[]
  pngBase64: string
}
/** The plane drawn as points (runs of toy points or table rows): each cell's generated point in data units. */
export interface ExplorerScatterResult {
  epoch: number
  /** The two output columns drawn, x then y. */
  columns: [string, string]
  /** One per plane cell, row by row: x, y in data units, then the cell's plane coordinates u, v. */
  points: [number, number, number, number][]
  /** Real points of the same columns (the epoch's stored samples), as the backdrop. */
  real: [number, number][]
  coords: { min: number; max: number; resolution: number }
}

/** The latent vector behind one tile of a run's epoch sample grids (its fixed latent batch). */
export interface GridSampleLatent {
  index: number
  latent: number[]
  /** A conditional run: the class the tile's row draws. */
  classLabel?: number
  /** The standard deviation of one latent component (1 Gaussian, 1/sqrt(3) uniform): a plane centred on the tile spans a few of these. */
  spread: number
  /** Tiles in the grid. */
  count: number
}
