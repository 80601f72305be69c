// Rendered latent planes, so the same plane of the same checkpoint is drawn only once.
import type { Database } from 'better-sqlite3'

export const name = 'latent-cache'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE latent_cache (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      axis_i INTEGER NOT NULL,
      axis_j INTEGER NOT NULL,
      min REAL NOT NULL,
      max REAL NOT NULL,
      resolution INTEGER NOT NULL,
      rows INTEGER NOT NULL,
      cols INTEGER NOT NULL,
      png BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (run_id, epoch, axis_i, axis_j, min, max, resolution)
    );
  `)
}
