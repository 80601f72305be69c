// Runs @tensorflow/tfjs-backend-wasm@4.22 with its multi-threaded XNNPACK build in Node.
//
// The package ships a pthreads build (tfjs-backend-wasm-threaded-simd.{js,wasm}) whose
// Emscripten glue supports Node's worker_threads, but the package never starts it in Node:
// its WASM_HAS_MULTITHREAD_SUPPORT flag is false there, its loader hands the pthread
// workers a Blob URL (which Node's Worker cannot load), and the C++ side sizes its thread
// pool as "logical cores / 2" (one thread on a 2-core machine). We start that build
// ourselves and register it as the 'wasm' backend (the kernels, ours included, are the
// same: only the module behind them differs):
//
// - the pthread worker script (shipped as a string) is written to a file in the temp
//   folder, and the workers load the main script from its path in node_modules;
// - the `emscripten_num_logical_cores` import reports 2 * threads, so the C++ pool gets
//   exactly `threads` threads (the main thread and threads - 1 workers);
// - the workers running the pool are unref'd, so they never keep a process alive, and
//   `stopWasmThreads` ends them.
//
// XNNPACK splits each operator's output between the threads; every output element is
// still computed by one thread in the same order, so results are bit-identical to the
// single-threaded build (test/trainer/wasm-threads.test.ts checks this).

import * as tf from '@tensorflow/tfjs'
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import type { PresetId } from '@shared/config'
import { nodeRequire } from '../../node-require'
import { stopWasmHelper } from './wasm-helper'
import { unpackedPath } from '../../common/asar'

const BACKEND = 'wasm'
/** The tfjs wasm backend's priority among registered backends (as its own index.js). */
const WASM_PRIORITY = 2
/** The threaded build preallocates 8 pthread workers: more threads cannot start. */
const MAX_THREADS = 8
const START_TIMEOUT_MS = 30_000

/** The parts of the Emscripten module that we use (the package's typings lack them). */
interface ThreadedModule {
  wasmMemory: WebAssembly.Memory
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number
  PThread: {
    runningWorkers: Array<{ unref(): void }>
    unusedWorkers: Array<{ unref(): void }>
    terminateAllThreads(): void
  }
  tfjs?: Record<string, (...args: number[]) => number>
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>

interface ThreadState {
  /** threads in XNNPACK's pool (1 = single-threaded) */
  threads: number
  /** why the threaded build is not used, when it is not */
  reason: string | null
  module: ThreadedModule | null
}

let state: ThreadState | null = null
/** The package's own (single-threaded) factory for 'wasm', put back by stopWasmThreads. */
let packageFactory: { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined

/** How many threads the trainer's wasm backend uses by default: every core, at most 8. */
export function defaultWasmThreads(): number {
  const env = process.env.GAN_WASM_THREADS
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env)
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS)
  }
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS))
}

/** What a run's wasm backend is started with: threads, and why one where defaultWasmThreads would give more. */
export interface WasmThreadChoice {
  threads: number
  /** Shown as "threads off (<why>)" where threads is 1; null: the usual reasons. */
  why: string | null
}

/** The presets whose steps are big enough for XNNPACK's threads to pay (the seed DCGAN at batch 64). */
const THREADED_PRESETS: readonly PresetId[] = ['mnist-dcgan']

/**
 * The wasm threads for a run of `preset`: GAN_WASM_THREADS where set; one for the presets whose
 * products are small (every operator is split between the threads, and each split waits for the
 * slower thread: measured on the 2-core machine at load ~4, toy-mlp 11.9 ms/step on one thread
 * against 42.8 on two, mnist-mlp 62 against 158 ms, the quick DCGAN at batch 32 ~280 against
 * ~480 ms; on a quieter machine in session 16 the quick DCGAN was as fast on one thread as on two);
 * every core for the seed DCGAN.
 */
export function wasmThreadsFor(preset: PresetId): WasmThreadChoice {
  const env = process.env.GAN_WASM_THREADS
  if ((env !== undefined && env.trim() !== '') || THREADED_PRESETS.includes(preset)) return { threads: defaultWasmThreads(), why: null }
  return { threads: 1, why: 'one thread: this preset gains nothing from threads, which lose time when the cores are busy' }
}

function packageDirs(): { dist: string; out: string } {
  const dist = unpackedPath(path.dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm')))
  return { dist, out: path.join(dist, '..', 'wasm-out') }
}

/** Writes the pthread worker script once per content (atomically: tmp file + rename). */
function workerScriptFile(contents: string): string {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16)
  const file = path.join(tmpdir(), `gan-workbench-tfjs-wasm-pthread-${hash}.cjs`)
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, contents)
    renameSync(tmp, file)
  }
  return file
}

