// What the trainer reports per run: progress, the step series behind the charts, finished
// epochs, the backend report, log lines and sample grids. Step series are kept outside Vue's
// deep reactivity (they grow to many thousands of points); `seriesVersion` ticks when they grow.
import { defineStore } from 'pinia'
import { markRaw, ref } from 'vue'
import type { EpochInfo, LabEvents, RunDetail } from '@shared/api'
import { appendRows, emptySeries, STEP_METRICS, type StepRow, type StepSeries } from '@shared/metrics'
import type { BackendReport, ProgressInfo } from '@shared/trainer-protocol'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'
import { useFieldsStore } from './fields'

export interface LogLine {
  level: 'info' | 'warn' | 'error'
  message: string
  at: number
}

export interface RunLive {
  runId: number
  progress: ProgressInfo | null
  backendReport: BackendReport | null
  epochs: EpochInfo[]
  series: StepSeries
  seriesVersion: number
  /** Highest step in `series`; live rows at or below it are already there. */
  lastStep: number
  history: 'none' | 'loading' | 'loaded'
  log: LogLine[]
}

export interface GridImage {
  src: string
  rows: number
  cols: number
}

const MAX_LOG_LINES = 200

/**
 * Appends the samples of a columnar series whose step is past `afterStep` (steps ascending),
 * column by column: a history of 100,000 steps becomes no row objects at all (six such runs in
 * the compare view spent most of their loading time building and collecting rows). Returns the
 * last step appended, or afterStep when none was.
 */
export function appendSeriesAfter(target: StepSeries, source: StepSeries, afterStep: number): number {
  let i = 0
  while (i < source.step.length && source.step[i] <= afterStep) i++
  if (i >= source.step.length) return afterStep
  const copy = <T,>(to: T[], from: readonly T[]): void => {
    for (let k = i; k < from.length; k++) to.push(from[k])
  }
  copy(target.step, source.step)
  copy(target.epoch, source.epoch)
  copy(target.timeMs, source.timeMs)
  for (const m of STEP_METRICS) copy(target.values[m], source.values[m])
  return source.step[source.step.length - 1]
}

