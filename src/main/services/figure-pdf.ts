// A Figure as a one-page PDF drawn with pdfkit: vector lines, text in the figure font (DejaVu
// Sans, embedded as a subset of the glyphs used, so β, ², − and · print as they do in the SVG),
// sample grids as PNG images without interpolation.
import PDFDocument from 'pdfkit'
import type { Figure, FigureItem } from '@shared/figure'
import { figureFontBytes } from './figure-font'

/** The names the document registers the figure font's weights under. */
const REGULAR = 'FigureSans'
const BOLD = 'FigureSans-Bold'

function draw(doc: PDFKit.PDFDocument, item: FigureItem): void {
  switch (item.kind) {
    case 'path': {
      if (item.points.length === 0) return
      const [first, ...rest] = item.points
      doc.moveTo(first[0], first[1])
      for (const [x, y] of rest) doc.lineTo(x, y)
      if (item.closed) doc.closePath()
      doc.lineWidth(item.width).lineJoin('round')
      if (item.dash) doc.dash(item.dash[0], { space: item.dash[1] })
      if (item.fill) doc.fillAndStroke(item.fill, item.stroke)
      else doc.stroke(item.stroke)
      if (item.dash) doc.undash()
      return
    }
    case 'text': {
      doc.font(item.bold ? BOLD : REGULAR).fontSize(item.size).fillColor(item.color)
      const width = doc.widthOfString(item.text)
      const dx = item.anchor === 'middle' ? -width / 2 : item.anchor === 'end' ? -width : 0
      doc.save()
      if (item.rotate) doc.rotate(item.rotate, { origin: [item.x, item.y] })
      // The figure gives the baseline; pdfkit places text by its top unless told otherwise.
      doc.text(item.text, item.x + dx, item.y, { lineBreak: false, baseline: 'alphabetic' })
      doc.restore()
      return
    }
    case 'image': {
      // PDF images are drawn without interpolation unless asked (ISO 32000 /Interpolate false).
      doc.image(Buffer.from(item.pngBase64, 'base64'), item.x, item.y, { width: item.width, height: item.height })
      return
    }
  }
}

export function figureToPdf(figure: Figure): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: [figure.width, figure.height],
      margin: 0,
      autoFirstPage: true,
      info: { Title: figure.title, Creator: 'GAN Workbench' }
    })
    // A plain Uint8Array: pdfkit checks `instanceof Uint8Array`, which a Buffer from another realm (a test's jsdom) fails.
    doc.registerFont(REGULAR, Uint8Array.from(figureFontBytes('regular')))
    doc.registerFont(BOLD, Uint8Array.from(figureFontBytes('bold')))
    const chunks: Buffer[] = []
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    for (const item of figure.items) draw(doc, item)
    doc.end()
  })
}
