// Figures for a write-up as data: a device-independent list of lines, text and images in
// points (1/72 inch), laid out for a paper column. The main process renders it to SVG and PDF,
// the renderer rasterizes it to PNG at any scale; all three draw the same description.
import { z } from 'zod'
import { thin, type Point } from './curves'
import { FIGURE_FONT_WIDTHS, type FontWidths } from './figure-font'

const MIN_WIDTH_PT = (2 / 2.54) * 72
const MAX_WIDTH_PT = (60 / 2.54) * 72

export const FIGURE_UNITS = ['cm', 'in'] as const
export type FigureUnit = (typeof FIGURE_UNITS)[number]

export const figureSizeSchema = z
  .object({
    width: z.number('must be a number').finite().positive('must be more than 0'),
    unit: z.enum(FIGURE_UNITS).default('cm'),
    fontPt: z.number().finite().min(4, 'must be at least 4 pt').max(24, 'must be at most 24 pt').default(8)
  })
  .strict()
  .refine((s) => s.width <= 0 || (toPoints(s.width, s.unit) >= MIN_WIDTH_PT - 1e-9 && toPoints(s.width, s.unit) <= MAX_WIDTH_PT + 1e-9), {
    message: 'must be from 2 to 60 cm (0.79 to 23.6 in)',
    path: ['width']
  })
export type FigureSize = z.output<typeof figureSizeSchema>
/** A single column of a two-column paper. */
export const DEFAULT_FIGURE_SIZE: FigureSize = { width: 8.5, unit: 'cm', fontPt: 8 }

export function toPoints(width: number, unit: FigureUnit): number {
  return unit === 'in' ? width * 72 : (width / 2.54) * 72
}

/** CSS pixels per point: the figure's "screen size" is its width in points times this. */
export const PX_PER_PT = 96 / 72

export type TextAnchor = 'start' | 'middle' | 'end'

export type FigureItem =
  /** A polyline (or closed polygon), stroked; `dash`: dash and gap lengths in points (solid when absent). */
  | { kind: 'path'; points: [number, number][]; stroke: string; width: number; closed?: boolean; fill?: string; dash?: [number, number] }
  /** Text whose baseline starts, centres or ends at (x, y); rotate -90 reads bottom to top. */
  | { kind: 'text'; x: number; y: number; text: string; size: number; anchor: TextAnchor; color: string; rotate?: -90; bold?: boolean }
  /** A PNG drawn into the box with nearest-neighbour scaling, so sample pixels stay sharp. */
  | { kind: 'image'; x: number; y: number; width: number; height: number; pngBase64: string; pixelWidth: number; pixelHeight: number }

export interface Figure {
  /** Size in points. */
  width: number
  height: number
  fontPt: number
  /** Alt text and document title. */
  title: string
  items: FigureItem[]
}

export interface ChartSeries {
  label: string
  color: string
  points: readonly Point[]
  /** A reference line (a floor): drawn dashed. */
  dashed?: boolean
  /** A point to star (a run's best epoch). */
  marker?: Point | null
}

/** Dash and gap of dashed series, in points. */
export const DASH: [number, number] = [3, 2]

export interface ChartSpec {
  title?: string
  /** x takes whole numbers only (epochs): ticks at least 1 apart. */
  xWhole?: boolean
  xLabel: string
  yLabel: string
  series: ChartSeries[]
}

export interface ImageTile {
  pngBase64: string
  pixelWidth: number
  pixelHeight: number
  /** Shown above the tile (an epoch, a run's name), in `color`. */
  label?: string
  color?: string
}

/** The colour of text and axes. */
export const INK = '#222222'
const GRID_INK = '#bbbbbb'
/** Code point -> advance in 1/1000 em, per weight, from the generated table. */
const ADVANCES = new Map<FontWidths, Map<number, number>>(
  Object.values(FIGURE_FONT_WIDTHS).map((w) => [w, new Map(w.ranges.flatMap(([from, widths]) => widths.map((a, i) => [from + i, a] as const)))])
)

/** The width of `text` at `size` in the figure font (DejaVu Sans), as the PDF draws it. */
export function textWidth(text: string, size: number, bold = false): number {
  const widths = bold ? FIGURE_FONT_WIDTHS.bold : FIGURE_FONT_WIDTHS.regular
  const advances = ADVANCES.get(widths)!
  let em = 0
  for (const ch of text) em += advances.get(ch.codePointAt(0) ?? 0) ?? widths.fallback
  return (em / 1000) * size
}

