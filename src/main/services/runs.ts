// The run lifecycle: create, start (through the queue), stop, delete and resume runs, keep
// the trainer process of each active run, and fold its events into SQLite (steps, epochs,
// backend, status) and onto the event stream. Saved comparisons of runs live here too.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { runUpdateSchema, type LabHandlers, type RunDetail, type RunSummary } from '@shared/api'
import { runConfigSchema, type RunConfig, type RunConfigInput } from '@shared/config'
import { LabError } from '@shared/errors'
import { ACTIVE_STATUSES, type ProgressInfo, type RunStatus, type StartRequest, type TrainerEvent } from '@shared/trainer-protocol'
import { ComparisonsRepo } from '../db/repos/comparisons'
import { describeStorageError } from '../db/storage-error'
import type { TrainerChannel } from '../trainer-host/channel'
import type { LabContext } from './context'
import type { EvaluationService } from './evaluation'
import type { Preflight } from './preflight'
import { RunQueue } from './queue'
import { parseOrThrow } from './validate'

interface ActiveRun {
  channel: TrainerChannel
  progress: ProgressInfo | null
  finished: boolean
  stopTimer: NodeJS.Timeout | null
}

type Waiter = (summary: RunSummary) => void

/** Runs that train elsewhere (a Slurm cluster): their stop, resume and delete go to their executor. */
export interface ExternalRuns {
  owns(id: number): boolean
  ownedRunIds(): number[]
  stop(id: number): RunSummary
  resume(id: number, epochs?: number): RunSummary
  /** The run is being deleted. */
  forget(id: number): void
}

/** The files a checkpoint needs for a run to resume from it. */
const RESUME_FILES = ['generator/model.json', 'discriminator/model.json', 'optimizer/d.json', 'optimizer/g.json']

export class RunService {
  readonly comparisons: ComparisonsRepo
  readonly queue: RunQueue
  /** Why a run is being stopped by the lab itself (early stop), put before the trainer's own message. */
  private readonly stopReasons = new Map<number, string>()
  private readonly active = new Map<number, ActiveRun>()
  private readonly waiters = new Map<number, Waiter[]>()
  /** Set by the lab when an executor for runs elsewhere exists. */
  external: ExternalRuns | null = null

  constructor(
    private readonly ctx: LabContext,
    private readonly preflight: Preflight,
    private readonly evaluation: EvaluationService
  ) {
    this.comparisons = new ComparisonsRepo(ctx.db)
    this.queue = new RunQueue(ctx, {
      trainingCount: () => this.trainingCount(),
      launch: (id, request) => this.launch(id, request),
      settle: (id) => this.settle(id)
    })
  }

  readonly handlers = {
    'runs:list': () => this.ctx.runs.list(),
    'runs:get': ({ id }) => this.detail(id),
    'runs:create': ({ config }) => this.startRun(config),
    'runs:stop': ({ id }) => this.stopRun(id),
    'runs:resume': ({ id, epochs }) => this.resumeRun(id, epochs),
    'runs:delete': ({ id }) => this.deleteRun(id),
    'runs:update': (req) => this.updateRun(req),
    'runs:metrics': ({ id, afterStep }) => {
      this.ctx.runs.require(id)
      return this.ctx.metrics.series(id, afterStep)
    },
    'runs:grid': ({ id, epoch }) => {
      this.ctx.runs.require(id)
      const grid = this.ctx.metrics.grid(id, epoch)
      if (!grid) throw new LabError('NOT_FOUND', `Run ${id} has no sample grid for epoch ${epoch}`)
      return { epoch, pngBase64: grid.png.toString('base64'), rows: grid.rows, cols: grid.cols }
    },
    'runs:field': ({ id, epoch }) => {
      this.ctx.runs.require(id)
      const field = this.ctx.metrics.field(id, epoch)
      if (!field) throw new LabError('NOT_FOUND', `Run ${id} has no field of D and G for epoch ${epoch} (only runs of 1D/2D points have one)`)
      return field
    },
    'comparisons:list': () => this.comparisons.list(),
    'comparisons:save': ({ name, runIds, settings }) => {
      const missing = runIds.filter((id) => !this.ctx.runs.get(id))
      if (missing.length > 0) {
        throw new LabError('NOT_FOUND', `Cannot save the comparison: run${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`)
      }
      return this.comparisons.save(name, runIds, settings)
    },
    'comparisons:delete': ({ id }) => {
      if (!this.comparisons.delete(id)) throw new LabError('NOT_FOUND', `Comparison ${id} does not exist`)
      return { id }
    }
  } satisfies Partial<LabHandlers>

