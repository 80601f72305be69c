// Training-by-sampling on a table with a rare category: each real row D sees has the category
// its condition asks for, G is asked for categories by log-frequency, and a tiny tabular GAN
// learns to produce the category it is conditioned on, rare ones included.
import { beforeAll, describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema } from '@shared/config'
import { generatorInputs } from '@shared/conditional'
import { encodedSize, encodeRow, type ColumnSpec } from '@shared/datasets'
import { conditionWidth } from '@shared/table-condition'
import { decodeModesRow, outputHeads } from '@shared/tabular-transform'
import { gaussian, mulberry32, seedGlobalRandom } from '../../src/main/common/random'
import { modesData } from '../../src/main/trainer/data/modes'
import { vectorData } from '../../src/main/trainer/data/source'
import { buildModels } from '../../src/main/trainer/models/presets'
import { tf } from '../../src/main/trainer/tf'
import { RealBatches, runClasses, trainGan, type SampleRenderer } from '../../src/main/trainer/train'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const columns: ColumnSpec[] = [
  { name: 'kind', type: 'categorical', categories: ['common', 'mid', 'rare'] },
  { name: 'x', type: 'numeric', min: -8, max: 8 }
]

/** 600 rows: kind common 85%, mid 12%, rare 3%; x near 0, 4 or -5 by kind. */
function table(): ReturnType<typeof vectorData> {
  const rand = mulberry32(11)
  const z = gaussian(600, rand)
  const values = new Float32Array(600 * encodedSize(columns))
  for (let i = 0; i < 600; i++) {
    const kind = i % 100 < 85 ? 'common' : i % 100 < 97 ? 'mid' : 'rare'
    const x = { common: 0, mid: 4, rare: -5 }[kind] + 0.3 * z[i]
    encodeRow(columns, [kind, String(x)], values, i * encodedSize(columns))
  }
  return vectorData(values, encodedSize(columns))
}

const config = runConfigSchema.parse({
  ...PRESETS['tabular-mlp'].defaults,
  name: 'by category',
  seed: 3,
  latentDim: 4,
  batchSize: 32,
  epochs: 1,
  stepsPerEpoch: 150,
  backend: 'cpu',
  optimizerD: { kind: 'adam', lr: 2e-3, beta1: 0.5, beta2: 0.9 },
  optimizerG: { kind: 'adam', lr: 2e-3, beta1: 0.5, beta2: 0.9 },
  tricks: { ...PRESETS['tabular-mlp'].defaults.tricks, loss: 'nsgan', dStepsPerG: 1, tableSampling: 'by-category' }
})

describe('training-by-sampling', () => {
  it('draws each real row with the category its condition asks for, by log-frequency', () => {
    const fitted = modesData(columns, table(), 3, true)
    const condition = fitted.data.condition!
    expect(fitted.condition).toEqual({ columns: [{ name: 'kind', counts: [510, 72, 18] }] })
    expect(runClasses(config, fitted.data)).toBe(3)
    const batches = new RealBatches(fitted.data, mulberry32(1))
    const seen = [0, 0, 0]
    for (let k = 0; k < 20; k++) {
      const batch = batches.next(64)
      const values = batch.dataSync()
      const width = fitted.data.shape[0]
      batches.labels.forEach((slot, b) => {
        seen[slot]++
        // The row's own category is the slot's: its one-hot is 1 there.
        expect(values[b * width + condition.positions[slot]]).toBe(1)
      })
      batch.dispose()
    }
    // log(511) : log(73) : log(19) = 0.46 : 0.31 : 0.23 of 1280, where the rows' shares give the rare one 3%.
    expect(seen[2] / 1280).toBeGreaterThan(0.18)
    expect(seen[0] / 1280).toBeLessThan(0.52)
  })

  it('without it, the same table trains on shuffled rows with no condition', () => {
    const fitted = modesData(columns, table(), 3, false)
    expect(fitted.condition).toBeNull()
    expect(fitted.data.condition).toBeUndefined()
    expect(runClasses(config, fitted.data)).toBe(0)
  })

  /** Trains for `steps` steps and draws 200 rows for each category, asked for by the condition. */
  async function trainAndDraw(steps: number): Promise<Map<string, (number | string)[][]>> {
    const fitted = modesData(columns, table(), 3, true)
    const slots = conditionWidth(fitted.condition!)
    seedGlobalRandom(config.seed)
    const models = buildModels('tabular-mlp', config.latentDim, 'dropout', fitted.data.shape, slots, 'tanh', 'batchnorm', outputHeads(fitted.transform))
    expect(models.generator.inputs[0].shape).toEqual([null, config.latentDim + slots])
    expect(models.discriminator.inputs[0].shape).toEqual([null, fitted.data.shape[0] + slots])
    const renderer: SampleRenderer = { count: 8, render: () => ({}) }
    const losses: number[] = []
    const outcome = await trainGan({ ...config, stepsPerEpoch: steps }, models, fitted.data, {
      onSteps: (rows) => losses.push(...rows.map((r) => r.gLoss)),
      onProgress: () => undefined,
      onEpoch: () => undefined,
      shouldStop: () => false,
      saveCheckpoint: async () => 'none'
    }, undefined, renderer)
    expect(outcome.status).toBe('completed')
    expect(losses.every(Number.isFinite)).toBe(true)
    const rand = mulberry32(5)
    const drawn = new Map<string, (number | string)[][]>()
    for (const [slot, kind] of ['common', 'mid', 'rare'].entries()) {
      const inputs = generatorInputs(gaussian(200 * config.latentDim, mulberry32(slot + 1)), config.latentDim, new Int32Array(200).fill(slot), slots)
      const out = tf.tidy(() => models.generator.predict(tf.tensor2d(inputs, [200, config.latentDim + slots])) as tf.Tensor)
      const values = out.dataSync()
      out.dispose()
      drawn.set(kind, Array.from({ length: 200 }, (_, i) => decodeModesRow(fitted.transform, values, i * fitted.data.shape[0], rand)))
    }
    models.generator.dispose()
    models.discriminator.dispose()
    return drawn
  }

  it("makes G produce the category it is asked for within a few steps (its cross-entropy term: without it, 77% after 25 steps)", async () => {
    const drawn = await trainAndDraw(25)
    for (const [kind, rows] of drawn) expect(rows.filter((r) => r[0] === kind).length / rows.length).toBeGreaterThan(0.9)
  })

  it('learns each category with its own values, the rare one too', async () => {
    const drawn = await trainAndDraw(150)
    for (const [kind, x] of [['common', 0], ['mid', 4], ['rare', -5]] as const) {
      const asked = drawn.get(kind)!.filter((r) => r[0] === kind)
      expect(asked.length / 200).toBeGreaterThan(0.9)
      const mean = asked.reduce((s, r) => s + Number(r[1]), 0) / asked.length
      expect(Math.abs(mean - x)).toBeLessThan(1.5)
    }
  }, 120_000)
})
