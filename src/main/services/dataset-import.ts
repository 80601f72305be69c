// Importers of the researcher's own data: IDX images (gzipped or not, optional labels) and
// tabular CSV. Each reads a file chosen on this machine, checks it completely, and either
// describes what it will save or refuses with the file, row or byte at fault. Files are read
// only after their size is checked, and every count is bounded (DATASET_LIMITS).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import Papa from 'papaparse'
import {
  DATASET_LIMITS,
  encodedSize,
  encodeRow,
  type ColumnSpec,
  type ColumnType,
  type DatasetInfo,
  type DatasetPreview
} from '@shared/datasets'
import { LabError } from '@shared/errors'
import { readIdx } from '../common/idx'

/** A checked import, ready to be written into its folder. */
export interface PreparedImport {
  summary: Omit<DatasetInfo, 'id' | 'importedAt'> & { kind: 'images' | 'tabular' }
  rows: string[][]
  valueRange: { min: number; max: number } | null
  warnings: string[]
  /** Writes the data set's files into `dir`; the trainer reads them from there. */
  write(dir: string): void
}

export const IMAGES_FILE = 'images-idx-ubyte'
export const LABELS_FILE = 'labels-idx1-ubyte'
export const ROWS_FILE = 'rows.f32'
export const SOURCE_CSV = 'source.csv'

const mib = (bytes: number): string => (bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0)

function refuse(message: string): never {
  throw new LabError('DATA_ERROR', message)
}

/** Reads a file after checking that it exists, is a file and is at most `max` bytes. */
export function readBounded(path: string, max: number, what: string): Uint8Array {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) refuse(`${path} is not a file`)
    size = st.size
  } catch (err) {
    if (err instanceof LabError) throw err
    refuse(`${path}: no such file`)
  }
  if (size > max) refuse(`${path} is ${size} bytes; ${what} may be at most ${max} bytes`)
  return readFileSync(path)
}

const IDX_HEADER_MAX = 4 + 4 * 255

/** Parses IDX bytes as images (rank 3, or rank 4 with 1 or 3 channels) with optional labels. */
export function prepareIdxBytes(files: { bytes: Uint8Array; source: string }[]): PreparedImport {
  if (files.length === 0 || files.length > 2) refuse(`Choose one IDX image file and optionally its label file (got ${files.length} files)`)
  const parsed = files.map((f) => ({ ...f, idx: readIdx(f.bytes, f.source, undefined, DATASET_LIMITS.maxImageBytes) }))
  const images = parsed.filter((p) => p.idx.dims.length >= 3)
  const labels = parsed.filter((p) => p.idx.dims.length === 1)
  for (const p of parsed) {
    if (p.idx.dims.length === 2 || p.idx.dims.length > 4) refuse(`${p.source} has ${p.idx.dims.length} dimensions; images have 3 (count, height, width) or 4 (… channels), labels 1`)
  }
  if (images.length !== 1) refuse(images.length === 0 ? `No image file among ${files.map((f) => f.source).join(', ')}: image files have 3 or 4 dimensions` : 'Two image files chosen; choose one image file and optionally its labels')
  if (labels.length > 1) refuse('Two label files chosen; choose one image file and optionally its labels')
  const img = images[0]
  const [count, height, width] = img.idx.dims
  const channels = img.idx.dims.length === 4 ? img.idx.dims[3] : 1
  if (channels !== 1 && channels !== 3) refuse(`${img.source} has ${channels} channels per pixel; 1 (grey) or 3 (RGB) are supported`)
  if (height > DATASET_LIMITS.maxImageSide || width > DATASET_LIMITS.maxImageSide) {
    refuse(`${img.source} holds images of ${height}x${width}; at most ${DATASET_LIMITS.maxImageSide} pixels a side are supported`)
  }
  if (height !== width) refuse(`${img.source} holds images of ${height}x${width}; images must be square`)
  const lab: (typeof labels)[number] | undefined = labels[0]
  if (lab && lab.idx.dims[0] !== count) refuse(`${lab.source} holds ${lab.idx.dims[0]} labels but ${img.source} holds ${count} images`)
  return imagesImport({
    count,
    size: height,
    channels,
    pixels: img.idx.data,
    labels: lab ? lab.idx.data : null,
    name: basename(img.source).replace(/(\.gz)?$/, ''),
    source: [img.source, lab?.source].filter(Boolean).map((s) => basename(s!)).join(' + ')
  })
}

/** IDX bytes: a header of big-endian dimensions, then the data. */
function idxFile(dims: number[], data: Uint8Array): Buffer {
  const h = new Uint8Array(4 + 4 * dims.length)
  h[2] = 0x08
  h[3] = dims.length
  const view = new DataView(h.buffer)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  return Buffer.concat([h, data])
}