export const useTrainerStore = defineStore('trainer', () => {
  const runs = ref<Record<number, RunLive>>({})
  const grids = ref<Record<string, GridImage>>({})
  const error = ref<string | null>(null)
  /** Live rows that arrived while a run's history was loading; merged once it has. */
  const buffered = new Map<number, StepRow[]>()
  const gridsInFlight = new Set<string>()
  let unsubscribe: (() => void)[] = []

  function ensure(runId: number): RunLive {
    let run = runs.value[runId]
    if (!run) {
      runs.value[runId] = {
        runId,
        progress: null,
        backendReport: null,
        epochs: [],
        series: markRaw(emptySeries()),
        seriesVersion: 0,
        lastStep: 0,
        history: 'none',
        log: []
      }
      run = runs.value[runId]
    }
    return run
  }

  function appendNew(run: RunLive, rows: readonly StepRow[]): void {
    const fresh: StepRow[] = []
    let last = run.lastStep
    for (const row of rows) {
      if (row.step > last) {
        fresh.push(row)
        last = row.step
      }
    }
    if (fresh.length === 0) return
    appendRows(run.series, fresh)
    run.lastStep = last
    run.seriesVersion++
  }

  /** Takes what the run's detail already knows: finished epochs, backend, progress. */
  function hydrate(detail: RunDetail): void {
    const run = ensure(detail.summary.id)
    run.epochs = [...detail.epochs].sort((a, b) => a.epoch - b.epoch)
    run.backendReport = detail.backendReport ?? run.backendReport
    run.progress = detail.progress ?? run.progress
  }

  /**
   * Loads the steps the back end has stored after the last one we hold, then merges live rows
   * that arrived meanwhile. Called again after a reconnect, it fetches only what was missed.
   */
  async function loadHistory(runId: number): Promise<void> {
    const run = ensure(runId)
    if (run.history === 'loading') return
    run.history = 'loading'
    buffered.set(runId, [])
    try {
      const series = await useLabApi().call('runs:metrics', { id: runId, afterStep: run.lastStep })
      const last = appendSeriesAfter(run.series, series, run.lastStep)
      if (last > run.lastStep) {
        run.lastStep = last
        run.seriesVersion++
      }
      run.history = 'loaded'
      appendNew(run, buffered.get(runId) ?? [])
    } catch (err) {
      run.history = 'none'
      error.value = `Could not load the metrics of run ${runId}: ${errorMessage(err)}`
    } finally {
      buffered.delete(runId)
    }
  }

  function onSteps({ runId, rows }: LabEvents['trainer:steps']): void {
    const run = runs.value[runId]
    // Without its history a run's chart would start mid-way; it is loaded when the run is shown.
    if (!run || run.history === 'none') return
    if (run.history === 'loading') buffered.get(runId)?.push(...rows)
    else appendNew(run, rows)
  }

  function onEpoch({ runId, epoch }: LabEvents['trainer:epoch']): void {
    const run = ensure(runId)
    const others = run.epochs.filter((e) => e.epoch !== epoch.epoch)
    run.epochs = [...others, epoch].sort((a, b) => a.epoch - b.epoch)
  }

  function onLog({ runId, level, message }: LabEvents['trainer:log']): void {
    const run = ensure(runId)
    run.log.push({ level, message, at: Date.now() })
    if (run.log.length > MAX_LOG_LINES) run.log.splice(0, run.log.length - MAX_LOG_LINES)
  }

  function start(): void {
    if (unsubscribe.length > 0) return
    const api = useLabApi()
    unsubscribe = [
      api.on('trainer:progress', ({ runId, progress }) => {
        ensure(runId).progress = progress
      }),
      api.on('trainer:backend', ({ runId, report }) => {
        ensure(runId).backendReport = report
      }),
      api.on('trainer:steps', onSteps),
      api.on('trainer:epoch', onEpoch),
      api.on('trainer:log', onLog)
    ]
    // Toy runs' fields of D and G come on the same event stream.
    useFieldsStore().start()
  }

  function stop(): void {
    for (const off of unsubscribe) off()
    unsubscribe = []
    useFieldsStore().stop()
  }

  function forget(runId: number): void {
    delete runs.value[runId]
    buffered.delete(runId)
    for (const key of Object.keys(grids.value)) if (key.startsWith(`${runId}:`)) delete grids.value[key]
    useFieldsStore().forget(runId)
  }

  function gridKey(runId: number, epoch: number): string {
    return `${runId}:${epoch}`
  }

  /** The epochs of a run that have a sample grid, ascending. */
  function gridEpochsOf(runId: number): number[] {
    return (runs.value[runId]?.epochs ?? []).filter((e) => e.hasGrid).map((e) => e.epoch)
  }

  /** The epochs of a (toy) run that have a stored field of D and G, ascending. */
  function fieldEpochsOf(runId: number): number[] {
    return (runs.value[runId]?.epochs ?? []).filter((e) => e.hasField).map((e) => e.epoch)
  }

  function gridOf(runId: number, epoch: number): GridImage | null {
    return grids.value[gridKey(runId, epoch)] ?? null
  }

  async function loadGrid(runId: number, epoch: number): Promise<void> {
    const key = gridKey(runId, epoch)
    if (grids.value[key] || gridsInFlight.has(key)) return
    gridsInFlight.add(key)
    try {
      const grid = await useLabApi().call('runs:grid', { id: runId, epoch })
      grids.value[key] = { src: `data:image/png;base64,${grid.pngBase64}`, rows: grid.rows, cols: grid.cols }
    } catch (err) {
      error.value = `Could not load the sample grid of epoch ${epoch}: ${errorMessage(err)}`
    } finally {
      gridsInFlight.delete(key)
    }
  }

  return { runs, grids, error, ensure, hydrate, loadHistory, start, stop, forget, gridEpochsOf, fieldEpochsOf, gridOf, loadGrid }
})
