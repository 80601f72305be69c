// What the lab says when a native tfjs backend does not load: each cause in words a
// workstation owner can act on, and the fallback to WebAssembly with the reasons recorded.
import { describe, expect, it } from 'vitest'
import { describeNativeLoadError, selectBackend } from '../../src/main/trainer/backend/select'

function missing(pkg: string): Error {
  return Object.assign(new Error(`Cannot find module '${pkg}'\nRequire stack:\n- x.js`), { code: 'MODULE_NOT_FOUND' })
}

describe('native backend load errors', () => {
  it('says a package is not installed', () => {
    expect(describeNativeLoadError('@tensorflow/tfjs-node-gpu', missing('@tensorflow/tfjs-node-gpu'))).toBe(
      '@tensorflow/tfjs-node-gpu is not installed (it is an optional dependency; its install downloads libtensorflow and needs CUDA 11.2 with cuDNN 8.1)'
    )
    expect(describeNativeLoadError('@tensorflow/tfjs-node', missing('@tensorflow/tfjs-node'))).not.toContain('CUDA')
  })

  it('names the CUDA library that is missing', () => {
    const err = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory')
    expect(describeNativeLoadError('@tensorflow/tfjs-node-gpu', err)).toBe(
      'CUDA libraries not found: libcudart.so.11.0 is missing from the library path (the GPU build needs CUDA 11.2 and cuDNN 8.1)'
    )
    expect(describeNativeLoadError('@tensorflow/tfjs-node-gpu', new Error('Could not load dynamic library libcudnn.so.8'))).toContain('libcudnn.so.8 is missing')
  })

  it('says when libtensorflow itself is missing, and otherwise quotes the first line', () => {
    expect(describeNativeLoadError('@tensorflow/tfjs-node', new Error('libtensorflow.so.2: cannot open shared object file'))).toContain(
      'its TensorFlow library libtensorflow.so.2 is missing'
    )
    expect(describeNativeLoadError('@tensorflow/tfjs-node', new Error('\nsegfault in init\nmore'))).toBe('@tensorflow/tfjs-node is installed but failed to load: segfault in init')
  })

  it('takes the first backend that starts and records why each better one was skipped', async () => {
    const order = ['tensorflow-gpu', 'tensorflow', 'wasm'] as const
    const report = await selectBackend('auto', [...order])
    // On a machine with tfjs-node(-gpu) a native backend is chosen; here it falls back to wasm.
    const chosenAt = order.indexOf(report.chosen as (typeof order)[number])
    expect(chosenAt).toBeGreaterThanOrEqual(0)
    expect(report.skipped.map((s) => s.backend)).toEqual(order.slice(0, chosenAt))
    for (const s of report.skipped) expect(s.reason).toMatch(/not installed|CUDA libraries not found|failed to load|sees no GPU|is missing/)
  })
})
