// The lab's back end, composed: the data folder's lock, the database and one service per
// domain (runs and their queue, sweeps, the explorer, evaluation, data sets, exports), whose
// handler tables together answer every channel. Electron's main process, the lab server and
// the CLI each create one Lab and differ only in how trainers are launched and how events
// reach the renderer.
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type {
  EventEnvelope,
  ExplorerArithmeticResult,
  ExplorerGridResult,
  ExplorerInterpolateResult,
  ExplorerScatterResult,
  GeneratorExport,
  LabHandlers,
  LabSettings,
  RunDetail,
  RunSummary,
  SweepCreated
} from '@shared/api'
import { PRESETS, type RunConfig, type RunConfigInput } from '@shared/config'
import type { EpochSamples } from '@shared/datasets'
import { DB_FILE, openDatabase } from '../db/connection'
import type { ComparisonsRepo } from '../db/repos/comparisons'
import type { LatentViewsRepo } from '../db/repos/latent-views'
import { MetricsRepo } from '../db/repos/metrics'
import { RunsRepo } from '../db/repos/runs'
import type { SettingsRepo } from '../db/repos/sweeps'
import { acquireDataLock, describeHolder } from '../data-lock'
import { LabContext, type LabOptions } from './context'
import { DatasetService } from './datasets'
import { EvaluationService } from './evaluation'
import { TimingService } from './timing'
import { ExplorerService } from './explorer'
import { ExportService } from './exports'
import { composeHandlers, guardWrites } from './handlers'
import { Preflight } from './preflight'
import { RunService } from './runs'
import { SlurmExecutor } from './slurm/executor'
import { SweepService } from './sweeps'

export type { LabOptions } from './context'
export { MAX_GENERATOR_WORKERS } from './generator-pool'

export class Lab {
  readonly db: Database
  readonly runs: RunsRepo
  readonly metrics: MetricsRepo
  readonly datasets: DatasetService
  readonly evaluation: EvaluationService
  /** Step times for the new-run form's duration estimate. */
  readonly timing: TimingService
  readonly runService: RunService
  readonly sweeps: SweepService
  /** Sweeps on a Slurm cluster: submitted, followed and imported (slurm/). */
  readonly slurm: SlurmExecutor
  readonly explorer: ExplorerService
  readonly exports: ExportService
  readonly handlers: LabHandlers
  private readonly ctx: LabContext

  constructor(opts: LabOptions) {
    const lock = opts.access === 'shared' ? null : acquireDataLock(opts.dataDir, opts.program ?? 'a GAN Workbench program')
    try {
      this.db = openDatabase(join(opts.dataDir, DB_FILE))
    } catch (err) {
      lock?.release()
      throw err
    }
    this.runs = new RunsRepo(this.db)
    this.metrics = new MetricsRepo(this.db)
    const ctx = (this.ctx = new LabContext(opts, this.db, this.runs, this.metrics, lock))
    this.datasets = new DatasetService(this.db, opts.dataDir, opts.chooseFiles, (action, fn) => ctx.writing(action, fn))
    this.evaluation = new EvaluationService({
      db: this.db,
      runs: this.runs,
      metrics: this.metrics,
      dataDir: opts.dataDir,
      launcher: opts.launcher,
      mnistDir: opts.mnistDir,
      emit: (event, payload) => ctx.emit(event, payload),
      log: (level, message) => ctx.log(level, message),
      generatorDir: (runId, epoch) => ctx.generatorDir(runId, epoch),
      isActive: (runId) => this.runService.isActive(runId),
      stopRun: (runId, reason) => this.runService.stopFor(runId, reason),
      acquireWrite: (action) => ctx.acquireWrite(action)
    })
    this.timing = new TimingService({
      db: this.db,
      dataDir: opts.dataDir,
      launcher: opts.launcher,
      mnistDir: opts.mnistDir,
      dataSpec: (config) => this.datasets.resolve(config),
      log: (level, message) => ctx.log(level, message)
    })
    const preflight = new Preflight(ctx, this.datasets, this.evaluation)
    this.runService = new RunService(ctx, preflight, this.evaluation)
    this.slurm = new SlurmExecutor(ctx, { settle: (id) => this.runService.settle(id), refresh: (id) => this.evaluation.refresh(id) })
    this.runService.external = this.slurm
    this.sweeps = new SweepService(ctx, preflight, this.runService, this.slurm)
    // Generator workers take the training slots no run uses (and one when all are in use).
    this.explorer = new ExplorerService(ctx, this.datasets, () => this.settings.get().maxConcurrentRuns - this.runService.trainingCount())
    this.exports = new ExportService(ctx, this.datasets, this.evaluation, this.explorer)
    const composed = composeHandlers([
      {
        'app:info': () => ({ version: opts.version, dataDir: opts.dataDir, transport: opts.transport }),
        'presets:list': () => Object.values(PRESETS)
      },
      this.runService.handlers,
      this.runService.queue.handlers,
      this.sweeps.handlers,
      this.evaluation.handlers,
      this.explorer.handlers,
      this.datasets.handlers,
      this.exports.handlers,
      { 'timing:estimate': ({ config }) => this.timing.estimate(config) }
    ])
    this.handlers = guardWrites(composed, (action, fn) => ctx.writing(action, fn))
    if (!lock) return
    if (lock.tookOverFrom) ctx.log('warn', `Took over the data folder from ${describeHolder(lock.tookOverFrom)}, which is no longer running`)
    this.runService.recover()
    this.slurm.recover()
  }

