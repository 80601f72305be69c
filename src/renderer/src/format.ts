// Number and time formats shared by the run list and the run view, and errors said for the page.
import { LabError } from '@shared/errors'

/** Three significant digits, or a dash for a missing value. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞'
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3)) return value.toExponential(2)
  return value.toPrecision(3)
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  const h = Math.floor(m / 60)
  return `${h}h ${String(m % 60).padStart(2, '0')}m`
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—'
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1)
}

export function formatTime(epochMs: number | null | undefined): string {
  if (!epochMs) return '—'
  const d = new Date(epochMs)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * What the back end refused, with each field named as the page labels it ("Runs at once: must
 * be at most 16", not "maxConcurrentRuns: ..."); any other error as its message.
 */
export function refusalMessage(err: unknown, labels: Readonly<Record<string, string>>): string {
  if (err instanceof LabError && err.issues && err.issues.length > 0) {
    return err.issues.map((i) => `${labels[i.field] ?? i.field}: ${i.message}`).join('; ')
  }
  return errorMessage(err)
}
