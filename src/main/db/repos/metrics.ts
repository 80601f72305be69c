// Step and epoch metrics, sample grids and checkpoints of runs. Step rows arrive in
// batches and are written one transaction per batch.
import type { Database, Statement } from 'better-sqlite3'
import type { EpochInfo } from '@shared/api'
import type { TabularFidelity } from '@shared/tabular-fidelity'
import type { EpochSamples } from '@shared/datasets'
import { appendRows, emptySeries, type StepMetrics, type StepRow, type StepSeries } from '@shared/metrics'
import type { EpochResult } from '@shared/trainer-protocol'
import type { ToyField } from '@shared/toy-field'
import { LabError } from '@shared/errors'
import { readStoredJson } from '../stored-json'

interface StepDbRow {
  step: number
  epoch: number
  time_ms: number
  d_loss_real: number
  d_loss_fake: number
  g_loss: number
  d_acc_real: number | null
  d_acc_fake: number | null
  wasserstein: number | null
}

/** The metric columns of a step_metrics or epoch_metrics row as StepMetrics. */
export function metricsOfRow(r: Omit<StepDbRow, 'step' | 'epoch' | 'time_ms'>): StepMetrics {
  return { dLossReal: r.d_loss_real, dLossFake: r.d_loss_fake, gLoss: r.g_loss, dAccReal: r.d_acc_real, dAccFake: r.d_acc_fake, wasserstein: r.wasserstein }
}

const METRIC_COLUMNS = 'd_loss_real, d_loss_fake, g_loss, d_acc_real, d_acc_fake, wasserstein'
const metricValues = (m: StepMetrics): (number | null)[] => [m.dLossReal, m.dLossFake, m.gLoss, m.dAccReal, m.dAccFake, m.wasserstein]

export class MetricsRepo {
  private readonly insertStep: Statement
  private readonly bumpSteps: Statement

