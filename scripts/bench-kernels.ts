// Times one seed-DCGAN training step (batch 64 by default: D on 64 real + 64 fake, then G
// through D; Adam 2e-4, beta1 0.5) on the tfjs wasm backend with the kernels of
// src/main/trainer/backend/wasm-kernels.ts, and shows which kernels take the time.
//
//   npx tsx scripts/bench-kernels.ts [--steps N] [--batch B] [--top N] [--native] [--small]
//
// --small times the quick preset's layout (mnist-dcgan-small: batch norm in G and D, tanh)
// instead of the seed's.
// --native also times the stock wasm kernels that we override (Conv2DBackpropFilter stays
// ours: wasm has none). GAN_WASM_THREADS=1 times the single-threaded backend (default: one
// XNNPACK thread per core, see src/main/trainer/backend/wasm-threads.ts). Reference on the
// 2-core dev machine: PyTorch 1.13 (OpenBLAS pinned to one thread) does this step in ~0.61-0.66 s,
// 97-105 images/s (scripts/pytorch_dcgan_step.py; `npm run bench -- --presets mnist-dcgan
// --backends wasm` measures both in one run). Timings here swing by up to 2x while other
// processes run, and the first ~5 steps are slower (the JS loops' code is still being
// optimised, hence 5 warm-up steps): compare formulations by the best of several interleaved
// runs.
import * as tf from '@tensorflow/tfjs'
import { buildModels } from '../src/main/trainer/models/presets'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import {
  initWasmBackend,
  registerWasmGradientKernels,
  unregisterWasmGradientKernels,
  wasmKernelStats
} from '../src/main/trainer/backend/wasm-kernels'
import { FusedAdamOptimizer } from '../src/main/trainer/fused-adam'
import { registerLazyFusedGradients } from '../src/main/trainer/lazy-fused-grads'

const LATENT = 100

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

interface Gan {
  g: tf.LayersModel
  d: tf.LayersModel
  gVars: tf.Variable[]
  dVars: tf.Variable[]
  optG: tf.Optimizer
  optD: tf.Optimizer
}

function makeGan(): Gan {
  const small = process.argv.includes('--small')
  const { generator: g, discriminator: d } = small
    ? buildModels('mnist-dcgan-small', 100, 'batchnorm', undefined, 0, 'tanh', 'batchnorm')
    : buildModels('mnist-dcgan', 100)
  return {
    g,
    d,
    gVars: g.trainableWeights.map((w) => w.read() as tf.Variable),
    dVars: d.trainableWeights.map((w) => w.read() as tf.Variable),
    // The trainer's Adam: one kernel per variable where wasm has ours (--native: tfjs's 13).
    optG: new FusedAdamOptimizer(2e-4, 0.5, 0.999),
    optD: new FusedAdamOptimizer(2e-4, 0.5, 0.999)
  }
}