async function loadThreadedModule(threads: number): Promise<ThreadedModule> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is unavailable')
  if (typeof Atomics?.wait !== 'function') throw new Error('Atomics.wait is unavailable')
  nodeRequire('node:worker_threads')
  const { dist, out } = packageDirs()
  const mainScript = path.join(out, 'tfjs-backend-wasm-threaded-simd.js')
  const wasmFile = path.join(dist, 'tfjs-backend-wasm-threaded-simd.wasm')
  const factory = nodeRequire(mainScript) as Factory
  const { wasmWorkerContents } = nodeRequire(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string
  }
  // The package escapes the newlines inside string literals the same way for its Blob.
  const workerFile = workerScriptFile(wasmWorkerContents.replace(/\n/g, '\\n'))
  const compiled = await WebAssembly.compile(readFileSync(wasmFile))
  const loading = factory({
    locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : p.endsWith('.wasm') ? wasmFile : path.join(out, p)),
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm: (
      info: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void
    ) => {
      // The pool size is min(requested, cores / 2): report 2 * threads cores.
      info.env.emscripten_num_logical_cores = () => 2 * threads
      const instance = new WebAssembly.Instance(compiled, info as unknown as WebAssembly.Imports)
      receive(instance, compiled)
      return instance.exports
    }
  })
  // The module resolves once its pthread workers have loaded; never wait forever for them.
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its worker threads did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS)
  })
  const module = await Promise.race([loading, timeout]).finally(() => clearTimeout(timer))
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, [])
  }
  return module
}

/** Lets the process exit while the pool's workers wait for work. */
function unrefWorkers(module: ThreadedModule): void {
  for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref()
}

/**
 * Makes the next `tf.setBackend('wasm')` start the threaded build with `threads` threads
 * (when threads > 1 and this process can run it), else leaves the package's own
 * single-threaded loader in place. Must run before the wasm backend starts; later calls
 * return the first outcome. Never throws: failures fall back to one thread with a reason.
 */
export async function prepareWasmThreads(threads = defaultWasmThreads(), oneThreadWhy: string | null = null): Promise<ThreadState> {
  if (state !== null) return state
  // (findBackend would start it: look in the registry of started backends instead)
  if (tf.engine().registry[BACKEND] !== undefined) {
    state = { threads: 1, reason: 'the wasm backend had already started single-threaded', module: null }
    return state
  }
  if (threads <= 1) {
    state = { threads: 1, reason: threads === 1 && availableParallelism() <= 1 ? 'one CPU core' : (oneThreadWhy ?? 'one thread asked for'), module: null }
    return state
  }
  try {
    const module = await loadThreadedModule(threads)
    setThreadsCount(threads)
    const factory = tf.engine().registryFactory[BACKEND]
    if (factory !== undefined) {
      packageFactory ??= factory
      tf.removeBackend(BACKEND)
    }
    tf.registerBackend(
      BACKEND,
      () => {
        const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0])
        unrefWorkers(module)
        return backend
      },
      WASM_PRIORITY
    )
    state = { threads, reason: null, module }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    state = { threads: 1, reason: `threaded build unavailable: ${why.split('\n')[0]}`, module: null }
  }
  return state
}

/** The threads of the running wasm backend and, when single-threaded, why. */
export function wasmThreadState(): { threads: number; reason: string | null } {
  return state === null ? { threads: 1, reason: 'not prepared' } : { threads: state.threads, reason: state.reason }
}

/** The shared wasm memory of the threaded build, or null when single-threaded. */
export function wasmThreadsMemory(): WebAssembly.Memory | null {
  return state?.module?.wasmMemory ?? null
}

/**
 * Ends the threads of the wasm backend: the JS helper thread and XNNPACK's pool (by
 * removing the backend, whose dispose terminates them). For the end of a process that is
 * done with tfjs; the next initWasmBackend starts a fresh backend. A no-op when
 * single-threaded. The threads are unref'd, so a process that skips this still exits.
 */
export function stopWasmThreads(): void {
  stopWasmHelper()
  if (state?.module) {
    if (tf.engine().registryFactory[BACKEND] !== undefined) tf.removeBackend(BACKEND)
    state.module.PThread.terminateAllThreads()
    if (packageFactory !== undefined) tf.registerBackend(BACKEND, packageFactory.factory, packageFactory.priority)
    state = null
  }
}
