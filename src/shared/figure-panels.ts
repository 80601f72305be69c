// Small multiples for a write-up: a figure of panels (a cell of sample grids, then one chart per
// cell) in as many columns as keep each cell readable and the whole within a journal's column
// (8.5 cm) or page width (17 cm) at most 12 cm tall, with one legend and the caption below.
import { captionItems, chartItems, INK, legendItems, r2, smallText, textWidth, toPoints, wrapText, type ChartSpec, type Figure, type FigureItem, type FigureSize, type ImageTile, type LegendEntry } from './figure'

/** A comparison figure fits a journal column (8.5 cm) or the page width (17 cm) at most this tall. */
export const MAX_PANEL_FIGURE_HEIGHT_CM = 12

export interface PanelFigure {
  size: FigureSize
  title: string
  /** One tile per run, shown together in the first cell (beside the charts). */
  tiles: ImageTile[]
  /** One chart per cell after the tiles' cell. */
  charts: ChartSpec[]
  legend: LegendEntry[]
  caption?: string
  /** At most this tall, in points (12 cm unless said). */
  maxHeight?: number
}

/** Height over width of a cell: a lone chart takes the golden ratio, small multiples a little more. */
const LONE_CHART_ASPECT = 0.62
const CELL_ASPECT = 0.8

/** Tiles packed into a box in the grid of rows and columns that makes them largest, each framed in its colour. */
function tileCellItems(box: { x: number; y: number; w: number; h: number }, tiles: readonly ImageTile[], fontPt: number): FigureItem[] {
  const gap = fontPt * 0.5
  const size = smallText(fontPt)
  /** Labels above the tiles when every one fits in two lines of `cellW` uncut; else none (the frames' colours and the legend say which run). */
  const labelsFor = (cellW: number): { lines: string[] }[] | null => {
    const fitted = tiles.map((t) => (t.label ? { lines: wrapText(t.label, cellW, size) } : { lines: [] }))
    return fitted.every((f) => f.lines.length <= 2 && f.lines.every((l) => textWidth(l, size) <= cellW)) ? fitted : null
  }
  const layout = (cols: number): { cols: number; cellW: number; labels: { lines: string[] }[] | null; labelH: number; side: number } => {
    const rows = Math.ceil(tiles.length / cols)
    const cellW = (box.w - gap * (cols - 1)) / cols
    const labels = labelsFor(cellW - 2)
    const lines = Math.max(0, ...(labels ?? []).map((l) => l.lines.length))
    const labelH = lines ? size * (1.2 * lines + 0.15) : 0
    return { cols, cellW, labels, labelH, side: Math.min(cellW, (box.h - gap * (rows - 1)) / rows - labelH) }
  }
  let best = layout(1)
  for (let cols = 2; cols <= tiles.length; cols++) {
    const next = layout(cols)
    if (next.side > best.side) best = next
  }
  const { cols, cellW, labels, labelH, side } = best
  const rows = Math.ceil(tiles.length / cols)
  const blockH = rows * (labelH + side) + (rows - 1) * gap
  const y0 = box.y + Math.max(0, (box.h - blockH) / 2)
  const items: FigureItem[] = []
  tiles.forEach((t, i) => {
    const col = i % cols
    const row = Math.floor(i / cols)
    const cx = box.x + col * (cellW + gap) + cellW / 2
    const top = y0 + row * (labelH + side + gap)
    labels?.[i].lines.forEach((text, k) =>
      items.push({ kind: 'text', x: r2(cx), y: r2(top + size * (1 + 1.2 * k)), text, size: r2(size), anchor: 'middle', color: t.color ?? INK })
    )
    // The tile keeps its aspect inside a side x side box, inside a frame of its run's colour.
    const aspect = t.pixelWidth / t.pixelHeight
    const w = (aspect >= 1 ? side : side * aspect) - 2
    const h = (aspect >= 1 ? side / aspect : side) - 2
    const [x, y] = [cx - w / 2, top + labelH + 1]
    items.push({ kind: 'image', x: r2(x), y: r2(y), width: r2(w), height: r2(h), pngBase64: t.pngBase64, pixelWidth: t.pixelWidth, pixelHeight: t.pixelHeight })
    if (t.color) {
      const frame: [number, number][] = [[x - 0.5, y - 0.5], [x + w + 0.5, y - 0.5], [x + w + 0.5, y + h + 0.5], [x - 0.5, y + h + 0.5]]
      items.push({ kind: 'path', points: frame.map(([a, b]) => [r2(a), r2(b)]), stroke: t.color, width: 1, closed: true })
    }
  })
  return items
}