/** The smallest text a journal takes (6 pt), unless the chosen font size is smaller still. */
export const MIN_TEXT_PT = 6
/** Tick labels and other secondary text: a little smaller than the font size, never below 6 pt. */
export function smallText(fontPt: number): number {
  return Math.max(Math.min(fontPt, MIN_TEXT_PT), fontPt * 0.85)
}

/** Rounds to 0.01 pt so every renderer draws the same coordinates and files stay small. */
export function r2(v: number): number {
  return Math.round(v * 100) / 100
}

/** "Nice" tick values (1, 2 or 5 times a power of ten, at least `minStep` apart) covering [min, max]. */
export function niceTicks(min: number, max: number, target = 5, minStep = 0): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1
    return niceTicks(min - pad, max + pad, target, minStep)
  }
  const raw = (max - min) / Math.max(1, target)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag)
  const first = Math.floor(min / step) * step
  const out: number[] = []
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  if (out[out.length - 1] < max) out.push(Number((out[out.length - 1] + step).toPrecision(12)))
  return out
}

export function formatTick(v: number, ticks: readonly number[]): string {
  if (v === 0) return '0'
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1
  if (step >= 1000 || Math.abs(v) >= 1e5) {
    const k = v / 1000
    return Number.isInteger(k) ? `${k}k` : `${Number(k.toPrecision(3))}k`
  }
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)))
  return v.toFixed(decimals)
}

/** Splits text into lines no wider than `width` at `size` (a word longer than the width keeps a line of its own). */
export function wrapText(text: string, width: number, size: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && textWidth(`${line} ${word}`, size) > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

/** Axes, ticks, labels and one polyline per series inside the box (x, y, w, h). */
export function chartItems(box: { x: number; y: number; w: number; h: number }, spec: ChartSpec, fontPt: number): FigureItem[] {
  const items: FigureItem[] = []
  const tickSize = smallText(fontPt)
  const all = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  // A loop, not Math.min(...points): a long run's points would overflow the call stack.
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity]
  for (const p of all) {
    xMin = Math.min(xMin, p.x)
    xMax = Math.max(xMax, p.x)
    yMin = Math.min(yMin, p.y)
    yMax = Math.max(yMax, p.y)
  }
  const xs = niceTicks(xMin, xMax, 5, spec.xWhole ? 1 : 0)
  const ys = niceTicks(yMin, yMax)
  const yTickText = ys.map((v) => formatTick(v, ys))
  const left = box.x + (spec.yLabel ? fontPt * 1.4 : 0) + Math.max(0, ...yTickText.map((t) => textWidth(t, tickSize))) + 3
  const top = box.y + (spec.title ? fontPt * 1.5 : fontPt * 0.6)
  const right = box.x + box.w - textWidth(formatTick(xs[xs.length - 1] ?? 0, xs), tickSize) / 2 - 1
  const bottom = box.y + box.h - fontPt * 1.3 - tickSize * 1.3 - 2
  const w = Math.max(10, right - left)
  const h = Math.max(10, bottom - top)
  if (spec.title) items.push({ kind: 'text', x: r2(left + w / 2), y: r2(box.y + fontPt), text: spec.title, size: fontPt, anchor: 'middle', color: INK, bold: true })
  if (all.length === 0) {
    items.push({ kind: 'text', x: r2(left + w / 2), y: r2(top + h / 2), text: 'no data yet', size: fontPt, anchor: 'middle', color: INK })
    return items
  }
  const [x0, x1] = [xs[0], xs[xs.length - 1]]
  const [y0, y1] = [ys[0], ys[ys.length - 1]]
  const px = (v: number): number => left + ((v - x0) / (x1 - x0)) * w
  const py = (v: number): number => bottom - ((v - y0) / (y1 - y0)) * h

  for (const v of ys) {
    items.push({ kind: 'path', points: [[r2(left), r2(py(v))], [r2(left + w), r2(py(v))]], stroke: GRID_INK, width: 0.25 })
    items.push({ kind: 'text', x: r2(left - 3), y: r2(py(v) + tickSize * 0.35), text: formatTick(v, ys), size: tickSize, anchor: 'end', color: INK })
  }
  for (const v of xs) {
    items.push({ kind: 'path', points: [[r2(px(v)), r2(bottom)], [r2(px(v)), r2(bottom + 2.5)]], stroke: INK, width: 0.5 })
    items.push({ kind: 'text', x: r2(px(v)), y: r2(bottom + 2.5 + tickSize), text: formatTick(v, xs), size: tickSize, anchor: 'middle', color: INK })
  }
  items.push({ kind: 'path', points: [[r2(left), r2(top)], [r2(left), r2(bottom)], [r2(left + w), r2(bottom)]], stroke: INK, width: 0.6 })
  items.push({ kind: 'text', x: r2(left + w / 2), y: r2(box.y + box.h - fontPt * 0.25), text: spec.xLabel, size: fontPt, anchor: 'middle', color: INK })
  if (spec.yLabel) items.push({ kind: 'text', x: r2(box.x + fontPt), y: r2(top + h / 2), text: spec.yLabel, size: fontPt, anchor: 'middle', color: INK, rotate: -90 })

  // At most four points per two points of plot width: the line's envelope, finer than print resolves.
  const buckets = Math.max(16, Math.ceil(w / 2))
  for (const s of spec.series) {
    const finite = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    const pts = thin(Float64Array.from(finite, (p) => p.y), buckets).map((i) => finite[i])
    if (pts.length === 0) continue
    items.push({ kind: 'path', points: pts.map((p) => [r2(px(p.x)), r2(py(p.y))]), stroke: s.color, width: 0.8, ...(s.dashed ? { dash: DASH } : {}) })
  }
  // Markers last, so no curve hides them.
  for (const s of spec.series) {
    if (s.marker && Number.isFinite(s.marker.x) && Number.isFinite(s.marker.y)) items.push(starItem(px(s.marker.x), py(s.marker.y), fontPt * 0.45, s.color))
  }
  return items
}

