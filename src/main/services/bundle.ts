// Run bundles: one zip with everything a run is (its config, every row the database keeps for
// it, its sample grids and chosen checkpoints), so a run moves between workstations intact.
// The reader trusts nothing in the file: names, sizes, hashes, tables, columns and values are
// checked before anything is written, and the import is one transaction.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate'
import { z } from 'zod'
import { describeIssues, runConfigSchema } from '@shared/config'
import { LabError } from '@shared/errors'
import { readStoredJson } from '../db/stored-json'

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
const RUN_COLUMNS_SET_ON_IMPORT = new Set(['id'])
const ACTIVE_STATUSES = new Set(['queued', 'running'])
const KNOWN_STATUSES = new Set(['queued', 'running', 'completed', 'stopped', 'diverged', 'failed', 'crashed'])

const MANIFEST = 'manifest.json'
const TABLE_ENTRY = /^tables\/([a-z][a-z0-9_]{0,62})\.json$/
/** Files of a run folder a bundle may carry: checkpoint model folders, nothing else. */
const FILE_ENTRY = /^files\/(checkpoints\/epoch-\d{4,6}\/[a-z][a-z0-9_-]{0,30}\/[A-Za-z0-9][A-Za-z0-9._-]{0,100})$/
const CHECKPOINT_DIR = /^checkpoints\/epoch-\d{4,6}$/

type Cell = number | string | null | { $base64: string }

const cellSchema: z.ZodType<Cell> = z.union([
  z.number().finite(),
  z.string().max(64 * 1024 ** 2),
  z.null(),
  z.object({ $base64: z.string() }).strict()
])

const tableSchema = z
  .object({
    columns: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'is not a column name')).min(1).max(200),
    rows: z.array(z.array(cellSchema))
  })
  .strict()

const manifestSchema = z
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

type Manifest = z.infer<typeof manifestSchema>

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

function refuse(message: string): never {
  throw new LabError('DATA_ERROR', `This run bundle cannot be imported: ${message}`)
}

/** Tables with a run_id column (the run's data), in the order they are created. */
function runTables(db: Database): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid").pluck().all() as string[]
  return tables.filter((t) => t !== 'runs' && !NOT_BUNDLED.has(t) && columnsOf(db, t).some((c) => c.name === 'run_id'))
}

interface ColumnInfo {
  name: string
  notnull: number
  pk: number
}

function columnsOf(db: Database, table: string): ColumnInfo[] {
  return db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as ColumnInfo[]
}

function encodeCell(value: unknown): Cell {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') }
  if (typeof value === 'bigint') return Number(value)
  return value as Cell
}

function decodeCell(value: Cell): number | string | null | Buffer {
  if (value !== null && typeof value === 'object') return Buffer.from(value.$base64, 'base64')
  return value
}

function listFiles(root: string, rel = ''): string[] {
  const here = join(root, rel)
  if (!existsSync(here)) return []
  return readdirSync(here, { withFileTypes: true }).flatMap((entry) => {
    const path = rel ? `${rel}/${entry.name}` : entry.name
    return entry.isDirectory() ? listFiles(root, path) : entry.isFile() ? [path] : []
  })
}

export interface ExportBundleOptions {
  checkpoints: BundleCheckpoints
  appVersion: string
  now?: Date
}

