// Adam with one kernel per variable.
//
// tfjs's AdamOptimizer updates each variable with 13 element-wise kernels (5 Multiply, 3 Add,
// 3 Div, Sqrt, Square) and 10 intermediate tensors of the variable's size. On the wasm backend
// every kernel call costs its dispatch, and a GAN step updates D twice and G once: for the quick
// DCGAN that was ~400 kernel calls and a tenth of the step. Where the backend has our
// ADAM_UPDATE kernel (wasm, see backend/wasm-kernels.ts), this optimizer calls it once per
// variable instead, for variables of up to FUSED_MAX_SIZE elements: the kernel is a JS loop
// (float32 division and square root through doubles), which beats 13 dispatches on small
// variables but not XNNPACK's SIMD kernels on large ones (measured on the 2-core machine:
// 4,096 elements 88 vs 158 us, 32,768 412 vs 240 us; scripts/bench-adam.ts). The kernel rounds every intermediate to float32 in tfjs's order, so the
// weights, the moments and therefore the losses are bit for bit those of tfjs's Adam (a test
// proves it), and checkpoints are interchangeable: same class name, same slots, same names.
// Elsewhere (cpu, tfjs-node) it is tfjs's Adam unchanged.

import * as tf from '@tensorflow/tfjs'
import { ADAM_UPDATE, type AdamUpdateAttrs } from './backend/wasm-kernels'

/** AdamOptimizer's private state (the checkpoint code reads the same fields). */
interface AdamState {
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[]
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[]
}

/** Variables up to this many elements take the one-kernel update; larger ones tfjs's 13 kernels. */
export const FUSED_MAX_SIZE = 16384

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * beta1^t and beta2^t as the variables hold them, and which data they were read from: read
   * from the backend only after something else assigned them (setWeights, a checkpoint's restore),
   * so a step makes no read of its own (a GPU backend would wait for the device each time).
   */
  private products: { data: [object, object]; values: [number, number] } | null = null

  /** Whether the current backend runs the one-kernel update. */
  static available(): boolean {
    return tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!FusedAdamOptimizer.available()) {
      super.applyGradients(variableGradients)
      return
    }
    const state = this as unknown as AdamState
    const list = Array.isArray(variableGradients)
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients)
    const r = Math.fround
    const data: [object, object] = [state.accBeta1.dataId, state.accBeta2.dataId]
    if (this.products === null || this.products.data[0] !== data[0] || this.products.data[1] !== data[1]) {
      this.products = { data, values: [state.accBeta1.dataSync()[0], state.accBeta2.dataSync()[0]] }
    }
    const [acc1, acc2] = this.products.values
    // The scalars as tfjs's float32 tensors hold them (the products beta^t are float32 variables).
    const attrs: AdamUpdateAttrs = {
      beta1: r(this.beta1),
      oneMinusBeta1: r(1 - this.beta1),
      beta2: r(this.beta2),
      oneMinusBeta2: r(1 - this.beta2),
      correction1: r(1 - acc1),
      correction2: r(1 - acc2),
      epsilon: r(this.epsilon),
      negLr: r(-this.learningRate)
    }
    tf.tidy(() => {
      // 1 - beta^t as tensors, for the variables that take tfjs's kernels (made once, if any).
      let corrections: [tf.Tensor, tf.Tensor] | null = null
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]
        const slot = (suffix: string): { originalName: string; variable: tf.Variable } => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false))
        })
        state.accumulatedFirstMoment[i] ??= slot('m')
        state.accumulatedSecondMoment[i] ??= slot('v')
        const gradient = list ? variableGradients[i].tensor : variableGradients[name]
        if (gradient == null) return
        const m = state.accumulatedFirstMoment[i].variable
        const v = state.accumulatedSecondMoment[i].variable
        if (value.size > FUSED_MAX_SIZE || value.dtype !== 'float32' || gradient.dtype !== 'float32') {
          // tfjs's own sequence (AdamOptimizer.applyGradients), op for op.
          const newM = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1))
          const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2))
          corrections ??= [tf.sub(1, state.accBeta1), tf.sub(1, state.accBeta2)]
          const corrected = tf.div(tf.div(newM, corrections[0]), tf.add(tf.sqrt(tf.div(newV, corrections[1])), this.epsilon))
          m.assign(newM)
          v.assign(newV)
          value.assign(tf.add(tf.mul(corrected, -this.learningRate), value))
          return
        }
        // The kernel's attributes are plain numbers; NamedAttrMap's type cannot say which.
        const [x1, m1, v1] = tf.engine().runKernel(ADAM_UPDATE, { x: value, m, v, g: gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]
        m.assign(m1)
        v.assign(v1)
        value.assign(x1)
      })
      // tfjs multiplies the float32 products by the float32 betas: the same rounding in JS.
      const next: [number, number] = [r(acc1 * r(this.beta1)), r(acc2 * r(this.beta2))]
      state.accBeta1.assign(tf.scalar(next[0]))
      state.accBeta2.assign(tf.scalar(next[1]))
      this.products = { data: [state.accBeta1.dataId, state.accBeta2.dataId], values: next }
    })
    this.incrementIterations()
  }
}
