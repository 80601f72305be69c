// The geometry of a rendered latent plane, as pure functions: which cell a pointer is over, the
// plane coordinates and latent vector of a cell, and where the origin and the pins sit on the image.
import type { PlaneImage } from '@renderer/stores/explorer'

/** The labels of the pinned points, in the order they are pinned. */
export const PIN_LABELS = ['A', 'B', 'C']

/** A pinned cell: its place on the plane it was clicked on and its full latent vector. */
export interface Pin {
  label: string
  /** The cell it was clicked on; absent for a point restored from a saved view. */
  row?: number
  col?: number
  planeKey: string
  latent: number[]
}

export interface Cell {
  row: number
  col: number
}

/** A label drawn on the image, its place in percent of the image's size. */
export interface Marker {
  label: string
  left: number
  top: number
}

export function round(v: number): string {
  return String(Math.round(v * 1000) / 1000)
}

export function vectorText(v: number[]): string {
  return `[${v.map(round).join(', ')}]`
}

/** How many leading values a compact vector shows. */
export const SHOWN_VALUES = 5

/** The first SHOWN_VALUES values of a vector, "…" for the rest: "[0.12, -1.3, 0.55, 2.1, 0.3, …]". */
export function leadingValues(v: number[]): string {
  const shown = v.slice(0, SHOWN_VALUES).map(round)
  return `[${shown.join(', ')}${v.length > SHOWN_VALUES ? ', …' : ''}]`
}

/** The Euclidean norm of a vector. */
export function norm(v: number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0))
}

/** Plane value of cell k (0-based) along an axis of n cells from lo to hi. */
export function valueAt(k: number, n: number, lo: number, hi: number): number {
  return n < 2 ? lo : lo + (k * (hi - lo)) / (n - 1)
}

/** Plane coordinates (x to the right, y upwards) of a cell; row 0 is the top, at max. */
export function cellValues(p: PlaneImage, cell: Cell): { x: number; y: number } {
  const { min, max, resolution: n } = p.coords
  return { x: valueAt(cell.col, n, min, max), y: valueAt(n - 1 - cell.row, n, min, max) }
}

/** The latent vector at plane coordinates (x, y) of plane p (the zero vector without a plane). */
export function latentAt(p: PlaneImage | null, latentDim: number, x: number, y: number): number[] {
  const z = p?.coords.base ? [...p.coords.base] : new Array<number>(latentDim).fill(0)
  if (!p) return z
  if (p.directions) {
    const { u, v } = p.directions
    return z.map((b, k) => b + x * u[k] + y * v[k])
  }
  z[p.coords.axisI] += x
  z[p.coords.axisJ] += y
  return z
}

/** Identifies the plane drawn, so pins are marked only on the plane they were clicked on. */
export function planeKeyOf(p: PlaneImage | null): string {
  return p
    ? [p.epoch, p.coords.axisI, p.coords.axisJ, p.coords.min, p.coords.max, p.coords.resolution, p.coords.seed ?? '', (p.coords.base ?? []).join(','), (p.points ?? []).map((q) => `${q.x},${q.y}`).join(';')].join(':')
    : ''
}

/** The cell under a pointer at (offsetX, offsetY) of an image width x height, or null. */
export function cellAt(p: PlaneImage | null, width: number, height: number, offsetX: number, offsetY: number): Cell | null {
  if (!p || width <= 0 || height <= 0) return null
  const n = p.coords.resolution
  const col = Math.min(n - 1, Math.max(0, Math.floor((offsetX / width) * n)))
  const row = Math.min(n - 1, Math.max(0, Math.floor((offsetY / height) * n)))
  return { row, col }
}

