// Sample-quality scores per run and epoch, and each run's best epoch and failure flags.
import type { Database } from 'better-sqlite3'

export const name = 'evaluation'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE epoch_scores (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      classifier_id TEXT NOT NULL,
      classifier_accuracy REAL NOT NULL,
      real_count INTEGER NOT NULL,
      generated_count INTEGER NOT NULL,
      fid REAL NOT NULL,
      fid_floor REAL NOT NULL,
      classifier_score REAL NOT NULL,
      real_classifier_score REAL NOT NULL,
      precision REAL NOT NULL,
      recall REAL NOT NULL,
      density REAL NOT NULL,
      coverage REAL NOT NULL,
      histogram_json TEXT NOT NULL,
      classes_covered INTEGER NOT NULL,
      fixed_batch_diversity REAL NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (run_id, epoch)
    ) WITHOUT ROWID;

    CREATE TABLE run_evaluation (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      best_by TEXT NOT NULL,
      best_epoch INTEGER,
      best_value REAL,
      flags_json TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `)
}
