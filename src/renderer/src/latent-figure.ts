// A latent view as a figure for a write-up: each plane (one run, or two side by side) drawn on a
// canvas at a whole-number scale, with a title, the axis names and the range at the first and
// last cells' centres (and 0 where it lies inside). Composed here because the renderer has a
// canvas with fonts; main has neither without a new dependency.
import type { ExplorerGridResult } from '@shared/api'
import { FIGURE_MARGIN, figureLayout, planeAxisNames } from '@shared/latent-view'

export interface FigurePanel {
  src: string
  title: string
  coords: ExplorerGridResult['coords']
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('The plane image could not be decoded'))
    img.src = src
  })
}

const label = (v: number): string => String(Math.round(v * 1000) / 1000)

/** The figure as a PNG blob. All panels must have the same size (the same plane). */
export async function composeLatentFigure(panels: FigurePanel[]): Promise<Blob> {
  const images = await Promise.all(panels.map((p) => loadImage(p.src)))
  const layout = figureLayout(images[0].naturalWidth, images[0].naturalHeight, panels.length)
  const canvas = document.createElement('canvas')
  canvas.width = layout.width
  canvas.height = layout.height
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('This browser gives no 2D canvas to draw the figure on')
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, layout.width, layout.height)
  ctx.imageSmoothingEnabled = false
  ctx.fillStyle = '#111111'
  ctx.strokeStyle = '#111111'
  panels.forEach((panel, k) => {
    const box = layout.panels[k]
    const { min, max, resolution: n } = panel.coords
    const names = planeAxisNames(panel.coords)
    ctx.drawImage(images[k], box.x, box.y, box.w, box.h)
    ctx.font = 'bold 14px sans-serif'
    ctx.textAlign = 'center'
    ctx.textBaseline = 'bottom'
    ctx.fillText(panel.title, box.x + box.w / 2, box.y - 12)
    // A value v lies at the centre of its cell: min at the first, max at the last.
    const at = (v: number, length: number): number => ((0.5 + ((v - min) / (max - min)) * (n - 1)) / n) * length
    const ticks = [min, ...(min < 0 && max > 0 ? [0] : []), max]
    ctx.font = '12px sans-serif'
    ctx.textBaseline = 'top'
    for (const v of ticks) {
      const x = box.x + at(v, box.w)
      ctx.beginPath()
      ctx.moveTo(x, box.y + box.h)
      ctx.lineTo(x, box.y + box.h + 5)
      ctx.stroke()
      ctx.fillText(label(v), x, box.y + box.h + 7)
    }
    ctx.font = 'bold 13px sans-serif'
    ctx.fillText(names.x, box.x + box.w / 2, box.y + box.h + 28)
    ctx.font = '12px sans-serif'
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    for (const v of ticks) {
      const y = box.y + box.h - at(v, box.h)
      ctx.beginPath()
      ctx.moveTo(box.x - 5, y)
      ctx.lineTo(box.x, y)
      ctx.stroke()
      ctx.fillText(label(v), box.x - 7, y)
    }
    ctx.save()
    ctx.translate(box.x - FIGURE_MARGIN.left + 16, box.y + box.h / 2)
    ctx.rotate(-Math.PI / 2)
    ctx.font = 'bold 13px sans-serif'
    ctx.textAlign = 'center'
    ctx.fillText(names.y, 0, 0)
    ctx.restore()
  })
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The figure could not be encoded as PNG'))), 'image/png')
  )
}
