// Evaluation: the reference classifier (status, training and its progress) and each run's
// epoch scores, best epoch and flags, kept up to date from the back end's events.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RunScores } from '@shared/api'
import type { ClassifierStatus } from '@shared/evaluation'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'

export const useEvaluationStore = defineStore('evaluation', () => {
  const classifier = ref<ClassifierStatus | null>(null)
  const classifierError = ref<string | null>(null)
  const byRun = ref<Record<number, RunScores>>({})
  const scoreError = ref<Record<number, string | null>>({})
  let unsubscribe: (() => void)[] = []

  function subscribe(): void {
    if (unsubscribe.length > 0) return
    const api = useLabApi()
    unsubscribe = [
      api.on('classifier:progress', (status) => {
        classifier.value = status
      }),
      api.on('classifier:changed', (status) => {
        classifier.value = { dataset: status.dataset, classifier: status.classifier, training: status.training }
        classifierError.value = status.error ?? null
      }),
      api.on('eval:scores', ({ runId, scores }) => {
        byRun.value = { ...byRun.value, [runId]: scores }
      })
    ]
  }

  async function loadClassifier(): Promise<void> {
    subscribe()
    try {
      classifier.value = await useLabApi().call('classifier:status', {})
    } catch (err) {
      classifierError.value = errorMessage(err)
    }
  }

  async function trainClassifier(): Promise<void> {
    subscribe()
    classifierError.value = null
    try {
      classifier.value = await useLabApi().call('classifier:train', {})
    } catch (err) {
      classifierError.value = errorMessage(err)
    }
  }

  async function loadScores(runId: number): Promise<void> {
    subscribe()
    try {
      // Awaited before spreading: loads of several runs at once must not overwrite each other.
      const scores = await useLabApi().call('eval:scores', { id: runId })
      byRun.value = { ...byRun.value, [runId]: scores }
    } catch (err) {
      scoreError.value = { ...scoreError.value, [runId]: errorMessage(err) }
    }
  }

  /** Scores one checkpoint now; the answer arrives through 'eval:scores' as well. */
  async function scoreEpoch(runId: number, epoch: number): Promise<void> {
    subscribe()
    scoreError.value = { ...scoreError.value, [runId]: null }
    try {
      await useLabApi().call('eval:run', { id: runId, epoch })
      await loadScores(runId)
    } catch (err) {
      scoreError.value = { ...scoreError.value, [runId]: errorMessage(err) }
    }
  }

  function dispose(): void {
    for (const off of unsubscribe) off()
    unsubscribe = []
  }

  return { classifier, classifierError, byRun, scoreError, loadClassifier, trainClassifier, loadScores, scoreEpoch, dispose }
})
