// The Slurm executor: a sweep submitted as one job array (task K trains point K with the
// headless trainer into task-K/ under the shared work directory), followed with squeue and
// sacct (scontrol where the cluster keeps no accounting database), mirrored live from each
// task's own store, and imported into the lab through the run-bundle path when it ends.
// Stop is scancel; resume resubmits the task, which continues from its last checkpoint.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunSummary, SweepCreated } from '@shared/api'
import { serializeConfigFile } from '@shared/config-file'
import { LabError, toErrorInfo } from '@shared/errors'
import { describeSlurmEnd, phaseOf, type SlurmOptions } from '@shared/slurm'
import type { SweepPoint, SweepRequest } from '@shared/sweep'
import { ACTIVE_STATUSES, type RunStatus } from '@shared/trainer-protocol'
import { SlurmTasksRepo, type SlurmTask } from '../../db/repos/slurm-tasks'
import { SweepsRepo } from '../../db/repos/sweeps'
import { exportRunBundle, importRunBundle } from '../bundle'
import type { LabContext } from '../context'
import { slurmQuery, slurmSync } from './commands'
import { lookupTask, parseSacct, parseSbatch, parseScontrol, parseSqueue, SACCT_FIELDS, SQUEUE_FORMAT, type TaskState } from './parse'
import { CONFIG_FILE, RESUME_FILE, SCRIPT_FILE, sbatchArgs, sbatchScript, taskDirName } from './script'
import { isLink, linkRunDir, logTail, mirrorTask, openTaskStore, readExitCode, readTaskRun, stepRowsAfter, taskRunDir, unlinkRunDir } from './task-folder'

/** What the executor asks of the run service. */
export interface SlurmHost {
  /** Announces a run's end to listeners and to whoever waits for it. */
  settle(id: number): void
  /** Recomputes a run's best epoch and flags after its rows were replaced. */
  refresh(id: number): void
}

/** How long a task missing from squeue, sacct and scontrol still counts as just submitted. */
const SUBMIT_GRACE_MS = 60_000
/** How long an ended task's trainer may take to finish writing before the run is imported anyway. */
const EXIT_GRACE_MS = 60_000

const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))

/** The project's folder (where `npm run cli` works): the nearest folder above this module with the app's package.json. */
export function projectDirOf(start = here): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && /"name":\s*"gan-workbench"/.test(readFileSync(pkg, 'utf8'))) return dir
    if (dirname(dir) === dir) return process.cwd()
  }
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
}

export class SlurmExecutor {
  readonly tasks: SlurmTasksRepo
  private timer: NodeJS.Timeout | null = null
  private polling: Promise<void> | null = null
  /** When Slurm was first seen to say a task had ended, for tasks whose trainer has not yet written its exit code. */
  private readonly endedAt = new Map<number, number>()

  constructor(
    private readonly ctx: LabContext,
    private readonly host: SlurmHost
  ) {
    this.tasks = new SlurmTasksRepo(ctx.db)
  }

  private get pollMs(): number {
    return this.ctx.opts.slurmPollMs ?? 5_000
  }

  owns(id: number): boolean {
    return this.tasks.get(id) !== null
  }

  /** Every run the executor owns: the lab's recovery leaves them to it. */
  ownedRunIds(): number[] {
    return this.tasks.runIds()
  }

  /** After the lab opens: follow the tasks still out on the cluster. */
  recover(): void {
    if (this.tasks.active().length > 0) this.ensurePolling()
  }

