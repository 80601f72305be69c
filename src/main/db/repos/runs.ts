// Runs: config, status and what the trainer reported about them.
import type { Database } from 'better-sqlite3'
import type { RunSummary } from '@shared/api'
import { describeOptimizer, runConfigSchema, type BackendName, type RunConfig } from '@shared/config'
import type { ScoreName } from '@shared/evaluation'
import type { RunFlag } from '@shared/failure-detect'
import type { StepMetrics } from '@shared/metrics'
import { metricsOfRow } from './metrics'
import type { BackendReport, RunStatus } from '@shared/trainer-protocol'
import { LabError } from '@shared/errors'
import { readStoredJson } from '../stored-json'

interface RunRow {
  id: number
  name: string
  preset: string
  optimizer: string
  seed: number
  epochs: number
  config_json: string
  status: RunStatus
  status_message: string | null
  backend: BackendName | null
  backend_report_json: string | null
  epochs_done: number
  steps_done: number
  created_at: number
  started_at: number | null
  ended_at: number | null
  notes: string
  tags_json: string
}

interface MetricColumns {
  d_loss_real: number | null
  d_loss_fake: number | null
  g_loss: number | null
  d_acc_real: number | null
  d_acc_fake: number | null
  wasserstein: number | null
}

const LAST_METRICS_SQL = `
  SELECT r.*,
    COALESCE(e.d_loss_real, s.d_loss_real) AS d_loss_real,
    COALESCE(e.d_loss_fake, s.d_loss_fake) AS d_loss_fake,
    COALESCE(e.g_loss, s.g_loss) AS g_loss,
    COALESCE(e.d_acc_real, s.d_acc_real) AS d_acc_real,
    COALESCE(e.d_acc_fake, s.d_acc_fake) AS d_acc_fake,
    COALESCE(e.wasserstein, s.wasserstein) AS wasserstein,
    ev.best_by AS ev_best_by, ev.best_epoch AS ev_best_epoch, ev.best_value AS ev_best_value, ev.flags_json AS ev_flags_json
  FROM runs r
  LEFT JOIN run_evaluation ev ON ev.run_id = r.id
  LEFT JOIN epoch_metrics e ON e.run_id = r.id AND e.epoch = r.epochs_done
  LEFT JOIN step_metrics s ON s.run_id = r.id AND s.step = r.steps_done AND r.epochs_done = 0`

function toMetrics(row: MetricColumns): StepMetrics | null {
  // Losses are never null in a stored row: null means there is no row yet. Accuracies and the
  // Wasserstein estimate are null where the run's loss does not define them.
  if (row.d_loss_real === null || row.d_loss_fake === null || row.g_loss === null) return null
  return metricsOfRow({ ...row, d_loss_real: row.d_loss_real, d_loss_fake: row.d_loss_fake, g_loss: row.g_loss })
}

function parseTags(json: string | null): string[] {
  const read = readStoredJson<string[]>('runs', 'tags_json', json ?? '[]')
  return read.ok ? read.value : []
}

interface EvaluationColumns {
  ev_best_by: ScoreName | null
  ev_best_epoch: number | null
  ev_best_value: number | null
  ev_flags_json: string | null
}

/** A run's failure flags; a stored value that cannot be read shows as none (detail names the problem). */
function parseFlags(json: string | null | undefined): RunFlag[] {
  const read = readStoredJson<RunFlag[]>('run_evaluation', 'flags_json', json ?? '[]')
  return read.ok ? read.value : []
}

/** D's and G's learning rates for the runs list; none when the stored config cannot be read. */
function learningRates(configJson: string): { lr: { d: number; g: number } } | Record<string, never> {
  try {
    const c = JSON.parse(configJson) as { optimizerD?: { lr?: unknown }; optimizerG?: { lr?: unknown } }
    const d = c.optimizerD?.lr
    const g = c.optimizerG?.lr
    return typeof d === 'number' && typeof g === 'number' ? { lr: { d, g } } : {}
  } catch {
    return {}
  }
}

