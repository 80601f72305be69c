// Starts trainers with child_process.fork: used by the CLI, the lab server and the tests.
// From source the entry is TypeScript and runs under tsx; a built entry runs as is.
import { fork } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TrainerEvent } from '@shared/trainer-protocol'
import { forwardOutput, type TrainerChannel, type TrainerExit, type TrainerLauncher } from './channel'

const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))

export const SOURCE_ENTRY = resolve(here, '../trainer/entry.ts')
const REPO_ROOT = resolve(here, '../../..')

export function forkLauncher(entry = SOURCE_ENTRY): TrainerLauncher {
  return (label) => {
    const isSource = entry.endsWith('.ts')
    const child = fork(entry, [`--trainer-label=${label}`], {
      cwd: REPO_ROOT,
      execArgv: isSource ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.json') }
    })
    const exitListeners: ((exit: TrainerExit) => void)[] = []
    child.on('exit', (code, signal) => {
      const reason = signal ? `killed by ${signal}` : `exited with code ${code}`
      for (const l of exitListeners) l({ code, reason })
    })
    child.on('error', (err) => {
      for (const l of exitListeners) l({ code: null, reason: `could not start: ${err.message}` })
    })
    const channel: TrainerChannel = {
      pid: child.pid,
      send: (request) => {
        if (child.connected) child.send(request)
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as TrainerEvent)),
      onExit: (listener) => exitListeners.push(listener),
      onOutput: (listener) => forwardOutput(child, listener),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      }
    }
    return channel
  }
}
