// The image presets' networks: the seed DCGAN, the quick-start DCGAN (the paper's layout), and their shapes.
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

  it("the quick DCGAN has the DCGAN paper's layout: G halves its filters as it upsamples, D doubles them, batch norm where asked", () => {
    const seed = buildModels('mnist-dcgan', 100)
    const small = buildModels('mnist-dcgan-small', 100, 'batchnorm', [28, 28, 1], 0, 'tanh', 'batchnorm')
    expect(DCGAN_FILTERS['mnist-dcgan-small']).toEqual({ g: 128, d: 32 })
    const names = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName())
    expect(names(small.generator)).toEqual([
      'Dense', 'BatchNormalization', 'LeakyReLU', 'Reshape', 'Conv2DTranspose', 'BatchNormalization', 'LeakyReLU', 'Conv2DTranspose'
    ])
    // dense to 7x7x128, a transposed conv to 14x14x64, a transposed conv to the image
    expect(small.generator.layers.map((l) => (l.outputShape as number[]).slice(1))).toEqual([
      [6272], [6272], [6272], [7, 7, 128], [14, 14, 64], [14, 14, 64], [14, 14, 64], [28, 28, 1]
    ])
    // the first conv unnormalised (as in the paper), batch norm before the second's activation
    expect(names(small.discriminator)).toEqual(['Conv2D', 'LeakyReLU', 'Conv2D', 'BatchNormalization', 'LeakyReLU', 'Flatten', 'Dense'])
    expect(small.discriminator.layers.map((l) => (l.outputShape as number[]).slice(1)).slice(0, 3)).toEqual([[14, 14, 32], [14, 14, 32], [7, 7, 64]])
    expect(small.discriminator.outputs[0].shape).toEqual([null, 1])
    // dense 633,472 + its batch norm 25,088 + transposed convs 131,136 and 1,025 + their batch norm 256
    expect(params(small.generator)).toBe(790_977)
    expect(params(small.generator)).toBeLessThan(params(seed.generator))
    // Without batch norm in G there is none; a dropout D has no batch norm.
    expect(names(buildModels('mnist-dcgan-small', 100, 'dropout').generator)).not.toContain('BatchNormalization')
    expect(names(buildModels('mnist-dcgan-small', 100, 'dropout').discriminator)).toEqual(['Conv2D', 'LeakyReLU', 'Dropout', 'Conv2D', 'LeakyReLU', 'Dropout', 'Flatten', 'Dense'])
    const fake = tf.tidy(() => small.generator.predict(tf.zeros([2, 100])) as tf.Tensor)
    expect(fake.shape).toEqual([2, 28, 28, 1])
    fake.dispose()
  })

  it("with the seed's sigmoid scale, G's outputs still lie in [-1, 1] and D sees [0, 1] through fixed layers", () => {
    const { generator, discriminator } = buildModels('mnist-dcgan-small', 100, 'dropout', [28, 28, 1], 0, 'sigmoid')
    const names = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName())
    expect(names(generator).slice(-2)).toEqual(['Conv2DTranspose', 'Rescaling'])
    expect(names(buildModels('mnist-dcgan', 100, 'dropout', [28, 28, 1], 0, 'sigmoid').generator).slice(-2)).toEqual(['Conv2D', 'Rescaling'])
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
