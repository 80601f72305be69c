// The run config of `train` and `sweep`: from a preset and flags, or from a config file saved
// in the lab with a few flags that may adjust it. Every config field gets a train flag derived
// from the run-config schema (its name from the field's path, its type, choices and help from the
// field's schema); one table holds only the flags that differ from that: aliases, one flag for
// several fields, CLI defaults and wording. The schema checks every field.
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { z } from 'zod'
import { BACKEND_CHOICES, PRESETS, PRESET_IDS, isWasserstein, runConfigSchema, wassersteinDefaults, type BackendChoice, type PresetId, type RunConfig, type RunConfigInput } from '@shared/config'
import { fieldChoices, fieldDefault, fieldDescription, fieldKind, fieldSchema, getPath, schemaLeaves, setPath, unwrapSchema, type RunConfigField } from '@shared/config-fields'
import { MAX_CONFIG_FILE_BYTES, parseConfigFile } from '@shared/config-file'
import { BUILTIN_DATASETS } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { flagsOf, type BooleanOption, type OptionSpec, type StringOption } from './command'
import { num } from './lab'

export type TrainFlags = Record<string, string | boolean | undefined>

/** A train flag: the config fields it sets and its help; its type and choices are the fields' own. */
export interface ConfigFlag {
  /** The fields it sets: one, or several that all take its value (--lr: both networks). */
  fields: readonly string[]
  /** Splits the text into one part per field, where the fields take different parts (--real-label 0.7-1.2). */
  split?: (text: string) => string[]
  /** The value's placeholder in the help; none for a field that is on or off. */
  value?: string
  description: string
  /** The value parseArgs gives the flag when it is not given. */
  default?: string
  /** The default the help shows, where the command or the preset applies it. */
  shownDefault?: string
}

/** A row of CONFIG_FLAGS: a flag that is not the one derived from its field, and what it changes. */
export interface ConfigFlagRow extends Omit<ConfigFlag, 'fields' | 'description'> {
  fields: readonly RunConfigField[]
  /** The help; without it, the field's description in the schema. */
  description?: string
}

/** --real-label 0.9 or 0.7-1.2: min and max. */
const range = (text: string): string[] => {
  const [min, max = min] = text.split('-')
  return [min, max]
}

/**
 * The train flags that differ from the flag derived from their field (`--steps-per-epoch` for
 * stepsPerEpoch, `--optimizer-d-lr` where two fields share a key): aliases (--d-steps), flags
 * that set several fields (--lr: both networks) or split their text onto them (--real-label),
 * and flags whose default or help is the command's. A field with no row here gets its derived
 * flag; a field listed in NOT_FLAGGED gets none.
 */