function toSummary(row: RunRow & MetricColumns & Partial<EvaluationColumns>): RunSummary {
  const evaluation = row.ev_best_by
    ? { evaluation: { bestBy: row.ev_best_by, bestEpoch: row.ev_best_epoch ?? null, bestValue: row.ev_best_value ?? null, flags: parseFlags(row.ev_flags_json) } }
    : {}
  return {
    ...evaluation,
    ...learningRates(row.config_json),
    id: row.id,
    name: row.name,
    preset: row.preset,
    optimizer: row.optimizer,
    status: row.status,
    statusMessage: row.status_message,
    backend: row.backend,
    seed: row.seed,
    epochs: row.epochs,
    epochsDone: row.epochs_done,
    stepsDone: row.steps_done,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    lastMetrics: toMetrics(row),
    notes: row.notes ?? '',
    tags: parseTags(row.tags_json)
  }
}

export function describeOptimizers(config: RunConfig): string {
  const d = describeOptimizer(config.optimizerD)
  const g = describeOptimizer(config.optimizerG)
  return d === g ? d : `D: ${d} / G: ${g}`
}

export class RunsRepo {
  constructor(private readonly db: Database) {}

  create(config: RunConfig, now = Date.now()): number {
    const info = this.db
      .prepare(
        `INSERT INTO runs (name, preset, optimizer, seed, epochs, config_json, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)`
      )
      .run(config.name, config.preset, describeOptimizers(config), config.seed, config.epochs, JSON.stringify(config), now)
    return Number(info.lastInsertRowid)
  }

  get(id: number): RunSummary | null {
    const row = this.db.prepare(`${LAST_METRICS_SQL} WHERE r.id = ?`).get(id) as (RunRow & MetricColumns) | undefined
    return row ? toSummary(row) : null
  }

  /** A run that must exist: NOT_FOUND naming it otherwise. */
  require(id: number): RunSummary {
    const summary = this.get(id)
    if (!summary) throw new LabError('NOT_FOUND', `There is no run ${id}`)
    return summary
  }

  list(): RunSummary[] {
    const rows = this.db.prepare(`${LAST_METRICS_SQL} ORDER BY r.created_at DESC, r.id DESC`).all() as (RunRow & MetricColumns)[]
    return rows.map(toSummary)
  }

  config(id: number): RunConfig | null {
    const row = this.db.prepare('SELECT config_json FROM runs WHERE id = ?').get(id) as { config_json: string } | undefined
    if (!row) return null
    let problem: string
    try {
      const checked = runConfigSchema.safeParse(JSON.parse(row.config_json))
      if (checked.success) return checked.data
      problem = `does not fit this app (${checked.error.issues[0]?.path.join('.') || 'config'}: ${checked.error.issues[0]?.message ?? 'invalid'})`
    } catch (err) {
      problem = `is not valid JSON (${err instanceof Error ? err.message : String(err)})`
    }
    throw new LabError('DATA_ERROR', `The stored config of run ${id} (runs.config_json) ${problem}; the run can still be listed and deleted`)
  }

  /** The config of a run that must exist: NOT_FOUND naming it otherwise. */
  requireConfig(id: number): RunConfig {
    const config = this.config(id)
    if (!config) throw new LabError('NOT_FOUND', `There is no run ${id}`)
    return config
  }

  backendReport(id: number): BackendReport | null {
    const row = this.db.prepare('SELECT backend_report_json FROM runs WHERE id = ?').get(id) as { backend_report_json: string | null } | undefined
    if (!row?.backend_report_json) return null
    const read = readStoredJson<BackendReport>('runs', 'backend_report_json', row.backend_report_json)
    return read.ok ? read.value : null
  }

