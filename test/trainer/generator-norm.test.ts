// Batch normalisation in G (tricks.generatorNorm): where the layers go in each preset's G, that
// training moves their running statistics (which grids, scores and exports use), and that a
// resumed run continues exactly as the uninterrupted one (the statistics travel in the checkpoint).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeTricks, PRESET_IDS, runConfigSchema, type RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LabelledImages } from '../../src/main/common/idx'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { checkpointName, loadModelFrom } from '../../src/main/trainer/checkpoint'
import { modelsForConfig, type GanModels } from '../../src/main/trainer/models/presets'
import { tf } from '../../src/main/trainer/tf'
import { trainRows, type ResumeFrom } from '../helpers/train-resume'

const images: LabelledImages = {
  count: 16,
  height: 28,
  width: 28,
  pixels: Uint8Array.from({ length: 16 * 784 }, (_, i) => (i * 53 + (i >> 4)) % 256),
  labels: null
}

function config(over: Record<string, unknown> = {}): RunConfig {
  return runConfigSchema.parse({
    name: 'bn', preset: 'mnist-mlp', latentDim: 8, batchSize: 4, epochs: 2, stepsPerEpoch: 2, seed: 3,
    optimizerD: { kind: 'adam', lr: 2e-4, beta1: 0.5 }, optimizerG: { kind: 'adam', lr: 2e-4, beta1: 0.5 }, backend: 'wasm',
    tricks: { generatorNorm: 'batchnorm' }, ...over
  })
}

const shapeOf = (preset: RunConfig['preset']): number[] => (preset === 'toy-mlp' ? [2] : preset === 'tabular-mlp' ? [5] : [28, 28, 1])

const train = (c: RunConfig, runDir: string, resume?: ResumeFrom): ReturnType<typeof trainRows> => trainRows(c, images, runDir, resume)

beforeAll(async () => {
  await selectBackend('wasm')
})

afterAll(async () => {
  await tf.setBackend('cpu')
})

describe('batch norm in G', () => {
  it('puts a BatchNormalization before every hidden activation of each preset\'s G, and none without it', () => {
    for (const preset of PRESET_IDS) {
      const build = (generatorNorm: 'none' | 'batchnorm'): GanModels =>
        modelsForConfig({ preset, latentDim: 8, discriminator: config().discriminator, tricks: { ...config().tricks, imageScale: 'tanh', generatorNorm } }, shapeOf(preset), 0)
      const plain = build('none')
      const normed = build('batchnorm')
      const names = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName())
      expect(names(plain.generator), preset).not.toContain('BatchNormalization')
      const withBn = names(normed.generator)
      const acts = withBn.filter((n) => n === 'LeakyReLU').length
      expect(acts, preset).toBeGreaterThan(0)
      withBn.forEach((n, i) => {
        if (n === 'LeakyReLU') expect(withBn[i - 1], `${preset} layer ${i}`).toBe('BatchNormalization')
      })
      // D is untouched.
      expect(names(normed.discriminator)).toEqual(names(plain.discriminator))
      for (const m of [plain, normed]) {
        m.generator.dispose()
        m.discriminator.dispose()
      }
    }
    expect(describeTricks(config().tricks)).toContain('batch norm in G')
  })

  it('training moves the running statistics that samples use, and a resumed run continues exactly', async () => {
    const c = config()
    const runDir = mkdtempSync(join(tmpdir(), 'gnorm-'))
    const whole = await train(c, runDir)
    expect(whole.rows).toHaveLength(4)
    for (const r of whole.rows) expect(Number.isFinite(r.gLoss)).toBe(true)
    const movingMeans = whole.models.generator.weights.filter((w) => /moving_mean/.test(w.name))
    expect(movingMeans.length).toBe(2)
    for (const w of movingMeans) expect(tf.tidy(() => w.read().abs().max().dataSync()[0]), w.name).toBeGreaterThan(0)

    const ckpt = join(runDir, 'checkpoints', checkpointName(1))
    const models = { generator: await loadModelFrom(join(ckpt, 'generator')), discriminator: await loadModelFrom(join(ckpt, 'discriminator')) }
    expect(models.generator.weights.filter((w) => /moving_variance/.test(w.name))).toHaveLength(2)
    const resumed = await train(c, mkdtempSync(join(tmpdir(), 'gnorm-')), { epoch: 1, models, checkpointDir: ckpt })
    const metricsOf = (rows: StepRow[]) => rows.map(({ timeMs: _t, ...m }) => m)
    expect(resumed.rows.map((r) => r.step)).toEqual([3, 4])
    expect(metricsOf(resumed.rows)).toEqual(metricsOf(whole.rows.slice(2)))
  })
})
