// Times one Adam update of a variable of n elements on the wasm backend: tfjs's AdamOptimizer
// (13 kernels) against FusedAdamOptimizer's one kernel, to place FUSED_MAX_SIZE (see
// src/main/trainer/fused-adam.ts). Prints figures; run on a quiet machine:
//
//   npx tsx scripts/bench-adam.ts
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../src/main/trainer/backend/wasm-kernels'
import { FusedAdamOptimizer, FUSED_MAX_SIZE } from '../src/main/trainer/fused-adam'
async function main(): Promise<void> {
  console.log(`${await initWasmBackend(2)}; FUSED_MAX_SIZE ${FUSED_MAX_SIZE} (larger variables take tfjs's kernels either way)`)
  for (const n of [64, 4096, 16384]) {
    for (const [label, make] of [['tfjs', () => tf.train.adam(2e-4, 0.5)], ['fused', () => new FusedAdamOptimizer(2e-4, 0.5, 0.999)]] as const) {
      const v = tf.variable(tf.randomNormal([n]))
      const g = tf.randomNormal([n])
      const opt = make()
      const reps = Math.max(20, Math.min(2000, Math.floor(2e7 / n)))
      for (let i = 0; i < 10; i++) opt.applyGradients([{ name: v.name, tensor: g }])
      const t0 = performance.now()
      for (let i = 0; i < reps; i++) opt.applyGradients([{ name: v.name, tensor: g }])
      v.dataSync()
      const us = ((performance.now() - t0) / reps) * 1000
      console.log(`${label} n=${n}: ${us.toFixed(1)} us/update, ${(us * 1000 / n).toFixed(2)} ns/element`)
      tf.dispose([v, g]); opt.dispose()
    }
  }
}
void main()
