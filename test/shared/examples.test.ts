import { describe, expect, it } from 'vitest'
import { DEFAULT_TRICKS, PRESETS, runConfigSchema } from '@shared/config'
import { EXAMPLES, exampleById } from '@shared/examples'

describe('example experiments', () => {
  it('each is a valid run config', () => {
    for (const e of EXAMPLES) expect(runConfigSchema.safeParse({ ...e.config, name: e.label, seed: 1 }).success).toBe(true)
    expect(new Set(EXAMPLES.map((e) => e.id)).size).toBe(EXAMPLES.length)
  })

  it("'seed DCGAN, batch 64: D wins' keeps the seed's failing setting, whatever the presets' defaults become", () => {
    const c = exampleById('seed-dcgan-batch-64')!.config
    expect(c.preset).toBe('mnist-dcgan')
    expect(c.batchSize).toBe(64)
    for (const o of [c.optimizerD, c.optimizerG]) expect(o).toMatchObject({ kind: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999 })
    // The seed's plain loop: hard labels, one D step per G step, separate real and fake half-batches.
    expect(c.tricks).toEqual(DEFAULT_TRICKS)
    expect(c.tricks).toMatchObject({ dStepsPerG: 1, realLabel: { min: 1, max: 1 }, dBatch: 'separate', loss: 'nsgan', init: 'default' })
    expect(c.discriminator).toEqual({ from: null, freeze: 'none', regularizer: 'dropout', fromClassifier: false })
    // The seed's G, without the batch norm the presets' defaults add, and D with dropout instead of
    // batch norm; unconditional, at batch 64.
    expect(c.tricks.generatorNorm).toBe('none')
    expect(PRESETS['mnist-dcgan'].defaults.tricks.generatorNorm).toBe('batchnorm')
    expect(PRESETS['mnist-dcgan'].defaults.discriminator.regularizer).toBe('batchnorm')
    expect(c.conditional).toBe(false)
    expect(PRESETS['mnist-dcgan'].defaults.batchSize).toBe(32)
  })
})
