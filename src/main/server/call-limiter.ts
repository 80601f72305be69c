// Bounds the lab server's expensive calls (exports, imports, renders: each may hold hundreds of
// MB until its reply is sent): a few run at a time for all clients together, the rest wait in
// order, and one connection may have only a few waiting, so one client cannot starve the others
// or fill the server's memory. Cheap calls never wait here.
import type { Channel } from '@shared/api'

export const EXPENSIVE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'runs:export-bundle',
  'runs:import-bundle',
  'runs:export-metrics',
  'runs:export-generator',
  'runs:export-samples',
  'runs:sample-rows',
  'figures:export',
  'datasets:preview',
  'datasets:import',
  'explorer:grid',
  'explorer:interpolate',
  'explorer:arithmetic',
  'explorer:scatter',
  'eval:run'
])

export interface CallLimits {
  /** Expensive calls running at once, all connections together. */
  running: number
  /** Expensive calls one connection may have running or waiting. */
  perConnection: number
}

export const DEFAULT_CALL_LIMITS: CallLimits = { running: 2, perConnection: 4 }

export class CallLimiter {
  private running = 0
  private readonly waiting: (() => void)[] = []
  private readonly perConnection = new Map<object, number>()

  constructor(private readonly limits: CallLimits = DEFAULT_CALL_LIMITS) {}

  /**
   * Runs `call` when a slot is free; null (without running it) when `connection` already has
   * its share of expensive calls running or waiting.
   */
  async run<T>(connection: object, call: () => Promise<T>): Promise<T | null> {
    const mine = this.perConnection.get(connection) ?? 0
    if (mine >= this.limits.perConnection) return null
    this.perConnection.set(connection, mine + 1)
    try {
      if (this.running >= this.limits.running) await new Promise<void>((resolve) => this.waiting.push(resolve))
      else this.running++
      try {
        return await call()
      } finally {
        // The slot passes straight to the next waiting call, or is freed.
        const next = this.waiting.shift()
        if (next) next()
        else this.running--
      }
    } finally {
      const left = (this.perConnection.get(connection) ?? 1) - 1
      if (left > 0) this.perConnection.set(connection, left)
      else this.perConnection.delete(connection)
    }
  }
}
