// The values of a run bundle's rows, checked against the column types of this lab's database and
// the limits the app itself keeps (a run name is at most 120 characters here as everywhere), so
// a bundle cannot store text where a step number belongs or a value no form could have made.
import type { Database } from 'better-sqlite3'
import { z } from 'zod'

export type CellValue = number | string | null | Buffer

interface ColumnType {
  name: string
  type: string
  notnull: number
}

const RUN_NAME_MAX = 120
const NOTES_MAX = 10_000
/** Short text columns (a status, a backend name, a classifier id): far more than they ever hold. */
const TEXT_MAX = 4_096
/** JSON columns hold settings, flags, histograms and generated samples. */
const JSON_TEXT_MAX = 64 * 1024 ** 2
const MAX_MS = 8.64e15

const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER, 'is too large')
const timestamp = z.number().int('must be a whole number').min(0, 'must not be negative').max(MAX_MS, 'is not a time this app writes')

/** Columns with a narrower range than their SQL type; `table.column`, or `*.column` for any table. */
const LIMITS: Readonly<Record<string, z.ZodTypeAny>> = {
  'runs.name': z.string().trim().min(1, 'must not be empty').max(RUN_NAME_MAX, `must be at most ${RUN_NAME_MAX} characters`),
  'runs.notes': z.string().max(NOTES_MAX, `must be at most ${NOTES_MAX} characters`),
  'runs.status_message': z.string().max(NOTES_MAX, `must be at most ${NOTES_MAX} characters`),
  'runs.epochs': z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000'),
  'runs.seed': z.number().int('must be a whole number').min(0, 'must not be negative').max(0xffffffff, 'must be at most 4294967295'),
  'latent_views.name': z.string().trim().min(1, 'must not be empty').max(RUN_NAME_MAX, `must be at most ${RUN_NAME_MAX} characters`),
  '*.epochs_done': count,
  '*.steps_done': count,
  '*.epoch': count,
  '*.step': count,
  '*.best_epoch': count,
  '*.rows': count,
  '*.cols': count,
  '*.real_count': count,
  '*.generated_count': count,
  '*.classes_covered': count,
  '*.tstr_samples': count,
  '*.time_ms': count,
  '*.duration_ms': count,
  '*.created_at': timestamp,
  '*.started_at': timestamp,
  '*.ended_at': timestamp,
  '*.updated_at': timestamp,
  '*.id': z.number().int('must be a whole number').min(1, 'must be at least 1').max(Number.MAX_SAFE_INTEGER, 'is too large')
}

function bySqlType(column: ColumnType, limited: boolean): z.ZodTypeAny {
  const type = column.type.toUpperCase()
  if (type.includes('INT')) return z.number({ error: 'must be a whole number' }).int('must be a whole number')
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return z.number({ error: 'must be a finite number' })
  if (type.includes('BLOB')) return z.instanceof(Buffer, { error: 'must be binary data' })
  const text = z.string({ error: 'must be text' })
  if (limited) return text
  const max = column.name.endsWith('_json') ? JSON_TEXT_MAX : TEXT_MAX
  return text.max(max, `must be at most ${max} characters`)
}

/** One schema per column of `table`: its SQL type, NOT NULL, and the app's own limit where it keeps one. */
export function columnSchemas(db: Database, table: string): Map<string, z.ZodTypeAny> {
  const columns = db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as ColumnType[]
  return new Map(
    columns.map((column) => {
      const limit = LIMITS[`${table}.${column.name}`] ?? LIMITS[`*.${column.name}`]
      const base = bySqlType(column, limit !== undefined)
      const schema = limit ? base.pipe(limit) : base
      return [column.name, column.notnull ? z.custom<unknown>((v) => v !== null, 'must not be empty (null)').pipe(schema) : schema.nullable()]
    })
  )
}

function shown(value: CellValue): string {
  if (Buffer.isBuffer(value)) return `${value.length} bytes of binary data`
  const text = JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 40)}... (${String(value).length} characters)` : text
}

/**
 * The first value of `rows` that does not fit its column, as "table.column of row N must ...
 * (got ...)", or null when every value fits. `where(i)` names row i for the message.
 */
export function badCell(
  schemas: Map<string, z.ZodTypeAny>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CellValue[])[],
  where: (i: number) => string
): string | null {
  const checks = columns.map((c) => schemas.get(c))
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    for (let c = 0; c < columns.length; c++) {
      const schema = checks[c]
      if (!schema) return `${table} has no column ${columns[c]}`
      const value = row[c]
      const result = schema.safeParse(value)
      if (!result.success) return `${table}.${columns[c]} of ${where(i)} ${result.error.issues[0].message} (got ${shown(value)})`
    }
  }
  return null
}
