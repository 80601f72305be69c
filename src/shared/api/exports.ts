// Export requests and results: metrics and samples as files, run bundles, publication
// figures and generator checkpoints.
import { z } from 'zod'
import { MAX_COMPARED, X_AXES, comparedRunIdsSchema } from '../compare'
import { SCORE_NAMES } from '../evaluation'
import { DEFAULT_FIGURE_SIZE, figureSizeSchema, type Figure } from '../figure'
import { STEP_METRICS } from '../metrics'

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

/** One legend label per run, in the runs' order; absent: the settings each run differs in ("Adam, lr 2e-4, β1 0.5"). */
const legendSchema = z.array(z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters')).max(MAX_COMPARED).optional()

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
      /** Several runs: the legend's labels; one run: what the caption calls it (the legend names the metrics). */
      legend: legendSchema,
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
      legend: legendSchema,
      caption: z.boolean().default(true)
    })
    .strict(),
  z
    .object({
      kind: z.literal('scores'),
      /** One colour per run; each run's epoch scores of `score`, its best epoch starred, the reference line dashed. */
      ids: z.array(figureRunId).min(1, 'name at least one run').max(MAX_COMPARED, `at most ${MAX_COMPARED} runs`),
      score: z.enum(SCORE_NAMES).default('fid'),
      legend: legendSchema,
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
    /** The run's last checkpoint when left out. */
    epoch: z.number().int().min(1).optional(),
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

export const MAX_SAMPLE_ROWS = 200_000

/** N rows drawn from one checkpoint of a tabular (or toy) run's generator, as CSV in the data set's own columns. */
export const sampleRowsSchema = z
  .object({
    id: z.number().int().positive(),
    /** The checkpoint's epoch; the run's last checkpoint when left out. */
    epoch: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
    rows: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_SAMPLE_ROWS, `must be at most ${MAX_SAMPLE_ROWS}`),
    /** Seed of the rows' latent vectors; the run's own seed when left out. */
    seed: z.number().int('must be a whole number').min(0, 'must be at least 0').max(2 ** 31 - 1).optional()
  })
  .strict()
export type SampleRowsRequest = z.input<typeof sampleRowsSchema>
