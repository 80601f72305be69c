// Epoch samples of runs that do not generate images: G's rows for the fixed latent batch
// decoded back to the table's columns, or generated points beside a fixed set of real ones.
import { decodeRow, outputColumns, type ColumnSpec } from '@shared/datasets'
import type { TrainingData } from './data/source'
import type { SampleRenderer } from './train'
import { tf } from './tf'

/** Points shown per epoch (real and generated each). */
export const SCATTER_POINTS = 500

function generate(G: tf.LayersModel, z: tf.Tensor2D): { values: Float32Array; width: number } {
  const out = tf.tidy(() => G.apply(z, { training: false }) as tf.Tensor2D)
  const values = out.dataSync() as Float32Array
  const width = out.shape[1]
  out.dispose()
  return { values, width }
}

/** Generated rows per epoch (the fixed latent batch), and real rows for the histograms. */
export const TABLE_ROWS = 500

/** A table of generated rows in the original columns and types, beside the first real rows decoded the same way. */
export function tableRenderer(columns: ColumnSpec[], data: TrainingData): SampleRenderer {
  const features = data.shape[0]
  const realCount = Math.min(TABLE_ROWS, data.count)
  const buf = new Float32Array(realCount * features)
  for (let i = 0; i < realCount; i++) data.fill(i, buf, i * features)
  const real = Array.from({ length: realCount }, (_, i) => decodeRow(columns, buf, i * features))
  return {
    count: TABLE_ROWS,
    render(G, z) {
      const { values, width } = generate(G, z)
      const rows = Array.from({ length: values.length / width }, (_, i) => decodeRow(columns, values, i * width))
      return { samples: { kind: 'table', columns: outputColumns(columns), rows, real } }
    }
  }
}

/** Generated points (decoded to the data's units) over the first real ones. */
export function pointsRenderer(columns: ColumnSpec[], realRaw: Float32Array): SampleRenderer {
  const dims = columns.length
  const real: number[][] = []
  for (let i = 0; i < Math.min(SCATTER_POINTS, realRaw.length / dims); i++) real.push(Array.from(realRaw.subarray(i * dims, (i + 1) * dims), (v) => Number(v.toPrecision(5))))
  return {
    count: SCATTER_POINTS,
    render(G, z) {
      const { values, width } = generate(G, z)
      const fake = Array.from({ length: values.length / width }, (_, i) => decodeRow(columns, values, i * width) as number[])
      return { samples: { kind: 'points', columns: columns.map((c) => c.name), real, fake } }
    }
  }
}
