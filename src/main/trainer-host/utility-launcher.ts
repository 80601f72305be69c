// Starts trainers as Electron utility processes: the packaged app's way. Thin on purpose;
// everything else about a trainer is shared with the fork launcher.
import { app, utilityProcess } from 'electron'
import type { TrainerEvent } from '@shared/trainer-protocol'
import { forwardOutput, type TrainerChannel, type TrainerExit, type TrainerLauncher } from './channel'

export function utilityLauncher(entry: string): TrainerLauncher {
  return (label) => {
    const child = utilityProcess.fork(entry, [], { serviceName: label, stdio: 'pipe' })
    const exitListeners: ((exit: TrainerExit) => void)[] = []
    let goneReason: string | null = null
    const onGone = (_e: unknown, details: Electron.Details): void => {
      if (details.type === 'Utility' && details.serviceName === label) goneReason = `${details.reason} (exit code ${details.exitCode})`
    }
    app.on('child-process-gone', onGone)
    child.on('exit', (code) => {
      app.removeListener('child-process-gone', onGone)
      const reason = goneReason ?? `exited with code ${code}`
      for (const l of exitListeners) l({ code, reason })
    })
    let alive = true
    child.on('exit', () => (alive = false))
    return {
      get pid() {
        return child.pid
      },
      send: (request) => {
        if (alive) child.postMessage(request)
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as TrainerEvent)),
      onExit: (listener) => exitListeners.push(listener),
      onOutput: (listener) => forwardOutput(child, listener),
      kill: () => {
        if (alive) child.kill()
      }
    } satisfies TrainerChannel
  }
}
