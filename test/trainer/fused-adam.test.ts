// The one-kernel Adam against tfjs's own AdamOptimizer: the same weights, bit for bit.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend, wasmKernelStats } from '../../src/main/trainer/backend/wasm-kernels'
import { FUSED_MAX_SIZE, FusedAdamOptimizer } from '../../src/main/trainer/fused-adam'

/** Weights of a small MLP: one above FUSED_MAX_SIZE (tfjs's kernels), three below (one kernel each). */
function makeWeights(seed: number): tf.Variable[] {
  return [
    tf.variable(tf.randomNormal([8, 300], 0, 0.3, 'float32', seed)),
    tf.variable(tf.randomNormal([300], 0, 0.1, 'float32', seed + 1)),
    tf.variable(tf.randomNormal([300, 300], 0, 0.05, 'float32', seed + 2)), // 90,000 > FUSED_MAX_SIZE
    tf.variable(tf.randomNormal([300, 1], 0, 0.05, 'float32', seed + 3))
  ]
}

function loss(w: tf.Variable[], x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const h1 = tf.leakyRelu(tf.add(tf.matMul(x, w[0]), w[1]), 0.2)
  const h2 = tf.leakyRelu(tf.matMul(h1, w[2]), 0.2)
  return tf.losses.sigmoidCrossEntropy(y, tf.matMul(h2, w[3])) as tf.Scalar
}

/** Trains `steps` steps with `optimizer` from the same start and returns the losses and the final weights' bits. */
function train(optimizer: tf.Optimizer, steps: number): { losses: number[]; bits: Uint32Array[] } {
  const w = makeWeights(7)
  const losses = trainOn(w, optimizer, 0, steps)
  const bits = w.map((v) => new Uint32Array(Float32Array.from(v.dataSync()).buffer))
  tf.dispose(w)
  optimizer.dispose()
  return { losses, bits }
}

/** Steps `from` to `to` (their batches) on weights w. */
function trainOn(w: tf.Variable[], optimizer: tf.Optimizer, from: number, to: number): number[] {
  const losses: number[] = []
  for (let s = from; s < to; s++) {
    const x = tf.randomNormal([32, 8], 0, 1, 'float32', 100 + s) as tf.Tensor2D
    const y = tf.randomUniform([32, 1], 0, 1, 'float32', 200 + s).round() as tf.Tensor2D
    const cost = optimizer.minimize(() => loss(w, x, y), true, w) as tf.Scalar
    losses.push(cost.dataSync()[0])
    tf.dispose([cost, x, y])
  }
  return losses
}

function expectSameBits(a: Uint32Array[], b: Uint32Array[]): void {
  expect(a.length).toBe(b.length)
  a.forEach((arr, i) => {
    let differing = 0
    for (let j = 0; j < arr.length; j++) if (arr[j] !== b[i][j]) differing++
    expect(differing, `weight ${i}: ${differing} of ${arr.length} elements differ`).toBe(0)
  })
}

describe('FusedAdamOptimizer', () => {
  beforeAll(async () => {
    await initWasmBackend(2)
  })

  for (const [lr, beta1, beta2] of [
    [2e-4, 0.5, 0.999],
    [1e-3, 0.5, 0.9],
    [0.03, 0.9, 0.999]
  ]) {
    it(`on wasm gives tfjs Adam's weights bit for bit (lr ${lr}, betas ${beta1}/${beta2}) with one kernel per variable`, () => {
      const reference = train(tf.train.adam(lr, beta1, beta2), 6)
      wasmKernelStats(true)
      const fused = train(new FusedAdamOptimizer(lr, beta1, beta2), 6)
      expect(90_000).toBeGreaterThan(FUSED_MAX_SIZE)
      expect(wasmKernelStats(true)['AdamUpdate:js']).toBe(6 * 3)
      expect(fused.losses).toEqual(reference.losses)
      expectSameBits(fused.bits, reference.bits)
      // The run moved: a no-op update would also be "identical" to a broken reference.
      expect(new Set(reference.losses).size).toBeGreaterThan(1)
    })
  }

  it('continues bit-identically after its state is restored (as a resumed run restores it), reading beta^t only then', async () => {
    const reference = train(tf.train.adam(1e-3, 0.5, 0.9), 6)
    const w = makeWeights(7)
    const first = new FusedAdamOptimizer(1e-3, 0.5, 0.9)
    const losses = trainOn(w, first, 0, 3)
    // What checkpoint.ts saves and restores: the slots, then the products beta^t themselves.
    type Products = { accBeta1: tf.Variable; accBeta2: tf.Variable }
    const saved = await first.getWeights()
    const second = new FusedAdamOptimizer(1e-3, 0.5, 0.9)
    await second.setWeights(saved.map((n) => ({ name: n.name, tensor: n.tensor.clone() })))
    ;(second as unknown as Products).accBeta1.assign((first as unknown as Products).accBeta1.clone())
    ;(second as unknown as Products).accBeta2.assign((first as unknown as Products).accBeta2.clone())
    first.dispose()
    const reads = vi.spyOn(tf.backend(), 'readSync')
    losses.push(...trainOn(w, second, 3, 6))
    // one read of the products after the restore, and each step's cost
    expect(reads.mock.calls.length).toBe(2 + 3)
    reads.mockRestore()
    expect(losses).toEqual(reference.losses)
    expectSameBits(w.map((v) => new Uint32Array(Float32Array.from(v.dataSync()).buffer)), reference.bits)
    tf.dispose(w)
    second.dispose()
  })

  it('keeps the same slots as tfjs Adam, so checkpoints load into either', async () => {
    const w = makeWeights(3)
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 5) as tf.Tensor2D
    const y = tf.ones([4, 1]) as tf.Tensor2D
    const fused = new FusedAdamOptimizer(1e-3, 0.5, 0.999)
    fused.minimize(() => loss(w, x, y), false, w)
    const saved = await fused.getWeights()
    expect(fused.getClassName()).toBe('Adam')
    expect(saved.map((s) => s.name)).toEqual(['iter', ...w.map((v) => `${v.name}/m`), ...w.map((v) => `${v.name}/v`)])
    const plain = tf.train.adam(1e-3, 0.5, 0.999)
    await plain.setWeights(saved.map((s) => ({ name: s.name, tensor: s.tensor.clone() })))
    const restored = await plain.getWeights()
    expect(restored.map((r) => Array.from(r.tensor.dataSync()))).toEqual(saved.map((s) => Array.from(s.tensor.dataSync())))
    tf.dispose([...w, x, y])
    fused.dispose()
    plain.dispose()
  })

  it('is tfjs Adam where the backend has no fused kernel (cpu)', async () => {
    await tf.setBackend('cpu')
    try {
      expect(FusedAdamOptimizer.available()).toBe(false)
      const reference = train(tf.train.adam(1e-3, 0.5), 3)
      const fused = train(new FusedAdamOptimizer(1e-3, 0.5, 0.999), 3)
      expectSameBits(fused.bits, reference.bits)
    } finally {
      await tf.setBackend('wasm')
    }
  })
})
