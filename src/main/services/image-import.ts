// Colour data: CIFAR-10's binary batches and folders of PNG/JPEG images (grey or colour,
// centre-cropped and resized to a chosen square size). Both become the same stored form as
// IDX imports (images-idx-ubyte, rank 4 for colour), so the trainer has one reader.
import { readdirSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { DATASET_LIMITS } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { imagesImport, readBounded, type PreparedImport } from './dataset-import'

export const CIFAR_SIDE = 32
/** One CIFAR-10 record: a label byte, then 1024 red, 1024 green and 1024 blue bytes (row-major planes). */
export const CIFAR_RECORD = 1 + 3 * CIFAR_SIDE * CIFAR_SIDE
const CIFAR_MAX_FILES = 6

export const FOLDER_LIMITS = { maxFiles: 100_000, maxFileBytes: 32 * 1024 * 1024, maxSide: 8192, maxPixels: 40_000_000, minSize: 4, maxSize: 256 } as const

function refuse(message: string): never {
  throw new LabError('DATA_ERROR', message)
}

export function isCifarName(path: string): boolean {
  return /\.bin$/i.test(path)
}

/** CIFAR-10 binary batches: whole records only, labels 0-9, converted to HWC pixels. */
export function prepareCifarBytes(files: { bytes: Uint8Array; source: string }[]): PreparedImport {
  if (files.length === 0 || files.length > CIFAR_MAX_FILES) refuse(`Choose 1 to ${CIFAR_MAX_FILES} CIFAR-10 batch files (got ${files.length})`)
  let count = 0
  for (const f of files) {
    if (f.bytes.length === 0) refuse(`${f.source} is empty`)
    if (f.bytes.length % CIFAR_RECORD !== 0) {
      const whole = Math.floor(f.bytes.length / CIFAR_RECORD)
      refuse(`${f.source} is ${f.bytes.length} bytes, not a whole number of ${CIFAR_RECORD}-byte CIFAR-10 records: record ${whole + 1} is cut off at byte ${whole * CIFAR_RECORD}`)
    }
    count += f.bytes.length / CIFAR_RECORD
  }
  const plane = CIFAR_SIDE * CIFAR_SIDE
  if (count * plane * 3 > DATASET_LIMITS.maxImageBytes) refuse(`${count} CIFAR images are more than the ${DATASET_LIMITS.maxImageBytes} bytes an import may hold`)
  const pixels = new Uint8Array(count * plane * 3)
  const labels = new Uint8Array(count)
  let n = 0
  for (const f of files) {
    for (let r = 0; r < f.bytes.length / CIFAR_RECORD; r++, n++) {
      const at = r * CIFAR_RECORD
      const label = f.bytes[at]
      if (label > 9) refuse(`${f.source}: record ${r + 1} (byte ${at}) has label ${label}; CIFAR-10 labels are 0 to 9`)
      labels[n] = label
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < 3; c++) pixels[(n * plane + p) * 3 + c] = f.bytes[at + 1 + c * plane + p]
      }
    }
  }
  return imagesImport({
    count,
    size: CIFAR_SIDE,
    channels: 3,
    pixels,
    labels,
    name: files.length === 1 ? basename(files[0].source).replace(/\.bin$/i, '') : 'CIFAR-10',
    source: files.map((f) => basename(f.source)).join(' + ')
  })
}

export function prepareCifar(paths: string[]): PreparedImport {
  return prepareCifarBytes(paths.map((p) => ({ bytes: readBounded(p, DATASET_LIMITS.maxImageBytes, 'a CIFAR-10 batch'), source: p })))
}

/** A decoded image, RGBA. */
interface Rgba {
  width: number
  height: number
  data: Uint8Array
}

/** Samples per pixel of each PNG colour type. */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
/** Deflate never shrinks data by more than about this much. */
const MAX_DEFLATE_RATIO = 1032

/**
 * Width and height from a PNG's IHDR, read before decoding so a lying header allocates nothing:
 * the pixels are bounded, and the compressed image data (IDAT chunks) must be able to hold them.
 */
