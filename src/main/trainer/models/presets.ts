// Generator and discriminator architectures of the presets. D outputs a logit; losses
// apply the sigmoid themselves, which is the numerically stable form of the seed's BCE.
import { DCGAN_FILTERS } from '@shared/memory'
import { PRESET_DATA_KINDS, type DiscriminatorRegularizer, type PresetId, type RunConfig, type Tricks } from '@shared/config'
import { LabError } from '@shared/errors'
import type { OutputHead } from '@shared/tabular-transform'
import { tf } from '../tf'
import { dropout } from './dropout'

export interface GanModels {
  generator: tf.LayersModel
  discriminator: tf.LayersModel
}

export const IMAGE_SHAPE: [number, number, number] = [28, 28, 1]

/** One example's shape: [height, width, channels] for images, [features] for rows and points. */
export type DataShape = number[]

/** Filters of the DCGAN presets' first layers: the seed's, and the quick preset's (declared beside the memory estimate that uses them too). */
export { DCGAN_FILTERS }

/** 'sigmoid': the seed's scaling, G's sigmoid output and D's input in [0, 1], mapped from and to the lab's [-1, 1] by fixed layers. */
export type ImageScale = 'tanh' | 'sigmoid'

export type GeneratorNorm = Tricks['generatorNorm']

/** What follows one hidden layer of G: LeakyReLU 0.2, with batch normalisation before it when asked. */
function gBlock(norm: GeneratorNorm): tf.layers.Layer[] {
  const act = tf.layers.leakyReLU({ alpha: 0.2 })
  // Momentum 0.9 (not Keras' 0.99): the running statistics that grids and exports use follow G within ~10 steps.
  return norm === 'batchnorm' ? [tf.layers.batchNormalization({ momentum: 0.9 }), act] : [act]
}

/** A DCGAN G's starting side (a quarter of the image's) and the image's channels, refusing images it cannot upsample to. */
function dcganStart(shape: DataShape): [start: number, channels: number] {
  const [height, width, channels] = shape
  if (shape.length !== 3 || height !== width || height % 4 !== 0) {
    throw new LabError('INVALID_CONFIG', `The DCGAN preset needs square images whose side is a multiple of 4 (it upsamples twice by 2); this data set's images are ${shape.join('x')}. Use the MLP preset.`)
  }
  return [height / 4, channels]
}

/** G's image layer with the scale's activation; the sigmoid scale maps [0, 1] back to the lab's [-1, 1] with a fixed layer. */
function imageOutput(scale: ImageScale, layer: (activation: 'tanh' | 'sigmoid') => tf.layers.Layer): tf.layers.Layer[] {
  return scale === 'tanh' ? [layer('tanh')] : [layer('sigmoid'), tf.layers.rescaling({ scale: 2, offset: -1 })]
}

/** D's first convolution on images of `shape`; the sigmoid scale first maps the lab's [-1, 1] to [0, 1] with a fixed layer. */
function imageInput(scale: ImageScale, shape: DataShape, conv: Omit<Parameters<typeof tf.layers.conv2d>[0], 'inputShape'>): tf.layers.Layer[] {
  return scale === 'tanh' ? [tf.layers.conv2d({ inputShape: shape, ...conv })] : [tf.layers.rescaling({ inputShape: shape, scale: 0.5, offset: 0.5 }), tf.layers.conv2d(conv)]
}

function dcganGenerator(latentDim: number, shape: DataShape, filters: number, scale: ImageScale, norm: GeneratorNorm): tf.LayersModel {
  const [start, channels] = dcganStart(shape)
  return tf.sequential({
    name: 'generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: start * start * filters }),
      ...gBlock(norm),
      tf.layers.reshape({ targetShape: [start, start, filters] }),
      tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same' }),
      ...gBlock(norm),
      tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same' }),
      ...gBlock(norm),
      ...imageOutput(scale, (activation) => tf.layers.conv2d({ filters: channels, kernelSize: 7, padding: 'same', activation }))
    ]
  })
}

/**
 * The quick preset's G, the DCGAN paper's layout for small images: dense to (side/4)^2 x filters,
 * then two 4x4 stride-2 transposed convolutions, the first halving the filters, the second
 * writing the image (about a third of the arithmetic of the seed's layout with half its filters).
 */