/** The zip of one run. `runDir` is the run's folder (checkpoints live below it). */
export function exportRunBundle(db: Database, runId: number, runDir: string, opts: ExportBundleOptions): Uint8Array {
  const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as Record<string, unknown> | undefined
  if (!run) throw new LabError('NOT_FOUND', `Run ${runId} does not exist`)
  const entries: Zippable = {}
  const hashes: Record<string, string> = {}
  const add = (name: string, data: Uint8Array, level: 0 | 6 = 6): void => {
    entries[name] = [data, { level }]
    hashes[name] = sha256(data)
  }

  const checkpointRows = db.prepare('SELECT epoch, dir FROM checkpoints WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number; dir: string }[]
  const kept =
    opts.checkpoints === 'all' ? checkpointRows : opts.checkpoints === 'last' ? checkpointRows.slice(-1) : ([] as typeof checkpointRows)
  const keptDirs = new Set(kept.map((c) => c.dir))

  const tables = runTables(db)
  for (const table of tables) {
    const columns = columnsOf(db, table)
      .map((c) => c.name)
      .filter((c) => c !== 'run_id')
    let rows = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" WHERE run_id = ?`).raw().all(runId) as unknown[][]
    // A checkpoint row travels only with its files.
    if (table === 'checkpoints') rows = rows.filter((row) => keptDirs.has(String(row[columns.indexOf('dir')])))
    add(`tables/${table}.json`, strToU8(JSON.stringify({ columns, rows: rows.map((r) => r.map(encodeCell)) })))
  }
  for (const { dir } of kept) {
    for (const rel of listFiles(runDir, dir)) add(`files/${rel}`, readFileSync(join(runDir, rel)), 0)
  }
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    appVersion: opts.appVersion,
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    exportedAt: (opts.now ?? new Date()).toISOString(),
    run: Object.fromEntries(Object.entries(run).filter(([k]) => !RUN_COLUMNS_SET_ON_IMPORT.has(k)).map(([k, v]) => [k, encodeCell(v)])),
    tables,
    sha256: hashes
  }
  entries[MANIFEST] = strToU8(JSON.stringify(manifest, null, 1))
  return zipSync(entries)
}

export function bundleFileName(runId: number, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80)
  return `run-${runId}${safe ? `-${safe}` : ''}.gwbundle.zip`
}

/** Unpacks the zip with every declared size checked first; only the names a bundle may hold. */
function unpack(bytes: Uint8Array, limits: BundleLimits): Record<string, Uint8Array> {
  if (bytes.length > limits.maxBytes) refuse(`the file is ${bytes.length} bytes, over the limit of ${limits.maxBytes}`)
  let entries = 0
  let total = 0
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (++entries > limits.maxEntries) refuse(`it holds more than ${limits.maxEntries} entries`)
        if (file.name.endsWith('/')) return false
        if (file.name !== MANIFEST && !TABLE_ENTRY.test(file.name) && !FILE_ENTRY.test(file.name)) {
          refuse(`it holds an entry a run bundle never has: ${JSON.stringify(file.name.slice(0, 120))}`)
        }
        if (file.originalSize > limits.maxEntryBytes) refuse(`${file.name} would unpack to ${file.originalSize} bytes (limit ${limits.maxEntryBytes})`)
        total += file.originalSize
        if (total > limits.maxTotalBytes) refuse(`it would unpack to more than ${limits.maxTotalBytes} bytes`)
        return true
      }
    })
  } catch (err) {
    if (err instanceof LabError) throw err
    refuse(`it is not a readable zip file (${err instanceof Error ? err.message : String(err)})`)
  }
  return files
}

function parseJson(name: string, data: Uint8Array | undefined): unknown {
  if (!data) refuse(`${name} is missing`)
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'))
  } catch (err) {
    refuse(`${name} is not valid JSON (${err instanceof Error ? err.message : String(err)})`)
  }
}

function zodProblem(error: z.ZodError): string {
  return describeIssues(error)
    .slice(0, 3)
    .map((i) => `${i.field}: ${i.message}`)
    .join('; ')
}

function readManifest(files: Record<string, Uint8Array>, schemaVersion: number): Manifest {
  const raw = parseJson(MANIFEST, files[MANIFEST]) as Record<string, unknown> | null
  if (raw && typeof raw === 'object' && raw.format !== BUNDLE_FORMAT) refuse(`it is not a GAN Workbench run bundle (format ${JSON.stringify(raw.format)})`)
  if (raw && typeof raw === 'object' && typeof raw.version === 'number' && raw.version > BUNDLE_VERSION) {
    refuse(`it was written by a newer GAN Workbench (bundle version ${raw.version}; this app reads up to ${BUNDLE_VERSION})`)
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) refuse(`its manifest is malformed (${zodProblem(parsed.error)})`)
  const manifest = parsed.data
  if (manifest.schemaVersion > schemaVersion) {
    refuse(`it comes from a newer database schema (${manifest.schemaVersion}; this app knows up to ${schemaVersion}); update GAN Workbench`)
  }
  for (const name of Object.keys(files)) {
    if (name === MANIFEST) continue
    const expected = manifest.sha256[name]
    if (!expected) refuse(`${name} is not listed in the manifest`)
    if (sha256(files[name]) !== expected) refuse(`${name} is damaged (its SHA-256 does not match the manifest)`)
  }
  for (const name of Object.keys(manifest.sha256)) if (!files[name]) refuse(`${name} is listed in the manifest but missing`)
  return manifest
}

