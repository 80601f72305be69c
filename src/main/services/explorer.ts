// The latent explorer: planes of a run's latent space (tiles for image runs, points for runs
// of points or rows), lerp/slerp strips and latent arithmetic, each rendered in a short-lived
// trainer process (at most MAX_EXPLORER_PROCESSES at once), with rendered planes cached in
// SQLite and saved latent views.
import {
  explorerArithmeticSchema,
  explorerGridSchema,
  explorerInterpolateSchema,
  type ExplorerArithmeticResult,
  type ExplorerGridResult,
  type ExplorerInterpolateResult,
  type ExplorerScatterResult,
  type LabHandlers
} from '@shared/api'
import { PRESET_DATA_KINDS, type RunConfig } from '@shared/config'
import { decodeRow, outputColumns } from '@shared/datasets'
import { LabError } from '@shared/errors'
import type { ExploreRequest, TrainerEvent } from '@shared/trainer-protocol'
import { arithmetic, interpolationLatents, latentProblem } from '../common/interpolate'
import { cellCoords, planeBase, planeCacheKey, planeCoordsOf, planeDirections, planeProblem, type PlaneSpec } from '../common/plane'
import { LatentCacheRepo, type CachedPlane } from '../db/repos/latent-cache'
import { LatentViewsRepo } from '../db/repos/latent-views'
import type { TrainerChannel, TrainerLauncher } from '../trainer-host/channel'
import { runTrainerTask } from '../trainer-host/task'
import type { LabContext } from './context'
import type { DatasetService } from './datasets'
import { parseOrThrow } from './validate'

/**
 * At most this many explorer processes run at once; further renderings wait their turn, so
 * scrubbing quickly through many epochs cannot start a process per epoch all together.
 */
export const MAX_EXPLORER_PROCESSES = 2
/** How long a killed explorer process may take to report its exit before its slot is freed anyway. */
const EXPLORER_EXIT_GRACE_MS = 5_000

/** What an explorer process is asked to generate. */
export type ExploreWhat = Pick<ExploreRequest, 'plane' | 'strips' | 'samples' | 'planeValues'>

/** Slots for explorer processes: a taken slot is handed straight to the next waiter when freed. */
class ProcessLimiter {
  private taken = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly max: number) {}

  take(): Promise<void> {
    if (this.taken < this.max) {
      this.taken++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.taken--
  }
}

export class ExplorerService {
  readonly latentViews: LatentViewsRepo
  private readonly cache: LatentCacheRepo
  /** Latent planes being rendered, by cache key: a second identical request joins the first. */
  private readonly rendering = new Map<string, Promise<CachedPlane>>()
  private readonly running = new Set<TrainerChannel>()
  private readonly limiter = new ProcessLimiter(MAX_EXPLORER_PROCESSES)

  constructor(
    private readonly ctx: LabContext,
    private readonly datasets: DatasetService
  ) {
    this.latentViews = new LatentViewsRepo(ctx.db)
    this.cache = new LatentCacheRepo(ctx.db)
  }

  readonly handlers = {
    'explorer:grid': (req) => this.grid(req),
    'explorer:scatter': (req) => this.scatter(req),
    'explorer:interpolate': (req) => this.interpolate(req),
    'explorer:arithmetic': (req) => this.arithmetic(req),
    'latent-views:list': () => this.latentViews.list(),
    'latent-views:save': ({ name, settings }) => {
      for (const id of [settings.grid.id, settings.compareRunId]) {
        if (id !== undefined) this.ctx.runs.require(id)
      }
      return this.latentViews.save(name, settings)
    },
    'latent-views:delete': ({ id }) => {
      if (!this.latentViews.delete(id)) throw new LabError('NOT_FOUND', `Latent view ${id} does not exist`)
      return { id }
    }
  } satisfies Partial<LabHandlers>

