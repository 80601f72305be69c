// The checkpoint and seed of a menu that draws from a run's generator ("Generator ▾", "Rows ▾"):
// the epoch follows the run's newest checkpoint unless a chosen one is still listed; the seed is
// optional text (empty: the run's own seed).
import { computed, ref, watch, type ComputedRef, type Ref } from 'vue'

export interface CheckpointChoice {
  epoch: Ref<number | null>
  seedText: Ref<string>
  /** 'This run has no checkpoint yet' when there is none to choose, else null. */
  checkpointProblem: ComputedRef<string | null>
  /** What is wrong with the seed text, or null. */
  seedProblem: ComputedRef<string | null>
  /** The seed asked for; undefined for the run's own. */
  seed: () => number | undefined
}

export function useCheckpointChoice(epochs: () => number[]): CheckpointChoice {
  const epoch = ref<number | null>(null)
  const seedText = ref('')
  watch(
    epochs,
    (list) => {
      if (epoch.value === null || !list.includes(epoch.value)) epoch.value = list.length ? list[list.length - 1] : null
    },
    { immediate: true }
  )
  const checkpointProblem = computed(() => (epoch.value === null ? 'This run has no checkpoint yet' : null))
  const seedProblem = computed(() => {
    const text = seedText.value.trim()
    return text && !/^\d+$/.test(text) ? 'Seed: a whole number, or empty for the run’s own seed' : null
  })
  const seed = (): number | undefined => (seedText.value.trim() ? Number(seedText.value.trim()) : undefined)
  return { epoch, seedText, checkpointProblem, seedProblem, seed }
}
