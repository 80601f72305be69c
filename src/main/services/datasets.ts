// The data-set registry: built-in data sets plus imported ones, whose files are copied into
// datasets/<id>/ of the data folder and described by a row in SQLite. Files are chosen on this
// machine (Electron's open dialog in the main process, or a CLI argument), never named by the
// renderer: a preview hands out a token, and only that token can be imported.
import { randomUUID } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { LabHandlers } from '@shared/api'
import { isDcganPreset, PRESET_DATA_KINDS, type RunConfig } from '@shared/config'
import {
  BUILTIN_DATASET_INFO,
  BUILTIN_DATASETS,
  TOY_POINTS,
  isBuiltinDataset,
  type ColumnType,
  type DatasetImportRequest,
  type DatasetInfo,
  type DatasetPreview
} from '@shared/datasets'
import { LabError } from '@shared/errors'
import { holdOutProblem } from '@shared/tabular-utility'
import type { DataSpec } from '@shared/trainer-protocol'
import { DatasetsRepo } from '../db/repos/datasets'
import { statSync } from 'node:fs'
import { IMAGES_FILE, LABELS_FILE, ROWS_FILE, prepareCsv, prepareIdx, toPreview, type PreparedImport } from './dataset-import'
import { isCifarName, prepareCifar, prepareImageFolder } from './image-import'

export type DatasetFileKind = 'idx' | 'csv' | 'cifar' | 'folder'

export interface ImportOptions {
  columns?: { name: string; type: ColumnType }[]
  /** Image folders: the square size images are resized to, and grey (1), colour (3) or as found. */
  size?: number
  channels?: 1 | 3 | 'auto'
}

export const DEFAULT_FOLDER_SIZE = 32

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** By what was chosen: a folder of images, CIFAR-10 batches (.bin), a CSV table, else IDX files. */
export function prepareImport(paths: string[], opts: ImportOptions = {}): PreparedImport {
  if (paths.length === 1 && isDir(paths[0])) return prepareImageFolder(paths[0], opts.size ?? DEFAULT_FOLDER_SIZE, opts.channels ?? 'auto')
  if (paths.length > 0 && paths.every(isCifarName)) return prepareCifar(paths)
  if (paths.length === 1 && /\.(csv|tsv|txt)$/i.test(paths[0])) return prepareCsv(paths[0], opts.columns ?? [])
  return prepareIdx(paths)
}

/** Opens a file dialog on this machine; null when the user cancelled. Absent where there is no such dialog (browser). */
export type FileChooser = (kind: DatasetFileKind) => Promise<string[] | null>

export const IMPORT_HOW_TO =
  'Importing a data set needs a file on the lab machine. From a browser, run on that machine: ' +
  'npm run cli -- import-dataset FILE [LABELS] | BATCH.bin ... | FOLDER [--size 32] [--name NAME] [--column NAME=numeric|integer|categorical|ignore] --data-dir DIR'

const MAX_PENDING = 20

export class DatasetService {
  readonly repo: DatasetsRepo
  /** Files chosen in a preview, by token: only these can be imported. */
  private readonly pending = new Map<string, { paths: string[]; opts: ImportOptions }>()

  constructor(
    private readonly db: Database,
    private readonly dataDir: string,
    private readonly chooser?: FileChooser,
    /** Runs a write under the data folder's lock (LabContext.writing); tests may leave it out. */
    private readonly writing: <T>(action: string, fn: () => T) => T = (_action, fn) => fn()
  ) {
    this.repo = new DatasetsRepo(db)
  }

  readonly handlers = {
    'datasets:list': () => this.list(),
    'datasets:choose': ({ kind, size }) => this.choose(kind, size !== undefined ? { size } : {}),
    'datasets:preview': ({ token, columns }) => this.repreview(token, columns),
    'datasets:import': (req) => this.importChosen(req),
    'datasets:delete': ({ id }) => this.delete(id)
  } satisfies Partial<LabHandlers>

  dir(id: number): string {
    return join(this.dataDir, 'datasets', String(id))
  }

  list(): DatasetInfo[] {
    return [...BUILTIN_DATASETS.map((b) => BUILTIN_DATASET_INFO[b]), ...this.repo.list()]
  }

  get(ref: RunConfig['dataset']): DatasetInfo | null {
    return isBuiltinDataset(ref) ? BUILTIN_DATASET_INFO[ref] : this.repo.get(ref)
  }

  /** Opens the file dialog and previews what an import of the chosen files would save. */
  async choose(kind: DatasetFileKind, opts: ImportOptions = {}): Promise<DatasetPreview | null> {
    if (!this.chooser) throw new LabError('INVALID_REQUEST', IMPORT_HOW_TO)
    const paths = await this.chooser(kind)
    if (!paths || paths.length === 0) return null
    return this.preview(paths, opts)
  }

