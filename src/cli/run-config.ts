// The run config of `train` and `sweep`: from a preset and flags, or from a config file saved
// in the lab with a few flags that may adjust it. One table says which config fields each flag
// sets; the flags' types and choices come from the run-config schema, which checks every field.
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { BACKEND_CHOICES, DEFAULT_TRICKS, PRESETS, PRESET_IDS, isWasserstein, runConfigSchema, wassersteinDefaults, type BackendChoice, type PresetId, type RunConfig, type RunConfigInput } from '@shared/config'
import { fieldChoices, fieldKind, fieldSchema, setPath, type RunConfigField } from '@shared/config-fields'
import { MAX_CONFIG_FILE_BYTES, parseConfigFile } from '@shared/config-file'
import { BUILTIN_DATASETS } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { flagsOf, type BooleanOption, type StringOption } from './command'
import { num } from './lab'

export type TrainFlags = Record<string, string | boolean | undefined>

/** A train flag: the config fields it sets and its help; its type and choices are the fields' own. */
export interface ConfigFlag {
  /** The fields it sets: one, or several that all take its value (--lr: both networks). */
  fields: readonly RunConfigField[]
  /** Splits the text into one part per field, where the fields take different parts (--real-label 0.7-1.2). */
  split?: (text: string) => string[]
  /** The value's placeholder in the help; none for a field that is on or off. */
  value?: string
  description: string
  default?: string
  shownDefault?: string
}

/** --real-label 0.9 or 0.7-1.2: min and max. */
const range = (text: string): string[] => {
  const [min, max = min] = text.split('-')
  return [min, max]
}

/**
 * Every train flag that sets config fields. A config field needs a flag here or a place in
 * NOT_FLAGGED (test/cli/train-flags.test.ts names the field that has neither).
 */
export const CONFIG_FLAGS = {
  preset: { fields: ['preset'], value: 'ID', default: PRESET_IDS[0], description: "the preset whose defaults the run starts from (the new-run form's)" },
  dataset: { fields: ['dataset'], value: 'NAME|ID', description: `a built-in data set (${BUILTIN_DATASETS.join(', ')}) or an imported one's id` },
  epochs: { fields: ['epochs'], value: 'N', description: "epochs to train (with --resume: the run's new total)" },
  'steps-per-epoch': { fields: ['stepsPerEpoch'], value: 'N', description: 'steps in an epoch' },
  'batch-size': { fields: ['batchSize'], value: 'N', description: 'images per batch' },
  'latent-dim': { fields: ['latentDim'], value: 'N', description: "the latent size", shownDefault: "the preset's" },
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
      "the GAN loss; wgan and wgan-gp start from the paper's optimizer for both networks, RMSprop 5e-5 or Adam 1e-4 β1 0 β2 0.9, and --d-steps 5; flags override them",
    shownDefault: DEFAULT_TRICKS.loss
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
  'label-flip': { fields: ['tricks.labelFlip'], value: 'P', description: "the fraction of D's labels flipped (e.g. 0.05)" },
  'instance-noise': {
    fields: ['tricks.instanceNoise.std', 'tricks.instanceNoise.decayEpochs'],
    split: (text) => {
      const [std, decay = '0'] = text.split(':')
      return [std, decay]
    },
    value: 'STD[:DECAY_EPOCHS]',
    description: "noise added to D's inputs, decaying to 0 over DECAY_EPOCHS (0: constant)"
  },
  latent: { fields: ['tricks.latent'], value: 'KIND', description: 'the latent distribution', shownDefault: DEFAULT_TRICKS.latent },
  init: { fields: ['tricks.init'], value: 'KIND', description: 'the weight initialisers', shownDefault: DEFAULT_TRICKS.init },
  'd-batch': { fields: ['tricks.dBatch'], value: 'KIND', description: 'real and fake in two D updates or one', shownDefault: DEFAULT_TRICKS.dBatch },
  'image-scale': { fields: ['tricks.imageScale'], value: 'KIND', description: "the DCGAN presets' pixel scale inside G and D", shownDefault: "the preset's" },
  'g-norm': { fields: ['tricks.generatorNorm'], value: 'KIND', description: 'batch normalisation after each hidden layer of G', shownDefault: "the preset's" },
  'table-transform': { fields: ['tricks.tableTransform'], value: 'KIND', description: "the tabular preset's row encoding: modes (CTGAN) or minmax", shownDefault: "the preset's" },
  'd-regularizer': { fields: ['discriminator.regularizer'], value: 'KIND', description: "what follows D's hidden layers", shownDefault: 'dropout' },
  'd-from': {
    fields: ['discriminator.from.runId', 'discriminator.from.epoch'],
    split: (text) => text.split(':'),
    value: 'RUN_ID:EPOCH',
    description: "D starts from this run's D at this epoch's checkpoint"
  },
  'd-from-classifier': { fields: ['discriminator.fromClassifier'], description: "D is the reference classifier's body with a new head" },
  'd-freeze': { fields: ['discriminator.freeze'], value: 'KIND', description: 'freeze D entirely or all but its last layer', shownDefault: 'none' },
  conditional: { fields: ['conditional'], description: 'a conditional GAN on a labelled image data set; grids one row per class' },
  'eval-every': { fields: ['evaluation.every'], value: 'K', description: 'score every k-th epoch with the reference classifier (0: only on demand)', shownDefault: '1' },
  'eval-samples': { fields: ['evaluation.samples'], value: 'N', description: 'generated samples scored', shownDefault: '2000' },
  'best-by': { fields: ['evaluation.bestBy'], value: 'SCORE', description: 'the score that picks the best epoch', shownDefault: 'fid' },
  'early-stop': { fields: ['evaluation.earlyStopOn'], value: 'FLAG,FLAG,...', description: 'stop the run when one of these failure flags is raised' }
} as const satisfies Record<string, ConfigFlag>

