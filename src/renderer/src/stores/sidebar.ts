// The runs sidebar's layout: its width (dragged or keyed on its edge) and the optional columns of
// the runs list, both remembered in localStorage between sessions.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

export const SIDEBAR_MIN = 300
export const SIDEBAR_MAX = 1000
/** Share of the window the sidebar takes before the user drags it: ~300 px at a 1024 px window. */
export const SIDEBAR_DEFAULT_SHARE = 0.3
const WIDTH_KEY = 'gw.sidebar.width'
const COLUMNS_KEY = 'gw.sidebar.columns'

export type OptionalRunColumn = 'preset' | 'optimizer' | 'seed' | 'lr' | 'tags'
export const OPTIONAL_COLUMNS: { key: OptionalRunColumn; label: string; title: string }[] = [
  { key: 'preset', label: 'Preset', title: 'The preset the run trains' },
  { key: 'optimizer', label: 'Optimizer', title: 'D and G optimizers' },
  { key: 'seed', label: 'Seed', title: 'Random seed' },
  { key: 'lr', label: 'LR D/G', title: 'Learning rates of D and G' },
  { key: 'tags', label: 'Tags', title: 'The run’s tags' }
]
const DEFAULT_COLUMNS: OptionalRunColumn[] = ['preset', 'optimizer']

/** Never narrower than SIDEBAR_MIN, never wider than SIDEBAR_MAX or 80% of the window. */
export function clampSidebarWidth(width: number, windowWidth: number): number {
  const max = Math.max(SIDEBAR_MIN, Math.min(SIDEBAR_MAX, Math.round(windowWidth * 0.8)))
  return Math.round(Math.min(max, Math.max(SIDEBAR_MIN, width)))
}

export function defaultSidebarWidth(windowWidth: number): number {
  return clampSidebarWidth(windowWidth * SIDEBAR_DEFAULT_SHARE, windowWidth)
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null // storage refused (a sandboxed page): the layout is then not remembered
  }
}

function readWidth(windowWidth: number): number {
  const stored = Number(storage()?.getItem(WIDTH_KEY) ?? NaN)
  return Number.isFinite(stored) && stored > 0 ? clampSidebarWidth(stored, windowWidth) : defaultSidebarWidth(windowWidth)
}

function readColumns(): OptionalRunColumn[] {
  try {
    const raw: unknown = JSON.parse(storage()?.getItem(COLUMNS_KEY) ?? 'null')
    if (!Array.isArray(raw)) return [...DEFAULT_COLUMNS]
    return OPTIONAL_COLUMNS.map((c) => c.key).filter((k) => raw.includes(k))
  } catch {
    return [...DEFAULT_COLUMNS]
  }
}

export const useSidebarStore = defineStore('sidebar', () => {
  const windowWidth = (): number => (typeof window === 'undefined' ? 1280 : window.innerWidth)
  const width = ref(readWidth(windowWidth()))
  const columns = ref<OptionalRunColumn[]>(readColumns())

  function setWidth(next: number): void {
    width.value = clampSidebarWidth(next, windowWidth())
  }
  function resetWidth(): void {
    width.value = defaultSidebarWidth(windowWidth())
  }
  function toggleColumn(key: OptionalRunColumn): void {
    const on = new Set(columns.value)
    if (on.has(key)) on.delete(key)
    else on.add(key)
    columns.value = OPTIONAL_COLUMNS.map((c) => c.key).filter((k) => on.has(k))
  }

  watch(width, (w) => storage()?.setItem(WIDTH_KEY, String(w)))
  watch(columns, (c) => storage()?.setItem(COLUMNS_KEY, JSON.stringify(c)))

  return { width, columns, setWidth, resetWidth, toggleColumn, min: SIDEBAR_MIN, maxWidth: () => clampSidebarWidth(Infinity, windowWidth()) }
})
