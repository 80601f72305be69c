// Reader for the IDX format of MNIST and its relatives. Every declared size is checked
// against the bytes actually present before anything is allocated, and a bad file is
// refused with a message that says exactly what is wrong.
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

/**
 * Parses an unsigned-byte IDX file. `source` names the file in messages.
 * `expectDims` optionally fixes the rank (3 for images, 1 for labels).
 */
export function parseIdx(bytes: Uint8Array, source: string, expectRank?: number): IdxArray {
  if (bytes.length < 4) fail(source, `is ${bytes.length} bytes long, too short for an IDX header (at least 4 bytes)`)
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
  if (bytes.length < headerLength) fail(source, `is truncated inside its header: ${rank} dimensions need ${headerLength} bytes, the file has ${bytes.length}`)
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
  const body = bytes.length - headerLength
  if (body !== count) {
    const what = rank >= 3 ? `${dims[0]} images of ${dims.slice(1).join('x')}` : `${dims.join(' x ')} items`
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

function hex(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(2, '0')
}

export interface LabelledImages {
  count: number
  height: number
  width: number
  /** Row-major pixels, count * height * width bytes. */
  pixels: Uint8Array
  labels: Uint8Array | null
}

/** Pairs an image file with an optional label file and checks they agree. */
export function combineImagesAndLabels(images: IdxArray, labels: IdxArray | null, imageSource: string, labelSource: string): LabelledImages {
  const [count, height, width] = images.dims
  if (labels) {
    if (labels.dims[0] !== count) {
      fail(labelSource, `holds ${labels.dims[0]} labels but ${imageSource} holds ${count} images`)
    }
    for (let i = 0; i < labels.data.length; i++) {
      if (labels.data[i] > 9) fail(labelSource, `label ${i} is ${labels.data[i]}; digit labels must be 0 to 9`)
    }
  }
  return { count, height, width, pixels: images.data, labels: labels ? labels.data : null }
}