  /**
   * Writes the sweep's folder (one config per task, the script), submits the job array and
   * records the runs, queued until Slurm starts them. Nothing is recorded when sbatch refuses.
   */
  submit(request: SweepRequest, points: SweepPoint[], options: SlurmOptions, sweeps: SweepsRepo): SweepCreated {
    for (const p of points) {
      if (typeof p.config.dataset === 'number') {
        throw new LabError('INVALID_CONFIG', `Invalid sweep: the Slurm executor trains on the built-in data sets only; "${p.config.name}" uses imported data set ${p.config.dataset}, which lives in this lab's store`)
      }
      if (p.config.discriminator.from) {
        throw new LabError('INVALID_CONFIG', `Invalid sweep: "${p.config.name}" starts D from run ${p.config.discriminator.from.runId} of this lab, which a Slurm task cannot read`)
      }
    }
    try {
      mkdirSync(options.workDir, { recursive: true })
      accessSync(options.workDir, constants.W_OK)
    } catch (err) {
      throw new LabError('INVALID_REQUEST', `--work-dir ${options.workDir}: cannot write there (${toErrorInfo(err).message}); give a folder on the file system the cluster's nodes share`, [
        { field: 'executor.workDir', message: 'cannot be written' }
      ])
    }
    const sweepDir = join(options.workDir, `sweep-${stamp(new Date())}-${Math.random().toString(36).slice(2, 6)}`)
    points.forEach((p, k) => {
      mkdirSync(join(sweepDir, taskDirName(k)), { recursive: true })
      writeFileSync(join(sweepDir, taskDirName(k), CONFIG_FILE), serializeConfigFile(p.config))
    })
    const script = join(sweepDir, SCRIPT_FILE)
    writeFileSync(script, sbatchScript({ jobName: `gan-${request.name}`, sweepDir, projectDir: projectDirOf(), options }), { mode: 0o755 })
    let jobId: string
    try {
      jobId = parseSbatch(slurmSync('sbatch', sbatchArgs(options, script, points.map((_, k) => k)), 'submit the sweep to Slurm'))
    } catch (err) {
      rmSync(sweepDir, { recursive: true, force: true })
      throw err instanceof LabError ? err : new LabError('INVALID_REQUEST', `Cannot submit the sweep to Slurm: ${toErrorInfo(err).message}`)
    }
    const { runs } = this.ctx
    const now = Date.now()
    const ids = this.ctx.db.transaction(() =>
      points.map((p, k) => {
        const id = runs.create(p.config, now)
        this.tasks.add({ runId: id, sweepDir, index: k, jobId, options, submittedAt: now })
        runs.setStatusMessage(id, `Slurm job ${jobId}_${k}: submitted`)
        return id
      })
    )()
    const sweep = sweeps.create(request.name, request.axes, ids, request.compareWhenDone)
    for (const id of ids) runs.update(id, { tags: [`sweep ${sweep.id}`, 'slurm'] })
    this.ctx.log('info', `Sweep ${sweep.id} "${sweep.name}": Slurm job ${jobId}, ${ids.length} tasks (runs ${ids.join(', ')}) in ${sweepDir}`)
    this.ctx.emit('sweeps:changed', sweep)
    for (const id of ids) this.ctx.emit('runs:changed', runs.require(id))
    this.ensurePolling()
    return { sweep, runs: ids.map((id) => runs.require(id)) }
  }

  /** scancel: the task ends as cancelled at the next poll (a pending one at once). */
  stop(id: number): RunSummary {
    const task = this.requireTask(id)
    const summary = this.ctx.runs.require(id)
    if (!task.active) return summary
    slurmSync('scancel', [`${task.jobId}_${task.index}`], `stop run ${id}`)
    this.ctx.runs.setStatusMessage(id, `Cancelling Slurm job ${task.jobId}_${task.index} (scancel)…`)
    this.ctx.emit('trainer:log', { runId: id, level: 'info', message: `scancel ${task.jobId}_${task.index}` })
    void this.pollNow()
    return this.ctx.runs.require(id)
  }

  /** Resubmits the run's task, which continues from its last checkpoint (to `epochs` when given). */
  resume(id: number, epochs?: number): RunSummary {
    const task = this.requireTask(id)
    const summary = this.ctx.runs.require(id)
    if (task.active || ACTIVE_STATUSES.includes(summary.status)) throw new LabError('CONFLICT', `Run ${id} is ${summary.status} on Slurm; only a run that has ended can be resumed`)
    const config = { ...this.ctx.runs.requireConfig(id), ...(epochs !== undefined ? { epochs } : {}) }
    const taskDir = join(task.sweepDir, taskDirName(task.index))
    // The task's own store is the truth: a trainer cancelled at an epoch's end can have written that
    // epoch's checkpoint after the lab imported the task, and `train --resume` starts from the store's.
    this.mirror(id, taskDir)
    const last = this.ctx.metrics.epochs(id).filter((e) => e.checkpointDir).pop()
    if (!last) throw new LabError('NOT_FOUND', `Run ${id} has no checkpoint to resume from (its task ended before its first epoch did)`)
    if (last.epoch >= config.epochs) {
      throw new LabError('CONFLICT', `Run ${id} already has ${last.epoch} of ${config.epochs} epochs; ask for more epochs to train it further`, [{ field: 'epochs', message: `must be more than ${last.epoch}` }])
    }
    writeFileSync(join(taskDir, RESUME_FILE), String(config.epochs))
    const jobId = parseSbatch(slurmSync('sbatch', sbatchArgs(task.options, join(task.sweepDir, SCRIPT_FILE), [task.index]), `resume run ${id} on Slurm`))
    this.ctx.runs.rewindTo(id, last.epoch, config)
    this.tasks.resubmitted(id, jobId)
    this.ctx.runs.setStatusMessage(id, `Slurm job ${jobId}_${task.index}: submitted to resume after epoch ${last.epoch}`)
    this.ctx.emit('runs:changed', this.ctx.runs.require(id))
    this.ensurePolling()
    return this.ctx.runs.require(id)
  }

