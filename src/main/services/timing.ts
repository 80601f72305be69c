// Step times for the new-run form's duration estimate: from the most recent run of the same
// kind in this lab when there is one, else measured once in a trainer process (a few steps of
// the run's own loop) and kept in the data folder (timing.json), one measurement at a time.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { RunConfig } from '@shared/config'
import { msPerStepOf, timingKey, type StepTiming } from '@shared/timing'
import type { DataSpec } from '@shared/trainer-protocol'
import type { TrainerChannel, TrainerLauncher } from '../trainer-host/channel'
import { runTrainerTask } from '../trainer-host/task'
import { readStoredJson } from '../db/stored-json'
import type { LogLevel } from './context'

export const TIMING_FILE = 'timing.json'
export const TIMING_WARMUP_STEPS = 3
export const TIMING_STEPS = 5
/** An earlier run's steps count once it has this many (the first ones, warm-up, are left out). */
const RUN_MIN_STEPS = 20
const RUN_SKIP_STEPS = 5

export interface TimingDeps {
  db: Database
  dataDir: string
  launcher: TrainerLauncher
  mnistDir?: string
  /** The data a run of `config` trains on (refuses a missing data set). */
  dataSpec(config: RunConfig): DataSpec | undefined
  log(level: LogLevel, message: string): void
}

export class TimingService {
  private readonly measuring = new Map<string, Promise<StepTiming>>()
  /** One measurement at a time: two would share the cores and time each other. */
  private queue: Promise<unknown> = Promise.resolve()
  private readonly running = new Set<TrainerChannel>()

  constructor(private readonly deps: TimingDeps) {}

  private get file(): string {
    return join(this.deps.dataDir, TIMING_FILE)
  }

  private cached(): Record<string, StepTiming> {
    if (!existsSync(this.file)) return {}
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, StepTiming>
    } catch (err) {
      this.deps.log('warn', `${this.file} cannot be read (${err instanceof Error ? err.message : String(err)}); step times will be measured again`)
      return {}
    }
  }

  /** The step time of runs like `config`: an earlier run's, the cached measurement, or a new one. */
  estimate(config: RunConfig): Promise<StepTiming> {
    const key = timingKey(config)
    const fromRun = this.fromRuns(config, key)
    if (fromRun) return Promise.resolve(fromRun)
    const cached = this.cached()[key]
    if (cached) return Promise.resolve(cached)
    const pending = this.measuring.get(key)
    if (pending) return pending
    const data = this.deps.dataSpec(config)
    const measured = this.queue.then(() => this.measure(config, key, data))
    this.queue = measured.catch(() => undefined)
    this.measuring.set(key, measured)
    void measured.then(
      () => this.measuring.delete(key),
      () => this.measuring.delete(key)
    )
    return measured
  }

  /** The most recent run of this lab with the same key that recorded enough steps. */
  private fromRuns(config: RunConfig, key: string): StepTiming | null {
    const candidates = this.deps.db
      .prepare(`SELECT id, config_json AS configJson, backend FROM runs WHERE preset = ? AND steps_done >= ? AND backend IS NOT NULL ORDER BY id DESC LIMIT 50`)
      .all(config.preset, RUN_MIN_STEPS) as { id: number; configJson: string; backend: StepTiming['backend'] }[]
    for (const c of candidates) {
      // A run whose stored config cannot be read is no evidence of a step time: skip it.
      const stored = readStoredJson<RunConfig>('runs', 'config_json', c.configJson)
      if (!stored.ok || timingKey(stored.value) !== key) continue
      const rows = this.deps.db
        .prepare('SELECT step, time_ms AS timeMs FROM step_metrics WHERE run_id = ? AND step > ? ORDER BY step LIMIT 2000')
        .all(c.id, RUN_SKIP_STEPS) as { step: number; timeMs: number }[]
      const msPerStep = msPerStepOf(rows, RUN_SKIP_STEPS)
      if (msPerStep !== null) return { key, msPerStep, backend: c.backend, steps: rows.length - 1, source: 'runs', runId: c.id, measuredAt: Date.now() }
    }
    return null
  }

  private async measure(config: RunConfig, key: string, data: DataSpec | undefined): Promise<StepTiming> {
    const started = Date.now()
    const result = await runTrainerTask<{ backend: StepTiming['backend']; msPerStep: number; steps: number }>(
      this.deps.launcher,
      `gan-trainer timing ${config.preset}`,
      {
        type: 'time-steps',
        // The measured steps train from scratch: D's origin does not change a step's cost.
        config: { ...config, discriminator: { ...config.discriminator, from: null } },
        ...(data ? { data } : {}),
        mnistDir: this.deps.mnistDir,
        warmup: TIMING_WARMUP_STEPS,
        steps: TIMING_STEPS
      },
      'Timing training steps',
      {
        onEvent: (event) => (event.type === 'steps-timed' ? event : undefined),
        log: (level, line) => this.deps.log(level, line),
        running: this.running
      }
    )
    const timing: StepTiming = { key, msPerStep: result.msPerStep, backend: result.backend, steps: result.steps, source: 'measured', measuredAt: Date.now() }
    writeFileSync(this.file, JSON.stringify({ ...this.cached(), [key]: timing }, null, 1))
    this.deps.log('info', `Step time of ${key}: ${result.msPerStep.toFixed(0)} ms on ${result.backend} (measured in ${((Date.now() - started) / 1000).toFixed(0)} s)`)
    return timing
  }

  /** Ends measurements still running (the lab is closing). */
  close(): void {
    for (const channel of this.running) channel.kill()
    this.running.clear()
  }
}
