// The data-set importers under fuzzing: thousands of mutated gzipped IDX files and CSV tables,
// each either imported with a consistent summary or refused with a LabError; hostile headers
// are refused before anything the size of their claims is allocated.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { DATASET_LIMITS, encodedSize } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { prepareCsvText, prepareIdxBytes, type PreparedImport } from '../../src/main/services/dataset-import'
import { mulberry32 } from '../../src/main/common/random'

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9)
const SEATTLE = '/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv'

/** An IDX file of `dims`; with headerOnly, just its header (whatever it claims). */
function idx(dims: number[], fill: (i: number) => number, headerOnly = false): Uint8Array {
  const count = headerOnly ? 0 : dims.reduce((a, b) => a * b, 1)
  const out = new Uint8Array(4 + 4 * dims.length + count)
  out[2] = 0x08
  out[3] = dims.length
  const view = new DataView(out.buffer)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = fill(i)
  return out
}

/** Runs `fn`; a refusal must be a LabError with a message, anything else fails the test. */
function importOrRefuse(fn: () => PreparedImport): PreparedImport | LabError {
  try {
    return fn()
  } catch (err) {
    if (err instanceof LabError && err.code === 'DATA_ERROR' && err.message.length > 10) return err
    throw err
  }
}

function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const kind = Math.floor(rand() * 5)
  const pos = Math.floor(rand() * bytes.length)
  if (kind === 0) return bytes.subarray(0, pos)
  if (kind === 1) {
    const out = bytes.slice()
    for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256)
    return out
  }
  if (kind === 2) {
    const out = new Uint8Array(bytes.length + 1 + Math.floor(rand() * 20))
    out.set(bytes)
    for (let i = bytes.length; i < out.length; i++) out[i] = Math.floor(rand() * 256)
    return out
  }
  if (kind === 3) {
    // The IDX header (dimensions) of the uncompressed data.
    const out = bytes.slice()
    out[Math.floor(rand() * Math.min(out.length, 20))] = Math.floor(rand() * 256)
    return out
  }
  return new Uint8Array([...bytes.subarray(0, pos), ...bytes.subarray(pos + 1 + Math.floor(rand() * 8))])
}

describe(`data-set importers under fuzzing (seed ${SEED})`, () => {
  const images = idx([20, 8, 8], (i) => (i * 37) % 256)
  const labels = idx([20], (i) => i % 4)

  it('accepts or refuses 3000 mutated gzipped IDX image/label pairs', () => {
    const rand = mulberry32(SEED)
    let ok = 0
    for (let n = 0; n < 3000; n++) {
      // Half mutate the compressed bytes, half the IDX bytes before compression.
      const gz = n % 2 === 0 ? mutate(gzipSync(images), rand) : gzipSync(mutate(images, rand))
      const lb = rand() < 0.3 ? mutate(gzipSync(labels), rand) : gzipSync(labels)
      const result = importOrRefuse(() => prepareIdxBytes([{ bytes: gz, source: 'img.gz' }, { bytes: lb, source: 'lab.gz' }]))
      if (result instanceof LabError) continue
      ok++
      const { image, count, classes } = result.summary
      expect(image!.height * image!.width * image!.channels * count).toBeLessThanOrEqual(DATASET_LIMITS.maxImageBytes)
      expect(classes).not.toBeNull()
    }
    expect(ok).toBeGreaterThan(0)
  })

  it('refuses headers that claim more than a gzip file can hold, or more than an import may, without inflating them', () => {
    const header = idx([300, 1000, 1000], () => 0, true)
    const lie = gzipSync(header)
    expect(() => prepareIdxBytes([{ bytes: lie, source: 'big.gz' }])).toThrow(/more than the \d+ bytes an import may hold/)
    const small = gzipSync(idx([200, 100, 100], () => 0, true))
    expect(() => prepareIdxBytes([{ bytes: small, source: 'liar.gz' }])).toThrow(/more than a gzip file of \d+ bytes can hold/)
    const truncated = gzipSync(idx([20, 8, 8], () => 1).subarray(0, 100))
    expect(() => prepareIdxBytes([{ bytes: truncated, source: 't.gz' }])).toThrow(/t\.gz: says 20 images of 8x8 \(1280 bytes of data\) but holds only 84 once unzipped: the file is truncated/)
    expect(() => prepareIdxBytes([{ bytes: gzipSync(images).subarray(0, 30), source: 'cut.gz' }])).toThrow(/cut\.gz: is not a valid gzip file/)
  })

  it('accepts or refuses 3000 mutated CSV tables, and an accepted one encodes consistently', () => {
    const base = readFileSync(SEATTLE, 'utf8').split('\n').slice(0, 60).join('\n')
    const alphabet = [',', '\n', '"', ' ', 'x', '0', '.', '-', '\r', 'NA', '1e309', ';']
    const rand = mulberry32(SEED ^ 0xc5)
    let ok = 0
    for (let n = 0; n < 3000; n++) {
      let text = base
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
        const pos = Math.floor(rand() * text.length)
        const r = rand()
        if (r < 0.4) text = text.slice(0, pos) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(pos)
        else if (r < 0.7) text = text.slice(0, pos) + text.slice(pos + 1 + Math.floor(rand() * 10))
        else if (r < 0.85) text = text.slice(0, pos)
        else text = text.slice(0, pos) + text.slice(pos, pos + 80) + text.slice(pos)
      }
      const result = importOrRefuse(() => prepareCsvText(text, 'fuzz.csv'))
      if (result instanceof LabError) continue
      ok++
      const cols = result.summary.columns!
      expect(result.summary.count).toBeGreaterThanOrEqual(2)
      expect(encodedSize(cols)).toBeGreaterThan(0)
      for (const c of cols) {
        if (c.type === 'numeric' || c.type === 'integer') expect(Number.isFinite(c.min) && Number.isFinite(c.max)).toBe(true)
        if (c.type === 'categorical') expect(c.categories!.length).toBeLessThanOrEqual(DATASET_LIMITS.maxCategories)
      }
    }
    expect(ok).toBeGreaterThan(0)
  })

  it('refuses hostile tables: unclosed quotes, ragged rows, too many columns, no usable column', () => {
    expect(() => prepareCsvText('a,b\n1,2\n"3,4\n', 'q.csv')).toThrow(/q\.csv: row \d+: .*quote/i)
    expect(() => prepareCsvText('a,b\n1,2\n3\n', 'r.csv')).toThrow(/r\.csv: row 3 has 1 cells, the header has 2/)
    const wide = Array.from({ length: DATASET_LIMITS.csvMaxColumns + 1 }, (_, i) => `c${i}`).join(',')
    expect(() => prepareCsvText(`${wide}\n${wide}\n`, 'w.csv')).toThrow(/w\.csv has 257 columns; at most 256/)
    expect(() => prepareCsvText('id\na\nb\nc\n', 'ids.csv')).toThrow(/no column can be used/)
    expect(() => prepareCsvText('a,a\n1,2\n3,4\n', 'd.csv')).toThrow(/"a" appears twice/)
    expect(() => prepareCsvText('', 'e.csv')).toThrow(/e\.csv is empty/)
  })
})
