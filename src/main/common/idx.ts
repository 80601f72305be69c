// Reader for the IDX format of MNIST and its relatives. Every declared size is checked
// against the bytes actually present before anything is allocated, and a bad file is
// refused with a message that says exactly what is wrong.
import { crc32 } from 'node:zlib'
import { Gunzip } from 'fflate'
import { LabError } from '@shared/errors'

export interface IdxArray {
  dims: number[]
  data: Uint8Array
}

const UBYTE = 0x08
/** Upper bound on elements so a hostile header cannot make us allocate absurd sizes. */
const MAX_ELEMENTS = 2 ** 31

function fail(source: string, what: string): never {
  throw new LabError('DATA_ERROR', `${source}: ${what}`)
}

interface IdxHeader {
  dims: number[]
  headerLength: number
  /** Bytes of data the header declares. */
  count: number
}

/** Reads and checks the header; null when `bytes` ends inside it and `partial` allows that. */
function idxHeader(bytes: Uint8Array, source: string, expectRank: number | undefined, partial: boolean): IdxHeader | null {
  if (bytes.length < 4) {
    if (partial) return null
    fail(source, `is ${bytes.length} bytes long, too short for an IDX header (at least 4 bytes)`)
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(source, `is not an IDX file: its magic number starts with 0x${hex(bytes[0])}${hex(bytes[1])}, expected 0x0000`)
  }
  const type = bytes[2]
  if (type !== UBYTE) fail(source, `holds IDX data type 0x${hex(type)}; only unsigned bytes (0x08) are supported`)
  const rank = bytes[3]
  if (rank === 0) fail(source, 'declares 0 dimensions')
  if (expectRank !== undefined && rank !== expectRank) {
    fail(source, `has ${rank} dimension${rank === 1 ? '' : 's'}, expected ${expectRank} (${expectRank === 1 ? 'a label file' : 'an image file'})`)
  }
  const headerLength = 4 + 4 * rank
  if (bytes.length < headerLength) {
    if (partial) return null
    fail(source, `is truncated inside its header: ${rank} dimensions need ${headerLength} bytes, the file has ${bytes.length}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dims: number[] = []
  let count = 1
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false)
    if (d === 0) fail(source, `dimension ${i + 1} is 0`)
    dims.push(d)
    count *= d
    if (count > MAX_ELEMENTS) fail(source, `declares ${dims.join(' x ')}... elements, more than the ${MAX_ELEMENTS} this reader accepts`)
  }
  return { dims, headerLength, count }
}

function describeDims(dims: number[]): string {
  return dims.length >= 3 ? `${dims[0]} images of ${dims.slice(1).join('x')}` : `${dims.join(' x ')} items`
}

/**
 * Parses an unsigned-byte IDX file. `source` names the file in messages.
 * `expectDims` optionally fixes the rank (3 for images, 1 for labels).
 */
export function parseIdx(bytes: Uint8Array, source: string, expectRank?: number): IdxArray {
  const { dims, headerLength, count } = idxHeader(bytes, source, expectRank, false)!
  const body = bytes.length - headerLength
  if (body !== count) {
    const what = describeDims(dims)
    if (body < count) fail(source, `says ${what} (${count} bytes of data) but holds only ${body} bytes: the file is truncated`)
    fail(source, `says ${what} (${count} bytes of data) but holds ${body} bytes: ${body - count} bytes too many`)
  }
  return { dims, data: bytes.subarray(headerLength) }
}

/**
 * An unsigned-byte IDX file: magic 0x00 0x00 0x08 and the rank, each dimension as a big-endian
 * uint32, then the bytes in row-major order (the format of MNIST's files, as parseIdx reads it).
 */
export function writeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) throw new LabError('INVALID_REQUEST', `An IDX file has 1 to 255 dimensions, not ${dims.length}`)
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffffffff) throw new LabError('INVALID_REQUEST', `IDX dimension ${d} is not a whole number from 1 to 4294967295`)
  }
  const count = dims.reduce((a, b) => a * b, 1)
  if (count !== data.length) throw new LabError('INVALID_REQUEST', `IDX dimensions ${dims.join(' x ')} need ${count} bytes, the data has ${data.length}`)
  const out = new Uint8Array(4 + 4 * dims.length + data.length)
  const view = new DataView(out.buffer)
  out[2] = UBYTE
  out[3] = dims.length
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  out.set(data, 4 + 4 * dims.length)
  return out
}

/** Deflate cannot expand data by more than about 1032:1, so a larger declared size is a lie. */
const MAX_DEFLATE_RATIO = 1032
const GUNZIP_PIECE = 16 * 1024

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/**
 * Parses an IDX file, gzipped or not. A gzipped file is inflated piece by piece: its IDX header
 * is read first, and the declared size is checked against `maxDataBytes` and against what the
 * compressed bytes could possibly hold before the one buffer for it is allocated.
 */
export function readIdx(bytes: Uint8Array, source: string, expectRank: number | undefined, maxDataBytes: number): IdxArray {
  if (!isGzip(bytes)) {
    const header = idxHeader(bytes, source, expectRank, false)!
    if (header.count > maxDataBytes) fail(source, `declares ${describeDims(header.dims)} (${header.count} bytes), more than the ${maxDataBytes} bytes an import may hold`)
    return parseIdx(bytes, source, expectRank)
  }
  // Filled by the inflater's callback (a closure TypeScript cannot follow, hence one object).
  const st: { head: Uint8Array; header: IdxHeader | null; out: Uint8Array | null; filled: number } = { head: new Uint8Array(0), header: null, out: null, filled: 0 }
  const take = (chunk: Uint8Array): void => {
    if (!st.out) {
      const joined = new Uint8Array(st.head.length + chunk.length)
      joined.set(st.head)
      joined.set(chunk, st.head.length)
      st.head = joined
      const header = idxHeader(st.head, source, expectRank, true)
      if (!header) return
      st.header = header
      const total = header.headerLength + header.count
      if (header.count > maxDataBytes) fail(source, `declares ${describeDims(header.dims)} (${header.count} bytes), more than the ${maxDataBytes} bytes an import may hold`)
      if (total > bytes.length * MAX_DEFLATE_RATIO) {
        fail(source, `declares ${describeDims(header.dims)} (${header.count} bytes), more than a gzip file of ${bytes.length} bytes can hold: the file is truncated or damaged`)
      }
      st.out = new Uint8Array(total)
      chunk = st.head
    }
    if (st.filled + chunk.length > st.out.length) {
      fail(source, `says ${describeDims(st.header!.dims)} (${st.header!.count} bytes of data) but holds more once unzipped: the data is longer than declared`)
    }
    st.out.set(chunk, st.filled)
    st.filled += chunk.length
  }
  // fflate does not check the gzip trailer; a file cut short or altered must not pass as whole.
  let crc = 0
  let inflated = 0
  const gunzip = new Gunzip((chunk) => {
    crc = crc32(chunk, crc)
    inflated += chunk.length
    take(chunk)
  })
  try {
    for (let i = 0; i < bytes.length; i += GUNZIP_PIECE) gunzip.push(bytes.subarray(i, i + GUNZIP_PIECE), i + GUNZIP_PIECE >= bytes.length)
  } catch (err) {
    if (err instanceof LabError) throw err
    fail(source, `is not a valid gzip file: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (bytes.length < 18) fail(source, 'is too short to be a gzip file')
  const trailer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8)
  if (trailer.getUint32(4, true) !== inflated % 2 ** 32 || trailer.getUint32(0, true) !== crc) {
    fail(source, `is a damaged or truncated gzip file: its trailer says ${trailer.getUint32(4, true)} bytes with CRC ${trailer.getUint32(0, true).toString(16)}, the data unzips to ${inflated} bytes with CRC ${crc.toString(16)}`)
  }
  if (st.out && st.filled < st.out.length) {
    const h = st.header!
    fail(source, `says ${describeDims(h.dims)} (${h.count} bytes of data) but holds only ${st.filled - h.headerLength} once unzipped: the file is truncated`)
  }
  return parseIdx(st.out ?? st.head, source, expectRank)
}

function hex(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(2, '0')
}

export interface LabelledImages {
  count: number
  height: number
  width: number
  /** 1 (grey) or 3 (RGB, interleaved); absent means 1. */
  channels?: 1 | 3
  /** Row-major pixels, count * height * width * channels bytes. */
  pixels: Uint8Array
  labels: Uint8Array | null
}

/** Pairs an image file with an optional label file and checks they agree. */
export function combineImagesAndLabels(images: IdxArray, labels: IdxArray | null, imageSource: string, labelSource: string, maxLabel = 9): LabelledImages {
  const [count, height, width] = images.dims
  const channels = images.dims.length === 4 ? images.dims[3] : 1
  if (channels !== 1 && channels !== 3) fail(imageSource, `has ${channels} channels per pixel; 1 (grey) or 3 (RGB) are supported`)
  if (labels) {
    if (labels.dims[0] !== count) {
      fail(labelSource, `holds ${labels.dims[0]} labels but ${imageSource} holds ${count} images`)
    }
    for (let i = 0; i < labels.data.length; i++) {
      if (labels.data[i] > maxLabel) fail(labelSource, `label ${i} is ${labels.data[i]}; labels must be 0 to ${maxLabel}`)
    }
  }
  return { count, height, width, ...(channels === 3 ? { channels: 3 as const } : {}), pixels: images.data, labels: labels ? labels.data : null }
}
