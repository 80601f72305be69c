// LabApi: every call the renderer may make and every event it may receive. The preload
// implements it over IPC and the lab server over a WebSocket; both validate requests
// with the schemas below before any handler runs.
import { comparedRunIdsSchema, createPairSchema, MAX_COMPARED, saveComparisonSchema, X_AXES, type CreatePairRequest, type SavedComparison } from './compare'
import { z } from 'zod'
import { DEFAULT_FIGURE_SIZE, figureSizeSchema, type Figure } from './figure'
import { runConfigSchema, type BackendName, type PresetInfo, type RunConfig } from './config'
import { columnOverrideSchema, datasetImportSchema, DATASET_LIMITS, type DatasetInfo, type DatasetPreview, type EpochSamples } from './datasets'
import { classifierTrainSchema, evaluateSchema, SCORE_NAMES, type ClassifierStatus, type EpochScores } from './evaluation'
import type { RunEvaluation } from './failure-detect'
import { STEP_METRICS, type StepMetrics, type StepRow, type StepSeries } from './metrics'
import type { BackendReport, ProgressInfo, RunStatus } from './trainer-protocol'
import { sweepRequestSchema, type Sweep } from './sweep'
import type { Channel, EventName } from './channels'
import { timingRequestSchema, type StepTiming } from './timing'

export { CHANNELS, EVENT_NAMES, type Channel, type EventName, type LabBridge } from './channels'

/** Lab-wide settings, stored in SQLite. */
export const labSettingsSchema = z
  .object({
    /** How many runs train at once (one trainer process each); later runs wait in the queue. */
    maxConcurrentRuns: z.number().int('must be a whole number').min(1, 'must be at least 1').max(16, 'must be at most 16')
  })
  .strict()
export type LabSettings = z.infer<typeof labSettingsSchema>
/** Two runs at once: on a 2-core machine two trainer processes give 1.8x the images per second of one. */
export const DEFAULT_LAB_SETTINGS: LabSettings = { maxConcurrentRuns: 2 }

/** A sweep as created: the sweep and its runs (queued as the lab's settings allow). */
export interface SweepCreated {
  sweep: Sweep
  runs: RunSummary[]
}

export interface RunSummary {
  id: number
  name: string
  preset: string
  optimizer: string
  status: RunStatus
  statusMessage: string | null
  backend: BackendName | null
  seed: number
  epochs: number
  epochsDone: number
  stepsDone: number
  createdAt: number
  startedAt: number | null
  endedAt: number | null
  /** Means of the last finished epoch, or the last step when no epoch has finished. */
  lastMetrics: StepMetrics | null
  /** The researcher's notes on the run ('' when none). */
  notes: string
  tags: string[]
  /** Learning rates of D and G from the run's config (absent where the stored config cannot be read). */
  lr?: { d: number; g: number }
  /** Best epoch by the run's chosen score and its failure flags, once anything was scored or detected. */
  evaluation?: RunEvaluation
}

export interface EpochInfo {
  epoch: number
  means: StepMetrics
  durationMs: number
  imagesPerSec: number
  hasGrid: boolean
  /** Generated rows or points (tabular and toy runs) instead of a grid. */
  hasSamples: boolean
  checkpointDir: string | null
}

export interface RunDetail {
  summary: RunSummary
  config: RunConfig
  backendReport: BackendReport | null
  epochs: EpochInfo[]
  progress: ProgressInfo | null
  /** Stored values of the run that could not be read (each names its table and column); absent when all is well. */
  problems?: string[]
}

export interface AppInfo {
  version: string
  dataDir: string
  transport: 'ipc' | 'websocket'
}

const runId = z.object({ id: z.number().int().positive() }).strict()

/** Latent-plane resolution bounds (cells per side). */
export const EXPLORER_MIN_RESOLUTION = 5
export const EXPLORER_MAX_RESOLUTION = 32

const latentVector = z.array(z.number().finite('must be finite numbers')).min(1, 'must not be empty')

/**
 * One plane of the latent space: z = base + x u + y v, u and v the unit vectors of axes i
 * and j or, with a seed, two random orthonormal directions; base the zero vector or a point.
 * Originally z = x e_axisI + y e_axisJ, x and y from min to max in
 * `resolution` steps. Axes below latentDim are checked by the service (it knows the run).
 */
/** The class a conditional run's generator is asked for, held fixed over a plane or strip. */
const classLabel = z.number().int('must be a whole number').min(0, 'must be at least 0').max(255, 'must be at most 255').optional()

