// Run bundles' format: the zip's names and limits, the manifest and table schemas, and the
// helpers both halves share (the run's tables, cells to JSON and back, refusing a bundle).
import { createHash } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import { z } from 'zod'
import { LabError } from '@shared/errors'
import { TRANSFORM_FILE } from '@shared/tabular-transform'

export const BUNDLE_FORMAT = 'gan-workbench/run-bundle'
export const BUNDLE_VERSION = 1

export type BundleCheckpoints = 'none' | 'last' | 'all'

export interface BundleLimits {
  /** The zip file itself. */
  maxBytes: number
  maxEntries: number
  /** Uncompressed size of one entry, as declared in the zip's directory (checked before inflating). */
  maxEntryBytes: number
  /** Uncompressed size of all entries together. */
  maxTotalBytes: number
  /** Rows of one table. */
  maxRows: number
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxBytes: 2 * 1024 ** 3,
  maxEntries: 20_000,
  maxEntryBytes: 512 * 1024 ** 2,
  maxTotalBytes: 4 * 1024 ** 3,
  maxRows: 5_000_000
}

/** Tables that belong to a run but are caches, rebuilt on demand: never bundled. */
const NOT_BUNDLED = new Set(['latent_cache'])
/** The run's own row: these columns are the importing lab's business. */
export const RUN_COLUMNS_SET_ON_IMPORT = new Set(['id'])

export const MANIFEST = 'manifest.json'
export const TABLE_ENTRY = /^tables\/([a-z][a-z0-9_]{0,62})\.json$/
/** Files of a run folder a bundle may carry: checkpoint model folders, and the RUN_FILES below. */
export const FILE_ENTRY = /^files\/(checkpoints\/epoch-\d{4,6}\/[a-z][a-z0-9_-]{0,30}\/[A-Za-z0-9][A-Za-z0-9._-]{0,100})$/
export const CHECKPOINT_DIR = /^checkpoints\/epoch-\d{4,6}$/
/** Files of the run folder itself a bundle carries when the run has them: how a table run's rows are encoded. */
export const RUN_FILES: readonly string[] = [TRANSFORM_FILE]
export const runFileEntry = (name: string): string => `files/${name}`
export const isRunFileEntry = (entry: string): boolean => RUN_FILES.some((f) => runFileEntry(f) === entry)

export type Cell = number | string | null | { $base64: string }

const cellSchema: z.ZodType<Cell> = z.union([
  z.number().finite(),
  z.string().max(64 * 1024 ** 2),
  z.null(),
  z.object({ $base64: z.string() }).strict()
])

export const tableSchema = z
  .object({
    columns: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'is not a column name')).min(1).max(200),
    rows: z.array(z.array(cellSchema))
  })
  .strict()

export const manifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    version: z.number().int().min(1),
    appVersion: z.string().max(100),
    schemaVersion: z.number().int().min(1),
    exportedAt: z.string().max(100),
    run: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/), cellSchema),
    tables: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/)).max(100),
    /** SHA-256 of every other entry, so a damaged or altered entry is caught. */
    sha256: z.record(z.string().max(300), z.string().regex(/^[0-9a-f]{64}$/))
  })
  .strict()

export type Manifest = z.infer<typeof manifestSchema>

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

export function refuse(message: string): never {
  throw new LabError('DATA_ERROR', `This run bundle cannot be imported: ${message}`)
}

/** Tables with a run_id column (the run's data), in the order they are created. */
export function runTables(db: Database): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid").pluck().all() as string[]
  return tables.filter((t) => t !== 'runs' && !NOT_BUNDLED.has(t) && columnsOf(db, t).some((c) => c.name === 'run_id'))
}

export interface ColumnInfo {
  name: string
  notnull: number
  pk: number
}

export function columnsOf(db: Database, table: string): ColumnInfo[] {
  return db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as ColumnInfo[]
}

export function encodeCell(value: unknown): Cell {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') }
  if (typeof value === 'bigint') return Number(value)
  return value as Cell
}

export function decodeCell(value: Cell): number | string | null | Buffer {
  if (value !== null && typeof value === 'object') return Buffer.from(value.$base64, 'base64')
  return value
}