/** A five-pointed star of outer radius `r` centred on (x, y), filled in `color` with a white rim. */
export function starItem(x: number, y: number, r: number, color: string): FigureItem {
  const points: [number, number][] = Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? r : r * 0.45
    const angle = -Math.PI / 2 + (i * Math.PI) / 5
    return [r2(x + radius * Math.cos(angle)), r2(y + radius * Math.sin(angle))]
  })
  return { kind: 'path', points, stroke: '#ffffff', width: 0.3, closed: true, fill: color }
}

export interface LegendEntry {
  label: string
  color: string
  dashed?: boolean
}

/** A legend row (wrapping) of colour swatches and labels; returns the items and the height used. */
export function legendItems(x: number, y: number, width: number, entries: readonly LegendEntry[], fontPt: number): { items: FigureItem[]; height: number } {
  const items: FigureItem[] = []
  const size = Math.max(smallText(fontPt), fontPt * 0.9)
  const lineH = size * 1.4
  let cx = x
  let cy = y + size
  for (const e of entries) {
    const w = 12 + textWidth(e.label, size) + 8
    if (cx > x && cx + w > x + width) {
      cx = x
      cy += lineH
    }
    items.push({ kind: 'path', points: [[r2(cx), r2(cy - size * 0.35)], [r2(cx + 9), r2(cy - size * 0.35)]], stroke: e.color, width: 1.6, ...(e.dashed ? { dash: DASH } : {}) })
    items.push({ kind: 'text', x: r2(cx + 12), y: r2(cy), text: e.label, size, anchor: 'start', color: INK })
    cx += w
  }
  return { items, height: entries.length ? cy - y + size * 0.5 : 0 }
}

/** Caption lines wrapped to the width; returns the items and the height used. */
export function captionItems(x: number, y: number, width: number, caption: string, fontPt: number): { items: FigureItem[]; height: number } {
  const lineH = fontPt * 1.25
  const lines = caption.split('\n').flatMap((para) => wrapText(para, width, fontPt))
  const items: FigureItem[] = lines.map((text, i) => ({ kind: 'text', x: r2(x), y: r2(y + fontPt + i * lineH), text, size: fontPt, anchor: 'start', color: INK }))
  return { items, height: lines.length ? lines.length * lineH + fontPt * 0.3 : 0 }
}

