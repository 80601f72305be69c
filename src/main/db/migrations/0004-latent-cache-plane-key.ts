// The latent cache keyed by the whole plane definition (directions, base, range, size), so
// planes through a point or along random directions are cached apart. The cache is only a
// cache: the old rows are dropped.
import type { Database } from 'better-sqlite3'

export const name = 'latent-cache-plane-key'

export function up(db: Database): void {
  db.exec(`
    DROP TABLE latent_cache;
    CREATE TABLE latent_cache (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      plane_key TEXT NOT NULL,
      rows INTEGER NOT NULL,
      cols INTEGER NOT NULL,
      png BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (run_id, epoch, plane_key)
    );
  `)
}
