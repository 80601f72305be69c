// Comparisons of 2 to 8 runs: what the compare view shows, how it is saved and linked, and the
// paired experiments that start two runs differing in one setting.
import { z } from 'zod'
import { SCORE_NAMES } from './evaluation'
import { BANDS } from './run-groups'
import { BACKEND_CHOICES, describeIssues, formatIssues, isDcganPreset, PRESET_IDS, PRESETS, runConfigSchema, type OptimizerConfig, type PresetId, type RunConfig } from './config'

export const MIN_COMPARED = 2
/** Eight: a 2 x 2 x 2 sweep (optimizer x lr x seed) fits one view. */
export const MAX_COMPARED = 8

/** One colour per run position, used for every curve, label and frame of that run in the view. */
export const RUN_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'] as const

export const X_AXES = ['step', 'epoch', 'time'] as const
export type XAxis = (typeof X_AXES)[number]

export const compareSettingsSchema = z
  .object({
    xAxis: z.enum(X_AXES).default('step'),
    /** EMA weight of the previous smoothed value, 0 = raw. */
    smoothing: z.number().min(0).max(0.999).default(0.6),
    /** The epoch the grids show; null = the last one. */
    epoch: z.number().int().min(1).nullable().default(null),
    showAllFields: z.boolean().default(false),
    /** The score the score curves show. */
    score: z.enum(SCORE_NAMES).default('fid'),
    /** A logarithmic y axis on the metric charts. */
    logY: z.boolean().default(false),
    /** Config fields (dotted paths) whose values group runs into one mean curve with a band; empty: one curve per run. */
    groupBy: z.array(z.string().min(1).max(200)).max(20).default([]),
    /** The band around a group's mean: ± one standard deviation, or min to max. */
    band: z.enum(BANDS).default('std'),
    /** A config field (dotted path) whose values colour the runs (same value, same colour); null: a colour per run. */
    colorBy: z.string().min(1).max(200).nullable().default(null)
  })
  .strict()
export type CompareSettings = z.output<typeof compareSettingsSchema>
export const DEFAULT_COMPARE_SETTINGS: CompareSettings = compareSettingsSchema.parse({})

export const comparedRunIdsSchema = z
  .array(z.number({ error: 'must be run ids (whole numbers)' }).int('must be run ids (whole numbers)').positive('must be run ids (whole numbers)'))
  .min(MIN_COMPARED, `compare at least ${MIN_COMPARED} runs`)
  .max(MAX_COMPARED, `compare at most ${MAX_COMPARED} runs`)
  .refine((ids) => new Set(ids).size === ids.length, 'a run is listed twice')

export const saveComparisonSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    runIds: comparedRunIdsSchema,
    settings: compareSettingsSchema.default(DEFAULT_COMPARE_SETTINGS)
  })
  .strict()

export interface SavedComparison {
  id: number
  name: string
  runIds: number[]
  settings: CompareSettings
  createdAt: number
  updatedAt: number
}

/**
 * "#/compare?runs=3,5&x=epoch&smooth=0.8&epoch=10&all=1&score=coverage": the link to a comparison as shown.
 * Settings at their defaults are left out, so the plain link stays short.
 */
export function compareHash(runIds: readonly number[], settings: Partial<CompareSettings> = {}): string {
  const s = { ...DEFAULT_COMPARE_SETTINGS, ...settings }
  const params = new URLSearchParams({ runs: runIds.join(',') })
  if (s.xAxis !== DEFAULT_COMPARE_SETTINGS.xAxis) params.set('x', s.xAxis)
  if (s.smoothing !== DEFAULT_COMPARE_SETTINGS.smoothing) params.set('smooth', String(s.smoothing))
  if (s.epoch !== null) params.set('epoch', String(s.epoch))
  if (s.showAllFields) params.set('all', '1')
  if (s.score !== DEFAULT_COMPARE_SETTINGS.score) params.set('score', s.score)
  if (s.logY) params.set('log', '1')
  if (s.groupBy.length) params.set('group', s.groupBy.join(','))
  if (s.band !== DEFAULT_COMPARE_SETTINGS.band) params.set('band', s.band)
  if (s.colorBy !== null) params.set('color', s.colorBy)
  return `#/compare?${params.toString().replace(/%2C/g, ',')}`
}

export type CompareLink = { ok: true; runIds: number[]; settings: CompareSettings } | { ok: false; message: string }

/** A link's parameters, named as in the link so a refusal names what to fix. */
const linkSchema = z.object({
  runs: comparedRunIdsSchema,
  x: compareSettingsSchema.shape.xAxis,
  smooth: compareSettingsSchema.shape.smoothing,
  epoch: compareSettingsSchema.shape.epoch,
  all: z.enum(['0', '1']).default('0'),
  score: compareSettingsSchema.shape.score,
  log: z.enum(['0', '1']).default('0'),
  group: compareSettingsSchema.shape.groupBy,
  band: compareSettingsSchema.shape.band,
  color: z.string().min(1).max(200).optional()
})

