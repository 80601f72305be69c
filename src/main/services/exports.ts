// What leaves the lab and what comes back: figures, metrics as CSV/JSON, run bundles (export
// and import), a checkpoint's generator with generated samples, and the generated rows or
// points of an epoch. The file formats live in figures.ts, metrics-export.ts, bundle.ts,
// generator-export.ts and samples-export.ts; this service feeds them the lab's data.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import type { GeneratorExport, LabHandlers, MetricsExport, RunSummary } from '@shared/api'
import type { DatasetInfo, EpochSamples } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { bundleFileName, exportRunBundle, importRunBundle } from './bundle'
import type { LabContext } from './context'
import type { DatasetService } from './datasets'
import type { EvaluationService } from './evaluation'
import type { ExplorerService } from './explorer'
import { exportFigure, type FigureSources } from './figures'
import { freshFolder, generatorExportFiles, generatorExportStem, writeFilesTo, type GeneratedSamples, type GeneratorExportMeta } from './generator-export'
import { exportMetrics } from './metrics-export'
import { samplesCsv } from './samples-export'
import { decodeRows, readRunTransform, rowsCsv, transformWidth } from './row-sampling'
import { TRANSFORM_FILE } from '@shared/tabular-transform'
import { conditionSlotNames } from '@shared/table-condition'

export class ExportService {
  constructor(
    private readonly ctx: LabContext,
    private readonly datasets: DatasetService,
    private readonly evaluation: EvaluationService,
    private readonly explorer: ExplorerService
  ) {}

  readonly handlers = {
    'runs:samples': ({ id, epoch }) => this.samples(id, epoch),
    'runs:export-samples': ({ id, epoch }) => samplesCsv(this.ctx.runs.require(id), epoch, this.samples(id, epoch)),
    'runs:export-metrics': ({ ids, format }) =>
      exportMetrics(
        [...new Set(ids)].map((id) => ({ summary: this.ctx.runs.require(id), series: this.ctx.metrics.series(id), scores: this.evaluation.repo.scores(id) })),
        format
      ),
    'runs:export-bundle': ({ id, checkpoints }) => {
      const run = this.ctx.runs.require(id)
      const zip = exportRunBundle(this.ctx.db, id, this.ctx.runDir(id), { checkpoints, appVersion: this.ctx.opts.version })
      return { filename: bundleFileName(id, run.name), mime: 'application/zip', base64: Buffer.from(zip).toString('base64'), bytes: zip.length }
    },
    'runs:import-bundle': ({ base64 }) => this.importBundle(Buffer.from(base64, 'base64')),
    'figures:export': (req) => exportFigure(req, this.figureSources),
    'runs:export-generator': (req) => this.exportGenerator(req),
    'runs:sample-rows': (req) => this.sampleRows(req),
    'runs:fidelity': ({ id }) => {
      this.ctx.runs.require(id)
      return this.ctx.metrics.fidelity(id)
    }
  } satisfies Partial<LabHandlers>

  /** What figures read: runs, configs, step series, stored grids and epoch scores. */
  private readonly figureSources: FigureSources = {
    run: (id) => this.ctx.runs.require(id),
    config: (id) => this.ctx.runs.requireConfig(id),
    series: (id) => this.ctx.metrics.series(id),
    grid: (id, epoch) => this.ctx.metrics.grid(id, epoch)?.png ?? null,
    gridEpochs: (id) => this.ctx.metrics.epochs(id).filter((e) => e.hasGrid).map((e) => e.epoch),
    scores: (id) => ({ scores: this.evaluation.repo.scores(id), evaluation: this.evaluation.repo.evaluation(id) })
  }

  /** Generated rows or points of one epoch of a tabular or toy run. */
  samples(id: number, epoch: number): EpochSamples {
    this.ctx.runs.require(id)
    const samples = this.ctx.metrics.samples(id, epoch)
    if (!samples) throw new LabError('NOT_FOUND', `Run ${id} has no generated rows or points for epoch ${epoch}`)
    return samples
  }

