// One short job in its own trainer process (classifier training, scoring): send the
// request, route events to the caller, and end the process when the caller settles.
import { LabError } from '@shared/errors'
import type { TrainerEvent, TrainerRequest } from '@shared/trainer-protocol'
import type { TrainerChannel, TrainerLauncher } from './channel'

export interface TaskHandlers<T> {
  /** Returns the result once an event carries it; undefined for events on the way. */
  onEvent(event: TrainerEvent): T | undefined
  log(level: 'info' | 'warn', line: string): void
  /** Processes still running, so the owner can end them when it closes. */
  running?: Set<TrainerChannel>
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
      if (event.type === 'task-failed') {
        settle(() => reject(new LabError('INTERNAL', `${what} failed: ${event.message}`)))
        return
      }
      const value = h.onEvent(event)
      if (value !== undefined) settle(() => resolve(value))
    })
    channel.onExit((exit) => settle(() => reject(new LabError('INTERNAL', `The process for ${what.toLowerCase()} ${exit.reason} before it finished.`))))
    channel.send(request)
  })
}
