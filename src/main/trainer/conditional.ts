// The tensors of a conditional GAN (see @shared/conditional): one-hot labels appended to
// G's latent input, and to D's input as constant planes (images) or features (rows).
import { tf } from './tf'

/** One-hot rows (float32) of `labels`, or null for an unconditional run (classes = 0). */
export function oneHotRows(labels: Int32Array, classes: number): tf.Tensor2D | null {
  if (classes === 0) return null
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D)
}

/** G's input: z followed by the one-hot (z itself when unconditional). */
export function withLabels(z: tf.Tensor, oneHot: tf.Tensor | null): tf.Tensor {
  return oneHot ? tf.concat([z, oneHot], 1) : z
}

/**
 * D's input: each example with its one-hot as extra planes of an image, or extra features of a
 * row. A D that takes flat vectors (`flat`: the MLP presets) gets the image flattened and the
 * one-hot after it: 10 more inputs instead of 10 more planes (11x the first layer's weights).
 */
export function withLabelPlanes(x: tf.Tensor, oneHot: tf.Tensor | null, flat = false): tf.Tensor {
  if (!oneHot) return x
  if (flat && x.rank > 2) return tf.concat([tf.reshape(x, [x.shape[0], -1]), oneHot], 1)
  if (x.rank === 2) return tf.concat([x, oneHot], 1)
  const [n, h, w] = x.shape
  const classes = oneHot.shape[1] as number
  const planes = tf.tile(tf.reshape(oneHot, [n, 1, 1, classes]), [1, h as number, w as number, 1])
  return tf.concat([x, planes], 3)
}

/** Labels drawn uniformly from the classes with Math.random (seeded per epoch by the trainer). */
export function randomLabels(count: number, classes: number): Int32Array {
  return Int32Array.from({ length: count }, () => Math.floor(Math.random() * classes))
}

/** How many classes a stored generator is conditioned on: its input width minus the latent size. */
export function generatorClasses(generator: tf.LayersModel, latentDim: number): number {
  const width = generator.inputs[0].shape[1]
  if (typeof width !== 'number' || width < latentDim) {
    throw new Error(`The generator takes inputs of shape ${JSON.stringify(generator.inputs[0].shape)}, not latent vectors of size ${latentDim}`)
  }
  return width - latentDim
}
