// Run bundles, the import half: a bundle's run added as a new run, every table, column and
// value checked against this lab first, rows and files committed together or not at all.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { LatentViewSettings } from '@shared/api'
import { describeIssues, runConfigSchema } from '@shared/config'
import { LabError } from '@shared/errors'
import { readStoredJson } from '../db/stored-json'
import {
  CHECKPOINT_DIR,
  columnsOf,
  decodeCell,
  DEFAULT_BUNDLE_LIMITS,
  FILE_ENTRY,
  isRunFileEntry,
  MANIFEST,
  refuse,
  RUN_COLUMNS_SET_ON_IMPORT,
  runTables,
  TABLE_ENTRY,
  tableSchema,
  type BundleLimits,
  type Cell
} from './bundle-format'
import { badCell, columnSchemas } from './bundle-rows'
import { inflate, listEntries, parseJson, readCheckpointFiles, readManifest, zodProblem } from './bundle-zip'

const ACTIVE_STATUSES = new Set(['queued', 'running'])
const KNOWN_STATUSES = new Set(['queued', 'running', 'completed', 'stopped', 'diverged', 'failed', 'crashed'])

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

/**
 * The run folder's own files in the bundle (inflated with the manifest, so their hashes are
 * checked): transform.json must be a table transform, or rows drawn later would fail obscurely.
 */
function runFiles(head: Record<string, Uint8Array>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {}
  for (const [name, data] of Object.entries(head)) {
    if (!isRunFileEntry(name)) continue
    const value = parseJson(name, data) as { kind?: unknown; columns?: unknown } | null
    const ok = value !== null && typeof value === 'object' && (value.kind === 'minmax' || (value.kind === 'modes' && Array.isArray(value.columns)))
    if (!ok) refuse(`${name} is not a table transform (its kind must be "minmax", or "modes" with columns)`)
    out[name] = data
  }
  return out
}

export interface ImportedBundle {
  runId: number
  name: string
  warnings: string[]
}

/**
 * Adds the bundled run as a new run (a new id; its files under `runDirOf(newId)`). A run
 * that was training when it was exported arrives as stopped. Throws LabError DATA_ERROR or
 * INVALID_CONFIG, naming the problem; nothing is written then. With `intoRunId` the bundle
 * replaces that run instead (its rows, under the same id; its folder must be gone): how a
 * run trained elsewhere (a Slurm task) comes home.
 */
export function importRunBundle(
  db: Database,
  bytes: Uint8Array,
  runDirOf: (id: number) => string,
  limits: BundleLimits = DEFAULT_BUNDLE_LIMITS,
  opts: { intoRunId?: number } = {}
): ImportedBundle {
  const schemaVersion = db.pragma('user_version', { simple: true }) as number
  const entries = listEntries(bytes, limits)
  const head = inflate(bytes, (f) => f.name === MANIFEST || TABLE_ENTRY.test(f.name) || isRunFileEntry(f.name))
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
  const files = { ...readCheckpointFiles(bytes, entries, manifest, checkpointDirs), ...runFiles(head) }
  const views = tables.find((t) => t.table === 'latent_views')
  const remapView = views ? latentViewRemapper(db, views, warnings) : null

  // Files go to a staging folder first; the database commit and the rename make them live.
  let runId = 0
  let staging = ''
  const insert = db.transaction(() => {
    if (opts.intoRunId !== undefined) {
      // The run's old rows go with it (ON DELETE CASCADE); the bundle's take the same id.
      if (db.prepare('DELETE FROM runs WHERE id = ?').run(opts.intoRunId).changes === 0) refuse(`run ${opts.intoRunId} to replace does not exist`)
      run.id = opts.intoRunId
    }
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
      const rel = FILE_ENTRY.exec(name)?.[1] ?? (isRunFileEntry(name) ? name.slice('files/'.length) : null)
      if (!rel) continue
      const path = join(staging, rel)
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
