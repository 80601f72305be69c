// The multi-threaded wasm backend (wasm-threads.ts: tfjs's pthreads build of XNNPACK; and
// wasm-helper.ts: a second thread for our kernels' JS loops). Threads must not change a
// single bit of any result (training stays reproducible from its seed), must fall back to
// one thread with the reason in the backend description, and must never hold a process
// open.
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initWasmBackend, wasmKernelStats } from '../../src/main/trainer/backend/wasm-kernels'
import { hasWasmHelper, setWasmHelperSplitting } from '../../src/main/trainer/backend/wasm-helper'
import { stopWasmThreads, wasmThreadState } from '../../src/main/trainer/backend/wasm-threads'
import { values } from '../helpers/values'

const CORES = availableParallelism()

/** The exact bits of every output of f. */
function bits(f: () => tf.Tensor | tf.Tensor[]): Int32Array[] {
  const result = tf.tidy(f)
  const list = Array.isArray(result) ? result : [result]
  const out = list.map((t) => {
    const v = t.dataSync()
    return new Int32Array(Float32Array.from(v).buffer)
  })
  tf.dispose(list)
  return out
}

interface ChildResult {
  status: number | null
  description: string
  checksum: string
  stderr: string
}

/** Runs test/fixtures/wasm/threads-child.ts with GAN_WASM_THREADS=threads (and more env). */
function child(threads: number, env: Record<string, string> = {}): ChildResult {
  const script = join(__dirname, '..', 'fixtures', 'wasm', 'threads-child.ts')
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, GAN_WASM_THREADS: String(threads), ...env },
    encoding: 'utf8',
    // Generous: the child ends by itself when its workers do not hold it open.
    timeout: 90_000
  })
  const last = run.stdout.trim().split('\n').pop() ?? '{}'
  const parsed = (last.startsWith('{') ? JSON.parse(last) : {}) as { description?: string; checksum?: string }
  return { status: run.status, description: parsed.description ?? '', checksum: parsed.checksum ?? '', stderr: run.stderr }
}

