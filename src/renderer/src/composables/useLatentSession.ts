// The state the parts of one latent explorer share: the plane settings of the form, the pins, the
// run drawn beside, and the saved view open; with the intents that draw through the explorer store.
// LatentPlane creates it with provideLatentSession(props); its parts take it with useLatentSession().
// The plane starts centred on a sample of the run's epoch grid (the first, or the tile clicked),
// along two random directions spanning +-2 standard deviations of the latent distribution, at an
// odd resolution, so its centre tile is that sample.
import { computed, inject, onUnmounted, provide, ref, watch, type InjectionKey } from 'vue'
import { EXPLORER_MAX_RESOLUTION, LATENT_VIEW_FORMAT, LATENT_VIEW_VERSION, type ExplorerGridRequest, type GridSampleLatent, type SavedLatentView } from '@shared/api'
import { useExplorerStore } from '@renderer/stores/explorer'
import { cellValues, fittedReach, latentAt, planeKeyOf, PIN_LABELS, type Cell, type Pin } from '@renderer/components/latent/plane-geometry'

/** `classes`: the classes of a conditional run (0 for an unconditional one); its planes hold one class fixed. */
export interface LatentPlaneProps {
  runId: number
  epochs: number[]
  latentDim: number
  classes: number
}

export function createLatentSession(props: LatentPlaneProps) {
  const explorer = useExplorerStore()

  const epoch = ref<number | null>(props.epochs.at(-1) ?? null)
  const axisI = ref(0)
  const axisJ = ref(1)
  const min = ref(-2)
  const max = ref(2)
  const resolution = ref(11)
  /** Plane directions: latent axes i and j, two random orthonormal ones from a seed, or the plane through pins A, B, C. */
  const directions = ref<'axes' | 'random' | 'through'>('random')
  const seed = ref(1)
  /** The plane's base: the zero vector, the grid sample (SAMPLE_BASE), or a pinned point (its label). */
  const baseLabel = ref(SAMPLE_BASE)
  /** The sample of the run's epoch grid the plane is centred on (the first until a tile is clicked). */
  const sample = ref<GridSampleLatent | null>(null)
  /** The class a conditional run's generator is asked for over the whole plane. */
  const classLabel = ref(0)
  const pins = ref<Pin[]>([])
  const pinNote = ref<string | null>(null)
  /** Images per interpolation strip. */
  const steps = ref(8)
  /** The run whose same plane is drawn beside, if any. */
  const sideRunId = ref<number | null>(null)
  const viewName = ref('')
  const openViewId = ref<number | null>(null)

  watch(
    () => props.epochs,
    (list) => {
      if (epoch.value === null || !list.includes(epoch.value)) epoch.value = list.at(-1) ?? null
    }
  )
  /** Loads the latent vector of grid tile `index` as the plane's centre; false when refused (shown unless `quiet`). */
  async function loadSample(index: number, quiet = false): Promise<boolean> {
    const runId = props.runId
    const found = await explorer.sampleLatent(runId, index, quiet)
    if (!found || runId !== props.runId) return false
    sample.value = found
    return true
  }

  /**
   * Centres the plane on grid tile `index` (at `at`, or the nearest checkpoint epoch before it):
   * random directions over +-2 standard deviations of the latent distribution, an odd
   * resolution so the centre tile is the sample itself, the sample's class for a conditional run.
   */
  async function centreOn(index: number, at: number | null = null): Promise<void> {
    if (!(await loadSample(index)) || !sample.value) return
    const spread = sample.value.spread
    directions.value = 'random'
    baseLabel.value = SAMPLE_BASE
    min.value = -round2(2 * spread)
    max.value = round2(2 * spread)
    const n = Number(resolution.value)
    if (n % 2 === 0) resolution.value = n + 1 <= EXPLORER_MAX_RESOLUTION ? n + 1 : n - 1
    if (sample.value.classLabel !== undefined) classLabel.value = sample.value.classLabel
    if (at !== null) epoch.value = props.epochs.filter((e) => e <= at).at(-1) ?? props.epochs[0] ?? null
    render()
  }

  function openRun(runId: number): void {
    explorer.openRun(runId)
    sample.value = null
    // The default plane is centred on the first sample; without it, on the zero vector.
    void loadSample(0, true).then((ok) => {
      if (!ok && baseLabel.value === SAMPLE_BASE) baseLabel.value = 'zero'
    })
  }
  openRun(props.runId)
  onUnmounted(() => explorer.closeRun(props.runId))

  watch(
    () => props.runId,
    (runId, before) => {
      explorer.closeRun(before)
      explorer.reset()
      pins.value = []
      sideRunId.value = null
      openViewId.value = null
      baseLabel.value = SAMPLE_BASE
      openRun(runId)
    }
  )

  // A tile of this run's sample grid was clicked.
  watch(
    () => explorer.focus,
    (f) => {
      if (!f || f.runId !== props.runId) return
      // Taken: a later mount of this explorer does not centre on it again.
      explorer.focus = null
      void centreOn(f.index, f.epoch)
    },
    { immediate: true }
  )

  /** The plane shown, when it is of this run. */
  const plane = computed(() => (explorer.plane && explorer.plane.runId === props.runId ? explorer.plane : null))
  /** The request of the plane shown, when it is of this run. */
  const shownRequest = (): ExplorerGridRequest | null => (explorer.shown?.id === props.runId ? explorer.shown : null)
  /** Index in `epochs` of the epoch shown (or chosen, before any plane is drawn). */
  const shownIndex = computed(() => Math.max(0, props.epochs.indexOf(shownRequest()?.epoch ?? epoch.value ?? -1)))

  const classField = (): { classLabel: number } | Record<string, never> => (props.classes > 0 ? { classLabel: Number(classLabel.value) } : {})
  /** Strips and sums are drawn in the class of the plane their pins came from. */
  const classOfShown = (): { classLabel: number } | Record<string, never> =>
    props.classes > 0 ? { classLabel: shownRequest()?.classLabel ?? Number(classLabel.value) } : {}

  function renderSide(req: ExplorerGridRequest): void {
    if (sideRunId.value === null) explorer.clearSide()
    else void explorer.renderSide({ ...req, id: sideRunId.value }, props.latentDim)
  }

  function show(req: ExplorerGridRequest): void {
    void explorer.render(req)
    renderSide(req)
  }

  /** Draws the plane the form describes. */
  function render(): void {
    if (epoch.value === null) return
    const range = { min: Number(min.value), max: Number(max.value), resolution: Number(resolution.value) }
    if (directions.value === 'through') {
      if (pins.value.length < 3) return
      show({ id: props.runId, epoch: epoch.value, axisI: 0, axisJ: 1, ...range, through: pins.value.map((q) => [...q.latent]), ...classField() })
      return
    }
    const base = baseLabel.value === SAMPLE_BASE && sample.value ? { latent: sample.value.latent } : pins.value.find((q) => q.label === baseLabel.value)
    show({
      id: props.runId,
      epoch: epoch.value,
      axisI: Number(axisI.value),
      axisJ: Number(axisJ.value),
      ...range,
      ...(base ? { base: [...base.latent] } : {}),
      ...(directions.value === 'random' ? { seed: Number(seed.value) } : {}),
      ...classField()
    })
  }

  /** Widens the range symmetrically to hold A, B and C with a margin, and redraws. */
  function fitRange(): void {
    const points = plane.value?.points
    if (!points) return
    const m = fittedReach(points)
    min.value = -m
    max.value = m
    render()
  }

  /** Redraws the plane shown at the epoch of index k. */
  function scrubTo(k: number): void {
    const next = props.epochs[k]
    if (next === undefined) return
    epoch.value = next
    const req = shownRequest()
    if (req) show({ ...req, epoch: next })
    // Strips and A - B + C follow the scrubber, so what is drawn below is of the epoch shown.
    if (explorer.strips) interpolate(next)
    if (explorer.sum) combine(next)
  }

  function sweepEpochs(): void {
    const req = shownRequest()
    if (req) void explorer.renderEpochs(req, props.epochs)
  }

  /** Another run was picked to go beside the plane shown. */
  function pickSide(): void {
    const req = shownRequest()
    if (req) renderSide(req)
  }

  /** Pins a cell of the plane shown as the next of A, B, C. */
  function pinCell(cell: Cell): void {
    const p = plane.value
    if (!p) return
    if (pins.value.length >= PIN_LABELS.length) {
      pinNote.value = `At most ${PIN_LABELS.length} pins: clear them to pin other cells`
      return
    }
    pinNote.value = null
    const { x, y } = cellValues(p, cell)
    const latent = latentAt(p, props.latentDim, x, y)
    pins.value = [...pins.value, { label: PIN_LABELS[pins.value.length], ...cell, planeKey: planeKeyOf(p), latent }]
    explorer.clearCombined()
  }

  function clearPins(): void {
    pins.value = []
    baseLabel.value = sample.value ? SAMPLE_BASE : 'zero'
    if (directions.value === 'through') directions.value = 'axes'
    pinNote.value = null
    explorer.clearCombined()
  }

  function interpolate(at?: number): void {
    const p = plane.value
    const [a, b] = pins.value
    if (!p || !a || !b) return
    void explorer.interpolate({ id: props.runId, epoch: at ?? p.epoch, from: a.latent, to: b.latent, steps: Number(steps.value), ...classOfShown() })
  }

  function combine(at?: number): void {
    const p = plane.value
    const [a, b, c] = pins.value
    if (!p || !a || !b || !c) return
    void explorer.arithmetic({ id: props.runId, epoch: at ?? p.epoch, a: a.latent, b: b.latent, c: c.latent, ...classOfShown() })
  }

  /** What a saved view or a JSON export holds of the plane shown, or null when none of this run is shown. */
  function currentSettings() {
    const req = shownRequest()
    if (!req) return null
    return { format: LATENT_VIEW_FORMAT, version: LATENT_VIEW_VERSION, grid: req, ...(sideRunId.value !== null ? { compareRunId: sideRunId.value } : {}) } as const
  }

  /** Puts a saved view's plane into the form (and its points into the pins) and draws it. */
  function openView(view: SavedLatentView): void {
    const grid = view.settings.grid
    epoch.value = grid.epoch
    min.value = grid.min
    max.value = grid.max
    resolution.value = grid.resolution
    axisI.value = grid.axisI
    axisJ.value = grid.axisJ
    directions.value = grid.through ? 'through' : grid.seed !== undefined ? 'random' : 'axes'
    if (grid.seed !== undefined) seed.value = grid.seed
    if (grid.classLabel !== undefined) classLabel.value = grid.classLabel
    const points = grid.through ?? (grid.base ? [grid.base] : [])
    pins.value = points.map((latent, k) => ({ label: PIN_LABELS[k], planeKey: '', latent: [...latent] }))
    baseLabel.value = grid.base ? 'A' : 'zero'
    viewName.value = view.name
    explorer.clearCombined()
    sideRunId.value = view.settings.compareRunId ?? null
    show(grid)
  }

  return {
    props,
    // The form and the plane it draws.
    epoch, axisI, axisJ, min, max, resolution, directions, seed, baseLabel, classLabel, plane, render, fitRange,
    // The grid sample the plane is centred on.
    sample, centreOn,
    // Over epochs and beside another run.
    shownIndex, scrubTo, sweepEpochs, sideRunId, pickSide,
    // The pins and what they draw.
    pins, pinNote, steps, pinCell, clearPins, interpolate, combine,
    // Saved views.
    viewName, openViewId, currentSettings, openView
  }
}

export type LatentSession = ReturnType<typeof createLatentSession>

/** The base select's value for "the grid sample". */
export const SAMPLE_BASE = 'sample'

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

const sessionKey: InjectionKey<LatentSession> = Symbol('latent-session')

/** Creates the session of one explorer and hands it to the parts below. */
export function provideLatentSession(props: LatentPlaneProps): LatentSession {
  const session = createLatentSession(props)
  provide(sessionKey, session)
  return session
}

/** The session of the explorer this part sits in. */
export function useLatentSession(): LatentSession {
  const session = inject(sessionKey)
  if (!session) throw new Error('A part of the latent explorer was mounted outside LatentPlane')
  return session
}
