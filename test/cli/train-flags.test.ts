// The train flags against the run-config schema: every config field has a flag derived from the
// schema (or a row of CONFIG_FLAGS, or a reason not to), so a field added to the schema gets its
// flag with no table row; every flag names real fields and has the field's type; and the flags
// build the config they always built, from the preset's defaults.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { PRESETS, runConfigSchema, tricksSchema, type RunConfig } from '../../src/shared/config'
import { RUN_CONFIG_FIELDS, fieldKind, fieldSchema } from '../../src/shared/config-fields'
import { CONFIG_FLAGS, NOT_FLAGGED, TRAIN_CONFIG_FLAGS, applyConfigFlags, configFlagOptions, configFromFlags, deriveConfigFlags, type TrainFlags } from '../../src/cli/run-config'
import { commandHelp, defineCommand } from '../../src/cli/command'
import { train } from '../../src/cli/commands/train'

const FLAGS = Object.entries(TRAIN_CONFIG_FLAGS)
const build = (values: TrainFlags): RunConfig => runConfigSchema.parse(configFromFlags({ preset: 'mnist-mlp', backend: 'auto', seed: '7', ...values }))

describe('the train flags and the run-config schema', () => {
  it('have a flag for every config field not listed in NOT_FLAGGED, and name only fields the schema has', () => {
    const flagged = new Set(FLAGS.flatMap(([, f]) => f.fields))
    const missing = RUN_CONFIG_FIELDS.filter((field) => !flagged.has(field) && !(field in NOT_FLAGGED))
    expect(missing, 'config fields with no train flag (a field listed in NOT_FLAGGED has none)').toEqual([])
    expect([...flagged].filter((field) => !(RUN_CONFIG_FIELDS as string[]).includes(field)), 'flags naming no config field').toEqual([])
    expect(Object.keys(NOT_FLAGGED).filter((field) => flagged.has(field)), 'fields listed as not flagged that have a flag').toEqual([])
    // Each field is set by one flag only.
    expect(FLAGS.flatMap(([, f]) => f.fields)).toHaveLength(flagged.size)
  })

  it('take a value unless their field is on or off, and list the choices the schema allows', () => {
    for (const [flag, f] of FLAGS) {
      const kinds = f.fields.map((field) => fieldKind(fieldSchema(runConfigSchema, field)!))
      expect(new Set(kinds).size, `--${flag} sets fields of different kinds`).toBe(1)
      expect(f.value === undefined, `--${flag} (a ${kinds[0]} field)`).toBe(kinds[0] === 'boolean')
    }
    // train takes these flags and its own three, and no other.
    expect(Object.keys(train.options).sort()).toEqual([...Object.keys(TRAIN_CONFIG_FLAGS), 'config', 'resume', 'data-dir'].sort())
    expect(train.options.optimizer).toMatchObject({ choices: ['sgd', 'momentum', 'adam', 'rmsprop'] })
    expect(train.options['early-stop']).toMatchObject({ choices: ['convergence', 'mode-collapse', 'oscillation'] })
  })

  it('derive the flags the table does not hold from the schema: name from the field, help and default from its schema and the presets', () => {
    const derived = Object.keys(TRAIN_CONFIG_FLAGS).filter((flag) => !(flag in CONFIG_FLAGS))
    expect(derived).toEqual(expect.arrayContaining(['batch-size', 'conditional', 'image-scale', 'init', 'label-flip', 'latent', 'latent-dim', 'steps-per-epoch']))
    for (const flag of derived) expect(TRAIN_CONFIG_FLAGS[flag].fields, `--${flag}`).toHaveLength(1)
    expect(TRAIN_CONFIG_FLAGS['steps-per-epoch']).toEqual({ fields: ['stepsPerEpoch'], value: 'N', description: 'steps in an epoch', shownDefault: "the preset's" })
    expect(TRAIN_CONFIG_FLAGS['label-flip']).toEqual({ fields: ['tricks.labelFlip'], value: 'X', description: "the fraction of D's labels flipped (e.g. 0.05)", shownDefault: '0' })
    expect(TRAIN_CONFIG_FLAGS.conditional).toEqual({ fields: ['conditional'], description: 'a conditional GAN on a labelled image data set; grids one row per class' })
    expect(train.options.latent).toMatchObject({ type: 'string', value: 'KIND', choices: ['gaussian', 'uniform'], shownDefault: 'gaussian' })
    // A row's help default, where neither it nor the command sets one, is what every preset starts from.
    expect(TRAIN_CONFIG_FLAGS['eval-samples'].shownDefault).toBe('2000')
    expect(TRAIN_CONFIG_FLAGS['eval-every'].shownDefault).toBe("the preset's")
  })
})

