// The compare view's state: which runs (2 to 8), their details, the shared settings (x axis,
// smoothing, the grids' epoch) and the saved comparisons. Step series, epochs and grids come
// from the trainer store, which already keeps them per run and live.
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { RunDetail, RunSummary } from '@shared/api'
import {
  DEFAULT_COMPARE_SETTINGS,
  MAX_COMPARED,
  MIN_COMPARED,
  RUN_COLORS,
  type CompareSettings,
  type CreatePairRequest,
  type SavedComparison
} from '@shared/compare'
import type { RunConfig } from '@shared/config'
import { useLabApi } from '@renderer/api/current'
import { gridEpochFor } from '@renderer/compare/curves'
import { progressView, type ProgressView } from '@renderer/components/progress-view'
import { errorMessage } from '@renderer/format'
import { useRunsStore } from './runs'
import { useFieldsStore } from './fields'
import { useTrainerStore } from './trainer'

export interface ComparedRun {
  id: number
  color: string
  /** The run as the runs list knows it (kept current by events); null until loaded or when it cannot be shown. */
  summary: RunSummary | null
  config: RunConfig | null
  /** Epoch and step of the run, live while it trains. */
  progress: ProgressView | null
  /** Why the run cannot be shown (deleted since the comparison was saved...). */
  problem: string | null
}