/**
 * A checked set of square images (count x size x size x channels bytes, HWC) with optional
 * labels, stored as IDX files (rank 4 when colour) whatever the source format was.
 */
export function imagesImport(d: {
  count: number
  size: number
  channels: 1 | 3
  pixels: Uint8Array
  labels: Uint8Array | null
  name: string
  source: string
  warnings?: string[]
}): PreparedImport {
  let min = 255
  let max = 0
  for (const v of d.pixels) {
    if (v < min) min = v
    if (v > max) max = v
  }
  let classes: number | null = null
  if (d.labels) {
    let top = 0
    for (const v of d.labels) if (v > top) top = v
    classes = top + 1
  }
  const warnings = [...(d.warnings ?? [])]
  if (max === min) warnings.push(`every pixel is ${min}: the images are blank`)
  if (!d.labels) warnings.push('no labels: the data set has no classes')
  const dims = d.channels === 3 ? [d.count, d.size, d.size, 3] : [d.count, d.size, d.size]
  return {
    summary: { name: d.name, kind: 'images', image: { height: d.size, width: d.size, channels: d.channels }, columns: null, count: d.count, classes, source: d.source },
    rows: [],
    valueRange: { min, max },
    warnings,
    write(dir) {
      mkdirSync(dir, { recursive: true })
      // Stored unzipped, so the trainer reads them without inflating again.
      writeFileSync(join(dir, IMAGES_FILE), idxFile(dims, d.pixels))
      if (d.labels) writeFileSync(join(dir, LABELS_FILE), idxFile([d.count], d.labels))
    }
  }
}

export function prepareIdx(paths: string[]): PreparedImport {
  return prepareIdxBytes(paths.map((p) => ({ bytes: readBounded(p, DATASET_LIMITS.maxImageBytes + IDX_HEADER_MAX, 'an IDX file'), source: p })))
}

const MISSING = new Set(['', 'na', 'nan', 'null', '?'])
const isMissing = (cell: string): boolean => MISSING.has(cell.trim().toLowerCase())
const asNumber = (cell: string): number => (cell.trim() === '' ? NaN : Number(cell.trim()))

/** The type a column's present cells suggest. */
function inferType(cells: string[]): ColumnType {
  const present = cells.filter((c) => !isMissing(c))
  if (present.length === 0) return 'ignore'
  const numbers = present.map(asNumber)
  if (numbers.every(Number.isFinite)) {
    if (numbers.every(Number.isInteger)) {
      const distinct = new Set(numbers).size
      // A few distinct whole numbers (0/1 flags, classes) read best as categories.
      return distinct <= 2 ? 'categorical' : 'integer'
    }
    return 'numeric'
  }
  const distinct = new Set(present.map((c) => c.trim())).size
  return distinct <= DATASET_LIMITS.maxCategories && distinct < present.length ? 'categorical' : 'ignore'
}

/**
 * Parses a CSV table (header row first), infers each column's type, applies the chosen
 * types, and checks every cell against them. Rows with a missing value in a used column are
 * skipped and counted in a warning.
 */
