// The training tricks: each option changes what the loop does, checked on tiny models (cpu).
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { describeIssues, describeOptimizer, runConfigSchema, type RunConfig } from '@shared/config'
import type { LabelledImages } from '../../src/main/common/idx'
import { GAN_LOSSES } from '../../src/main/trainer/losses'
import { buildModels, initNormal002, type GanModels } from '../../src/main/trainer/models/presets'
import { seedGlobalRandom } from '../../src/main/common/random'
import { tf } from '../../src/main/trainer/tf'
import { STEP_METRICS } from '@shared/metrics'
import { discriminatorTargets, fixedLatentBatch, instanceNoiseStd, trainGan, type TrainCallbacks } from '../../src/main/trainer/train'

const data: LabelledImages = { count: 16, height: 4, width: 4, pixels: Uint8Array.from({ length: 256 }, (_, i) => (i * 37) % 256), labels: null }

function tinyModels(): GanModels {
  return {
    generator: tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 16, activation: 'tanh' }), tf.layers.reshape({ targetShape: [4, 4, 1] })] }),
    discriminator: tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 1 })] })
  }
}

function config(tricks: Record<string, unknown> = {}, over: Record<string, unknown> = {}): RunConfig {
  return runConfigSchema.parse({
    name: 't', preset: 'mnist-mlp', latentDim: 3, batchSize: 4, epochs: 1, stepsPerEpoch: 4, seed: 3,
    optimizerD: { kind: 'adam', lr: 0.01 }, optimizerG: { kind: 'sgd', lr: 0.01 }, backend: 'cpu', tricks, ...over
  })
}

