// A Slurm task's folder, read while it trains: its own SQLite file (written by the headless
// trainer on the node, opened here read-only) and its checkpoints. New rows of the run's
// tables are copied into the lab's run as they appear, so the lab shows live steps, epochs,
// grids and checkpoints of a run training elsewhere; nothing in the task's folder is changed.
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database, { type Database as Db } from 'better-sqlite3'
import type { StepRow } from '@shared/metrics'
import type { RunStatus } from '@shared/trainer-protocol'
import { DB_FILE } from '../../db/connection'
import { metricsOfRow } from '../../db/repos/metrics'
import { columnsOf, runTables } from '../bundle-format'
import { DATA_DIR, EXIT_FILE } from './script'

/** The task's run as its own store has it. */
export interface TaskRun {
  id: number
  status: RunStatus
  statusMessage: string | null
  stepsDone: number
  epochsDone: number
  backend: string | null
  backendReportJson: string | null
  startedAt: number | null
}

export const taskStorePath = (taskDir: string): string => join(taskDir, DATA_DIR, DB_FILE)
export const taskRunDir = (taskDir: string, runId: number): string => join(taskDir, DATA_DIR, 'runs', String(runId))

/** The task's store, read-only; null while the trainer has not created it yet. */
export function openTaskStore(taskDir: string): Db | null {
  const path = taskStorePath(taskDir)
  if (!existsSync(path)) return null
  const db = new Database(path, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 2000')
  return db
}

/** The first (the only) run of the task's store, or null before the trainer recorded it. */
export function readTaskRun(db: Db): TaskRun | null {
  const row = db
    .prepare('SELECT id, status, status_message, steps_done, epochs_done, backend, backend_report_json, started_at FROM runs ORDER BY id LIMIT 1')
    .get() as
    | { id: number; status: RunStatus; status_message: string | null; steps_done: number; epochs_done: number; backend: string | null; backend_report_json: string | null; started_at: number | null }
    | undefined
  if (!row) return null
  return {
    id: row.id,
    status: row.status,
    statusMessage: row.status_message,
    stepsDone: row.steps_done,
    epochsDone: row.epochs_done,
    backend: row.backend,
    backendReportJson: row.backend_report_json,
    startedAt: row.started_at
  }
}

/** The exit status the task wrote when its trainer exited, or null (still running, or killed before). */
export function readExitCode(taskDir: string): number | null {
  const path = join(taskDir, EXIT_FILE)
  if (!existsSync(path)) return null
  const n = Number(readFileSync(path, 'utf8').trim())
  return Number.isInteger(n) ? n : null
}

/** The last lines of the task's Slurm log (slurm-JOB_TASK.out), for a failed task's message. */
export function logTail(taskDir: string, jobId: string, index: number, lines = 3): string | null {
  const path = join(taskDir, `slurm-${jobId}_${index}.out`)
  if (!existsSync(path)) return null
  const text = readFileSync(path, 'utf8').trim().split('\n').filter((l) => l.trim() !== '')
  return text.length > 0 ? text.slice(-lines).join(' | ').slice(0, 500) : null
}

export interface MirrorResult {
  /** Step rows new to the lab (for the live charts). */
  steps: StepRow[]
  /** Epochs new to the lab. */
  epochs: number[]
}

/** The column a run table's rows are ordered by: step_metrics by step, the epoch tables by epoch; null for the rest. */
function keyColumn(db: Db, table: string): 'step' | 'epoch' | null {
  const names = columnsOf(db, table).map((c) => c.name)
  return names.includes('step') ? 'step' : names.includes('epoch') ? 'epoch' : null
}

/**
 * Copies what the task's store has beyond what the lab has of run `labRunId`: rows of every
 * run table keyed by step or epoch, and the run's counts, backend and start time. Rows the
 * task replaces later (a resume) are replaced when the finished run is imported.
 */
export function mirrorTask(lab: Db, labRunId: number, task: Db, taskRun: TaskRun): MirrorResult {
  const result: MirrorResult = { steps: [], epochs: [] }
  const taskTables = new Set(runTables(task))
  lab.transaction(() => {
    for (const table of runTables(lab)) {
      if (!taskTables.has(table)) continue
      const key = keyColumn(lab, table)
      if (!key || keyColumn(task, table) !== key) continue
      const have = new Set(columnsOf(task, table).map((c) => c.name))
      const columns = columnsOf(lab, table)
        .map((c) => c.name)
        .filter((c) => c !== 'run_id' && have.has(c))
      const after = (lab.prepare(`SELECT COALESCE(MAX("${key}"), 0) FROM "${table}" WHERE run_id = ?`).pluck().get(labRunId) as number) ?? 0
      const rows = task
        .prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" WHERE run_id = ? AND "${key}" > ? ORDER BY "${key}"`)
        .raw()
        .all(taskRun.id, after) as unknown[][]
      if (rows.length === 0) continue
      const insert = lab.prepare(`INSERT OR REPLACE INTO "${table}" (run_id, ${columns.map((c) => `"${c}"`).join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`)
      for (const row of rows) insert.run(labRunId, ...row)
      if (table === 'epoch_metrics') result.epochs.push(...rows.map((r) => Number(r[columns.indexOf('epoch')])))
    }
    lab
      .prepare(
        `UPDATE runs SET steps_done = MAX(steps_done, ?), epochs_done = MAX(epochs_done, ?), backend = COALESCE(?, backend),
           backend_report_json = COALESCE(?, backend_report_json), started_at = COALESCE(started_at, ?) WHERE id = ?`
      )
      .run(taskRun.stepsDone, taskRun.epochsDone, taskRun.backend, taskRun.backendReportJson, taskRun.startedAt, labRunId)
  })()
  return result
}

/** Step rows of the lab's run after `afterStep`, for the live charts. */
export function stepRowsAfter(lab: Db, runId: number, afterStep: number): StepRow[] {
  const rows = lab
    .prepare('SELECT step, epoch, time_ms, d_loss_real, d_loss_fake, g_loss, d_acc_real, d_acc_fake, wasserstein FROM step_metrics WHERE run_id = ? AND step > ? ORDER BY step')
    .all(runId, afterStep) as { step: number; epoch: number; time_ms: number; d_loss_real: number; d_loss_fake: number; g_loss: number; d_acc_real: number | null; d_acc_fake: number | null; wasserstein: number | null }[]
  return rows.map((r) => ({ step: r.step, epoch: r.epoch, timeMs: r.time_ms, ...metricsOfRow(r) }))
}

/**
 * While the run trains elsewhere, its folder in the lab points at the task's run folder, so
 * the checkpoints the mirrored rows name are there (the explorer and exports read them live).
 */
export function linkRunDir(labRunDir: string, target: string): void {
  if (isLink(labRunDir)) unlinkSync(labRunDir)
  else if (existsSync(labRunDir)) rmSync(labRunDir, { recursive: true, force: true })
  mkdirSync(dirname(labRunDir), { recursive: true })
  symlinkSync(target, labRunDir, 'dir')
}

/** Removes the link (never what it points at) before the finished run's files are imported. */
export function unlinkRunDir(labRunDir: string): void {
  if (isLink(labRunDir)) unlinkSync(labRunDir)
}

export function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}
