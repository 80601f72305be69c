// LabApi: every call the renderer may make and every event it may receive. The preload
// implements it over IPC and the lab server over a WebSocket; both validate requests
// with the schemas below before any handler runs. The requests and results of each domain
// live in api/ (runs, explorer, exports) and are re-exported here, so importers name only
// @shared/api.
import { createPairSchema, saveComparisonSchema, type CreatePairRequest, type SavedComparison } from './compare'
import { z } from 'zod'
import { runConfigSchema, type PresetInfo } from './config'
import { columnOverrideSchema, datasetImportSchema, DATASET_LIMITS, type DatasetInfo, type DatasetPreview, type EpochSamples } from './datasets'
import { classifierTrainSchema, evaluateSchema, type ClassifierStatus, type EpochScores } from './evaluation'
import type { StepRow, StepSeries } from './metrics'
import type { TabularFidelity } from './tabular-fidelity'
import type { BackendReport, ProgressInfo } from './trainer-protocol'
import { sweepRequestSchema, type Sweep } from './sweep'
import type { Channel, EventName } from './channels'
import { timingRequestSchema, type StepTiming } from './timing'
import type { ToyField } from './toy-field'
import {
  explorerArithmeticSchema,
  explorerGridSchema,
  explorerInterpolateSchema,
  saveLatentViewSchema,
  type ExplorerArithmeticRequest,
  type ExplorerArithmeticResult,
  type ExplorerGridRequest,
  type ExplorerGridResult,
  type ExplorerInterpolateRequest,
  type ExplorerInterpolateResult,
  type ExplorerScatterResult,
  type GridSampleLatent,
  type SavedLatentView
} from './api/explorer'
import {
  exportBundleSchema,
  exportGeneratorSchema,
  exportMetricsSchema,
  figuresExportSchema,
  importBundleSchema,
  sampleRowsSchema,
  type BundleExport,
  type FigureExport,
  type FiguresExportRequest,
  type GeneratorExport,
  type MetricsExport,
  type MetricsExportFormat,
  type SampleRowsRequest
} from './api/exports'
import { labSettingsSchema, runUpdateSchema, type AppInfo, type EpochInfo, type LabSettings, type RunDetail, type RunScores, type RunSummary, type SweepCreated } from './api/runs'

export { CHANNELS, EVENT_NAMES, type Channel, type EventName, type LabBridge } from './channels'
export * from './api/explorer'
export * from './api/exports'
export * from './api/runs'

const runId = z.object({ id: z.number().int().positive() }).strict()
const runEpoch = z.object({ id: z.number().int().positive(), epoch: z.number().int().min(1) }).strict()

export const requestSchemas = {
  'app:info': z.undefined(),
  'presets:list': z.undefined(),
  'runs:list': z.undefined(),
  'runs:get': runId,
  'runs:create': z.object({ config: runConfigSchema }).strict(),
  'runs:stop': runId,
  'runs:resume': z
    .object({ id: z.number().int().positive(), epochs: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000).optional() })
    .strict(),
  'runs:delete': runId,
  'runs:metrics': z
    .object({ id: z.number().int().positive(), afterStep: z.number().int().min(0).default(0) })
    .strict(),
  'runs:grid': z.object({ id: z.number().int().positive(), epoch: z.number().int().min(1) }).strict(),
  'explorer:grid': explorerGridSchema,
  'runs:update': runUpdateSchema,
  'runs:export-metrics': exportMetricsSchema,
  'explorer:interpolate': explorerInterpolateSchema,
  'explorer:arithmetic': explorerArithmeticSchema,
  'runs:export-bundle': exportBundleSchema,
  'runs:import-bundle': importBundleSchema,
  'runs:create-pair': createPairSchema,
  'sweeps:create': sweepRequestSchema,
  'sweeps:list': z.undefined(),
  'settings:get': z.undefined(),
  'settings:set': labSettingsSchema.partial().strict(),
  'comparisons:list': z.undefined(),
  'comparisons:save': saveComparisonSchema,
  'comparisons:delete': runId,
  'figures:export': figuresExportSchema,
  'runs:export-generator': exportGeneratorSchema,
  'latent-views:list': z.undefined(),
  'latent-views:save': saveLatentViewSchema,
  'latent-views:delete': runId,
  'datasets:list': z.undefined(),
  'datasets:choose': z
    .object({
      kind: z.enum(['idx', 'csv', 'cifar', 'folder']),
      /** Image folders: the square size every image is resized to. */
      size: z.number().int('must be a whole number').min(4, 'must be at least 4').max(256, 'must be at most 256').optional()
    })
    .strict(),
  'datasets:preview': z
    .object({ token: z.string().min(1).max(100), columns: z.array(columnOverrideSchema).max(DATASET_LIMITS.csvMaxColumns) })
    .strict(),
  'datasets:import': datasetImportSchema,
  'datasets:delete': runId,
  'runs:samples': runEpoch,
  'runs:export-samples': runEpoch,
  'runs:sample-rows': sampleRowsSchema,
  'runs:fidelity': runId,
  'classifier:status': z.object({ dataset: z.literal('mnist').default('mnist') }).strict(),
  'classifier:train': classifierTrainSchema,
  'eval:scores': runId,
  'eval:run': evaluateSchema,
  'explorer:scatter': explorerGridSchema,
  'timing:estimate': timingRequestSchema,
  'explorer:open': runId,
  'explorer:close': runId,
  'explorer:sample': z.object({ id: z.number().int().positive(), index: z.number().int().min(0, 'must be at least 0') }).strict(),
  'runs:field': runEpoch
} as const satisfies Record<Channel, z.ZodType>

