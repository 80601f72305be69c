// Epoch samples of runs that do not generate images: G's rows for the fixed latent batch
// decoded back to the table's columns, or generated points beside a fixed set of real ones.
import { decodeRow, outputColumns, type ColumnSpec } from '@shared/datasets'
import { GRID_SAMPLES, type SampleRenderer } from './train'
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

/** A table of generated rows in the original columns and types. */
export function tableRenderer(columns: ColumnSpec[]): SampleRenderer {
  return {
    count: GRID_SAMPLES,
    render(G, z) {
      const { values, width } = generate(G, z)
      const rows = Array.from({ length: values.length / width }, (_, i) => decodeRow(columns, values, i * width))
      return { samples: { kind: 'table', columns: outputColumns(columns), rows } }
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
