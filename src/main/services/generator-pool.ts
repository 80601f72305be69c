// The latent explorer's generator workers: at most one per run, started on the first request
// and kept while it is used, so later requests skip process start-up and model loading. A
// worker ends when its run's view closes (release), after idleMs without a job, when its slot
// is wanted by another run, or when the lab closes. Slots follow the lab's concurrency setting:
// the workers take only the training slots that runs leave free, and one when none are.
import type { BackendChoice } from '@shared/config'
import type { TrainerLauncher } from '../trainer-host/channel'
import { GeneratorWorker, type WorkerJob, type WorkerTicket } from '../trainer-host/generator-worker'

/** Never more generator workers than this, whatever the settings allow. */
export const MAX_GENERATOR_WORKERS = 2
/** How long a worker without jobs is kept, unless the lab says otherwise. */
export const DEFAULT_GENERATOR_IDLE_MS = 120_000

export interface PoolOptions {
  launcher: TrainerLauncher
  log(level: 'info' | 'warn', line: string): void
  /** How many workers may run now (the pool never goes below one). */
  slots(): number
  idleMs: number
}

export class GeneratorPool {
  private readonly workers = new Map<number, GeneratorWorker>()
  private readonly idleTimers = new Map<GeneratorWorker, NodeJS.Timeout>()
  /** Callers waiting for a slot: woken when a worker goes idle or ends. */
  private waiting: (() => void)[] = []
  private closed = false

  constructor(private readonly opts: PoolOptions) {}

  /** The run's worker answers `work`, started first if there is none. */
  async run<T>(runId: number, backend: BackendChoice, work: WorkerJob<T>): Promise<WorkerTicket<T>> {
    const worker = await this.workerFor(runId, backend)
    this.stopIdleTimer(worker)
    return worker.run(work)
  }

  /** Whether run `runId` has a live worker now. */
  has(runId: number): boolean {
    return this.workers.get(runId)?.dead === false
  }

  /** Ends the run's worker (its view closed, or the run was deleted). */
  release(runId: number): void {
    this.workers.get(runId)?.kill()
  }

  close(): void {
    this.closed = true
    for (const worker of this.workers.values()) worker.kill()
    for (const timer of this.idleTimers.values()) clearTimeout(timer)
    this.idleTimers.clear()
    this.wake()
  }

  private async workerFor(runId: number, backend: BackendChoice): Promise<GeneratorWorker> {
    for (;;) {
      if (this.closed) throw new Error('The lab was closed before the generator answered.')
      const existing = this.workers.get(runId)
      if (existing && !existing.dead) return existing
      if (this.workers.size < Math.max(1, this.opts.slots())) return this.start(runId, backend)
      // Full: end the idle worker used longest ago, or wait until one goes idle.
      const idle = [...this.workers.values()].filter((w) => !w.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0]
      if (idle) {
        this.end(idle)
        continue
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    }
  }

  private start(runId: number, backend: BackendChoice): GeneratorWorker {
    const worker = new GeneratorWorker({
      launcher: this.opts.launcher,
      label: `gan-trainer explore ${runId}`,
      name: `generator process of run ${runId}`,
      backend,
      log: this.opts.log,
      onIdle: (w) => this.idle(w),
      onExit: (w) => {
        this.stopIdleTimer(w)
        if (this.workers.get(runId) === w) this.workers.delete(runId)
        this.wake()
      }
    })
    this.workers.set(runId, worker)
    return worker
  }

  /** A worker finished its jobs: hand its slot to a waiter, end it beyond the slots, or time it out. */
  private idle(worker: GeneratorWorker): void {
    if (this.waiting.length > 0) {
      this.wake()
      return
    }
    if (this.workers.size > Math.max(1, this.opts.slots())) {
      this.end(worker)
      return
    }
    this.stopIdleTimer(worker)
    const timer = setTimeout(() => this.end(worker), this.opts.idleMs)
    timer.unref()
    this.idleTimers.set(worker, timer)
  }

  private end(worker: GeneratorWorker): void {
    this.stopIdleTimer(worker)
    for (const [id, w] of this.workers) if (w === worker) this.workers.delete(id)
    worker.kill()
  }

  private stopIdleTimer(worker: GeneratorWorker): void {
    const timer = this.idleTimers.get(worker)
    if (timer) clearTimeout(timer)
    this.idleTimers.delete(worker)
  }

  private wake(): void {
    const waiting = this.waiting
    this.waiting = []
    for (const w of waiting) w()
  }
}
