// Generator and discriminator architectures of the presets. D outputs a logit; losses
// apply the sigmoid themselves, which is the numerically stable form of the seed's BCE.
import type { DiscriminatorRegularizer, PresetId } from '@shared/config'
import { tf } from '../tf'

export interface GanModels {
  generator: tf.LayersModel
  discriminator: tf.LayersModel
}

export const IMAGE_SHAPE: [number, number, number] = [28, 28, 1]

function dcganGenerator(latentDim: number): tf.LayersModel {
  return tf.sequential({
    name: 'generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: 7 * 7 * 128 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.reshape({ targetShape: [7, 7, 128] }),
      tf.layers.conv2dTranspose({ filters: 128, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2dTranspose({ filters: 128, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 1, kernelSize: 7, padding: 'same', activation: 'tanh' })
    ]
  })
}

/**
 * The layers after one hidden layer of D: LeakyReLU with the preset's dropout, or batch
 * normalisation before it (the DCGAN paper's D, which leaves the first layer unnormalised).
 */
function dBlock(regularizer: DiscriminatorRegularizer, dropoutRate: number, first: boolean): tf.layers.Layer[] {
  const act = tf.layers.leakyReLU({ alpha: 0.2 })
  if (regularizer === 'dropout') return [act, tf.layers.dropout({ rate: dropoutRate })]
  if (regularizer === 'batchnorm' && !first) return [tf.layers.batchNormalization({ momentum: 0.9 }), act]
  return [act]
}

function dcganDiscriminator(regularizer: DiscriminatorRegularizer): tf.LayersModel {
  return tf.sequential({
    name: 'discriminator',
    layers: [
      tf.layers.conv2d({ inputShape: IMAGE_SHAPE, filters: 64, kernelSize: 3, strides: 2, padding: 'same' }),
      ...dBlock(regularizer, 0.4, true),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same' }),
      ...dBlock(regularizer, 0.4, false),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 })
    ]
  })
}

function mlpGenerator(latentDim: number): tf.LayersModel {
  return tf.sequential({
    name: 'generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: 256 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.dense({ units: 512 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.dense({ units: 28 * 28, activation: 'tanh' }),
      tf.layers.reshape({ targetShape: IMAGE_SHAPE })
    ]
  })
}

function mlpDiscriminator(regularizer: DiscriminatorRegularizer): tf.LayersModel {
  return tf.sequential({
    name: 'discriminator',
    layers: [
      tf.layers.flatten({ inputShape: IMAGE_SHAPE }),
      tf.layers.dense({ units: 256 }),
      ...dBlock(regularizer, 0.3, true),
      tf.layers.dense({ units: 128 }),
      ...dBlock(regularizer, 0.3, false),
      tf.layers.dense({ units: 1 })
    ]
  })
}

export function buildModels(preset: PresetId, latentDim: number, regularizer: DiscriminatorRegularizer = 'dropout'): GanModels {
  switch (preset) {
    case 'mnist-dcgan':
      return { generator: dcganGenerator(latentDim), discriminator: dcganDiscriminator(regularizer) }
    case 'mnist-mlp':
      return { generator: mlpGenerator(latentDim), discriminator: mlpDiscriminator(regularizer) }
  }
}

/** DCGAN-paper initialisation: every kernel drawn from N(0, 0.02), every bias zero. */
export function initNormal002(model: tf.LayersModel): void {
  for (const w of model.weights) {
    const v = w.read() as tf.Variable
    const name = w.originalName ?? w.name
    if (/kernel$/.test(name)) tf.tidy(() => v.assign(tf.randomNormal(w.shape as number[], 0, 0.02)))
    else if (/bias$/.test(name)) tf.tidy(() => v.assign(tf.zeros(w.shape as number[])))
  }
}
