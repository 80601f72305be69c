// The font every figure is drawn in: DejaVu Sans (regular and bold) from the dejavu-fonts-ttf
// package, matplotlib's default, with Latin, Greek, super- and subscripts, the minus sign and the
// middle dot. The PDF embeds it (subset); its advance widths, generated into
// src/shared/figure-font.ts by scripts/figure-font-metrics.ts, let the layout measure text as drawn.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { unpackedPath } from '../common/asar'
import { nodeRequire } from '../node-require'

export type FigureFontWeight = 'regular' | 'bold'
const FILES: Record<FigureFontWeight, string> = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' }

/** The TTF file of a weight (the unpacked copy in a packaged app, as electron-builder.json unpacks it). */
export function figureFontPath(weight: FigureFontWeight): string {
  return unpackedPath(join(dirname(nodeRequire.resolve('dejavu-fonts-ttf/package.json')), 'ttf', FILES[weight]))
}

const cache = new Map<FigureFontWeight, Buffer>()

/** The TTF bytes of a weight, read once. */
export function figureFontBytes(weight: FigureFontWeight): Buffer {
  let bytes = cache.get(weight)
  if (!bytes) {
    bytes = readFileSync(figureFontPath(weight))
    cache.set(weight, bytes)
  }
  return bytes
}
