// The wasm gradient kernels against tfjs's cpu backend (the reference implementation).
// Without registerWasmGradientKernels these tests fail: wasm has no Conv2DBackpropFilter.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { buildModels } from '../../src/main/trainer/models/presets'
import {
  initWasmBackend,
  registerWasmGradientKernels,
  unregisterWasmGradientKernels,
  wasmKernelStats
} from '../../src/main/trainer/backend/wasm-kernels'
import { values } from '../helpers/values'
import { registerSecondOrderGradients } from '../../src/main/trainer/second-order'

type Pad = 'same' | 'valid'

/** Runs f on a backend and returns the data of the tensors it returns (then disposes). */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const result = tf.tidy(f)
  const list = Array.isArray(result) ? result : [result]
  const data = list.map((t) => Float32Array.from(t.dataSync()))
  tf.dispose(list)
  return data
}

/** |actual - expected| <= rtol * max|expected| (+ a tiny absolute floor), element-wise. */
function expectClose(actual: Float32Array, expected: Float32Array, label: string, rtol = 1e-3): void {
  expect(actual.length, label).toBe(expected.length)
  let scale = 0
  for (const v of expected) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v))
  let worst = 0
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]]
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue // also the infinities
    worst = Math.max(worst, Number.isFinite(a - e) ? Math.abs(a - e) : Infinity)
  }
  expect(worst, `${label}: max |wasm - cpu| = ${worst}, max |cpu| = ${scale}`).toBeLessThanOrEqual(
    rtol * scale + 1e-6
  )
}

/** Both backends, same inputs: the wasm result must match the cpu one. */
async function compare(label: string, f: () => tf.Tensor | tf.Tensor[], rtol = 1e-3): Promise<void> {
  const expected = await on('cpu', f)
  const actual = await on('wasm', f)
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => expectClose(a, expected[i], `${label} [output ${i}]`, rtol))
}

interface ConvCase {
  batch: number
  size: number
  ci: number
  co: number
  k: number
  stride: number
  pad: Pad
}

function label(c: ConvCase): string {
  return `b${c.batch} ${c.size}x${c.size + 1}x${c.ci} -> ${c.co}, k${c.k} s${c.stride} ${c.pad}`
}

// kernel sizes 3, 4, 7; strides 1, 2; 'same' and 'valid'; several channel counts; batch > 1.
const CONV_CASES: ConvCase[] = []
{
  const channels: Array<[number, number]> = [
    [1, 8],
    [5, 6],
    [16, 2],
    [12, 12]
  ]
  let i = 0
  for (const k of [3, 4, 7]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as Pad[]) {
        const [ci, co] = channels[i++ % channels.length]
        CONV_CASES.push({ batch: 2 + (i % 2), size: k === 7 ? 11 : 9, ci, co, k, stride, pad })
      }
    }
  }
  // the seed DCGAN's layer types, scaled down
  CONV_CASES.push({ batch: 3, size: 7, ci: 16, co: 16, k: 4, stride: 2, pad: 'same' })
  CONV_CASES.push({ batch: 2, size: 14, ci: 24, co: 1, k: 7, stride: 1, pad: 'same' })
  CONV_CASES.push({ batch: 4, size: 14, ci: 1, co: 8, k: 3, stride: 2, pad: 'same' })
  // outputs wider than the unfold's block of 16 columns (and an odd remainder)
  CONV_CASES.push({ batch: 2, size: 19, ci: 6, co: 5, k: 3, stride: 1, pad: 'valid' })
  CONV_CASES.push({ batch: 3, size: 37, ci: 3, co: 4, k: 4, stride: 2, pad: 'same' })
}

function convInputs(c: ConvCase): { x: tf.Tensor4D; w: tf.Tensor4D } {
  const x = tf.tensor4d(values(c.batch * c.size * (c.size + 1) * c.ci, 1), [c.batch, c.size, c.size + 1, c.ci])
  const w = tf.tensor4d(values(c.k * c.k * c.ci * c.co, 2), [c.k, c.k, c.ci, c.co])
  return { x, w }
}

