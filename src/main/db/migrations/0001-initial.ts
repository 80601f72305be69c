// Runs, their per-step and per-epoch metrics, sample grids and checkpoints.
import type { Database } from 'better-sqlite3'

export const name = 'initial'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      preset TEXT NOT NULL,
      optimizer TEXT NOT NULL,
      seed INTEGER NOT NULL,
      epochs INTEGER NOT NULL,
      config_json TEXT NOT NULL,
      status TEXT NOT NULL,
      status_message TEXT,
      backend TEXT,
      backend_report_json TEXT,
      epochs_done INTEGER NOT NULL DEFAULT 0,
      steps_done INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      ended_at INTEGER
    );
    CREATE INDEX runs_status ON runs(status);
    CREATE INDEX runs_created ON runs(created_at);

    CREATE TABLE step_metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      epoch INTEGER NOT NULL,
      time_ms INTEGER NOT NULL,
      d_loss_real REAL NOT NULL,
      d_loss_fake REAL NOT NULL,
      g_loss REAL NOT NULL,
      d_acc_real REAL NOT NULL,
      d_acc_fake REAL NOT NULL,
      PRIMARY KEY (run_id, step)
    ) WITHOUT ROWID;

    CREATE TABLE epoch_metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL,
      images_per_sec REAL NOT NULL,
      d_loss_real REAL NOT NULL,
      d_loss_fake REAL NOT NULL,
      g_loss REAL NOT NULL,
      d_acc_real REAL NOT NULL,
      d_acc_fake REAL NOT NULL,
      PRIMARY KEY (run_id, epoch)
    );

    CREATE TABLE sample_grids (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      rows INTEGER NOT NULL,
      cols INTEGER NOT NULL,
      png BLOB NOT NULL,
      PRIMARY KEY (run_id, epoch)
    );

    CREATE TABLE checkpoints (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      dir TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (run_id, epoch)
    );
  `)
}
