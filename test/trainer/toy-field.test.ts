// GAN Lab's view of a toy run, computed by the trainer (src/main/trainer/toy-field.ts): the
// heatmap is D's output at the grid points (σ of its logit for BCE, the raw score otherwise),
// the generated points are G's outputs for the fixed latent batch, and each arrow is minus the
// gradient of G's loss for that point with respect to it, in data units (checked by central
// differences of the loss, independently of tfjs's gradients). Fields never change training.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConfigSchema, type GanLossKind, type RunConfig } from '@shared/config'
import { BUILTIN_DATASET_INFO, type ColumnSpec } from '@shared/datasets'
import type { StepRow } from '@shared/metrics'
import type { EpochResult } from '@shared/trainer-protocol'
import { fieldCellCentre, fieldColumns, FIELD_POINTS, FIELD_RESOLUTION_1D, FIELD_RESOLUTION_2D, toyFieldSchema, type ToyField } from '@shared/toy-field'
import { fixedLatentBatch } from '../../src/main/common/fixed-batch'
import { seedGlobalRandom } from '../../src/main/common/random'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { loadTrainingData, vectorData } from '../../src/main/trainer/data/source'
import { modelsForConfig, type GanModels } from '../../src/main/trainer/models/presets'
import { tf } from '../../src/main/trainer/tf'
import { toyFieldProbe, type FieldProbe } from '../../src/main/trainer/toy-field'
import { trainGan } from '../../src/main/trainer/train'

beforeAll(async () => {
  await selectBackend('cpu')
})
afterAll(async () => {
  await tf.setBackend('cpu')
})

function config(dataset: string, loss: GanLossKind = 'nsgan', over: Record<string, unknown> = {}): RunConfig {
  return runConfigSchema.parse({
    name: 'field', preset: 'toy-mlp', dataset, latentDim: 4, batchSize: 16, epochs: 2, stepsPerEpoch: 30, seed: 3,
    optimizerD: { kind: 'adam', lr: 1e-3 }, optimizerG: { kind: 'adam', lr: 1e-3 }, backend: 'cpu', tricks: { loss }, ...over
  })
}

const encode = (columns: readonly ColumnSpec[], p: readonly number[]): number[] => p.map((x, d) => ((x - columns[d].min!) / (columns[d].max! - columns[d].min!)) * 2 - 1)

/**
 * D in double precision, from its weights (the toy preset's D: dense layers and LeakyReLUs), so
 * the expected values and the central differences below owe nothing to tfjs's float32 kernels.
 */
function float64D(D: tf.LayersModel): (encoded: readonly number[]) => number {
  const steps = D.layers.map((layer): ((v: Float64Array) => Float64Array) => {
    const name = layer.getClassName()
    if (name === 'LeakyReLU') {
      const alpha = Number(layer.getConfig().alpha)
      return (v) => v.map((x) => (x > 0 ? x : alpha * x))
    }
    if (name !== 'Dense') throw new Error(`the test's D has no ${name} layer`)
    const [kernel, bias] = layer.getWeights().map((w) => Float64Array.from(w.dataSync()))
    const out = bias.length
    return (v) => {
      const y = Float64Array.from(bias)
      for (let i = 0; i < v.length; i++) for (let j = 0; j < out; j++) y[j] += v[i] * kernel[i * out + j]
      return y
    }
  })
  return (encoded) => {
    let v = Float64Array.from(encoded) as Float64Array
    for (const step of steps) v = step(v)
    return v[0]
  }
}

/** Each point's own G loss from D's score s: -log σ(s) (nsgan), -softplus(s) (minimax), (s - 1)²/2 (lsgan), -s (hinge, WGAN). */
const pointLoss: Record<GanLossKind, (s: number) => number> = {
  nsgan: (s) => Math.log1p(Math.exp(-s)),
  minimax: (s) => -Math.log1p(Math.exp(s)),
  lsgan: (s) => 0.5 * (s - 1) ** 2,
  hinge: (s) => -s,
  wgan: (s) => -s,
  'wgan-gp': (s) => -s
}

