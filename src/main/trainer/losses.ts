// GAN objectives. D always outputs one unbounded score per image; each loss says how D is
// scored against its targets, how G is scored, and where D's decision threshold lies.
import type { Tricks } from '@shared/config'
import { tf } from './tf'

export interface GanLoss {
  /** D's loss for scores `out` against targets `y` (1-ish real, 0-ish fake; smoothed or flipped). */
  d(y: tf.Tensor, out: tf.Tensor): tf.Scalar
  /** G's loss for D's scores of generated images. */
  g(out: tf.Tensor): tf.Scalar
  /** Scores above this count as "real" for D's accuracy. */
  threshold: number
}

const bce = (y: tf.Tensor, out: tf.Tensor): tf.Scalar => tf.losses.sigmoidCrossEntropy(y, out) as tf.Scalar

export const GAN_LOSSES: Record<Tricks['loss'], GanLoss> = {
  // The seed's loss: BCE for D, and G maximises log D(G(z)) (non-saturating).
  nsgan: { d: bce, g: (out) => bce(tf.onesLike(out), out), threshold: 0 },
  // The original minimax form: G minimises log(1 - D(G(z))) = -softplus(score).
  minimax: { d: bce, g: (out) => tf.neg(tf.mean(tf.softplus(out))) as tf.Scalar, threshold: 0 },
  // Least squares GAN: D regresses real to 1 and fake to 0, G pulls its scores to 1.
  lsgan: {
    d: (y, out) => tf.mul(0.5, tf.mean(tf.square(tf.sub(out, y)))) as tf.Scalar,
    g: (out) => tf.mul(0.5, tf.mean(tf.square(tf.sub(out, 1)))) as tf.Scalar,
    threshold: 0.5
  },
  // Hinge loss: D wants real scores above 1 and fake below -1; G raises its scores.
  hinge: {
    d: (y, out) => {
      const sign = tf.where(tf.greater(y, 0.5), tf.onesLike(out), tf.onesLike(out).neg())
      return tf.mean(tf.relu(tf.sub(1, tf.mul(sign, out)))) as tf.Scalar
    },
    g: (out) => tf.neg(tf.mean(out)) as tf.Scalar,
    threshold: 0
  }
}