export const useCompareStore = defineStore('compare', () => {
  const runIds = ref<number[]>([])
  const details = ref<Record<number, RunDetail | null>>({})
  const problems = ref<Record<number, string>>({})
  const settings = reactive<CompareSettings>({ ...DEFAULT_COMPARE_SETTINGS })
  const loading = ref(false)
  const error = ref<string | null>(null)
  const saved = ref<SavedComparison[]>([])
  /** Runs ticked in the runs list, to be compared. */
  const picked = ref<number[]>([])
  /** Runs hidden from the charts (kept in the comparison, its grids and tables). */
  const hidden = ref<number[]>([])
  function toggleHidden(id: number): void {
    hidden.value = hidden.value.includes(id) ? hidden.value.filter((h) => h !== id) : [...hidden.value, id]
  }

  let unsubscribe: (() => void) | null = null

  const compared = computed<ComparedRun[]>(() => {
    const runs = useRunsStore()
    const trainer = useTrainerStore()
    return runIds.value.map((id, i) => {
      const detail = details.value[id] ?? null
      const summary = detail ? (runs.runs.find((r) => r.id === id) ?? detail.summary) : null
      const live = trainer.runs[id]
      return {
        id,
        color: RUN_COLORS[i % RUN_COLORS.length],
        summary,
        config: detail?.config ?? null,
        progress: summary && detail ? progressView(summary, detail.config, live?.progress ?? null, live?.epochs ?? []) : null,
        problem: problems.value[id] ?? null
      }
    })
  })

  /** Epochs with a sample grid (or a toy run's field of D and G) in any compared run, ascending: the scrubber's stops. */
  const gridEpochs = computed(() => {
    const trainer = useTrainerStore()
    const all = new Set<number>()
    for (const id of runIds.value) for (const e of [...trainer.gridEpochsOf(id), ...trainer.fieldEpochsOf(id)]) all.add(e)
    return [...all].sort((a, b) => a - b)
  })

  const shownEpoch = computed(() => settings.epoch ?? gridEpochs.value[gridEpochs.value.length - 1] ?? null)

  /** A run deleted while compared is shown as gone, and unticked. */
  function onDeleted({ id }: { id: number }): void {
    picked.value = picked.value.filter((p) => p !== id)
    if (!runIds.value.includes(id)) return
    details.value[id] = null
    problems.value[id] = `run ${id} was deleted`
  }

  function start(): void {
    if (!unsubscribe) unsubscribe = useLabApi().on('runs:deleted', onDeleted)
  }

  function togglePicked(id: number): void {
    if (picked.value.includes(id)) picked.value = picked.value.filter((p) => p !== id)
    else if (picked.value.length < MAX_COMPARED) picked.value = [...picked.value, id]
    else error.value = `At most ${MAX_COMPARED} runs can be compared; untick one first.`
  }

  /** Loads the runs' details and histories; a run that cannot be loaded is shown with the reason. */
  async function open(ids: number[], with_: Partial<CompareSettings> = {}): Promise<boolean> {
    if (ids.length < MIN_COMPARED || ids.length > MAX_COMPARED) {
      error.value = `Pick ${MIN_COMPARED} to ${MAX_COMPARED} runs to compare (${ids.length} picked).`
      return false
    }
    error.value = null
    Object.assign(settings, DEFAULT_COMPARE_SETTINGS, { groupBy: [] }, with_)
    hidden.value = []
    runIds.value = [...ids]
    details.value = {}
    problems.value = {}
    loading.value = true
    start()
    await load(ids)
    loading.value = false
    return true
  }

  async function load(ids: readonly number[]): Promise<void> {
    const trainer = useTrainerStore()
    trainer.start()
    await Promise.all(
      ids.map(async (id) => {
        try {
          const detail = await useLabApi().call('runs:get', { id })
          details.value[id] = detail
          delete problems.value[id]
          trainer.hydrate(detail)
          await trainer.loadHistory(id)
        } catch (err) {
          details.value[id] = null
          problems.value[id] = `run ${id}: ${errorMessage(err)}`
        }
      })
    )
  }

  /** After the connection came back: events sent meanwhile were lost, so reload what is compared. */
  async function resync(): Promise<void> {
    if (runIds.value.length > 0) await load(runIds.value)
  }

  function close(): void {
    runIds.value = []
    details.value = {}
    problems.value = {}
  }

  /**
   * Fetches each run's grid (or a toy run's field) for the scrubber's epoch (its own, or the one
   * gridEpochFor shows), and the next stop's too, so playing never waits for one. Grids are cached
   * by the trainer store and fields by the fields store, so every epoch is fetched once, and only
   * when it is first shown or about to be.
   */
  async function loadGrids(epoch: number | null): Promise<void> {
    if (epoch === null) return
    const trainer = useTrainerStore()
    const fields = useFieldsStore()
    const stops = gridEpochs.value
    const next = stops[stops.indexOf(epoch) + 1]
    await Promise.all(
      runIds.value.flatMap((id) => {
        const grids = trainer.gridEpochsOf(id)
        const fieldEpochs = trainer.fieldEpochsOf(id)
        return [epoch, next].flatMap((wanted) => {
          if (wanted === undefined) return []
          const grid = gridEpochFor(grids, wanted).epoch
          const field = gridEpochFor(fieldEpochs, wanted).epoch
          return [...(grid === null ? [] : [trainer.loadGrid(id, grid)]), ...(field === null ? [] : [fields.load(id, field)])]
        })
      })
    )
  }

  async function loadSaved(): Promise<void> {
    try {
      saved.value = await useLabApi().call('comparisons:list', undefined)
    } catch (err) {
      error.value = `Could not load saved comparisons: ${errorMessage(err)}`
    }
  }

  async function save(name: string): Promise<SavedComparison | null> {
    try {
      const result = await useLabApi().call('comparisons:save', { name, runIds: runIds.value, settings: { ...settings } })
      saved.value = [result, ...saved.value.filter((s) => s.id !== result.id)]
      return result
    } catch (err) {
      error.value = `Could not save the comparison: ${errorMessage(err)}`
      return null
    }
  }

  async function removeSaved(id: number): Promise<void> {
    try {
      await useLabApi().call('comparisons:delete', { id })
      saved.value = saved.value.filter((s) => s.id !== id)
    } catch (err) {
      error.value = `Could not delete the comparison: ${errorMessage(err)}`
    }
  }

  /** Starts both runs of a paired experiment; returns their ids to compare. */
  async function startPair(request: CreatePairRequest): Promise<number[] | null> {
    try {
      const created = await useLabApi().call('runs:create-pair', request)
      const runs = useRunsStore()
      for (const run of created) runs.upsert(run)
      return created.map((r) => r.id)
    } catch (err) {
      error.value = `Could not start the pair: ${errorMessage(err)}`
      return null
    }
  }

  return {
    runIds,
    details,
    settings,
    hidden,
    toggleHidden,
    loading,
    error,
    saved,
    picked,
    compared,
    gridEpochs,
    shownEpoch,
    start,
    togglePicked,
    open,
    resync,
    close,
    loadGrids,
    loadSaved,
    save,
    removeSaved,
    startPair
  }
})