function paperGenerator(latentDim: number, shape: DataShape, filters: number, scale: ImageScale, norm: GeneratorNorm): tf.LayersModel {
  const [start, channels] = dcganStart(shape)
  return tf.sequential({
    name: 'generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: start * start * filters }),
      ...gBlock(norm),
      tf.layers.reshape({ targetShape: [start, start, filters] }),
      tf.layers.conv2dTranspose({ filters: filters / 2, kernelSize: 4, strides: 2, padding: 'same' }),
      ...gBlock(norm),
      ...imageOutput(scale, (activation) => tf.layers.conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: 'same', activation }))
    ]
  })
}

/** The quick preset's D: two 4x4 stride-2 convolutions, the second doubling the filters, then a dense logit. */
function paperDiscriminator(regularizer: DiscriminatorRegularizer, shape: DataShape, filters: number, scale: ImageScale): tf.LayersModel {
  const conv = { kernelSize: 4, strides: 2, padding: 'same' as const }
  return tf.sequential({
    name: 'discriminator',
    layers: [
      ...imageInput(scale, shape, { filters, ...conv }),
      ...dBlock(regularizer, 0.3, true),
      tf.layers.conv2d({ filters: filters * 2, ...conv }),
      ...dBlock(regularizer, 0.3, false),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 })
    ]
  })
}

/**
 * The layers after one hidden layer of D: LeakyReLU with the preset's dropout, or batch
 * normalisation before it (the DCGAN paper's D, which leaves the first layer unnormalised).
 */
function dBlock(regularizer: DiscriminatorRegularizer, dropoutRate: number, first: boolean): tf.layers.Layer[] {
  const act = tf.layers.leakyReLU({ alpha: 0.2 })
  if (regularizer === 'dropout') return dropoutRate > 0 ? [act, dropout({ rate: dropoutRate })] : [act]
  if (regularizer === 'batchnorm' && !first) return [tf.layers.batchNormalization({ momentum: 0.9 }), act]
  return [act]
}

function dcganDiscriminator(regularizer: DiscriminatorRegularizer, shape: DataShape, filters: number, scale: ImageScale): tf.LayersModel {
  return tf.sequential({
    name: 'discriminator',
    layers: [
      ...imageInput(scale, shape, { filters, kernelSize: 3, strides: 2, padding: 'same' }),
      ...dBlock(regularizer, 0.4, true),
      tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same' }),
      ...dBlock(regularizer, 0.4, false),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 })
    ]
  })
}

const size = (shape: DataShape): number => shape.reduce((a, b) => a * b, 1)

function mlpGenerator(latentDim: number, shape: DataShape, norm: GeneratorNorm): tf.LayersModel {
  return tf.sequential({
    name: 'generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: 256 }),
      ...gBlock(norm),
      tf.layers.dense({ units: 512 }),
      ...gBlock(norm),
      tf.layers.dense({ units: size(shape), activation: 'tanh' }),
      tf.layers.reshape({ targetShape: shape })
    ]
  })
}

function mlpDiscriminator(regularizer: DiscriminatorRegularizer, shape: DataShape): tf.LayersModel {
  return tf.sequential({
    name: 'discriminator',
    layers: [
      // A conditional D takes flat vectors already (image and one-hot, see discriminatorInputShape).
      ...(shape.length > 1 ? [tf.layers.flatten({ inputShape: shape }), tf.layers.dense({ units: 256 })] : [tf.layers.dense({ inputShape: shape, units: 256 })]),
      ...dBlock(regularizer, 0.3, true),
      tf.layers.dense({ units: 128 }),
      ...dBlock(regularizer, 0.3, false),
      tf.layers.dense({ units: 1 })
    ]
  })
}

/** Small fully connected G and D for rows of features (tabular: tanh outputs; toy points: linear). */
function vectorModels(
  latentDim: number,
  features: number,
  dFeatures: number,
  output: 'tanh' | 'linear',
  regularizer: DiscriminatorRegularizer,
  dropout: number,
  norm: GeneratorNorm
): GanModels {
  const generator = tf.sequential({
    name: 'generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: 128 }),
      ...gBlock(norm),
      tf.layers.dense({ units: 128 }),
      ...gBlock(norm),
      tf.layers.dense({ units: features, activation: output })
    ]
  })
  const discriminator = tf.sequential({
    name: 'discriminator',
    layers: [
      tf.layers.dense({ inputShape: [dFeatures], units: 128 }),
      ...dBlock(regularizer, dropout, true),
      tf.layers.dense({ units: 128 }),
      ...dBlock(regularizer, dropout, false),
      tf.layers.dense({ units: 1 })
    ]
  })
  return { generator, discriminator }
}

