// Epoch samples of runs that do not generate images: G's rows for the fixed latent batch
// decoded back to the table's columns, or generated points beside a fixed set of real ones.
import { decodeRow, outputColumns, type ColumnSpec, type EpochSamples } from '@shared/datasets'
import { baselineFidelity, independentRows, tabularFidelity, type FidelityFigures } from '@shared/tabular-fidelity'
import { utilityScorer, type TabularUtility } from '@shared/tabular-utility'
import { mulberry32, permutation } from '../common/random'
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

/** Turns G's output at `offset` into a row of the table's columns (`rand` draws a mode or category from G's softmax where the transform has them). */
export type RowDecoder = (values: Float32Array, offset: number, rand: () => number) => (number | string)[]

/** The rows of `data` decoded with `decode`. */
export function decodedRows(data: TrainingData, decode: RowDecoder): (number | string)[][] {
  const features = data.shape[0]
  const buf = new Float32Array(data.count * features)
  for (let i = 0; i < data.count; i++) data.fill(i, buf, i * features)
  const rand = mulberry32(1)
  return Array.from({ length: data.count }, (_, i) => decode(buf, i * features, rand))
}

/** Real rows the fidelity report compares with (a seeded sample of them beyond this). */
export const FIDELITY_REAL_ROWS = 5000

/** Generated rows the fidelity report scores: as many as the real rows compared, and at least 2000 (less noise in KS). */
export function fidelityGeneratedRows(realRows: number): number {
  return Math.min(FIDELITY_REAL_ROWS, Math.max(2000, realRows))
}

/** What the fidelity report of each epoch draws from: a fixed batch of G's inputs (latent vectors, and a table's condition after them), and a seed for its classifier's splits. */
export interface FidelityInputs {
  inputs: (count: number) => Float32Array
  inputWidth: number
  seed: number
  /** With a target column: the real rows held out of training (decoded), which the utility models are tested on (tabular-utility.ts). */
  utility?: { target: string; heldOut: (number | string)[][] }
}

/**
 * A table of generated rows in the original columns and types, beside the first real rows
 * (`real`, already decoded); with `fidelity`, each epoch also scores a fixed batch of generated
 * rows against the real ones (tabular-fidelity.ts), beside the naive baseline scored once.
 */
export function tableRenderer(columns: ColumnSpec[], real: (number | string)[][], decode: RowDecoder = (v, o) => decodeRow(columns, v, o), fidelity?: FidelityInputs): SampleRenderer {
  const shown = real.slice(0, TABLE_ROWS)
  const out = outputColumns(columns)
  let report: { real: (number | string)[][]; inputs: Float32Array; baseline: FidelityFigures } | null = null
  let utility: ((generated: (number | string)[][]) => TabularUtility) | null = null
  if (fidelity) {
    const rand = mulberry32(fidelity.seed ^ 0xf1de)
    const compared = real.length <= FIDELITY_REAL_ROWS ? real : Array.from(permutation(real.length, rand).subarray(0, FIDELITY_REAL_ROWS), (i) => real[i])
    const count = fidelityGeneratedRows(compared.length)
    report = { real: compared, inputs: fidelity.inputs(count), baseline: baselineFidelity(out, compared, count, rand) }
    // TRTR on the compared real rows and the baseline's independent rows are scored once, here.
    if (fidelity.utility) {
      const { target, heldOut } = fidelity.utility
      utility = utilityScorer(out, target, compared, heldOut, independentRows(out, compared, count, mulberry32(fidelity.seed ^ 0x7577)))
    }
  }
  return {
    count: TABLE_ROWS,
    render(G, z) {
      const { values, width } = generate(G, z)
      const draw = mulberry32(fidelity?.seed ?? 1)
      const rows = Array.from({ length: values.length / width }, (_, i) => decode(values, i * width, draw))
      const samples: EpochSamples = { kind: 'table', columns: out, rows, real: shown }
      if (report && fidelity) {
        const zf = tf.tensor2d(report.inputs, [report.inputs.length / fidelity.inputWidth, fidelity.inputWidth])
        const gen = generate(G, zf)
        zf.dispose()
        const generated = Array.from({ length: gen.values.length / gen.width }, (_, i) => decode(gen.values, i * gen.width, draw))
        samples.fidelity = tabularFidelity(out, report.real, generated, report.baseline, mulberry32(fidelity.seed ^ 0xde7))
        if (utility) samples.fidelity.utility = utility(generated)
      }
      return { samples }
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
