// Saved comparisons: a named set of runs and how the compare view showed them.
import type { Database } from 'better-sqlite3'

export const name = 'comparisons'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE comparisons (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      run_ids_json TEXT NOT NULL,
      settings_json TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `)
}
