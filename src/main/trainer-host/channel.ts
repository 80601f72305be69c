// What a host needs from a trainer process, whichever way it was started.
import type { TrainerEvent, TrainerRequest } from '@shared/trainer-protocol'

export interface TrainerExit {
  code: number | null
  /** Why the process ended, in words: "exited with code 1", "killed by SIGKILL", "out of memory". */
  reason: string
}

export interface TrainerChannel {
  readonly pid: number | undefined
  send(request: TrainerRequest): void
  onMessage(listener: (event: TrainerEvent) => void): void
  onExit(listener: (exit: TrainerExit) => void): void
  /** Output lines of the process (stdout and stderr), for the log. */
  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): void
  kill(): void
}

/** Starts one trainer process. `label` names it in process lists and logs. */
export type TrainerLauncher = (label: string) => TrainerChannel

export function splitLines(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = ''
  return (chunk) => {
    const text = rest + chunk.toString()
    const lines = text.split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) onLine(line)
  }
}

interface OutputStreams {
  stdout?: NodeJS.ReadableStream | null
  stderr?: NodeJS.ReadableStream | null
}

/** Forwards a child process's output to a TrainerChannel output listener, line by line. */
export function forwardOutput(child: OutputStreams, listener: (line: string, stream: 'stdout' | 'stderr') => void): void {
  child.stdout?.on('data', splitLines((l) => listener(l, 'stdout')))
  child.stderr?.on('data', splitLines((l) => listener(l, 'stderr')))
}
