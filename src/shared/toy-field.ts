// GAN Lab's view of a toy run (poloclub.github.io/ganlab): D's output over the data plane (2D)
// or along x (1D), the real points and the generated points of a fixed latent batch, and for
// each generated point the direction in which G's loss falls (minus its gradient with respect
// to the point). The trainer computes one every few steps while a run trains and one at the end
// of every epoch, which the lab stores (table epoch_fields). Pure: the shape, its schema and the
// plane's geometry.
import { z } from 'zod'
import type { GanLossKind } from './config'
import type { ColumnSpec } from './datasets'

/** Cells per side of a 2D field's grid, and points of a 1D field's curve. */
export const FIELD_RESOLUTION_2D = 40
export const FIELD_RESOLUTION_1D = 120
/** Real points and generated points (the first of the run's fixed latent batch) in a field. */
export const FIELD_POINTS = 250
/** A live field at most every this many steps, and no more often than FIELD_MIN_INTERVAL_MS. */
export const FIELD_EVERY_STEPS = 10
export const FIELD_MIN_INTERVAL_MS = 250
/** Live fields take at most about this share of training time (a slow field is sent less often). */
export const FIELD_MAX_SHARE = 0.1
/** The plane reaches this share of each column's range beyond it on either side. */
export const FIELD_MARGIN = 0.15

/**
 * What `values` holds: 'probability', σ(D's logit), the chance D gives a point of being real
 * (the BCE losses, nsgan and minimax); 'score', D's raw output (LSGAN's regression target,
 * a hinge or Wasserstein critic's score), which has no fixed range.
 */
export type FieldOutput = 'probability' | 'score'

export function fieldOutputOf(loss: GanLossKind): FieldOutput {
  return loss === 'nsgan' || loss === 'minimax' ? 'probability' : 'score'
}

const finite = z.number().finite()
const point = z.array(finite).min(1).max(2)

export const toyFieldSchema = z
  .object({
    /** The global step after which it was computed (the epoch's last step for an epoch's field). */
    step: z.number().int().min(0),
    epoch: z.number().int().min(1),
    /** The data's column names: the x axis and, in 2D, the y axis. */
    columns: z.array(z.string().max(200)).min(1).max(2),
    /** The plane in data units: [min, max] per dimension. */
    extent: z.array(z.tuple([finite, finite])).min(1).max(2),
    /** Grid cells per side (2D) or curve points (1D). */
    resolution: z.number().int().min(2).max(200),
    output: z.enum(['probability', 'score']),
    /** D's output at the cells' centres (fieldCellCentre): row by row from the lowest y, x ascending; 1D: along x. */
    values: z.array(finite).max(200 * 200),
    /** Real points and generated points in data units. */
    real: z.array(point).max(2000),
    fake: z.array(point).max(2000),
    /** Per generated point: minus the gradient of G's loss (for that point) with respect to it, in data units. */
    arrows: z.array(point).max(2000)
  })
  .strict()
  .superRefine((f, ctx) => {
    const dims = f.columns.length
    if (f.extent.length !== dims) ctx.addIssue({ code: 'custom', path: ['extent'], message: `must have ${dims} ranges, one per column` })
    f.extent.forEach(([lo, hi], d) => {
      if (!(hi > lo)) ctx.addIssue({ code: 'custom', path: ['extent', d], message: 'must run from a smaller to a larger value' })
    })
    const cells = dims === 2 ? f.resolution * f.resolution : f.resolution
    if (f.values.length !== cells) ctx.addIssue({ code: 'custom', path: ['values'], message: `must hold ${cells} values (resolution ${f.resolution}, ${dims}D), not ${f.values.length}` })
    if (f.arrows.length !== f.fake.length) ctx.addIssue({ code: 'custom', path: ['arrows'], message: `must hold one arrow per generated point (${f.fake.length}), not ${f.arrows.length}` })
    for (const key of ['real', 'fake', 'arrows'] as const) {
      const bad = f[key].findIndex((p) => p.length !== dims)
      if (bad >= 0) ctx.addIssue({ code: 'custom', path: [key, bad], message: `must have ${dims} coordinate${dims > 1 ? 's' : ''}` })
    }
  })
export type ToyField = z.infer<typeof toyFieldSchema>

/**
 * The columns of a run's data a field is drawn for: one or two numeric columns (after ignored
 * ones are left out), each with a range. Null for any other data (images, wider tables,
 * categories), which gets no field.
 */
export function fieldColumns(columns: readonly ColumnSpec[] | null): ColumnSpec[] | null {
  if (!columns) return null
  const used = columns.filter((c) => c.type !== 'ignore')
  if (used.length < 1 || used.length > 2) return null
  const ranged = used.every((c) => (c.type === 'numeric' || c.type === 'integer') && c.min !== undefined && c.max !== undefined && c.max > c.min)
  return ranged ? used : null
}

/** The plane of a field over `columns`: each column's range widened by FIELD_MARGIN on both sides. */
export function fieldExtent(columns: readonly ColumnSpec[]): [number, number][] {
  return columns.map((c) => {
    const lo = c.min ?? 0
    const hi = c.max ?? 0
    const pad = (hi - lo) * FIELD_MARGIN
    return [lo - pad, hi + pad]
  })
}

/** The data-space coordinate of cell `i` (0-based) of `resolution` along [lo, hi]: its centre. */
export function cellCentre([lo, hi]: readonly [number, number], resolution: number, i: number): number {
  return lo + ((i + 0.5) * (hi - lo)) / resolution
}

/** The point of `values[k]`: [x] in 1D, [x, y] in 2D (row k / resolution from the lowest y). */
export function fieldCellCentre(f: Pick<ToyField, 'extent' | 'resolution'>, k: number): number[] {
  if (f.extent.length === 1) return [cellCentre(f.extent[0], f.resolution, k)]
  return [cellCentre(f.extent[0], f.resolution, k % f.resolution), cellCentre(f.extent[1], f.resolution, Math.floor(k / f.resolution))]
}

/** The lowest and highest of `values` (a 'score' field's colour scale). */
export function valueRange(values: readonly number[]): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1]
}