async function run(c: RunConfig, models = tinyModels()): Promise<number[]> {
  seedGlobalRandom(c.seed)
  const losses: number[] = []
  const cb: TrainCallbacks = {
    onSteps: (rows) => rows.forEach((r) => losses.push(...STEP_METRICS.flatMap((m) => r[m] ?? []))),
    onProgress: () => undefined,
    onEpoch: () => undefined,
    shouldStop: () => false,
    saveCheckpoint: async () => 'none'
  }
  const outcome = await trainGan(c, models, data, cb)
  expect(outcome.status).toBe('completed')
  return losses
}

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('training tricks', () => {
  it('defaults reproduce the plain loop, and every trick changes the numbers', async () => {
    const plain = await run(config())
    expect(plain.every(Number.isFinite)).toBe(true)
    for (const tricks of [{ dStepsPerG: 2 }, { realLabel: { min: 0.9, max: 0.9 } }, { labelFlip: 0.2 }, { instanceNoise: { std: 0.5, decayEpochs: 0 } }, { latent: 'uniform' }, { dBatch: 'mixed' }, { loss: 'minimax' }, { loss: 'lsgan' }, { loss: 'hinge' }]) {
      const other = await run(config(tricks))
      expect(other.every(Number.isFinite), JSON.stringify(tricks)).toBe(true)
      expect(other, JSON.stringify(tricks)).not.toEqual(plain)
    }
    for (const kind of ['momentum', 'rmsprop'] as const) {
      const other = await run(config({}, { optimizerD: { kind, lr: 0.01 } }))
      expect(other).not.toEqual(plain)
    }
  })

  it('runs k discriminator steps per generator step', async () => {
    const models = tinyModels()
    const apply = vi.spyOn(models.discriminator, 'apply')
    await run(config({ dStepsPerG: 3 }, { stepsPerEpoch: 2 }), models)
    // Per iteration: 3 D steps of two updates (real, fake) and one G step through D.
    expect(apply).toHaveBeenCalledTimes(2 * (3 * 2 + 1))
  })

  it('mixed batches update D once per D step', async () => {
    const models = tinyModels()
    const apply = vi.spyOn(models.discriminator, 'apply')
    await run(config({ dBatch: 'mixed' }, { stepsPerEpoch: 2 }), models)
    expect(apply).toHaveBeenCalledTimes(2 * (1 + 1))
  })

  it('smooths real targets within the range and flips the asked fraction', () => {
    const smooth = discriminatorTargets(2000, true, { realLabel: { min: 0.7, max: 1.2 }, labelFlip: 0 })
    const v = smooth.dataSync()
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0.7)
    expect(Math.max(...v)).toBeLessThanOrEqual(1.2)
    expect(tf.tidy(() => smooth.mean().dataSync()[0])).toBeCloseTo(0.95, 1)
    const flipped = discriminatorTargets(4000, false, { realLabel: { min: 0.9, max: 0.9 }, labelFlip: 0.25 }).dataSync()
    const share = flipped.filter((x) => Math.abs(x - 0.9) < 1e-6).length / flipped.length
    expect(share).toBeGreaterThan(0.2)
    expect(share).toBeLessThan(0.3)
    expect(flipped.every((x) => x === 0 || Math.abs(x - 0.9) < 1e-6)).toBe(true)
  })

  it('scores D and G as each loss variant defines', () => {
    const v = (t: tf.Scalar): number => {
      const x = t.dataSync()[0]
      t.dispose()
      return x
    }
    const t = (x: number): tf.Tensor => tf.tensor2d([[x]])
    const { nsgan, minimax, lsgan, hinge } = GAN_LOSSES
    expect(v(nsgan.d(t(1), t(0)))).toBeCloseTo(Math.LN2)
    expect(v(nsgan.g(t(0)))).toBeCloseTo(Math.LN2)
    expect(v(minimax.g(t(0)))).toBeCloseTo(-Math.LN2)
    expect(v(lsgan.d(t(1), t(1)))).toBeCloseTo(0)
    expect(v(lsgan.d(t(0), t(1)))).toBeCloseTo(0.5)
    expect(v(lsgan.g(t(1)))).toBeCloseTo(0)
    expect(v(hinge.d(t(1), t(2)))).toBeCloseTo(0)
    expect(v(hinge.d(t(0.9), t(0)))).toBeCloseTo(1)
    expect(v(hinge.d(t(0), t(-2)))).toBeCloseTo(0)
    expect(v(hinge.d(t(0), t(1)))).toBeCloseTo(2)
    expect(v(hinge.g(t(3)))).toBeCloseTo(-3)
  })

  it('decays instance noise linearly to zero', () => {
    const t = { std: 0.4, decayEpochs: 4 }
    expect([1, 2, 3, 5, 9].map((e) => instanceNoiseStd(t, e))).toEqual([0.4, 0.30000000000000004, 0.2, 0, 0])
    expect(instanceNoiseStd({ std: 0.4, decayEpochs: 0 }, 50)).toBe(0.4)
  })

  it('draws a uniform fixed latent batch in [-1, 1], repeatably', () => {
    const u = fixedLatentBatch(5, 10, 100, 'uniform')
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1)
    expect(Math.max(...u)).toBeLessThanOrEqual(1)
    expect(fixedLatentBatch(5, 10, 100, 'uniform')).toEqual(u)
    expect(fixedLatentBatch(5, 10, 100, 'gaussian')).not.toEqual(u)
  })

  it('initialises kernels from N(0, 0.02) and biases at zero', () => {
    const m = tinyModels().discriminator
    initNormal002(m)
    const [kernel, bias] = m.getWeights()
    const k = Array.from(kernel.dataSync())
    const std = Math.sqrt(k.reduce((a, x) => a + x * x, 0) / k.length)
    expect(std).toBeGreaterThan(0.01)
    expect(std).toBeLessThan(0.035)
    expect(Array.from(bias.dataSync())).toEqual([0])
  })

  it('builds D with dropout, batch norm (not on its first layer) or neither, and trains each', async () => {
    const layerKinds = (regularizer: 'dropout' | 'batchnorm' | 'none', preset: 'mnist-mlp' | 'mnist-dcgan'): string[] => {
      const { generator, discriminator } = buildModels(preset, 8, regularizer)
      const kinds = discriminator.layers.map((l) => l.getClassName())
      generator.dispose()
      discriminator.dispose()
      return kinds
    }
    expect(layerKinds('dropout', 'mnist-dcgan').filter((k) => k === 'Dropout')).toHaveLength(2)
    const bn = layerKinds('batchnorm', 'mnist-dcgan')
    expect(bn.filter((k) => k === 'BatchNormalization')).toHaveLength(1)
    expect(bn.indexOf('BatchNormalization')).toBeGreaterThan(bn.indexOf('LeakyReLU'))
    expect(bn).not.toContain('Dropout')
    expect(layerKinds('none', 'mnist-mlp')).not.toContain('Dropout')
    expect(layerKinds('batchnorm', 'mnist-mlp')).toContain('BatchNormalization')
    // A D with batch norm trains, and its moving statistics are weights a checkpoint keeps.
    const models = tinyModels()
    models.discriminator = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 8 }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })]
    })
    const losses = await run(config(), models)
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(models.discriminator.weights.map((w) => w.name).some((n) => /moving_mean/.test(n))).toBe(true)
    expect(runConfigSchema.safeParse({ ...config(), discriminator: { from: null, freeze: 'none', regularizer: 'spectral' } }).success).toBe(false)
  })

  it('refuses impossible tricks, naming the field', () => {
    const issues = (tricks: unknown) => {
      const r = runConfigSchema.safeParse({ ...config(), tricks })
      return r.success ? [] : describeIssues(r.error)
    }
    expect(issues({ realLabel: { min: 1.1, max: 0.9 } })).toEqual([{ field: 'tricks.realLabel.min', message: 'min must not exceed max' }])
    expect(issues({ labelFlip: 0.6 })).toEqual([{ field: 'tricks.labelFlip', message: 'must be at most 0.5' }])
    expect(issues({ dStepsPerG: 0 })).toEqual([{ field: 'tricks.dStepsPerG', message: 'must be at least 1' }])
    expect(issues({ latent: 'cauchy' })[0].field).toBe('tricks.latent')
  })

  it('describes every optimizer in one line', () => {
    expect(describeOptimizer({ kind: 'momentum', lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.9 })).toBe('SGD+momentum 0.01 m 0.9')
    expect(describeOptimizer({ kind: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.99, momentum: 0.9 })).toBe('Adam 0.0002 β1 0.5 β2 0.99')
  })
})