/** What the hovered cell is, in the plane's own coordinates. */
export function hoverTextOf(p: PlaneImage, cell: Cell): string {
  const { x, y } = cellValues(p, cell)
  const head = `cell (${cell.row}, ${cell.col})`
  const alongDirections = p.coords.seed !== undefined || p.coords.through
  if (alongDirections || p.coords.base) {
    const from = p.coords.base ? ` from ${p.coords.through ? 'A' : 'the base'}` : ''
    return `${head}: ${alongDirections ? 'u' : `z_${p.coords.axisI}`} = ${round(x)}, ${alongDirections ? 'v' : `z_${p.coords.axisJ}`} = ${round(y)}${from}`
  }
  return `${head}: z_${p.coords.axisI} = ${round(x)}, z_${p.coords.axisJ} = ${round(y)}`
}

/** Where z = 0 (or the base) lies on the image, in percent of its size, or null outside the range. */
export function originOf(p: PlaneImage): { left: number; top: number } | null {
  const { min: lo, max: hi, resolution: n } = p.coords
  if (!(lo <= 0 && hi >= 0)) return null
  const c = ((0 - lo) / (hi - lo)) * (n - 1)
  const r = ((hi - 0) / (hi - lo)) * (n - 1)
  return { left: ((c + 0.5) / n) * 100, top: ((r + 0.5) / n) * 100 }
}

/** Markers of the pins on plane p: on a plane through A, B, C where the three lie (inside the range), else the pins clicked on this plane. */
export function markersOf(p: PlaneImage, pins: Pin[]): Marker[] {
  const n = p.coords.resolution
  if (p.points) {
    const { min: lo, max: hi } = p.coords
    return p.points
      .map((q, k) => ({ label: PIN_LABELS[k], left: (((q.x - lo) / (hi - lo)) * (n - 1) + 0.5) / n * 100, top: (((hi - q.y) / (hi - lo)) * (n - 1) + 0.5) / n * 100 }))
      .filter((m) => m.left >= 0 && m.left <= 100 && m.top >= 0 && m.top <= 100)
  }
  const key = planeKeyOf(p)
  return pins
    .filter((q) => q.planeKey === key)
    .map((q) => ({ label: q.label, left: (((q.col ?? 0) + 0.5) / n) * 100, top: (((q.row ?? 0) + 0.5) / n) * 100 }))
}

/** On a plane through A, B, C: the points that lie outside its range (their markers are not drawn). */
export function pointsOutsideOf(p: PlaneImage | null): { label: string; x: number; y: number }[] {
  if (!p?.points) return []
  return p.points
    .map((q, k) => ({ label: PIN_LABELS[k], ...q }))
    .filter((q) => q.x < p.coords.min || q.x > p.coords.max || q.y < p.coords.min || q.y > p.coords.max)
}

/** The half-width of a symmetric range that holds every point with a margin (rounded up to 0.1). */
export function fittedReach(points: { x: number; y: number }[]): number {
  const reach = Math.max(...points.map((q) => Math.max(Math.abs(q.x), Math.abs(q.y))))
  return Math.ceil(reach * 1.2 * 10) / 10
}

/** Below this angle from 0° or 180° the slerp strip is taken as nearly the lerp strip. */
export const NEAR_LERP_DEGREES = 2

/**
 * Why the slerp strip matches the lerp strip, or null when it does not: slerp follows the great
 * circle from A to B, which is undefined for opposite or parallel vectors (it falls back to lerp)
 * and nearly a straight line when they are almost so.
 */
export function slerpNote(slerp: { degrees: number | null; sameAsLerp: boolean } | undefined): string | null {
  if (!slerp) return null
  const { degrees, sameAsLerp } = slerp
  if (degrees === null) return 'slerp equals lerp here: A or B is the zero vector, which has no direction.'
  const angle = `${round(degrees)}°`
  if (sameAsLerp) {
    return degrees > 90
      ? `slerp equals lerp here: A and B point in opposite directions (${angle}), so no single great circle joins them.`
      : `slerp equals lerp here: A and B point the same way (${angle}).`
  }
  if (degrees < NEAR_LERP_DEGREES || degrees > 180 - NEAR_LERP_DEGREES) {
    return `slerp nearly equals lerp here: the angle between A and B is ${angle}.`
  }
  return null
}
