// A Figure as a one-page PDF drawn with pdfkit: vector lines, text in the standard Helvetica
// (nothing embedded, so files stay small), sample grids as PNG images without interpolation.
import PDFDocument from 'pdfkit'
import type { Figure, FigureItem } from '@shared/figure'

function draw(doc: PDFKit.PDFDocument, item: FigureItem): void {
  switch (item.kind) {
    case 'path': {
      if (item.points.length === 0) return
      const [first, ...rest] = item.points
      doc.moveTo(first[0], first[1])
      for (const [x, y] of rest) doc.lineTo(x, y)
      if (item.closed) doc.closePath()
      doc.lineWidth(item.width).lineJoin('round')
      if (item.fill) doc.fillAndStroke(item.fill, item.stroke)
      else doc.stroke(item.stroke)
      return
    }
    case 'text': {
      doc.font(item.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(item.size).fillColor(item.color)
      const width = doc.widthOfString(item.text)
      const dx = item.anchor === 'middle' ? -width / 2 : item.anchor === 'end' ? -width : 0
      // pdfkit places text by its top; the figure gives the baseline.
      const ascent = item.size * 0.718 // Helvetica's ascender is 718/1000 em
      doc.save()
      if (item.rotate) doc.rotate(item.rotate, { origin: [item.x, item.y] })
      doc.text(item.text, item.x + dx, item.y - ascent, { lineBreak: false })
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
    const chunks: Buffer[] = []
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    for (const item of figure.items) draw(doc, item)
    doc.end()
  })
}
