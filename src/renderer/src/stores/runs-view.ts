// Filtering and sorting of the runs list: pure functions the runs store and the list share.
import type { RunSummary } from '@shared/api'
import type { RunStatus } from '@shared/trainer-protocol'

export type RunSortKey = 'name' | 'created' | 'status' | 'gLoss'
export type SortDir = 'asc' | 'desc'
export const RUN_SORT_KEYS: RunSortKey[] = ['name', 'created', 'status', 'gLoss']

/** Direction a column sorts in when first clicked. */
export const FIRST_DIR: Record<RunSortKey, SortDir> = { name: 'asc', created: 'desc', status: 'asc', gLoss: 'asc' }

/** Case-insensitive match of every word of the filter against name, preset, optimizer and tags. */
export function matchesText(run: RunSummary, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const hay = [run.name, run.preset, run.optimizer, ...(run.tags ?? [])].join('\n').toLowerCase()
  return words.every((w) => hay.includes(w))
}

export function filterRuns(runs: readonly RunSummary[], text: string, status: RunStatus | 'all'): RunSummary[] {
  return runs.filter((r) => (status === 'all' || r.status === status) && matchesText(r, text))
}

function compare(a: RunSummary, b: RunSummary, key: RunSortKey): number {
  switch (key) {
    case 'name':
      return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' })
    case 'created':
      return a.createdAt - b.createdAt || a.id - b.id
    case 'status':
      return a.status.localeCompare(b.status)
    case 'gLoss':
      return (a.lastMetrics?.gLoss ?? 0) - (b.lastMetrics?.gLoss ?? 0)
  }
}

/** Sorted copy; runs without a G loss go last whatever the direction; ties: newest first. */
export function sortRuns(runs: readonly RunSummary[], key: RunSortKey, dir: SortDir): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1
  return [...runs].sort((a, b) => {
    if (key === 'gLoss') {
      const na = a.lastMetrics === null
      const nb = b.lastMetrics === null
      if (na !== nb) return na ? 1 : -1
    }
    return sign * compare(a, b, key) || b.createdAt - a.createdAt || b.id - a.id
  })
}
