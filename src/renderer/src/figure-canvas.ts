// PNG export of a Figure: drawn item by item into a canvas at `scale` times its screen size.
// The renderer does this rather than the main process because Chromium has a full text and
// path rasterizer and Node has none without a native canvas module; drawing the figure's items
// (not its SVG as an <img>) lets grid tiles be scaled nearest-neighbour, pixels kept sharp.
import { PX_PER_PT, type Figure, type FigureItem } from '@shared/figure'
import { LabError } from '@shared/errors'
import { FIGURE_FONT_FAMILY } from '@shared/figure-font'
import regularFontUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf?url'
import boldFontUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf?url'

const FONT = `'${FIGURE_FONT_FAMILY}', Verdana, sans-serif`

let fontLoad: Promise<void> | null = null
/**
 * Loads the figure font (the TTFs the PDF embeds, bundled as assets) once, so a PNG's text is
 * measured and drawn as the PDF's is; where fonts cannot load, the fallbacks in FONT draw it.
 */
function loadFigureFont(): Promise<void> {
  if (typeof FontFace === 'undefined' || typeof document === 'undefined' || !document.fonts) return Promise.resolve()
  fontLoad ??= Promise.all([
    new FontFace(FIGURE_FONT_FAMILY, `url(${regularFontUrl})`, { weight: '400' }).load(),
    new FontFace(FIGURE_FONT_FAMILY, `url(${boldFontUrl})`, { weight: '700' }).load()
  ])
    .then((faces) => faces.forEach((f) => document.fonts.add(f)))
    .catch(() => undefined)
  return fontLoad
}

/** Pixel size of the PNG: the figure's CSS-pixel size (1 pt = 4/3 px) times the scale. */
export function figurePixelSize(figure: Pick<Figure, 'width' | 'height'>, scale: number): { width: number; height: number } {
  return { width: Math.round(figure.width * PX_PER_PT * scale), height: Math.round(figure.height * PX_PER_PT * scale) }
}

function loadImage(pngBase64: string): Promise<HTMLImageElement> {
  const img = new Image()
  img.src = `data:image/png;base64,${pngBase64}`
  return img.decode().then(() => img)
}

function drawItem(ctx: CanvasRenderingContext2D, item: FigureItem, images: Map<string, HTMLImageElement>): void {
  switch (item.kind) {
    case 'path': {
      if (item.points.length === 0) return
      ctx.beginPath()
      ctx.moveTo(item.points[0][0], item.points[0][1])
      for (const [x, y] of item.points.slice(1)) ctx.lineTo(x, y)
      if (item.closed) ctx.closePath()
      if (item.fill) {
        ctx.fillStyle = item.fill
        ctx.fill()
      }
      ctx.strokeStyle = item.stroke
      ctx.lineWidth = item.width
      ctx.lineJoin = 'round'
      ctx.setLineDash(item.dash ?? [])
      ctx.stroke()
      return
    }
    case 'text': {
      ctx.save()
      ctx.translate(item.x, item.y)
      if (item.rotate) ctx.rotate((item.rotate * Math.PI) / 180)
      ctx.font = `${item.bold ? 'bold ' : ''}${item.size}px ${FONT}`
      ctx.fillStyle = item.color
      ctx.textAlign = item.anchor === 'middle' ? 'center' : item.anchor === 'end' ? 'right' : 'left'
      ctx.textBaseline = 'alphabetic'
      ctx.fillText(item.text, 0, 0)
      ctx.restore()
      return
    }
    case 'image': {
      const img = images.get(item.pngBase64)
      if (!img) return
      ctx.imageSmoothingEnabled = false
      ctx.drawImage(img, item.x, item.y, item.width, item.height)
      return
    }
  }
}

/** Draws the figure into a new canvas at `scale` (coordinates stay in points). */
export async function drawFigure(figure: Figure, scale: number): Promise<HTMLCanvasElement> {
  const { width, height } = figurePixelSize(figure, scale)
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new LabError('INTERNAL', 'This window cannot draw into a canvas, so PNG export is unavailable here; export SVG or PDF instead')
  await loadFigureFont()
  const sources = [...new Set(figure.items.flatMap((i) => (i.kind === 'image' ? [i.pngBase64] : [])))]
  const images = new Map(await Promise.all(sources.map(async (s) => [s, await loadImage(s)] as const)))
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, width, height)
  ctx.scale(width / figure.width, height / figure.height)
  for (const item of figure.items) drawItem(ctx, item, images)
  return canvas
}

export async function figureToPngBlob(figure: Figure, scale: number): Promise<Blob> {
  const canvas = await drawFigure(figure, scale)
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new LabError('INTERNAL', 'The canvas could not be encoded as PNG'))), 'image/png')
  )
}
