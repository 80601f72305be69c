// Sweeps: a small grid over chosen config fields (e.g. optimizer x lr x seed). Each point of
// the grid is the base config with those fields set; every one is validated before any run
// is created, so a sweep starts whole or not at all, and a bad point is named by its values.
import { z } from 'zod'
import { flattenConfig, type ConfigValue } from './config-diff'
import { describeIssues, formatIssues, runConfigSchema, type RunConfig } from './config'
import { executorSchema } from './slurm'

export const MAX_SWEEP_RUNS = 24
export const MAX_SWEEP_AXES = 4
export const MAX_SWEEP_VALUES = 12

/**
 * Fields that set both networks at once, for the usual "SGD vs Adam at these rates" sweep:
 * `optimizer.kind` sets optimizerD.kind and optimizerG.kind, and so on.
 */
export const BOTH_OPTIMIZERS = ['optimizer.kind', 'optimizer.lr', 'optimizer.beta1', 'optimizer.beta2', 'optimizer.momentum'] as const

/** The fields the sweep form offers first (any other scalar field of the config can be swept too). */
export const COMMON_SWEEP_FIELDS = ['optimizer.kind', 'optimizer.lr', 'seed', 'optimizerD.lr', 'optimizerG.lr', 'batchSize', 'latentDim', 'tricks.dStepsPerG', 'tricks.loss', 'tricks.labelFlip'] as const

const sweepValue = z.union([z.number().finite(), z.string().max(60), z.boolean()])
export type SweepValue = z.infer<typeof sweepValue>

export const sweepAxisSchema = z
  .object({
    field: z.string().trim().min(1, 'must name a field'),
    values: z
      .array(sweepValue)
      .min(1, 'needs at least one value')
      .max(MAX_SWEEP_VALUES, `at most ${MAX_SWEEP_VALUES} values`)
      .refine((v) => new Set(v.map((x) => JSON.stringify(x))).size === v.length, { message: 'values repeat' })
  })
  .strict()
export type SweepAxis = z.infer<typeof sweepAxisSchema>

export const sweepRequestSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
    /** The config every point starts from (validated with each point's values set). */
    base: z.record(z.string(), z.unknown()),
    axes: z.array(sweepAxisSchema).min(1, 'needs at least one field').max(MAX_SWEEP_AXES, `at most ${MAX_SWEEP_AXES} fields`),
    /** Open the runs in the compare view when all have ended. */
    compareWhenDone: z.boolean().default(true),
    /** Where the runs train: this machine's queue, or a Slurm cluster (one job array). */
    executor: executorSchema.default({ kind: 'local' })
  })
  .strict()
  .refine((s) => new Set(s.axes.map((a) => a.field)).size === s.axes.length, { message: 'a field appears twice', path: ['axes'] })
  .refine((s) => s.axes.reduce((n, a) => n * a.values.length, 1) <= MAX_SWEEP_RUNS, {
    message: `makes more than ${MAX_SWEEP_RUNS} runs; use fewer values`,
    path: ['axes']
  })
export type SweepRequest = z.output<typeof sweepRequestSchema>

export interface Sweep {
  id: number
  name: string
  axes: SweepAxis[]
  runIds: number[]
  compareWhenDone: boolean
  createdAt: number
}

/** One point of the grid: its values in axis order. */
export interface SweepPoint {
  values: Record<string, SweepValue>
  config: RunConfig
}

/** Comma-separated values as typed: "0.01" is a number, "true" a boolean, anything else a string; blanks are dropped. */
export function parseSweepValues(text: string): SweepValue[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v): SweepValue => {
      if (v === 'true' || v === 'false') return v === 'true'
      const n = Number(v)
      return Number.isFinite(n) ? n : v
    })
}

/** "optimizer.kind=adam, optimizer.lr=0.0002": a point in words (the run name's suffix). */
export function describePoint(values: Record<string, SweepValue>): string {
  return Object.entries(values)
    .map(([field, v]) => `${field.replace(/^(optimizer|tricks)\./, '')}=${String(v)}`)
    .join(', ')
}

/** All combinations of the axes' values, the first axis varying slowest. */
export function gridOf(axes: readonly SweepAxis[]): Record<string, SweepValue>[] {
  let points: Record<string, SweepValue>[] = [{}]
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.field]: v })))
  return points
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  if (keys.some((key) => UNSAFE_KEYS.has(key))) throw new Error(`${path}: not a field of the run config`)
  for (const key of keys.slice(0, -1)) {
    if (!Object.hasOwn(node, key)) throw new Error(`${path}: ${key} is not a group of fields`)
    const next = node[key]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) throw new Error(`${path}: ${key} is not a group of fields`)
    node = next as Record<string, unknown>
  }
  node[keys[keys.length - 1]] = value
}

/** Why `field` cannot be swept in configs like `base`, or null when it can. */
export function fieldProblem(field: string, base: RunConfig): string | null {
  if ((BOTH_OPTIMIZERS as readonly string[]).includes(field)) return null
  if (field === 'name') return 'the name is set per run by the sweep'
  const flat = flattenConfig(base)
  // An own-property check: `in` would also find __proto__, constructor, toString...
  if (!Object.hasOwn(flat, field)) return `no field ${field} in the run config (fields look like optimizerD.lr, tricks.loss, seed)`
  const value: ConfigValue = flat[field]
  if (typeof value === 'string' && (value.startsWith('[') || value === '{}')) return `${field} is a list or group; sweep one of its fields`
  return null
}

export class SweepError extends Error {
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[]
  ) {
    super(message)
  }
}

/**
 * The runs of a sweep: the base config with each grid point's values set, named
 * "<sweep name> · <values>". Throws a SweepError naming the first bad field or point.
 */
export function expandSweep(req: Pick<SweepRequest, 'name' | 'base' | 'axes'> & Partial<SweepRequest>): SweepPoint[] {
  const parsedBase = runConfigSchema.safeParse({ ...req.base, name: req.name })
  if (!parsedBase.success) {
    const issues = describeIssues(parsedBase.error).map((i) => ({ field: `base.${i.field}`, message: i.message }))
    throw new SweepError(`The sweep's base config is invalid: ${formatIssues(issues)}`, issues)
  }
  const base = parsedBase.data
  req.axes.forEach((axis, k) => {
    const problem = fieldProblem(axis.field, base)
    if (problem) throw new SweepError(`axes.${k}.field: ${problem}`, [{ field: `axes.${k}.field`, message: problem }])
  })
  return gridOf(req.axes).map((values) => {
    const draft = structuredClone(base) as unknown as Record<string, unknown>
    for (const [field, value] of Object.entries(values)) {
      if (field.startsWith('optimizer.')) {
        const key = field.slice('optimizer.'.length)
        setPath(draft, `optimizerD.${key}`, value)
        setPath(draft, `optimizerG.${key}`, value)
      } else setPath(draft, field, value)
    }
    draft.name = `${req.name} · ${describePoint(values)}`.slice(0, 120)
    const parsed = runConfigSchema.safeParse(draft)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      throw new SweepError(`The point ${describePoint(values)} is not a valid run: ${formatIssues(issues)}`, issues)
    }
    return { values, config: parsed.data }
  })
}
