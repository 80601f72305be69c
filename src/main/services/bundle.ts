// Run bundles: one zip with everything a run is (its config, every row the database keeps for
// it, its sample grids and chosen checkpoints), so a run moves between workstations intact.
// The reader trusts nothing in the file: names, sizes, hashes, tables, columns and values are
// checked before anything is written, and the import is one transaction.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { strToU8, unzipSync, zipSync, type UnzipFileInfo, type Zippable } from 'fflate'
import { z } from 'zod'
import type { LatentViewSettings } from '@shared/api'
import { describeIssues, runConfigSchema } from '@shared/config'
import { LabError } from '@shared/errors'
import { readStoredJson } from '../db/stored-json'
import { badCell, columnSchemas } from './bundle-rows'

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

interface ZipEntry {
  name: string
  originalSize: number
}

/**
 * Lists the zip's entries with every name and declared size checked, inflating none: only names
 * a bundle may hold, none twice, each and all together within the limits.
 */
function listEntries(bytes: Uint8Array, limits: BundleLimits): Map<string, ZipEntry> {
  if (bytes.length > limits.maxBytes) refuse(`the file is ${bytes.length} bytes, over the limit of ${limits.maxBytes}`)
  const entries = new Map<string, ZipEntry>()
  let total = 0
  inflate(bytes, (file) => {
    if (entries.size >= limits.maxEntries) refuse(`it holds more than ${limits.maxEntries} entries`)
    if (file.name.endsWith('/')) return false
    if (file.name !== MANIFEST && !TABLE_ENTRY.test(file.name) && !FILE_ENTRY.test(file.name)) {
      refuse(`it holds an entry a run bundle never has: ${JSON.stringify(file.name.slice(0, 120))}`)
    }
    // fflate would keep the last of two entries with one name; which one a reader sees must not be a guess.
    if (entries.has(file.name)) refuse(`it holds ${file.name} twice`)
    if (file.originalSize > limits.maxEntryBytes) refuse(`${file.name} would unpack to ${file.originalSize} bytes (limit ${limits.maxEntryBytes})`)
    total += file.originalSize
    if (total > limits.maxTotalBytes) refuse(`it would unpack to more than ${limits.maxTotalBytes} bytes`)
    entries.set(file.name, { name: file.name, originalSize: file.originalSize })
    return false
  })
  return entries
}

/**
 * Inflates the entries `want` accepts. fflate inflates each into a buffer of its declared size
 * and never grows it, so what was checked on the listing bounds the memory used.
 */
function inflate(bytes: Uint8Array, want: (file: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter: want })
  } catch (err) {
    if (err instanceof LabError) throw err
    refuse(`it is not a readable zip file (${err instanceof Error ? err.message : String(err)})`)
  }
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

function readManifest(head: Record<string, Uint8Array>, entries: Map<string, ZipEntry>, schemaVersion: number): Manifest {
  const raw = parseJson(MANIFEST, head[MANIFEST]) as Record<string, unknown> | null
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
  for (const name of entries.keys()) {
    if (name !== MANIFEST && !Object.hasOwn(manifest.sha256, name)) refuse(`${name} is not listed in the manifest`)
  }
  for (const name of Object.keys(manifest.sha256)) if (!entries.has(name)) refuse(`${name} is listed in the manifest but missing`)
  checkHashes(head, manifest)
  return manifest
}

function checkHashes(files: Record<string, Uint8Array>, manifest: Manifest): void {
  for (const [name, data] of Object.entries(files)) {
    if (name !== MANIFEST && sha256(data) !== manifest.sha256[name]) refuse(`${name} is damaged (its SHA-256 does not match the manifest)`)
  }
}

const BYTES_PER_DTYPE: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, string: 0, complex64: 8 }
const OPTIMIZER_FILES = ['d', 'g']

const modelJsonSchema = z
  .object({
    weightsManifest: z.array(
      z
        .object({
          paths: z.array(z.string().max(100)),
          weights: z.array(z.object({ shape: z.array(z.number().int().min(0)), dtype: z.string() }).passthrough())
        })
        .passthrough()
    )
  })
  .passthrough()

const optimizerJsonSchema = z
  .object({ weights: z.array(z.object({ length: z.number().int().min(0) }).passthrough()) })
  .passthrough()

