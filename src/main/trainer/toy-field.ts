// The trainer's half of GAN Lab's view (src/shared/toy-field.ts): D's output over a coarse grid
// of the data plane, and for a fixed set of generated points minus the gradient of G's loss with
// respect to each point, all in the data's own units. Inference only (D and G in inference mode,
// no instance noise) and no randomness drawn, so computing a field never changes what a run
// trains: the same seed gives the same losses with or without it, and a resumed run still
// continues exactly.
import type { RunConfig } from '@shared/config'
import type { ColumnSpec } from '@shared/datasets'
import {
  cellCentre,
  FIELD_EVERY_STEPS,
  FIELD_MIN_INTERVAL_MS,
  FIELD_POINTS,
  FIELD_RESOLUTION_1D,
  FIELD_RESOLUTION_2D,
  fieldColumns,
  fieldExtent,
  fieldOutputOf,
  type ToyField
} from '@shared/toy-field'
import { fixedLatentBatch } from '../common/fixed-batch'
import type { TrainingData } from './data/source'
import { GAN_LOSSES } from './losses'
import { tf } from './tf'

export interface FieldProbe {
  /** Live fields come at least this many steps and this many milliseconds apart (FIELD_EVERY_STEPS, FIELD_MIN_INTERVAL_MS). */
  everySteps: number
  minIntervalMs: number
  /** The field of G and D as they are after global step `step` of `epoch`; null when a value is not finite. */
  compute(G: tf.LayersModel, D: tf.LayersModel, step: number, epoch: number): ToyField | null
  dispose(): void
}

/** Rounds for storage and transport: 5 significant digits keep a field near 20 KB of JSON. */
const round = (v: number): number => Number(v.toPrecision(5))

/**
 * The probe of a run, or null when its data gets no field (images, a table of more than two
 * columns or with categories, a conditional run). `columns` are the data's columns as the trainer
 * encoded them (each numeric column min-max scaled to [-1, 1]).
 */
export function toyFieldProbe(config: Pick<RunConfig, 'seed' | 'latentDim' | 'tricks' | 'conditional'>, columns: readonly ColumnSpec[] | null, data: TrainingData): FieldProbe | null {
  const used = fieldColumns(columns)
  if (!used || config.conditional || data.shape.length !== 1 || data.shape[0] !== used.length) return null
  const dims = used.length
  const extent = fieldExtent(used)
  const resolution = dims === 2 ? FIELD_RESOLUTION_2D : FIELD_RESOLUTION_1D
  // Encoded value e = a·x + b per column (x in data units), so x = (e - b) / a and dℓ/dx = a·dℓ/de.
  const a = used.map((c) => 2 / (c.max! - c.min!))
  const b = used.map((c, d) => -1 - a[d] * c.min!)
  const decode = (e: number, d: number): number => (e - b[d]) / a[d]

  const cells = dims === 2 ? resolution * resolution : resolution
  const grid = new Float32Array(cells * dims)
  for (let k = 0; k < cells; k++) {
    const i = k % resolution
    grid[k * dims] = a[0] * cellCentre(extent[0], resolution, i) + b[0]
    if (dims === 2) grid[k * dims + 1] = a[1] * cellCentre(extent[1], resolution, Math.floor(k / resolution)) + b[1]
  }
  const realCount = Math.min(FIELD_POINTS, data.count)
  const realEncoded = new Float32Array(realCount * dims)
  for (let i = 0; i < realCount; i++) data.fill(i, realEncoded, i * dims)
  const real = Array.from({ length: realCount }, (_, i) => Array.from({ length: dims }, (_, d) => round(decode(realEncoded[i * dims + d], d))))

  // The first FIELD_POINTS vectors of the run's fixed latent batch: the epoch scatter's first generated points.
  const gridTensor = tf.tensor2d(grid, [cells, dims])
  const z = tf.tensor2d(fixedLatentBatch(config.seed, config.latentDim, FIELD_POINTS, config.tricks.latent), [FIELD_POINTS, config.latentDim])
  const output = fieldOutputOf(config.tricks.loss)
  const gLoss = GAN_LOSSES[config.tricks.loss].g

  return {
    everySteps: FIELD_EVERY_STEPS,
    minIntervalMs: FIELD_MIN_INTERVAL_MS,
    compute(G, D, step, epoch) {
      const [values, fake, grads] = tf.tidy(() => {
        const scores = D.apply(gridTensor, { training: false }) as tf.Tensor
        const shown = output === 'probability' ? tf.sigmoid(scores) : scores
        const points = G.apply(z, { training: false }) as tf.Tensor2D
        // G's loss is a mean over its batch; times the count it is the sum of each point's own loss,
        // whose gradient with respect to a point is that point's alone (D in inference mode).
        const perPoint = (x: tf.Tensor): tf.Scalar => tf.mul(FIELD_POINTS, gLoss(D.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar
        const grad = tf.grad(perPoint)(points)
        return [shown.dataSync() as Float32Array, points.dataSync() as Float32Array, grad.dataSync() as Float32Array]
      })
      for (const list of [values, fake, grads]) for (const v of list) if (!Number.isFinite(v)) return null
      return {
        step,
        epoch,
        columns: used.map((c) => c.name),
        extent,
        resolution,
        output,
        values: Array.from(values, round),
        real,
        fake: Array.from({ length: FIELD_POINTS }, (_, i) => Array.from({ length: dims }, (_, d) => round(decode(fake[i * dims + d], d)))),
        arrows: Array.from({ length: FIELD_POINTS }, (_, i) => Array.from({ length: dims }, (_, d) => round(-a[d] * grads[i * dims + d])))
      }
    },
    dispose() {
      tf.dispose([gridTensor, z])
    }
  }
}
