// Conditional GANs: labels reach G and D the way they claim, grids are one row per class,
// and a tiny conditional GAN learns to draw the class it is asked for.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { runConfigSchema, type RunConfig } from '@shared/config'
import { balancedLabels, conditionalGrid, conditionalGridLatents, generatorInputs, gridLabels } from '@shared/conditional'
import type { LabelledImages } from '../../src/main/common/idx'
import { generatorClasses, oneHotRows, withLabelPlanes } from '../../src/main/trainer/conditional'
import { buildModels } from '../../src/main/trainer/models/presets'
import { seedGlobalRandom } from '../../src/main/common/random'
import { tf } from '../../src/main/trainer/tf'
import { conditionalGridRenderer, trainGan, type SampleRenderer, type TrainCallbacks } from '../../src/main/trainer/train'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** 4x4 grey images whose brightness is their class: class 0 black, 1 mid-grey, 2 white. */
function brightnessClasses(count: number): LabelledImages {
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3)
  const pixels = new Uint8Array(count * 16)
  for (let i = 0; i < count; i++) pixels.fill([0, 128, 255][labels[i]], i * 16, (i + 1) * 16)
  return { count, height: 4, width: 4, pixels, labels }
}

function config(over: Record<string, unknown> = {}): RunConfig {
  return runConfigSchema.parse({
    name: 'c', preset: 'mnist-mlp', latentDim: 4, batchSize: 12, epochs: 1, stepsPerEpoch: 3, seed: 5,
    optimizerD: { kind: 'adam', lr: 0.002 }, optimizerG: { kind: 'adam', lr: 0.002 }, backend: 'cpu', conditional: true, ...over
  })
}

const callbacks = (onEpoch: TrainCallbacks['onEpoch'] = () => undefined): TrainCallbacks => ({
  onSteps: () => undefined,
  onProgress: () => undefined,
  onEpoch,
  shouldStop: () => false,
  saveCheckpoint: async () => 'none'
})

describe('conditional inputs', () => {
  it('appends each latent vector its one-hot class and lays the grid out one row per class', () => {
    const rows = generatorInputs(Float32Array.from([1, 2, 3, 4]), 2, Int32Array.from([2, 0]), 3)
    expect(Array.from(rows)).toEqual([1, 2, 0, 0, 1, 3, 4, 1, 0, 0])
    expect(() => generatorInputs(Float32Array.from([1, 2]), 2, null, 3)).toThrow(/one class label per latent vector/)
    expect(() => generatorInputs(Float32Array.from([1, 2]), 2, Int32Array.from([3]), 3)).toThrow(/outside 0-2/)
    expect(conditionalGrid(10)).toEqual({ rows: 10, cols: 10, count: 100 })
    expect(conditionalGrid(26)).toEqual({ rows: 26, cols: 3, count: 78 })
    expect(Array.from(gridLabels(10).subarray(0, 12))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    expect(Array.from(balancedLabels(5, 3))).toEqual([0, 1, 2, 0, 1])
    // Every row of a conditional grid holds the same column latents.
    expect(Array.from(conditionalGridLatents(Float32Array.from([1, 2, 3, 4]), 3))).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4])
  })

  it('gives D the one-hot as constant image planes and G a wider input', () => {
    const x = tf.zeros([2, 3, 3, 1])
    const oneHot = oneHotRows(Int32Array.from([1, 2]), 3)!
    const d = withLabelPlanes(x, oneHot)
    expect(d.shape).toEqual([2, 3, 3, 4])
    const v = d.arraySync() as number[][][][]
    expect(v[0][2][1]).toEqual([0, 0, 1, 0])
    expect(v[1][0][0]).toEqual([0, 0, 0, 1])
    const { generator, discriminator } = buildModels('mnist-dcgan', 100, 'dropout', [28, 28, 1], 10)
    expect(generator.inputs[0].shape).toEqual([null, 110])
    expect(discriminator.inputs[0].shape).toEqual([null, 28, 28, 11])
    expect(generatorClasses(generator, 100)).toBe(10)
    // A fully connected D takes the flattened image with the one-hot after it, not 10 more planes.
    expect(buildModels('mnist-mlp', 100, 'dropout', [28, 28, 1], 10).discriminator.inputs[0].shape).toEqual([null, 794])
    tf.dispose([x, oneHot, d])
  })

  it('refuses conditional runs without labels or with a D from the classifier', async () => {
    const unlabelled = { ...brightnessClasses(12), labels: null }
    const models = buildModels('mnist-mlp', 4, 'none', [4, 4, 1], 3)
    await expect(trainGan(config(), models, unlabelled, callbacks())).rejects.toThrow(/needs class labels.*has none/)
    const bad = runConfigSchema.safeParse({ ...config(), discriminator: { fromClassifier: true } })
    expect(bad.success).toBe(false)
    const toy = runConfigSchema.safeParse({ ...config(), preset: 'toy-mlp' })
    expect(toy.success).toBe(false)
  })
})

