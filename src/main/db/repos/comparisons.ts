// Saved comparisons: named sets of runs with the compare view's settings; saving a name again
// replaces what it held.
import type { Database } from 'better-sqlite3'
import { compareSettingsSchema, DEFAULT_COMPARE_SETTINGS, type CompareSettings, type SavedComparison } from '@shared/compare'

interface Row {
  id: number
  name: string
  run_ids_json: string
  settings_json: string
  created_at: number
  updated_at: number
}

function toSaved(row: Row): SavedComparison {
  const settings = compareSettingsSchema.safeParse(JSON.parse(row.settings_json))
  return {
    id: row.id,
    name: row.name,
    runIds: JSON.parse(row.run_ids_json) as number[],
    settings: settings.success ? settings.data : DEFAULT_COMPARE_SETTINGS,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

export class ComparisonsRepo {
  constructor(private readonly db: Database) {}

  list(): SavedComparison[] {
    return (this.db.prepare('SELECT * FROM comparisons ORDER BY updated_at DESC, id DESC').all() as Row[]).map(toSaved)
  }

  save(name: string, runIds: number[], settings: CompareSettings, now = Date.now()): SavedComparison {
    this.db
      .prepare(
        `INSERT INTO comparisons (name, run_ids_json, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET run_ids_json = excluded.run_ids_json, settings_json = excluded.settings_json, updated_at = excluded.updated_at`
      )
      .run(name, JSON.stringify(runIds), JSON.stringify(settings), now, now)
    return toSaved(this.db.prepare('SELECT * FROM comparisons WHERE name = ?').get(name) as Row)
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM comparisons WHERE id = ?').run(id).changes > 0
  }
}