export const CONFIG_FLAGS = {
  preset: { fields: ['preset'], value: 'ID', default: PRESET_IDS[0], description: "the preset whose defaults the run starts from (the new-run form's)" },
  dataset: { fields: ['dataset'], value: 'NAME|ID', description: `a built-in data set (${BUILTIN_DATASETS.join(', ')}) or an imported one's id` },
  epochs: { fields: ['epochs'], value: 'N', description: "epochs to train (with --resume: the run's new total)" },
  seed: { fields: ['seed'], value: 'N', description: 'the random seed', shownDefault: 'a random one' },
  name: { fields: ['name'], value: 'NAME', description: "the run's name", shownDefault: '"PRESET seed N"' },
  backend: { fields: ['backend'], value: 'NAME', default: 'auto', description: 'where tfjs computes' },
  optimizer: { fields: ['optimizerD.kind', 'optimizerG.kind'], value: 'KIND', description: 'the optimizer of both networks' },
  lr: { fields: ['optimizerD.lr', 'optimizerG.lr'], value: 'X', description: 'the learning rate of both networks' },
  beta1: { fields: ['optimizerD.beta1', 'optimizerG.beta1'], value: 'X', description: "Adam's β1" },
  beta2: { fields: ['optimizerD.beta2', 'optimizerG.beta2'], value: 'X', description: "Adam's β2" },
  momentum: { fields: ['optimizerD.momentum', 'optimizerG.momentum'], value: 'X', description: "SGD's momentum (--optimizer momentum)" },
  loss: {
    fields: ['tricks.loss'],
    value: 'KIND',
    description:
      "the GAN loss; wgan and wgan-gp (where the preset's is another) start from the paper's optimizer for both networks, RMSprop 5e-5 or Adam 1e-4 β1 0 β2 0.9, and --d-steps 5; flags override them"
  },
  clip: { fields: ['tricks.clip'], value: 'X', description: "--loss wgan only: the critic's weight clip (e.g. 0.01)" },
  gp: { fields: ['tricks.gpWeight'], value: 'X', description: "--loss wgan-gp only: the gradient penalty's weight λ (e.g. 10)" },
  'd-steps': { fields: ['tricks.dStepsPerG'], value: 'K', description: 'discriminator steps per generator step' },
  'real-label': {
    fields: ['tricks.realLabel.min', 'tricks.realLabel.max'],
    split: range,
    value: 'X|MIN-MAX',
    description: "D's target for real images, fixed (0.9) or drawn from a range (0.7-1.2)"
  },
  'instance-noise': {
    fields: ['tricks.instanceNoise.std', 'tricks.instanceNoise.decayEpochs'],
    split: (text) => {
      const [std, decay = '0'] = text.split(':')
      return [std, decay]
    },
    value: 'STD[:DECAY_EPOCHS]',
    description: "noise added to D's inputs, decaying to 0 over DECAY_EPOCHS (0: constant)"
  },
  'd-batch': { fields: ['tricks.dBatch'], value: 'KIND', description: 'real and fake in two D updates or one' },
  'g-norm': { fields: ['tricks.generatorNorm'], value: 'KIND', description: 'batch normalisation after each hidden layer of G' },
  'd-regularizer': { fields: ['discriminator.regularizer'], value: 'KIND', description: "what follows D's hidden layers" },
  'd-from': {
    fields: ['discriminator.from.runId', 'discriminator.from.epoch'],
    split: (text) => text.split(':'),
    value: 'RUN_ID:EPOCH',
    description: "D starts from this run's D at this epoch's checkpoint"
  },
  'd-from-classifier': { fields: ['discriminator.fromClassifier'], description: "D is the reference classifier's body with a new head" },
  'd-freeze': { fields: ['discriminator.freeze'], value: 'KIND', description: 'freeze D entirely or all but its last layer' },
  'eval-every': { fields: ['evaluation.every'], value: 'K', description: 'score every k-th epoch with the reference classifier (0: only on demand)' },
  'eval-samples': { fields: ['evaluation.samples'], value: 'N', description: 'generated samples scored' },
  'best-by': { fields: ['evaluation.bestBy'], value: 'SCORE', description: 'the score that picks the best epoch' },
  'early-stop': { fields: ['evaluation.earlyStopOn'], value: 'FLAG,FLAG,...', description: 'stop the run when one of these failure flags is raised' },
  'target-column': { fields: ['evaluation.targetColumn'], value: 'COLUMN' }
} as const satisfies Record<string, ConfigFlagRow>

/** Config fields with no train flag, and why. */
export const NOT_FLAGGED: Readonly<Partial<Record<RunConfigField, string>>> = {}

/** Flags that may adjust a saved config; any other flag beside --config is refused. */
const CONFIG_OVERRIDES = ['name', 'seed', 'epochs', 'dataset'] as const satisfies readonly (keyof typeof CONFIG_FLAGS)[]