export function prepareCsvText(text: string, source: string, overrides: { name: string; type: ColumnType }[] = []): PreparedImport {
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: 'greedy', preview: DATASET_LIMITS.csvMaxRows + 2 })
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes')
  if (quoteError) refuse(`${source}: row ${(quoteError.row ?? 0) + 1}: ${quoteError.message}`)
  const table = parsed.data
  if (table.length === 0) refuse(`${source} is empty`)
  if (table.length > DATASET_LIMITS.csvMaxRows + 1) refuse(`${source} has more than ${DATASET_LIMITS.csvMaxRows} rows; at most ${DATASET_LIMITS.csvMaxRows} can be imported`)
  const header = table[0].map((h) => h.trim())
  if (header.length > DATASET_LIMITS.csvMaxColumns) refuse(`${source} has ${header.length} columns; at most ${DATASET_LIMITS.csvMaxColumns} are supported`)
  header.forEach((h, i) => {
    if (h === '') refuse(`${source}: row 1 (the header): column ${i + 1} has no name`)
    if (h.length > 100) refuse(`${source}: row 1 (the header): the name of column ${i + 1} is longer than 100 characters`)
    if (header.indexOf(h) !== i) refuse(`${source}: row 1 (the header): the column name "${h}" appears twice`)
  })
  const body = table.slice(1)
  if (body.length < 2) refuse(`${source} has ${body.length} data row${body.length === 1 ? '' : 's'}; a GAN needs at least 2`)
  body.forEach((r, i) => {
    if (r.length !== header.length) refuse(`${source}: row ${i + 2} has ${r.length} cells, the header has ${header.length}`)
  })
  for (const o of overrides) if (!header.includes(o.name)) refuse(`${source} has no column "${o.name}" (its columns: ${header.join(', ')})`)
  const types = header.map((h, j) => overrides.find((o) => o.name === h)?.type ?? inferType(body.map((r) => r[j])))
  if (types.every((t) => t === 'ignore')) refuse(`${source}: no column can be used (every column is text with too many distinct values, or empty)`)

  const kept: string[][] = []
  let skipped = 0
  body.forEach((r, i) => {
    let missing = false
    types.forEach((t, j) => {
      if (t === 'ignore') return
      if (isMissing(r[j])) {
        missing = true
        return
      }
      if (t === 'numeric' || t === 'integer') {
        const v = asNumber(r[j])
        if (!Number.isFinite(v)) refuse(`${source}: row ${i + 2}, column "${header[j]}": "${r[j].slice(0, 40)}" is not a number`)
        if (Math.abs(v) > DATASET_LIMITS.maxAbsValue) {
          refuse(`${source}: row ${i + 2}, column "${header[j]}": ${r[j].trim().slice(0, 40)} is beyond what a 32-bit float holds (±${DATASET_LIMITS.maxAbsValue}); rescale the column`)
        }
        if (t === 'integer' && !Number.isInteger(v)) refuse(`${source}: row ${i + 2}, column "${header[j]}": ${r[j].trim()} is not a whole number`)
      }
    })
    if (missing) skipped++
    else kept.push(r)
  })
  if (kept.length < 2) refuse(`${source}: only ${kept.length} row${kept.length === 1 ? '' : 's'} without missing values; a GAN needs at least 2`)

  const columns: ColumnSpec[] = header.map((name, j) => {
    const type = types[j]
    if (type === 'ignore') return { name, type }
    if (type === 'categorical') {
      const categories = [...new Set(kept.map((r) => r[j].trim()))].sort()
      if (categories.length > DATASET_LIMITS.maxCategories) {
        refuse(`${source}: column "${name}" has ${categories.length} distinct values; a categorical column may have at most ${DATASET_LIMITS.maxCategories}`)
      }
      return { name, type, categories }
    }
    let min = Infinity
    let max = -Infinity
    for (const r of kept) {
      const v = asNumber(r[j])
      if (v < min) min = v
      if (v > max) max = v
    }
    return { name, type, min, max }
  })
  const warnings: string[] = []
  if (skipped > 0) warnings.push(`${skipped} row${skipped === 1 ? '' : 's'} with missing values skipped`)
  const ignored = columns.filter((c) => c.type === 'ignore').map((c) => c.name)
  if (ignored.length > 0) warnings.push(`not used: ${ignored.join(', ')}`)
  const features = encodedSize(columns)
  if (features > DATASET_LIMITS.maxEncodedWidth) {
    const widest = columns.filter((c) => c.type === 'categorical').sort((a, b) => (b.categories?.length ?? 0) - (a.categories?.length ?? 0))[0]
    refuse(
      `${source}: the used columns encode to ${features} values a row (each category of a categorical column is one value${widest ? `; "${widest.name}" alone has ${widest.categories?.length}` : ''}); at most ${DATASET_LIMITS.maxEncodedWidth} are supported: set some columns to ignore`
    )
  }
  const encodedBytes = kept.length * features * 4
  if (encodedBytes > DATASET_LIMITS.maxEncodedBytes) {
    refuse(
      `${source}: ${kept.length} rows of ${features} encoded values would take ${mib(encodedBytes)} MiB; at most ${mib(DATASET_LIMITS.maxEncodedBytes)} MiB can be imported: use fewer rows or set some columns to ignore`
    )
  }
  return {
    summary: { name: basename(source).replace(/\.csv$/i, ''), kind: 'tabular', image: null, columns, count: kept.length, classes: null, source: basename(source) },
    rows: kept.slice(0, 5),
    valueRange: null,
    warnings,
    write(dir) {
      mkdirSync(dir, { recursive: true })
      const encoded = new Float32Array(kept.length * features)
      kept.forEach((r, i) => encodeRow(columns, r, encoded, i * features))
      writeFileSync(join(dir, ROWS_FILE), Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength))
      writeFileSync(join(dir, SOURCE_CSV), text)
    }
  }
}

export function prepareCsv(path: string, overrides: { name: string; type: ColumnType }[] = []): PreparedImport {
  const bytes = readBounded(path, DATASET_LIMITS.csvMaxBytes, 'a CSV file')
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '')
  return prepareCsvText(text, path, overrides)
}

export function toPreview(token: string, p: PreparedImport): DatasetPreview {
  return { token, suggestedName: p.summary.name, summary: { ...p.summary, id: 0, importedAt: null }, rows: p.rows, valueRange: p.valueRange, warnings: p.warnings }
}
