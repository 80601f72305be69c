// Chooses the tfjs backend at trainer start: tfjs-node-gpu, then tfjs-node, then wasm,
// then cpu, or exactly the one asked for. Every better backend that is not used is
// recorded with the reason, so the UI and the CLI can say why.
import { BACKEND_ORDER, type BackendChoice, type BackendName, type RunConfig } from '@shared/config'
import { LabError } from '@shared/errors'
import type { BackendAttempt, BackendReport } from '@shared/trainer-protocol'
import { nodeRequire } from '../../node-require'
import { tf } from '../tf'
import { initWasmBackend } from './wasm-kernels'
import { wasmThreadsFor, type WasmThreadChoice } from './wasm-threads'

type Loader = (wasm?: WasmThreadChoice) => Promise<string>

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? 'unknown error'
}

function isMissingModule(err: unknown, name: string): boolean {
  return (
    err instanceof Error &&
    (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
    err.message.includes(`'${name}'`)
  )
}

type NativePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'

/**
 * Why a native tfjs package did not load, in the words a workstation owner can act on: not
 * installed, libtensorflow missing (its download failed), or CUDA/cuDNN libraries not found.
 */
export function describeNativeLoadError(pkg: NativePackage, err: unknown): string {
  if (isMissingModule(err, pkg)) {
    return `${pkg} is not installed (it is an optional dependency; its install downloads libtensorflow${pkg.endsWith('-gpu') ? ' and needs CUDA 11.2 with cuDNN 8.1' : ''})`
  }
  const text = err instanceof Error ? err.message : String(err)
  const lib = /(lib(?:cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse|cudnn|nvinfer)[\w.-]*\.so[\w.]*)/.exec(text)
  if (lib) return `CUDA libraries not found: ${lib[1]} is missing from the library path (the GPU build needs CUDA 11.2 and cuDNN 8.1)`
  const tf = /(libtensorflow[\w.-]*\.so[\w.]*)/.exec(text)
  if (tf) return `${pkg} is installed but its TensorFlow library ${tf[1]} is missing (reinstall it where its download works)`
  return `${pkg} is installed but failed to load: ${firstLine(err)}`
}

async function loadNative(pkg: NativePackage, wantGpu: boolean): Promise<string> {
  try {
    nodeRequire(pkg)
  } catch (err) {
    throw new Error(describeNativeLoadError(pkg, err))
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its 'tensorflow' backend did not start`)
  await tf.ready()
  // The native backend reports whether TensorFlow found a CUDA device.
  const onGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true
  if (wantGpu && !onGpu) {
    throw new Error(`${pkg} loaded, but TensorFlow sees no GPU (CUDA libraries not found or no device visible)`)
  }
  return onGpu ? 'TensorFlow C library on the GPU' : 'TensorFlow C library on the CPU'
}

const LOADERS: Record<BackendName, Loader> = {
  'tensorflow-gpu': () => loadNative('@tensorflow/tfjs-node-gpu', true),
  tensorflow: () => loadNative('@tensorflow/tfjs-node', false),
  wasm: (choice) => (choice ? initWasmBackend(choice.threads, choice.why) : initWasmBackend()),
  cpu: async () => {
    await tf.setBackend('cpu')
    await tf.ready()
    return 'pure JavaScript; slow, for tiny models only'
  }
}

/**
 * Starts the requested backend, or the best one that works when 'auto' is asked for; wasm with
 * `wasm`'s threads where given, else every core. A run's backend: selectRunBackend.
 */
export async function selectBackend(requested: BackendChoice, order: readonly BackendName[] = BACKEND_ORDER, wasm?: WasmThreadChoice): Promise<BackendReport> {
  if (requested !== 'auto') {
    try {
      const detail = await LOADERS[requested](wasm)
      return { requested, chosen: requested, skipped: [], detail }
    } catch (err) {
      throw new LabError('INVALID_CONFIG', `Backend '${requested}' was asked for but cannot be used: ${firstLine(err)}`, [
        { field: 'backend', message: firstLine(err) }
      ])
    }
  }
  const skipped: BackendAttempt[] = []
  for (const backend of order) {
    try {
      const detail = await LOADERS[backend](wasm)
      return { requested, chosen: backend, skipped, detail }
    } catch (err) {
      skipped.push({ backend, reason: firstLine(err) })
    }
  }
  throw new LabError('INTERNAL', `No tfjs backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`)
}

/**
 * Starts the backend of a run of `config.preset` (training, or timing its steps): wasm with the
 * threads that preset gains from (wasmThreadsFor), so a measurement times what the run will do.
 */
export function selectRunBackend(config: Pick<RunConfig, 'backend' | 'preset'>, order: readonly BackendName[] = BACKEND_ORDER): Promise<BackendReport> {
  return selectBackend(config.backend, order, wasmThreadsFor(config.preset))
}
