import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfig } from '../../src/shared/config'
import { describeDifferences, diffConfigs, flattenConfig } from '../../src/shared/config-diff'

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: 'a', seed: 1, ...overrides })
}

describe('config diff', () => {
  it('flattens nested settings to dotted paths', () => {
    const flat = flattenConfig(config())
    expect(flat['optimizerD.kind']).toBe('adam')
    expect(flat['tricks.realLabel.min']).toBe(1)
    expect(flat['discriminator.from']).toBeNull()
  })

  it('shows exactly the optimizer fields for an SGD run against an Adam run', () => {
    const adam = config({ name: 'adam' })
    const sgd = config({ name: 'sgd', optimizerD: { kind: 'sgd', lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.9 } })
    const differing = diffConfigs([adam, sgd]).filter((r) => r.differs)
    expect(differing.map((r) => r.field)).toEqual(['optimizerD.kind', 'optimizerD.lr'])
    expect(differing[0].values).toEqual(['adam', 'sgd'])
    expect(describeDifferences([adam, sgd])).toEqual(['optimizerD.kind: adam vs sgd', 'optimizerD.lr: 0.0002 vs 0.01'])
  })

  it('lists every field, the name included, but the name never counts as a difference', () => {
    const rows = diffConfigs([config({ name: 'one' }), config({ name: 'two' })])
    expect(rows.find((r) => r.field === 'name')).toEqual({ field: 'name', values: ['one', 'two'], differs: false })
    expect(rows.some((r) => r.differs)).toBe(false)
  })

  it('marks a field present in one config only', () => {
    const a = config()
    const b = { ...config(), extra: 3 } as Record<string, unknown>
    const row = diffConfigs([a, b]).find((r) => r.field === 'extra')
    expect(row).toEqual({ field: 'extra', values: [null, 3], differs: true })
  })

  it('compares a pretrained discriminator start with one from scratch', () => {
    const scratch = config()
    const pre = config({ discriminator: { from: { runId: 4, epoch: 2 }, freeze: 'body', regularizer: 'dropout', fromClassifier: false } })
    expect(describeDifferences([scratch, pre])).toEqual([
      'discriminator.freeze: none vs body',
      'discriminator.from.epoch: — vs 2',
      'discriminator.from.runId: — vs 4'
    ])
  })
})