/** 'tricks.generatorNorm' -> 'generator-norm'; with `whole`, 'optimizerD.lr' -> 'optimizer-d-lr'. */
export function flagNameOf(field: string, whole = false): string {
  const key = whole ? field.replace(/\./g, '-') : field.slice(field.lastIndexOf('.') + 1)
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

/** The placeholder of a derived flag's value, from its field's type; none for a field that is on or off. */
function placeholderOf(schema: z.ZodType): string | undefined {
  const s = unwrapSchema(schema)
  switch (fieldKind(schema)) {
    case 'boolean':
      return undefined
    case 'number':
      return (s as z.ZodNumber).isInt ? 'N' : 'X'
    case 'enum':
      return 'KIND'
    case 'array':
      return 'A,B,...'
    case 'string':
      return 'TEXT'
    default:
      return 'VALUE'
  }
}

/** What a value looks like in the help: 0.01, gaussian, a,b, none. */
const shown = (value: unknown): string | undefined =>
  value === undefined ? undefined : value === null || (Array.isArray(value) && value.length === 0) ? 'none' : Array.isArray(value) ? value.join(',') : String(value)

/**
 * The train flags of a run-config schema: a CONFIG_FLAGS-style table's rows, and for every other
 * field (not in `notFlagged`) the flag derived from it, named after the field's key (after its
 * whole path where two fields share a key or a row has the name), typed by its schema, described
 * by the schema's description. `defaultOf` says what a field is when its flag is not given. In
 * the schema's field order; a row stands where its first field does.
 */
export function deriveConfigFlags(
  schema: z.ZodType,
  table: Readonly<Record<string, ConfigFlagRow>>,
  notFlagged: Readonly<Partial<Record<string, string>>> = {},
  defaultOf: (field: string) => unknown = (field) => fieldDefault(fieldSchema(schema, field)!)
): Record<string, ConfigFlag> {
  const fields = schemaLeaves(schema)
  const rowOf = new Map<string, string>()
  for (const [flag, row] of Object.entries(table)) {
    for (const field of row.fields) {
      if (!fields.includes(field)) throw new Error(`--${flag} (CONFIG_FLAGS) names "${field}", which is no config field`)
      rowOf.set(field, flag)
    }
  }
  const derived = fields.filter((f) => !rowOf.has(f) && !(f in notFlagged))
  const taken = (name: string, field: string): boolean => name in table || derived.some((f) => f !== field && flagNameOf(f) === name)
  const flags: Record<string, ConfigFlag> = {}
  for (const field of fields) {
    const fieldType = fieldSchema(schema, field)!
    const rowFlag = rowOf.get(field)
    let name: string
    let flag: ConfigFlag
    if (rowFlag !== undefined) {
      const row = table[rowFlag]
      if (row.fields[0] !== field) continue
      name = rowFlag
      flag = { ...row, description: row.description ?? fieldDescription(fieldType) ?? `sets ${row.fields.join(', ')}` }
    } else if (derived.includes(field)) {
      name = taken(flagNameOf(field), field) ? flagNameOf(field, true) : flagNameOf(field)
      const value = placeholderOf(fieldType)
      flag = { fields: [field], ...(value ? { value } : {}), description: fieldDescription(fieldType) ?? `sets ${field}` }
    } else continue
    if (name in flags) throw new Error(`--${name} would set both ${flags[name].fields.join(', ')} and ${field}: give one of them a row in CONFIG_FLAGS`)
    // A flag that takes a value says what the field is without it (a switch is off).
    if (flag.value !== undefined && flag.default === undefined && flag.shownDefault === undefined) {
      const shownDefault = shown(defaultOf(field))
      if (shownDefault !== undefined) flag.shownDefault = shownDefault
    }
    flags[name] = flag
  }
  return flags
}

/** A field's value when no flag sets it: what every preset starts from, or "the preset's" where they differ. */
function presetDefault(field: string): unknown {
  const values = PRESET_IDS.map((id) => JSON.stringify(getPath(PRESETS[id].defaults, field)) ?? 'undefined')
  if (new Set(values).size > 1) return "the preset's"
  return values[0] === 'undefined' ? fieldDefault(fieldSchema(runConfigSchema, field)!) : getPath(PRESETS[PRESET_IDS[0]].defaults, field)
}

/** Every train flag that sets config fields. */
export const TRAIN_CONFIG_FLAGS = deriveConfigFlags(runConfigSchema, CONFIG_FLAGS, NOT_FLAGGED, presetDefault)

type FlagOptions<T> = { -readonly [K in keyof T]: T[K] extends { value: string } ? StringOption : BooleanOption }

/** Flags as a command's options: a field that is on or off is a boolean flag, the rest take a value (with the schema's choices). */
export function configFlagOptions(flags: Readonly<Record<string, ConfigFlag>>, schema: z.ZodType = runConfigSchema): Record<string, OptionSpec> {
  return Object.fromEntries(
    Object.entries(flags).map(([flag, f]) => {
      if (f.value === undefined) return [flag, { type: 'boolean', description: f.description } satisfies BooleanOption]
      const choices = fieldChoices(fieldSchema(schema, f.fields[0])!)
      const option: StringOption = {
        type: 'string',
        value: f.value,
        description: f.description,
        ...(f.default !== undefined ? { default: f.default } : {}),
        ...(f.shownDefault !== undefined ? { shownDefault: f.shownDefault } : {}),
        ...(choices ? { choices } : {})
      }
      return [flag, option]
    })
  )
}

/** The train command's config options: typed for the table's flags, the derived ones by name. */
export const CONFIG_FLAG_OPTIONS = configFlagOptions(TRAIN_CONFIG_FLAGS) as FlagOptions<typeof CONFIG_FLAGS> & Record<string, OptionSpec>

/** A flag's text as one field's value: the number, the on/off, the list or the name its schema takes. */
function fieldValue(schema: z.ZodType, field: string, text: string | boolean, flag: string): unknown {
  if (typeof text === 'boolean') return text
  switch (fieldKind(fieldSchema(schema, field)!)) {
    case 'number':
      return num(text, `--${flag}`)
    case 'array':
      return text === '' ? [] : text.split(',')
    case 'union':
      // --dataset: a built-in name or an imported data set's id (the schema says which are valid).
      return /^\d+$/.test(text) ? Number(text) : text
    default:
      return text
  }
}

/**
 * Sets on `config` the fields of every flag of `flags` given in `values` (of those named in
 * `only`, when given), each as its schema's type.
 */
export function applyConfigFlags(
  config: Record<string, unknown>,
  values: TrainFlags,
  flags: Readonly<Record<string, ConfigFlag>> = TRAIN_CONFIG_FLAGS,
  schema: z.ZodType = runConfigSchema,
  only: readonly string[] = Object.keys(flags)
): void {
  for (const flag of only) {
    const f = flags[flag]
    const value = values[flag]
    if (value === undefined) continue
    const parts = f.split && typeof value === 'string' ? f.split(value) : f.fields.map(() => value)
    if (parts.length !== f.fields.length) throw new LabError('INVALID_CONFIG', `--${flag} takes ${f.value}, got "${String(value)}"`)
    f.fields.forEach((field, i) => setPath(config, field, fieldValue(schema, field, parts[i], flag)))
  }
}

export function configFromFile(file: string, values: TrainFlags, argv: string[]): RunConfigInput {
  const allowed = new Set<string>(['config', 'data-dir', ...CONFIG_OVERRIDES])
  const clashing = flagsOf(argv).filter((f) => !allowed.has(f))
  if (clashing.length > 0) {
    throw new LabError('INVALID_CONFIG', `--${clashing[0]} cannot be combined with --config; change it in the file (or use --name, --seed, --epochs)`)
  }
  const path = resolve(file)
  let size: number
  try {
    size = statSync(path).size
  } catch {
    throw new LabError('NOT_FOUND', `--config: no file at ${path}`)
  }
  // The size is checked before the file is read, so a huge file is never loaded.
  const saved = parseConfigFile(size > MAX_CONFIG_FILE_BYTES ? '' : readFileSync(path, 'utf8'), size) as Record<string, unknown>
  const config = { ...saved }
  applyConfigFlags(config, values, TRAIN_CONFIG_FLAGS, runConfigSchema, CONFIG_OVERRIDES)
  return config as RunConfigInput
}

export function configFromFlags(values: TrainFlags): RunConfigInput {
  if (!PRESET_IDS.includes(values.preset as PresetId)) {
    throw new LabError('INVALID_CONFIG', `--preset must be one of ${PRESET_IDS.join(', ')}, got "${String(values.preset)}"`)
  }
  if (!BACKEND_CHOICES.includes(values.backend as BackendChoice)) {
    throw new LabError('INVALID_CONFIG', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${String(values.backend)}"`)
  }
  const preset = PRESETS[values.preset as PresetId]
  const loss = typeof values.loss === 'string' ? values.loss : preset.defaults.tricks.loss
  if (values.clip !== undefined && loss !== 'wgan') throw new LabError('INVALID_CONFIG', `--clip applies only to --loss wgan (got --loss ${loss})`)
  if (values.gp !== undefined && loss !== 'wgan-gp') throw new LabError('INVALID_CONFIG', `--gp applies only to --loss wgan-gp (got --loss ${loss})`)
  const seed = num(values.seed as string | undefined, '--seed') ?? Math.floor(Math.random() * 2 ** 31)
  // The preset's defaults, each network with its own optimizer (the flags set both).
  const config = JSON.parse(JSON.stringify({ ...preset.defaults, name: `${preset.id} seed ${seed}`, seed })) as RunConfig
  // A critic the preset does not already train starts from its paper's optimizer and n_critic, and
  // has no labels to smooth or flip; a preset that is a critic (tabular-mlp) keeps its measured ones.
  if (isWasserstein(loss as RunConfig['tricks']['loss']) && loss !== preset.defaults.tricks.loss) {
    const wgan = wassersteinDefaults(loss as 'wgan' | 'wgan-gp')
    config.optimizerD = { ...wgan.optimizer }
    config.optimizerG = { ...wgan.optimizer }
    config.tricks = { ...config.tricks, dStepsPerG: wgan.dStepsPerG, realLabel: { min: 1, max: 1 }, labelFlip: 0 }
  }
  applyConfigFlags(config as unknown as Record<string, unknown>, values)
  // The schema checks each field and names the one that is wrong.
  return config as RunConfigInput
}