function trainStep(gan: Gan, real: tf.Tensor4D, batch: number): number[] {
  return tf.tidy(() => {
    const ones = tf.ones([batch, 1])
    const zeros = tf.zeros([batch, 1])
    const fake = gan.g.predict(tf.randomNormal([batch, LATENT]), { batchSize: batch }) as tf.Tensor4D
    const dReal = gan.optD.minimize(
      () => tf.losses.sigmoidCrossEntropy(ones, gan.d.apply(real, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
      gan.dVars
    )
    const dFake = gan.optD.minimize(
      () => tf.losses.sigmoidCrossEntropy(zeros, gan.d.apply(fake, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
      gan.dVars
    )
    const z = tf.randomNormal([batch, LATENT])
    const gLoss = gan.optG.minimize(
      () => {
        const img = gan.g.apply(z, { training: true }) as tf.Tensor
        return tf.losses.sigmoidCrossEntropy(ones, gan.d.apply(img, { training: true }) as tf.Tensor) as tf.Scalar
      },
      true,
      gan.gVars
    )
    return [dReal, dFake, gLoss].map((t) => (t as tf.Scalar).dataSync()[0])
  })
}

function heapMb(): string {
  // The emscripten module has HEAPU8; the package's module typings do not declare it.
  const module = (tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }
  return (module.HEAPU8.length / 2 ** 20).toFixed(0)
}

async function timeSteps(label: string, gan: Gan, real: tf.Tensor4D, batch: number, steps: number): Promise<number> {
  // warm-up: operator creation, first allocations, and the JS loops reaching optimised code
  for (let i = 0; i < 5; i++) trainStep(gan, real, batch)
  const before = tf.memory().numTensors
  const times: number[] = []
  let losses: number[] = []
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now()
    losses = trainStep(gan, real, batch)
    times.push(performance.now() - t0)
  }
  const ms = times.reduce((a, b) => a + b, 0) / times.length
  const best = Math.min(...times)
  console.log(
    `${label}: ${ms.toFixed(0)} ms/step (best ${best.toFixed(0)}), ${((batch * 1000) / ms).toFixed(1)} images/s; ` +
      `losses ${losses.map((l) => l.toFixed(3)).join(' ')}; tensors ${before} -> ${tf.memory().numTensors}; ` +
      `wasm heap ${heapMb()} MB`
  )
  return ms
}

async function profileStep(gan: Gan, real: tf.Tensor4D, batch: number, top: number): Promise<void> {
  wasmKernelStats(true)
  const info = await tf.profile(() => {
    trainStep(gan, real, batch)
  })
  const paths = Object.entries(wasmKernelStats(true))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  console.log(`formulations used in one step: ${paths}`)
  const byKernel = new Map<string, { ms: number; calls: number }>()
  let total = 0
  for (const k of info.kernels) {
    // tf.profile also records the op wrappers (fusedConv2d__op...) around kernels: skip them
    if (k.name.endsWith('__op')) continue
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    total += ms
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 }
    e.ms += ms
    e.calls++
    byKernel.set(k.name, e)
  }
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)
  console.log(`per-kernel time over one step (tf.profile; kernels total ${total.toFixed(0)} ms):`)
  for (const [name, e] of rows.slice(0, 15)) {
    console.log(
      `  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  (${e.calls} calls)`
    )
  }
  // The most expensive kernel calls, grouped by shapes
  const byCall = new Map<string, { ms: number; calls: number }>()
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue
    const key = `${k.name} ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)}`
    const e = byCall.get(key) ?? { ms: 0, calls: 0 }
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    e.calls++
    byCall.set(key, e)
  }
  console.log('most expensive calls (grouped by shapes):')
  for (const [key, e] of [...byCall.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    console.log(`  ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(3)}x  ${key}`)
  }
}

async function main(): Promise<void> {
  const steps = arg('--steps', 5)
  const batch = arg('--batch', 64)
  const detail = await initWasmBackend()
  // As the trainer: fused layers' gradients only where needed (same bits).
  registerLazyFusedGradients()
  console.log(`wasm backend: ${detail}; batch ${batch}, ${steps} timed steps`)
  const gan = makeGan()
  console.log(`G params ${gan.g.countParams()}, D params ${gan.d.countParams()}`)
  const real = tf.randomUniform([batch, 28, 28, 1], -1, 1) as tf.Tensor4D

  const ms = await timeSteps('wasm + our kernels', gan, real, batch, steps)
  await profileStep(gan, real, batch, arg('--top', 12))

  if (process.argv.includes('--native')) {
    // wasm has no Conv2DBackpropFilter at all: keep ours, put the stock kernels back otherwise.
    unregisterWasmGradientKernels()
    registerWasmGradientKernels({ overrides: false })
    await timeSteps('stock wasm kernels (+ our Conv2DBackpropFilter)', gan, real, batch, Math.min(steps, 2))
    unregisterWasmGradientKernels()
    registerWasmGradientKernels()
  }
  console.log(`RESULT ${ms.toFixed(0)} ms/step, ${((batch * 1000) / ms).toFixed(1)} images/s`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
