// The latent space explorer: one rendered plane at a time, its progress while the back end
// draws it, and the error when it refuses. Progress events of other runs are ignored.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ExplorerGridRequest, ExplorerGridResult } from '@shared/api'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'

export interface PlaneImage extends ExplorerGridResult {
  runId: number
  src: string
}

export const useExplorerStore = defineStore('explorer', () => {
  const plane = ref<PlaneImage | null>(null)
  const rendering = ref(false)
  const progress = ref<{ done: number; total: number } | null>(null)
  const error = ref<string | null>(null)
  let renderingRun: number | null = null
  let ticket = 0
  let unsubscribe: (() => void) | null = null

  function listen(): void {
    unsubscribe ??= useLabApi().on('explorer:progress', ({ runId, done, total }) => {
      if (rendering.value && runId === renderingRun) progress.value = { done, total }
    })
  }

  async function render(req: ExplorerGridRequest): Promise<void> {
    listen()
    const mine = ++ticket
    renderingRun = req.id
    rendering.value = true
    progress.value = { done: 0, total: req.resolution * req.resolution }
    error.value = null
    try {
      const res = await useLabApi().call('explorer:grid', req)
      if (mine !== ticket) return
      plane.value = { ...res, runId: req.id, src: `data:image/png;base64,${res.pngBase64}` }
    } catch (err) {
      if (mine !== ticket) return
      error.value = errorMessage(err)
    } finally {
      if (mine === ticket) {
        rendering.value = false
        progress.value = null
        renderingRun = null
      }
    }
  }

  /** Forgets the shown plane (another run was selected). */
  function reset(): void {
    ticket++
    plane.value = null
    rendering.value = false
    progress.value = null
    error.value = null
    renderingRun = null
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return { plane, rendering, progress, error, render, reset, stop }
})