export const explorerGridSchema = z
  .object({
    id: z.number().int().positive(),
    epoch: z.number().int().min(1),
    axisI: z.number().int().min(0, 'must be at least 0'),
    axisJ: z.number().int().min(0, 'must be at least 0'),
    min: z.number().finite(),
    max: z.number().finite(),
    resolution: z
      .number()
      .int()
      .min(EXPLORER_MIN_RESOLUTION, `must be at least ${EXPLORER_MIN_RESOLUTION}`)
      .max(EXPLORER_MAX_RESOLUTION, `must be at most ${EXPLORER_MAX_RESOLUTION}`),
    base: latentVector.optional(),
    seed: z.number().int('must be an integer').min(0, 'must be at least 0').max(0xffffffff, 'must be at most 4294967295').optional(),
    /** The plane through three latent points, centred on the first; axisI/axisJ are then not used. */
    through: z.array(latentVector).length(3, 'must be exactly 3 points').optional(),
    classLabel
  })
  .strict()
  .refine((r) => r.min < r.max, { message: 'min must be less than max', path: ['max'] })
  .refine((r) => r.seed !== undefined || r.through !== undefined || r.axisI !== r.axisJ, { message: 'axis j must differ from axis i', path: ['axisJ'] })
  .refine((r) => r.through === undefined || (r.base === undefined && r.seed === undefined), {
    message: 'a plane through three points takes neither a base nor a seed',
    path: ['through']
  })
export type ExplorerGridRequest = z.output<typeof explorerGridSchema>

export const LATENT_VIEW_FORMAT = 'gan-workbench/latent-view'
export const LATENT_VIEW_VERSION = 1

/** A latent view's settings: the plane request (run and epoch included) and an optional second run. */
export const latentViewSettingsSchema = z
  .object({
    format: z.literal(LATENT_VIEW_FORMAT, `must be "${LATENT_VIEW_FORMAT}"`),
    version: z.literal(LATENT_VIEW_VERSION, `must be ${LATENT_VIEW_VERSION}`),
    grid: explorerGridSchema,
    /** A second run drawn on the same plane beside the first. */
    compareRunId: z.number().int().positive().optional()
  })
  .strict()
export type LatentViewSettings = z.output<typeof latentViewSettingsSchema>

export const saveLatentViewSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    settings: latentViewSettingsSchema
  })
  .strict()

export interface SavedLatentView {
  id: number
  name: string
  runId: number
  settings: LatentViewSettings
  createdAt: number
  updatedAt: number
}

export interface ExplorerGridResult {
  epoch: number
  pngBase64: string
  rows: number
  cols: number
  /** True when the plane came from the cache rather than a new rendering. */
  cached: boolean
  coords: { min: number; max: number; resolution: number; axisI: number; axisJ: number; base?: number[]; seed?: number; through?: boolean }
  /** With a seed or three points: the directions u (left to right) and v (bottom to top). */
  directions?: { u: number[]; v: number[] }
  /** With three points: where each lies on the plane (the first at the origin). */
  points?: { x: number; y: number }[]
}

/** Interpolation strip length bounds (images per strip). */
export const EXPLORER_MIN_STEPS = 3
export const EXPLORER_MAX_STEPS = 32

/** Lerp and slerp strips from one latent vector to another (lengths checked by the service). */
export const explorerInterpolateSchema = z
  .object({
    id: z.number().int().positive(),
    epoch: z.number().int().min(1),
    from: latentVector,
    to: latentVector,
    steps: z
      .number()
      .int()
      .min(EXPLORER_MIN_STEPS, `must be at least ${EXPLORER_MIN_STEPS}`)
      .max(EXPLORER_MAX_STEPS, `must be at most ${EXPLORER_MAX_STEPS}`),
    classLabel
  })
  .strict()
export type ExplorerInterpolateRequest = z.output<typeof explorerInterpolateSchema>

export interface ExplorerInterpolateResult {
  epoch: number
  steps: number
  /** 1 x steps strips, PNG. */
  lerpPngBase64: string
  slerpPngBase64: string
  /**
   * The angle between the two vectors (null when one is zero) and whether slerp fell back to
   * lerp (parallel, opposite or zero vectors: the strips are then the same).
   */
  slerp: { degrees: number | null; sameAsLerp: boolean }
}

/** The image of a - b + c. */
export const explorerArithmeticSchema = z
  .object({ id: z.number().int().positive(), epoch: z.number().int().min(1), a: latentVector, b: latentVector, c: latentVector, classLabel })
  .strict()
export type ExplorerArithmeticRequest = z.output<typeof explorerArithmeticSchema>

export interface ExplorerArithmeticResult {
  epoch: number
  /** a - b + c. */
  latent: number[]
  pngBase64: string
}

const tagSchema = z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters')