/** A tfjs model folder must hold its model.json and every weight file the manifest names. */
function checkModelFolders(files: Record<string, Uint8Array>): void {
  for (const name of Object.keys(files).filter((n) => n.endsWith('/model.json'))) {
    const model = parseJson(name, files[name]) as { weightsManifest?: { paths?: unknown }[] } | null
    if (!model || typeof model !== 'object' || !Array.isArray(model.weightsManifest)) refuse(`${name} is not a tfjs model (no weightsManifest)`)
    const folder = name.slice(0, -'model.json'.length)
    for (const group of model.weightsManifest) {
      const paths = Array.isArray(group?.paths) ? group.paths : []
      for (const p of paths) {
        if (typeof p !== 'string' || !files[folder + p]) refuse(`${name} names a weight file that is not in the bundle: ${JSON.stringify(p).slice(0, 80)}`)
      }
    }
  }
}

/** Refuses a JSON column's value (`*_json`) that is not JSON or not what this app reads there. */
function checkJsonCell(table: string, column: string, value: number | string | null | Buffer, where: string): void {
  if (!column.endsWith('_json') || value === null) return
  if (typeof value !== 'string') refuse(`${table}.${column} of ${where} is not text`)
  const read = readStoredJson(table, column, value)
  if (!read.ok) refuse(`${read.problem.replace(`${table}.${column}`, `${table}.${column} of ${where}`)}`)
}

export interface ImportedBundle {
  runId: number
  name: string
  warnings: string[]
}

/**
 * Adds the bundled run as a new run (a new id; its files under `runDirOf(newId)`). A run
 * that was training when it was exported arrives as stopped. Throws LabError DATA_ERROR or
 * INVALID_CONFIG, naming the problem; nothing is written then.
 */