/** Config fields with no train flag, and why. */
export const NOT_FLAGGED: Readonly<Partial<Record<RunConfigField, string>>> = {}

/** Flags that may adjust a saved config; any other flag beside --config is refused. */
const CONFIG_OVERRIDES = ['name', 'seed', 'epochs', 'dataset'] as const satisfies readonly (keyof typeof CONFIG_FLAGS)[]

type FlagOptions<T> = { -readonly [K in keyof T]: T[K] extends { value: string } ? StringOption : BooleanOption }

/** The flags as the command's options: a field that is on or off is a boolean flag, the rest take a value (with the schema's choices). */
export const CONFIG_FLAG_OPTIONS = Object.fromEntries(
  Object.entries(CONFIG_FLAGS).map(([flag, f]: [string, ConfigFlag]) => {
    const schema = fieldSchema(runConfigSchema, f.fields[0])!
    if (f.value === undefined) return [flag, { type: 'boolean', description: f.description } satisfies BooleanOption]
    const choices = fieldChoices(schema)
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
) as FlagOptions<typeof CONFIG_FLAGS>

/** A flag's text as one field's value: the number, the on/off, the list or the name its schema takes. */
function fieldValue(field: RunConfigField, text: string | boolean, flag: string): unknown {
  if (typeof text === 'boolean') return text
  const schema = fieldSchema(runConfigSchema, field)!
  switch (fieldKind(schema)) {
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

/** Sets on `config` the fields of every flag given in `values` (only `flags` of them, when given). */
function applyFlags(config: Record<string, unknown>, values: TrainFlags, flags: readonly string[] = Object.keys(CONFIG_FLAGS)): void {
  for (const flag of flags) {
    const f: ConfigFlag = CONFIG_FLAGS[flag as keyof typeof CONFIG_FLAGS]
    const value = values[flag]
    if (value === undefined) continue
    const parts = f.split && typeof value === 'string' ? f.split(value) : f.fields.map(() => value)
    if (parts.length !== f.fields.length) throw new LabError('INVALID_CONFIG', `--${flag} takes ${f.value}, got "${String(value)}"`)
    f.fields.forEach((field, i) => setPath(config, field, fieldValue(field, parts[i], flag)))
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
  applyFlags(config, values, CONFIG_OVERRIDES)
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
  // A critic starts from its paper's optimizer and n_critic, and has no labels to smooth or flip.
  if (isWasserstein(loss as RunConfig['tricks']['loss'])) {
    const wgan = wassersteinDefaults(loss as 'wgan' | 'wgan-gp')
    config.optimizerD = { ...wgan.optimizer }
    config.optimizerG = { ...wgan.optimizer }
    config.tricks = { ...config.tricks, dStepsPerG: wgan.dStepsPerG, realLabel: { min: 1, max: 1 }, labelFlip: 0 }
  }
  applyFlags(config as unknown as Record<string, unknown>, values)
  // The schema checks each field and names the one that is wrong.
  return config as RunConfigInput
}