/** Rename, notes and tags. Tags are trimmed and de-duplicated, keeping the first spelling. */
export const runUpdateSchema = z
  .object({
    id: z.number().int().positive(),
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').optional(),
    notes: z.string().max(10_000, 'must be at most 10000 characters').optional(),
    tags: z
      .array(tagSchema)
      .transform((tags) => [...new Set(tags)])
      .refine((tags) => tags.length <= 20, 'at most 20 tags')
      .optional()
  })
  .strict()
export type RunUpdateRequest = z.output<typeof runUpdateSchema>

export type MetricsExportFormat = 'csv' | 'json'
export const exportMetricsSchema = z
  .object({
    ids: z.array(z.number().int().positive()).min(1, 'name at least one run').max(50, 'at most 50 runs'),
    format: z.enum(['csv', 'json'])
  })
  .strict()

export interface MetricsExport {
  filename: string
  mime: string
  content: string
}

export const exportBundleSchema = z
  .object({ id: z.number().int().positive(), checkpoints: z.enum(['none', 'last', 'all']).default('last') })
  .strict()

/** A run bundle (zip) in base64; the lab server's 1 MiB message limit applies to imports from a browser. */
export const importBundleSchema = z
  .object({ base64: z.string().min(1, 'is empty').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not base64') })
  .strict()

export interface BundleExport {
  filename: string
  mime: string
  base64: string
  bytes: number
}

/** Chart groups of the run view: the loss chart and the accuracy chart. */
export const CHART_GROUPS = { loss: ['dLossReal', 'dLossFake', 'gLoss'], accuracy: ['dAccReal', 'dAccFake'], wasserstein: ['wasserstein'] } as const
export type ChartGroup = keyof typeof CHART_GROUPS

const figureRunId = z.number().int().positive()
const smoothingSchema = z.number().min(0, 'must be at least 0').max(0.999, 'must be at most 0.999').default(0)

/** The order a comparison figure's charts take, whatever order they were asked in: the UI and the CLI draw the same figure. */
export const COMPARISON_METRIC_ORDER = ['gLoss', 'dLossReal', 'dLossFake', 'dAccReal', 'dAccFake', 'wasserstein'] as const satisfies readonly (typeof STEP_METRICS)[number][]
export const DEFAULT_COMPARISON_METRICS: (typeof STEP_METRICS)[number][] = ['gLoss', 'dLossReal', 'dLossFake']

/** What a figure shows; the service fills it from the runs' metrics and grids. */
export const figureRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('chart'),
      /** One run: one curve per metric; several: one panel per metric, one colour per run. */
      ids: z.array(figureRunId).min(1, 'name at least one run').max(MAX_COMPARED, `at most ${MAX_COMPARED} runs`),
      chart: z.enum(['loss', 'accuracy', 'wasserstein']),
      xAxis: z.enum(X_AXES).default('step'),
      smoothing: smoothingSchema,
      caption: z.boolean().default(true)
    })
    .strict(),
  z
    .object({
      kind: z.literal('grid-row'),
      id: figureRunId,
      epochs: z
        .array(z.number().int().min(1))
        .min(1, 'choose at least one epoch')
        .max(12, 'at most 12 epochs')
        .refine((e) => new Set(e).size === e.length, 'an epoch is listed twice'),
      labels: z.boolean().default(true),
      caption: z.boolean().default(true)
    })
    .strict(),
  z
    .object({
      kind: z.literal('comparison'),
      ids: comparedRunIdsSchema,
      /** The grids' epoch; null = each run's last grid. */
      epoch: z.number().int().min(1).nullable().default(null),
      /** One chart each, drawn in a fixed order (gLoss, dLossReal, dLossFake, dAccReal, dAccFake, wasserstein). */
      metrics: z.array(z.enum(STEP_METRICS)).min(1, 'choose at least one metric').max(5).default(DEFAULT_COMPARISON_METRICS),
      xAxis: z.enum(X_AXES).default('step'),
      smoothing: smoothingSchema,
      /** One legend label per run, in the runs' order; absent: the settings each run differs in ("Adam, lr 2e-4, β1 0.5"). */
      legend: z.array(z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters')).max(MAX_COMPARED).optional(),
      caption: z.boolean().default(true)
    })
    .strict(),
  z
    .object({
      kind: z.literal('scores'),
      /** One colour per run; each run's epoch scores of `score`, its best epoch starred, the reference line dashed. */
      ids: z.array(figureRunId).min(1, 'name at least one run').max(MAX_COMPARED, `at most ${MAX_COMPARED} runs`),
      score: z.enum(SCORE_NAMES).default('fid'),
      caption: z.boolean().default(true)
    })
    .strict()
])
export type FigureRequest = z.output<typeof figureRequestSchema>
export type FigureRequestInput = z.input<typeof figureRequestSchema>

