// Rendered latent planes by run, epoch and plane key, so a plane asked for again is not
// rendered again. A cache: bundles leave it out, and a run's rows go with the run.
import type { Database } from 'better-sqlite3'

export interface CachedPlane {
  png: Buffer
  rows: number
  cols: number
}

export class LatentCacheRepo {
  constructor(private readonly db: Database) {}

  get(runId: number, epoch: number, key: string): CachedPlane | null {
    const row = this.db.prepare('SELECT png, rows, cols FROM latent_cache WHERE run_id = ? AND epoch = ? AND plane_key = ?').get(runId, epoch, key) as
      | CachedPlane
      | undefined
    return row ?? null
  }

  put(runId: number, epoch: number, key: string, plane: CachedPlane, now = Date.now()): void {
    this.db
      .prepare('INSERT OR REPLACE INTO latent_cache (run_id, epoch, plane_key, rows, cols, png, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, epoch, key, plane.rows, plane.cols, plane.png, now)
  }
}