  /** Checks the files (the same checks as the import) and remembers them under a token. */
  preview(paths: string[], opts: ImportOptions = {}): DatasetPreview {
    const prepared = prepareImport(paths, opts)
    const token = randomUUID()
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!)
    this.pending.set(token, { paths, opts })
    return toPreview(token, prepared)
  }

  /** The preview of pending files again, with other column types. */
  repreview(token: string, columns: { name: string; type: ColumnType }[]): DatasetPreview {
    const pending = this.pending.get(token)
    if (!pending) throw new LabError('NOT_FOUND', 'This import is no longer pending: choose the file again')
    return toPreview(token, prepareImport(pending.paths, { ...pending.opts, columns }))
  }

  /** Imports the files of a preview, with the chosen name and column types. */
  importChosen(req: DatasetImportRequest): DatasetInfo {
    const pending = this.pending.get(req.token)
    if (!pending) throw new LabError('NOT_FOUND', 'This import is no longer pending: choose the file again')
    const info = this.importFiles(pending.paths, req.name, { ...pending.opts, columns: req.columns ?? [] })
    this.pending.delete(req.token)
    return info
  }

  /** Checks and copies files into the data folder and records them; nothing is left behind on failure. */
  importFiles(paths: string[], name: string | undefined, opts: ImportOptions = {}): DatasetInfo {
    return this.writing('import a data set', () => this.importChecked(paths, name, opts))
  }

  private importChecked(paths: string[], name: string | undefined, opts: ImportOptions): DatasetInfo {
    const prepared: PreparedImport = prepareImport(paths, opts)
    const id = this.repo.create({ ...prepared.summary, name: name?.trim() || prepared.summary.name })
    try {
      prepared.write(this.dir(id))
    } catch (err) {
      this.repo.delete(id)
      rmSync(this.dir(id), { recursive: true, force: true })
      throw err
    }
    return this.repo.get(id)!
  }

  /** Deletes an imported data set unless runs trained on it (their configs name it). */
  delete(id: number): { id: number } {
    if (!this.repo.get(id)) throw new LabError('NOT_FOUND', `There is no data set ${id}`)
    const users = (this.db.prepare("SELECT id FROM runs WHERE json_extract(config_json, '$.dataset') = ?").all(id) as { id: number }[]).map((r) => r.id)
    if (users.length > 0) {
      throw new LabError('CONFLICT', `Data set ${id} is used by run${users.length > 1 ? 's' : ''} ${users.join(', ')}; delete ${users.length > 1 ? 'them' : 'it'} first`)
    }
    this.repo.delete(id)
    rmSync(this.dir(id), { recursive: true, force: true })
    return { id }
  }

  /** Where a run's data is for the trainer; refuses a missing data set or one the preset cannot take. */
  resolve(config: RunConfig): DataSpec | undefined {
    const bad = (message: string): never => {
      throw new LabError('INVALID_CONFIG', `Invalid run config: dataset: ${message}`, [{ field: 'dataset', message }])
    }
    const ref = config.dataset
    const info = this.get(ref) ?? bad(`there is no data set ${ref} (it may have been deleted)`)
    const kinds = PRESET_DATA_KINDS[config.preset]
    if (!kinds.includes(info.kind)) bad(`${info.name} holds ${info.kind}; the ${config.preset} preset takes ${kinds.join(' or ')}`)
    if (config.conditional && !info.classes) {
      const message = `${info.name} has no class labels; a conditional run needs a labelled image data set (import the images with a labels file)`
      throw new LabError('INVALID_CONFIG', `Invalid run config: conditional: ${message}`, [{ field: 'conditional', message }])
    }
    if (isDcganPreset(config.preset) && info.image && info.image.height % 4 !== 0) {
      bad(`${info.name} holds ${info.image.height}x${info.image.width} images; the DCGAN preset needs a side that is a multiple of 4 (use the MLP preset)`)
    }
    if (config.evaluation.targetColumn !== null) checkTargetColumn(config.evaluation.targetColumn, info)
    if (ref === 'mnist') return undefined
    if (isBuiltinDataset(ref)) return { kind: 'toy', name: ref, count: TOY_POINTS }
    const dir = this.dir(ref)
    if (info.kind === 'images') {
      const imagesPath = join(dir, IMAGES_FILE)
      if (!existsSync(imagesPath)) bad(`the files of data set ${ref} are missing (${imagesPath})`)
      const labelsPath = join(dir, LABELS_FILE)
      return { kind: 'idx', imagesPath, ...(existsSync(labelsPath) ? { labelsPath } : {}) }
    }
    const path = join(dir, ROWS_FILE)
    if (!existsSync(path)) bad(`the files of data set ${ref} are missing (${path})`)
    return { kind: 'tabular', path, count: info.count, columns: info.columns ?? [] }
  }
}

/** A run's target column must be a kept column of an imported table with others to predict it from, and rows enough to hold some out. */
function checkTargetColumn(target: string, info: DatasetInfo): void {
  const bad = (message: string): never => {
    throw new LabError('INVALID_CONFIG', `Invalid run config: evaluation.targetColumn: ${message}`, [{ field: 'evaluation.targetColumn', message }])
  }
  const columns = (info.kind === 'tabular' ? info.columns : null) ?? bad(`${info.name} holds ${info.kind}; a target column needs an imported table`)
  const kept = columns.filter((c) => c.type !== 'ignore').map((c) => c.name)
  const choices = `choose one of ${kept.join(', ')}`
  const column = columns.find((c) => c.name === target) ?? bad(`${info.name} has no column "${target}"; ${choices}`)
  if (column.type === 'ignore') bad(`column "${target}" of ${info.name} was imported as ignored; ${choices}`)
  if (kept.length < 2) bad(`"${target}" is the only column of ${info.name}; there is nothing to predict it from`)
  const small = holdOutProblem(info.count)
  if (small) bad(`${small} (${info.name})`)
}
