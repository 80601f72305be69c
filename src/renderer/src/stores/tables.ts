// Tabular runs: rows drawn from a checkpoint's generator (downloaded as CSV) and the fidelity
// report of each epoch (generated rows against the real ones, beside the naive baseline).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TabularFidelity } from '@shared/tabular-fidelity'
import { useLabApi } from '@renderer/api/current'
import { downloadText } from '@renderer/download'
import { errorMessage } from '@renderer/format'

export const useTablesStore = defineStore('tables', () => {
  const fidelity = ref<Record<number, { epoch: number; fidelity: TabularFidelity }[]>>({})
  const fidelityError = ref<string | null>(null)
  const drawing = ref(false)
  const drawError = ref<string | null>(null)
  const drawResult = ref<string | null>(null)

  async function loadFidelity(runId: number): Promise<void> {
    try {
      fidelity.value[runId] = await useLabApi().call('runs:fidelity', { id: runId })
      fidelityError.value = null
    } catch (err) {
      fidelityError.value = `Could not load the fidelity report: ${errorMessage(err)}`
    }
  }

  function fidelityOf(runId: number): { epoch: number; fidelity: TabularFidelity }[] {
    return fidelity.value[runId] ?? []
  }

  /** Draws `rows` rows from the checkpoint of `epoch` and downloads them as CSV. */
  async function drawRows(runId: number, epoch: number, rows: number, seed?: number): Promise<void> {
    drawing.value = true
    drawError.value = null
    drawResult.value = null
    try {
      const file = await useLabApi().call('runs:sample-rows', { id: runId, epoch, rows, ...(seed === undefined ? {} : { seed }) })
      downloadText(file.filename, file.mime, file.content)
      drawResult.value = `${file.rows} rows from epoch ${file.epoch}: ${file.filename}`
    } catch (err) {
      drawError.value = `Could not draw rows: ${errorMessage(err)}`
    } finally {
      drawing.value = false
    }
  }

  return { fidelity, fidelityError, loadFidelity, fidelityOf, drawing, drawError, drawResult, drawRows }
})
