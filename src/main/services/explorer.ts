// The latent explorer: planes of a run's latent space (tiles for image runs, points for runs
// of points or rows), lerp/slerp strips and latent arithmetic, each answered by the run's
// generator worker (generator-pool.ts), which keeps its checkpoints loaded; rendered planes are
// cached in SQLite, the neighbouring epochs of an open run prefetched, and latent views saved.
import {
  explorerArithmeticSchema,
  explorerGridSchema,
  explorerInterpolateSchema,
  type ExplorerArithmeticResult,
  type ExplorerGridResult,
  type ExplorerInterpolateResult,
  type ExplorerScatterResult,
  type GridSampleLatent,
  type LabHandlers
} from '@shared/api'
import { PRESET_DATA_KINDS, type RunConfig } from '@shared/config'
import { outputColumns } from '@shared/datasets'
import { decodeWith } from '@shared/tabular-transform'
import { readRunTransform } from './row-sampling'
import { LabError, toErrorInfo } from '@shared/errors'
import type { ExploreRequest, TrainerEvent } from '@shared/trainer-protocol'
import { gridSample, latentSpread } from '../common/fixed-batch'
import { arithmetic, interpolationLatents, latentProblem, slerpAngle } from '../common/interpolate'
import { cellCoords, planeBase, planeCacheKey, planeCoordsOf, planeDirections, planeProblem, type PlaneSpec } from '../common/plane'
import { LatentCacheRepo, type CachedPlane } from '../db/repos/latent-cache'
import { LatentViewsRepo } from '../db/repos/latent-views'
import type { JobPriority, WorkerTicket } from '../trainer-host/generator-worker'
import { DEFAULT_GENERATOR_IDLE_MS, GeneratorPool, MAX_GENERATOR_WORKERS } from './generator-pool'
import type { LabContext } from './context'
import type { DatasetService } from './datasets'
import { parseOrThrow } from './validate'

/** What an explorer job asks the generator for. */
export type ExploreWhat = Pick<ExploreRequest, 'plane' | 'strips' | 'samples' | 'rowValues' | 'planeValues' | 'classLabel' | 'condition'>

export class ExplorerService {
  readonly latentViews: LatentViewsRepo
  private readonly cache: LatentCacheRepo
  /** Latent planes being rendered, by cache key: a second identical request joins the first. */
  private readonly rendering = new Map<string, { promise: Promise<CachedPlane>; promote(): void }>()
  private readonly pool: GeneratorPool
  /** Runs whose explorer is open in a view: their workers are started early and prefetch neighbouring epochs. */
  private readonly open = new Set<number>()

  /** `freeSlots`: the training slots no run uses now (the lab's concurrency setting less the runs training). */
  constructor(
    private readonly ctx: LabContext,
    private readonly datasets: DatasetService,
    freeSlots: () => number
  ) {
    this.latentViews = new LatentViewsRepo(ctx.db)
    this.cache = new LatentCacheRepo(ctx.db)
    this.pool = new GeneratorPool({
      launcher: ctx.opts.launcher,
      log: (level, line) => ctx.log(level, line),
      slots: () => Math.min(MAX_GENERATOR_WORKERS, freeSlots()),
      idleMs: ctx.opts.explorerIdleMs ?? DEFAULT_GENERATOR_IDLE_MS
    })
    ctx.subscribe((e) => {
      if (e.event === 'runs:deleted') this.closeRun(e.payload.id)
    })
  }

  readonly handlers = {
    'explorer:grid': (req) => this.grid(req),
    'explorer:scatter': (req) => this.scatter(req),
    'explorer:interpolate': (req) => this.interpolate(req),
    'explorer:arithmetic': (req) => this.arithmetic(req),
    'explorer:open': ({ id }) => this.openRun(id),
    'explorer:close': ({ id }) => this.closeRun(id),
    'explorer:sample': ({ id, index }) => this.sample(id, index),
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
    const key = planeKey(id, epoch, spec, label)

    const cached = this.cache.get(id, epoch, key)
    if (cached) {
      this.prefetchAround(id, config, epoch, spec, label)
      return { epoch, pngBase64: cached.png.toString('base64'), rows: cached.rows, cols: cached.cols, cached: true, coords, ...directions }
    }
    const result = await this.renderPlane(id, config, epoch, key, spec, label, 'now')
    this.prefetchAround(id, config, epoch, spec, label)
    return { epoch, pngBase64: result.png.toString('base64'), rows: result.rows, cols: result.cols, cached: false, coords, ...directions }
  }

  /** The plane from a rendering under way (moved ahead if it was a prefetch) or a new one, cached once drawn. */
  private renderPlane(id: number, config: RunConfig, epoch: number, key: string, spec: PlaneSpec, label: number | undefined, priority: JobPriority): Promise<CachedPlane> {
    const under = this.rendering.get(key)
    if (under) {
      if (priority === 'now') under.promote()
      return under.promise
    }
    const generatorDir = this.ctx.generatorDir(id, epoch)
    const ticket = this.submit(id, config, generatorDir, { plane: spec, ...classField(label) }, priority, (event) =>
      event.type === 'explored' ? { png: Buffer.from(event.pngBase64, 'base64'), rows: event.rows, cols: event.cols } : undefined
    )
    const promise = ticket
      .then((t) => t.promise)
      .then((result) => {
        if (this.ctx.runs.get(id)) this.cache.put(id, epoch, key, result)
        return result
      })
      .finally(() => this.rendering.delete(key))
    // A request for a plane being prefetched moves that job ahead of the other prefetches.
    this.rendering.set(key, { promise, promote: () => void ticket.then((t) => t.promote(), () => undefined) })
    return promise
  }

