// WGAN critics: a critic has no accuracy, so step and epoch accuracies become nullable, and a
// Wasserstein estimate column (null for the other losses) joins them. SQLite cannot relax NOT
// NULL in place, so both tables are rebuilt with their rows.
import type { Database } from 'better-sqlite3'

export const name = 'wasserstein-metrics'

const METRIC_COLUMNS = `
      d_loss_real REAL NOT NULL,
      d_loss_fake REAL NOT NULL,
      g_loss REAL NOT NULL,
      d_acc_real REAL,
      d_acc_fake REAL,
      wasserstein REAL`
const OLD_METRICS = 'd_loss_real, d_loss_fake, g_loss, d_acc_real, d_acc_fake'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE step_metrics_new (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      epoch INTEGER NOT NULL,
      time_ms INTEGER NOT NULL,${METRIC_COLUMNS},
      PRIMARY KEY (run_id, step)
    ) WITHOUT ROWID;
    INSERT INTO step_metrics_new (run_id, step, epoch, time_ms, ${OLD_METRICS})
      SELECT run_id, step, epoch, time_ms, ${OLD_METRICS} FROM step_metrics;
    DROP TABLE step_metrics;
    ALTER TABLE step_metrics_new RENAME TO step_metrics;

    CREATE TABLE epoch_metrics_new (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL,
      images_per_sec REAL NOT NULL,${METRIC_COLUMNS},
      PRIMARY KEY (run_id, epoch)
    );
    INSERT INTO epoch_metrics_new (run_id, epoch, duration_ms, images_per_sec, ${OLD_METRICS})
      SELECT run_id, epoch, duration_ms, images_per_sec, ${OLD_METRICS} FROM epoch_metrics;
    DROP TABLE epoch_metrics;
    ALTER TABLE epoch_metrics_new RENAME TO epoch_metrics;
  `)
}
