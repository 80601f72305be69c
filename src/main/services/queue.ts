// The run queue: runs wait here for a trainer slot (settings.maxConcurrentRuns), oldest
// first, and start when one frees; each waiting run is told where it stands. The lab's
// settings live here too, since the slot count is the one they hold.
import { labSettingsSchema, type LabHandlers, type LabSettings, type RunSummary } from '@shared/api'
import { toErrorInfo } from '@shared/errors'
import type { StartRequest } from '@shared/trainer-protocol'
import { SettingsRepo } from '../db/repos/sweeps'
import type { LabContext } from './context'
import { parseOrThrow } from './validate'

/** What the queue asks of the run service. */
export interface QueueHost {
  /** Runs whose trainer is working (not yet finished). */
  trainingCount(): number
  /** Starts the trainer process of a recorded run. */
  launch(id: number, request: StartRequest): void
  /** Announces a run's end to listeners and to whoever waits for it. */
  settle(id: number): void
}

export class RunQueue {
  readonly settings: SettingsRepo
  /** Runs waiting for a trainer slot, oldest first, with how to start each. */
  private readonly waiting: { id: number; request: () => StartRequest }[] = []

  constructor(
    private readonly ctx: LabContext,
    private readonly host: QueueHost
  ) {
    this.settings = new SettingsRepo(ctx.db)
  }

  readonly handlers = {
    'settings:get': () => this.settings.get(),
    'settings:set': (patch) => this.setSettings(patch)
  } satisfies Partial<LabHandlers>

  setSettings(patch: Partial<LabSettings>): LabSettings {
    const settings = this.settings.set(parseOrThrow(labSettingsSchema.partial().strict(), patch, 'Invalid settings'))
    this.ctx.emit('settings:changed', settings)
    // More slots start waiting runs now; fewer let the running ones finish.
    this.pump()
    return settings
  }

  /** Queues run `id` and starts what the free slots allow. */
  schedule(id: number, request: () => StartRequest): RunSummary {
    this.add(id, request)
    this.pump()
    return this.ctx.runs.require(id)
  }

  /** Puts run `id` at the end of the queue; it starts at the next pump. */
  add(id: number, request: () => StartRequest): void {
    this.waiting.push({ id, request })
  }

  /** Takes run `id` out of the queue; false when it was not waiting. */
  remove(id: number): boolean {
    const k = this.waiting.findIndex((q) => q.id === id)
    if (k < 0) return false
    this.waiting.splice(k, 1)
    return true
  }

  /** Starts queued runs while slots are free; tells the waiting ones where they stand. */
  pump(): void {
    if (this.ctx.closed) return
    const max = this.settings.get().maxConcurrentRuns
    while (this.waiting.length > 0 && this.host.trainingCount() < max) {
      const next = this.waiting.shift()!
      let request: StartRequest
      try {
        request = next.request()
      } catch (err) {
        // E.g. its data set was deleted while it waited.
        this.ctx.runs.finish(next.id, 'failed', `Could not start: ${toErrorInfo(err).message}`)
        this.host.settle(next.id)
        continue
      }
      this.ctx.runs.setStatusMessage(next.id, null)
      this.host.launch(next.id, request)
    }
    this.waiting.forEach((q, k) => {
      this.ctx.runs.setStatusMessage(q.id, `Waiting for a free trainer: ${k + 1} of ${this.waiting.length} in the queue, ${max} run${max === 1 ? '' : 's'} train at once (Settings)`)
      this.ctx.emit('runs:changed', this.ctx.runs.require(q.id))
    })
  }
}