  get settings(): SettingsRepo {
    return this.runService.queue.settings
  }

  get comparisons(): ComparisonsRepo {
    return this.runService.comparisons
  }

  get latentViews(): LatentViewsRepo {
    return this.explorer.latentViews
  }

  subscribe(listener: (e: EventEnvelope) => void): () => void {
    return this.ctx.subscribe(listener)
  }

  runDir(id: number): string {
    return this.ctx.runDir(id)
  }

  // The run lifecycle (runs.ts, queue.ts, sweeps.ts).
  startRun(input: RunConfigInput): RunSummary {
    return this.runService.startRun(input)
  }
  startPair(configs: [RunConfig, RunConfig]): [RunSummary, RunSummary] {
    return this.sweeps.startPair(configs)
  }
  createSweep(input: unknown): SweepCreated {
    return this.sweeps.createSweep(input)
  }
  resumeRun(id: number, epochs?: number): RunSummary {
    return this.runService.resumeRun(id, epochs)
  }
  stopRun(id: number): RunSummary {
    return this.runService.stopRun(id)
  }
  deleteRun(id: number): { id: number } {
    return this.runService.deleteRun(id)
  }
  updateRun(input: unknown): RunSummary {
    return this.runService.updateRun(input)
  }
  detail(id: number): RunDetail {
    return this.runService.detail(id)
  }
  waitForEnd(id: number): Promise<RunSummary> {
    return this.runService.waitForEnd(id)
  }
  setSettings(patch: Partial<LabSettings>): LabSettings {
    return this.runService.queue.setSettings(patch)
  }

  // The latent explorer (explorer.ts).
  explorerGrid(input: unknown): Promise<ExplorerGridResult> {
    return this.explorer.grid(input)
  }
  explorerScatter(input: unknown): Promise<ExplorerScatterResult> {
    return this.explorer.scatter(input)
  }
  explorerInterpolate(input: unknown): Promise<ExplorerInterpolateResult> {
    return this.explorer.interpolate(input)
  }
  explorerArithmetic(input: unknown): Promise<ExplorerArithmeticResult> {
    return this.explorer.arithmetic(input)
  }

  // Exports and imports (exports.ts).
  samples(id: number, epoch: number): EpochSamples {
    return this.exports.samples(id, epoch)
  }
  importBundle(bytes: Uint8Array): { run: RunSummary; warnings: string[] } {
    return this.exports.importBundle(bytes)
  }
  exportGenerator(req: { id: number; epoch: number; samples: number; seed?: number }): Promise<GeneratorExport> {
    return this.exports.exportGenerator(req)
  }

  close(): void {
    this.ctx.closed = true
    this.slurm.close()
    this.explorer.close()
    this.evaluation.close()
    this.timing.close()
    this.runService.close()
    this.db.close()
    this.ctx.lock?.release()
  }
}