beforeAll(async () => {
  const detail = await initWasmBackend()
  expect(detail).toMatch(/SIMD (on|off), threads (on|off)/)
})

beforeEach(() => {
  wasmKernelStats(true)
})

describe('registration', () => {
  it('registers the missing Conv2DBackpropFilter, idempotently', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined()
    expect(registerWasmGradientKernels()).toEqual([])
    expect(registerWasmGradientKernels()).toEqual([])
  })

  it('is what makes conv training possible on wasm', async () => {
    const removed = unregisterWasmGradientKernels()
    try {
      expect(removed).toContain('Conv2DBackpropFilter')
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined()
      await tf.setBackend('wasm')
      const x = tf.ones([1, 4, 4, 1])
      const w = tf.ones([3, 3, 1, 1])
      const dLossDw = tf.grad((f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum())
      expect(() => dLossDw(w)).toThrow(/Conv2DBackpropFilter/)
      tf.dispose([x, w])
    } finally {
      const again = registerWasmGradientKernels()
      expect(again).toContain('Conv2DBackpropFilter')
      expect(again).toContain('Conv2DBackpropInput')
    }
  })
})

describe('Conv2DBackpropFilter', () => {
  for (const c of CONV_CASES) {
    it(label(c), async () => {
      await compare(label(c), () => {
        const { x, w } = convInputs(c)
        const y = tf.conv2d(x, w, c.stride, c.pad)
        const dy = tf.tensor(values(y.size, 3), y.shape)
        return tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: w.shape }
        ) as tf.Tensor
      })
    })
  }

  it('covered both formulations in the cases above', async () => {
    for (const c of CONV_CASES) {
      await on('wasm', () => {
        const { x, w } = convInputs(c)
        const dy = tf.conv2d(x, w, c.stride, c.pad)
        return tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: w.shape }
        ) as tf.Tensor
      })
    }
    const stats = wasmKernelStats()
    expect(stats['Conv2DBackpropFilter:unfoldX']).toBeGreaterThan(0)
    expect(stats['Conv2DBackpropFilter:unfoldDy']).toBeGreaterThan(0)
  })

  it('supports NCHW and explicit padding', async () => {
    await compare('NCHW', () => {
      const x = tf.tensor4d(values(2 * 3 * 8 * 9, 4), [2, 3, 8, 9])
      const dy = tf.tensor4d(values(2 * 5 * 4 * 5, 5), [2, 5, 4, 5])
      return tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 5] }
      ) as tf.Tensor
    })
    await compare('explicit pad', () => {
      const x = tf.tensor4d(values(2 * 8 * 9 * 3, 6), [2, 8, 9, 3])
      const w = [3, 3, 3, 4] as [number, number, number, number]
      const pad: tf.backend_util.ExplicitPadding = [
        [0, 0],
        [2, 0],
        [1, 2],
        [0, 0]
      ]
      const y = tf.conv2d(x, tf.zeros(w) as tf.Tensor4D, 2, pad)
      const dy = tf.tensor(values(y.size, 7), y.shape)
      return tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: [2, 2], pad, dataFormat: 'NHWC', filterShape: w }
      ) as tf.Tensor
    })
  })
})

