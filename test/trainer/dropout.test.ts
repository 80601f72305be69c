// The presets' dropout layer: a mask from one wasm kernel instead of tfjs's uniforms drawn one by
// one in JavaScript, the same layer otherwise (training only, inverted scaling, serialised as a
// standard Dropout).
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend, wasmKernelStats } from '../../src/main/trainer/backend/wasm-kernels'
import { DROPOUT_MASK, MaskedDropout, dropout, dropoutMask } from '../../src/main/trainer/models/dropout'
import { buildModels } from '../../src/main/trainer/models/presets'
import { mulberry32 } from '../../src/main/common/random'

const realRandom = Math.random

beforeAll(async () => {
  await initWasmBackend()
})

afterEach(async () => {
  Math.random = realRandom
  await tf.setBackend('wasm')
})

/** Applies a rate-`rate` dropout layer to ones of `n` elements in training mode. */
function dropOnes(n: number, rate: number, training = true): Float32Array {
  const layer = dropout({ rate })
  return tf.tidy(() => (layer.apply(tf.ones([n]), { training }) as tf.Tensor).dataSync() as Float32Array)
}

describe('dropout mask kernel (wasm)', () => {
  it('keeps each element with probability 1 - rate, scaled by 1 / (1 - rate), on both halves of a split', () => {
    wasmKernelStats(true)
    const n = 400_000 // above the size at which the helper thread takes half
    const out = dropOnes(n, 0.4)
    expect(wasmKernelStats()[`DropoutMask:js`]).toBe(1)
    const scale = Math.fround(1 / 0.6)
    let kept = [0, 0]
    let other = 0
    for (let i = 0; i < n; i++) {
      if (out[i] === scale) kept[i < n / 2 ? 0 : 1]++
      else if (out[i] !== 0) other++
    }
    expect(other).toBe(0)
    kept = kept.map((k) => k / (n / 2))
    // 200,000 Bernoulli(0.6) draws per half: standard deviation ~0.0011
    for (const k of kept) expect(Math.abs(k - 0.6)).toBeLessThan(0.006)
  })

  it('draws its seed from Math.random: the trainer\'s seeded Math.random makes masks reproducible', () => {
    Math.random = mulberry32(7)
    const a = dropOnes(5000, 0.5)
    const b = dropOnes(5000, 0.5)
    Math.random = mulberry32(7)
    const again = dropOnes(5000, 0.5)
    expect(Array.from(again)).toEqual(Array.from(a))
    // the next call draws a new mask
    let same = 0
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++
    expect(same / a.length).toBeLessThan(0.6)
  })

  it('neighbouring elements are not correlated (a counter-based hash, not a short cycle)', () => {
    const out = dropOnes(100_000, 0.5)
    let agree = 0
    for (let i = 1; i < out.length; i++) if ((out[i] === 0) === (out[i - 1] === 0)) agree++
    expect(Math.abs(agree / (out.length - 1) - 0.5)).toBeLessThan(0.01)
  })

  it('passes gradients through the kept elements only', () => {
    Math.random = mulberry32(3)
    const layer = dropout({ rate: 0.3 })
    const x = tf.tensor1d(Array.from({ length: 1000 }, (_, i) => i / 100))
    const [y, g] = tf.tidy(() => {
      const f = (t: tf.Tensor): tf.Tensor => layer.apply(t, { training: true }) as tf.Tensor
      return [f(x).dataSync(), tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x).dataSync()]
    })
    // The gradient is a fresh mask (another draw), so compare its form rather than positions.
    const scale = Math.fround(1 / 0.7)
    for (const v of g) expect(v === 0 || v === scale).toBe(true)
    for (let i = 0; i < y.length; i++) expect(y[i] === 0 || Math.abs(y[i] - x.dataSync()[i] * scale) < 1e-5).toBe(true)
    x.dispose()
  })

  it('a zero-size mask is an empty tensor', () => {
    const t = dropoutMask([0, 3], 0.5)
    expect(t.shape).toEqual([0, 3])
    t.dispose()
  })
})

describe('the dropout layer', () => {
  it('is the identity outside training, and for rate 0', () => {
    wasmKernelStats(true)
    expect(Array.from(dropOnes(100, 0.5, false))).toEqual(new Array(100).fill(1))
    expect(Array.from(dropOnes(100, 0))).toEqual(new Array(100).fill(1))
    expect(wasmKernelStats()['DropoutMask:js']).toBeUndefined()
  })

  it('uses tfjs\'s dropout on a backend without the kernel (cpu)', async () => {
    await tf.setBackend('cpu')
    expect(tf.getKernel(DROPOUT_MASK, 'cpu')).toBeUndefined()
    const out = dropOnes(20_000, 0.25)
    const scale = Math.fround(1 / 0.75)
    let kept = 0
    for (const v of out) {
      expect(Math.abs(v) < 1e-6 || Math.abs(v - scale) < 1e-6).toBe(true)
      if (v !== 0) kept++
    }
    expect(Math.abs(kept / out.length - 0.75)).toBeLessThan(0.02)
  })

  it('serialises as a standard Dropout and loads back as this layer', async () => {
    const { generator, discriminator } = buildModels('mnist-dcgan', 100)
    const json = discriminator.toJSON(null, false) as unknown as { config: { layers: Array<{ class_name: string; config: { rate?: number } }> } }
    const drops = json.config.layers.filter((l) => l.class_name === 'Dropout')
    expect(drops.map((l) => l.config.rate)).toEqual([0.4, 0.4])
    const loaded = await tf.models.modelFromJSON({ modelTopology: json as unknown as tf.io.ModelJSON['modelTopology'] })
    const layers = loaded.layers.filter((l) => l.getClassName() === 'Dropout')
    expect(layers).toHaveLength(2)
    for (const l of layers) {
      expect(l).toBeInstanceOf(MaskedDropout)
      // the saved nulls read back as unset: a loaded D (resume, import) takes the kernel's path too
      expect((l as MaskedDropout).noiseShape).toBeUndefined()
      expect((l as MaskedDropout).seed).toBeUndefined()
    }
    for (const m of [generator, discriminator, loaded]) m.dispose()
  })
})
