// The reference classifier: a small convnet trained on a labelled data set, whose
// penultimate (dense) layer is the feature space of the classifier FID and the k-NN scores.
// Images enter as the GAN sees them: NHWC in [-1, 1].
import type { ClassifierArch } from '@shared/evaluation'
import type { LabelledImages } from '../../common/idx'
import { mulberry32, permutation, seedGlobalRandom } from '../../common/random'
import { tf } from '../tf'

export const FEATURE_LAYER = 'features'
const EVAL_BATCH = 256

export function buildClassifier(arch: ClassifierArch, shape: [number, number, number], classes: number): tf.Sequential {
  const model = tf.sequential({ name: 'classifier' })
  arch.convFilters.forEach((filters, i) => {
    model.add(tf.layers.conv2d({ ...(i === 0 ? { inputShape: shape } : {}), filters, kernelSize: 3, padding: 'same', activation: 'relu' }))
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  })
  model.add(tf.layers.flatten(arch.convFilters.length === 0 ? { inputShape: shape } : {}))
  model.add(tf.layers.dense({ units: arch.denseUnits, activation: 'relu', name: FEATURE_LAYER }))
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }))
  return model
}

/** Images `indices` of a set scaled to [-1, 1], NHWC. */
export function imagesOf(data: LabelledImages, indices: ArrayLike<number>): Float32Array {
  const per = data.height * data.width
  const out = new Float32Array(indices.length * per)
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * per
    for (let p = 0; p < per; p++) out[i * per + p] = data.pixels[start + p] / 127.5 - 1
  }
  return out
}

export function labelsOf(data: LabelledImages, indices: ArrayLike<number>): Int32Array {
  if (!data.labels) throw new Error('The data set has no labels; a reference classifier needs labelled images')
  return Int32Array.from(indices, (i) => data.labels![i])
}

/** The first n indices of a seeded shuffle of 0..count-1. */
export function sampleIndices(count: number, n: number, seed: number): Uint32Array {
  return permutation(count, mulberry32(seed)).subarray(0, Math.min(n, count))
}

export interface ClassifierOutputs {
  /** count x featureDim, the feature layer's activations. */
  features: Float32Array
  featureDim: number
  /** count x classes softmax probabilities. */
  probs: Float32Array
  classes: number
}

/** Features and class probabilities of `count` images (NHWC in [-1, 1]). */
export async function classify(model: tf.LayersModel, images: Float32Array, count: number): Promise<ClassifierOutputs> {
  const [, h, w, c] = model.inputs[0].shape as number[]
  const featureLayer = model.getLayer(FEATURE_LAYER)
  const both = tf.model({ inputs: model.inputs, outputs: [featureLayer.output as tf.SymbolicTensor, model.outputs[0]] })
  const featureDim = (featureLayer.output as tf.SymbolicTensor).shape[1] as number
  const classes = model.outputs[0].shape[1] as number
  const features = new Float32Array(count * featureDim)
  const probs = new Float32Array(count * classes)
  const per = h * w * c
  for (let start = 0; start < count; start += EVAL_BATCH) {
    const size = Math.min(EVAL_BATCH, count - start)
    const x = tf.tensor4d(images.subarray(start * per, (start + size) * per), [size, h, w, c])
    const [f, p] = both.predict(x) as tf.Tensor[]
    features.set((await f.data()) as Float32Array, start * featureDim)
    probs.set((await p.data()) as Float32Array, start * classes)
    tf.dispose([x, f, p])
  }
  return { features, featureDim, probs, classes }
}

/** Share of `labels` the arg max of `probs` gets right. */
export function accuracyOf(probs: Float32Array, labels: Int32Array, classes: number): number {
  let right = 0
  for (let i = 0; i < labels.length; i++) {
    let best = 0
    for (let k = 1; k < classes; k++) if (probs[i * classes + k] > probs[i * classes + best]) best = k
    if (best === labels[i]) right++
  }
  return labels.length === 0 ? 0 : right / labels.length
}

export interface ClassifierTraining {
  arch: ClassifierArch
  epochs: number
  batchSize: number
  seed: number
  onStep?: (epoch: number, step: number, stepsPerEpoch: number) => void
  onEpoch?: (epoch: number, testAccuracy: number) => void
}

/** Trains the classifier with Adam on (x, y) and measures its accuracy on the test images after each epoch. */
export async function trainClassifier(
  train: { images: Float32Array; labels: Int32Array },
  test: { images: Float32Array; labels: Int32Array },
  shape: [number, number, number],
  classes: number,
  opts: ClassifierTraining
): Promise<{ model: tf.LayersModel; testAccuracy: number }> {
  // Initialisers draw from Math.random: seeded, the same request trains the same classifier.
  seedGlobalRandom(opts.seed)
  const model = buildClassifier(opts.arch, shape, classes)
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' })
  const count = train.labels.length
  const per = shape[0] * shape[1] * shape[2]
  const stepsPerEpoch = Math.ceil(count / opts.batchSize)
  const rand = mulberry32(opts.seed)
  let testAccuracy = 0
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = permutation(count, rand)
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.subarray(s * opts.batchSize, Math.min(count, (s + 1) * opts.batchSize))
      const xs = new Float32Array(idx.length * per)
      idx.forEach((i, k) => xs.set(train.images.subarray(i * per, (i + 1) * per), k * per))
      const x = tf.tensor4d(xs, [idx.length, ...shape])
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(idx, (i) => train.labels[i]), 'int32'), classes))
      await model.trainOnBatch(x, y)
      tf.dispose([x, y])
      opts.onStep?.(epoch, s + 1, stepsPerEpoch)
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    const { probs } = await classify(model, test.images, test.labels.length)
    testAccuracy = accuracyOf(probs, test.labels, classes)
    opts.onEpoch?.(epoch, testAccuracy)
  }
  return { model, testAccuracy }
}