function pngSize(bytes: Uint8Array, source: string): [number, number] {
  if (bytes.length < 29 || bytes[12] !== 0x49 || bytes[13] !== 0x48 || bytes[14] !== 0x44 || bytes[15] !== 0x52) refuse(`${source}: not a PNG file (no IHDR chunk)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [w, h] = [view.getUint32(16, false), view.getUint32(20, false)]
  if (w === 0 || h === 0 || w > FOLDER_LIMITS.maxSide || h > FOLDER_LIMITS.maxSide) refuse(`${source}: a PNG of ${w}x${h}; at most ${FOLDER_LIMITS.maxSide} pixels a side are read`)
  if (w * h > FOLDER_LIMITS.maxPixels) refuse(`${source}: a PNG of ${w}x${h} (${w * h} pixels); at most ${FOLDER_LIMITS.maxPixels} pixels are read`)
  const bitDepth = bytes[24]
  const channels = PNG_CHANNELS[bytes[25]] ?? 4
  const rawBytes = h * (1 + Math.ceil((w * channels * bitDepth) / 8))
  let idat = 0
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at, false)
    if (bytes[at + 4] === 0x49 && bytes[at + 5] === 0x44 && bytes[at + 6] === 0x41 && bytes[at + 7] === 0x54) idat += length
    at += 12 + length
  }
  if (idat * MAX_DEFLATE_RATIO < rawBytes) {
    refuse(`${source}: its header says ${w}x${h} pixels (${rawBytes} bytes unpacked) but it holds ${idat} bytes of image data, too few for that: the file is damaged or truncated`)
  }
  return [w, h]
}

export function decodeImage(bytes: Uint8Array, source: string): Rgba {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
  if (!isPng && !isJpeg) refuse(`${source}: neither a PNG nor a JPEG file`)
  try {
    if (isPng) {
      pngSize(bytes, source)
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) }
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: (FOLDER_LIMITS.maxSide * FOLDER_LIMITS.maxSide) / 1e6, maxMemoryUsageInMB: 512 })
    return { width: img.width, height: img.height, data: img.data }
  } catch (err) {
    if (err instanceof LabError) throw err
    refuse(`${source}: the ${isPng ? 'PNG' : 'JPEG'} cannot be decoded (${err instanceof Error ? err.message : String(err)})`)
  }
}

/**
 * The centre square of an image, averaged down (or sampled up) to size x size, as RGB bytes
 * written into `out` at `offset`. Transparent pixels count as white.
 */
export function squareResize(img: Rgba, size: number, out: Uint8Array, offset: number): void {
  const side = Math.min(img.width, img.height)
  const x0 = Math.floor((img.width - side) / 2)
  const y0 = Math.floor((img.height - side) / 2)
  const scale = side / size
  for (let ty = 0; ty < size; ty++) {
    const sy0 = Math.floor(ty * scale)
    const sy1 = Math.max(sy0 + 1, Math.floor((ty + 1) * scale))
    for (let tx = 0; tx < size; tx++) {
      const sx0 = Math.floor(tx * scale)
      const sx1 = Math.max(sx0 + 1, Math.floor((tx + 1) * scale))
      const sum = [0, 0, 0]
      let n = 0
      for (let y = sy0; y < sy1; y++) {
        for (let x = sx0; x < sx1; x++) {
          const i = ((y0 + y) * img.width + x0 + x) * 4
          const a = img.data[i + 3] / 255
          for (let c = 0; c < 3; c++) sum[c] += img.data[i + c] * a + 255 * (1 - a)
          n++
        }
      }
      const o = offset + (ty * size + tx) * 3
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(sum[c] / n)
    }
  }
}

function isGrey(img: Rgba): boolean {
  for (let i = 0; i < img.data.length; i += 4) if (img.data[i] !== img.data[i + 1] || img.data[i] !== img.data[i + 2]) return false
  return true
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg'])

/**
 * A folder of PNG/JPEG images (not its sub-folders), each centre-cropped and resized to
 * size x size. Colour unless every image is grey (or `channels` says otherwise). Files that
 * are not images are skipped and counted; an image that cannot be decoded refuses the import.
 */
export function prepareImageFolder(dir: string, size: number, channels: 1 | 3 | 'auto' = 'auto'): PreparedImport {
  if (!Number.isInteger(size) || size < FOLDER_LIMITS.minSize || size > FOLDER_LIMITS.maxSize) {
    refuse(`The image size must be a whole number from ${FOLDER_LIMITS.minSize} to ${FOLDER_LIMITS.maxSize}, got ${size}`)
  }
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch {
    refuse(`${dir} is not a folder that can be read`)
  }
  const images = names.filter((n) => IMAGE_EXT.has(extname(n).toLowerCase()))
  const skipped = names.length - images.length
  if (images.length === 0) refuse(`${dir} holds no .png, .jpg or .jpeg files`)
  if (images.length > FOLDER_LIMITS.maxFiles) refuse(`${dir} holds ${images.length} images; at most ${FOLDER_LIMITS.maxFiles} can be imported`)
  const limit = Math.floor(DATASET_LIMITS.maxImageBytes / (size * size * 3))
  if (images.length > limit) refuse(`${images.length} images of ${size}x${size} are more than the ${DATASET_LIMITS.maxImageBytes} bytes an import may hold`)
  // Decode one at a time: only the resized bytes are kept.
  const rgb = new Uint8Array(images.length * size * size * 3)
  let grey = true
  images.forEach((name, i) => {
    const path = join(dir, name)
    if (!statSync(path).isFile()) refuse(`${path} is not a file`)
    const img = decodeImage(readBounded(path, FOLDER_LIMITS.maxFileBytes, 'an image'), path)
    grey &&= isGrey(img)
    squareResize(img, size, rgb, i * size * size * 3)
  })
  const c: 1 | 3 = channels === 'auto' ? (grey ? 1 : 3) : channels
  let pixels = rgb
  if (c === 1) {
    pixels = new Uint8Array(images.length * size * size)
    for (let p = 0; p < pixels.length; p++) pixels[p] = Math.round(0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2])
  }
  return imagesImport({
    count: images.length,
    size,
    channels: c,
    pixels,
    labels: null,
    name: basename(dir),
    source: `${basename(dir)}/ (${images.length} images)`,
    warnings: skipped > 0 ? [`${skipped} file${skipped === 1 ? '' : 's'} that are not .png/.jpg skipped`] : []
  })
}
