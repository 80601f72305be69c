// The latent space explorer: one rendered plane at a time, its progress while the back end
// draws it, and the error when it refuses. Progress events of other runs are ignored.
// Also: the same plane of a second run beside it, a sweep that renders the plane at every
// checkpoint epoch (so the scrubber then answers from the cache), and saved latent views.
// A run view opens and closes its run's explorer (the back end keeps a generator warm
// meanwhile); a click on a sample-grid tile asks the explorer to centre on that sample.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type {
  ExplorerArithmeticRequest,
  ExplorerArithmeticResult,
  ExplorerGridRequest,
  ExplorerGridResult,
  ExplorerInterpolateRequest,
  ExplorerInterpolateResult,
  GridSampleLatent,
  LatentViewSettings,
  SavedLatentView
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

  /** A sample-grid tile to centre the explorer on: set by the run view, taken by the explorer of that run. */
  const focus = ref<{ runId: number; index: number; epoch: number | null; nonce: number } | null>(null)
  let focusNonce = 0

  function focusSample(runId: number, index: number, epoch: number | null): void {
    focus.value = { runId, index, epoch, nonce: ++focusNonce }
  }

  /** The latent vector of tile `index` of the run's sample grids, or null when refused (the error shown unless `quiet`). */
  async function sampleLatent(runId: number, index: number, quiet = false): Promise<GridSampleLatent | null> {
    try {
      return await useLabApi().call('explorer:sample', { id: runId, index })
    } catch (err) {
      if (!quiet) error.value = `Could not find the latent vector of sample ${index}: ${errorMessage(err)}`
      return null
    }
  }

  /** The run's explorer is open (shown) or closed: the back end keeps its generator warm in between. */
  function openRun(runId: number): void {
    useLabApi()
      .call('explorer:open', { id: runId })
      .catch(() => undefined)
  }

  function closeRun(runId: number): void {
    useLabApi()
      .call('explorer:close', { id: runId })
      .catch(() => undefined)
  }

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

  const side = ref<PlaneImage | null>(null)
  const sideRendering = ref(false)
  const sideError = ref<string | null>(null)
  let sideTicket = 0
  /** The request of the plane shown (what a view saves and the scrubber redraws). */
  const shown = ref<ExplorerGridRequest | null>(null)
  const sweep = ref<{ done: number; total: number; epoch: number } | null>(null)
  const sweepError = ref<string | null>(null)
  let sweepTicket = 0
  const views = ref<SavedLatentView[]>([])
  const viewsError = ref<string | null>(null)

  const toImage = (req: ExplorerGridRequest, res: ExplorerGridResult): PlaneImage => ({ ...res, runId: req.id, src: `data:image/png;base64,${res.pngBase64}` })

  /** The same plane of another run, drawn beside the first; refused when the latent sizes differ. */
  async function renderSide(req: ExplorerGridRequest, latentDim: number): Promise<void> {
    const mine = ++sideTicket
    sideRendering.value = true
    sideError.value = null
    try {
      const other = await useLabApi().call('runs:get', { id: req.id })
      if (other.config.latentDim !== latentDim) {
        throw new Error(`its latent size is ${other.config.latentDim} but this run's is ${latentDim}, so the same plane would not hold the same points`)
      }
      // The other run draws the same class when it is conditional too, and no class when it is not.
      const { classLabel, ...plain } = req
      const sideReq: ExplorerGridRequest = other.config.conditional ? { ...plain, classLabel: classLabel ?? 0 } : plain
      const res = await useLabApi().call('explorer:grid', sideReq)
      if (mine === sideTicket) side.value = toImage(sideReq, res)
    } catch (err) {
      if (mine === sideTicket) {
        side.value = null
        sideError.value = `Run ${req.id}: ${errorMessage(err)}`
      }
    } finally {
      if (mine === sideTicket) sideRendering.value = false
    }
  }

  function clearSide(): void {
    sideTicket++
    side.value = null
    sideRendering.value = false
    sideError.value = null
  }

  /**
   * Renders the plane of `req` at each epoch in turn (one trainer process at a time, so the
   * machine stays usable); afterwards every epoch comes from the cache. Returns when done or
   * when another sweep or a reset replaced it.
   */
  async function renderEpochs(req: ExplorerGridRequest, epochs: number[]): Promise<void> {
    const mine = ++sweepTicket
    sweepError.value = null
    for (const [k, epoch] of epochs.entries()) {
      if (mine !== sweepTicket) return
      sweep.value = { done: k, total: epochs.length, epoch }
      try {
        await useLabApi().call('explorer:grid', { ...req, epoch })
      } catch (err) {
        if (mine === sweepTicket) sweepError.value = `Epoch ${epoch}: ${errorMessage(err)}`
        break
      }
    }
    if (mine === sweepTicket) sweep.value = null
  }

  function cancelSweep(): void {
    sweepTicket++
    sweep.value = null
  }

  async function loadViews(): Promise<void> {
    try {
      views.value = await useLabApi().call('latent-views:list', undefined)
      viewsError.value = null
    } catch (err) {
      viewsError.value = `Could not load saved views: ${errorMessage(err)}`
    }
  }

  async function saveView(name: string, settings: LatentViewSettings): Promise<SavedLatentView | null> {
    try {
      const saved = await useLabApi().call('latent-views:save', { name, settings })
      views.value = [saved, ...views.value.filter((v) => v.id !== saved.id)]
      viewsError.value = null
      return saved
    } catch (err) {
      viewsError.value = `Could not save the view: ${errorMessage(err)}`
      return null
    }
  }

  async function deleteView(id: number): Promise<void> {
    try {
      await useLabApi().call('latent-views:delete', { id })
      views.value = views.value.filter((v) => v.id !== id)
    } catch (err) {
      viewsError.value = `Could not delete the view: ${errorMessage(err)}`
    }
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
      plane.value = toImage(req, res)
      shown.value = req
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
    shown.value = null
    clearCombined()
    clearSide()
    cancelSweep()
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return {
    focus,
    focusSample,
    sampleLatent,
    openRun,
    closeRun,
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
    clearCombined,
    shown,
    side,
    sideRendering,
    sideError,
    renderSide,
    clearSide,
    sweep,
    sweepError,
    renderEpochs,
    cancelSweep,
    views,
    viewsError,
    loadViews,
    saveView,
    deleteView
  }
})
