// Data-set files built to cost the lab memory or to pass as something they are not (issue 18):
// each is refused with a message that names the numbers, before the memory is spent.
import { gzipSync } from 'fflate'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { DATASET_LIMITS } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { prepareCsvText, prepareIdxBytes } from '../../src/main/services/dataset-import'
import { decodeImage } from '../../src/main/services/image-import'

function refusal(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(LabError)
    return (err as LabError).message
  }
  throw new Error('it was accepted')
}

/** An IDX file of unsigned bytes with dimensions `dims`. */
function idx(dims: number[]): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1)
  const out = new Uint8Array(4 + 4 * dims.length + count)
  out[2] = 0x08
  out[3] = dims.length
  const view = new DataView(out.buffer)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = (i * 7) % 256
  return out
}

describe('CSV import', () => {
  it('refuses a table whose categorical columns would encode too wide, naming the numbers', () => {
    // 40 columns of 62 categories: 2,480 values a row from a small file (the probe's was 15,872).
    const columns = Array.from({ length: 40 }, (_, j) => `c${j}`)
    const rows = Array.from({ length: 130 }, (_, i) => columns.map((_c, j) => `v${(i + j) % 62}`).join(','))
    const csv = [columns.join(','), ...rows].join('\n')
    expect(refusal(() => prepareCsvText(csv, 'wide.csv'))).toMatch(
      /wide\.csv: the used columns encode to 2480 values a row \(.*"c0" alone has 62\); at most 2048 are supported: set some columns to ignore/
    )
    // The same table with half its columns ignored fits.
    const half = columns.slice(20).map((name) => ({ name, type: 'ignore' as const }))
    expect(prepareCsvText(csv, 'wide.csv', half).summary.columns?.filter((c) => c.type === 'categorical')).toHaveLength(20)
  })

  it('refuses rows whose encoded size passes the memory limit', () => {
    // 32 columns of 64 categories: 2,048 values (8 KiB) a row from about 100 bytes of text.
    const columns = Array.from({ length: 32 }, (_, j) => `c${j}`)
    const rowsNeeded = Math.floor(DATASET_LIMITS.maxEncodedBytes / (2048 * 4)) + 1
    const lines = [columns.join(',')]
    for (let i = 0; i < rowsNeeded; i++) lines.push(columns.map((_c, j) => `v${(i + j) % 64}`).join(','))
    expect(refusal(() => prepareCsvText(lines.join('\n'), 'tall.csv'))).toMatch(
      new RegExp(`tall\\.csv: ${rowsNeeded} rows of 2048 encoded values would take 256 MiB; at most 256 MiB can be imported`)
    )
  })

  it.each(['1e308', '-1e308', '3.5e38'])('refuses %s, which a 32-bit float cannot hold, naming row and column', (value) => {
    const csv = `a,b\n1,2\n${value},3\n2,4\n`
    expect(refusal(() => prepareCsvText(csv, 'huge.csv'))).toMatch(
      new RegExp(`huge\\.csv: row 3, column "a": ${value.replace('.', '\\.')} is beyond what a 32-bit float holds`)
    )
  })
})

describe('gzip trailers', () => {
  const file = idx([20, 8, 8])
  const gz = gzipSync(file)

  it('imports the whole file', () => {
    expect(prepareIdxBytes([{ bytes: gz, source: 'img.gz' }]).summary.count).toBe(20)
  })

  it('refuses a gzip file cut short in its trailer or with a wrong CRC', () => {
    expect(refusal(() => prepareIdxBytes([{ bytes: gz.subarray(0, gz.length - 4), source: 'cut.gz' }]))).toMatch(/cut\.gz.*damaged or truncated gzip file/)
    const badCrc = gz.slice()
    badCrc[badCrc.length - 8] ^= 0xff
    expect(refusal(() => prepareIdxBytes([{ bytes: badCrc, source: 'crc.gz' }]))).toMatch(/crc\.gz: is a damaged or truncated gzip file: its trailer says 1296 bytes with CRC [0-9a-f]+, the data unzips to 1296 bytes/)
    const badLength = gz.slice()
    badLength[badLength.length - 1] ^= 0x01
    expect(refusal(() => prepareIdxBytes([{ bytes: badLength, source: 'len.gz' }]))).toMatch(/len\.gz: is a damaged or truncated gzip file/)
  })
})

describe('PNG headers', () => {
  /** A real small PNG whose IHDR then claims `w` x `h` (CRCs are not what the guard reads). */
  function lyingPng(w: number, h: number): Uint8Array {
    const png = new PNG({ width: 2, height: 2 })
    png.data.fill(200)
    const bytes = new Uint8Array(PNG.sync.write(png))
    const view = new DataView(bytes.buffer)
    view.setUint32(16, w, false)
    view.setUint32(20, h, false)
    return bytes
  }

  it('refuses a header of 8192x8192 over a few bytes of data before decoding', () => {
    expect(refusal(() => decodeImage(lyingPng(8192, 8192), 'big.png'))).toMatch(/big\.png: a PNG of 8192x8192 \(67108864 pixels\); at most 40000000 pixels are read/)
    expect(refusal(() => decodeImage(lyingPng(4000, 4000), 'lie.png'))).toMatch(
      /lie\.png: its header says 4000x4000 pixels \(64004000 bytes unpacked\) but it holds \d+ bytes of image data, too few for that/
    )
  })

  it('decodes an honest PNG', () => {
    expect(decodeImage(lyingPng(2, 2), 'ok.png')).toMatchObject({ width: 2, height: 2 })
  })
})