  /** What of the run's stored JSON cannot be read (each names its table and column); [] when all is well. */
  storedProblems(id: number): string[] {
    const problems: string[] = []
    const run = this.db.prepare('SELECT tags_json, backend_report_json FROM runs WHERE id = ?').get(id) as
      | { tags_json: string | null; backend_report_json: string | null }
      | undefined
    if (!run) return problems
    try {
      this.config(id)
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err))
    }
    const check = (table: string, column: string, text: string | null): void => {
      if (text === null) return
      const read = readStoredJson(table, column, text)
      if (!read.ok) problems.push(read.problem)
    }
    check('runs', 'tags_json', run.tags_json)
    check('runs', 'backend_report_json', run.backend_report_json)
    const ev = this.db.prepare('SELECT flags_json FROM run_evaluation WHERE run_id = ?').get(id) as { flags_json: string } | undefined
    check('run_evaluation', 'flags_json', ev?.flags_json ?? null)
    return problems
  }

  setBackend(id: number, report: BackendReport): void {
    this.db.prepare('UPDATE runs SET backend = ?, backend_report_json = ? WHERE id = ?').run(report.chosen, JSON.stringify(report), id)
  }

  markStarted(id: number, now = Date.now()): void {
    this.db.prepare(`UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?`).run(now, id)
  }

  finish(id: number, status: RunStatus, message: string | null, now = Date.now()): void {
    this.db.prepare('UPDATE runs SET status = ?, status_message = ?, ended_at = ? WHERE id = ?').run(status, message, now, id)
  }

  /** Queued runs that never started training (waiting for a trainer slot when the lab closed), oldest first. */
  neverStarted(): number[] {
    return (this.db.prepare(`SELECT id FROM runs WHERE status = 'queued' AND started_at IS NULL ORDER BY id`).all() as { id: number }[]).map((r) => r.id)
  }

  setStatusMessage(id: number, message: string | null): void {
    this.db.prepare('UPDATE runs SET status_message = ? WHERE id = ?').run(message, id)
  }

  /**
   * Runs left 'running' or 'queued' by an app that did not shut down cleanly become 'crashed',
   * except those in `keep` (queued runs the lab will start again).
   */
  markInterrupted(message: string, now = Date.now(), keep: readonly number[] = []): number[] {
    const ids = (this.db.prepare(`SELECT id FROM runs WHERE status IN ('running', 'queued')`).all() as { id: number }[])
      .map((r) => r.id)
      .filter((id) => !keep.includes(id))
    const stmt = this.db.prepare(`UPDATE runs SET status = 'crashed', status_message = ?, ended_at = ? WHERE id = ?`)
    this.db.transaction(() => ids.forEach((id) => stmt.run(message, now, id)))()
    return ids
  }

  /** Renames a run and sets its notes and tags; fields left undefined keep their values. */
  update(id: number, patch: { name?: string; notes?: string; tags?: string[] }): void {
    if (patch.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(patch.name, id)
    if (patch.notes !== undefined) this.db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(patch.notes, id)
    if (patch.tags !== undefined) this.db.prepare('UPDATE runs SET tags_json = ? WHERE id = ?').run(JSON.stringify(patch.tags), id)
  }

  /**
   * Rewinds a run to the end of `epoch` for a resume: what was recorded after it (a partial
   * epoch's steps) goes, the config's epoch count may grow, and the run is queued again.
   * Returns how many step rows were dropped.
   */
  rewindTo(id: number, epoch: number, config: RunConfig): number {
    return this.db.transaction(() => {
      const dropped = this.db.prepare('DELETE FROM step_metrics WHERE run_id = ? AND epoch > ?').run(id, epoch).changes
      for (const table of ['epoch_metrics', 'sample_grids', 'epoch_samples', 'epoch_fields', 'checkpoints']) {
        this.db.prepare(`DELETE FROM ${table} WHERE run_id = ? AND epoch > ?`).run(id, epoch)
      }
      this.db
        .prepare(
          `UPDATE runs SET status = 'queued', status_message = NULL, ended_at = NULL, epochs = ?, config_json = ?, epochs_done = ?,
           steps_done = (SELECT COUNT(*) FROM step_metrics WHERE run_id = ?) WHERE id = ?`
        )
        .run(config.epochs, JSON.stringify(config), epoch, id, id)
      return dropped
    })()
  }

  /** Milliseconds of training recorded up to the end of `epoch`. */
  timeAtEpoch(id: number, epoch: number): number {
    const row = this.db.prepare('SELECT MAX(time_ms) AS t FROM step_metrics WHERE run_id = ? AND epoch <= ?').get(id, epoch) as { t: number | null }
    return row.t ?? 0
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0
  }
}
