// Saved latent views: a named plane of a run (settings as the JSON the CLI reproduces).
import type { Database } from 'better-sqlite3'

export const name = 'latent-views'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE latent_views (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      settings_json TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `)
}