  constructor(private readonly db: Database) {
    this.insertStep = db.prepare(
      `INSERT OR REPLACE INTO step_metrics (run_id, step, epoch, time_ms, ${METRIC_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    this.bumpSteps = db.prepare('UPDATE runs SET steps_done = MAX(steps_done, ?) WHERE id = ?')
  }

  /** Writes a batch of step rows in one transaction. */
  insertSteps(runId: number, rows: readonly StepRow[]): void {
    if (rows.length === 0) return
    this.db.transaction(() => {
      for (const r of rows) {
        this.insertStep.run(runId, r.step, r.epoch, Math.round(r.timeMs), ...metricValues(r))
      }
      this.bumpSteps.run(rows[rows.length - 1].step, runId)
    })()
  }

  /** Records a finished epoch: its means, its grid, its checkpoint, and the run's epoch count. */
  insertEpoch(runId: number, result: EpochResult, now = Date.now()): void {
    const m = result.means
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, duration_ms, images_per_sec, ${METRIC_COLUMNS})
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(runId, result.epoch, Math.round(result.durationMs), result.imagesPerSec, ...metricValues(m))
      if (result.gridPngBase64 !== undefined) {
        this.db
          .prepare('INSERT OR REPLACE INTO sample_grids (run_id, epoch, rows, cols, png) VALUES (?, ?, ?, ?, ?)')
          .run(runId, result.epoch, result.gridRows ?? 0, result.gridCols ?? 0, Buffer.from(result.gridPngBase64, 'base64'))
      }
      if (result.samples) {
        this.db.prepare('INSERT OR REPLACE INTO epoch_samples (run_id, epoch, samples_json) VALUES (?, ?, ?)').run(runId, result.epoch, JSON.stringify(result.samples))
      }
      if (result.field) {
        this.db
          .prepare('INSERT OR REPLACE INTO epoch_fields (run_id, epoch, step, field_json) VALUES (?, ?, ?, ?)')
          .run(runId, result.epoch, result.field.step, JSON.stringify(result.field))
      }
      this.db
        .prepare('INSERT OR REPLACE INTO checkpoints (run_id, epoch, dir, created_at) VALUES (?, ?, ?, ?)')
        .run(runId, result.epoch, result.checkpointDir, now)
      this.db.prepare('UPDATE runs SET epochs_done = MAX(epochs_done, ?) WHERE id = ?').run(result.epoch, runId)
    })()
  }

  /**
   * Records a checkpoint folder found on disk without its row (the lab was killed between the
   * folder's rename and the epoch's transaction): the epoch's means come from whatever step rows
   * of it were recorded. Returns how many step rows that epoch has.
   */
  adoptCheckpoint(runId: number, epoch: number, dir: string, now = Date.now()): number {
    return this.db.transaction(() => {
      const steps = this.db
        .prepare(
          `SELECT COUNT(*) AS n, COALESCE(MAX(time_ms) - MIN(time_ms), 0) AS span, COALESCE(AVG(d_loss_real), 0) AS d_loss_real,
           COALESCE(AVG(d_loss_fake), 0) AS d_loss_fake, COALESCE(AVG(g_loss), 0) AS g_loss, AVG(d_acc_real) AS d_acc_real,
           AVG(d_acc_fake) AS d_acc_fake, AVG(wasserstein) AS wasserstein FROM step_metrics WHERE run_id = ? AND epoch = ?`
        )
        .get(runId, epoch) as Omit<StepDbRow, 'step' | 'epoch' | 'time_ms'> & { n: number; span: number }
      this.db
        .prepare(`INSERT OR IGNORE INTO epoch_metrics (run_id, epoch, duration_ms, images_per_sec, ${METRIC_COLUMNS}) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`)
        .run(runId, epoch, steps.span, steps.d_loss_real, steps.d_loss_fake, steps.g_loss, steps.d_acc_real, steps.d_acc_fake, steps.wasserstein)
      this.db.prepare('INSERT OR REPLACE INTO checkpoints (run_id, epoch, dir, created_at) VALUES (?, ?, ?, ?)').run(runId, epoch, dir, now)
      this.db.prepare('UPDATE runs SET epochs_done = MAX(epochs_done, ?) WHERE id = ?').run(epoch, runId)
      return steps.n
    })()
  }

  series(runId: number, afterStep = 0): StepSeries {
    const rows = this.db
      .prepare(`SELECT step, epoch, time_ms, ${METRIC_COLUMNS} FROM step_metrics WHERE run_id = ? AND step > ? ORDER BY step`)
      .all(runId, afterStep) as StepDbRow[]
    const s = emptySeries()
    appendRows(
      s,
      rows.map((r) => ({ step: r.step, epoch: r.epoch, timeMs: r.time_ms, ...metricsOfRow(r) }))
    )
    return s
  }

  epochs(runId: number): EpochInfo[] {
    const rows = this.db
      .prepare(
        `SELECT e.*, g.epoch IS NOT NULL AS has_grid, x.epoch IS NOT NULL AS has_samples, f.epoch IS NOT NULL AS has_field, c.dir AS checkpoint_dir
         FROM epoch_metrics e
         LEFT JOIN sample_grids g ON g.run_id = e.run_id AND g.epoch = e.epoch
         LEFT JOIN epoch_samples x ON x.run_id = e.run_id AND x.epoch = e.epoch
         LEFT JOIN epoch_fields f ON f.run_id = e.run_id AND f.epoch = e.epoch
         LEFT JOIN checkpoints c ON c.run_id = e.run_id AND c.epoch = e.epoch
         WHERE e.run_id = ? ORDER BY e.epoch`
      )
      .all(runId) as (StepDbRow & { duration_ms: number; images_per_sec: number; has_grid: number; has_samples: number; has_field: number; checkpoint_dir: string | null })[]
    return rows.map((r) => ({
      epoch: r.epoch,
      means: metricsOfRow(r),
      durationMs: r.duration_ms,
      imagesPerSec: r.images_per_sec,
      hasGrid: r.has_grid === 1,
      hasSamples: r.has_samples === 1,
      hasField: r.has_field === 1,
      checkpointDir: r.checkpoint_dir
    }))
  }

  grid(runId: number, epoch: number): { png: Buffer; rows: number; cols: number } | null {
    const row = this.db.prepare('SELECT png, rows, cols FROM sample_grids WHERE run_id = ? AND epoch = ?').get(runId, epoch) as
      | { png: Buffer; rows: number; cols: number }
      | undefined
    return row ?? null
  }

  /** Generated rows or points of one epoch (data sets that are not images). */
  samples(runId: number, epoch: number): EpochSamples | null {
    const row = this.db.prepare('SELECT samples_json FROM epoch_samples WHERE run_id = ? AND epoch = ?').get(runId, epoch) as { samples_json: string } | undefined
    if (!row) return null
    const read = readStoredJson<EpochSamples>('epoch_samples', 'samples_json', row.samples_json)
    return read.ok ? read.value : null
  }

  /** The fidelity report of every epoch of a tabular run that has one, in epoch order. */
  fidelity(runId: number): { epoch: number; fidelity: TabularFidelity }[] {
    const rows = this.db
      .prepare("SELECT epoch, json_extract(samples_json, '$.fidelity') AS f FROM epoch_samples WHERE run_id = ? AND json_valid(samples_json) ORDER BY epoch")
      .all(runId) as { epoch: number; f: string | null }[]
    return rows.flatMap((r) => {
      if (r.f === null) return []
      const read = readStoredJson<TabularFidelity>('epoch_samples', 'samples_json', r.f)
      return read.ok ? [{ epoch: r.epoch, fidelity: read.value }] : []
    })
  }

  /**
   * The field of one epoch (toy runs: D's output, points and G's gradient arrows); null when the
   * epoch has none. A stored value that is not a field throws a DATA_ERROR naming it.
   */
  field(runId: number, epoch: number): ToyField | null {
    const row = this.db.prepare('SELECT field_json FROM epoch_fields WHERE run_id = ? AND epoch = ?').get(runId, epoch) as { field_json: string } | undefined
    if (!row) return null
    const read = readStoredJson<ToyField>('epoch_fields', 'field_json', row.field_json)
    if (!read.ok) throw new LabError('DATA_ERROR', `The stored field of run ${runId}, epoch ${epoch} cannot be read: ${read.problem}`)
    return read.value
  }
}
