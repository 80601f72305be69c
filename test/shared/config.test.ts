import { describe, expect, it } from 'vitest'
import { DEFAULT_TRICKS, describeIssues, describeTricks, PRESET_IDS, PRESETS, runConfigSchema, stepsPerEpochOf } from '@shared/config'

const base = { ...PRESETS['mnist-dcgan'].defaults, name: 'x', seed: 1 }

function issuesOf(input: unknown) {
  const r = runConfigSchema.safeParse(input)
  return r.success ? [] : describeIssues(r.error)
}

describe('run config', () => {
  it('accepts the presets as they are', () => {
    for (const p of Object.values(PRESETS)) expect(runConfigSchema.safeParse({ ...p.defaults, name: 'n', seed: 0 }).success).toBe(true)
  })

  it('names the field that is wrong', () => {
    expect(issuesOf({ ...base, optimizerD: { kind: 'adam', lr: -0.1, beta1: 0.5 } })).toEqual([{ field: 'optimizerD.lr', message: 'must be greater than 0' }])
    expect(issuesOf({ ...base, batchSize: 0 })).toEqual([{ field: 'batchSize', message: 'must be at least 1' }])
    expect(issuesOf({ ...base, epochs: 1.5 })[0].field).toBe('epochs')
    expect(issuesOf({ ...base, name: '  ' })).toEqual([{ field: 'name', message: 'must not be empty' }])
  })

  it('refuses unknown fields', () => {
    expect(issuesOf({ ...base, learningRate: 3 })).toEqual([{ field: '(config)', message: 'unknown field learningRate' }])
  })

  it('takes a target column for tabular runs only; none by default, and none in configs stored before', () => {
    const tabular = { ...PRESETS['tabular-mlp'].defaults, name: 't', seed: 1 }
    expect(runConfigSchema.parse(tabular).evaluation.targetColumn).toBeNull()
    const { targetColumn: _dropped, ...older } = tabular.evaluation
    expect(runConfigSchema.parse({ ...tabular, evaluation: older }).evaluation.targetColumn).toBeNull()
    expect(runConfigSchema.parse({ ...tabular, evaluation: { ...tabular.evaluation, targetColumn: ' MEDV ' } }).evaluation.targetColumn).toBe('MEDV')
    expect(issuesOf({ ...base, evaluation: { ...base.evaluation, targetColumn: 'MEDV' } })).toEqual([
      { field: 'evaluation.targetColumn', message: 'a target column is for tables (the tabular-mlp preset); mnist-dcgan has none' }
    ])
  })

  it('derives steps per epoch from the data set when not set', () => {
    expect(stepsPerEpochOf({ stepsPerEpoch: null, batchSize: 64 })).toBe(937)
    expect(stepsPerEpochOf({ stepsPerEpoch: 50, batchSize: 64 })).toBe(50)
  })
})

describe('the DCGAN presets\' defaults (issue 14)', () => {
  it('train with Adam β1 0.5, both conditional at batch 32 with D 2e-3 and G 1e-3, tanh, batch norm in G and D, N(0, 0.02) weights', () => {
    const seed = PRESETS['mnist-dcgan'].defaults
    expect(seed).toMatchObject({ batchSize: 32, conditional: true, epochs: 2, stepsPerEpoch: null })
    expect(seed.optimizerD).toMatchObject({ kind: 'adam', lr: 2e-3, beta1: 0.5 })
    expect(seed.optimizerG).toMatchObject({ kind: 'adam', lr: 1e-3, beta1: 0.5 })
    expect(seed.tricks).toEqual({ ...DEFAULT_TRICKS, imageScale: 'tanh', generatorNorm: 'batchnorm', init: 'normal-0.02' })
    expect(seed.discriminator.regularizer).toBe('batchnorm')
    const quick = PRESETS['mnist-dcgan-small'].defaults
    expect(quick).toMatchObject({ batchSize: 32, conditional: true, epochs: 5, stepsPerEpoch: 300 })
    expect(quick.optimizerD).toMatchObject({ kind: 'adam', lr: 2e-3, beta1: 0.5 })
    expect(quick.optimizerG).toMatchObject({ kind: 'adam', lr: 1e-3, beta1: 0.5 })
    // tanh, batch norm in G and D, N(0, 0.02) weights
    expect(quick.tricks).toEqual({ ...DEFAULT_TRICKS, imageScale: 'tanh', generatorNorm: 'batchnorm', init: 'normal-0.02' })
    expect(quick.discriminator.regularizer).toBe('batchnorm')
    expect(PRESET_IDS[0]).toBe('mnist-dcgan-small')
    // the defaults pass the schema's own checks (a conditional run needs a labelled image set)
    expect(runConfigSchema.safeParse({ ...quick, name: 'x', seed: 1 }).success).toBe(true)
  })

  it('refuses the sigmoid scale for presets that do not build it, naming the field', () => {
    const r = runConfigSchema.safeParse({ ...PRESETS['mnist-mlp'].defaults, name: 'x', seed: 1, tricks: { ...DEFAULT_TRICKS, imageScale: 'sigmoid' } })
    expect(r.success).toBe(false)
    if (!r.success) expect(describeIssues(r.error)[0].field).toBe('tricks.imageScale')
  })

  it('trains tables by category with the modes encoding only, and says so among the tricks', () => {
    const tabular = { ...PRESETS['tabular-mlp'].defaults, name: 'x', seed: 1 }
    expect(tabular.tricks).toMatchObject({ tableTransform: 'modes', tableSampling: 'by-category' })
    expect(describeTricks(tabular.tricks)).toContain('training-by-sampling (CTGAN)')
    expect(issuesOf({ ...tabular, tricks: { ...tabular.tricks, tableTransform: 'minmax' } })).toEqual([
      { field: 'tricks.tableSampling', message: "training-by-sampling conditions G's softmax heads of the modes transform: use the modes row encoding, or shuffled rows (tableSampling rows)" }
    ])
    expect(issuesOf({ ...tabular, tricks: { ...tabular.tricks, tableTransform: 'minmax', tableSampling: 'rows' } })).toEqual([])
  })
})