describe('a field added to the schema', () => {
  it('gets a flag with no table row: named after its key (its whole path where keys clash), typed and described by its schema', () => {
    const schema = z.object({
      name: z.string(),
      optimizerD: z.object({ lr: z.number() }),
      optimizerG: z.object({ lr: z.number() }),
      tricks: z.object({
        spectralNorm: z.boolean().default(false).describe('spectral normalisation in D'),
        warmupEpochs: z.number().int().min(0).default(0).describe('epochs before D trains'),
        pool: z.enum(['avg', 'max']).default('avg'),
        ema: z.number().nullable().default(null)
      })
    })
    expect(deriveConfigFlags(schema, {})).toEqual({
      name: { fields: ['name'], value: 'TEXT', description: 'sets name' },
      'optimizer-d-lr': { fields: ['optimizerD.lr'], value: 'X', description: 'sets optimizerD.lr' },
      'optimizer-g-lr': { fields: ['optimizerG.lr'], value: 'X', description: 'sets optimizerG.lr' },
      'spectral-norm': { fields: ['tricks.spectralNorm'], description: 'spectral normalisation in D' },
      'warmup-epochs': { fields: ['tricks.warmupEpochs'], value: 'N', description: 'epochs before D trains', shownDefault: '0' },
      pool: { fields: ['tricks.pool'], value: 'KIND', description: 'sets tricks.pool', shownDefault: 'avg' },
      ema: { fields: ['tricks.ema'], value: 'X', description: 'sets tricks.ema', shownDefault: 'none' }
    })
    // A row renames or merges flags; the fields it does not hold keep theirs.
    expect(Object.keys(deriveConfigFlags(schema, { lr: { fields: ['optimizerD.lr', 'optimizerG.lr'], value: 'X' } }))).toEqual(['name', 'lr', 'spectral-norm', 'warmup-epochs', 'pool', 'ema'])
    expect(() => deriveConfigFlags(schema, { lr: { fields: ['optimizer.lr' as never], value: 'X' } })).toThrow('--lr (CONFIG_FLAGS) names "optimizer.lr", which is no config field')
  })

  it('in the real run config is a train option that sets it, listed in the help, beside every flag there is today', async () => {
    const grown = runConfigSchema.safeExtend({
      tricks: tricksSchema.safeExtend({
        exampleSwitch: z.boolean().default(false).describe('an example switch'),
        exampleEpochs: z.number().int().min(0).default(0).describe('an example count of epochs')
      })
    })
    const flags = deriveConfigFlags(grown, CONFIG_FLAGS)
    expect(Object.keys(flags).filter((flag) => !(flag in TRAIN_CONFIG_FLAGS))).toEqual(['example-switch', 'example-epochs'])
    let seen: RunConfig | undefined
    const command = defineCommand({
      name: 'train',
      summary: 'Trains.',
      synopsis: '[options]',
      options: configFlagOptions(flags, grown),
      run({ values }) {
        const config = structuredClone({ ...PRESETS['mnist-mlp'].defaults, name: 'grown', seed: 1 }) as unknown as Record<string, unknown>
        applyConfigFlags(config, values as TrainFlags, flags, grown)
        seen = grown.parse(config) as RunConfig
        return 0
      }
    })
    expect(await command.run(['--example-switch', '--example-epochs', '3', '--d-steps', '2'], { out: () => {}, err: () => {} })).toBe(0)
    expect(seen?.tricks).toMatchObject({ exampleSwitch: true, exampleEpochs: 3, dStepsPerG: 2 })
    const help = commandHelp(command, 'gan-workbench').replace(/\s+/g, ' ')
    expect(help).toContain('--example-switch an example switch')
    expect(help).toContain('--example-epochs N an example count of epochs (default: 0)')
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
    expect(c.evaluation).toEqual({ every: 2, samples: 500, bestBy: 'coverage', earlyStopOn: ['convergence', 'oscillation'], targetColumn: null })
    expect(build({ preset: 'tabular-mlp', 'target-column': 'MEDV' }).evaluation.targetColumn).toBe('MEDV')
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

  it("keeps the measured optimizer of a preset that is already a critic (tabular-mlp), with or without --loss", () => {
    const tabular = PRESETS['tabular-mlp'].defaults
    for (const flags of [{ preset: 'tabular-mlp' }, { preset: 'tabular-mlp', loss: 'wgan-gp' }]) {
      const c = build(flags)
      expect(c.optimizerD).toEqual(tabular.optimizerD)
      expect(c.optimizerG).toEqual(tabular.optimizerG)
      expect(c.tricks).toEqual(tabular.tricks)
    }
    expect(build({ preset: 'tabular-mlp', loss: 'wgan' }).optimizerD).toMatchObject({ kind: 'rmsprop', lr: 5e-5 })
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