describe('Conv2DBackpropInput (conv2d input gradient, conv2dTranspose)', () => {
  for (const c of CONV_CASES) {
    it(label(c), async () => {
      await compare(label(c), () => {
        const { x, w } = convInputs(c)
        const y = tf.conv2d(x, w, c.stride, c.pad)
        const dy = tf.tensor4d(values(y.size, 3), y.shape)
        return tf.conv2dTranspose(dy, w, x.shape, c.stride, c.pad)
      })
      const stats = wasmKernelStats()
      expect((stats['Conv2DBackpropInput:phases'] ?? 0) + (stats['Conv2DBackpropInput:fewChannels'] ?? 0)).toBe(1)
      expect(stats['Conv2DBackpropInput:native']).toBeUndefined()
    })
  }

  // The DCGAN's upsampling (4x4 taps, stride 2, 'same', even input sides) takes Winograd F(2x2, 2x2).
  for (const [b, h, w, cin, cout] of [
    [2, 4, 6, 5, 4],
    [3, 2, 2, 7, 9],
    [1, 6, 4, 16, 16],
    [5, 8, 8, 12, 6]
  ]) {
    it(`conv2dTranspose by Winograd: b${b} ${h}x${w}x${cin} -> ${2 * h}x${2 * w}x${cout}`, async () => {
      await compare(`winograd ${h}x${w}`, () => {
        const x = tf.tensor4d(values(b * h * w * cin, 21), [b, h, w, cin])
        const f = tf.tensor4d(values(16 * cout * cin, 22), [4, 4, cout, cin])
        return tf.conv2dTranspose(x, f, [b, 2 * h, 2 * w, cout], 2, 'same')
      })
      expect(wasmKernelStats()['Conv2DBackpropInput:winograd']).toBe(1)
    })
  }

  it('the input gradient of a stride-2 4x4 conv goes through Winograd too; odd sides and valid padding do not', async () => {
    await compare('conv2d input gradient', () => {
      const x = tf.tensor4d(values(2 * 8 * 12 * 6, 23), [2, 8, 12, 6])
      const f = tf.tensor4d(values(16 * 6 * 10, 24), [4, 4, 6, 10])
      return tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.conv2d(t as tf.Tensor4D, f, 2, 'same'))))(x)
    })
    expect(wasmKernelStats()['Conv2DBackpropInput:winograd']).toBe(1)
    wasmKernelStats(true)
    await compare('odd and valid', () => {
      const f = tf.tensor4d(values(16 * 4 * 6, 25), [4, 4, 4, 6])
      return [
        tf.conv2dTranspose(tf.tensor4d(values(2 * 3 * 4 * 6, 26), [2, 3, 4, 6]), f, [2, 6, 8, 4], 2, 'same'),
        tf.conv2dTranspose(tf.tensor4d(values(2 * 4 * 4 * 6, 27), [2, 4, 4, 6]), f, [2, 10, 10, 4], 2, 'valid')
      ]
    })
    const stats = wasmKernelStats()
    expect(stats['Conv2DBackpropInput:winograd']).toBeUndefined()
    expect(stats['Conv2DBackpropInput:phases']).toBe(2)
  })

  it('covered both formulations in the cases above (few input channels: one product, gathered)', async () => {
    for (const c of CONV_CASES) {
      await on('wasm', () => {
        const { x, w } = convInputs(c)
        return tf.conv2dTranspose(tf.conv2d(x, w, c.stride, c.pad), w, x.shape, c.stride, c.pad)
      })
    }
    const stats = wasmKernelStats()
    expect(stats['Conv2DBackpropInput:phases']).toBeGreaterThan(0)
    expect(stats['Conv2DBackpropInput:fewChannels']).toBeGreaterThan(0)
  })
})

