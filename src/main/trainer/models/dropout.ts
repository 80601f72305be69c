// Dropout whose mask comes from one backend kernel where the backend has it (wasm, see
// backend/wasm-kernels.ts `dropoutMask`), else from tfjs's own tf.dropout. Same layer
// otherwise: it serialises as a standard Keras/tfjs `Dropout` (class name, rate,
// noiseShape, seed), and registering it makes this process load `Dropout` layers as this
// class, so a resumed run or an imported discriminator drops out just as fast.
import { tf } from '../tf'

/** The kernel name; attributes DropoutMaskAttrs, no inputs, one float32 output of `shape`. */
export const DROPOUT_MASK = 'GanDropoutMask'

export interface DropoutMaskAttrs {
  shape: number[]
  /** the probability of dropping an element, in (0, 1) */
  rate: number
  /** a uint32 drawn from Math.random (seeded per epoch by the trainer) */
  seed: number
}

/** The dropout multiplier (0 or 1 / (1 - rate)) of `shape` from the current backend's kernel. */
export function dropoutMask(shape: number[], rate: number): tf.Tensor {
  const attrs: DropoutMaskAttrs = { shape, rate, seed: Math.floor(Math.random() * 2 ** 32) >>> 0 }
  // NamedAttrMap cannot say that our attribute record is one; its values are numbers and a number[].
  return tf.engine().runKernel(DROPOUT_MASK, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
}

type DropoutArgs = Parameters<typeof tf.layers.dropout>[0]

export class MaskedDropout extends tf.layers.Layer {
  static className = 'Dropout'
  readonly rate: number
  readonly noiseShape?: number[]
  readonly seed?: number

  constructor(args: DropoutArgs) {
    super(args)
    this.rate = Math.max(Math.min(args.rate, 1), 0)
    // A loaded config may carry null for either (Keras writes null): both mean "not set".
    this.noiseShape = args.noiseShape ?? undefined
    this.seed = args.seed ?? undefined
    this.supportsMasking = true
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs
    if (!(this.rate > 0 && this.rate < 1) || kwargs.training !== true) return input
    // A noise shape or a fixed seed asks for tfjs's own stream; so does a backend without the kernel.
    if (this.noiseShape !== undefined || this.seed !== undefined || tf.getKernel(DROPOUT_MASK, tf.getBackend()) === undefined) {
      return tf.dropout(input, this.rate, this.noiseShape, this.seed)
    }
    return tf.tidy(() => tf.mul(input, dropoutMask(input.shape, this.rate)))
  }

  override getConfig(): tf.serialization.ConfigDict {
    // JSON has no undefined: null where unset (the constructor reads it back as unset).
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null }
  }
}

tf.serialization.registerClass(MaskedDropout)

/** A dropout layer (drop-in for tf.layers.dropout). */
export function dropout(args: DropoutArgs): tf.layers.Layer {
  return new MaskedDropout(args)
}
