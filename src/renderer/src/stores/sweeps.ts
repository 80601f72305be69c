// Sweeps and the run queue's setting: creating a sweep (its runs join the runs list), the
// number of runs trained at once, and which sweeps started here wait to open in the compare
// view once every run of theirs has ended.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { LabCalls, LabSettings } from '@shared/api'
import type { Sweep } from '@shared/sweep'
import { ACTIVE_STATUSES } from '@shared/trainer-protocol'
import { useLabApi } from '@renderer/api/current'
import { errorMessage, refusalMessage } from '@renderer/format'
import { useRunsStore } from './runs'

/** The lab settings as the page labels them; a refused value is named by its label. */
export const SETTINGS_LABELS: Record<keyof LabSettings, string> = { maxConcurrentRuns: 'Runs at once' }

export const useSweepsStore = defineStore('sweeps', () => {
  const settings = ref<LabSettings | null>(null)
  const settingsError = ref<string | null>(null)
  /** Sweeps started in this window that open in the compare view when done. */
  const awaiting = ref<Sweep[]>([])
  /** Every sweep of the lab, newest first. */
  const list = ref<Sweep[]>([])
  const listError = ref<string | null>(null)
  let unsubscribe: (() => void) | null = null
  let unsubscribeSweeps: (() => void) | null = null

  async function loadSweeps(): Promise<void> {
    unsubscribeSweeps ??= useLabApi().on('sweeps:changed', (sweep) => {
      list.value = [sweep, ...list.value.filter((s) => s.id !== sweep.id)]
    })
    try {
      list.value = await useLabApi().call('sweeps:list', undefined)
      listError.value = null
    } catch (err) {
      listError.value = `Could not load the sweeps: ${errorMessage(err)}`
    }
  }

  /** A sweep's runs still in the lab (one deleted meanwhile no longer counts), and how many have ended. */
  function runsOf(sweep: Sweep): { ids: number[]; ended: number } {
    const runs = useRunsStore()
    const present = sweep.runIds.map((id) => runs.runs.find((r) => r.id === id)).filter((r) => r !== undefined)
    return { ids: present.map((r) => r.id), ended: present.filter((r) => !ACTIVE_STATUSES.includes(r.status)).length }
  }

  /** Every sweep with its runs' progress, for the sidebar. */
  const listed = computed(() => list.value.map((sweep) => ({ sweep, ...runsOf(sweep) })))

  async function loadSettings(): Promise<void> {
    unsubscribe ??= useLabApi().on('settings:changed', (s) => (settings.value = s))
    try {
      settings.value = await useLabApi().call('settings:get', undefined)
    } catch (err) {
      settingsError.value = `Could not read the lab's settings: ${errorMessage(err)}`
    }
  }

  async function setMaxConcurrentRuns(n: number): Promise<void> {
    try {
      settings.value = await useLabApi().call('settings:set', { maxConcurrentRuns: n })
      settingsError.value = null
    } catch (err) {
      settingsError.value = refusalMessage(err, SETTINGS_LABELS)
    }
  }

  /** Creates the sweep; throws what the back end said (the form shows it). Returns the sweep. */
  async function create(request: LabCalls['sweeps:create']['req']): Promise<Sweep> {
    const created = await useLabApi().call('sweeps:create', request)
    const runs = useRunsStore()
    for (const run of created.runs) runs.upsert(run)
    if (created.sweep.compareWhenDone) awaiting.value = [...awaiting.value, created.sweep]
    return created.sweep
  }

  /** The first awaited sweep whose runs have all ended (the runs list knows their status). */
  const ready = computed<Sweep | null>(
    () =>
      awaiting.value.find((s) => {
        const { ids, ended } = runsOf(s)
        return ended === ids.length
      }) ?? null
  )

  function done(id: number): void {
    awaiting.value = awaiting.value.filter((s) => s.id !== id)
  }

  return { settings, settingsError, awaiting, list, listed, listError, loadSweeps, runsOf, loadSettings, setMaxConcurrentRuns, create, ready, done }
})