  /**
   * After taking the data folder's lock: runs still waiting for a slot when the lab closed
   * wait again; those that were training crashed.
   */
  recover(): void {
    // Runs out on a cluster go on without the lab; their executor follows them again.
    const elsewhere = new Set(this.external?.ownedRunIds() ?? [])
    const waiting = this.ctx.runs.neverStarted().filter((id) => !elsewhere.has(id))
    const interrupted = this.ctx.runs.markInterrupted('The lab stopped while this run was training; its last checkpoint is kept.', Date.now(), [...waiting, ...elsewhere])
    if (interrupted.length > 0) this.ctx.log('warn', `Marked interrupted runs as crashed: ${interrupted.join(', ')}`)
    for (const id of waiting) this.queue.add(id, () => this.preflight.startRequest(id, this.ctx.runs.requireConfig(id)))
    if (waiting.length > 0) this.ctx.log('info', `Runs still queued: ${waiting.join(', ')}`)
    this.queue.pump()
  }

  /**
   * Validates a config, records the run and starts its trainer process, or queues it when
   * settings.maxConcurrentRuns runs are training already (it starts when one ends).
   */
  startRun(input: RunConfigInput): RunSummary {
    this.ctx.requireWriter('start a run')
    const config: RunConfig = parseOrThrow(runConfigSchema, input, 'Invalid run config', { code: 'INVALID_CONFIG' })
    // Everything a start needs is checked before the run is recorded.
    const warning = this.preflight.checkStartable(config)
    const id = this.ctx.runs.create(config)
    if (warning) {
      this.ctx.log('warn', `Run ${id}: ${warning}`)
      this.ctx.emit('trainer:log', { runId: id, level: 'warn', message: warning })
    }
    return this.queue.schedule(id, () => this.preflight.startRequest(id, config))
  }

  /** Renames a run or sets its notes and tags (validated here too, for callers other than dispatch). */
  updateRun(input: unknown): RunSummary {
    const { id, ...patch } = parseOrThrow(runUpdateSchema, input, 'Invalid runs:update request')
    this.ctx.runs.require(id)
    this.ctx.runs.update(id, patch)
    const summary = this.ctx.runs.require(id)
    this.ctx.emit('runs:changed', summary)
    return summary
  }