/** Checks `field` against G and D as they are now: heatmap, generated points, arrows. */
function expectFieldOf(field: ToyField, models: GanModels, c: RunConfig, columns: readonly ColumnSpec[]): void {
  expect(toyFieldSchema.safeParse(field).success).toBe(true)
  const dims = columns.length
  const score = float64D(models.discriminator)
  const at = (p: readonly number[]): number => score(encode(columns, p))
  field.values.forEach((v, k) => {
    const s = at(fieldCellCentre(field, k))
    const want = field.output === 'probability' ? 1 / (1 + Math.exp(-s)) : s
    expect(Math.abs(v - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)))
  })

  const z = tf.tensor2d(fixedLatentBatch(c.seed, c.latentDim, FIELD_POINTS, c.tricks.latent), [FIELD_POINTS, c.latentDim])
  const out = tf.tidy(() => Array.from((models.generator.predict(z) as tf.Tensor).dataSync()))
  z.dispose()
  const fake = Array.from({ length: FIELD_POINTS }, (_, i) => out.slice(i * dims, (i + 1) * dims).map((e, d) => columns[d].min! + ((e + 1) / 2) * (columns[d].max! - columns[d].min!)))
  field.fake.forEach((p, i) => p.forEach((x, d) => expect(x).toBeCloseTo(fake[i][d], 3)))

  // Minus the gradient of each point's G loss, by central differences in data units (double precision).
  const h = 1e-6
  const loss = pointLoss[c.tricks.loss]
  const biggest = Math.max(...field.arrows.flat().map(Math.abs))
  expect(biggest).toBeGreaterThan(0)
  field.arrows.forEach((arrow, i) =>
    arrow.forEach((v, d) => {
      const moved = (sign: number): number[] => field.fake[i].map((x, e) => (e === d ? x + sign * h : x))
      const want = -(loss(at(moved(1))) - loss(at(moved(-1)))) / (2 * h)
      expect(Math.abs(v - want)).toBeLessThan(1e-3 * biggest + 1e-3 * Math.abs(want))
    })
  )
}

interface Trained {
  rows: StepRow[]
  live: ToyField[]
  epochs: EpochResult[]
}

/**
 * Trains `c` on its toy data set in this process, checking each field the moment it arrives
 * against the models (`check`), with a field probe or (`probe: false`) without one.
 */
async function train(c: RunConfig, opts: { probe?: boolean; check?: boolean } = {}): Promise<Trained & { columns: ColumnSpec[] }> {
  const { data, columns } = loadTrainingData({ kind: 'toy', name: c.dataset as 'toy-ring-8', count: 512 }, undefined, c.seed)
  seedGlobalRandom(c.seed)
  const models = modelsForConfig(c, data.shape, 0)
  const made = opts.probe === false ? null : toyFieldProbe(c, columns, data)
  // Every field the loop allows: at least every 10 steps, with no minimum interval.
  const probe: FieldProbe | null = made && { ...made, minIntervalMs: 0 }
  const got: Trained = { rows: [], live: [], epochs: [] }
  const outcome = await trainGan(
    c,
    models,
    data,
    {
      onSteps: (r) => got.rows.push(...r),
      onProgress: () => undefined,
      onEpoch: (result) => {
        got.epochs.push(result)
        if (opts.check && result.field) expectFieldOf(result.field, models, c, columns!)
      },
      onField: (field) => {
        // The first live field is checked as it arrives (each takes a while in double precision).
        if (opts.check && got.live.length === 0) expectFieldOf(field, models, c, columns!)
        got.live.push(field)
      },
      shouldStop: () => false,
      saveCheckpoint: async () => 'none'
    },
    undefined,
    undefined,
    probe
  )
  made?.dispose()
  expect(outcome.status).toBe('completed')
  return { ...got, columns: columns! }
}

