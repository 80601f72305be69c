// What the training loop draws real examples from, whatever the data set: images scaled
// to [-1, 1], encoded table rows, or toy points. Also the toy distributions themselves.
import { readFileSync } from 'node:fs'
import type { tf } from '../tf'
import { BUILTIN_DATASET_INFO, encodedSize, encodeRow, type ColumnSpec, type ToyDataset } from '@shared/datasets'
import { LabError } from '@shared/errors'
import type { TableCondition } from '@shared/table-condition'
import type { DataSpec } from '@shared/trainer-protocol'
import { combineImagesAndLabels, parseIdx, type LabelledImages } from '../../common/idx'
import { loadMnist } from './mnist'
import { gaussian, mulberry32 } from '../../common/random'

export interface TrainingData {
  count: number
  /** One example's shape: [h, w, c] or [features]. */
  shape: number[]
  /** Writes example `index` (scaled as the models expect) into `out` from `offset`. */
  fill(index: number, out: Float32Array, offset: number): void
  /** Class label of each example (labelled image data sets), for conditional runs. */
  labels?: Uint8Array
  /** Number of classes (the largest label + 1) when there are labels. */
  classes?: number
  /** How D sees a batch G generated, when not as it is (CTGAN's Gumbel-softmax over G's one-hot heads, see data/modes.ts). */
  fakeForD?: (generated: tf.Tensor) => tf.Tensor
  /** CTGAN's conditional vector (training-by-sampling): the run conditions G and D on one category per example (see data/modes.ts). */
  condition?: TrainingCondition
}

export interface TrainingCondition {
  spec: TableCondition
  /** Where each slot's category sits in an encoded row (G's softmax output for it), for G's cross-entropy. */
  positions: Int32Array
  /** The rows of each slot's category. */
  rows: Uint32Array[]
}

export function isTrainingData(d: LabelledImages | TrainingData): d is TrainingData {
  return 'fill' in d
}

export function imageData(images: LabelledImages): TrainingData {
  const channels = images.channels ?? 1
  const per = images.height * images.width * channels
  const labels = images.labels
  return {
    count: images.count,
    shape: [images.height, images.width, channels],
    fill(index, out, offset) {
      const start = index * per
      for (let p = 0; p < per; p++) out[offset + p] = images.pixels[start + p] / 127.5 - 1
    },
    ...(labels ? { labels, classes: labels.reduce((m, l) => Math.max(m, l), 0) + 1 } : {})
  }
}

export function vectorData(values: Float32Array, features: number): TrainingData {
  return {
    count: Math.floor(values.length / features),
    shape: [features],
    fill(index, out, offset) {
      out.set(values.subarray(index * features, (index + 1) * features), offset)
    }
  }
}

/** Raw (unscaled) points of a toy distribution, drawn from `seed`: count x its columns (2, or 1 for a 1D one). */
export function toyPoints(name: ToyDataset, count: number, seed: number): Float32Array {
  const rand = mulberry32(seed ^ 0x70f)
  const noise = gaussian(count * 2, rand)
  if (name === 'toy-bimodal-1d') {
    const out = new Float32Array(count)
    for (let i = 0; i < count; i++) out[i] = (rand() < 0.5 ? -1 : 1.5) + 0.25 * noise[i]
    return out
  }
  const out = new Float32Array(count * 2)
  for (let i = 0; i < count; i++) {
    if (name === 'toy-ring-8') {
      const k = Math.floor(rand() * 8)
      const a = (k / 8) * 2 * Math.PI
      out[2 * i] = 2 * Math.cos(a) + 0.02 * noise[2 * i]
      out[2 * i + 1] = 2 * Math.sin(a) + 0.02 * noise[2 * i + 1]
    } else if (name === 'toy-grid-25') {
      out[2 * i] = (Math.floor(rand() * 5) - 2) * 2 + 0.05 * noise[2 * i]
      out[2 * i + 1] = (Math.floor(rand() * 5) - 2) * 2 + 0.05 * noise[2 * i + 1]
    } else {
      const x = rand() - 0.5
      out[2 * i] = x
      out[2 * i + 1] = x * x
    }
  }
  return out
}

/** Encodes numeric rows (all columns numeric, no ignored ones) with their column ranges. */
export function encodeNumeric(columns: readonly ColumnSpec[], raw: Float32Array): Float32Array {
  const n = columns.length
  const out = new Float32Array(raw.length)
  const cells: string[] = new Array<string>(n)
  for (let i = 0; i < raw.length / n; i++) {
    for (let j = 0; j < n; j++) cells[j] = String(raw[i * n + j])
    encodeRow(columns, cells, out, i * n)
  }
  return out
}

/** The real data a run trains on, as the host described it. */
export function loadTrainingData(spec: DataSpec | undefined, mnistDir: string | undefined, seed: number): { data: TrainingData; columns: ColumnSpec[] | null; rawPoints: Float32Array | null } {
  if (!spec || spec.kind === 'mnist') return { data: imageData(loadMnist('train', mnistDir)), columns: null, rawPoints: null }
  if (spec.kind === 'idx') {
    const images = parseIdx(readFileSync(spec.imagesPath), spec.imagesPath)
    const labels = spec.labelsPath ? parseIdx(readFileSync(spec.labelsPath), spec.labelsPath, 1) : null
    return { data: imageData(combineImagesAndLabels(images, labels, spec.imagesPath, spec.labelsPath ?? '', 255)), columns: null, rawPoints: null }
  }
  if (spec.kind === 'toy') {
    const columns = BUILTIN_DATASET_INFO[spec.name].columns!
    const raw = toyPoints(spec.name, spec.count, seed)
    return { data: vectorData(encodeNumeric(columns, raw), columns.length), columns, rawPoints: raw }
  }
  const bytes = readFileSync(spec.path)
  const features = encodedSize(spec.columns)
  if (bytes.length !== spec.count * features * 4) {
    throw new LabError('DATA_ERROR', `${spec.path} holds ${bytes.length} bytes; ${spec.count} rows of ${features} encoded values need ${spec.count * features * 4}`)
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
  return { data: vectorData(values, features), columns: spec.columns, rawPoints: null }
}
