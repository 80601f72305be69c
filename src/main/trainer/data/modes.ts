// An imported table re-encoded with CTGAN's mode-specific normalisation for training: the
// stored min-max rows decoded back to values, the modes fitted on them (a seeded sample of at
// most FIT_ROWS rows), and every row encoded as (offset, mode one-hot) per number.
import { decodeRow, type ColumnSpec } from '@shared/datasets'
import { encodeModesRow, fitModes, modesWidth, outputHeads, type ModeColumn, type OutputHead } from '@shared/tabular-transform'
import { categoryRows, conditionFrom, conditionPositions, type TableCondition } from '@shared/table-condition'
import { tf } from '../tf'
import { mulberry32, permutation } from '../../common/random'
import { vectorData, type TrainingData } from './source'

/** Rows the mixtures are fitted on (EM is linear in them; more adds little to 10 components). */
export const FIT_ROWS = 5000

/** The rows of `data` (min-max encoded in `columns`) as values: numbers and category labels. */
export function rawRows(columns: readonly ColumnSpec[], data: TrainingData): (number | string)[][] {
  const width = data.shape[0]
  const buf = new Float32Array(width)
  const rows: (number | string)[][] = []
  for (let i = 0; i < data.count; i++) {
    data.fill(i, buf, 0)
    rows.push(decodeRow(columns, buf))
  }
  return rows
}

/**
 * The table re-encoded with the modes transform; with `bySampling`, and a categorical column to
 * condition on, also CTGAN's condition (its counts in these rows, and each category's rows).
 */
export function modesData(
  columns: readonly ColumnSpec[],
  data: TrainingData,
  seed: number,
  bySampling = false
): { data: TrainingData; transform: ModeColumn[]; raw: (number | string)[][]; condition: TableCondition | null } {
  const raw = rawRows(columns, data)
  const rand = mulberry32(seed ^ 0x30de5)
  const order = permutation(raw.length, rand)
  const fitOn = raw.length <= FIT_ROWS ? raw : Array.from(order.subarray(0, FIT_ROWS), (i) => raw[i])
  const transform = fitModes(columns, fitOn)
  const width = modesWidth(transform)
  const values = new Float32Array(raw.length * width)
  raw.forEach((row, i) => encodeModesRow(transform, row, values, i * width, rand))
  const byCategory = bySampling ? categoryRows(transform, raw) : []
  const condition = conditionFrom(byCategory)
  const trained: TrainingData = { ...vectorData(values, width), fakeForD: gumbelView(outputHeads(transform), GUMBEL_TAU) }
  // Each slot's rows, in the condition's slot order: the real rows a drawn category picks from.
  if (condition) trained.condition = { spec: condition, positions: conditionPositions(transform), rows: byCategory.flatMap((c) => c.rows.map((r) => Uint32Array.from(r))) }
  return { data: trained, transform, raw, condition }
}

/** CTGAN's Gumbel-softmax temperature. */
export const GUMBEL_TAU = 0.2

/**
 * What D sees of G's rows: each softmax head p replaced by a Gumbel-softmax draw from it,
 * softmax((log p + g) / tau) with g Gumbel noise, which is Gumbel-softmax on G's logits (the
 * softmax's constant cancels). The one-hots D sees from G are then nearly hard, like the real
 * ones, instead of giving G away by their softness; the tanh offsets pass as they are.
 */
export function gumbelView(heads: readonly OutputHead[], tau: number): (generated: tf.Tensor) => tf.Tensor {
  return (generated) =>
    tf.tidy(() => {
      const parts = tf.split(generated, heads.map((h) => h.width), 1)
      const seen = parts.map((p, i) => {
        if (heads[i].activation !== 'softmax' || heads[i].width === 1) return p
        const u = tf.randomUniform(p.shape, 1e-6, 1 - 1e-6)
        const g = tf.neg(tf.log(tf.neg(tf.log(u))))
        return tf.softmax(tf.div(tf.add(tf.log(tf.add(p, 1e-8)), g), tau))
      })
      return seen.length === 1 ? seen[0] : tf.concat(seen, 1)
    })
}
