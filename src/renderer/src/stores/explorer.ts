// The latent space explorer: one rendered plane at a time, its progress while the back end
// draws it, and the error when it refuses. Progress events of other runs are ignored.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type {
  ExplorerArithmeticRequest,
  ExplorerArithmeticResult,
  ExplorerGridRequest,
  ExplorerGridResult,
  ExplorerInterpolateRequest,
  ExplorerInterpolateResult
} from '@shared/api'
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
  const strips = ref<(ExplorerInterpolateResult & { lerpSrc: string; slerpSrc: string }) | null>(null)
  const sum = ref<(ExplorerArithmeticResult & { src: string }) | null>(null)
  const combining = ref(false)
  const combineError = ref<string | null>(null)
  let combineTicket = 0

  /** Runs one interpolation or arithmetic call; only the latest one's answer is kept. */
  async function combine<T>(call: () => Promise<T>, keep: (res: T) => void): Promise<void> {
    const mine = ++combineTicket
    combining.value = true
    combineError.value = null
    try {
      const res = await call()
      if (mine === combineTicket) keep(res)
    } catch (err) {
      if (mine === combineTicket) combineError.value = errorMessage(err)
    } finally {
      if (mine === combineTicket) combining.value = false
    }
  }

  function interpolate(req: ExplorerInterpolateRequest): Promise<void> {
    return combine(
      () => useLabApi().call('explorer:interpolate', req),
      (res) => {
        strips.value = { ...res, lerpSrc: `data:image/png;base64,${res.lerpPngBase64}`, slerpSrc: `data:image/png;base64,${res.slerpPngBase64}` }
      }
    )
  }

  function arithmetic(req: ExplorerArithmeticRequest): Promise<void> {
    return combine(
      () => useLabApi().call('explorer:arithmetic', req),
      (res) => {
        sum.value = { ...res, src: `data:image/png;base64,${res.pngBase64}` }
      }
    )
  }

  /** Forgets the interpolation and arithmetic images (the pins changed). */
  function clearCombined(): void {
    combineTicket++
    strips.value = null
    sum.value = null
    combining.value = false
    combineError.value = null
  }

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
    clearCombined()
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return {
    plane,
    rendering,
    progress,
    error,
    render,
    reset,
    stop,
    strips,
    sum,
    combining,
    combineError,
    interpolate,
    arithmetic,
    clearCombined
  }
})