  /** The run is being deleted: its task is cancelled if still out, and forgotten (its folder on the cluster stays). */
  forget(id: number): void {
    const task = this.tasks.get(id)
    if (!task) return
    if (task.active) {
      try {
        slurmSync('scancel', [`${task.jobId}_${task.index}`], `cancel the Slurm task of run ${id}`)
      } catch (err) {
        this.ctx.log('warn', toErrorInfo(err).message)
      }
    }
    unlinkRunDir(this.ctx.runDir(id))
    this.tasks.delete(id)
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** Resolves after one poll of every active task (the one under way, or a new one). */
  pollNow(): Promise<void> {
    this.polling ??= this.poll().finally(() => {
      this.polling = null
    })
    return this.polling
  }

  private ensurePolling(): void {
    if (this.timer || this.ctx.closed) return
    this.timer = setInterval(() => void this.pollNow(), this.pollMs)
    void this.pollNow()
  }

  private requireTask(id: number): SlurmTask {
    const task = this.tasks.get(id)
    if (!task) throw new LabError('NOT_FOUND', `Run ${id} does not train on Slurm`)
    return task
  }

  private async poll(): Promise<void> {
    const active = this.tasks.active()
    if (active.length === 0 || this.ctx.closed) {
      this.close()
      return
    }
    const jobs = [...new Set(active.map((t) => t.jobId))].join(',')
    const queue = await slurmQuery('squeue', ['-h', '-r', '-j', jobs, '-o', SQUEUE_FORMAT])
    // squeue refuses the whole list once a job has left it ("Invalid job id specified"): then every task is looked up below.
    const queued = queue.ok ? parseSqueue(queue.stdout) : new Map<string, TaskState>()
    if (!queue.ok && !/invalid job id/i.test(queue.stderr)) this.ctx.log('warn', `squeue failed: ${queue.stderr}`)
    const missing = active.filter((t) => !lookupTask([queued], t.jobId, t.index))
    let ended = new Map<string, TaskState>()
    if (missing.length > 0 && !this.ctx.closed) {
      const ids = [...new Set(missing.map((t) => t.jobId))].join(',')
      const acct = await slurmQuery('sacct', ['-n', '-P', '-X', '-j', ids, '-o', SACCT_FIELDS])
      ended = acct.ok ? parseSacct(acct.stdout) : parseScontrol((await slurmQuery('scontrol', ['show', 'job', '-o', ids])).stdout)
    }
    if (this.ctx.closed) return
    for (const task of active) {
      try {
        this.update(task, lookupTask([queued, ended], task.jobId, task.index))
      } catch (err) {
        this.ctx.log('error', `[run ${task.runId}] following Slurm task ${task.jobId}_${task.index} failed: ${toErrorInfo(err).message}`)
      }
    }
  }

  /** One task's news: its state, its new rows, and its result once it has ended. */
  private update(task: SlurmTask, seen: TaskState | null): void {
    const id = task.runId
    if (!this.ctx.runs.get(id)) return
    const taskDir = join(task.sweepDir, taskDirName(task.index))
    const name = `${task.jobId}_${task.index}`
    let state = seen
    if (!state) {
      // Slurm has forgotten it (or not yet listed it): the task's own exit file tells.
      const code = readExitCode(taskDir)
      if (code === null && Date.now() - task.submittedAt < SUBMIT_GRACE_MS) return
      state = { jobId: task.jobId, index: task.index, state: code === 0 ? 'COMPLETED' : 'FAILED', reason: code === null ? 'Slurm no longer knows the job and the task left no exit code' : null, exitCode: code === null ? null : `${code}:0`, node: null }
    }
    const phase = phaseOf(state.state)
    const changed = state.state !== task.state || state.reason !== task.reason
    if (changed) {
      this.tasks.setState(id, state.state, state.reason)
      this.ctx.emit('trainer:log', { runId: id, level: 'info', message: `Slurm job ${name}: ${state.state}${state.reason ? ` (${state.reason})` : ''}` })
    }
    if (phase === 'pending') {
      if (changed) this.setStatus(id, 'queued', `Slurm job ${name} pending${state.reason ? ` (${state.reason})` : ''}`)
      return
    }
    this.mirror(id, taskDir)
    if (phase === 'running') {
      const message = `Slurm job ${name} running${state.node ? ` on ${state.node}` : ''}`
      if (this.ctx.runs.get(id)!.status !== 'running' || changed) this.setStatus(id, 'running', message)
      return
    }
    // Slurm may call a task ended while its trainer still saves: the import waits for the exit file (a minute at most).
    const since = this.endedAt.get(id) ?? Date.now()
    this.endedAt.set(id, since)
    if (readExitCode(taskDir) === null && Date.now() - since < EXIT_GRACE_MS) return
    this.endedAt.delete(id)
    this.finish(task, taskDir, state)
  }

  private setStatus(id: number, status: 'queued' | 'running', message: string): void {
    if (status === 'running') this.ctx.runs.markStarted(id)
    else this.ctx.db.prepare(`UPDATE runs SET status = 'queued' WHERE id = ?`).run(id)
    this.ctx.runs.setStatusMessage(id, message)
    this.ctx.emit('runs:changed', this.ctx.runs.require(id))
  }

  /** Copies the task's new rows into the lab's run and tells the live views. */
  private mirror(id: number, taskDir: string): void {
    const store = openTaskStore(taskDir)
    if (!store) return
    try {
      const run = readTaskRun(store)
      if (!run) return
      const before = this.ctx.runs.require(id)
      linkRunDirOnce(this.ctx.runDir(id), taskRunDir(taskDir, run.id))
      const { epochs } = mirrorTask(this.ctx.db, id, store, run)
      const steps = stepRowsAfter(this.ctx.db, id, before.stepsDone)
      if (steps.length > 0) this.ctx.emit('trainer:steps', { runId: id, rows: steps })
      for (const info of this.ctx.metrics.epochs(id).filter((e) => epochs.includes(e.epoch))) this.ctx.emit('trainer:epoch', { runId: id, epoch: info })
      if (steps.length > 0 || epochs.length > 0) this.ctx.emit('runs:changed', this.ctx.runs.require(id))
    } finally {
      store.close()
    }
  }

  /** The task has ended: its run is imported whole (rows and checkpoints) and given Slurm's verdict. */
  private finish(task: SlurmTask, taskDir: string, state: TaskState): void {
    const id = task.runId
    const phase = phaseOf(state.state)
    const before = this.ctx.runs.require(id)
    const keep = { name: before.name, tags: before.tags, notes: before.notes }
    let status: RunStatus = phase === 'completed' ? 'completed' : phase === 'stopped' ? 'stopped' : 'failed'
    let message: string | null = phase === 'completed' ? null : describeSlurmEnd(state.state, state.reason, state.exitCode)
    const store = openTaskStore(taskDir)
    const runDir = this.ctx.runDir(id)
    try {
      const run = store ? readTaskRun(store) : null
      if (store && run) {
        const bytes = exportRunBundle(store, run.id, taskRunDir(taskDir, run.id), { checkpoints: 'all', appVersion: this.ctx.opts.version })
        unlinkRunDir(runDir)
        rmSync(runDir, { recursive: true, force: true })
        importRunBundle(this.ctx.db, bytes, (rid) => this.ctx.runDir(rid), undefined, { intoRunId: id })
        this.ctx.runs.update(id, keep)
        if (phase === 'completed') {
          // A clean exit: the trainer's own verdict (completed, or diverged) and message.
          status = run.status
          message = run.statusMessage
        } else if (phase === 'failed' && !ACTIVE_STATUSES.includes(run.status) && run.status !== 'completed') {
          // The trainer ended the run itself (diverged, failed) and exited non-zero: its reason first.
          status = run.status
          message = `${run.statusMessage ?? run.status} (${message})`
        }
      } else if (phase === 'completed') {
        status = 'failed'
        message = `Slurm: COMPLETED, but the task left no run in ${taskDir}`
      }
    } finally {
      store?.close()
    }
    if (phase === 'failed') {
      const tail = logTail(taskDir, task.jobId, task.index)
      if (tail) message = `${message} — log: ${tail}`
    }
    this.ctx.runs.finish(id, status, message)
    this.tasks.settle(id)
    this.ctx.log(status === 'completed' ? 'info' : 'warn', `[run ${id}] Slurm task ${task.jobId}_${task.index} ended: ${status}${message ? ` (${message})` : ''}`)
    this.host.refresh(id)
    this.host.settle(id)
  }
}

/** Points the lab's folder of the run at the task's (replacing a copy imported before a resume). */
function linkRunDirOnce(runDir: string, target: string): void {
  if (!isLink(runDir)) linkRunDir(runDir, target)
}
