// Run management: a researcher's notes and tags on each run.
import type { Database } from 'better-sqlite3'

export const name = 'run-notes-tags'

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
  `)
}
