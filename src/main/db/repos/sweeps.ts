// Sweeps and lab settings.
import type { Database } from 'better-sqlite3'
import { DEFAULT_LAB_SETTINGS, labSettingsSchema, type LabSettings } from '@shared/api'
import type { Sweep, SweepAxis } from '@shared/sweep'

interface SweepRow {
  id: number
  name: string
  axes_json: string
  run_ids_json: string
  compare_when_done: number
  created_at: number
}

const toSweep = (r: SweepRow): Sweep => ({
  id: r.id,
  name: r.name,
  axes: JSON.parse(r.axes_json) as SweepAxis[],
  runIds: JSON.parse(r.run_ids_json) as number[],
  compareWhenDone: r.compare_when_done === 1,
  createdAt: r.created_at
})

export class SweepsRepo {
  constructor(private readonly db: Database) {}

  create(name: string, axes: SweepAxis[], runIds: number[], compareWhenDone: boolean, now = Date.now()): Sweep {
    const info = this.db
      .prepare('INSERT INTO sweeps (name, axes_json, run_ids_json, compare_when_done, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, JSON.stringify(axes), JSON.stringify(runIds), compareWhenDone ? 1 : 0, now)
    return this.get(Number(info.lastInsertRowid))!
  }

  get(id: number): Sweep | null {
    const row = this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined
    return row ? toSweep(row) : null
  }

  list(): Sweep[] {
    return (this.db.prepare('SELECT * FROM sweeps ORDER BY id DESC').all() as SweepRow[]).map(toSweep)
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id).changes > 0
  }
}

export class SettingsRepo {
  constructor(private readonly db: Database) {}

  /** The stored settings over the defaults; a stored value that no longer validates falls back to its default. */
  get(): LabSettings {
    const rows = this.db.prepare('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[]
    const stored: Record<string, unknown> = {}
    for (const r of rows) {
      try {
        stored[r.key] = JSON.parse(r.value_json)
      } catch {
        // unreadable: the default stands
      }
    }
    const out: LabSettings = { ...DEFAULT_LAB_SETTINGS }
    for (const key of Object.keys(out) as (keyof LabSettings)[]) {
      const one = labSettingsSchema.shape[key].safeParse(stored[key])
      if (one.success && one.data !== undefined) out[key] = one.data
    }
    return out
  }

  set(patch: Partial<LabSettings>): LabSettings {
    const stmt = this.db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json')
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) stmt.run(key, JSON.stringify(value))
    })()
    return this.get()
  }
}
