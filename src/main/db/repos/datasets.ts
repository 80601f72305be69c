// Imported data sets: one row each; the files are in datasets/<id>/ of the data folder.
import type { Database } from 'better-sqlite3'
import type { ColumnSpec, DatasetInfo } from '@shared/datasets'

interface DatasetRow {
  id: number
  name: string
  kind: 'images' | 'tabular'
  height: number | null
  width: number | null
  channels: number | null
  columns_json: string | null
  count: number
  classes: number | null
  source: string
  imported_at: number
}

function toInfo(r: DatasetRow): DatasetInfo {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    image: r.height && r.width ? { height: r.height, width: r.width, channels: r.channels === 3 ? 3 : 1 } : null,
    columns: r.columns_json ? (JSON.parse(r.columns_json) as ColumnSpec[]) : null,
    count: r.count,
    classes: r.classes,
    source: r.source,
    importedAt: r.imported_at
  }
}

export type NewDataset = Omit<DatasetInfo, 'id' | 'importedAt'> & { kind: 'images' | 'tabular' }

export class DatasetsRepo {
  constructor(private readonly db: Database) {}

  create(d: NewDataset, now = Date.now()): number {
    const result = this.db
      .prepare(
        `INSERT INTO datasets (name, kind, height, width, channels, columns_json, count, classes, source, imported_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(d.name, d.kind, d.image?.height ?? null, d.image?.width ?? null, d.image?.channels ?? null, d.columns ? JSON.stringify(d.columns) : null, d.count, d.classes, d.source, now)
    return Number(result.lastInsertRowid)
  }

  list(): DatasetInfo[] {
    return (this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[]).map(toInfo)
  }

  get(id: number): DatasetInfo | null {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
    return row ? toInfo(row) : null
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id)
  }
}