  /**
   * Continues a stopped, crashed, failed or diverged run from its last checkpoint (models,
   * optimizer state, data order), or a completed one to more epochs. Steps recorded after that
   * checkpoint are replaced by the resumed ones.
   */
  resumeRun(id: number, epochs?: number): RunSummary {
    this.ctx.requireWriter(`resume run ${id}`)
    const summary = this.ctx.runs.require(id)
    if (this.external?.owns(id)) return this.external.resume(id, epochs)
    const current = this.active.get(id)
    if ((current && !current.finished) || ACTIVE_STATUSES.includes(summary.status)) {
      throw new LabError('CONFLICT', `Run ${id} is ${summary.status}; only a run that has ended can be resumed`)
    }
    const config = { ...this.ctx.runs.requireConfig(id), ...(epochs !== undefined ? { epochs } : {}) }
    this.adoptOrphanCheckpoints(id)
    const withCheckpoint = this.ctx.metrics.epochs(id).filter((e) => e.checkpointDir)
    const last = withCheckpoint[withCheckpoint.length - 1]
    if (!last) {
      throw new LabError('NOT_FOUND', `Run ${id} has no checkpoint to resume from (it ended before its first epoch did); start it again instead`)
    }
    const checkpointDir = join(this.ctx.runDir(id), last.checkpointDir!)
    for (const file of RESUME_FILES) {
      if (!existsSync(join(checkpointDir, file))) {
        throw new LabError('NOT_FOUND', `Run ${id} cannot be resumed: its epoch ${last.epoch} checkpoint lacks ${file} (${checkpointDir})`)
      }
    }
    if (last.epoch >= config.epochs) {
      throw new LabError('CONFLICT', `Run ${id} already has ${last.epoch} of ${config.epochs} epochs; ask for more epochs to train it further`, [
        { field: 'epochs', message: `must be more than ${last.epoch}` }
      ])
    }
    const checked = parseOrThrow(runConfigSchema, config, 'Invalid run config', { code: 'INVALID_CONFIG' })
    const timeOffsetMs = this.ctx.runs.timeAtEpoch(id, last.epoch)
    // Built (and its data set checked) before anything is rewound.
    const request = this.preflight.startRequest(id, checked, { epoch: last.epoch, checkpointDir, timeOffsetMs })
    const dropped = this.ctx.runs.rewindTo(id, last.epoch, checked)
    this.removeCheckpointsAfter(id, last.epoch)
    const message = `Resuming after epoch ${last.epoch} (step ${this.ctx.runs.get(id)!.stepsDone})${dropped > 0 ? `; ${dropped} steps recorded after that checkpoint are replaced` : ''}.`
    this.ctx.log('info', `Run ${id}: ${message}`)
    const resumed = this.queue.schedule(id, () => request)
    this.ctx.emit('trainer:log', { runId: id, level: 'info', message })
    return resumed
  }

  stopRun(id: number): RunSummary {
    this.ctx.requireWriter(`stop run ${id}`)
    const summary = this.ctx.runs.require(id)
    if (this.external?.owns(id)) return this.external.stop(id)
    if (this.queue.remove(id)) {
      this.ctx.runs.finish(id, 'stopped', 'Stopped while it waited in the queue; it never started.')
      this.settle(id)
      this.queue.pump()
      return this.ctx.runs.require(id)
    }
    const run = this.active.get(id)
    if (!run) return summary
    run.channel.send({ type: 'stop' })
    run.stopTimer ??= setTimeout(() => {
      this.guarded(id, run, () => {
        if (!run.finished) this.finish(id, run, 'stopped', 'Stopped: the trainer did not stop in time and was ended.')
      })
    }, this.ctx.opts.stopTimeoutMs ?? 15_000)
    return summary
  }

  /** Stops an active run for a reason of the lab's own (an early stop), put before the trainer's message. */
  stopFor(id: number, reason: string): void {
    this.stopReasons.set(id, reason)
    this.ctx.log('warn', `[run ${id}] ${reason}`)
    this.stopRun(id)
  }

  /** Whether run `id` has a trainer still working. */
  isActive(id: number): boolean {
    const run = this.active.get(id)
    return run !== undefined && !run.finished
  }

  deleteRun(id: number): { id: number } {
    this.ctx.requireWriter(`delete run ${id}`)
    this.ctx.runs.require(id)
    this.queue.remove(id)
    this.external?.forget(id)
    const run = this.active.get(id)
    if (run) {
      run.finished = true
      run.channel.kill()
      this.active.delete(id)
    }
    this.ctx.runs.delete(id)
    rmSync(this.ctx.runDir(id), { recursive: true, force: true })
    this.ctx.emit('runs:deleted', { id })
    // A deleted run frees its slot (or its place in the queue).
    this.queue.pump()
    return { id }
  }

  detail(id: number): RunDetail {
    const summary = this.ctx.runs.require(id)
    const problems = this.ctx.runs.storedProblems(id)
    return {
      summary,
      config: this.ctx.runs.requireConfig(id),
      backendReport: this.ctx.runs.backendReport(id),
      epochs: this.ctx.metrics.epochs(id),
      progress: this.active.get(id)?.progress ?? null,
      ...(problems.length > 0 ? { problems } : {})
    }
  }