/** What a compare link asks for, or why it cannot be followed; null when the hash is no compare link. */
export function parseCompareHash(hash: string): CompareLink | null {
  const m = /^#\/compare(?:\?(.*))?$/.exec(hash)
  if (!m) return null
  const params = new URLSearchParams(m[1] ?? '')
  const given = (key: string): string | undefined => params.get(key) ?? undefined
  const asNumber = (v: string | undefined): number | string | undefined => (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v)
  const parsed = linkSchema.safeParse({
    runs: (given('runs') ?? '').split(',').filter((id) => id !== '').map(asNumber),
    x: given('x'),
    smooth: asNumber(given('smooth')),
    epoch: asNumber(given('epoch')),
    all: given('all'),
    score: given('score'),
    log: given('log'),
    group: (given('group') ?? '').split(',').filter(Boolean),
    band: given('band'),
    color: given('color')
  })
  if (!parsed.success) return { ok: false, message: `This compare link cannot be opened: ${formatIssues(describeIssues(parsed.error))}` }
  const { runs, x, smooth, epoch, all, score, log, group, band, color } = parsed.data
  return { ok: true, runIds: runs, settings: { xAxis: x, smoothing: smooth, epoch, showAllFields: all === '1', score, logY: log === '1', groupBy: group, band, colorBy: color ?? null } }
}

export const PAIR_IDS = ['sgd-vs-adam'] as const
export type PairId = (typeof PAIR_IDS)[number]

export interface PairVariant {
  label: string
  patch: (config: RunConfig) => RunConfig
}

export interface PresetPair {
  id: PairId
  label: string
  description: string
  variants: [PairVariant, PairVariant]
}

/**
 * SGD with momentum 0.9 for each network, G twenty times faster than D. Measured on the seed's
 * layout with half its filters and batch norm in G (npm run bench:quality, docs/benchmarks.md):
 * at step 450 19% confidently classified samples of 9 classes (FID 152) where Adam had 27% (FID
 * 124); 0.01 for both let D win within 150 steps (black samples), and without batch norm in G
 * D 0.0005/G 0.005 was still black after 755 steps.
 */
export const PAIR_SGD: { d: OptimizerConfig; g: OptimizerConfig } = {
  d: { kind: 'momentum', lr: 0.001, beta1: 0.5, beta2: 0.999, momentum: 0.9 },
  g: { kind: 'momentum', lr: 0.02, beta1: 0.5, beta2: 0.999, momentum: 0.9 }
}

/**
 * The pair's SGD for a preset: PAIR_SGD, with D five times slower for the DCGAN presets, whose
 * batch-normalised D under SGD D 0.001 wins at once (the quick preset, conditional, batch 32: D
 * loss 0.002 and black samples from step 300 to 900); at D 0.0002 it trains (step 900: 35%
 * confident of 8 classes, FID 80, where the Adam run has 76% of all 10, FID 13), plainly unlike
 * Adam's. (The seed layout's D has been batch-normalised too since session 17; its pair was not
 * measured separately.)
 */
export function pairSgd(preset: PresetId): { d: OptimizerConfig; g: OptimizerConfig } {
  return isDcganPreset(preset) ? { d: { ...PAIR_SGD.d, lr: 0.0002 }, g: { ...PAIR_SGD.g } } : { d: { ...PAIR_SGD.d }, g: { ...PAIR_SGD.g } }
}

export const PRESET_PAIRS: Record<PairId, PresetPair> = {
  'sgd-vs-adam': {
    id: 'sgd-vs-adam',
    label: 'SGD vs Adam on MNIST',
    description:
      `Two runs with the same seed and fixed latent batch: trained with SGD with momentum ${PAIR_SGD.d.momentum} (D lr ${PAIR_SGD.d.lr}, ` +
      `${pairSgd('mnist-dcgan-small').d.lr} for the DCGANs; G lr ${PAIR_SGD.g.lr}), or with the preset's Adam; everything else is the preset's defaults.`,
    variants: [
      { label: 'SGD', patch: (c) => ({ ...c, optimizerD: pairSgd(c.preset).d, optimizerG: pairSgd(c.preset).g }) },
      // The preset's own Adam (its defaults are the base), so the Adam run is the default experiment.
      { label: 'Adam', patch: (c) => ({ ...c, optimizerD: { ...PRESETS[c.preset].defaults.optimizerD }, optimizerG: { ...PRESETS[c.preset].defaults.optimizerG } }) }
    ]
  }
}

/** What the new-run form lends a pair besides preset and seed: how long, how big, where; never what the pair varies. */
export const pairShapeSchema = z
  .object({
    epochs: runConfigSchema.shape.epochs.optional(),
    batchSize: runConfigSchema.shape.batchSize.optional(),
    /** null: one full pass over the training set per epoch; left out: the preset's own. */
    stepsPerEpoch: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).nullable().optional(),
    backend: z.enum(BACKEND_CHOICES).optional()
  })
  .strict()
export type PairShape = z.output<typeof pairShapeSchema>

export const createPairSchema = z
  .object({
    pair: z.enum(PAIR_IDS),
    preset: z.enum(PRESET_IDS),
    seed: runConfigSchema.shape.seed,
    ...pairShapeSchema.shape
  })
  .strict()

export type CreatePairRequest = z.input<typeof createPairSchema>

/** The two configs of a pair: the preset's defaults with the given shape, the same seed, each variant's change. */
export function pairConfigs(pairId: PairId, preset: PresetId, seed: number, shape: PairShape = {}): [RunConfig, RunConfig] {
  const pair = PRESET_PAIRS[pairId]
  const given = Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) as Partial<RunConfig>
  const base: RunConfig = { ...PRESETS[preset].defaults, ...given, name: '', seed }
  const [a, b] = pair.variants.map((v) => ({ ...v.patch(base), name: `${pair.label}: ${v.label} (${preset}, seed ${seed})` }))
  return [a, b]
}