export interface LabCalls {
  'app:info': { req: undefined; res: AppInfo }
  'presets:list': { req: undefined; res: PresetInfo[] }
  'runs:list': { req: undefined; res: RunSummary[] }
  'runs:get': { req: { id: number }; res: RunDetail }
  'runs:create': { req: { config: z.input<typeof runConfigSchema> }; res: RunSummary }
  'runs:stop': { req: { id: number }; res: RunSummary }
  'runs:resume': { req: { id: number; epochs?: number }; res: RunSummary }
  'runs:delete': { req: { id: number }; res: { id: number } }
  'runs:metrics': { req: { id: number; afterStep?: number }; res: StepSeries }
  'runs:grid': { req: { id: number; epoch: number }; res: { epoch: number; pngBase64: string; rows: number; cols: number } }
  'explorer:grid': { req: ExplorerGridRequest; res: ExplorerGridResult }
  'runs:update': { req: { id: number; name?: string; notes?: string; tags?: string[] }; res: RunSummary }
  'runs:export-metrics': { req: { ids: number[]; format: MetricsExportFormat }; res: MetricsExport }
  'explorer:interpolate': { req: ExplorerInterpolateRequest; res: ExplorerInterpolateResult }
  'explorer:arithmetic': { req: ExplorerArithmeticRequest; res: ExplorerArithmeticResult }
  'runs:export-bundle': { req: { id: number; checkpoints?: 'none' | 'last' | 'all' }; res: BundleExport }
  'runs:import-bundle': { req: { base64: string }; res: { run: RunSummary; warnings: string[] } }
  'runs:create-pair': { req: CreatePairRequest; res: [RunSummary, RunSummary] }
  'sweeps:create': { req: z.input<typeof sweepRequestSchema>; res: SweepCreated }
  'sweeps:list': { req: undefined; res: Sweep[] }
  'settings:get': { req: undefined; res: LabSettings }
  'settings:set': { req: Partial<LabSettings>; res: LabSettings }
  'comparisons:list': { req: undefined; res: SavedComparison[] }
  'comparisons:save': { req: z.input<typeof saveComparisonSchema>; res: SavedComparison }
  'comparisons:delete': { req: { id: number }; res: { id: number } }
  'figures:export': { req: FiguresExportRequest; res: FigureExport }
  'runs:export-generator': { req: z.input<typeof exportGeneratorSchema>; res: GeneratorExport }
  'latent-views:list': { req: undefined; res: SavedLatentView[] }
  'latent-views:save': { req: z.input<typeof saveLatentViewSchema>; res: SavedLatentView }
  'latent-views:delete': { req: { id: number }; res: { id: number } }
  'datasets:list': { req: undefined; res: DatasetInfo[] }
  /** Opens a file dialog on the lab machine (desktop app); null when cancelled. */
  'datasets:choose': { req: { kind: 'idx' | 'csv' | 'cifar' | 'folder'; size?: number }; res: DatasetPreview | null }
  'datasets:preview': { req: { token: string; columns: { name: string; type: 'numeric' | 'integer' | 'categorical' | 'ignore' }[] }; res: DatasetPreview }
  'datasets:import': { req: z.input<typeof datasetImportSchema>; res: DatasetInfo }
  'datasets:delete': { req: { id: number }; res: { id: number } }
  /** Generated rows or points of an epoch (tabular and toy runs). */
  'runs:samples': { req: { id: number; epoch: number }; res: EpochSamples }
  /** An epoch's generated rows as CSV with the original column names. */
  'runs:export-samples': { req: { id: number; epoch: number }; res: MetricsExport }
  /** N rows drawn from a checkpoint's generator (the last one by default), as CSV with the original column names and types. */
  'runs:sample-rows': { req: SampleRowsRequest; res: MetricsExport & { epoch: number; rows: number } }
  /** The fidelity report of each epoch of a tabular run (none for other runs), in epoch order. */
  'runs:fidelity': { req: { id: number }; res: { epoch: number; fidelity: TabularFidelity }[] }
  'classifier:status': { req: { dataset?: 'mnist' }; res: ClassifierStatus }
  /** Starts training; progress arrives as 'classifier:progress', the end as 'classifier:changed'. */
  'classifier:train': { req: z.input<typeof classifierTrainSchema>; res: ClassifierStatus }
  'eval:scores': { req: { id: number }; res: RunScores }
  /** Scores one checkpoint now (queued behind other scorings); resolves with the stored scores. */
  'eval:run': { req: { id: number; epoch: number; samples?: number }; res: EpochScores }
  /** For runs of points or rows: the plane's cells as generated points over the real data. */
  'explorer:scatter': { req: ExplorerGridRequest; res: ExplorerScatterResult }
  /**
   * The step time of runs like `config` on this machine: from an earlier run of the same kind, or
   * measured once (a few steps in a trainer process, seconds to a minute) and cached.
   */
  'timing:estimate': { req: { config: z.input<typeof runConfigSchema> }; res: StepTiming }
  /**
   * A run's view opened its latent explorer: its generator worker starts and loads the newest
   * checkpoint now, and its planes' neighbouring epochs are prefetched. `warm`: a worker was started or kept.
   */
  'explorer:open': { req: { id: number }; res: { id: number; warm: boolean } }
  /** The view closed its explorer: the run's generator worker ends. */
  'explorer:close': { req: { id: number }; res: { id: number } }
  /** Tile `index` (row-major) of the run's epoch sample grids: its latent vector, and what a plane centred on it needs. */
  'explorer:sample': { req: { id: number; index: number }; res: GridSampleLatent }
  /** A toy run's stored field at the end of an epoch: D's output over the data plane, real and generated points, G's gradient arrows (toyFieldSchema). */
  'runs:field': { req: { id: number; epoch: number }; res: ToyField }
}

