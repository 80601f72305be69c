// Saved latent views: named planes of a run; saving a name again replaces what it held.
// A view goes with its run when the run is deleted.
import type { Database } from 'better-sqlite3'
import { latentViewSettingsSchema, type LatentViewSettings, type SavedLatentView } from '@shared/api'

interface Row {
  id: number
  name: string
  run_id: number
  settings_json: string
  created_at: number
  updated_at: number
}

export class LatentViewsRepo {
  constructor(private readonly db: Database) {}

  list(): SavedLatentView[] {
    const rows = this.db.prepare('SELECT * FROM latent_views ORDER BY updated_at DESC, id DESC').all() as Row[]
    // A row whose settings no longer parse (written by hand) is left out rather than shown half-read.
    return rows.flatMap((row) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(row.settings_json)
      } catch {
        return []
      }
      const settings = latentViewSettingsSchema.safeParse(parsed)
      return settings.success
        ? [{ id: row.id, name: row.name, runId: row.run_id, settings: settings.data, createdAt: row.created_at, updatedAt: row.updated_at }]
        : []
    })
  }

  save(name: string, settings: LatentViewSettings, now = Date.now()): SavedLatentView {
    this.db
      .prepare(
        `INSERT INTO latent_views (name, run_id, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET run_id = excluded.run_id, settings_json = excluded.settings_json, updated_at = excluded.updated_at`
      )
      .run(name, settings.grid.id, JSON.stringify(settings), now, now)
    const id = (this.db.prepare('SELECT id FROM latent_views WHERE name = ?').get(name) as { id: number }).id
    const saved = this.list().find((v) => v.id === id)
    if (!saved) throw new Error(`The latent view "${name}" was saved but cannot be read back`)
    return saved
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM latent_views WHERE id = ?').run(id).changes > 0
  }
}
