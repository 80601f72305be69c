// WGAN and WGAN-GP at the level of single steps: clipping bounds the critic, the gradient
// penalty is right, non-zero and differentiable w.r.t. the critic's weights on cpu and wasm
// for every preset critic, and a few steps on mnist-mlp record a Wasserstein estimate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeIssues, describeTricks, runConfigSchema, type PresetId, type RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { checkpointName, loadModelFrom } from '../../src/main/trainer/checkpoint'
import type { LabelledImages } from '../../src/main/common/idx'
import { gradientPenalty } from '../../src/main/trainer/losses'
import { seedGlobalRandom } from '../../src/main/common/random'
import { buildModels } from '../../src/main/trainer/models/presets'
import { tf } from '../../src/main/trainer/tf'
import { trainRows, type ResumeFrom } from '../helpers/train-resume'

const images: LabelledImages = {
  count: 32,
  height: 28,
  width: 28,
  pixels: Uint8Array.from({ length: 32 * 784 }, (_, i) => (i * 37 + (i >> 5)) % 256),
  labels: null
}

function config(tricks: Record<string, unknown>, over: Record<string, unknown> = {}): RunConfig {
  return runConfigSchema.parse({
    name: 'w', preset: 'mnist-mlp', latentDim: 8, batchSize: 4, epochs: 1, stepsPerEpoch: 3, seed: 5,
    optimizerD: { kind: 'rmsprop', lr: 5e-5 }, optimizerG: { kind: 'rmsprop', lr: 5e-5 }, backend: 'cpu', tricks, ...over
  })
}

/** Trains from scratch, or given `resume` from its checkpoint; checkpoints go to `runDir` when given. */
const train = (c: RunConfig, runDir?: string, resume?: ResumeFrom): ReturnType<typeof trainRows> => trainRows(c, images, runDir, resume)

const maxAbsWeight = (model: tf.LayersModel): number => Math.max(...model.trainableWeights.map((w) => tf.tidy(() => w.read().abs().max().dataSync()[0])))

// Training runs on wasm (fast enough for mnist-mlp); the penalty's gradients are checked on both.
beforeAll(async () => {
  await selectBackend('wasm')
})

afterAll(async () => {
  await tf.setBackend('cpu')
})

describe('WGAN config', () => {
  it('validates clip and λ, refuses labels a critic cannot have, and describes the loss', () => {
    const bad = runConfigSchema.safeParse({ ...config({ loss: 'wgan' }), tricks: { loss: 'wgan', clip: 0, gpWeight: -1, labelFlip: 0.1, realLabel: { min: 0.9, max: 0.9 } } })
    expect(bad.success).toBe(false)
    const fields = describeIssues(bad.error!).map((i) => `${i.field}: ${i.message}`)
    expect(fields).toEqual(
      expect.arrayContaining(['tricks.clip: must be greater than 0', 'tricks.gpWeight: must be greater than 0'])
    )
    const labels = runConfigSchema.safeParse({ ...config({ loss: 'wgan' }), tricks: { loss: 'wgan', labelFlip: 0.1, realLabel: { min: 0.9, max: 0.9 } } })
    expect(describeIssues(labels.error!).map((i) => i.field).sort()).toEqual(['tricks.labelFlip', 'tricks.realLabel.min'])
    expect(labels.error!.issues[0].message).toMatch(/wgan critic has no labels/)
    const bn = runConfigSchema.safeParse({ ...config({ loss: 'wgan-gp' }), discriminator: { from: null, freeze: 'none', regularizer: 'batchnorm' } })
    expect(describeIssues(bn.error!)).toEqual([{ field: 'discriminator.regularizer', message: expect.stringContaining('batch norm ties') }])
    expect(runConfigSchema.safeParse({ ...config({ loss: 'wgan' }), discriminator: { from: null, freeze: 'none', regularizer: 'batchnorm' } }).success).toBe(true)
    expect(describeTricks(config({ loss: 'wgan', clip: 0.02, dStepsPerG: 5 }).tricks)).toEqual(['n_critic = 5', 'WGAN (weight clip 0.02)'])
    expect(describeTricks(config({ loss: 'wgan-gp', gpWeight: 10 }).tricks)).toEqual(['WGAN-GP (λ = 10)'])
    expect(describeTricks(config({ loss: 'hinge', dBatch: 'mixed' }).tricks)).toEqual(['mixed D batches', 'hinge loss'])
  })
})

describe('WGAN with weight clipping', () => {
  it('keeps every critic weight within [-clip, clip] after each update, which training alone does not', async () => {
    // A large lr pushes weights past the clip value in one step; only clipping holds them.
    const fast = { optimizerD: { kind: 'sgd', lr: 0.5 } }
    const clipped = await train(config({ loss: 'wgan', clip: 0.01, dStepsPerG: 2 }, fast))
    expect(maxAbsWeight(clipped.models.discriminator)).toBeLessThanOrEqual(0.01 + 1e-7)
    expect(maxAbsWeight(clipped.models.discriminator)).toBeGreaterThan(0.009)
    const unclipped = await train(config({ loss: 'wgan-gp' }, fast))
    expect(maxAbsWeight(unclipped.models.discriminator)).toBeGreaterThan(0.01)
  })

  it('records the Wasserstein estimate, no accuracy, and n_critic critic updates per G step on mnist-mlp', async () => {
    const { rows } = await train(config({ loss: 'wgan', dStepsPerG: 5 }))
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3])
    for (const r of rows) {
      expect(r.dAccReal).toBeNull()
      expect(r.dAccFake).toBeNull()
      expect(Number.isFinite(r.wasserstein)).toBe(true)
      // The estimate is E[D(real)] - E[D(fake)], the negated sum of the two critic terms.
      expect(r.wasserstein).toBeCloseTo(-(r.dLossReal + r.dLossFake), 6)
    }
    // n_critic changes the run: 1 critic step per G step gives other numbers.
    const one = await train(config({ loss: 'wgan', dStepsPerG: 1 }))
    expect(one.rows.map((r) => r.wasserstein)).not.toEqual(rows.map((r) => r.wasserstein))
  })

  it('leaves the other losses without an estimate and with accuracies', async () => {
    const { rows } = await train(config({ loss: 'nsgan' }, { optimizerD: { kind: 'adam', lr: 2e-4 } }))
    for (const r of rows) {
      expect(r.wasserstein).toBeNull()
      expect(r.dAccReal).toBeGreaterThanOrEqual(0)
    }
  })
})

