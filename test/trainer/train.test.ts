// The training loop in-process on tiny models and 4x4 images (cpu backend).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { runConfigSchema, type RunConfig } from '@shared/config'
import type { EpochResult } from '@shared/trainer-protocol'
import { loadModelFrom, writeCheckpoint } from '../../src/main/trainer/checkpoint'
import type { LabelledImages } from '../../src/main/common/idx'
import type { GanModels } from '../../src/main/trainer/models/presets'
import { seedGlobalRandom } from '../../src/main/common/random'
import { tf } from '../../src/main/trainer/tf'
import { fixedLatentBatch, GRID_SAMPLES, sampleGrid, trainGan, type TrainCallbacks } from '../../src/main/trainer/train'

const LATENT = 3
const data: LabelledImages = {
  count: 16,
  height: 4,
  width: 4,
  pixels: Uint8Array.from({ length: 16 * 16 }, (_, i) => (i * 37) % 256),
  labels: null
}

function tinyModels(): GanModels {
  const generator = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [LATENT], units: 16, activation: 'tanh' }), tf.layers.reshape({ targetShape: [4, 4, 1] })]
  })
  const discriminator = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 1 })] })
  return { generator, discriminator }
}

function tinyConfig(over: Partial<RunConfig> = {}): RunConfig {
  return runConfigSchema.parse({
    name: 't',
    preset: 'mnist-mlp',
    latentDim: LATENT,
    batchSize: 4,
    epochs: 2,
    stepsPerEpoch: 5,
    seed: 11,
    optimizerD: { kind: 'adam', lr: 0.01, beta1: 0.5 },
    optimizerG: { kind: 'sgd', lr: 0.01 },
    backend: 'cpu',
    ...over
  })
}