  /** Resolves when the run is no longer queued or running. */
  waitForEnd(id: number): Promise<RunSummary> {
    const summary = this.ctx.runs.require(id)
    if (!ACTIVE_STATUSES.includes(summary.status)) return Promise.resolve(summary)
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]))
  }

  /** Ends every trainer; a run still training is recorded as stopped (the lab is closing). */
  close(): void {
    for (const [id, run] of this.active) {
      if (!run.finished) this.ctx.runs.finish(id, 'stopped', 'Stopped: the lab was closed while this run was training.')
      run.finished = true
      run.channel.kill()
    }
    this.active.clear()
  }

  /**
   * A checkpoint folder is renamed into place whole before its epoch is recorded; a kill in
   * between leaves a complete folder without a row. Such folders after the last recorded
   * checkpoint are adopted (resume would otherwise start earlier and delete them).
   */
  private adoptOrphanCheckpoints(id: number): void {
    const root = join(this.ctx.runDir(id), 'checkpoints')
    if (!existsSync(root)) return
    const recorded = this.ctx.metrics.epochs(id).filter((e) => e.checkpointDir)
    const lastRecorded = recorded.length > 0 ? recorded[recorded.length - 1].epoch : 0
    const orphans = readdirSync(root)
      .map((name) => ({ name, epoch: Number(/^epoch-(\d{4,6})$/.exec(name)?.[1] ?? NaN) }))
      .filter(({ name, epoch }) => epoch > lastRecorded && RESUME_FILES.every((file) => existsSync(join(root, name, file))))
      .sort((a, b) => a.epoch - b.epoch)
    for (const { name, epoch } of orphans) {
      const steps = this.ctx.metrics.adoptCheckpoint(id, epoch, join('checkpoints', name))
      const message = `Found the epoch ${epoch} checkpoint without its record (the lab stopped while saving it); it is adopted${steps === 0 ? ', but that epoch\'s metrics were lost' : ` with ${steps} recorded steps of that epoch`}.`
      this.ctx.log('warn', `Run ${id}: ${message}`)
      this.ctx.emit('trainer:log', { runId: id, level: 'warn', message })
    }
  }

  /** Checkpoint folders past the resume point (or half-written ones) would be overwritten anyway. */
  private removeCheckpointsAfter(id: number, epoch: number): void {
    const root = join(this.ctx.runDir(id), 'checkpoints')
    if (!existsSync(root)) return
    for (const name of readdirSync(root)) {
      const m = /^epoch-(\d+)(\.partial)?$/.exec(name)
      if (m && (m[2] || Number(m[1]) > epoch)) rmSync(join(root, name), { recursive: true, force: true })
    }
  }

  /** Runs whose trainer is working now. */
  trainingCount(): number {
    let n = 0
    for (const run of this.active.values()) if (!run.finished) n++
    return n
  }

  private launch(id: number, request: StartRequest): void {
    const channel = this.ctx.opts.launcher(`gan-trainer run ${id}`)
    const run: ActiveRun = { channel, progress: null, finished: false, stopTimer: null }
    this.active.set(id, run)
    channel.onOutput((line, stream) => this.ctx.log(stream === 'stderr' ? 'warn' : 'info', `[trainer ${id}] ${line}`))
    channel.onMessage((event) => this.guarded(id, run, () => this.onTrainerEvent(id, run, event)))
    channel.onExit((exit) => {
      if (run.stopTimer) clearTimeout(run.stopTimer)
      // A resumed run may already have a new trainer under the same id.
      if (this.active.get(id) === run) this.active.delete(id)
      this.guarded(id, run, () => {
        if (!run.finished) this.finish(id, run, 'crashed', `The trainer process ${exit.reason} before the run ended.`)
      })
    })
    channel.send(request)
    this.ctx.emit('runs:changed', this.ctx.runs.require(id))
  }

  /**
   * Runs `work` for a trainer's event; an error there (a full disk, a database locked by another
   * program) fails this run alone and never reaches the process: the lab keeps serving the rest.
   */
  private guarded(id: number, run: ActiveRun, work: () => void): void {
    try {
      work()
    } catch (err) {
      this.failOnStorageError(id, run, err)
    }
  }

  /** Stops run `id` after its results could not be saved, and marks it failed if the database still takes that. */
  private failOnStorageError(id: number, run: ActiveRun, err: unknown): void {
    let busyTimeoutMs = 0
    try {
      busyTimeoutMs = Number(this.ctx.db.pragma('busy_timeout', { simple: true }))
    } catch {
      // The reason is described without it.
    }
    const describe = (e: unknown): string => describeStorageError(e, this.ctx.dataDir, busyTimeoutMs)
    // Each step after the failure may fail too (the same full disk): log it and go on.
    const attempt = (work: () => void, whenFailed: (why: string) => string): void => {
      try {
        work()
      } catch (again) {
        this.ctx.log('error', whenFailed(describe(again)))
      }
    }
    const reason = describe(err)
    const message = `Failed: the run's results could not be saved (${reason}).`
    this.ctx.log('error', `[run ${id}] ${message}${err instanceof Error && err.stack ? `\n${err.stack}` : ''}`)
    run.finished = true
    if (run.stopTimer) clearTimeout(run.stopTimer)
    this.stopReasons.delete(id)
    run.channel.kill()
    attempt(
      () => this.ctx.runs.finish(id, 'failed', message),
      (why) => `[run ${id}] could not be marked failed (${why}); the lab will mark it crashed when it next opens`
    )
    attempt(() => this.settle(id), (why) => `[run ${id}] could not be read back after it failed (${why})`)
    attempt(() => this.queue.pump(), (why) => `The next queued run could not start (${why})`)
  }

  /** Announces a run's end (to listeners and whoever waits for it): for runs that ended elsewhere too. */
  settle(id: number): void {
    const summary = this.ctx.runs.require(id)
    this.ctx.emit('runs:changed', summary)
    for (const w of this.waiters.get(id) ?? []) w(summary)
    this.waiters.delete(id)
  }

  private onTrainerEvent(id: number, run: ActiveRun, event: TrainerEvent): void {
    if (run.finished) return
    const { runs, metrics } = this.ctx
    switch (event.type) {
      case 'ready':
        return
      case 'backend':
        runs.setBackend(id, event.report)
        this.ctx.emit('trainer:backend', { runId: id, report: event.report })
        this.ctx.emit('runs:changed', runs.require(id))
        return
      case 'status':
        if (event.status === 'running') runs.markStarted(id)
        this.ctx.emit('runs:changed', runs.require(id))
        return
      case 'steps':
        metrics.insertSteps(id, event.rows)
        this.ctx.emit('trainer:steps', { runId: id, rows: event.rows })
        return
      case 'progress':
        run.progress = event.progress
        this.ctx.emit('trainer:progress', { runId: id, progress: event.progress })
        return
      case 'field':
        this.ctx.emit('trainer:field', { runId: id, field: event.field })
        return
      case 'epoch': {
        metrics.insertEpoch(id, event.result)
        const info = metrics.epochs(id).find((e) => e.epoch === event.result.epoch)
        if (info) this.ctx.emit('trainer:epoch', { runId: id, epoch: info })
        if (event.result.field) this.ctx.emit('trainer:field', { runId: id, field: event.result.field })
        this.ctx.emit('runs:changed', runs.require(id))
        this.evaluation.onEpoch(id, event.result.epoch)
        return
      }
      case 'log':
        this.ctx.log(event.level, `[run ${id}] ${event.message}`)
        this.ctx.emit('trainer:log', { runId: id, level: event.level, message: event.message.split('\n')[0] })
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
    this.ctx.runs.finish(id, status, reason ? `${reason} ${message ?? ''}`.trim() : message)
    this.evaluation.refresh(id)
    this.settle(id)
    if (status === 'stopped' && this.active.get(id) === run) run.channel.kill()
    // Its slot is free: the next queued run starts.
    this.queue.pump()
  }
}
