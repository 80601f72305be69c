// Sample grids: generator outputs in [-1, 1] tiled into one PNG.
import { PNG } from 'pngjs'

export interface TileLayout {
  rows: number
  cols: number
  /** Pixels of border between tiles. */
  pad: number
}

export function gridLayout(count: number, pad = 1): TileLayout {
  const cols = Math.ceil(Math.sqrt(count))
  return { rows: Math.ceil(count / cols), cols, pad }
}

/**
 * Tiles `count` images of h x w x channels (values in [-1, 1], NHWC) into one RGBA image.
 * Grey images are replicated to RGB; the border is mid-grey so tiles stay distinct.
 */
export function tileImages(
  values: Float32Array,
  count: number,
  h: number,
  w: number,
  channels: 1 | 3,
  layout: TileLayout
): { width: number; height: number; rgba: Uint8Array } {
  const { rows, cols, pad } = layout
  const width = cols * w + (cols + 1) * pad
  const height = rows * h + (rows + 1) * pad
  const rgba = new Uint8Array(width * height * 4).fill(128)
  for (let i = 0; i < rgba.length; i += 4) rgba[i + 3] = 255
  for (let n = 0; n < count; n++) {
    const top = pad + Math.floor(n / cols) * (h + pad)
    const left = pad + (n % cols) * (w + pad)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((n * h + y) * w + x) * channels
        const dst = ((top + y) * width + left + x) * 4
        for (let c = 0; c < 3; c++) {
          const v = values[src + (channels === 1 ? 0 : c)]
          rgba[dst + c] = toByte(v)
        }
      }
    }
  }
  return { width, height, rgba }
}

/** A generator output in [-1, 1] as a pixel byte (NaN as 0). */
export function toByte(v: number): number {
  if (!Number.isFinite(v)) return 0
  return Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)))
}

export function encodePng(image: { width: number; height: number; rgba: Uint8Array }): Buffer {
  const png = new PNG({ width: image.width, height: image.height })
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength)
  return PNG.sync.write(png)
}

/** One image of bytes (grey or RGB, h x w x channels) as a PNG of that colour type. */
export function encodeImagePng(pixels: Uint8Array, h: number, w: number, channels: 1 | 3): Buffer {
  const colorType = channels === 1 ? 0 : 2
  const png = new PNG({ width: w, height: h, colorType, inputColorType: colorType, inputHasAlpha: false })
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false })
}

export function decodePng(bytes: Buffer): { width: number; height: number; rgba: Uint8Array } {
  const png = PNG.sync.read(bytes)
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) }
}