/**
 * The checkpoint files of the bundle, inflated only once they are known to belong: each lies in
 * a checkpoint folder a row names, and is a model.json, a weight file it names, or optimizer
 * state; a weight or state file must declare the size its JSON says it holds. So a bundle cannot
 * make the lab inflate or write anything its rows do not use.
 */
function readCheckpointFiles(bytes: Uint8Array, entries: Map<string, ZipEntry>, manifest: Manifest, dirs: ReadonlySet<string>): Record<string, Uint8Array> {
  const fileEntries = [...entries.keys()].filter((n) => FILE_ENTRY.test(n))
  const folderOf = (name: string): string => name.split('/').slice(1, 3).join('/')
  for (const name of fileEntries) {
    if (!dirs.has(folderOf(name))) refuse(`${name} belongs to no checkpoint of the run (no checkpoint row names ${folderOf(name)})`)
  }
  const describing = (name: string): boolean => name.endsWith('/model.json') || /\/optimizer\/[dg]\.json$/.test(name)
  const heads = inflate(bytes, (f) => entries.has(f.name) && FILE_ENTRY.test(f.name) && describing(f.name))
  checkHashes(heads, manifest)
  /** Entry name -> the bytes its describing JSON says it holds (sum over a model's weight files). */
  const expected = new Map<string, number>()
  const groups: { names: string[]; bytes: number; describedBy: string }[] = []
  for (const [name, data] of Object.entries(heads)) {
    if (name.endsWith('/model.json')) {
      const model = modelJsonSchema.safeParse(parseJson(name, data))
      if (!model.success) refuse(`${name} is not a tfjs model (${zodProblem(model.error)})`)
      const folder = name.slice(0, -'model.json'.length)
      let bytesWanted = 0
      const names: string[] = []
      for (const group of model.data.weightsManifest) {
        for (const w of group.weights) bytesWanted += w.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_DTYPE[w.dtype] ?? 4)
        for (const p of group.paths) {
          if (!entries.has(folder + p)) refuse(`${name} names a weight file that is not in the bundle: ${JSON.stringify(p).slice(0, 80)}`)
          names.push(folder + p)
        }
      }
      groups.push({ names, bytes: bytesWanted, describedBy: name })
    } else {
      const state = optimizerJsonSchema.safeParse(parseJson(name, data))
      if (!state.success) refuse(`${name} is not optimizer state (${zodProblem(state.error)})`)
      const bin = name.replace(/\.json$/, '.bin')
      if (!entries.has(bin)) refuse(`${name} has no ${bin.split('/').pop()} beside it`)
      groups.push({ names: [bin], bytes: state.data.weights.reduce((a, w) => a + w.length * 4, 0), describedBy: name })
    }
  }
  for (const { names, bytes: wanted, describedBy } of groups) {
    const declared = names.reduce((a, n) => a + (entries.get(n)?.originalSize ?? 0), 0)
    if (declared !== wanted) refuse(`${describedBy} describes ${wanted} bytes of weights, but its files would unpack to ${declared}`)
    for (const n of names) expected.set(n, wanted)
  }
  for (const name of fileEntries) {
    if (!heads[name] && !expected.has(name)) refuse(`${name} is used by no model or optimizer state of its checkpoint`)
  }
  for (const dir of dirs) {
    for (const part of ['generator', 'discriminator']) {
      if (fileEntries.some((n) => n.startsWith(`files/${dir}/${part}/`)) && !heads[`files/${dir}/${part}/model.json`]) refuse(`files/${dir}/${part} has no model.json`)
    }
    for (const o of OPTIMIZER_FILES) {
      if (entries.has(`files/${dir}/optimizer/${o}.bin`) && !heads[`files/${dir}/optimizer/${o}.json`]) refuse(`files/${dir}/optimizer/${o}.bin has no ${o}.json beside it`)
    }
  }
  const rest = inflate(bytes, (f) => expected.has(f.name))
  checkHashes(rest, manifest)
  return { ...heads, ...rest }
}

