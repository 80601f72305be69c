// The image presets' networks: the seed DCGAN, its small quick-start version, and their shapes.
import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { PRESETS } from '@shared/config'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadModelFrom, saveModelTo } from '../../src/main/trainer/checkpoint'
import { buildModels, DCGAN_FILTERS } from '../../src/main/trainer/models/presets'

const params = (m: tf.LayersModel): number => m.countParams()

describe('DCGAN presets', () => {
  it('the seed DCGAN keeps its parameter counts (G 1.16M, D 40.7k)', () => {
    const { generator, discriminator } = buildModels('mnist-dcgan', 100)
    expect(params(generator)).toBe(1_164_289)
    expect(params(discriminator)).toBe(40_705)
  })

  it('the small DCGAN has the same layers with half the filters and the same input and output shapes', () => {
    const seed = buildModels('mnist-dcgan', 100)
    const small = buildModels('mnist-dcgan-small', 100)
    expect(DCGAN_FILTERS['mnist-dcgan-small']).toEqual({ g: 64, d: 32 })
    expect(small.generator.layers.map((l) => l.getClassName())).toEqual(seed.generator.layers.map((l) => l.getClassName()))
    expect(small.discriminator.layers.map((l) => l.getClassName())).toEqual(seed.discriminator.layers.map((l) => l.getClassName()))
    expect(small.generator.outputs[0].shape).toEqual([null, 28, 28, 1])
    expect(small.discriminator.outputs[0].shape).toEqual([null, 1])
    // dense to 7x7x64, two transposed convs of 64 filters, a 7x7 conv to one channel
    expect(small.generator.layers.map((l) => (l.outputShape as number[]).slice(1))).toEqual([
      [3136], [3136], [7, 7, 64], [14, 14, 64], [14, 14, 64], [28, 28, 64], [28, 28, 64], [28, 28, 1]
    ])
    expect((small.discriminator.layers[0].outputShape as number[]).slice(1)).toEqual([14, 14, 32])
    expect(params(small.generator)).toBeLessThan(params(seed.generator) / 2)
    expect(params(small.discriminator)).toBeLessThan(params(seed.discriminator) / 2)
    const fake = tf.tidy(() => small.generator.predict(tf.zeros([2, 100])) as tf.Tensor)
    expect(fake.shape).toEqual([2, 28, 28, 1])
    fake.dispose()
  })

  it("with the seed's sigmoid scale, G's outputs still lie in [-1, 1] and D sees [0, 1] through fixed layers", () => {
    const { generator, discriminator } = buildModels('mnist-dcgan-small', 100, 'dropout', [28, 28, 1], 0, 'sigmoid')
    const names = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName())
    expect(names(generator).slice(-2)).toEqual(['Conv2D', 'Rescaling'])
    expect(names(discriminator)[0]).toBe('Rescaling')
    const [lo, hi] = tf.tidy(() => {
      const x = generator.predict(tf.randomNormal([16, 100], 0, 10)) as tf.Tensor
      return [x.min().dataSync()[0], x.max().dataSync()[0]]
    })
    expect(lo).toBeGreaterThanOrEqual(-1)
    expect(hi).toBeLessThanOrEqual(1)
    expect(hi - lo).toBeGreaterThan(0.5)
    // D's first layer maps the lab's [-1, 1] to the seed's [0, 1].
    const first = discriminator.layers[0]
    const mapped = tf.tidy(() => (first.apply(tf.tensor4d([-1, 0, 1, 0.5], [1, 2, 2, 1])) as tf.Tensor).dataSync())
    expect(Array.from(mapped)).toEqual([0, 0.5, 1, 0.75])
    // Same trainable weights as with tanh: the scaling layers have none.
    expect(generator.countParams()).toBe(buildModels('mnist-dcgan-small', 100).generator.countParams())
  })

  it('a sigmoid-scaled generator and discriminator round-trip through a checkpoint folder (scoring, explorer and exports load them)', async () => {
    const { generator, discriminator } = buildModels('mnist-dcgan-small', 8, 'dropout', [28, 28, 1], 0, 'sigmoid')
    const dir = mkdtempSync(join(tmpdir(), 'sigmoid-'))
    await saveModelTo(generator, join(dir, 'generator'))
    await saveModelTo(discriminator, join(dir, 'discriminator'))
    const g = await loadModelFrom(join(dir, 'generator'))
    const d = await loadModelFrom(join(dir, 'discriminator'))
    const z = tf.randomNormal([3, 8])
    const same = (a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): void => {
      const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor]
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()))
    }
    same(generator, g, z)
    same(discriminator, d, generator.predict(z) as tf.Tensor)
    expect(g.layers[g.layers.length - 1].getClassName()).toBe('Rescaling')
  })

  it('takes other square image sizes with a side that is a multiple of 4, like the seed DCGAN', () => {
    expect(buildModels('mnist-dcgan-small', 8, 'dropout', [32, 32, 3]).generator.outputs[0].shape).toEqual([null, 32, 32, 3])
    expect(() => buildModels('mnist-dcgan-small', 8, 'dropout', [30, 30, 1])).toThrow(/multiple of 4/)
  })

  it('every preset has a label, a description and defaults of its own id', () => {
    for (const [id, p] of Object.entries(PRESETS)) {
      expect(p.id).toBe(id)
      expect(p.defaults.preset).toBe(id)
      expect(p.label.length).toBeGreaterThan(0)
    }
  })
})