export interface LabEvents {
  /** A run was created, changed status, or finished an epoch. */
  'runs:changed': RunSummary
  'runs:deleted': { id: number }
  'trainer:backend': { runId: number; report: BackendReport }
  'trainer:progress': { runId: number; progress: ProgressInfo }
  'trainer:steps': { runId: number; rows: StepRow[] }
  'trainer:epoch': { runId: number; epoch: EpochInfo }
  /** A toy run's newest field: live every few steps while it trains, and each epoch's own once stored. */
  'trainer:field': { runId: number; field: ToyField }
  'trainer:log': { runId: number; level: 'info' | 'warn' | 'error'; message: string }
  /** Cells of a latent plane rendered so far. */
  'explorer:progress': { runId: number; done: number; total: number }
  'classifier:progress': ClassifierStatus
  /** A classifier finished training (or failed: status.training null, error set). */
  'classifier:changed': ClassifierStatus & { error?: string }
  /** An epoch was scored, or a run's best epoch or flags changed. */
  'eval:scores': { runId: number; scores: RunScores }
  /** A sweep was created. */
  'sweeps:changed': Sweep
  'settings:changed': LabSettings
}

/** The surface the renderer sees, whatever the transport. */
export interface LabApi {
  call<C extends Channel>(channel: C, req: LabCalls[C]['req']): Promise<LabCalls[C]['res']>
  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void
}

/** What a transport delivers for an event: the name and its payload together. */
export type EventEnvelope = { [E in EventName]: { event: E; payload: LabEvents[E] } }[EventName]

/** Server side: one handler per channel, receiving the already-validated request. */
export type LabHandlers = {
  [C in Channel]: (req: z.output<(typeof requestSchemas)[C]>) => Promise<LabCalls[C]['res']> | LabCalls[C]['res']
}

/** Compile-time checks that the call and event maps cover exactly the names in channels.ts. */
type SameKeys<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : false
const callsCoverChannels: SameKeys<keyof LabCalls, Channel> = true
const eventsCoverNames: SameKeys<keyof LabEvents, EventName> = true
void callsCoverChannels
void eventsCoverNames