  /**
   * With the run's explorer open, the same plane at the epochs either side is rendered into
   * the cache while nothing else waits, so moving the scrubber one step answers at once.
   */
  private prefetchAround(id: number, config: RunConfig, epoch: number, spec: PlaneSpec, label: number | undefined): void {
    if (!this.open.has(id) || this.ctx.closed) return
    const epochs = this.ctx.metrics.epochs(id).filter((e) => e.checkpointDir).map((e) => e.epoch)
    const k = epochs.indexOf(epoch)
    for (const neighbour of [epochs[k + 1], epochs[k - 1]]) {
      if (k < 0 || neighbour === undefined) continue
      const key = planeKey(id, neighbour, spec, label)
      if (this.rendering.has(key) || this.cache.get(id, neighbour, key)) continue
      const failed = (err: unknown): void => this.ctx.log('warn', `Prefetching the plane of run ${id} at epoch ${neighbour} failed: ${toErrorInfo(err).message}`)
      try {
        this.renderPlane(id, config, neighbour, key, spec, label, 'prefetch').catch(failed)
      } catch (err) {
        failed(err)
      }
    }
  }

  /**
   * The run's view opened its explorer: start its generator worker and load the newest
   * checkpoint's generator now, so the first plane asked for skips both.
   */
  openRun(id: number): { id: number; warm: boolean } {
    const config = this.ctx.runs.requireConfig(id)
    this.open.add(id)
    if (!PRESET_DATA_KINDS[config.preset].includes('images')) return { id, warm: false }
    const latest = this.ctx.metrics.epochs(id).filter((e) => e.checkpointDir).at(-1)
    if (!latest || this.ctx.closed) return { id, warm: this.pool.has(id) }
    const generatorDir = this.ctx.generatorDir(id, latest.epoch)
    this.submit(id, config, generatorDir, { load: true }, 'prefetch', (event) => (event.type === 'explore-loaded' ? true : undefined))
      .then((t) => t.promise)
      .catch((err: unknown) => this.ctx.log('warn', `Warming the explorer of run ${id} failed: ${toErrorInfo(err).message}`))
    return { id, warm: true }
  }

  /** The latent vector (and class) of tile `index` of the run's epoch sample grids. */
  sample(id: number, index: number): GridSampleLatent {
    const config = this.ctx.runs.requireConfig(id)
    const found = gridSample(config.seed, config.latentDim, config.tricks.latent, this.runClasses(config), index)
    if (!found) {
      const count = gridSample(config.seed, config.latentDim, config.tricks.latent, this.runClasses(config), 0)?.count ?? 0
      throw new LabError('INVALID_REQUEST', `Invalid explorer:sample request: index: run ${id}'s sample grid has ${count} tiles (0-${count - 1})`)
    }
    return {
      index,
      latent: Array.from(found.latent),
      ...(found.classLabel === undefined ? {} : { classLabel: found.classLabel }),
      spread: latentSpread(config.tricks.latent),
      count: found.count
    }
  }

  /** Settles once the planes being rendered now (prefetches included) are done or failed. */
  async settled(): Promise<void> {
    while (this.rendering.size > 0) await Promise.allSettled([...this.rendering.values()].map((r) => r.promise))
  }

  /** The run's view closed its explorer: its generator worker ends. */
  closeRun(id: number): { id: number } {
    this.open.delete(id)
    this.pool.release(id)
    return { id }
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
    const transform = readRunTransform(this.ctx.runDir(id), columns)
    const condition = transform.kind === 'modes' ? transform.condition : undefined
    const { values, width } = await this.explore(id, config, generatorDir, { plane: spec, planeValues: true, ...(condition ? { condition } : {}) }, (event) =>
      event.type === 'explored-values' ? { values: Buffer.from(event.valuesBase64, 'base64'), width: event.width } : undefined
    )
    const floats = new Float32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))
    const n = spec.resolution
    const points: ExplorerScatterResult['points'] = []
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const row = decodeWith(transform, columns, floats, (r * n + c) * width)
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
    return { epoch, steps, lerpPngBase64: lerpPng.toString('base64'), slerpPngBase64: slerpPng.toString('base64'), slerp: slerpAngle(from, to) }
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

  /** Runs one job with a run's generator in its generator worker and waits for the answer; `result` picks it out of the events. */
  async explore<T>(runId: number, config: RunConfig, generatorDir: string, what: ExploreWhat, result: (event: TrainerEvent) => T | undefined): Promise<T> {
    return (await this.submit(runId, config, generatorDir, what, 'now', result)).promise
  }

  /** Ends the generator workers (the lab is closing). */
  close(): void {
    this.pool.close()
  }

  private async submit<T>(
    runId: number,
    config: RunConfig,
    generatorDir: string,
    what: ExploreWhat & { load?: boolean },
    priority: JobPriority,
    pick: (event: TrainerEvent) => T | undefined
  ): Promise<WorkerTicket<T>> {
    if (this.ctx.closed) throw new LabError('INTERNAL', 'The lab was closed before the plane was rendered.')
    return this.pool.run(runId, config.backend, {
      job: { generatorDir, latentDim: config.latentDim, ...what },
      priority,
      pick,
      onProgress: priority === 'now' ? (done, total) => this.ctx.emit('explorer:progress', { runId, done, total }) : undefined
    })
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

/** The cache key of a plane, with the class a conditional run's plane holds fixed. */
function planeKey(id: number, epoch: number, spec: PlaneSpec, label: number | undefined): string {
  return planeCacheKey(id, epoch, spec) + (label === undefined ? '' : `:class ${label}`)
}

function classField(classLabel: number | undefined): { classLabel?: number } {
  return classLabel === undefined ? {} : { classLabel }
}