function collector(runDir: string) {
  const epochs: EpochResult[] = []
  const steps: number[] = []
  const tensorsAtEpochEnd: number[] = []
  const cb: TrainCallbacks = {
    onSteps: (rows) => steps.push(...rows.map((r) => r.step)),
    onProgress: () => undefined,
    onEpoch: (r) => {
      epochs.push(r)
      tensorsAtEpochEnd.push(tf.memory().numTensors)
    },
    shouldStop: () => false,
    saveCheckpoint: (epoch, models) => writeCheckpoint(runDir, epoch, models)
  }
  return { cb, epochs, steps, tensorsAtEpochEnd }
}

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('trainGan', () => {
  for (const [label, over] of [
    ['separate D batches', {}],
    ['mixed D batches, k = 2', { tricks: { dBatch: 'mixed', dStepsPerG: 2 } }],
    ['WGAN-GP', { tricks: { loss: 'wgan-gp' } }],
    ['a frozen D', { discriminator: { freeze: 'all' } }]
  ] as const) {
    it(`reads the backend once per step (all its metrics in one read; ${label})`, async () => {
      seedGlobalRandom(11)
      const models = tinyModels()
      const readsAtStepEnd: number[] = []
      const reads = vi.spyOn(tf.backend(), 'readSync')
      const c = collector(mkdtempSync(join(tmpdir(), 'train-')))
      c.cb.shouldStop = () => {
        readsAtStepEnd.push(reads.mock.calls.length)
        return false
      }
      try {
        const config = tinyConfig({ epochs: 1, stepsPerEpoch: 6, ...over } as Partial<RunConfig>)
        const outcome = await trainGan(runConfigSchema.parse(config), models, data, c.cb)
        expect(outcome.status).toBe('completed')
      } finally {
        reads.mockRestore()
      }
      expect(readsAtStepEnd.slice(1).map((n, i) => n - readsAtStepEnd[i])).toEqual([1, 1, 1, 1, 1])
    })
  }

  it('runs every step, reports each epoch with a grid and a checkpoint, and leaks no tensors', async () => {
    seedGlobalRandom(11)
    const models = tinyModels()
    const runDir = mkdtempSync(join(tmpdir(), 'train-'))
    const c = collector(runDir)
    const outcome = await trainGan(tinyConfig({ epochs: 4 }), models, data, c.cb)
    expect(outcome).toEqual({ status: 'completed', stepsDone: 20 })
    expect(c.steps).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(c.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4])
    expect(c.epochs[1].checkpointDir).toBe(join('checkpoints', 'epoch-0002'))
    expect(new Set(c.tensorsAtEpochEnd).size).toBe(1)
    // Grids differ between epochs: the generator is learning, not a placeholder.
    expect(c.epochs[0].gridPngBase64).not.toBe(c.epochs[3].gridPngBase64)

    // The stored generator reproduces the last grid exactly.
    const g = await loadModelFrom(join(runDir, c.epochs[3].checkpointDir, 'generator'))
    const z = tf.tensor2d(fixedLatentBatch(11, LATENT), [GRID_SAMPLES, LATENT])
    expect(sampleGrid(g, z).png.toString('base64')).toBe(c.epochs[3].gridPngBase64)
    tf.dispose(z)
  })

  it('keeps tensors and resident memory flat across the epochs of a long run', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    seedGlobalRandom(5)
    const runDir = mkdtempSync(join(tmpdir(), 'train-'))
    const c = collector(runDir)
    const rss: number[] = []
    const heap: number[] = []
    const cb: TrainCallbacks = {
      ...c.cb,
      onEpoch: (r) => {
        c.cb.onEpoch(r)
        gc()
        rss.push(process.memoryUsage().rss)
        heap.push(process.memoryUsage().heapUsed)
      }
    }
    await trainGan(tinyConfig({ epochs: 16, stepsPerEpoch: 60 }), tinyModels(), data, cb)
    expect(new Set(c.tensorsAtEpochEnd).size).toBe(1)
    // The JS heap is flat after warm-up. Resident memory may jump once or twice as the
    // allocator reaches its high-water mark, but a leak would grow it epoch after epoch.
    expect((heap[heap.length - 1] - heap[3]) / 2 ** 20).toBeLessThan(4)
    // A leak grows nearly every epoch; allocator steps (and a busy machine) only some.
    const growingEpochs = rss.slice(1).filter((r, i) => r - rss[i] > 2 * 2 ** 20).length
    expect(growingEpochs).toBeLessThan((rss.length - 1) / 2)
  })

  it('stops as diverged at the first non-finite loss, naming the step and the last good values', async () => {
    seedGlobalRandom(1)
    const models = tinyModels()
    const runDir = mkdtempSync(join(tmpdir(), 'train-'))
    const c = collector(runDir)
    let calls = 0
    const poisoning: TrainCallbacks = {
      ...c.cb,
      // Poison D's weights after step 3, as a diverging optimizer would.
      shouldStop: () => {
        calls++
        if (calls === 3) for (const w of models.discriminator.trainableWeights) (w.read() as tf.Variable).assign(tf.fill(w.shape as number[], NaN))
        return false
      }
    }
    const outcome = await trainGan(tinyConfig(), models, data, poisoning)
    expect(outcome.status).toBe('diverged')
    expect(outcome.message).toMatch(/^Diverged at step 4 \(epoch 1\): dLossReal = NaN.*Last good values: D loss \(real\) \d/)
    expect(outcome.stepsDone).toBe(3)
    expect(c.steps).toEqual([1, 2, 3])
  })

  it('stops between steps when asked', async () => {
    seedGlobalRandom(2)
    const runDir = mkdtempSync(join(tmpdir(), 'train-'))
    const c = collector(runDir)
    let calls = 0
    const outcome = await trainGan(tinyConfig(), tinyModels(), data, { ...c.cb, shouldStop: () => ++calls >= 2 })
    expect(outcome).toMatchObject({ status: 'stopped', stepsDone: 2 })
    expect(c.steps).toEqual([1, 2])
  })
})