describe('faster replacements of existing wasm kernels', () => {
  it('Conv2D and FusedConv2D with few output channels', async () => {
    for (const [co, k, stride, pad] of [
      [1, 7, 1, 'same'],
      [2, 3, 2, 'valid'],
      [3, 4, 2, 'same'],
      [1, 5, 2, 'valid']
    ] as Array<[number, number, number, Pad]>) {
      await compare(`conv co=${co} k=${k} s=${stride} ${pad}`, () => {
        const x = tf.tensor4d(values(3 * 12 * 13 * 20, 8), [3, 12, 13, 20])
        const w = tf.tensor4d(values(k * k * 20 * co, 9), [k, k, 20, co])
        const bias = tf.tensor1d(values(co, 10))
        return [
          tf.conv2d(x, w, stride, pad),
          tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias }),
          tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias, activation: 'relu' })
        ]
      })
    }
    const stats = wasmKernelStats()
    expect(stats['Conv2D:fewOutputs']).toBe(4)
    expect(stats['FusedConv2D:fewOutputs']).toBe(4)
    expect(stats['FusedConv2D:native']).toBe(4) // relu: left to XNNPACK
  })

  it('Conv2D with few output channels over a batch too large for one product (chunks of images)', async () => {
    // 16 images of 64x64 with 7x7x3 taps: the product would have 9.6M floats, so chunks are copied
    const x = tf.tensor4d(values(16 * 64 * 64 * 16, 11), [16, 64, 64, 16])
    const w = tf.tensor4d(values(7 * 7 * 16 * 3, 12), [7, 7, 16, 3])
    const ours = tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync() as Float32Array)
    expect(wasmKernelStats()['Conv2D:fewOutputs']).toBe(1)
    unregisterWasmGradientKernels()
    try {
      const native = tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync() as Float32Array)
      expectClose(ours, native, 'chunked few-outputs conv vs XNNPACK', 1e-4)
    } finally {
      registerWasmGradientKernels()
      tf.dispose([x, w])
    }
  })

  it('Conv2D with 4x4 taps, stride 2, same padding and even output sides by Winograd', async () => {
    await compare('winograd strided conv', () => {
      const f = tf.tensor4d(values(16 * 5 * 6, 31), [4, 4, 5, 6])
      const g = tf.tensor4d(values(16 * 3 * 7, 32), [4, 4, 3, 7])
      return [
        tf.conv2d(tf.tensor4d(values(2 * 8 * 12 * 5, 33), [2, 8, 12, 5]), f, 2, 'same'),
        tf.conv2d(tf.tensor4d(values(1 * 4 * 4 * 3, 34), [1, 4, 4, 3]), g, 2, 'same'),
        // the input gradient of conv2dTranspose (the generator's backward pass) is this conv
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.conv2dTranspose(t as tf.Tensor4D, f, [3, 8, 8, 5], 2, 'same'))))(
          tf.tensor4d(values(3 * 4 * 4 * 6, 35), [3, 4, 4, 6])
        )
      ]
    })
    expect(wasmKernelStats()['Conv2D:winograd']).toBe(3)
    wasmKernelStats(true)
    await compare('odd output sides and valid padding', () => {
      const f = tf.tensor4d(values(16 * 5 * 6, 36), [4, 4, 5, 6])
      return [
        tf.conv2d(tf.tensor4d(values(2 * 6 * 6 * 5, 37), [2, 6, 6, 5]), f, 2, 'same'),
        tf.conv2d(tf.tensor4d(values(2 * 10 * 10 * 5, 38), [2, 10, 10, 5]), f, 2, 'valid')
      ]
    })
    expect(wasmKernelStats()['Conv2D:winograd']).toBeUndefined()
    expect(wasmKernelStats()['Conv2D:native']).toBe(2)
  })

  it('BatchMatMul and _FusedMatMul with transposed operands', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true]
    ]) {
      await compare(`matmul ta=${ta} tb=${tb}`, () => {
        const a = tf.tensor2d(values(37 * 53, 11), ta ? [53, 37] : [37, 53])
        const b = tf.tensor2d(values(53 * 29, 12), tb ? [29, 53] : [53, 29])
        const a3 = tf.tensor3d(values(2 * 5 * 6, 13), ta ? [2, 6, 5] : [2, 5, 6])
        const b3 = tf.tensor3d(values(2 * 6 * 4, 14), tb ? [2, 4, 6] : [2, 6, 4])
        const bias = tf.tensor1d(values(29, 15))
        return [
          tf.matMul(a, b, ta, tb),
          tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' }),
          tf.matMul(a3, b3, ta, tb) // batch 2: left to the native kernel
        ]
      })
    }
    expect(wasmKernelStats()['BatchMatMul:untransposed']).toBe(3)
    expect(wasmKernelStats()['_FusedMatMul:untransposed']).toBe(3)
  })

  it('tiny products (a Dense layer to one logit) in a JS loop, any transposes', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true]
    ]) {
      await compare(`tiny ta=${ta} tb=${tb}`, () => {
        const a = tf.tensor2d(values(12 * 7, 19), ta ? [7, 12] : [12, 7])
        const b = tf.tensor2d(values(7 * 5, 20), tb ? [5, 7] : [7, 5])
        return [tf.matMul(a, b, ta, tb), tf.matMul(tf.tensor2d(values(64, 21), [64, 1]), tf.tensor2d(values(128, 22), [1, 128]))]
      })
    }
    expect(wasmKernelStats()['BatchMatMul:tiny']).toBe(8)
  })

  it('a @ b^T with few rows in a (a Dense input gradient) as (b @ a^T)^T', async () => {
    await compare('dy @ W^T', () => {
      const dy = tf.tensor2d(values(6 * 80, 16), [6, 80])
      const w = tf.tensor2d(values(200 * 80, 17), [200, 80])
      return [tf.matMul(dy, w, false, true), tf.matMul(tf.tensor3d(values(3 * 80, 18), [1, 3, 80]), tf.reshape(w, [1, 200, 80]), false, true)]
    })
    expect(wasmKernelStats()['BatchMatMul:swapped']).toBe(2)
    expect(wasmKernelStats()['BatchMatMul:untransposed']).toBeUndefined()
  })

  it('LeakyRelu, Greater, Select and Sum (fast paths and fallbacks)', async () => {
    const special = new Float32Array([0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.5])
    await compare('element-wise', () => {
      const x = tf.tensor4d(values(2 * 5 * 6 * 7, 16), [2, 5, 6, 7])
      const y = tf.tensor4d(values(2 * 5 * 6 * 7, 17), [2, 5, 6, 7])
      const row = tf.tensor1d(values(7, 18))
      return [
        tf.leakyRelu(x, 0.2),
        tf.leakyRelu(tf.tensor2d(values(6 * 9, 19), [6, 9]), 0.3),
        tf.greater(x, 0).cast('float32'),
        tf.greater(x, y).cast('float32'),
        tf.greater(x, row).cast('float32'), // broadcast: native
        tf.where(tf.greater(x, y), x, y),
        tf.where(tf.greater(x, 0), x.cast('int32'), y.cast('int32')).cast('float32'),
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [0, 1], true),
        tf.sum(x, 0),
        tf.sum(x, [1, 2]), // not leading: native
        tf.sum(x), // every axis: native
        tf.leakyRelu(tf.tensor1d(special), 0.2)
      ]
    })
    // NaN propagates the same way as on cpu
    const [leaky] = await on('wasm', () => tf.leakyRelu(tf.tensor1d(special), 0.2))
    expect(Number.isNaN(leaky[4])).toBe(true)
    expect(leaky[6]).toBe(-Infinity)
    const stats = wasmKernelStats()
    expect(stats['LeakyRelu:prelu']).toBeGreaterThan(0)
    expect(stats['Greater:js']).toBeGreaterThan(0)
    expect(stats['Greater:native']).toBeGreaterThan(0)
    expect(stats['Select:js']).toBeGreaterThan(0)
    expect(stats['Sum:js']).toBeGreaterThan(0)
    expect(stats['Sum:native']).toBeGreaterThan(0)
  })

  it('Tile by block copies, any axes and repeat counts (batch norm broadcasts [1,1,1,C])', async () => {
    wasmKernelStats(true)
    await compare('tile', () => {
      const gamma = tf.tensor4d(values(5, 20), [1, 1, 1, 5])
      const x = tf.tensor3d(values(2 * 3 * 4, 21), [2, 3, 4])
      return [
        tf.tile(gamma, [6, 7, 7, 1]),
        tf.tile(x, [3, 1, 2]),
        tf.tile(x, [1, 5, 1]),
        tf.tile(x, [1, 1, 1]),
        tf.tile(tf.tensor1d(values(3, 22)), [9]),
        tf.tile(x.cast('int32'), [2, 2, 2]).cast('float32') // int32: native
      ]
    }, 0)
    const stats = wasmKernelStats()
    expect(stats['Tile:blocks']).toBe(5)
    expect(stats['Tile:native']).toBe(1)
  })

  it('Concat and SplitV by block copies, any axis, narrow and wide blocks (a conditional D: image + 10 label planes)', async () => {
    wasmKernelStats(true)
    await compare('concat and split', () => {
      const img = tf.tensor4d(values(2 * 5 * 5 * 1, 40), [2, 5, 5, 1])
      const planes = tf.tensor4d(values(2 * 5 * 5 * 10, 41), [2, 5, 5, 10])
      const wide = tf.tensor2d(values(3 * 70, 42), [3, 70])
      const narrow = tf.tensor2d(values(3 * 2, 43), [3, 2])
      const both = tf.concat([img, planes], -1)
      const [a, b] = tf.split(both, [1, 10], 3)
      const [c, d, e] = tf.split(tf.concat([wide, narrow, wide], 1), [70, 2, -1], 1)
      // the gradient of concat is a split
      const [gImg] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.concat([x, y], 3).square().sum())([img, planes], tf.scalar(1))
      return [
        both, a, b, c, d, e, gImg,
        tf.concat([wide, wide, narrow.reshape([2, 3]).pad([[0, 0], [0, 67]])], 0),
        ...tf.split(tf.tensor3d(values(4 * 6 * 3, 44), [4, 6, 3]), 3, 1),
        tf.concat([img.cast('int32'), img.cast('int32')], 3).cast('float32') // int32: native
      ]
    }, 0)
    const stats = wasmKernelStats()
    expect(stats['Concat:blocks']).toBe(4)
    expect(stats['Concat:native']).toBe(1)
    expect(stats['SplitV:blocks']).toBe(4)
  })
})

