// Data sets: the list the new-run form picks from, the import flow (a file chosen in the
// desktop app's dialog, a preview with editable column types, then save), and the generated
// rows/points of tabular and toy runs.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { BUILTIN_DATASET_INFO, BUILTIN_DATASETS, type ColumnType, type DatasetInfo, type DatasetPreview, type DatasetRef, type EpochSamples } from '@shared/datasets'
import { useLabApi } from '@renderer/api/current'
import { downloadText } from '@renderer/download'
import { errorMessage } from '@renderer/format'

export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<DatasetInfo[]>(BUILTIN_DATASETS.map((b) => BUILTIN_DATASET_INFO[b]))
  const preview = ref<DatasetPreview | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)
  const samples = ref<Record<string, EpochSamples>>({})

  async function load(): Promise<void> {
    try {
      datasets.value = await useLabApi().call('datasets:list', undefined)
    } catch (err) {
      error.value = `Could not load the data sets: ${errorMessage(err)}`
    }
  }

  function byId(id: DatasetRef): DatasetInfo | null {
    return datasets.value.find((d) => d.id === id) ?? null
  }

  async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    busy.value = true
    error.value = null
    try {
      return await fn()
    } catch (err) {
      error.value = `${what}: ${errorMessage(err)}`
      return null
    } finally {
      busy.value = false
    }
  }

  /** Asks the lab to open its file dialog; the preview appears when a file was chosen. */
  async function choose(kind: 'idx' | 'csv' | 'cifar' | 'folder', size?: number): Promise<void> {
    const result = await guarded('Could not import', () => useLabApi().call('datasets:choose', { kind, ...(size !== undefined ? { size } : {}) }))
    if (result) preview.value = result
  }

  async function retype(columns: { name: string; type: ColumnType }[]): Promise<void> {
    const token = preview.value?.token
    if (!token) return
    const result = await guarded('These column types do not fit the file', () => useLabApi().call('datasets:preview', { token, columns }))
    if (result) preview.value = result
  }

  /** Saves the previewed import; returns the new data set. */
  async function save(name: string, columns: { name: string; type: ColumnType }[]): Promise<DatasetInfo | null> {
    const token = preview.value?.token
    if (!token) return null
    const info = await guarded('Could not import', () => useLabApi().call('datasets:import', { token, name, ...(columns.length ? { columns } : {}) }))
    if (info) {
      preview.value = null
      await load()
    }
    return info
  }

  function cancel(): void {
    preview.value = null
    error.value = null
  }

  async function remove(id: number): Promise<void> {
    const done = await guarded('Could not delete the data set', () => useLabApi().call('datasets:delete', { id }))
    if (done) await load()
  }

  const key = (runId: number, epoch: number): string => `${runId}:${epoch}`

  function samplesOf(runId: number, epoch: number): EpochSamples | null {
    return samples.value[key(runId, epoch)] ?? null
  }

  async function loadSamples(runId: number, epoch: number): Promise<void> {
    if (samples.value[key(runId, epoch)]) return
    try {
      samples.value[key(runId, epoch)] = await useLabApi().call('runs:samples', { id: runId, epoch })
    } catch (err) {
      error.value = `Could not load the samples of epoch ${epoch}: ${errorMessage(err)}`
    }
  }

  async function exportSamples(runId: number, epoch: number): Promise<void> {
    const file = await guarded('Could not export the generated rows', () => useLabApi().call('runs:export-samples', { id: runId, epoch }))
    if (file) downloadText(file.filename, file.mime, file.content)
  }

  return { datasets, preview, error, busy, load, byId, choose, retype, save, cancel, remove, samplesOf, loadSamples, exportSamples }
})