/** A row of image tiles of equal height across the width, each with its label above. */
export function imageRowItems(x: number, y: number, width: number, tiles: readonly ImageTile[], fontPt: number, gap = 4): { items: FigureItem[]; height: number } {
  if (tiles.length === 0) return { items: [], height: 0 }
  // Equal heights: each tile's width is its aspect ratio times the common height.
  const aspects = tiles.map((t) => t.pixelWidth / t.pixelHeight)
  const tileH = (width - gap * (tiles.length - 1)) / aspects.reduce((a, b) => a + b, 0)
  const size = smallText(fontPt)
  // Labels shrink to fit their tile down to 6 pt, then wrap onto a second line.
  const labels = tiles.map((t, i) => (t.label ? fitLabel(t.label, aspects[i] * tileH, fontPt, size) : null))
  const lines = Math.max(0, ...labels.map((l) => l?.lines.length ?? 0))
  const labelH = lines ? Math.max(...labels.map((l) => l?.size ?? 0)) * (1.2 * lines + 0.1) : 0
  const items: FigureItem[] = []
  let cx = x
  tiles.forEach((t, i) => {
    const w = aspects[i] * tileH
    const label = labels[i]
    label?.lines.forEach((text, k) =>
      items.push({ kind: 'text', x: r2(cx + w / 2), y: r2(y + label.size * (1 + 1.2 * k)), text, size: r2(label.size), anchor: 'middle', color: t.color ?? INK })
    )
    items.push({ kind: 'image', x: r2(cx), y: r2(y + labelH), width: r2(w), height: r2(tileH), pngBase64: t.pngBase64, pixelWidth: t.pixelWidth, pixelHeight: t.pixelHeight })
    cx += w + gap
  })
  return { items, height: labelH + tileH }
}

/**
 * A label for a box `width` wide: at `fontPt` when it fits, else as small as `minSize` allows,
 * then on two lines, the second shortened with an ellipsis if it still overflows.
 */
export function fitLabel(label: string, width: number, fontPt: number, minSize: number): { lines: string[]; size: number } {
  const full = textWidth(label, fontPt)
  if (full <= width) return { lines: [label], size: fontPt }
  const size = Math.max(minSize, (fontPt * width) / full)
  if (textWidth(label, size) <= width) return { lines: [label], size }
  const wrapped = wrapText(label, width, size)
  const lines = wrapped.slice(0, 2)
  if (wrapped.length > 2) lines[1] = `${lines[1]} ${wrapped.slice(2).join(' ')}`
  return { lines: lines.map((l) => ellipsize(l, width, size)), size }
}

/** `text` cut with "…" to fit `width`. */
export function ellipsize(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text
  let cut = text
  while (cut.length > 1 && textWidth(`${cut}…`, size) > width) cut = cut.slice(0, -1)
  return `${cut.trimEnd()}…`
}

/** Width and height of a PNG, from its IHDR chunk; null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { width: view.getUint32(16, false), height: view.getUint32(20, false) }
}

export interface FigurePanels {
  size: FigureSize
  title: string
  charts?: ChartSpec[]
  /** One legend for all charts (a run's or a metric's colour). */
  legend?: LegendEntry[]
  tiles?: ImageTile[]
  caption?: string
}

/**
 * Stacks, top to bottom: the image row, the charts (side by side, two per row), the legend and
 * the caption, across the chosen width. Chart height follows the golden ratio of its width.
 */
export function layoutFigure(p: FigurePanels): Figure {
  const width = toPoints(p.size.width, p.size.unit)
  const fontPt = p.size.fontPt
  const margin = fontPt * 0.5
  const inner = width - 2 * margin
  const items: FigureItem[] = []
  let y = margin
  if (p.tiles?.length) {
    const row = imageRowItems(margin, y, inner, p.tiles, fontPt)
    items.push(...row.items)
    y += row.height + fontPt * 0.6
  }
  const charts = p.charts ?? []
  const perRow = charts.length > 1 && inner > 300 ? 2 : 1
  const chartW = (inner - (perRow - 1) * fontPt) / perRow
  const chartH = Math.max(chartW * 0.62, fontPt * 12)
  for (let i = 0; i < charts.length; i += perRow) {
    charts.slice(i, i + perRow).forEach((c, j) => items.push(...chartItems({ x: margin + j * (chartW + fontPt), y, w: chartW, h: chartH }, c, fontPt)))
    y += chartH + fontPt * 0.4
  }
  if (p.legend?.length) {
    const legend = legendItems(margin, y, inner, p.legend, fontPt)
    items.push(...legend.items)
    y += legend.height + fontPt * 0.4
  }
  if (p.caption) {
    const caption = captionItems(margin, y, inner, p.caption, fontPt)
    items.push(...caption.items)
    y += caption.height
  }
  return { width: r2(width), height: r2(y + margin), fontPt, title: p.title, items }
}
