// Run bundles, the export half: one run's rows, config and chosen checkpoints into a zip whose
// manifest lists the SHA-256 of every entry.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { strToU8, zipSync, type Zippable } from 'fflate'
import { LabError } from '@shared/errors'
import { BUNDLE_FORMAT, BUNDLE_VERSION, columnsOf, encodeCell, MANIFEST, RUN_COLUMNS_SET_ON_IMPORT, runTables, sha256, runFileEntry, RUN_FILES, type BundleCheckpoints, type Manifest } from './bundle-format'

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
  // A table run's transform.json: without it, rows drawn from its checkpoints could not be decoded.
  for (const name of RUN_FILES) if (existsSync(join(runDir, name))) add(runFileEntry(name), readFileSync(join(runDir, name)))
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