describe("LeakyReLU's gradient in one kernel", () => {
  const special = new Float32Array([0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.5])
  /** x with the special values first; n above the helper-thread split on request. */
  const inputs = (n: number): [tf.Tensor, tf.Tensor] => {
    const xs = values(n, 31)
    xs.set(special.subarray(0, Math.min(n, special.length)))
    const dys = values(n, 32)
    dys.set([2, -3, 0.5, 7, 1, -1, 4, 1e20, -5, NaN].slice(0, Math.min(n, 10)))
    return [tf.tensor1d(xs), tf.tensor1d(dys)]
  }
  // tfjs's own formula on cpu is the reference: the one-pass kernel must give the same bits.
  const reference = (x: tf.Tensor, dy: tf.Tensor, alpha: number): tf.Tensor => tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha))

  for (const n of [10, 3 * 65_536 + 7]) {
    it(`is bit-identical to where(greater(x, 0), dy, dy * alpha) (${n} elements)`, async () => {
      wasmKernelStats(true)
      const [actual] = await on('wasm', () => {
        const [x, dy] = inputs(n)
        return tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(x, dy)
      })
      expect(wasmKernelStats()['LeakyReluGrad:js']).toBe(1)
      const [expected] = await on('cpu', () => {
        const [x, dy] = inputs(n)
        return reference(x, dy, 0.2)
      })
      expect(Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer))).toBe(true)
    })
  }

  it('has its own gradient (a gradient of the gradient, as WGAN-GP takes)', async () => {
    // d/dw of sum(dx) where dx = grad of sum(leakyRelu(x) * w) w.r.t. x: dx = w * f(x), so the
    // result is f(x) (1 or alpha per element), with a zero gradient through x itself.
    const f = (): tf.Tensor[] => {
      const x = tf.tensor1d([-2, -0.5, 0.25, 3, -1, 4])
      const w = tf.tensor1d([1, 2, 3, 4, 5, 6])
      const inner = (xx: tf.Tensor, ww: tf.Tensor): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), ww)))(xx)
      const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(inner(xx, ww)))([x, w])
      return [gx, gw]
    }
    const [gx, gw] = await on('wasm', f)
    expect(Array.from(gx)).toEqual([0, 0, 0, 0, 0, 0])
    expect(Array.from(gw)).toEqual(Array.from(new Float32Array([0.2, 0.2, 1, 1, 0.2, 1])))
    registerSecondOrderGradients() // for the cpu reference: Greater has no gradient in tfjs
    await compare('second order', f, 0)
  })

  it('falls back to the three-kernel formula without our kernels', async () => {
    unregisterWasmGradientKernels()
    try {
      wasmKernelStats(true)
      const [actual] = await on('wasm', () => {
        const [x, dy] = inputs(10)
        return tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.3))(x, dy)
      })
      expect(wasmKernelStats()['LeakyReluGrad:js']).toBeUndefined()
      const [expected] = await on('cpu', () => {
        const [x, dy] = inputs(10)
        return reference(x, dy, 0.3)
      })
      expect(Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer))).toBe(true)
    } finally {
      registerWasmGradientKernels()
    }
  })
})