export function importRunBundle(
  db: Database,
  bytes: Uint8Array,
  runDirOf: (id: number) => string,
  limits: BundleLimits = DEFAULT_BUNDLE_LIMITS
): ImportedBundle {
  const schemaVersion = db.pragma('user_version', { simple: true }) as number
  const files = unpack(bytes, limits)
  const manifest = readManifest(files, schemaVersion)
  checkModelFolders(files)
  const warnings: string[] = []

  // The run's own row.
  const runColumns = new Map(columnsOf(db, 'runs').map((c) => [c.name, c]))
  const run: Record<string, number | string | null | Buffer> = {}
  for (const [column, value] of Object.entries(manifest.run)) {
    if (!runColumns.has(column) || RUN_COLUMNS_SET_ON_IMPORT.has(column)) refuse(`the run has a field this lab does not know: ${column}`)
    run[column] = decodeCell(value)
  }
  if (typeof run.config_json !== 'string') refuse('the run has no config')
  let config: unknown
  try {
    config = JSON.parse(run.config_json)
  } catch {
    refuse('the run config is not JSON')
  }
  const checked = runConfigSchema.safeParse(config)
  if (!checked.success) {
    const issues = describeIssues(checked.error)
    throw new LabError('INVALID_CONFIG', `This run bundle cannot be imported: its config does not fit this lab (${zodProblem(checked.error)})`, issues)
  }
  run.config_json = JSON.stringify(checked.data)
  if (typeof run.status !== 'string' || !KNOWN_STATUSES.has(run.status)) refuse(`the run has an unknown status ${JSON.stringify(run.status)}`)
  if (ACTIVE_STATUSES.has(run.status)) {
    warnings.push(`The run was ${run.status} when it was exported; it is imported as stopped.`)
    run.status = 'stopped'
    run.status_message = 'Imported from a bundle exported while it was training.'
  }

  // Tables: only the run tables this lab has, only columns it knows.
  const known = new Set(runTables(db))
  const tables = manifest.tables.map((table) => {
    if (!known.has(table)) refuse(`it holds a table this lab does not have: ${table}`)
    const parsed = tableSchema.safeParse(parseJson(`tables/${table}.json`, files[`tables/${table}.json`]))
    if (!parsed.success) refuse(`tables/${table}.json is malformed (${zodProblem(parsed.error)})`)
    const { columns, rows } = parsed.data
    const have = new Set(columnsOf(db, table).map((c) => c.name))
    for (const c of columns) if (c === 'run_id' || !have.has(c)) refuse(`table ${table} has a column this lab does not know: ${c}`)
    if (new Set(columns).size !== columns.length) refuse(`table ${table} names a column twice`)
    if (rows.length > limits.maxRows) refuse(`table ${table} has ${rows.length} rows (limit ${limits.maxRows})`)
    rows.forEach((row, i) => {
      if (row.length !== columns.length) refuse(`table ${table} row ${i + 1} has ${row.length} values for ${columns.length} columns`)
    })
    return { table, columns, rows }
  })
  // Every JSON column's value must parse and have the shape its readers expect: a value that
  // does not would be committed and then break every list that reads it.
  for (const [column, value] of Object.entries(run)) {
    if (column !== 'config_json') checkJsonCell('runs', column, value, 'the run')
  }
  for (const { table, columns, rows } of tables) {
    columns.forEach((column, c) => rows.forEach((row, i) => checkJsonCell(table, column, decodeCell(row[c]), `row ${i + 1}`)))
  }
  const checkpoints = tables.find((t) => t.table === 'checkpoints')
  if (checkpoints) {
    const dirAt = checkpoints.columns.indexOf('dir')
    for (const row of checkpoints.rows) {
      const dir = row[dirAt]
      if (typeof dir !== 'string' || !CHECKPOINT_DIR.test(dir)) refuse(`a checkpoint names an invalid folder: ${JSON.stringify(dir).slice(0, 80)}`)
      if (!Object.keys(files).some((f) => f.startsWith(`files/${dir}/`))) refuse(`the files of checkpoint ${dir} are missing`)
    }
  }

  // Files go to a staging folder first; the database commit and the rename make them live.
  let runId = 0
  let staging = ''
  const insert = db.transaction(() => {
    const cols = Object.keys(run)
    const info = db.prepare(`INSERT INTO runs (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => run[c]))
    runId = Number(info.lastInsertRowid)
    for (const { table, columns, rows } of tables) {
      const stmt = db.prepare(`INSERT INTO "${table}" (run_id, ${columns.map((c) => `"${c}"`).join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`)
      rows.forEach((row, i) => {
        try {
          stmt.run(runId, ...row.map(decodeCell))
        } catch (err) {
          refuse(`table ${table} row ${i + 1} does not fit (${err instanceof Error ? err.message : String(err)})`)
        }
      })
    }
    const target = runDirOf(runId)
    if (existsSync(target)) refuse(`the folder for the new run already exists: ${target}`)
    staging = `${target}.importing`
    rmSync(staging, { recursive: true, force: true })
    for (const [name, data] of Object.entries(files)) {
      const m = FILE_ENTRY.exec(name)
      if (!m) continue
      const path = join(staging, m[1])
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, data)
    }
  })
  try {
    insert()
    if (staging && existsSync(staging)) renameSync(staging, runDirOf(runId))
  } catch (err) {
    if (staging) rmSync(staging, { recursive: true, force: true })
    throw err
  }
  return { runId, name: String(run.name), warnings }
}

/** Size of a file, checked before it is read. */
export function readBundleFile(path: string, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Uint8Array {
  let size: number
  try {
    size = statSync(path).size
  } catch {
    throw new LabError('NOT_FOUND', `No file at ${path}`)
  }
  if (size > limits.maxBytes) refuse(`the file is ${size} bytes, over the limit of ${limits.maxBytes}`)
  return readFileSync(path)
}
