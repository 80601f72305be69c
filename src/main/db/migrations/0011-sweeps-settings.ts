// Sweeps (a grid of runs over chosen config fields, started together) and lab settings such
// as how many runs train at once (the rest wait in the queue).
import type { Database } from 'better-sqlite3'

export const name = 'sweeps-settings'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE sweeps (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      axes_json TEXT NOT NULL,
      run_ids_json TEXT NOT NULL,
      compare_when_done INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value_json TEXT NOT NULL
    );
  `)
}