describe('the field of a toy run', () => {
  it('holds D(x) at the grid points, the generated points, and minus the gradient of G\'s loss as arrows (2D, BCE)', async () => {
    const c = config('toy-ring-8')
    const { live, epochs } = await train(c, { check: true })
    // One field per epoch, at its last step, and live ones between (at least 10 steps apart, none at an epoch's end).
    expect(epochs.map((e) => [e.epoch, e.field?.step])).toEqual([[1, 30], [2, 60]])
    expect(live.length).toBeGreaterThan(0)
    for (const [i, f] of live.entries()) {
      expect(f.step % 30).not.toBe(0)
      if (i > 0) expect(f.step - live[i - 1].step).toBeGreaterThanOrEqual(10)
    }
    const f = epochs[1].field!
    expect(f.columns).toEqual(['x', 'y'])
    expect(f.output).toBe('probability')
    expect(f.resolution).toBe(FIELD_RESOLUTION_2D)
    expect(f.values).toHaveLength(FIELD_RESOLUTION_2D ** 2)
    expect(f.real).toHaveLength(FIELD_POINTS)
    expect(f.extent).toEqual([[-2.86, 2.86], [-2.86, 2.86]].map((r) => r.map((v) => expect.closeTo(v, 6))))
    // The real points are the ring's: radius 2.
    for (const [x, y] of f.real) expect(Math.abs(Math.hypot(x, y) - 2)).toBeLessThan(0.1)
    // D and G moved between the epochs: the field changed.
    expect(epochs[0].field!.values).not.toEqual(f.values)
    expect(epochs[0].field!.arrows).not.toEqual(f.arrows)
  })

  it('draws a curve over x for 1D data, and D\'s raw score for a loss without probabilities', async () => {
    const c = config('toy-bimodal-1d', 'lsgan', { epochs: 1 })
    const { epochs, columns } = await train(c, { check: true })
    expect(columns).toEqual(BUILTIN_DATASET_INFO['toy-bimodal-1d'].columns)
    const f = epochs[0].field!
    expect(f.columns).toEqual(['x'])
    expect(f.output).toBe('score')
    expect(f.values).toHaveLength(FIELD_RESOLUTION_1D)
    expect(f.arrows.every((a) => a.length === 1)).toBe(true)
    // Both modes of the data are there.
    expect(f.real.some(([x]) => x < 0) && f.real.some(([x]) => x > 0.5)).toBe(true)
  })

  it('never changes what a run trains: the same losses with and without fields', async () => {
    const c = config('toy-ring-8', 'nsgan', { epochs: 1 })
    const withFields = await train(c)
    const without = await train(c, { probe: false })
    expect(withFields.live.length).toBeGreaterThan(0)
    expect(without.live).toEqual([])
    expect(without.epochs[0].field).toBeUndefined()
    expect(withFields.rows.map(({ timeMs: _, ...r }) => r)).toEqual(without.rows.map(({ timeMs: _, ...r }) => r))
  })

  it('is computed for every loss and every D regularizer, from a fresh pair of models', () => {
    const { data, columns } = loadTrainingData({ kind: 'toy', name: 'toy-ring-8', count: 300 }, undefined, 1)
    for (const loss of ['nsgan', 'minimax', 'lsgan', 'hinge', 'wgan', 'wgan-gp'] as const) {
      for (const regularizer of ['dropout', 'batchnorm', 'none'] as const) {
        if (loss === 'wgan-gp' && regularizer === 'batchnorm') continue
        const c = config('toy-ring-8', loss, { discriminator: { regularizer } })
        seedGlobalRandom(c.seed)
        const models = modelsForConfig(c, data.shape, 0)
        const probe = toyFieldProbe(c, columns, data)!
        const f = probe.compute(models.generator, models.discriminator, 0, 1)
        probe.dispose()
        expect(toyFieldSchema.safeParse(f).success, `${loss}, ${regularizer}`).toBe(true)
        expect(f!.output).toBe(loss === 'nsgan' || loss === 'minimax' ? 'probability' : 'score')
        models.generator.dispose()
        models.discriminator.dispose()
      }
    }
  })

  it('is drawn for one or two numeric columns only, and not for images or conditional runs', () => {
    const numeric = (name: string): ColumnSpec => ({ name, type: 'numeric', min: 0, max: 1 })
    expect(fieldColumns([numeric('a'), { name: 'id', type: 'ignore' }, numeric('b')])?.map((c) => c.name)).toEqual(['a', 'b'])
    expect(fieldColumns([numeric('a'), numeric('b'), numeric('c')])).toBeNull()
    expect(fieldColumns([numeric('a'), { name: 'sky', type: 'categorical', categories: ['rain', 'sun'] }])).toBeNull()
    expect(fieldColumns([{ name: 'flat', type: 'numeric', min: 1, max: 1 }])).toBeNull()
    expect(fieldColumns(null)).toBeNull()
    const rows = vectorData(new Float32Array([0, 0.5, 1, -1]), 2)
    const c = config('toy-ring-8')
    expect(toyFieldProbe(c, [numeric('a'), numeric('b')], rows)).not.toBeNull()
    expect(toyFieldProbe(c, null, rows)).toBeNull()
    expect(toyFieldProbe({ ...c, conditional: true }, [numeric('a'), numeric('b')], rows)).toBeNull()
  })
})
