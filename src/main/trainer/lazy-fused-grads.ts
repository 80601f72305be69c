// Gradients of the fused ops (a convolution or a matrix product with its bias) computed only for
// the inputs that need one.
//
// tfjs-layers runs every Conv2D and Dense layer with a bias through tf.fused.conv2d / matMul,
// whose gradient is a customGrad: it computes the gradient of every input at once, needed or not.
// A GAN pays for that three times a step: D's real and fake updates compute the gradient of D's
// input images (D's first convolution's input gradient, for a conditional D over eleven planes),
// and G's update computes every weight gradient of D, which G's optimizer then ignores. Measured
// on the quick DCGAN at batch 32, those are ~40 of the ~85 multiply-adds (in millions) of D's
// backward passes in a step.
//
// registerLazyFusedGradients replaces tf.fused.conv2d and tf.fused.matMul, while a gradient tape
// records, with the same kernel on the same (reshaped) inputs, and registers a gradient for that
// kernel that computes each input's gradient with the same ops as tfjs's customGrad, but only when
// asked for. Every value is therefore bit for bit what tfjs computes (test), second-order
// gradients (WGAN-GP) included. Cases outside what the presets use (no bias, other activations,
// NCHW, dilations, PReLU weights, rank-3 inputs) keep tfjs's own op.

import * as tf from '@tensorflow/tfjs'

type FusedConv2DArgs = Parameters<typeof tf.fused.conv2d>[0]
type FusedMatMulArgs = Parameters<typeof tf.fused.matMul>[0]

/** The engine's "is a gradient tape recording" (not in tfjs's typings). */
function tapeOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn()
}

/** getFusedBiasGradient of tfjs: dy summed over the axes the bias was broadcast along. */
function biasGradient(bias: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(bias.shape, dy.shape)
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, bias.shape)
}

const linear = (activation: string | undefined | null): boolean => activation == null || activation === 'linear'
const ones = (d: number | [number, number] | undefined): boolean => d === undefined || (typeof d === 'number' ? d === 1 : d.every((v) => v === 1))
const float = (t: unknown, rank: number): t is tf.Tensor => t instanceof tf.Tensor && t.rank === rank && t.dtype === 'float32'

let registered = false
const originals: { conv2d?: typeof tf.fused.conv2d; matMul?: typeof tf.fused.matMul } = {}

/** Installs the lazy gradients (idempotent). */
export function registerLazyFusedGradients(): void {
  if (registered) return
  registered = true
  const conv2d = tf.fused.conv2d
  const matMul = tf.fused.matMul
  originals.conv2d = conv2d
  originals.matMul = matMul

  tf.registerGradient({
    kernelName: 'FusedConv2D',
    inputsToSave: ['x', 'filter', 'bias'],
    gradFunc: (dy, saved, attrs) => {
      const { strides, pad, activation } = attrs as unknown as tf.FusedConv2DAttrs
      if (!linear(activation)) throw new Error(`lazy fused gradients: FusedConv2D with activation '${activation}' is not supported`)
      const [x, filter, bias] = saved
      const d = dy as tf.Tensor4D
      return {
        x: () => tf.conv2dTranspose(d, filter as tf.Tensor4D, x.shape as [number, number, number, number], strides, pad),
        filter: () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, {
            strides,
            pad,
            dataFormat: 'NHWC',
            dimRoundingMode: undefined,
            filterShape: filter.shape
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        bias: () => biasGradient(bias, d)
      }
    }
  })

  tf.registerGradient({
    kernelName: '_FusedMatMul',
    inputsToSave: ['a', 'b', 'bias'],
    gradFunc: (dy, saved, attrs) => {
      const { transposeA, transposeB, activation } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string }
      if (!linear(activation)) throw new Error(`lazy fused gradients: _FusedMatMul with activation '${activation}' is not supported`)
      const [a, b, bias] = saved
      const d = dy as tf.Tensor
      // tfjs's customGrad, input by input
      const grads: Record<string, () => tf.Tensor> =
        !transposeA && !transposeB
          ? { a: () => tf.matMul(d, b, false, true), b: () => tf.matMul(a, d, true, false) }
          : !transposeA && transposeB
            ? { a: () => tf.matMul(d, b, false, false), b: () => tf.matMul(d, a, true, false) }
            : transposeA && !transposeB
              ? { a: () => tf.matMul(b, d, false, true), b: () => tf.matMul(a, d, false, false) }
              : { a: () => tf.matMul(b, d, true, true), b: () => tf.matMul(d, a, true, true) }
      return { ...grads, bias: () => biasGradient(bias, d) }
    }
  })

  // tf.fused is a plain object that tfjs-layers reads at each call.
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d; matMul: typeof tf.fused.matMul }
  // (Only rank-4 inputs take our path, so the op's Tensor3D | Tensor4D result type is kept by a cast.)
  fused.conv2d = (<T extends tf.Tensor3D | tf.Tensor4D>(args: FusedConv2DArgs): T => {
    const { x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias, activation, preluActivationWeights } = args
    const simple =
      tapeOn() &&
      linear(activation) &&
      (dataFormat ?? 'NHWC') === 'NHWC' &&
      ones(dilations) &&
      preluActivationWeights == null &&
      float(x, 4) &&
      float(filter, 4) &&
      float(bias, 1)
    if (!simple) return conv2d(args) as T
    const inputs: tf.NamedTensorMap = { x, filter, bias }
    const attrs = { strides, pad, dataFormat: 'NHWC', dilations: dilations ?? [1, 1], dimRoundingMode, activation: 'linear', leakyreluAlpha: args.leakyreluAlpha }
    return tf.engine().runKernel('FusedConv2D', inputs, attrs as unknown as tf.NamedAttrMap) as T
  }) as typeof tf.fused.conv2d
  fused.matMul = (args: FusedMatMulArgs): tf.Tensor => {
    const { a, b, transposeA = false, transposeB = false, bias, activation, preluActivationWeights } = args
    const simple = tapeOn() && linear(activation) && preluActivationWeights == null && float(a, 2) && float(b, 2) && float(bias, 1)
    if (!simple) return matMul(args)
    // As tfjs's op: the kernel takes 3D operands (a batch of one) and the result is reshaped back.
    const [m, k] = transposeA ? [a.shape[1] as number, a.shape[0] as number] : [a.shape[0] as number, a.shape[1] as number]
    const [k2, n] = transposeB ? [b.shape[1] as number, b.shape[0] as number] : [b.shape[0] as number, b.shape[1] as number]
    if (k !== k2) return matMul(args)
    if (bias.shape[0] !== n && bias.shape[0] !== 1) return matMul(args)
    const a3D = tf.reshape(a, [1, ...a.shape])
    const b3D = tf.reshape(b, [1, ...b.shape])
    const inputs: tf.NamedTensorMap = { a: a3D, b: b3D, bias }
    const attrs = { transposeA, transposeB, activation: 'linear', leakyreluAlpha: args.leakyreluAlpha ?? 0.2 }
    const out = tf.engine().runKernel('_FusedMatMul', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
    return tf.reshape(out, [m, n])
  }
}

/** Puts tfjs's own fused ops back (the registered gradients stay; only this module's ops use them). For tests. */
export function unregisterLazyFusedGradients(): void {
  if (!registered || !originals.conv2d || !originals.matMul) return
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d; matMul: typeof tf.fused.matMul }
  fused.conv2d = originals.conv2d
  fused.matMul = originals.matMul
  tf.unregisterGradient('FusedConv2D')
  tf.unregisterGradient('_FusedMatMul')
  registered = false
}
