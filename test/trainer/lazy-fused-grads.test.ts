// The fused ops' gradients computed input by input: the same bits as tfjs's own fused ops
// (values, gradients and gradients of gradients), without the gradients nobody asked for.
import { afterAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../src/main/trainer/backend/wasm-kernels'
import { registerLazyFusedGradients, unregisterLazyFusedGradients } from '../../src/main/trainer/lazy-fused-grads'
import { values } from '../helpers/values'
import { registerSecondOrderGradients } from '../../src/main/trainer/second-order'

/** What a D's layers do forward and backward, first and second order, as exact bits. */
function everything(): Uint32Array[] {
  const out = tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 6 * 6 * 3, 1), [2, 6, 6, 3])
    const w = tf.tensor4d(values(4 * 4 * 3 * 5, 2), [4, 4, 3, 5])
    const bias = tf.tensor1d(values(5, 3))
    const a = tf.tensor2d(values(7 * 4, 4), [7, 4])
    const m = tf.tensor2d(values(4 * 3, 5), [4, 3])
    const mT = tf.tensor2d(values(3 * 4, 6), [3, 4])
    const mb = tf.tensor1d(values(3, 7))
    const conv = (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor): tf.Tensor =>
      tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: 2, pad: 'same', bias: bb })
    const dense = (aa: tf.Tensor, bb: tf.Tensor, cc?: tf.Tensor, transposeB = false): tf.Tensor =>
      tf.fused.matMul({ a: aa as tf.Tensor2D, b: bb as tf.Tensor2D, bias: cc, transposeB })
    const results: tf.Tensor[] = [conv(x, w, bias), dense(a, m, mb)]
    results.push(...tf.grads((xx, ww, bb) => conv(xx, ww, bb).square().sum())([x, w, bias]))
    results.push(...tf.grads((xx, ww) => tf.leakyRelu(conv(xx, ww), 0.2).sum())([x, w]))
    results.push(...tf.grads((aa, bb, cc) => dense(aa, bb, cc).tanh().sum())([a, m, mb]))
    results.push(...tf.grads((aa, bb) => dense(aa, bb, undefined, true).square().sum())([a, mT]))
    // a gradient penalty: the norm of the input gradient, differentiated w.r.t. the weights
    // (two layers: the input gradient of one layer with a bias would not depend on its weights)
    const m2 = tf.tensor2d(values(3 * 2, 8), [3, 2])
    const penalty = (mm: tf.Tensor, mm2: tf.Tensor): tf.Scalar =>
      tf.grad((aa: tf.Tensor) => dense(tf.leakyRelu(dense(aa, mm, mb), 0.2), mm2, tf.ones([2])).square().sum())(a).square().sum()
    results.push(...tf.grads(penalty)([m, m2]))
    const convPenalty = (ww: tf.Tensor, bb: tf.Tensor): tf.Scalar => tf.grad((xx: tf.Tensor) => conv(xx, ww, bb).square().sum())(x).square().sum()
    results.push(...tf.grads(convPenalty)([w, bias]))
    return results
  })
  const bits = out.map((t) => new Uint32Array(Float32Array.from(t.dataSync()).buffer))
  tf.dispose(out)
  return bits
}

function kernelsOf(f: () => tf.Tensor): Promise<string[]> {
  return tf.profile(() => tf.tidy(f)).then((info) => info.kernels.map((k) => k.name))
}

describe('lazy fused gradients', () => {
  afterAll(() => {
    unregisterLazyFusedGradients()
  })

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`gives tfjs's fused ops' values and gradients bit for bit (${backend})`, async () => {
      registerSecondOrderGradients()
      if (backend === 'wasm') await initWasmBackend(1)
      else await tf.setBackend('cpu')
      unregisterLazyFusedGradients()
      const reference = everything()
      registerLazyFusedGradients()
      const lazy = everything()
      expect(lazy.length).toBe(reference.length)
      lazy.forEach((bits, i) => expect(Array.from(bits), `result ${i}`).toEqual(Array.from(reference[i])))
    })
  }

  it('computes only the gradients asked for: no filter gradient for an input gradient, no input gradient for a weight gradient', async () => {
    await tf.setBackend('cpu')
    const x = tf.tensor4d(values(2 * 6 * 6 * 3, 1), [2, 6, 6, 3])
    const w = tf.tensor4d(values(4 * 4 * 3 * 5, 2), [4, 4, 3, 5])
    const bias = tf.tensor1d(values(5, 3))
    const a = tf.tensor2d(values(7 * 4, 4), [7, 4])
    const m = tf.tensor2d(values(4 * 3, 5), [4, 3])
    const conv = (xx: tf.Tensor, ww: tf.Tensor): tf.Scalar => tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: 2, pad: 'same', bias }).sum()
    const dense = (aa: tf.Tensor, mm: tf.Tensor): tf.Scalar => tf.fused.matMul({ a: aa as tf.Tensor2D, b: mm as tf.Tensor2D, bias: tf.ones([3]) }).sum()
    const inputGrad = (): tf.Tensor => tf.grad((xx: tf.Tensor) => conv(xx, w))(x)
    const filterGrad = (): tf.Tensor => tf.grad((ww: tf.Tensor) => conv(x, ww))(w)
    const weightGrad = (): tf.Tensor => tf.grad((mm: tf.Tensor) => dense(a, mm))(m)

    unregisterLazyFusedGradients()
    expect(await kernelsOf(inputGrad)).toContain('Conv2DBackpropFilter')
    expect(await kernelsOf(filterGrad)).toContain('Conv2DBackpropInput')
    expect((await kernelsOf(weightGrad)).filter((k) => k === 'BatchMatMul')).toHaveLength(2)

    registerLazyFusedGradients()
    const forInput = await kernelsOf(inputGrad)
    expect(forInput).toContain('FusedConv2D')
    expect(forInput).toContain('Conv2DBackpropInput')
    expect(forInput).not.toContain('Conv2DBackpropFilter')
    expect(await kernelsOf(filterGrad)).not.toContain('Conv2DBackpropInput')
    expect((await kernelsOf(weightGrad)).filter((k) => k === 'BatchMatMul')).toHaveLength(1)
    tf.dispose([x, w, bias, a, m])
  })
})