/** Refuses a JSON column's value (`*_json`) that is not JSON or not what this app reads there. */
function checkJsonCell(table: string, column: string, value: number | string | null | Buffer, where: string): void {
  if (!column.endsWith('_json') || value === null) return
  if (typeof value !== 'string') refuse(`${table}.${column} of ${where} is not text`)
  const read = readStoredJson(table, column, value)
  if (!read.ok) refuse(`${read.problem.replace(`${table}.${column}`, `${table}.${column} of ${where}`)}`)
}

type ImportedTable = { table: string; columns: string[]; rows: Cell[][] }

/**
 * A bundle's saved latent views, made to fit this lab: a new id each (the bundle's may be taken),
 * a name no view here has (" (imported)", then a number), the plane pointed at the new run, and
 * the second run it was compared with dropped (that run is not in this lab).
 */
function latentViewRemapper(db: Database, views: ImportedTable, warnings: string[]): (runId: number) => ImportedTable {
  const nameAt = views.columns.indexOf('name')
  const settingsAt = views.columns.indexOf('settings_json')
  const taken = new Set(db.prepare('SELECT name FROM latent_views').pluck().all() as string[])
  const names = views.rows.map((row) => {
    const name = String(row[nameAt])
    let unique = name
    for (let n = 1; taken.has(unique); n++) unique = `${name.slice(0, 100)} (imported${n > 1 ? ` ${n}` : ''})`
    if (unique !== name) warnings.push(`A latent view named "${name}" exists here; the bundle's is imported as "${unique}".`)
    taken.add(unique)
    return unique
  })
  const keep = views.columns.map((c, i) => (c === 'id' ? -1 : i)).filter((i) => i >= 0)
  return (runId) => ({
    table: views.table,
    columns: keep.map((i) => views.columns[i]),
    rows: views.rows.map((row, r) => {
      const out = [...row]
      if (nameAt >= 0) out[nameAt] = names[r]
      if (settingsAt >= 0 && typeof row[settingsAt] === 'string') {
        const settings = JSON.parse(row[settingsAt]) as LatentViewSettings
        if (settings.compareRunId !== undefined) warnings.push(`The latent view "${names[r]}" was compared with run ${settings.compareRunId}, which is not in this lab; it shows its own run only.`)
        const remapped: LatentViewSettings = { ...settings, grid: { ...settings.grid, id: runId } }
        delete remapped.compareRunId
        out[settingsAt] = JSON.stringify(remapped)
      }
      return keep.map((i) => out[i])
    })
  })
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
  const entries = listEntries(bytes, limits)
  const head = inflate(bytes, (f) => f.name === MANIFEST || TABLE_ENTRY.test(f.name))
  const manifest = readManifest(head, entries, schemaVersion)
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
    const parsed = tableSchema.safeParse(parseJson(`tables/${table}.json`, head[`tables/${table}.json`]))
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
  // Every value must fit its column's type and the app's own limits.
  const runProblem = badCell(columnSchemas(db, 'runs'), 'runs', Object.keys(run), [Object.values(run)], () => 'the run')
  if (runProblem) refuse(runProblem)
  for (const { table, columns, rows } of tables) {
    const problem = badCell(columnSchemas(db, table), table, columns, rows.map((r) => r.map(decodeCell)), (i) => `row ${i + 1}`)
    if (problem) refuse(problem)
  }
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
      if (![...entries.keys()].some((f) => f.startsWith(`files/${dir}/`))) refuse(`the files of checkpoint ${dir} are missing`)
    }
  }
  const checkpointDirs = new Set(checkpoints ? checkpoints.rows.map((row) => String(row[checkpoints.columns.indexOf('dir')])) : [])
  const files = readCheckpointFiles(bytes, entries, manifest, checkpointDirs)
  const views = tables.find((t) => t.table === 'latent_views')
  const remapView = views ? latentViewRemapper(db, views, warnings) : null

  // Files go to a staging folder first; the database commit and the rename make them live.
  let runId = 0
  let staging = ''
  const insert = db.transaction(() => {
    const cols = Object.keys(run)
    const info = db.prepare(`INSERT INTO runs (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => run[c]))
    runId = Number(info.lastInsertRowid)
    for (const imported of tables) {
      const { table, columns, rows } = imported.table === 'latent_views' && remapView ? remapView(runId) : imported
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
