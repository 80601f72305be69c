// Gradients of gradients, for WGAN-GP's penalty (the norm of D's input gradient, differentiated
// w.r.t. D's weights). tfjs differentiates the backward pass of every op the presets use except
// one: LeakyReLU's gradient builds its mask with `greater`, which has no gradient registered.
// A comparison is piecewise constant, so its gradient is zero wherever it is defined.
import { tf } from './tf'

const COMPARISONS = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual'] as const

/** Registers zero gradients for the comparison kernels tfjs leaves without one (idempotent). */
export function registerSecondOrderGradients(): void {
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName) !== undefined) continue
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) }
      }
    })
  }
}