  /**
   * `rows` rows drawn from one checkpoint's generator (the run's last by default) in a trainer
   * process, decoded with the run's transform into the data set's columns, as CSV.
   */
  async sampleRows(req: { id: number; epoch?: number; rows: number; seed?: number }): Promise<MetricsExport & { epoch: number; rows: number }> {
    const run = this.ctx.runs.require(req.id)
    const config = this.ctx.runs.requireConfig(req.id)
    const data = this.datasets.get(config.dataset)
    if (!data) throw new LabError('NOT_FOUND', `The data set of run ${run.id} (${String(config.dataset)}) is gone, so its rows cannot be decoded`)
    if (data.kind === 'images' || !data.columns) {
      throw new LabError('INVALID_REQUEST', `Run ${run.id} generates images, not table rows: export its generator with samples instead (runs:export-generator)`)
    }
    const epoch = req.epoch ?? this.lastCheckpoint(run.id, 'to draw rows from')
    const generatorDir = this.ctx.generatorDir(run.id, epoch, false)
    const transform = readRunTransform(this.ctx.runDir(run.id), data.columns)
    const seed = req.seed ?? run.seed
    const { values, count, width } = await this.explorer.explore(
      run.id,
      config,
      generatorDir,
      { rowValues: { count: req.rows, seed, latent: config.tricks.latent }, ...(transform.kind === 'modes' && transform.condition ? { condition: transform.condition } : {}) },
      (event) => (event.type === 'explored-values' ? { values: Buffer.from(event.valuesBase64, 'base64'), count: event.count, width: event.width } : undefined)
    )
    const floats = new Float32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))
    if (floats.length !== count * width) throw new LabError('INTERNAL', `The trainer returned ${floats.length} values for ${count} rows of ${width}`)
    const expected = transformWidth(transform, data.columns)
    if (width !== expected) {
      throw new LabError(
        'DATA_ERROR',
        `The generator of run ${run.id} outputs ${width} values per row, but its ${transform.kind} transform decodes ${expected}` +
          (transform.kind === 'minmax' ? ` (is ${TRANSFORM_FILE} missing from ${this.ctx.runDir(run.id)}?)` : '')
      )
    }
    const rows = decodeRows(transform, data.columns, floats, count, width, seed)
    this.ctx.log('info', `Drew ${count} rows from run ${run.id} at epoch ${epoch} (seed ${seed})`)
    return { ...rowsCsv(`run-${run.id}-epoch-${epoch}-${count}-rows.csv`, data.columns, rows), epoch, rows: count }
  }

  /** What a table run's generator export adds: its transform (to decode G's outputs) and, trained by sampling, the condition's slots. */
  private tableExport(runId: number, data: DatasetInfo | null): Pick<GeneratorExportMeta, 'transformJson' | 'conditionSlots'> {
    if (!data?.columns || data.kind !== 'tabular') return {}
    const transform = readRunTransform(this.ctx.runDir(runId), data.columns)
    const path = join(this.ctx.runDir(runId), TRANSFORM_FILE)
    const categories = (name: string): string[] => data.columns?.find((c) => c.name === name)?.categories ?? []
    return {
      ...(existsSync(path) ? { transformJson: readFileSync(path) } : {}),
      ...(transform.kind === 'modes' && transform.condition ? { conditionSlots: conditionSlotNames(transform.condition, categories) } : {})
    }
  }

  /** The run's last epoch with a checkpoint; NOT_FOUND naming what it was wanted for when there is none. */
  private lastCheckpoint(runId: number, purpose: string): number {
    const epoch = this.ctx.metrics
      .epochs(runId)
      .filter((e) => e.checkpointDir)
      .map((e) => e.epoch)
      .at(-1)
    if (epoch === undefined) throw new LabError('NOT_FOUND', `Run ${runId} has no checkpoint yet ${purpose}`)
    return epoch
  }

  /** Adds the run of a bundle as a new run; see bundle.ts for what is checked. */
  importBundle(bytes: Uint8Array): { run: RunSummary; warnings: string[] } {
    const imported = this.ctx.writing('import a run bundle', () => importRunBundle(this.ctx.db, bytes, (id) => this.ctx.runDir(id)))
    const run = this.ctx.runs.require(imported.runId)
    this.ctx.log('info', `Imported run bundle as run ${run.id} (${run.name})`)
    this.ctx.emit('runs:changed', run)
    return { run, warnings: imported.warnings }
  }

  /**
   * A checkpoint's generator and `samples` images generated in a trainer process: written into a
   * new folder under the one chosen in Electron's dialog, or returned as a zip.
   */
  async exportGenerator(request: { id: number; epoch?: number; samples: number; seed?: number }): Promise<GeneratorExport> {
    const run = this.ctx.runs.require(request.id)
    const config = this.ctx.runs.requireConfig(request.id)
    const req = { ...request, epoch: request.epoch ?? this.lastCheckpoint(run.id, 'to export') }
    const generatorDir = this.ctx.generatorDir(req.id, req.epoch, false)
    const data = this.datasets.get(config.dataset)
    if (req.samples > 0 && data && data.kind !== 'images') {
      throw new LabError(
        'INVALID_REQUEST',
        `Run ${run.id} generates ${data.kind === 'points' ? 'points' : 'table rows'}, not images: export its generator with 0 samples, and its generated rows as CSV ("runs:export-samples")`,
        [{ field: 'samples', message: 'must be 0 for a run that does not generate images' }]
      )
    }
    let parent: string | null = null
    if (this.ctx.opts.chooseFolder) {
      parent = await this.ctx.opts.chooseFolder(`Folder for the generator of "${run.name}" at epoch ${req.epoch}`)
      if (parent === null) return { kind: 'cancelled' }
    }
    const seed = req.seed ?? run.seed
    const latent = config.tricks.latent
    const samples =
      req.samples > 0
        ? await this.explorer.explore(req.id, config, generatorDir, { samples: { count: req.samples, seed, latent } }, (event): GeneratedSamples | undefined =>
            event.type === 'explored-samples'
              ? {
                  pixels: new Uint8Array(Buffer.from(event.pixelsBase64, 'base64')),
                  count: event.count,
                  height: event.height,
                  width: event.width,
                  channels: event.channels,
                  ...(event.labels ? { labels: Uint8Array.from(event.labels) } : {})
                }
              : undefined
          )
        : null
    const files = generatorExportFiles(generatorDir, samples, {
      runId: run.id,
      runName: run.name,
      preset: config.preset,
      epoch: req.epoch,
      latentDim: config.latentDim,
      latent,
      seed,
      appVersion: this.ctx.opts.version,
      classes: this.explorer.runClasses(config),
      ...this.tableExport(run.id, data)
    })
    const names = Object.keys(files)
    const stem = generatorExportStem(run.id, req.epoch)
    if (parent !== null) {
      const folder = freshFolder(parent, stem)
      writeFilesTo(folder, files)
      this.ctx.log('info', `Exported the generator of run ${run.id} epoch ${req.epoch} with ${req.samples} samples to ${folder}`)
      return { kind: 'folder', path: folder, files: names }
    }
    const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`${stem}/${name}`, bytes])))
    return { kind: 'zip', filename: `${stem}.zip`, mime: 'application/zip', base64: Buffer.from(zip).toString('base64'), bytes: zip.length, files: names }
  }
}