/**
 * Small multiples: the runs' grids (if any) in the first cell and one chart per cell
 * after it, in as many columns as keep every cell usable and the figure within its height, a
 * shared legend and the caption below. The last row's cells share its width, so no cell is empty.
 */
export function layoutPanels(p: PanelFigure): Figure {
  const width = toPoints(p.size.width, p.size.unit)
  const fontPt = p.size.fontPt
  const margin = fontPt * 0.5
  const gap = fontPt
  const inner = width - 2 * margin
  // Rounded down, so the figure's height rounded to 0.01 pt stays within it.
  const maxHeight = Math.floor((p.maxHeight ?? toPoints(MAX_PANEL_FIGURE_HEIGHT_CM, 'cm')) * 100) / 100 - 0.01
  const cells: ({ kind: 'tiles' } | { kind: 'chart'; chart: ChartSpec })[] = [
    ...(p.tiles.length ? [{ kind: 'tiles' as const }] : []),
    ...p.charts.map((chart) => ({ kind: 'chart' as const, chart }))
  ]
  // Legend and caption first: their height is what the cells may not use.
  const legend = legendItems(margin, 0, inner, p.legend, fontPt)
  const caption = p.caption ? captionItems(margin, 0, inner, p.caption, fontPt) : { items: [], height: 0 }
  const fixed = 2 * margin + (legend.height ? legend.height + fontPt * 0.4 : 0) + (caption.height ? caption.height + fontPt * 0.2 : 0)
  const minCellW = fontPt * 13
  const minCellH = fontPt * 10
  let best: { cols: number; rows: number; cellH: number; score: number } | null = null
  for (let cols = 1; cols <= Math.max(1, cells.length); cols++) {
    const rows = Math.ceil(cells.length / cols)
    const cellW = (inner - gap * (cols - 1)) / cols
    const room = (maxHeight - fixed - gap * 0.5 * (rows - 1)) / rows
    const aspect = cells.length === 1 ? LONE_CHART_ASPECT : CELL_ASPECT
    const cellH = Math.min(Math.max(cellW * aspect, minCellH), room)
    const usable = cellW >= minCellW && cellH >= minCellH
    // The largest plot of the intended aspect that fits a cell wins (a wide, flat strip reads no
    // better than its height allows); a part-filled last row counts a little against a layout.
    const fitted = Math.min(cellW, cellH / aspect) * Math.min(cellH, cellW * aspect)
    const score = (usable ? 1e9 : 0) + fitted * (cells.length % cols === 0 ? 1 : 0.8)
    if (!best || score > best.score) best = { cols, rows, cellH: Math.max(cellH, fontPt * 6), score }
  }
  const { cols, rows, cellH } = best ?? { cols: 1, rows: 0, cellH: 0 }
  const items: FigureItem[] = []
  let y = margin
  for (let row = 0; row < rows; row++) {
    const inRow = cells.slice(row * cols, row * cols + cols)
    const cellW = (inner - gap * (inRow.length - 1)) / inRow.length
    inRow.forEach((cell, j) => {
      const box = { x: margin + j * (cellW + gap), y, w: cellW, h: cellH }
      items.push(...(cell.kind === 'tiles' ? tileCellItems(box, p.tiles, fontPt) : chartItems(box, cell.chart, fontPt)))
    })
    y += cellH + (row < rows - 1 ? gap * 0.5 : 0)
  }
  const shift = (list: FigureItem[], dy: number): FigureItem[] =>
    list.map((i) => (i.kind === 'path' ? { ...i, points: i.points.map(([x, py]) => [x, r2(py + dy)] as [number, number]) } : { ...i, y: r2(i.y + dy) }))
  if (legend.height) {
    y += fontPt * 0.4
    items.push(...shift(legend.items, y))
    y += legend.height
  }
  if (caption.height) {
    y += fontPt * 0.2
    items.push(...shift(caption.items, y))
    y += caption.height
  }
  return { width: r2(width), height: r2(y + margin), fontPt, title: p.title, items }
}
