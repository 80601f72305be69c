// The run config of `train` and `sweep`: from a preset and flags, or from a config file saved
// in the lab with a few flags that may adjust it. The run-config schema checks every field.
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { BACKEND_CHOICES, PRESETS, PRESET_IDS, wassersteinDefaults, type BackendChoice, type DiscriminatorRegularizer, type OptimizerConfig, type OptimizerKind, type PresetId, type RunConfigInput } from '@shared/config'
import { MAX_CONFIG_FILE_BYTES, parseConfigFile } from '@shared/config-file'
import { LabError } from '@shared/errors'
import { flagsOf } from './command'
import { num } from './lab'

export type TrainFlags = Record<string, string | undefined>

/** Flags that may adjust a saved config; any other flag beside --config is refused. */
const CONFIG_OVERRIDES = new Set(['config', 'data-dir', 'name', 'seed', 'epochs', 'dataset'])

export function configFromFile(file: string, values: TrainFlags, argv: string[]): RunConfigInput {
  const clashing = flagsOf(argv).filter((f) => !CONFIG_OVERRIDES.has(f))
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
  const saved = parseConfigFile(size > MAX_CONFIG_FILE_BYTES ? '' : readFileSync(path, 'utf8'), size)
  return {
    ...saved,
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.seed !== undefined ? { seed: num(values.seed, '--seed') } : {}),
    ...(values.epochs !== undefined ? { epochs: num(values.epochs, '--epochs') } : {}),
    ...datasetFlag(values)
  }
}

/** --dataset: a built-in name or an imported data set's id (the schema says which are valid). */
function datasetFlag(values: TrainFlags): Pick<RunConfigInput, 'dataset'> {
  const v = values.dataset
  if (v === undefined) return {}
  return { dataset: (/^\d+$/.test(v) ? Number(v) : v) as RunConfigInput['dataset'] }
}

export function configFromFlags(values: TrainFlags, conditional = false): RunConfigInput {
  if (!PRESET_IDS.includes(values.preset as PresetId)) {
    throw new LabError('INVALID_CONFIG', `--preset must be one of ${PRESET_IDS.join(', ')}, got "${values.preset}"`)
  }
  if (!BACKEND_CHOICES.includes(values.backend as BackendChoice)) {
    throw new LabError('INVALID_CONFIG', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${values.backend}"`)
  }
  const preset = PRESETS[values.preset as PresetId]
  const loss = values.loss ?? 'nsgan'
  const wgan = loss === 'wgan' || loss === 'wgan-gp' ? wassersteinDefaults(loss) : null
  if (values.clip !== undefined && loss !== 'wgan') throw new LabError('INVALID_CONFIG', `--clip applies only to --loss wgan (got --loss ${loss})`)
  if (values.gp !== undefined && loss !== 'wgan-gp') throw new LabError('INVALID_CONFIG', `--gp applies only to --loss wgan-gp (got --loss ${loss})`)
  // Each network starts from the preset's own optimizer (they may differ); the flags set both.
  const optimizer = (own: OptimizerConfig): OptimizerConfig => ({
    ...(wgan?.optimizer ?? own),
    ...(values.optimizer !== undefined ? { kind: values.optimizer as OptimizerKind } : {}),
    ...(values.lr !== undefined ? { lr: num(values.lr, '--lr') } : {}),
    ...(values.beta1 !== undefined ? { beta1: num(values.beta1, '--beta1') } : {}),
    ...(values.beta2 !== undefined ? { beta2: num(values.beta2, '--beta2') } : {})
  })
  const seed = num(values.seed, '--seed') ?? Math.floor(Math.random() * 2 ** 31)
  // Tricks not given as flags are the preset's (a critic has no labels to smooth: plain ones then).
  const own = preset.defaults.tricks
  const ownLabel = wgan ? '1' : own.realLabel.min === own.realLabel.max ? String(own.realLabel.min) : `${own.realLabel.min}-${own.realLabel.max}`
  const [labelMin, labelMax = labelMin] = (values['real-label'] ?? ownLabel).split('-')
  const [noiseStd, noiseDecay = '0'] = (values['instance-noise'] ?? `${own.instanceNoise.std}:${own.instanceNoise.decayEpochs}`).split(':')
  const tricks = {
    dStepsPerG: num(values['d-steps'], '--d-steps') ?? wgan?.dStepsPerG ?? own.dStepsPerG,
    realLabel: { min: num(labelMin, '--real-label'), max: num(labelMax, '--real-label') },
    labelFlip: num(values['label-flip'], '--label-flip') ?? (wgan ? 0 : own.labelFlip),
    instanceNoise: { std: num(noiseStd, '--instance-noise'), decayEpochs: num(noiseDecay, '--instance-noise') },
    latent: values.latent ?? own.latent,
    init: values.init ?? own.init,
    dBatch: values['d-batch'] ?? own.dBatch,
    imageScale: own.imageScale,
    generatorNorm: own.generatorNorm,
    loss,
    ...(values.clip !== undefined ? { clip: num(values.clip, '--clip') } : {}),
    ...(values.gp !== undefined ? { gpWeight: num(values.gp, '--gp') } : {})
  }
  return {
    ...preset.defaults,
    name: values.name ?? `${preset.id} seed ${seed}`,
    seed,
    epochs: num(values.epochs, '--epochs') ?? preset.defaults.epochs,
    stepsPerEpoch: num(values['steps-per-epoch'], '--steps-per-epoch') ?? preset.defaults.stepsPerEpoch,
    batchSize: num(values['batch-size'], '--batch-size') ?? preset.defaults.batchSize,
    optimizerD: optimizer(preset.defaults.optimizerD),
    optimizerG: optimizer(preset.defaults.optimizerG),
    backend: values.backend as BackendChoice,
    ...datasetFlag(values),
    // The schema checks each field and names the one that is wrong.
    tricks: tricks as RunConfigInput['tricks'],
    discriminator: { from: null, freeze: 'none', regularizer: (values['d-regularizer'] ?? preset.defaults.discriminator.regularizer) as DiscriminatorRegularizer },
    conditional
  }
}
