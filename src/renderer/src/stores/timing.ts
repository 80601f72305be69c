// Step times for the new-run form's duration estimate, by timing key: asked of the back end
// once per kind of run (it measures a few steps in the background the first time) and kept.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RunConfig } from '@shared/config'
import { timingKey, type StepTiming } from '@shared/timing'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'

export type TimingState = { state: 'measuring' } | { state: 'known'; timing: StepTiming } | { state: 'failed'; error: string }

export const useTimingStore = defineStore('timing', () => {
  const byKey = ref<Record<string, TimingState>>({})

  /** Asks for the step time of runs like `config` unless it is known or being measured. */
  async function request(config: RunConfig): Promise<void> {
    const key = timingKey(config)
    const known = byKey.value[key]
    if (known && known.state !== 'failed') return
    byKey.value = { ...byKey.value, [key]: { state: 'measuring' } }
    try {
      const timing = await useLabApi().call('timing:estimate', { config })
      byKey.value = { ...byKey.value, [key]: { state: 'known', timing } }
    } catch (err) {
      byKey.value = { ...byKey.value, [key]: { state: 'failed', error: errorMessage(err) } }
    }
  }

  function of(config: RunConfig): TimingState | null {
    return byKey.value[timingKey(config)] ?? null
  }

  return { byKey, request, of }
})
