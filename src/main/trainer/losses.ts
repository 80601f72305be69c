// GAN objectives. D always outputs one unbounded score per image; each loss says how D is
// scored against its targets, how G is scored, and where D's decision threshold lies. The
// Wasserstein losses train D as a critic (see `criticObjective`), with no threshold.
import type { GanLossKind } from '@shared/config'
import { registerSecondOrderGradients } from './second-order'
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

/** +1 for real targets (above 0.5), -1 for fake ones. */
const targetSign = (y: tf.Tensor, out: tf.Tensor): tf.Tensor => tf.where(tf.greater(y, 0.5), tf.onesLike(out), tf.onesLike(out).neg())

/** The critic's loss on one side: -E[D(real)] for real targets, E[D(fake)] for fake ones. */
const wassersteinD = (y: tf.Tensor, out: tf.Tensor): tf.Scalar => tf.neg(tf.mean(tf.mul(targetSign(y, out), out))) as tf.Scalar
const wassersteinG = (out: tf.Tensor): tf.Scalar => tf.neg(tf.mean(out)) as tf.Scalar

export const GAN_LOSSES: Record<GanLossKind, GanLoss> = {
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
    d: (y, out) => tf.mean(tf.relu(tf.sub(1, tf.mul(targetSign(y, out), out)))) as tf.Scalar,
    g: (out) => tf.neg(tf.mean(out)) as tf.Scalar,
    threshold: 0
  },
  // WGAN (clipped critic) and WGAN-GP: G raises the critic's score of its images. Accuracy
  // means nothing for a critic; the threshold only serves a frozen critic's bookkeeping.
  wgan: { d: wassersteinD, g: wassersteinG, threshold: 0 },
  'wgan-gp': { d: wassersteinD, g: wassersteinG, threshold: 0 }
}

/**
 * Gulrajani et al.'s gradient penalty, without its weight: the batch mean of (‖∇ D(x̂)‖₂ - 1)²
 * at x̂ = ε·real + (1 - ε)·fake, ε ~ U(0, 1) per image. It is differentiable w.r.t. D's weights
 * (a gradient of a gradient; see second-order.ts).
 */
export function gradientPenalty(critic: (x: tf.Tensor) => tf.Tensor, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  registerSecondOrderGradients()
  return tf.tidy(() => {
    const eps = tf.randomUniform([real.shape[0], ...real.shape.slice(1).map(() => 1)])
    const xHat = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake))
    const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(xHat)
    const axes = grad.shape.slice(1).map((_, i) => i + 1)
    // The small constant keeps sqrt's derivative finite where a gradient is exactly zero.
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), axes), 1e-12))
    return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar
  })
}

/** Clips every variable to [-clip, clip] in place (WGAN's crude Lipschitz constraint). */
export function clipWeights(vars: readonly tf.Variable[], clip: number): void {
  tf.tidy(() => {
    for (const v of vars) v.assign(tf.clipByValue(v, -clip, clip))
  })
}
