// A generator worker seen from the host: one long-lived trainer process that keeps a run's
// generators loaded and answers its jobs one at a time, answers asked for now before prefetches.
import { LabError } from '@shared/errors'
import type { BackendChoice } from '@shared/config'
import type { GeneratorJob, TrainerEvent } from '@shared/trainer-protocol'
import type { TrainerChannel, TrainerExit, TrainerLauncher } from './channel'

/** 'now': someone waits for the answer; 'prefetch': wanted soon, done when nothing waits. */
export type JobPriority = 'now' | 'prefetch'

export interface WorkerJob<T> {
  job: GeneratorJob['job']
  priority: JobPriority
  /** The answer, once an event carries it; undefined for events on the way. */
  pick(event: TrainerEvent): T | undefined
  onProgress?(done: number, total: number): void
}

/** A job handed to a worker: its answer, and a way to move it ahead of the prefetches. */
export interface WorkerTicket<T> {
  promise: Promise<T>
  promote(): void
}

interface Queued {
  id: number
  priority: JobPriority
  job: GeneratorJob['job']
  onEvent(event: TrainerEvent): void
  fail(error: Error): void
}

export interface WorkerOptions {
  launcher: TrainerLauncher
  /** Names the process in process lists and logs. */
  label: string
  /** Names the worker in errors: "the generator process of run 3". */
  name: string
  backend: BackendChoice
  log(level: 'info' | 'warn', line: string): void
  /** Called when the worker has nothing left to do (its last job settled). */
  onIdle(worker: GeneratorWorker): void
  /** Called once when the process has ended, whoever ended it. */
  onExit(worker: GeneratorWorker, exit: TrainerExit): void
}

export class GeneratorWorker {
  private readonly channel: TrainerChannel
  private readonly queue: Queued[] = []
  private current: Queued | null = null
  private nextId = 1
  private ended: TrainerExit | null = null
  /** When the worker last finished a job (or started), for choosing which idle one to end. */
  lastUsed = Date.now()

  constructor(private readonly opts: WorkerOptions) {
    this.channel = opts.launcher(opts.label)
    this.channel.onOutput((line, stream) => opts.log(stream === 'stderr' ? 'warn' : 'info', `[${opts.label}] ${line}`))
    this.channel.onMessage((event) => {
      if (event.type === 'generator-event' && this.current?.id === event.jobId) this.current.onEvent(event.event)
    })
    this.channel.onExit((exit) => this.exited(exit))
    this.channel.send({ type: 'generator-serve', backend: opts.backend })
  }

  get pid(): number | undefined {
    return this.channel.pid
  }

  /** Whether the process has ended. */
  get dead(): boolean {
    return this.ended !== null
  }

  /** Whether a job is under way or waiting. */
  get busy(): boolean {
    return this.current !== null || this.queue.length > 0
  }

  run<T>(work: WorkerJob<T>): WorkerTicket<T> {
    let entry!: Queued
    const promise = new Promise<T>((resolve, reject) => {
      if (this.ended) {
        reject(this.exitError(this.ended))
        return
      }
      entry = {
        id: this.nextId++,
        priority: work.priority,
        job: work.job,
        onEvent: (event) => {
          if (event.type === 'explore-progress') {
            work.onProgress?.(event.done, event.total)
            return
          }
          if (event.type === 'explore-failed') {
            this.settle(entry, () => reject(new LabError('INTERNAL', `Rendering with the generator failed: ${event.message}`)))
            return
          }
          const value = work.pick(event)
          if (value !== undefined) this.settle(entry, () => resolve(value))
        },
        fail: reject
      }
      this.queue.push(entry)
      this.pump()
    })
    return {
      promise,
      promote: () => {
        if (entry) entry.priority = 'now'
      }
    }
  }

  /** Ends the process; jobs not yet answered fail. */
  kill(): void {
    this.channel.kill()
  }

  private pump(): void {
    if (this.current || this.ended) return
    const k = this.queue.findIndex((q) => q.priority === 'now')
    const next = this.queue.splice(k >= 0 ? k : 0, 1)[0]
    if (!next) return
    this.current = next
    this.channel.send({ type: 'generator-job', jobId: next.id, job: next.job })
  }

  private settle(entry: Queued, fn: () => void): void {
    if (this.current !== entry) return
    this.current = null
    this.lastUsed = Date.now()
    fn()
    this.pump()
    if (!this.busy) this.opts.onIdle(this)
  }

  private exitError(exit: TrainerExit): LabError {
    return new LabError('INTERNAL', `The ${this.opts.name} ${exit.reason} before it answered; the next request starts a new one.`)
  }

  private exited(exit: TrainerExit): void {
    if (this.ended) return
    this.ended = exit
    const error = this.exitError(exit)
    const lost = [...(this.current ? [this.current] : []), ...this.queue.splice(0)]
    this.current = null
    for (const q of lost) q.fail(error)
    this.opts.onExit(this, exit)
  }
}
