// Opens the lab database: WAL, foreign keys, an integrity check, and the migrations,
// each in its own transaction, with a backup of the file taken before any migration.
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { LabError } from '@shared/errors'
import { MIGRATIONS, type Migration } from './migrations'

export const DB_FILE = 'workbench.sqlite'

export function openDatabase(path: string, migrations: Migration[] = MIGRATIONS): Database {
  const isFile = path !== ':memory:'
  if (isFile) mkdirSync(dirname(path), { recursive: true })
  const existed = isFile && existsSync(path)
  const db = new BetterSqlite3(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (existed) {
      const check = db.pragma('quick_check', { simple: true })
      if (check !== 'ok') throw new LabError('DATA_ERROR', `The database ${path} is damaged (integrity check: ${String(check)})`)
    }
    migrate(db, path, existed, migrations)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

function migrate(db: Database, path: string, existed: boolean, migrations: Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version
  if (current > latest) {
    throw new LabError(
      'DATA_ERROR',
      `The database ${path} was written by a newer version of GAN Workbench (schema ${current}, this app knows up to ${latest}). Update the app to open it.`
    )
  }
  const pending = migrations.filter((m) => m.version > current)
  if (pending.length === 0) return
  if (existed && current > 0) {
    db.pragma('wal_checkpoint(TRUNCATE)')
    copyFileSync(path, `${path}.before-v${pending[0].version}.bak`)
  }
  for (const m of pending) {
    db.transaction(() => {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}
