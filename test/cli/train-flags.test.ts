// The train flags against the run-config schema: every config field has a flag (or a reason
// not to), every flag names real fields and has the field's type, and the flags build the
// config they always built, from the preset's defaults.
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfig } from '../../src/shared/config'
import { RUN_CONFIG_FIELDS, fieldKind, fieldSchema } from '../../src/shared/config-fields'
import { CONFIG_FLAGS, NOT_FLAGGED, configFromFlags, type ConfigFlag, type TrainFlags } from '../../src/cli/run-config'
import { train } from '../../src/cli/commands/train'

const FLAGS: [string, ConfigFlag][] = Object.entries(CONFIG_FLAGS)
const build = (values: TrainFlags): RunConfig => runConfigSchema.parse(configFromFlags({ preset: 'mnist-mlp', backend: 'auto', seed: '7', ...values }))

describe('the train flags and the run-config schema', () => {
  it('have a flag for every config field not listed in NOT_FLAGGED, and name only fields the schema has', () => {
    const flagged = new Set(FLAGS.flatMap(([, f]) => f.fields as readonly string[]))
    const missing = RUN_CONFIG_FIELDS.filter((field) => !flagged.has(field) && !(field in NOT_FLAGGED))
    expect(missing, 'config fields with no train flag: add one to CONFIG_FLAGS in src/cli/run-config.ts or list it in NOT_FLAGGED with the reason').toEqual([])
    expect([...flagged].filter((field) => !(RUN_CONFIG_FIELDS as string[]).includes(field)), 'flags naming no config field').toEqual([])
    expect(Object.keys(NOT_FLAGGED).filter((field) => flagged.has(field)), 'fields listed as not flagged that have a flag').toEqual([])
  })

  it('take a value unless their field is on or off, and list the choices the schema allows', () => {
    for (const [flag, f] of FLAGS) {
      const kinds = f.fields.map((field) => fieldKind(fieldSchema(runConfigSchema, field)!))
      expect(new Set(kinds).size, `--${flag} sets fields of different kinds`).toBe(1)
      expect(f.value === undefined, `--${flag} (a ${kinds[0]} field)`).toBe(kinds[0] === 'boolean')
      expect(train.options[flag], `--${flag} is an option of train`).toBeDefined()
    }
    expect(train.options.optimizer).toMatchObject({ choices: ['sgd', 'momentum', 'adam', 'rmsprop'] })
    expect(train.options['early-stop']).toMatchObject({ choices: ['convergence', 'mode-collapse', 'oscillation'] })
  })
})

describe('a config from train flags', () => {
  it("is the preset's defaults with the seed and a name from them when no flag is given", () => {
    expect(build({})).toEqual({ ...PRESETS['mnist-mlp'].defaults, name: 'mnist-mlp seed 7', seed: 7 })
  })

  it('sets what the flags say, both networks from one optimizer flag, ranges and pairs split onto their fields', () => {
    const c = build({
      name: 'flags',
      dataset: '3',
      epochs: '2',
      'steps-per-epoch': '9',
      'batch-size': '16',
      'latent-dim': '8',
      backend: 'wasm',
      optimizer: 'momentum',
      lr: '0.01',
      momentum: '0.8',
      'd-steps': '2',
      'real-label': '0.7-1.2',
      'label-flip': '0.05',
      'instance-noise': '0.1:5',
      latent: 'uniform',
      init: 'normal-0.02',
      'd-batch': 'mixed',
      'd-regularizer': 'batchnorm',
      'd-from': '3:2',
      'd-freeze': 'body',
      conditional: true,
      'eval-every': '2',
      'eval-samples': '500',
      'best-by': 'coverage',
      'early-stop': 'convergence,oscillation'
    })
    expect(c).toMatchObject({ name: 'flags', dataset: 3, epochs: 2, stepsPerEpoch: 9, batchSize: 16, latentDim: 8, backend: 'wasm', conditional: true })
    expect(c.optimizerD).toEqual({ kind: 'momentum', lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.8 })
    expect(c.optimizerG).toEqual(c.optimizerD)
    expect(c.tricks).toMatchObject({ dStepsPerG: 2, realLabel: { min: 0.7, max: 1.2 }, labelFlip: 0.05, instanceNoise: { std: 0.1, decayEpochs: 5 }, latent: 'uniform', init: 'normal-0.02', dBatch: 'mixed' })
    expect(c.discriminator).toEqual({ from: { runId: 3, epoch: 2 }, freeze: 'body', regularizer: 'batchnorm', fromClassifier: false })
    expect(c.evaluation).toEqual({ every: 2, samples: 500, bestBy: 'coverage', earlyStopOn: ['convergence', 'oscillation'] })
    expect(build({ 'real-label': '0.9', 'instance-noise': '0.2' }).tricks).toMatchObject({ realLabel: { min: 0.9, max: 0.9 }, instanceNoise: { std: 0.2, decayEpochs: 0 } })
    expect(build({ dataset: 'toy-ring-8', preset: 'toy-mlp' }).dataset).toBe('toy-ring-8')
  })

  it("starts a WGAN from the paper's optimizer and n_critic, which flags override", () => {
    const wgan = build({ loss: 'wgan', clip: '0.02' })
    expect(wgan.tricks).toMatchObject({ loss: 'wgan', clip: 0.02, dStepsPerG: 5 })
    expect(wgan.optimizerD).toMatchObject({ kind: 'rmsprop', lr: 5e-5 })
    const gp = build({ loss: 'wgan-gp', lr: '0.0003', 'd-steps': '3' })
    expect(gp.optimizerG).toMatchObject({ kind: 'adam', lr: 3e-4, beta1: 0, beta2: 0.9 })
    expect(gp.tricks.dStepsPerG).toBe(3)
  })

  it('refuses a value that is not a number, or a pair given half, by flag', () => {
    expect(() => configFromFlags({ preset: 'mnist-mlp', backend: 'auto', lr: 'fast' })).toThrow('--lr must be a number, got "fast"')
    expect(() => configFromFlags({ preset: 'mnist-mlp', backend: 'auto', 'd-from': '3' })).toThrow('--d-from takes RUN_ID:EPOCH, got "3"')
    expect(() => configFromFlags({ preset: 'mnist-mlp', backend: 'auto', 'real-label': '0.7-x' })).toThrow('--real-label must be a number, got "x"')
    // A number out of range is the schema's to refuse, by field.
    const refused = runConfigSchema.safeParse(configFromFlags({ preset: 'mnist-mlp', backend: 'auto', 'eval-samples': '10' }))
    expect(refused.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['evaluation.samples', 'must be at least 50']])
  })
})