  /**
   * Renders (or takes from the cache) an n x n plane of the latent space of one run's
   * checkpoint. The rendering runs in a trainer process, so this process stays responsive.
   */
  async grid(input: unknown): Promise<ExplorerGridResult> {
    const { id, epoch, classLabel, ...plane } = parseOrThrow(explorerGridSchema, input, 'Invalid explorer:grid request')
    const spec: PlaneSpec = plane
    const config = this.ctx.runs.requireConfig(id)
    const problem = planeProblem(spec, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:grid request: ${problem}`)
    const label = this.classOf(id, config, classLabel, 'explorer:grid')
    const coords: ExplorerGridResult['coords'] = { min: spec.min, max: spec.max, resolution: spec.resolution, axisI: spec.axisI, axisJ: spec.axisJ }
    const base = planeBase(spec)
    if (base) coords.base = base
    if (spec.seed !== undefined) coords.seed = spec.seed
    if (spec.through) coords.through = true
    const [u, v] = planeDirections(spec, config.latentDim)
    const directions = {
      ...(spec.seed !== undefined || spec.through ? { directions: { u: Array.from(u), v: Array.from(v) } } : {}),
      ...(spec.through ? { points: spec.through.map((p) => planeCoordsOf(p, base, [u, v])) } : {})
    }
    const key = planeCacheKey(id, epoch, spec) + (label === undefined ? '' : `:class ${label}`)

    const cached = this.cache.get(id, epoch, key)
    if (cached) return { epoch, pngBase64: cached.png.toString('base64'), rows: cached.rows, cols: cached.cols, cached: true, coords, ...directions }

    const generatorDir = this.ctx.generatorDir(id, epoch)

    let pending = this.rendering.get(key)
    if (!pending) {
      pending = this.explore(id, config, generatorDir, { plane: spec, ...classField(label) }, (event) =>
        event.type === 'explored' ? { png: Buffer.from(event.pngBase64, 'base64'), rows: event.rows, cols: event.cols } : undefined
      ).finally(() => this.rendering.delete(key))
      this.rendering.set(key, pending)
    }
    const result = await pending
    if (this.ctx.runs.get(id)) this.cache.put(id, epoch, key, result)
    return { epoch, pngBase64: result.png.toString('base64'), rows: result.rows, cols: result.cols, cached: false, coords, ...directions }
  }

  /**
   * The latent plane of a run of points or table rows: each cell's generated point (decoded to
   * data units, the first two numeric columns) with its plane coordinates, over the real points
   * stored with that epoch's samples. Generated in a trainer process like the image planes.
   */
  async scatter(input: unknown): Promise<ExplorerScatterResult> {
    const { id, epoch, classLabel, ...plane } = parseOrThrow(explorerGridSchema, input, 'Invalid explorer:scatter request')
    const spec: PlaneSpec = plane
    const config = this.ctx.runs.requireConfig(id)
    // Runs of points or rows are never conditional: a class is refused, not silently dropped.
    this.classOf(id, config, classLabel, 'explorer:scatter')
    if (PRESET_DATA_KINDS[config.preset].includes('images')) {
      throw new LabError('INVALID_REQUEST', `Run ${id} generates images: its plane is drawn as tiles (explorer:grid), not as points`)
    }
    const problem = planeProblem(spec, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:scatter request: ${problem}`)
    const columns = this.datasets.get(config.dataset)?.columns
    if (!columns) throw new LabError('NOT_FOUND', `The data set of run ${id} (${String(config.dataset)}) is gone, so its outputs cannot be decoded`)
    const out = outputColumns(columns)
    const numeric = out.map((c, i) => (c.type === 'numeric' || c.type === 'integer' ? i : -1)).filter((i) => i >= 0)
    if (numeric.length < 2) {
      throw new LabError('INVALID_REQUEST', `The data of run ${id} has ${numeric.length} numeric column${numeric.length === 1 ? '' : 's'}; a scatter needs two`)
    }
    const [xi, yi] = numeric
    const generatorDir = this.ctx.generatorDir(id, epoch, false)
    const { values, width } = await this.explore(id, config, generatorDir, { plane: spec, planeValues: true }, (event) =>
      event.type === 'explored-values' ? { values: Buffer.from(event.valuesBase64, 'base64'), width: event.width } : undefined
    )
    const floats = new Float32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))
    const n = spec.resolution
    const points: ExplorerScatterResult['points'] = []
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const row = decodeRow(columns, floats, (r * n + c) * width)
        const { x: u, y: v } = cellCoords(spec, r, c)
        points.push([Number(row[xi]), Number(row[yi]), u, v])
      }
    }
    const stored = this.ctx.metrics.samples(id, epoch)
    const realRows: (number | string)[][] = stored ? (stored.kind === 'points' ? stored.real : (stored.real ?? [])) : []
    const real = realRows.map((row): [number, number] => [Number(row[xi]), Number(row[yi])]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    return { epoch, columns: [out[xi].name, out[yi].name], points, real, coords: { min: spec.min, max: spec.max, resolution: n } }
  }

  /** Lerp and slerp strips between two latent vectors, rendered in a trainer process. */
  async interpolate(input: unknown): Promise<ExplorerInterpolateResult> {
    const { id, epoch, from, to, steps, classLabel } = parseOrThrow(explorerInterpolateSchema, input, 'Invalid explorer:interpolate request')
    const config = this.ctx.runs.requireConfig(id)
    const problem = latentProblem('from', from, config.latentDim) ?? latentProblem('to', to, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:interpolate request: ${problem}`)
    const label = this.classOf(id, config, classLabel, 'explorer:interpolate')
    const generatorDir = this.ctx.generatorDir(id, epoch)
    const strips = [Array.from(interpolationLatents(from, to, steps, 'lerp')), Array.from(interpolationLatents(from, to, steps, 'slerp'))]
    const [lerpPng, slerpPng] = await this.renderStrips(id, config, generatorDir, strips, label)
    return { epoch, steps, lerpPngBase64: lerpPng.toString('base64'), slerpPngBase64: slerpPng.toString('base64') }
  }

  /** The image of a - b + c. */
  async arithmetic(input: unknown): Promise<ExplorerArithmeticResult> {
    const { id, epoch, a, b, c, classLabel } = parseOrThrow(explorerArithmeticSchema, input, 'Invalid explorer:arithmetic request')
    const config = this.ctx.runs.requireConfig(id)
    const problem = latentProblem('a', a, config.latentDim) ?? latentProblem('b', b, config.latentDim) ?? latentProblem('c', c, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:arithmetic request: ${problem}`)
    const label = this.classOf(id, config, classLabel, 'explorer:arithmetic')
    const generatorDir = this.ctx.generatorDir(id, epoch)
    const latent = Array.from(arithmetic(a, b, c))
    const [png] = await this.renderStrips(id, config, generatorDir, [latent], label)
    return { epoch, latent, pngBase64: png.toString('base64') }
  }

  /** The classes a run is conditioned on (0 for an unconditional run): its data set's. */
  runClasses(config: RunConfig): number {
    if (!config.conditional) return 0
    return this.datasets.get(config.dataset)?.classes ?? 0
  }

  /**
   * Runs one job with a run's generator in an explorer process, once one of the
   * MAX_EXPLORER_PROCESSES slots is free; `result` picks the answer out of the events.
   */
  async explore<T>(runId: number, config: RunConfig, generatorDir: string, what: ExploreWhat, result: (event: TrainerEvent) => T | undefined): Promise<T> {
    await this.limiter.take()
    // The slot is freed once the process has exited (or, should no exit be reported, a while
    // after it was killed), not merely when its answer came.
    let freed = false
    const free = (): void => {
      if (freed) return
      freed = true
      this.limiter.release()
    }
    if (this.ctx.closed) {
      free()
      throw new LabError('INTERNAL', 'The lab was closed before the plane was rendered.')
    }
    const launcher: TrainerLauncher = (label) => {
      const channel = this.ctx.opts.launcher(label)
      channel.onExit(free)
      return channel
    }
    try {
      return await runTrainerTask(
        launcher,
        `gan-trainer explore ${runId}`,
        { type: 'explore', backend: config.backend, generatorDir, latentDim: config.latentDim, ...what },
        'Rendering with the generator',
        {
          running: this.running,
          log: (level, line) => this.ctx.log(level, line),
          onEvent: (event) => {
            if (event.type !== 'explore-progress') return result(event)
            this.ctx.emit('explorer:progress', { runId, done: event.done, total: event.total })
            return undefined
          },
          failure: (event) => (event.type === 'explore-failed' ? event.message : undefined),
          exitMessage: (reason) => `The rendering process ${reason} before it finished.`
        }
      )
    } finally {
      setTimeout(free, EXPLORER_EXIT_GRACE_MS).unref()
    }
  }

  /** Ends the explorer processes under way (the lab is closing). */
  close(): void {
    for (const channel of this.running) channel.kill()
    this.running.clear()
  }

  private renderStrips(runId: number, config: RunConfig, generatorDir: string, strips: number[][], classLabel?: number): Promise<Buffer[]> {
    return this.explore(runId, config, generatorDir, { strips, ...classField(classLabel) }, (event) =>
      event.type === 'explored-strips' ? event.pngsBase64.map((p) => Buffer.from(p, 'base64')) : undefined
    )
  }

  /**
   * The class an explorer request holds fixed: required for a conditional run (0 to classes - 1),
   * refused for an unconditional one. Returns undefined for an unconditional run.
   */
  private classOf(id: number, config: RunConfig, classLabel: number | undefined, what: string): number | undefined {
    const classes = this.runClasses(config)
    if (classes === 0) {
      if (classLabel !== undefined) throw new LabError('INVALID_REQUEST', `Invalid ${what} request: classLabel: run ${id} is not conditional, so it takes no class`)
      return undefined
    }
    if (classLabel === undefined) {
      throw new LabError('INVALID_REQUEST', `Invalid ${what} request: classLabel: run ${id} is conditional: say which class (0-${classes - 1}) to hold fixed`)
    }
    if (classLabel >= classes) throw new LabError('INVALID_REQUEST', `Invalid ${what} request: classLabel: must be 0-${classes - 1} (run ${id} has ${classes} classes)`)
    return classLabel
  }
}

function classField(classLabel: number | undefined): { classLabel?: number } {
  return classLabel === undefined ? {} : { classLabel }
}
