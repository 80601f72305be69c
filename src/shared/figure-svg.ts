// A Figure as an SVG document: real <path> and <text> elements, coordinates in points, the
// physical width in the root's width attribute, sample grids embedded as PNG and kept sharp.
import type { Figure, FigureItem } from './figure'
import { FIGURE_FONT_FAMILY } from './figure-font'

const FONT = `'${FIGURE_FONT_FAMILY}', Verdana, sans-serif`

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c)
}

/** "M1 2L3 4 5 6": the short form, since a chart's polylines are most of the file. */
function pathData(points: readonly [number, number][], closed?: boolean): string {
  if (points.length === 0) return ''
  const [first, ...rest] = points
  return `M${first[0]} ${first[1]}${rest.length ? 'L' + rest.map(([x, y]) => `${x} ${y}`).join(' ') : ''}${closed ? 'Z' : ''}`
}

function itemSvg(item: FigureItem): string {
  switch (item.kind) {
    case 'path':
      return `<path d="${pathData(item.points, item.closed)}" fill="${item.fill ?? 'none'}" stroke="${item.stroke}" stroke-width="${item.width}"${item.dash ? ` stroke-dasharray="${item.dash.join(' ')}"` : ''}/>`
    case 'text': {
      const anchor = item.anchor === 'start' ? '' : ` text-anchor="${item.anchor}"`
      const rotate = item.rotate ? ` transform="rotate(${item.rotate} ${item.x} ${item.y})"` : ''
      const weight = item.bold ? ' font-weight="bold"' : ''
      return `<text x="${item.x}" y="${item.y}" font-size="${item.size}" fill="${item.color}"${anchor}${rotate}${weight}>${escapeXml(item.text)}</text>`
    }
    case 'image':
      return (
        `<image x="${item.x}" y="${item.y}" width="${item.width}" height="${item.height}" preserveAspectRatio="none" ` +
        `image-rendering="pixelated" style="image-rendering:pixelated" href="data:image/png;base64,${item.pngBase64}"/>`
      )
  }
}

export function figureToSvg(figure: Figure): string {
  const w = figure.width
  const h = figure.height
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}pt" height="${h}pt" viewBox="0 0 ${w} ${h}" font-family="${FONT}">\n` +
    `<title>${escapeXml(figure.title)}</title>\n` +
    `<rect width="${w}" height="${h}" fill="#ffffff"/>\n` +
    figure.items.map(itemSvg).join('\n') +
    `\n</svg>\n`
  )
}