describe('conditional training', () => {
  it("shows D each real image with its own class, and each fake with the real half-batch's classes", async () => {
    const data = brightnessClasses(24)
    const models = buildModels('mnist-mlp', 4, 'none', [4, 4, 1], 3)
    const seen: number[][][] = []
    const apply = models.discriminator.apply.bind(models.discriminator)
    vi.spyOn(models.discriminator, 'apply').mockImplementation((inputs, kwargs) => {
      seen.push((inputs as tf.Tensor).arraySync() as number[][])
      return apply(inputs, kwargs)
    })
    seedGlobalRandom(5)
    await trainGan(config({ stepsPerEpoch: 2 }), models, data, callbacks())
    // Per step: D on real, D on fake, then G through D (3 calls); two steps.
    expect(seen).toHaveLength(6)
    // The MLP's D takes each image flattened (16 pixels) with its one-hot (3) after it.
    const classOf = (v: number[]): number => v.slice(16).indexOf(1)
    for (const step of [0, 3]) {
      const real = seen[step]
      const fake = seen[step + 1]
      for (let b = 0; b < real.length; b++) {
        expect(real[b]).toHaveLength(19)
        // The pixels are the class's brightness scaled to [-1, 1].
        expect(classOf(real[b])).toBe(Math.round(real[b][0] + 1))
        expect(classOf(fake[b])).toBe(classOf(real[b]))
      }
    }
  })

  it('draws its grid from the same latents in every row, each row asking for its class', async () => {
    const { count } = conditionalGrid(3)
    let inputs: number[][] = []
    const capture: SampleRenderer = {
      count,
      render: (_G, z) => {
        inputs = z.arraySync()
        return {}
      }
    }
    seedGlobalRandom(5)
    await trainGan(config({ stepsPerEpoch: 1 }), buildModels('mnist-mlp', 4, 'none', [4, 4, 1], 3), brightnessClasses(12), callbacks(), undefined, capture)
    expect(inputs).toHaveLength(99)
    for (const col of [0, 32]) {
      expect(inputs[33 + col].slice(0, 4)).toEqual(inputs[col].slice(0, 4))
      expect(inputs[66 + col].slice(0, 4)).toEqual(inputs[col].slice(0, 4))
    }
    expect(inputs[1].slice(0, 4)).not.toEqual(inputs[0].slice(0, 4))
    expect([inputs[5].slice(4), inputs[40].slice(4), inputs[98].slice(4)]).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
  })

  it('trains with the other D set-ups too: mixed batches, a WGAN-GP critic (penalty through the label planes), a frozen D', async () => {
    const data = brightnessClasses(24)
    for (const over of [{ tricks: { dBatch: 'mixed' } }, { tricks: { loss: 'wgan-gp', dStepsPerG: 2 } }, { discriminator: { freeze: 'all' } }]) {
      seedGlobalRandom(5)
      const models = buildModels('mnist-dcgan', 4, 'none', [4, 4, 1], 3)
      const rows: number[] = []
      const cb = { ...callbacks(), onSteps: (r: { gLoss: number; dLossReal: number }[]) => r.forEach((x) => rows.push(x.gLoss, x.dLossReal)) }
      const outcome = await trainGan(config({ stepsPerEpoch: 2, ...over }), models, data, cb)
      expect(outcome.status, JSON.stringify(over)).toBe('completed')
      expect(rows.length).toBe(4)
      expect(rows.every(Number.isFinite), JSON.stringify(over)).toBe(true)
    }
  })

  it('learns to draw the class it is asked for, and its grid has one row per class', async () => {
    const data = brightnessClasses(60)
    seedGlobalRandom(5)
    const models = buildModels('mnist-mlp', 4, 'none', [4, 4, 1], 3)
    let grid: { rows?: number; cols?: number } = {}
    const c = config({ stepsPerEpoch: 100 })
    await trainGan(c, models, data, callbacks((r) => void (grid = { rows: r.gridRows, cols: r.gridCols })), undefined, conditionalGridRenderer(3))
    expect(grid).toEqual({ rows: 3, cols: 33 })
    const z = tf.randomNormal([30, 4])
    const means = [0, 1, 2].map((k) =>
      tf.tidy(() => {
        const input = tf.concat([z, oneHotRows(new Int32Array(30).fill(k), 3)!], 1)
        return (models.generator.predict(input) as tf.Tensor).mean().dataSync()[0]
      })
    )
    // Asked for black, grey and white, G draws them in that order, far apart.
    expect(means[0]).toBeLessThan(-0.5)
    expect(Math.abs(means[1])).toBeLessThan(0.4)
    expect(means[2]).toBeGreaterThan(0.5)
    z.dispose()
  })
})
