// A saved latent view: the plane of one run's checkpoint (and optionally a second run shown
// beside it), stored by name in the lab and written as a JSON file the CLI reproduces.
import { latentViewSettingsSchema, type ExplorerGridResult, type LatentViewSettings } from './api'
import { describeIssues, formatIssues } from './config'
import { LabError } from './errors'

/** A settings file larger than this is refused unread (a view holds at most 3 latent vectors). */
export const MAX_LATENT_VIEW_FILE_BYTES = 1_000_000

/** Parses a latent view settings file, or throws a LabError naming what is wrong. */
export function parseLatentViewFile(text: string, size = text.length): LatentViewSettings {
  if (size > MAX_LATENT_VIEW_FILE_BYTES) {
    throw new LabError('INVALID_REQUEST', `The view settings file is ${size} bytes; at most ${MAX_LATENT_VIEW_FILE_BYTES} are accepted`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new LabError('INVALID_REQUEST', `The view settings file is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const parsed = latentViewSettingsSchema.safeParse(raw)
  if (!parsed.success) {
    const issues = describeIssues(parsed.error)
    throw new LabError('INVALID_REQUEST', `Invalid view settings: ${formatIssues(issues)}`, issues)
  }
  return parsed.data
}

/** The settings file's text: stable key order, readable. */
export function latentViewFileText(settings: LatentViewSettings): string {
  return `${JSON.stringify(settings, null, 2)}\n`
}

/** A file name from a view name: letters, digits, dashes. */
export function latentViewFileName(name: string, ext: 'json' | 'png'): string {
  const stem = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'latent-view'
  return `${stem}.${ext === 'json' ? 'view.json' : 'png'}`
}

/** Names of a plane's horizontal and vertical coordinates, for labels and figures. */
export function planeAxisNames(coords: ExplorerGridResult['coords']): { x: string; y: string } {
  if (coords.through) return { x: 'u (A → B)', y: 'v (towards C)' }
  if (coords.seed !== undefined) return { x: `u (seed ${coords.seed})`, y: 'v' }
  return { x: `z_${coords.axisI}`, y: `z_${coords.axisJ}` }
}

/** Where a figure puts its panels: each plane image scaled by a whole number, with room for labels. */
export interface FigureLayout {
  width: number
  height: number
  scale: number
  /** Top-left corner of each panel's plane image on the figure. */
  panels: { x: number; y: number; w: number; h: number }[]
}

export const FIGURE_MARGIN = { left: 76, right: 24, top: 40, bottom: 56, gap: 40 }
/** A plane image is scaled up by a whole number until it is at least this wide (pixels stay sharp). */
export const FIGURE_MIN_PANEL = 400

export function figureLayout(imageWidth: number, imageHeight: number, panelCount: number): FigureLayout {
  const scale = Math.max(1, Math.ceil(FIGURE_MIN_PANEL / imageWidth))
  const w = imageWidth * scale
  const h = imageHeight * scale
  const m = FIGURE_MARGIN
  const panels = Array.from({ length: panelCount }, (_, k) => ({ x: m.left + k * (w + m.gap + m.left), y: m.top, w, h }))
  return { width: panels[panels.length - 1].x + w + m.right, height: m.top + h + m.bottom, scale, panels }
}