describe('WGAN-GP', () => {
  it('computes (‖w‖ - 1)² for a linear critic, with the analytic gradient 2(‖w‖ - 1)·w/‖w‖', () => {
    const w = tf.variable(tf.tensor2d([[0.3], [-1.2], [0.5], [2.0]]))
    const critic = (x: tf.Tensor): tf.Tensor => tf.matMul(x.reshape([-1, 4]), w)
    const real = tf.randomNormal([6, 2, 2, 1])
    const fake = tf.randomNormal([6, 2, 2, 1])
    const { value, grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake), [w])
    const wv = w.dataSync()
    const norm = Math.hypot(...wv)
    expect(value.dataSync()[0]).toBeCloseTo((norm - 1) ** 2, 5)
    const g = grads[w.name].dataSync()
    wv.forEach((wi, i) => expect(g[i]).toBeCloseTo((2 * (norm - 1) * wi) / norm, 5))
    tf.dispose([w, real, fake, value, grads[w.name]])
  })

  for (const backend of ['cpu', 'wasm'] as const) {
    const critics: [PresetId, number[]][] = [['mnist-mlp', [28, 28, 1]], ['mnist-dcgan', [28, 28, 1]], ['tabular-mlp', [12]], ['toy-mlp', [2]]]
    for (const [preset, shape] of critics) {
      it(`is non-zero with finite, non-zero gradients w.r.t. the ${preset} critic's weights on ${backend}`, async () => {
        await selectBackend(backend)
        seedGlobalRandom(9)
        const { discriminator: D } = buildModels(preset, 8, 'dropout', shape)
        const vars = D.trainableWeights.map((v) => v.read() as tf.Variable)
        const real = tf.randomUniform([2, ...shape], -1, 1)
        const fake = tf.randomUniform([2, ...shape], -1, 1)
        const { value, grads } = tf.variableGrads(() => gradientPenalty((x) => D.apply(x, { training: true }) as tf.Tensor, real, fake), vars)
        expect(value.dataSync()[0]).toBeGreaterThan(0)
        // Only the last bias has no say in D's input gradient, so no gradient at all.
        expect(vars.filter((v) => !(v.name in grads))).toEqual([vars[vars.length - 1]])
        const kernels = vars.filter((v) => /kernel/.test(v.name))
        expect(kernels.length).toBeGreaterThanOrEqual(3)
        for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true)
        for (const v of kernels) expect(tf.tidy(() => grads[v.name].abs().sum().dataSync()[0]), v.name).toBeGreaterThan(0)
        tf.dispose([real, fake, value, ...Object.values(grads)])
        D.dispose()
      })
    }
  }

  it('resumes at an epoch boundary to exactly the uninterrupted run (critic, clipping, RMSprop state)', async () => {
    for (const tricks of [{ loss: 'wgan-gp', dStepsPerG: 2 }, { loss: 'wgan', dStepsPerG: 2 }]) {
      const c = config(tricks, { epochs: 2, stepsPerEpoch: 2, optimizerD: { kind: 'rmsprop', lr: 1e-3 } })
      const runDir = mkdtempSync(join(tmpdir(), 'wgan-resume-'))
      const whole = await train(c, runDir)
      const ckpt = join(runDir, 'checkpoints', checkpointName(1))
      const models = { generator: await loadModelFrom(join(ckpt, 'generator')), discriminator: await loadModelFrom(join(ckpt, 'discriminator')) }
      const resumed = await train(c, mkdtempSync(join(tmpdir(), 'wgan-resume-')), { epoch: 1, models, checkpointDir: ckpt })
      const metricsOf = (rows: StepRow[]) => rows.map(({ timeMs: _t, ...m }) => m)
      expect(resumed.rows.map((r) => r.step)).toEqual([3, 4])
      expect(metricsOf(resumed.rows), tricks.loss).toEqual(metricsOf(whole.rows.slice(2)))
    }
  })

  it('trains a few steps on mnist-mlp with the penalty and records the estimate', async () => {
    const { rows } = await train(config({ loss: 'wgan-gp', gpWeight: 10, dStepsPerG: 2 }, { optimizerD: { kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 } }))
    expect(rows).toHaveLength(3)
    for (const r of rows) {
      expect(r.dAccReal).toBeNull()
      expect(Number.isFinite(r.wasserstein)).toBe(true)
    }
    // λ enters the critic's objective: another λ gives other weights, so other later estimates.
    const other = await train(config({ loss: 'wgan-gp', gpWeight: 100, dStepsPerG: 2 }, { optimizerD: { kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 } }))
    expect(other.rows[2].wasserstein).not.toEqual(rows[2].wasserstein)
  })
})
