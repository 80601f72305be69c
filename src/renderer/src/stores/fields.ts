// GAN Lab's view of toy runs (src/shared/toy-field.ts): each run's newest field as the trainer
// sends it ('trainer:field', every few steps while it trains, then each epoch's own), and the
// stored fields of past epochs fetched when first shown (runs:field) and cached. Fields are
// frozen (markRaw): they are replaced whole, never edited, and hold thousands of numbers.
import { defineStore } from 'pinia'
import { markRaw, ref } from 'vue'
import type { LabEvents } from '@shared/api'
import type { ToyField } from '@shared/toy-field'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'

export const useFieldsStore = defineStore('fields', () => {
  /** The newest field of each run that sent one while this page was open. */
  const live = ref<Record<number, ToyField>>({})
  const stored = ref<Record<string, ToyField>>({})
  const error = ref<string | null>(null)
  const inFlight = new Set<string>()
  let unsubscribe: (() => void) | null = null

  const key = (runId: number, epoch: number): string => `${runId}:${epoch}`

  function onField({ runId, field }: LabEvents['trainer:field']): void {
    live.value[runId] = markRaw(field)
  }

  function start(): void {
    if (!unsubscribe) unsubscribe = useLabApi().on('trainer:field', onField)
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  function liveOf(runId: number): ToyField | null {
    return live.value[runId] ?? null
  }

  function storedOf(runId: number, epoch: number): ToyField | null {
    return stored.value[key(runId, epoch)] ?? null
  }

  /** Fetches the stored field of an epoch unless it is cached or on its way. */
  async function load(runId: number, epoch: number): Promise<void> {
    const k = key(runId, epoch)
    if (stored.value[k] || inFlight.has(k)) return
    inFlight.add(k)
    try {
      stored.value[k] = markRaw(await useLabApi().call('runs:field', { id: runId, epoch }))
    } catch (err) {
      error.value = `Could not load the field of D and G at epoch ${epoch}: ${errorMessage(err)}`
    } finally {
      inFlight.delete(k)
    }
  }

  function forget(runId: number): void {
    delete live.value[runId]
    for (const k of Object.keys(stored.value)) if (k.startsWith(`${runId}:`)) delete stored.value[k]
  }

  return { live, stored, error, start, stop, liveOf, storedOf, load, forget }
})