/**
 * The tabular preset's G for CTGAN's encoding: the same hidden layers, then one dense head per
 * block of the encoded row (tanh for a number's offset, softmax for its mode or a category),
 * concatenated. Standard layers only, so the checkpoint loads in any tfjs program.
 */
function headedGenerator(latentDim: number, heads: readonly OutputHead[], norm: GeneratorNorm, units: number): tf.LayersModel {
  const z = tf.input({ shape: [latentDim] })
  let h = tf.layers.dense({ units }).apply(z) as tf.SymbolicTensor
  for (const layer of gBlock(norm)) h = layer.apply(h) as tf.SymbolicTensor
  h = tf.layers.dense({ units }).apply(h) as tf.SymbolicTensor
  for (const layer of gBlock(norm)) h = layer.apply(h) as tf.SymbolicTensor
  const outs = heads.map((head) => tf.layers.dense({ units: head.width, activation: head.activation }).apply(h) as tf.SymbolicTensor)
  const out = outs.length === 1 ? outs[0] : (tf.layers.concatenate().apply(outs) as tf.SymbolicTensor)
  return tf.model({ name: 'generator', inputs: z, outputs: out })
}

/**
 * D's input shape for examples of `shape` in a run with `classes` classes (0: unconditional):
 * a conditional D sees the one-hot label as `classes` extra constant planes of an image (or
 * extra features of a row), concatenated on the last axis; a `flat` D (fully connected) takes
 * the example flattened with the one-hot after it.
 */
export function discriminatorInputShape(shape: DataShape, classes = 0, flat = false): DataShape {
  if (classes === 0) return shape
  return flat ? [size(shape) + classes] : [...shape.slice(0, -1), shape[shape.length - 1] + classes]
}

/**
 * The preset's G and D for examples of `shape` (MNIST's 28x28x1 when not given). With
 * `classes` > 0 the pair is conditional: G takes [z, one-hot] (latentDim + classes values;
 * a dense first layer on a one-hot is a learned class embedding added to its input) and D
 * takes the example with the one-hot as extra planes (see discriminatorInputShape).
 */
export function buildModels(
  preset: PresetId,
  latentDim: number,
  regularizer: DiscriminatorRegularizer = 'dropout',
  shape: DataShape = IMAGE_SHAPE,
  classes = 0,
  scale: ImageScale = 'tanh',
  norm: GeneratorNorm = 'none',
  heads?: readonly OutputHead[]
): GanModels {
  const isImage = shape.length === 3
  if (PRESET_DATA_KINDS[preset].includes('images') !== isImage) {
    throw new LabError('INVALID_CONFIG', `The ${preset} preset does not take examples of shape ${shape.join('x')}`)
  }
  const gIn = latentDim + classes
  const dShape = discriminatorInputShape(shape, classes, preset === 'mnist-mlp')
  switch (preset) {
    case 'mnist-dcgan': {
      const f = DCGAN_FILTERS[preset]
      return { generator: dcganGenerator(gIn, shape, f.g, scale, norm), discriminator: dcganDiscriminator(regularizer, dShape, f.d, scale) }
    }
    case 'mnist-dcgan-small': {
      const f = DCGAN_FILTERS[preset]
      return { generator: paperGenerator(gIn, shape, f.g, scale, norm), discriminator: paperDiscriminator(regularizer, dShape, f.d, scale) }
    }
    case 'mnist-mlp':
      return { generator: mlpGenerator(gIn, shape, norm), discriminator: mlpDiscriminator(regularizer, dShape) }
    case 'tabular-mlp': {
      const models = vectorModels(gIn, size(shape), size(dShape), 'tanh', regularizer, 0.2, norm)
      if (!heads) return models
      const width = heads.reduce((s, h) => s + h.width, 0)
      if (width !== size(shape)) throw new LabError('INTERNAL', `G's output heads cover ${width} values; the encoded rows have ${size(shape)}`)
      models.generator.dispose()
      return { generator: headedGenerator(gIn, heads, norm, 128), discriminator: models.discriminator }
    }
    case 'toy-mlp':
      return vectorModels(gIn, size(shape), size(dShape), 'linear', regularizer, 0, norm)
  }
}

/** A run's G and D as its config builds them, for examples of `shape` and `classes` classes (0: unconditional). */
export function modelsForConfig(config: Pick<RunConfig, 'preset' | 'latentDim' | 'discriminator' | 'tricks'>, shape: DataShape, classes: number, heads?: readonly OutputHead[]): GanModels {
  return buildModels(config.preset, config.latentDim, config.discriminator.regularizer, shape, classes, config.tricks.imageScale, config.tricks.generatorNorm, heads)
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
