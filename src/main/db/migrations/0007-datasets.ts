// Imported data sets (their files live in datasets/<id>/ of the data folder) and the
// per-epoch samples of runs whose samples are not images (generated rows, point clouds).
import type { Database } from 'better-sqlite3'

export const name = 'datasets'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE datasets (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('images', 'tabular')),
      height INTEGER,
      width INTEGER,
      channels INTEGER,
      columns_json TEXT,
      count INTEGER NOT NULL,
      classes INTEGER,
      source TEXT NOT NULL,
      imported_at INTEGER NOT NULL
    );
    CREATE TABLE epoch_samples (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      samples_json TEXT NOT NULL,
      PRIMARY KEY (run_id, epoch)
    );
  `)
}
