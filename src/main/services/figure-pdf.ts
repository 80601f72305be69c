// A Figure as a one-page PDF drawn with pdfkit: vector lines, text in the standard Helvetica
// (nothing embedded, so files stay small), sample grids as PNG images without interpolation.
import PDFDocument from 'pdfkit'
import type { Figure, FigureItem } from '@shared/figure'

/** The characters of Windows-1252 above 0x7f that are not Latin-1: the standard fonts' encoding. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')

/**
 * Text as the standard (unembedded) PDF fonts can show it: characters outside their
 * Windows-1252 encoding (Greek, CJK, emoji) become '?', rather than wrong glyphs. The SVG keeps them.
 */
export function pdfSafeText(text: string): string {
  let out = ''
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0
    out += (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch) ? ch : '?'
  }
  return out
}

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
      doc.font(item.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(item.size).fillColor(item.color)
      const text = pdfSafeText(item.text)
      const width = doc.widthOfString(text)
      const dx = item.anchor === 'middle' ? -width / 2 : item.anchor === 'end' ? -width : 0
      // pdfkit places text by its top; the figure gives the baseline.
      const ascent = item.size * 0.718 // Helvetica's ascender is 718/1000 em
      doc.save()
      if (item.rotate) doc.rotate(item.rotate, { origin: [item.x, item.y] })
      doc.text(text, item.x + dx, item.y - ascent, { lineBreak: false })
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
      info: { Title: pdfSafeText(figure.title), Creator: 'GAN Workbench' }
    })
    const chunks: Buffer[] = []
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    for (const item of figure.items) draw(doc, item)
    doc.end()
  })
}
