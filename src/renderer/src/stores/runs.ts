// The runs: the list, the one selected and its detail, and the intents that change them.
// Stays current from 'runs:changed' and 'runs:deleted', so a run started from the CLI shows up too.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { BundleExport, MetricsExport, MetricsExportFormat, RunDetail, RunSummary } from '@shared/api'
import type { RunConfigInput } from '@shared/config'
import type { RunStatus } from '@shared/trainer-protocol'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'
import { useTrainerStore } from './trainer'
import { FIRST_DIR, filterRuns, sortRuns, type RunSortKey, type SortDir } from './runs-view'

/** Newest first; ids break ties between runs created in the same millisecond. */
export function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt - a.createdAt || b.id - a.id
}

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunSummary[]>([])
  const selectedId = ref<number | null>(null)
  const detail = ref<RunDetail | null>(null)
  const loadingList = ref(false)
  const loadingDetail = ref(false)
  const error = ref<string | null>(null)
  let unsubscribe: (() => void)[] = []

  const sorted = computed(() => [...runs.value].sort(newestFirst))
  /** The list's filter and sort. */
  const filterText = ref('')
  const statusFilter = ref<RunStatus | 'all'>('all')
  const sortKey = ref<RunSortKey>('created')
  const sortDir = ref<SortDir>('desc')
  /** The runs the list shows: filtered, then sorted. */
  const visible = computed(() => sortRuns(filterRuns(runs.value, filterText.value, statusFilter.value), sortKey.value, sortDir.value))

  /** A click on a column: the same column flips the direction, another starts in its natural one. */
  function setSort(key: RunSortKey): void {
    if (sortKey.value === key) sortDir.value = sortDir.value === 'asc' ? 'desc' : 'asc'
    else {
      sortKey.value = key
      sortDir.value = FIRST_DIR[key]
    }
  }
  /** The selected run's summary, from the list, which events keep current. */
  const selected = computed<RunSummary | null>(
    () => runs.value.find((r) => r.id === selectedId.value) ?? (detail.value?.summary.id === selectedId.value ? detail.value.summary : null)
  )

  function upsert(summary: RunSummary): void {
    const i = runs.value.findIndex((r) => r.id === summary.id)
    if (i >= 0) runs.value[i] = summary
    else runs.value.push(summary)
    if (detail.value && detail.value.summary.id === summary.id) detail.value.summary = summary
  }

  function dropLocal(id: number): void {
    runs.value = runs.value.filter((r) => r.id !== id)
    if (selectedId.value === id) {
      selectedId.value = null
      detail.value = null
    }
    useTrainerStore().forget(id)
  }

  async function refresh(): Promise<void> {
    loadingList.value = true
    try {
      runs.value = await useLabApi().call('runs:list', undefined)
      error.value = null
    } catch (err) {
      error.value = `Could not load runs: ${errorMessage(err)}`
    } finally {
      loadingList.value = false
    }
  }

  /** Subscribes to run events and loads the list; safe to call more than once. */
  async function start(): Promise<void> {
    if (unsubscribe.length === 0) {
      const api = useLabApi()
      unsubscribe = [api.on('runs:changed', upsert), api.on('runs:deleted', ({ id }) => dropLocal(id))]
      useTrainerStore().start()
    }
    await refresh()
  }

  function stop(): void {
    for (const off of unsubscribe) off()
    unsubscribe = []
  }

  async function select(id: number | null): Promise<void> {
    selectedId.value = id
    if (detail.value?.summary.id !== id) detail.value = null
    if (id === null) return
    loadingDetail.value = true
    try {
      const loaded = await useLabApi().call('runs:get', { id })
      if (selectedId.value !== id) return
      detail.value = loaded
      upsert(loaded.summary)
      const trainer = useTrainerStore()
      trainer.hydrate(loaded)
      await trainer.loadHistory(id)
    } catch (err) {
      if (selectedId.value === id) error.value = `Could not open run ${id}: ${errorMessage(err)}`
    } finally {
      if (selectedId.value === id) loadingDetail.value = false
    }
  }

  /** Resynchronises after the connection to the back end came back. */
  async function resync(): Promise<void> {
    await refresh()
    if (selectedId.value !== null) await select(selectedId.value)
  }

  /** Creates a run. Throws the LabError, whose issues the form places next to its fields. */
  async function create(config: RunConfigInput): Promise<RunSummary> {
    const summary = await useLabApi().call('runs:create', { config })
    upsert(summary)
    return summary
  }

  async function stopRun(id: number): Promise<void> {
    try {
      upsert(await useLabApi().call('runs:stop', { id }))
    } catch (err) {
      error.value = `Could not stop run ${id}: ${errorMessage(err)}`
    }
  }

  /** Renames a run or sets its notes or tags; false (with the error shown) when refused. */
  async function update(id: number, patch: { name?: string; notes?: string; tags?: string[] }): Promise<boolean> {
    try {
      upsert(await useLabApi().call('runs:update', { id, ...patch }))
      return true
    } catch (err) {
      error.value = `Could not update run ${id}: ${errorMessage(err)}`
      return false
    }
  }

  /** Fetches runs' step metrics as one CSV or JSON file; null (with the error shown) on failure. */
  async function exportMetrics(ids: number[], format: MetricsExportFormat): Promise<MetricsExport | null> {
    try {
      return await useLabApi().call('runs:export-metrics', { ids, format })
    } catch (err) {
      error.value = `Could not export metrics: ${errorMessage(err)}`
      return null
    }
  }

  /** A run bundle (zip of config, metrics, grids and checkpoints); null (with the error shown) on failure. */
  async function exportBundle(id: number, checkpoints: 'none' | 'last' | 'all'): Promise<BundleExport | null> {
    try {
      return await useLabApi().call('runs:export-bundle', { id, checkpoints })
    } catch (err) {
      error.value = `Could not export run ${id}: ${errorMessage(err)}`
      return null
    }
  }

  /** Imports a bundle's bytes as a new run and selects it; the warnings are shown. */
  async function importBundle(fileName: string, bytes: Uint8Array): Promise<boolean> {
    let binary = ''
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    try {
      const { run, warnings } = await useLabApi().call('runs:import-bundle', { base64: btoa(binary) })
      upsert(run)
      await select(run.id)
      if (warnings.length > 0) error.value = `${fileName}: ${warnings.join(' ')}`
      return true
    } catch (err) {
      error.value = `Could not import ${fileName}: ${errorMessage(err)}`
      return false
    }
  }

  /** Continues a run from its last checkpoint (to `epochs` when given); its series is reloaded. */
  async function resume(id: number, epochs?: number): Promise<boolean> {
    try {
      const summary = await useLabApi().call('runs:resume', { id, ...(epochs !== undefined ? { epochs } : {}) })
      // Steps after the checkpoint are replaced: drop what we hold and load the run again.
      useTrainerStore().forget(id)
      upsert(summary)
      if (selectedId.value === id) await select(id)
      return true
    } catch (err) {
      error.value = `Could not resume run ${id}: ${errorMessage(err)}`
      return false
    }
  }

  async function remove(id: number): Promise<void> {
    try {
      await useLabApi().call('runs:delete', { id })
      dropLocal(id)
    } catch (err) {
      error.value = `Could not delete run ${id}: ${errorMessage(err)}`
    }
  }

  function clearError(): void {
    error.value = null
  }

  return {
    runs,
    sorted,
    filterText,
    statusFilter,
    sortKey,
    sortDir,
    visible,
    setSort,
    selectedId,
    selected,
    detail,
    loadingList,
    loadingDetail,
    error,
    start,
    stop,
    refresh,
    select,
    resync,
    create,
    stopRun,
    remove,
    update,
    exportMetrics,
    upsert,
    resume,
    exportBundle,
    importBundle,
    clearError
  }
})