/** A tiny conv model touching every kernel above: conv (s1, s2), convT, dense, LeakyReLU. */
function tinyModel(): tf.Sequential {
  const m = tf.sequential()
  m.add(
    tf.layers.conv2d({
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      inputShape: [10, 10, 2],
      biasInitializer: 'randomNormal'
    })
  )
  m.add(tf.layers.leakyReLU({ alpha: 0.2 }))
  m.add(tf.layers.conv2dTranspose({ filters: 5, kernelSize: 4, strides: 2, padding: 'same' }))
  m.add(tf.layers.leakyReLU({ alpha: 0.2 }))
  m.add(tf.layers.conv2d({ filters: 1, kernelSize: 7, padding: 'same', activation: 'tanh' }))
  m.add(tf.layers.flatten())
  m.add(tf.layers.dense({ units: 1 }))
  return m
}

describe('training through tf.layers', () => {
  it('gradients of a tiny conv model match cpu (tf.grads and optimizer.minimize)', async () => {
    // Same initial weights on both backends
    const weights = await on('cpu', () => {
      const m = tinyModel()
      const w = m.getWeights().map((t) => t.clone())
      m.dispose()
      return w
    })
    const shapes = (() => {
      const m = tinyModel()
      const s = m.getWeights().map((w) => w.shape)
      m.dispose()
      return s
    })()
    const x = values(4 * 10 * 10 * 2, 20)
    const target = values(4, 21)
    const grads = (): tf.Tensor[] => {
      const m = tinyModel()
      m.setWeights(weights.map((w, i) => tf.tensor(w, shapes[i])))
      const vars = m.trainableWeights.map((w) => w.read())
      const loss = (...vs: tf.Tensor[]): tf.Scalar => {
        void vs
        const out = m.apply(tf.tensor4d(x, [4, 10, 10, 2])) as tf.Tensor
        const labels = tf.tensor2d(target, [4, 1]).greater(0).cast('float32')
        return tf.losses.sigmoidCrossEntropy(labels, out) as tf.Scalar
      }
      const g = tf.grads(loss)(vars)
      // and one Adam step through optimizer.minimize, whose result is the new weights
      const opt = tf.train.adam(1e-2, 0.5)
      opt.minimize(loss, false, vars as tf.Variable[])
      const after = m.trainableWeights.map((w) => w.read().clone())
      opt.dispose()
      m.dispose()
      return [...g, ...after]
    }
    await compare('tiny model gradients and one Adam step', grads)
    const stats = wasmKernelStats()
    for (const path of [
      'Conv2DBackpropFilter:unfoldX',
      'Conv2DBackpropFilter:unfoldDy',
      'Conv2DBackpropInput:phases',
      'FusedConv2D:fewOutputs',
      'BatchMatMul:tiny' // the dense layer's gradients
    ]) {
      expect(stats[path], path).toBeGreaterThan(0)
    }
  })

  it('keeps tf.memory().numTensors flat over repeated gradient steps', async () => {
    await tf.setBackend('wasm')
    const m = tinyModel()
    const opt = tf.train.adam(1e-3)
    const x = tf.tensor4d(values(8 * 10 * 10 * 2, 22), [8, 10, 10, 2])
    const y = tf.ones([8, 1])
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable)
    const step = (): void => {
      const loss = opt.minimize(
        () => tf.losses.sigmoidCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
        vars
      )
      loss?.dispose()
    }
    step()
    step()
    const backend = tf.backend() as unknown as { numDataIds(): number }
    const tensors = tf.memory().numTensors
    const buffers = backend.numDataIds()
    for (let i = 0; i < 5; i++) step()
    expect(tf.memory().numTensors).toBe(tensors)
    expect(backend.numDataIds()).toBe(buffers)
    tf.dispose([x, y])
    opt.dispose()
    m.dispose()
  })
})

