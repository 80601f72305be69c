// One short job in its own trainer process (classifier training, scoring, an explorer
// rendering): send the request, route events to the caller, and end the process when the caller settles.
import { LabError } from '@shared/errors'
import type { TrainerEvent, TrainerRequest } from '@shared/trainer-protocol'
import type { TrainerChannel, TrainerLauncher } from './channel'

export interface TaskHandlers<T> {
  /** Returns the result once an event carries it; undefined for events on the way. */
  onEvent(event: TrainerEvent): T | undefined
  log(level: 'info' | 'warn', line: string): void
  /** Processes still running, so the owner can end them when it closes. */
  running?: Set<TrainerChannel>
  /** The message of an event besides task-failed that ends the task as failed (the explorer's explore-failed). */
  failure?(event: TrainerEvent): string | undefined
  /** The error when the process ends first; "The process for <what> <reason> before it finished." unless given. */
  exitMessage?(reason: string): string
}

export function runTrainerTask<T>(launcher: TrainerLauncher, label: string, request: TrainerRequest, what: string, h: TaskHandlers<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const channel = launcher(label)
    h.running?.add(channel)
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      h.running?.delete(channel)
      channel.kill()
      fn()
    }
    channel.onOutput((line, stream) => h.log(stream === 'stderr' ? 'warn' : 'info', `[${label}] ${line}`))
    channel.onMessage((event) => {
      const failure = event.type === 'task-failed' ? event.message : h.failure?.(event)
      if (failure !== undefined) {
        settle(() => reject(new LabError('INTERNAL', `${what} failed: ${failure}`)))
        return
      }
      const value = h.onEvent(event)
      if (value !== undefined) settle(() => resolve(value))
    })
    channel.onExit((exit) => {
      const message = h.exitMessage ? h.exitMessage(exit.reason) : `The process for ${what.toLowerCase()} ${exit.reason} before it finished.`
      settle(() => reject(new LabError('INTERNAL', message)))
    })
    channel.send(request)
  })
}