describe('threaded wasm backend in this process', () => {
  let description = ''
  beforeAll(async () => {
    description = await initWasmBackend()
  })
  afterAll(() => {
    setWasmHelperSplitting(true)
  })

  it('uses one XNNPACK thread per core (up to 8) and says so', () => {
    if (CORES < 2) {
      expect(description).toMatch(/threads off \(/)
      return
    }
    const want = Math.min(CORES, 8)
    expect(getThreadsCount()).toBe(want)
    expect(wasmThreadState()).toEqual({ threads: want, reason: null })
    expect(description).toBe(`SIMD on, threads on (${want}), JS loops on 2 threads`)
    expect(hasWasmHelper()).toBe(true)
  })

  it('splits the JS loops between two threads without changing a bit', () => {
    // Shapes above the element-wise split threshold (65536), small enough to be quick.
    const x = tf.tensor4d(values(3 * 12 * 12 * 160, 11), [3, 12, 12, 160])
    const dy = tf.tensor4d(values(3 * 6 * 6 * 24, 12), [3, 6, 6, 24])
    const w = tf.tensor4d(values(4 * 4 * 160 * 24, 13), [4, 4, 160, 24])
    const big = tf.tensor1d(values(70_001, 14))
    const other = tf.tensor1d(values(70_001, 15))
    const cases: Array<[string, () => tf.Tensor | tf.Tensor[]]> = [
      ['Conv2DBackpropFilter (unfold x)', () => tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, 2, 'same'))(w)],
      ['Conv2DBackpropInput (Winograd)', () => tf.conv2dTranspose(dy, w, [3, 12, 12, 160], 2, 'same')],
      ['Conv2DBackpropInput (stride phases)', () => tf.conv2dTranspose(tf.slice(dy, [0, 0, 0, 0], [3, 5, 5, 24]), w, [3, 10, 10, 160], 2, 'same')],
      ['Conv2D stride 2 (Winograd)', () => tf.conv2d(tf.tensor4d(values(3 * 8 * 8 * 24, 18), [3, 8, 8, 24]), tf.slice(w, [0, 0, 0, 0], [4, 4, 24, 24]), 2, 'same')],
      [
        'Conv2DBackpropFilter (unfold dy, to one channel)',
        () => tf.grad((f: tf.Tensor) => tf.conv2d(tf.slice(x, [0, 0, 0, 0], [3, 12, 12, 8]), f as tf.Tensor4D, 1, 'same'))(tf.tensor4d(values(7 * 7 * 8, 19), [7, 7, 8, 1]))
      ],
      ['LeakyRelu gradient', () => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(big, other)],
      ['Greater (scalar and same shape)', () => [tf.cast(tf.greater(big, 0.1), 'float32'), tf.cast(tf.greater(big, other), 'float32')]],
      ['Select', () => tf.where(tf.greater(big, other), big, other)],
      ['Sum over leading axes', () => tf.sum(tf.reshape(big.slice(0, 70_000), [70, 1000]), 0)],
      ['Floor', () => tf.floor(tf.mul(big, 7))],
      [
        'FusedConv2D to few channels (col2im sum)',
        () =>
          tf.fused.conv2d({
            x: tf.tensor4d(values(4 * 24 * 24 * 8, 16), [4, 24, 24, 8]),
            filter: tf.tensor4d(values(7 * 7 * 8, 17), [7, 7, 8, 1]),
            strides: 1,
            pad: 'same',
            bias: tf.tensor1d([0.25])
          })
      ]
    ]
    wasmKernelStats(true)
    for (const [label, f] of cases) {
      setWasmHelperSplitting(true)
      const split = bits(f)
      setWasmHelperSplitting(false)
      const whole = bits(f)
      setWasmHelperSplitting(true)
      expect(split.length, label).toBe(whole.length)
      split.forEach((s, i) => expect(s, `${label} [output ${i}]`).toEqual(whole[i]))
    }
    const used = wasmKernelStats(true)
    for (const k of ['Conv2DBackpropFilter:unfoldX', 'Conv2DBackpropFilter:unfoldDy', 'Conv2DBackpropInput:winograd', 'Conv2DBackpropInput:phases', 'Conv2D:winograd', 'LeakyReluGrad:js', 'Greater:js', 'Select:js', 'Sum:js', 'Floor:js', 'FusedConv2D:fewOutputs']) {
      expect(used[k], k).toBeGreaterThan(0)
    }
    tf.dispose([x, dy, w, big, other])
  })

  it('matches the cpu backend on a conv training step', async () => {
    const x = tf.tensor4d(values(2 * 14 * 14 * 8, 21), [2, 14, 14, 8])
    const w = tf.tensor4d(values(4 * 4 * 8 * 16, 22), [4, 4, 8, 16])
    const f = (): tf.Tensor[] => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w])
      return [gx, gw, tf.conv2dTranspose(tf.conv2d(x, w, 2, 'same'), w, [2, 14, 14, 8], 2, 'same')]
    }
    const onWasm = tf.tidy(f).map((t) => t.dataSync().slice())
    await tf.setBackend('cpu')
    const onCpu = tf.tidy(f).map((t) => t.dataSync().slice())
    await tf.setBackend('wasm')
    onWasm.forEach((a, i) => {
      const scale = Math.max(...Array.from(onCpu[i], Math.abs))
      const worst = Math.max(...Array.from(a, (v, j) => Math.abs(v - onCpu[i][j])))
      expect(worst, `output ${i}`).toBeLessThanOrEqual(1e-4 * scale + 1e-6)
    })
    tf.dispose([x, w])
  })

  it('stops its threads and starts a fresh backend afterwards', async () => {
    stopWasmThreads()
    expect(hasWasmHelper()).toBe(false)
    const again = await initWasmBackend()
    expect(again).toBe(description)
    const y = tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([2, 2, 2, 3]) as tf.Tensor4D, 1, 'valid')
    expect(Array.from(y.dataSync())).toEqual(new Array(27).fill(8))
    stopWasmThreads()
  })
})

describe('thread counts in child processes', () => {
  it('gives bit-identical results with 1 and 2 threads, and each process exits by itself', () => {
    const one = child(1)
    const two = child(2)
    expect(one.status, one.stderr).toBe(0)
    expect(two.status, two.stderr).toBe(0)
    expect(one.description).toBe('SIMD on, threads off (one thread asked for)')
    expect(two.description).toBe('SIMD on, threads on (2), JS loops on 2 threads')
    expect(one.checksum).toMatch(/^[0-9a-f]{64}$/)
    expect(two.checksum).toBe(one.checksum)
  })

  it("starts a run's backend with its preset's threads and says why one", () => {
    const env = { GAN_WASM_THREADS: '' }
    const toy = child(2, { ...env, GAN_TEST_PRESET: 'toy-mlp' })
    const seed = child(2, { ...env, GAN_TEST_PRESET: 'mnist-dcgan' })
    expect(toy.status, toy.stderr).toBe(0)
    expect(seed.status, seed.stderr).toBe(0)
    expect(toy.description).toBe('SIMD on, threads off (one thread: this preset gains nothing from threads, which lose time when the cores are busy)')
    expect(seed.description).toBe(CORES > 1 ? `SIMD on, threads on (${Math.min(CORES, 8)}), JS loops on 2 threads` : 'SIMD on, threads off (one CPU core)')
    expect(seed.checksum).toBe(toy.checksum)
    // GAN_WASM_THREADS still decides where set.
    expect(child(2, { GAN_TEST_PRESET: 'toy-mlp' }).description).toBe('SIMD on, threads on (2), JS loops on 2 threads')
  })

  it('falls back to one thread, and says why, without SharedArrayBuffer', () => {
    const run = child(2, { GAN_TEST_NO_SAB: '1' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.description).toBe('SIMD on, threads off (threaded build unavailable: SharedArrayBuffer is unavailable)')
  })
})