describe('GANs train on wasm', () => {
  function ganStep(
    g: tf.LayersModel,
    d: tf.LayersModel,
    optG: tf.Optimizer,
    optD: tf.Optimizer,
    real: tf.Tensor,
    latent: number
  ): number[] {
    const batch = real.shape[0]
    const dVars = d.trainableWeights.map((w) => w.read() as tf.Variable)
    const gVars = g.trainableWeights.map((w) => w.read() as tf.Variable)
    return tf.tidy(() => {
      const ones = tf.ones([batch, 1])
      const zeros = tf.zeros([batch, 1])
      const fake = g.apply(tf.randomNormal([batch, latent])) as tf.Tensor
      const lossOf = (labels: tf.Tensor, logits: tf.Tensor): tf.Scalar =>
        tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar
      const dReal = optD.minimize(() => lossOf(ones, d.apply(real, { training: true }) as tf.Tensor), true, dVars)
      const dFake = optD.minimize(() => lossOf(zeros, d.apply(fake, { training: true }) as tf.Tensor), true, dVars)
      const z = tf.randomNormal([batch, latent])
      const gLoss = optG.minimize(
        () => lossOf(ones, d.apply(g.apply(z, { training: true }), { training: true }) as tf.Tensor),
        true,
        gVars
      )
      return [dReal, dFake, gLoss].map((t) => (t as tf.Scalar).dataSync()[0])
    })
  }

  async function trains(g: tf.LayersModel, d: tf.LayersModel, real: tf.Tensor, latent: number): Promise<void> {
    const optG = tf.train.adam(2e-4, 0.5)
    const optD = tf.train.adam(2e-4, 0.5)
    const before = [g, d].map((m) => m.getWeights().map((w) => Float32Array.from(w.dataSync())))
    ganStep(g, d, optG, optD, real, latent)
    const tensors = tf.memory().numTensors
    for (let i = 0; i < 2; i++) {
      const losses = ganStep(g, d, optG, optD, real, latent)
      for (const l of losses) expect(Number.isFinite(l)).toBe(true)
    }
    expect(tf.memory().numTensors).toBe(tensors)
    ;[g, d].forEach((m, j) => {
      m.getWeights().forEach((w, i) => {
        const old = before[j][i]
        const now = w.dataSync()
        expect(now.some((v, k) => v !== old[k]), `${m.name} weight ${i} changed`).toBe(true)
      })
    })
    optG.dispose()
    optD.dispose()
  }

  it('the seed DCGAN (small batch)', async () => {
    await tf.setBackend('wasm')
    const { generator: g, discriminator: d } = buildModels('mnist-dcgan', 100)
    expect(g.countParams()).toBe(1164289)
    expect(d.countParams()).toBe(40705)
    const real = tf.randomUniform([4, 28, 28, 1], -1, 1)
    await trains(g, d, real, 100)
    const stats = wasmKernelStats()
    expect(Object.keys(stats).filter((k) => k.endsWith(':native') && k.startsWith('Conv2DBackprop'))).toEqual([])
    real.dispose()
    g.dispose()
    d.dispose()
  })

  it('a small MLP GAN', async () => {
    await tf.setBackend('wasm')
    const g = tf.sequential()
    g.add(tf.layers.dense({ units: 64, inputShape: [16] }))
    g.add(tf.layers.leakyReLU({ alpha: 0.2 }))
    g.add(tf.layers.dense({ units: 12, activation: 'tanh' }))
    const d = tf.sequential()
    d.add(tf.layers.dense({ units: 64, inputShape: [12] }))
    d.add(tf.layers.leakyReLU({ alpha: 0.2 }))
    d.add(tf.layers.dropout({ rate: 0.3 }))
    d.add(tf.layers.dense({ units: 1 }))
    const real = tf.randomUniform([32, 12], -1, 1)
    await trains(g, d, real, 16)
    real.dispose()
    g.dispose()
    d.dispose()
  })
})