export const FIGURE_FORMATS = ['svg', 'pdf', 'png'] as const
export type FigureFormat = (typeof FIGURE_FORMATS)[number]
export const MAX_PNG_SCALE = 8

export const figuresExportSchema = z
  .object({
    figure: figureRequestSchema,
    format: z.enum(FIGURE_FORMATS),
    size: figureSizeSchema.default(DEFAULT_FIGURE_SIZE),
    /** PNG only: pixels per CSS pixel of the figure's screen size (3 = three times as many per side). */
    scale: z.number().min(0.5, 'must be at least 0.5').max(MAX_PNG_SCALE, `must be at most ${MAX_PNG_SCALE}`).default(2)
  })
  .strict()
export type FiguresExportRequest = z.input<typeof figuresExportSchema>

/** SVG and PDF come as files; PNG comes as the figure, which the renderer rasterizes at `scale`. */
export type FigureExport =
  | { format: 'svg' | 'pdf'; filename: string; mime: string; base64: string; bytes: number }
  | { format: 'png'; filename: string; mime: 'image/png'; figure: Figure; scale: number }

export const MAX_EXPORT_SAMPLES = 10_000

/** A checkpoint's generator as a tfjs model folder, with `samples` generated images (PNG files and one IDX file). */
export const exportGeneratorSchema = z
  .object({
    id: z.number().int().positive(),
    epoch: z.number().int().min(1),
    samples: z.number().int('must be a whole number').min(0, 'must be at least 0').max(MAX_EXPORT_SAMPLES, `must be at most ${MAX_EXPORT_SAMPLES}`).default(64),
    /** Seed of the samples' latent vectors; the run's own seed when left out. */
    seed: z.number().int('must be a whole number').min(0, 'must be at least 0').max(2 ** 31 - 1).optional()
  })
  .strict()

/**
 * In Electron the files go to a folder chosen in the main process's dialog; elsewhere (a browser
 * on the lab server, the CLI's Lab) they come back as a zip.
 */
export type GeneratorExport =
  | { kind: 'zip'; filename: string; mime: 'application/zip'; base64: string; bytes: number; files: string[] }
  | { kind: 'folder'; path: string; files: string[] }
  | { kind: 'cancelled' }
const runEpoch = z.object({ id: z.number().int().positive(), epoch: z.number().int().min(1) }).strict()

/** The plane drawn as points (runs of toy points or table rows): each cell's generated point in data units. */
export interface ExplorerScatterResult {
  epoch: number
  /** The two output columns drawn, x then y. */
  columns: [string, string]
  /** One per plane cell, row by row: x, y in data units, then the cell's plane coordinates u, v. */
  points: [number, number, number, number][]
  /** Real points of the same columns (the epoch's stored samples), as the backdrop. */
  real: [number, number][]
  coords: { min: number; max: number; resolution: number }
}

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
  'classifier:status': z.object({ dataset: z.literal('mnist').default('mnist') }).strict(),
  'classifier:train': classifierTrainSchema,
  'eval:scores': runId,
  'eval:run': evaluateSchema,
  'explorer:scatter': explorerGridSchema,
  'timing:estimate': timingRequestSchema,
  'explorer:open': runId,
  'explorer:close': runId,
  'explorer:sample': z.object({ id: z.number().int().positive(), index: z.number().int().min(0, 'must be at least 0') }).strict()
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
}

/** The latent vector behind one tile of a run's epoch sample grids (its fixed latent batch). */
export interface GridSampleLatent {
  index: number
  latent: number[]
  /** A conditional run: the class the tile's row draws. */
  classLabel?: number
  /** The standard deviation of one latent component (1 Gaussian, 1/sqrt(3) uniform): a plane centred on the tile spans a few of these. */
  spread: number
  /** Tiles in the grid. */
  count: number
}

/** A run's scores by epoch, its best epoch and flags, and scorings waiting or under way. */
export interface RunScores {
  scores: EpochScores[]
  evaluation: RunEvaluation | null
  pending: number[]
  /** Why epochs are not being scored, when they are not (e.g. no reference classifier yet). */
  notice: string | null
}


export interface LabEvents {
  /** A run was created, changed status, or finished an epoch. */
  'runs:changed': RunSummary
  'runs:deleted': { id: number }
  'trainer:backend': { runId: number; report: BackendReport }
  'trainer:progress': { runId: number; progress: ProgressInfo }
  'trainer:steps': { runId: number; rows: StepRow[] }
  'trainer:epoch': { runId: number; epoch: EpochInfo }
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
