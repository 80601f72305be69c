// Gradient (and faster) kernels for @tensorflow/tfjs-backend-wasm@4.22 in Node.
//
// The wasm backend has no `Conv2DBackpropFilter`, so no convnet can train on it. We register
// one, built on the backend's own matrix product (XNNPACK's fully-connected operator behind
// `BatchMatMul`, 35-40 GFLOP/s here when neither operand is transposed) with the unfolded
// (im2col) operand written by JS straight into the wasm heap.
//
// Profiling the seed DCGAN showed several existing wasm kernels far below that, so we
// override them with formulations on the same fast primitives. Each override handles the
// common case and hands anything else (layouts, dtypes, broadcasting...) to the original:
//
// - Conv2DBackpropInput (dx of conv2d; the forward pass of conv2dTranspose): the native
//   kernel is a scalar loop (~4 GFLOP/s). We split the transposed convolution into its
//   stride phases; each phase is a stride-1 XNNPACK Conv2D (~40 GFLOP/s) whose output is
//   scattered into its rows and columns of dx. No multiply-by-inserted-zero. With fewer
//   than 4 input channels (D's first layer on one-channel images) the phases would be
//   convolutions to one channel, so there we take one product dy @ W^T and gather the taps.
//   The DCGAN's own upsampling (4x4 taps, stride 2, 'same', even sides) goes further:
//   Winograd F(2x2, 2x2) per phase, 36 instead of 64 products per 4x4 output block
//   (winogradTransposed; ~1.5x faster on [64,14,14,128] -> [64,28,28,128]).
// - Conv2D with 4x4 taps, stride 2, padding 1 and even output sides (the gradient of that
//   upsampling): Winograd F(2x2, 2x2) over the even and odd rows and columns of x
//   (winogradStrided; 67 vs 76 ms for XNNPACK on [64,28,28,128] -> [64,14,14,128]).
// - Conv2D / FusedConv2D with fewer than 4 output channels (the generator's last 7x7 conv
//   to one channel): XNNPACK pads the output channels to its register tile (~5 GFLOP/s).
//   We compute x @ W per input pixel with the matrix product and sum the shifted taps.
// - BatchMatMul / _FusedMatMul with transposeA/transposeB (every Dense layer's gradient):
//   the native kernel runs a naive loop (~1-2 GFLOP/s) unless neither operand is
//   transposed; we transpose the operand explicitly first.
// - LeakyRelu, Greater, Select (the LeakyReLU forward and gradient) and Sum over leading
//   axes (bias gradients): scalar loops with a data-dependent branch per element, or a
//   transpose before the reduction. We use XNNPACK's PReLU (exact), and branch-free JS
//   loops on the heap.
// - Tile (batch norm's gradient broadcasts [1,1,1,C] over the batch): the native kernel maps
//   every output element to its source index; we copy whole blocks.
// - Concat and SplitV (a conditional D's input: the image beside ten label planes, and its
//   gradient): the native kernels copy row by row with a call per row (SplitV as one slice per
//   part), ~11 ms per quick-DCGAN step at batch 32; we copy narrow blocks element by element.
//
// Every intermediate buffer is released with `backend.disposeData`; only the returned
// TensorInfo is seen (and tracked) by the engine.
//
// With the threaded build (wasm-threads.ts) XNNPACK splits each product between the cores;
// the JS loops here that are worth it go through runLoop (wasm-helper.ts), which gives half
// of each to a second thread on the shared heap. Either way every output element is
// computed by the same arithmetic in the same order: results do not depend on threads.

import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { getThreadsCount, setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { defaultWasmThreads, prepareWasmThreads, wasmThreadState, wasmThreadsMemory } from './wasm-threads'
import { DROPOUT_MASK, type DropoutMaskAttrs } from '../models/dropout'
import { hasWasmHelper, loopArgs, OPS, runLoop, startWasmHelper, ARG } from './wasm-helper'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { unpackedPath } from '../../common/asar'

type Info = tf.TensorInfo
type ConvInfo = tf.backend_util.Conv2DInfo
type KernelArgs = Parameters<tf.KernelFunc>[0]

const BACKEND = 'wasm'

// The unfolded (im2col) operands are built per chunk of images, which bounds the wasm heap
// for large batches and keeps the packed matrix-product operand near the caches:
// MAX_ROWS rows of the long (inner) dimension per product; CHUNK_FLOATS for the col2im
// product of conv2DFewOutputs. Both measured on the seed DCGAN (2 cores, wasm SIMD).
const MAX_ROWS = 2048
const CHUNK_FLOATS = 2 * 1024 * 1024

/** How often each formulation ran, e.g. 'Conv2DBackpropInput:phases' or ':native'. */
const stats = new Map<string, number>()

/** Original (native) kernel configs that we replaced, by kernel name. */
const originals = new Map<string, tf.KernelConfig>()
/** Kernel functions that this module registered, to make registration idempotent. */
const ours = new WeakSet<tf.KernelFunc>()

// ---------------------------------------------------------------------------------------
// Small helpers on the wasm heap

function f32(backend: BackendWasm, t: Info): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array
}

let heapView: Float32Array = new Float32Array(0)
/** A Float32Array over the whole wasm memory (re-made when the memory grows). */
function heapF32(backend: BackendWasm): Float32Array {
  // The emscripten module has HEAPU8; the package's module typings do not declare it.
  const buffer = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer
  if (heapView.buffer !== buffer) heapView = new Float32Array(buffer)
  return heapView
}

/** Where a tensor's data starts in heapF32 (in floats). */
function at(backend: BackendWasm, t: Info): number {
  return backend.getMemoryOffset(t.dataId) / 4
}

/** Where a tensor's data starts in the wasm memory, in bytes. */
function atByte(backend: BackendWasm, t: Info): number {
  return backend.getMemoryOffset(t.dataId)
}

/** Element-wise loops shorter than this run on one thread (a hand-over costs ~20 us). */
const SPLIT_MIN = 1 << 16

function free(backend: BackendWasm, ...ts: Info[]): void {
  for (const t of ts) backend.disposeData(t.dataId)
}

function size(shape: number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

function nativeKernel(name: string): tf.KernelFunc {
  const config = originals.get(name) ?? tf.getKernel(name, BACKEND)
  if (config === undefined) throw new Error(`wasm kernel '${name}' is not registered`)
  return config.kernelFunc
}

function callNative(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: Record<string, unknown>
): Info {
  // The attribute values we pass (numbers, number arrays, explicit pad arrays, strings,
  // booleans) are all valid `Attribute`s; the record type just cannot say so.
  const out = nativeKernel(name)({ inputs, backend, attrs: attrs as tf.NamedAttrMap })
  if (Array.isArray(out)) throw new Error(`wasm kernel '${name}' returned several outputs`)
  return out
}

function count(key: string): void {
  stats.set(key, (stats.get(key) ?? 0) + 1)
}

/** Runs the original wasm kernel (counted as '<name>:native'). */
function fallback(name: string, args: KernelArgs): Info {
  count(`${name}:native`)
  return callNative(name, args.backend as BackendWasm, args.inputs, args.attrs ?? {})
}

/**
 * How many times each kernel formulation ran since the last reset, keyed
 * '<kernel>:<formulation>' ('native' = the original wasm kernel). For tests and benchmarks.
 */
export function wasmKernelStats(reset = false): Record<string, number> {
  const out = Object.fromEntries(stats)
  if (reset) stats.clear()
  return out
}


/** dst[dOff + j*rows + i] = src[sOff + i*cols + j], in cache-friendly tiles. */
function transpose2D(
  src: Float32Array,
  sOff: number,
  rows: number,
  cols: number,
  dst: Float32Array,
  dOff: number
): void {
  const T = 32
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(i0 + T, rows)
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(j0 + T, cols)
      for (let i = i0; i < i1; i++) {
        let s = sOff + i * cols + j0
        let d = dOff + j0 * rows + i
        for (let j = j0; j < j1; j++) {
          dst[d] = src[s++]
          d += rows
        }
      }
    }
  }
}

/** Plain 2-D matrix product on XNNPACK: a [m, k] @ b [k, n] -> [m, n] (fresh tensor). */
function matmul(backend: BackendWasm, a: Info, b: Info, m: number, k: number, n: number): Info {
  const a3: Info = { dataId: a.dataId, shape: [1, m, k], dtype: 'float32' }
  const b3: Info = { dataId: b.dataId, shape: [1, k, n], dtype: 'float32' }
  return callNative('BatchMatMul', backend, { a: a3, b: b3 }, { transposeA: false, transposeB: false })
}

function nhwcFromNchw(backend: BackendWasm, t: Info): Info {
  return callNative('Transpose', backend, { x: t }, { perm: [0, 2, 3, 1] })
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter

/**
 * dW[kh,kw,ci,co] = sum_{b,oy,ox} x[b, oy*sy+kh-pt, ox*sx+kw-pl, ci] * dy[b,oy,ox,co], as
 * dW [KH*KW*CI, CO] = unfold(x) [KH*KW*CI, N] @ dy [N, CO] with N = batch*OH*OW, per chunk
 * of images. The unfolded x is the LEFT operand, which XNNPACK streams as is: only the
 * small dy chunk gets packed (packing the big unfolded matrix cost ~25% more time).
 */
function filterGradColsT(backend: BackendWasm, x: Info, dy: Info, ci: ConvInfo): Info {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = ci
  const pt = ci.padInfo.top
  const pl = ci.padInfo.left
  const Kx = KH * KW * CI
  const R = OH * OW
  const chunk = Math.max(1, Math.min(B, Math.floor(MAX_ROWS / Math.max(1, R))))

  let acc: Info | null = null
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const bc = Math.min(chunk, B - b0)
    const n = bc * R
    const colsT = backend.makeOutput([Kx, n], 'float32')
    // dy rows copied into a tensor of our own (see the note on xs in filterGradUnfoldDy)
    const dys = backend.makeOutput([n, CO], 'float32')
    f32(backend, dys).set(f32(backend, dy).subarray(b0 * R * CO, (b0 + bc) * R * CO))
    // colsT[(kh,kw,c), (b,oy,ox)] = x[b0 + b, oy*sy+kh-pt, ox*sx+kw-pl, c] (0 outside x),
    // read in place; taps split between threads
    const a = loopArgs().i
    a.set([at(backend, x) + b0 * H * W * CI, at(backend, colsT), bc, H, W, CI, OH, OW, KW, sy, sx, pt, pl], ARG)
    runLoop(OPS.im2colTaps, heapF32(backend), 0, KH * KW)
    const part = matmul(backend, colsT, dys, Kx, n, CO)
    free(backend, colsT, dys)
    if (acc === null) {
      acc = part
    } else {
      const av = f32(backend, acc)
      const pv = f32(backend, part)
      for (let i = 0; i < av.length; i++) av[i] += pv[i]
      free(backend, part)
    }
  }
  if (acc === null) {
    const out = backend.makeOutput([KH, KW, CI, CO], 'float32')
    f32(backend, out).fill(0)
    return out
  }
  acc.shape = [KH, KW, CI, CO]
  return acc
}

/**
 * Stride-1 variant that unfolds dy instead of x (cheaper when CO is much smaller than CI,
 * e.g. the 7x7 conv to one channel):
 * dW[kh,kw,ci,co] = sum_{b,iy,ix} dy[b, iy-kh+pt, ix-kw+pl, co] * x[b,iy,ix,ci]
 * as [(kh,kw,co), CI] = unfold(dy) [(kh,kw,co), N] @ x [N, CI], N = batch*H*W.
 */
function filterGradUnfoldDy(backend: BackendWasm, x: Info, dy: Info, ci: ConvInfo): Info {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW } = ci
  const pt = ci.padInfo.top
  const pl = ci.padInfo.left
  const M = KH * KW * CO
  const P = H * W
  const chunk = Math.max(1, Math.min(B, Math.floor(MAX_ROWS / Math.max(1, P))))

  let acc: Info | null = null
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const bc = Math.min(chunk, B - b0)
    const n = bc * P
    const unf = backend.makeOutput([M, n], 'float32')
    // A private copy of the x rows: XNNPACK caches its packed right operand by tensor id,
    // so we never hand it a caller's tensor under a reshaped view.
    const xs = backend.makeOutput([n, CI], 'float32')
    f32(backend, xs).set(f32(backend, x).subarray(b0 * P * CI, (b0 + bc) * P * CI))
    // unf rows (kh, kw, co), split between the threads
    loopArgs().i.set([at(backend, dy) + b0 * OH * OW * CO, at(backend, unf), bc, H, W, OH, OW, CO, KW, pt, pl], ARG)
    runLoop(OPS.unfoldDyRows, heapF32(backend), 0, M)
    const part = matmul(backend, unf, xs, M, n, CI)
    free(backend, unf, xs)
    if (acc === null) {
      acc = part
    } else {
      const av = f32(backend, acc)
      const pv = f32(backend, part)
      for (let i = 0; i < av.length; i++) av[i] += pv[i]
      free(backend, part)
    }
  }
  const out = backend.makeOutput([KH, KW, CI, CO], 'float32')
  const ov = f32(backend, out)
  if (acc === null) {
    ov.fill(0)
  } else {
    const av = f32(backend, acc)
    // acc [(kh,kw), CO, CI] -> out [(kh,kw), CI, CO]
    for (let k = 0; k < KH * KW; k++) transpose2D(av, k * CO * CI, CO, CI, ov, k * CI * CO)
    free(backend, acc)
  }
  return out
}

function conv2DBackpropFilter(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x, dy } = args.inputs as { x: Info; dy: Info }
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error('Conv2DBackpropFilter on wasm supports float32 only')
  }
  const channelsFirst = dataFormat === 'NCHW'
  const ci = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat)
  )
  const xh = channelsFirst ? nhwcFromNchw(backend, x) : x
  const dyh = channelsFirst ? nhwcFromNchw(backend, dy) : dy
  try {
    const unfoldX = ci.outHeight * ci.outWidth * ci.filterHeight * ci.filterWidth * ci.inChannels
    const unfoldDy =
      ci.strideHeight === 1 && ci.strideWidth === 1
        ? ci.inHeight * ci.inWidth * ci.filterHeight * ci.filterWidth * ci.outChannels
        : Infinity
    if (unfoldDy * 2 < unfoldX) {
      count('Conv2DBackpropFilter:unfoldDy')
      return filterGradUnfoldDy(backend, xh, dyh, ci)
    }
    count('Conv2DBackpropFilter:unfoldX')
    return filterGradColsT(backend, xh, dyh, ci)
  } finally {
    if (channelsFirst) free(backend, xh, dyh)
  }
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput (also the forward pass of conv2dTranspose)

interface Phase {
  /** residue of the tap index: this phase uses taps k = s*j + r */
  r: number
  /** number of taps of this phase */
  J: number
  /** first output index of this phase; the others follow with stride s */
  first: number
  /** number of output indices of this phase */
  count: number
  /** padding of dy for the stride-1 correlation that computes this phase */
  padBefore: number
  padAfter: number
}

/** The stride phases along one axis: kernel K, stride s, pad p, n outputs, m dy entries. */
function phasesOf(K: number, s: number, p: number, n: number, m: number): Phase[] {
  const phases: Phase[] = []
  for (let r = 0; r < s; r++) {
    const J = K > r ? Math.ceil((K - r) / s) : 0
    const first = (((r - p) % s) + s) % s
    const count = first < n ? Math.ceil((n - first) / s) : 0
    const aLo = (first + p - r) / s
    const padBefore = J - 1 - aLo
    const padAfter = count - 1 + J - m - padBefore
    phases.push({ r, J, first, count, padBefore, padAfter })
  }
  return phases
}

/**
 * dx[b,iy,ix,ci] = sum dy[b,oy,ox,co] * w[kh,kw,ci,co] over oy*sy+kh-pt = iy, ox*sx+kw-pl = ix.
 * With iy+pt = sy*a + ry and kh = sy*j + ry: dx[iy] = sum_j dy[a-j] w[sy*j+ry]. So the rows
 * (and columns) of one stride phase are a stride-1 correlation of dy with the flipped
 * taps of that phase: one XNNPACK Conv2D per phase (sy*sx of them, no multiply by an
 * inserted zero), whose output is then scattered into its rows/columns of dx.
 * Returns null when the layout does not fit (the caller uses the native kernel).
 */
function backpropInputPhases(backend: BackendWasm, dy: Info, filter: Info, ci: ConvInfo): Info | null {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = ci
  if (ci.dilationHeight !== 1 || ci.dilationWidth !== 1) return null
  if (dy.shape[1] !== OH || dy.shape[2] !== OW || dy.shape[3] !== CO) return null
  const rowsP = phasesOf(KH, sy, ci.padInfo.top, H, OH)
  const colsP = phasesOf(KW, sx, ci.padInfo.left, W, OW)
  const used = (ph: Phase): boolean => ph.count > 0 && ph.J > 0
  for (const ph of [...rowsP, ...colsP]) {
    if (used(ph) && (ph.padBefore < 0 || ph.padAfter < 0)) return null
  }

  const phaseConv = (py: Phase, px: Phase): Info => {
    // F[ty, tx, co, c] = w[sy*(Jy-1-ty)+ry, sx*(Jx-1-tx)+rx, c, co]
    const F = backend.makeOutput([py.J, px.J, CO, CI], 'float32')
    const wv = f32(backend, filter)
    const fv = f32(backend, F)
    let d = 0
    for (let ty = 0; ty < py.J; ty++) {
      const kh = sy * (py.J - 1 - ty) + py.r
      for (let tx = 0; tx < px.J; tx++) {
        const kw = sx * (px.J - 1 - tx) + px.r
        for (let co = 0; co < CO; co++) {
          let s = (kh * KW + kw) * CI * CO + co
          for (let c = 0; c < CI; c++, s += CO) fv[d++] = wv[s]
        }
      }
    }
    try {
      return callNative(
        'Conv2D',
        backend,
        { x: dy, filter: F },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [py.padBefore, py.padAfter],
            [px.padBefore, px.padAfter],
            [0, 0]
          ],
          dilations: [1, 1],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined
        }
      )
    } finally {
      free(backend, F)
    }
  }

  if (sy === 1 && sx === 1) {
    const z = phaseConv(rowsP[0], colsP[0]) // already dx
    if (z.shape[1] === H && z.shape[2] === W) return z
    free(backend, z)
    return null
  }

  const out = backend.makeOutput([B, H, W, CI], 'float32')
  try {
    for (const py of rowsP) {
      for (const px of colsP) {
        if (py.count === 0 || px.count === 0) continue
        if (py.J === 0 || px.J === 0) {
          // no tap reaches these positions
          const ov = f32(backend, out)
          for (let b = 0; b < B; b++) {
            for (let u = 0, iy = py.first; u < py.count; u++, iy += sy) {
              for (let v = 0, ix = px.first; v < px.count; v++, ix += sx) {
                const o = ((b * H + iy) * W + ix) * CI
                ov.fill(0, o, o + CI)
              }
            }
          }
          continue
        }
        const z = phaseConv(py, px)
        if (z.shape[1] !== py.count || z.shape[2] !== px.count) {
          free(backend, z, out)
          return null
        }
        loopArgs().i.set([at(backend, z), at(backend, out), H, W, CI, py.first, py.count, px.first, px.count, sy, sx], ARG)
        runLoop(OPS.scatterPhase, heapF32(backend), 0, B)
        free(backend, z)
      }
    }
  } catch (err) {
    free(backend, out)
    throw err
  }
  return out
}

/**
 * One Winograd-transformed filter block: dst[d + e] += sum over the 2x2 taps (p, q) of
 * rowCoef[p] colCoef[q] src[(rowTaps[p] * KW + colTaps[q]) * block + e] (coefficients 0 or +-1).
 */
function addTransformedTaps(
  dst: Float32Array,
  d: number,
  src: Float32Array,
  block: number,
  KW: number,
  rowTaps: number[],
  colTaps: number[],
  rowCoef: number[],
  colCoef: number[]
): void {
  for (let p = 0; p < 2; p++) {
    for (let q = 0; q < 2; q++) {
      const c = rowCoef[p] * colCoef[q]
      if (c === 0) continue
      const s = (rowTaps[p] * KW + colTaps[q]) * block
      if (c === 1) for (let e = 0; e < block; e++) dst[d + e] += src[s + e]
      else for (let e = 0; e < block; e++) dst[d + e] -= src[s + e]
    }
  }
}

/**
 * A Winograd input transform: helper loop `op` over the B images of `src` writes `count` fresh
 * planes [tiles, width] (their offsets at ctl[16 + k]) after its own arguments `rest`; reads
 * outside the input come from a row of `zeros` zeros (ctl[9]).
 */
function winoInputPlanes(
  backend: BackendWasm,
  op: number,
  src: Info,
  rest: number[],
  zeros: number,
  B: number,
  count: number,
  tiles: number,
  width: number
): Info[] {
  const zero = backend.makeOutput([zeros], 'float32')
  f32(backend, zero).fill(0)
  const planes: Info[] = []
  try {
    for (let k = 0; k < count; k++) planes.push(backend.makeOutput([tiles, width], 'float32'))
    const a = loopArgs().i
    a.set([at(backend, src), at(backend, zero), ...rest], ARG)
    for (let k = 0; k < count; k++) a[16 + k] = at(backend, planes[k])
    runLoop(op, heapF32(backend), 0, B)
    return planes
  } catch (err) {
    free(backend, ...planes)
    throw err
  } finally {
    free(backend, zero)
  }
}

/**
 * One product of a Winograd point: plane [tiles, K] @ U [K, N], U built by `build` into zeros
 * (the transformed filter taps, see addTransformedTaps).
 */
function winoProduct(backend: BackendWasm, plane: Info, tiles: number, K: number, N: number, build: (u: Float32Array) => void): Info {
  const u = backend.makeOutput([K, N], 'float32')
  try {
    const uv = f32(backend, u)
    uv.fill(0)
    build(uv)
    return matmul(backend, plane, u, tiles, K, N)
  } finally {
    free(backend, u)
  }
}

/**
 * The output transform (winoOutput) of the 9 products of one phase into `out` [B, yH, yW, C]:
 * tile (T, S) of TH x TW writes rows T*step + u*point + py and columns S*step + v*point + px.
 */
function winoOutputInto(
  backend: BackendWasm,
  out: Info,
  products: Info[],
  B: number,
  [TH, TW, C, yH, yW]: number[],
  [step, point, py, px]: number[]
): void {
  const o = loopArgs().i
  o.set([at(backend, out), TH, TW, C, yH, yW, step, point], ARG)
  for (let k = 0; k < 9; k++) o[16 + k] = at(backend, products[k])
  o[26] = py
  o[27] = px
  runLoop(OPS.winoOutput, heapF32(backend), 0, B)
}

/** The 2x2 taps (g0, g1) of the even and odd stride phase of a 4-tap, stride-2, pad-1 axis. */
const WINO_TAPS = [
  [3, 1],
  [2, 0]
]
/** Winograd F(2, 2) filter transform rows (g0, g0 + g1, g1); the odd phase's first point is negated. */
const WINO_COEF = [
  [
    [1, 0],
    [1, 1],
    [0, 1]
  ],
  [
    [-1, 0],
    [1, 1],
    [0, 1]
  ]
]
/** Which of the 5 transformed input rows (or columns) are the even and odd phase's points 0..2. */
const WINO_FIRST = [0, 2]

/**
 * conv2dTranspose with stride 2, 4x4 taps and padding 1 (the seed DCGAN's upsampling) by
 * Winograd F(2x2, 2x2) per stride phase: 9 products of the transformed input instead of 16
 * per 2x2 output tile, so 36 instead of 64 matrix products per 4x4 block of dx.
 *
 * Along one axis, with x = dy (the transposed conv's input) and tile T covering x[2T], x[2T+1]:
 * dx[4T + 2u] = w3 x[2T+u-1] + w1 x[2T+u] (even phase) and dx[4T + 2u + 1] = w2 x[2T+u] +
 * w0 x[2T+u+1] (odd phase), u in {0, 1}: two 2-tap correlations. F(2, 2) computes each with 3
 * products: (d0 - d1) g0, d1 (g0 + g1), (d2 - d1) g1, summed as (m0 + m1, m1 + m2). The
 * even phase's transformed inputs are (x[2T-1] - x[2T], x[2T], x[2T+1] - x[2T]); the odd
 * phase's are (-(x[2T+1] - x[2T]), x[2T+1], x[2T+2] - x[2T+1]): 5 distinct values per tile
 * and axis (the sign goes into the odd filter), so 25 transformed planes feed 36 products of
 * [tiles, CO] @ [CO, CI] on XNNPACK. Transforms: winoInput / winoOutput (wasm-helper.ts), on
 * both threads. Sums in another order than the direct convolution: results agree to float
 * rounding (the transforms only add and subtract). Returns null for any other shape.
 */
function winogradTransposed(backend: BackendWasm, dy: Info, filter: Info, ci: ConvInfo): Info | null {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = ci
  if (KH !== 4 || KW !== 4 || sy !== 2 || sx !== 2 || ci.dilationHeight !== 1 || ci.dilationWidth !== 1) return null
  if (ci.padInfo.top !== 1 || ci.padInfo.left !== 1 || H !== 2 * OH || W !== 2 * OW || OH % 2 !== 0 || OW % 2 !== 0) return null
  if (dy.shape[1] !== OH || dy.shape[2] !== OW || dy.shape[3] !== CO || B === 0) return null
  const tiles = B * (OH / 2) * (OW / 2)

  // Wt[kh][kw] = w[kh, kw]^T, [CO, CI]: the right operands are sums of these
  const wt = backend.makeOutput([KH, KW, CO, CI], 'float32')
  {
    const wv = f32(backend, filter)
    const tv = f32(backend, wt)
    for (let k = 0; k < KH * KW; k++) transpose2D(wv, k * CI * CO, CI, CO, tv, k * CO * CI)
  }
  let planes: Info[] = []
  const out = backend.makeOutput([B, H, W, CI], 'float32')
  try {
    planes = winoInputPlanes(backend, OPS.winoInput, dy, [OH, OW, CO], CO, B, 25, tiles, CO)
    const block = CO * CI
    for (let py = 0; py < 2; py++) {
      for (let px = 0; px < 2; px++) {
        const products: Info[] = []
        try {
          for (let i = 0; i < 3; i++) {
            for (let j = 0; j < 3; j++) {
              // U = sum over the phase's taps (p, q) of coef_i[p] coef_j[q] Wt[kh_p][kw_q]
              const plane = planes[(WINO_FIRST[py] + i) * 5 + WINO_FIRST[px] + j]
              products.push(
                winoProduct(backend, plane, tiles, CO, CI, (uv) =>
                  addTransformedTaps(uv, 0, f32(backend, wt), block, KW, WINO_TAPS[py], WINO_TAPS[px], WINO_COEF[py][i], WINO_COEF[px][j])
                )
              )
            }
          }
          winoOutputInto(backend, out, products, B, [OH / 2, OW / 2, CI, H, W], [4, 2, py, px])
        } finally {
          free(backend, ...products)
        }
      }
    }
  } catch (err) {
    free(backend, out)
    throw err
  } finally {
    free(backend, wt, ...planes)
  }
  return out
}

/**
 * dx with few input channels (the discriminator's first layer on one-channel images): the
 * stride phases would be XNNPACK convolutions to CI < 4 output channels, which pad them to
 * the register tile. Instead P = dy [N, CO] @ Wt [CO, (kh,kw,ci)] (one product, the long
 * dimension N = batch*OH*OW as its rows), then each dx element gathers its taps from P:
 * dx[b,iy,ix,ci] = sum over oy*sy+kh-pt = iy, ox*sx+kw-pl = ix of P[b,oy,ox,(kh,kw,ci)],
 * in a fixed order (kh, then kw ascending).
 */
function backpropInputFewChannels(backend: BackendWasm, dy: Info, filter: Info, ci: ConvInfo): Info | null {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = ci
  if (ci.dilationHeight !== 1 || ci.dilationWidth !== 1) return null
  if (dy.shape[1] !== OH || dy.shape[2] !== OW || dy.shape[3] !== CO) return null
  const pt = ci.padInfo.top
  const pl = ci.padInfo.left
  const T = KH * KW * CI
  const R = OH * OW
  // The taps that reach each row iy (and column ix): pairs (kh, oy) in kh order.
  const tapsOf = (n: number, K: number, s: number, p: number, m: number): number[][] => {
    const lists: number[][] = []
    for (let i = 0; i < n; i++) {
      const list: number[] = []
      for (let k = 0; k < K; k++) {
        const t = i + p - k
        if (t >= 0 && t % s === 0 && t / s < m) list.push(k, t / s)
      }
      lists.push(list)
    }
    return lists
  }
  const rowTaps = tapsOf(H, KH, sy, pt, OH)
  const colTaps = tapsOf(W, KW, sx, pl, OW)
  const chunk = Math.max(1, Math.min(B, Math.floor(CHUNK_FLOATS / Math.max(1, R * Math.max(T, CO)))))

  const wt = backend.makeOutput([CO, T], 'float32')
  {
    // Wt[co, (kh,kw,ci)] = w[kh,kw,ci,co]
    const wv = f32(backend, filter)
    transpose2D(wv, 0, T, CO, f32(backend, wt), 0)
  }
  const out = backend.makeOutput([B, H, W, CI], 'float32')
  try {
    for (let b0 = 0; b0 < B; b0 += chunk) {
      const bc = Math.min(chunk, B - b0)
      const n = bc * R
      const dys = backend.makeOutput([n, CO], 'float32')
      f32(backend, dys).set(f32(backend, dy).subarray(b0 * R * CO, (b0 + bc) * R * CO))
      const p = matmul(backend, dys, wt, n, CO, T)
      free(backend, dys)
      const pv = f32(backend, p)
      const ov = f32(backend, out)
      for (let b = 0; b < bc; b++) {
        let o = (b0 + b) * H * W * CI
        for (let iy = 0; iy < H; iy++) {
          const rt = rowTaps[iy]
          for (let ix = 0; ix < W; ix++, o += CI) {
            const ct = colTaps[ix]
            for (let c = 0; c < CI; c++) {
              let acc = 0
              for (let i = 0; i < rt.length; i += 2) {
                const rowBase = (b * OH + rt[i + 1]) * OW
                const tapBase = rt[i] * KW
                for (let j = 0; j < ct.length; j += 2) {
                  acc += pv[(rowBase + ct[j + 1]) * T + (tapBase + ct[j]) * CI + c]
                }
              }
              ov[o + c] = acc
            }
          }
        }
      }
      free(backend, p)
    }
  } catch (err) {
    free(backend, out)
    throw err
  } finally {
    free(backend, wt)
  }
  return out
}

/** Below this many input channels, conv2DBackpropInput gathers from one product (above). */
const FEW_IN_CHANNELS = 4

function conv2DBackpropInput(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { dy, filter } = args.inputs as { dy: Info; filter: Info }
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs
  if (dataFormat === 'NHWC' && dy.dtype === 'float32' && filter.dtype === 'float32') {
    const ci = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast'
    )
    if (ci.inChannels < FEW_IN_CHANNELS && ci.outChannels * ci.filterHeight * ci.filterWidth >= 16) {
      const few = backpropInputFewChannels(backend, dy, filter, ci)
      if (few !== null) {
        count('Conv2DBackpropInput:fewChannels')
        return few
      }
    }
    const wino = winogradTransposed(backend, dy, filter, ci)
    if (wino !== null) {
      count('Conv2DBackpropInput:winograd')
      return wino
    }
    const out = backpropInputPhases(backend, dy, filter, ci)
    if (out !== null) {
      count('Conv2DBackpropInput:phases')
      return out
    }
  }
  return fallback('Conv2DBackpropInput', args)
}

// ---------------------------------------------------------------------------------------
// Conv2D / FusedConv2D with few output channels

/** Below this many output channels the col2im formulation beats XNNPACK's convolution. */
const FEW_OUT_CHANNELS = 4

/**
 * y[b,oy,ox,co] = sum_{kh,kw} P[b, oy*sy+kh-pt, ox*sx+kw-pl, (kh,kw,co)] (+ bias)
 * with P = x [N, CI] @ Wr [CI, KH*KW*CO], computed per chunk of images.
 */
function conv2DFewOutputs(backend: BackendWasm, x: Info, filter: Info, ci: ConvInfo, bias: Info | null): Info {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = ci
  const pt = ci.padInfo.top
  const pl = ci.padInfo.left
  const T = KH * KW * CO
  const P = H * W
  // One product over the whole batch reads x in place (no copy of its rows) where its output
  // P stays small enough; else chunks of images, each copied into a tensor of its own.
  const whole = B * P * T <= 4 * CHUNK_FLOATS
  const chunk = whole ? B : Math.max(1, Math.min(B, Math.floor(CHUNK_FLOATS / Math.max(1, P * Math.max(T, CI)))))

  const wr = backend.makeOutput([CI, T], 'float32')
  const out = backend.makeOutput([B, OH, OW, CO], 'float32')
  {
    // Wr[ci, (kh,kw,co)] = w[kh,kw,ci,co]: per (kh,kw) a [CI, CO] block moved into columns.
    const wv = f32(backend, filter)
    const rv = f32(backend, wr)
    for (let k = 0; k < KH * KW; k++) {
      for (let c = 0; c < CI; c++) {
        for (let co = 0; co < CO; co++) rv[c * T + k * CO + co] = wv[(k * CI + c) * CO + co]
      }
    }
  }
  try {
    for (let b0 = 0; b0 < B; b0 += chunk) {
      const bc = Math.min(chunk, B - b0)
      const n = bc * P
      let p: Info
      if (whole) {
        // x is the left operand: XNNPACK caches only the packed right one (wr) by tensor id
        p = matmul(backend, x, wr, n, CI, T)
      } else {
        const xs = backend.makeOutput([n, CI], 'float32')
        f32(backend, xs).set(f32(backend, x).subarray(b0 * P * CI, (b0 + bc) * P * CI))
        p = matmul(backend, xs, wr, n, CI, T)
        free(backend, xs)
      }
      // the col2im sum (the arithmetic of col2imFew in wasm-helper.ts), images split between threads
      loopArgs().i.set(
        [at(backend, p), at(backend, out) + b0 * OH * OW * CO, bias === null ? -1 : at(backend, bias), H, W, OH, OW, CO, KH, KW, sy, sx, pt, pl],
        ARG
      )
      runLoop(OPS.col2imFew, heapF32(backend), 0, bc, bc * OH * OW * CO * KH * KW >= SPLIT_MIN ? bc >> 1 : bc)
      free(backend, p)
    }
  } finally {
    free(backend, wr)
  }
  return out
}

/**
 * conv2d with stride 2, 4x4 taps and padding 1 (the gradient of the DCGAN's upsampling) by
 * Winograd F(2x2, 2x2): along an axis y[t] = w1 x[2t] + w3 x[2t+2] + w0 x[2t-1] + w2 x[2t+1],
 * two 2-tap correlations over the even and the odd rows of x. For each of the 9 points of a
 * 2x2 output tile the 4 row/column parity pairs sit side by side in K, so the tile costs
 * 9 products [tiles, 4 CI] @ [4 CI, CO] instead of 16 taps: 36 instead of 64 multiplies per
 * output pair of rows and columns. Transforms: winoStridedInput / winoOutput (wasm-helper.ts).
 * Returns null for any other shape (even output sides, input exactly twice the output).
 */
function winogradStrided(backend: BackendWasm, x: Info, filter: Info, ci: ConvInfo): Info | null {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = ci
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = ci
  if (KH !== 4 || KW !== 4 || sy !== 2 || sx !== 2 || ci.dilationHeight !== 1 || ci.dilationWidth !== 1) return null
  if (ci.padInfo.top !== 1 || ci.padInfo.left !== 1 || H !== 2 * OH || W !== 2 * OW || OH % 2 !== 0 || OW % 2 !== 0 || B === 0) return null
  const TH = OH / 2
  const TW = OW / 2
  const tiles = B * TH * TW
  const K = 4 * CI
  let planes: Info[] = []
  const out = backend.makeOutput([B, OH, OW, CO], 'float32')
  const products: Info[] = []
  try {
    planes = winoInputPlanes(backend, OPS.winoStridedInput, x, [H, W, CI, TH, TW], CI, B, 9, tiles, K)
    // taps of the even and odd x rows (columns): even rows meet w1, w3; odd rows w0, w2
    const taps = [
      [1, 3],
      [0, 2]
    ]
    // the filter transform rows (g0, g0 + g1, g1), without the transposed conv's sign flip
    const coef = WINO_COEF[0]
    const block = CI * CO
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        // U [4 CI, CO]: block (ry, rx) = sum over taps (p, q) of coef[i][p] coef[j][q] w[kh, kw]
        products.push(
          winoProduct(backend, planes[i * 3 + j], tiles, K, CO, (uv) => {
            const wv = f32(backend, filter)
            for (let ry = 0; ry < 2; ry++) {
              for (let rx = 0; rx < 2; rx++) {
                addTransformedTaps(uv, (ry * 2 + rx) * block, wv, block, KW, taps[ry], taps[rx], coef[i], coef[j])
              }
            }
          })
        )
      }
    }
    winoOutputInto(backend, out, products, B, [TH, TW, CO, OH, OW], [2, 1, 0, 0])
  } catch (err) {
    free(backend, out)
    throw err
  } finally {
    free(backend, ...planes, ...products)
  }
  return out
}

/** The conv's ConvInfo for NHWC float32 operands, else null (the callers then use XNNPACK as is). */
function nhwcConvInfo(x: Info, filter: Info, attrs: tf.Conv2DAttrs): ConvInfo | null {
  if (attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast'
  )
}

function fewOutputsConvInfo(x: Info, filter: Info, attrs: tf.Conv2DAttrs): ConvInfo | null {
  const ci = nhwcConvInfo(x, filter, attrs)
  if (ci === null) return null
  if (ci.dilationHeight !== 1 || ci.dilationWidth !== 1) return null
  if (ci.outChannels >= FEW_OUT_CHANNELS) return null
  // Worth it only when the inner product is long enough for XNNPACK's padding to hurt.
  if (ci.inChannels * ci.filterHeight * ci.filterWidth < 64) return null
  return ci
}

function conv2D(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x, filter } = args.inputs as { x: Info; filter: Info }
  const ci = fewOutputsConvInfo(x, filter, args.attrs as unknown as tf.Conv2DAttrs)
  if (ci !== null) {
    count('Conv2D:fewOutputs')
    return conv2DFewOutputs(backend, x, filter, ci, null)
  }
  const strided = nhwcConvInfo(x, filter, args.attrs as unknown as tf.Conv2DAttrs)
  if (strided !== null) {
    const wino = winogradStrided(backend, x, filter, strided)
    if (wino !== null) {
      count('Conv2D:winograd')
      return wino
    }
  }
  return fallback('Conv2D', args)
}

function fusedConv2D(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x, filter, bias, preluActivationWeights } = args.inputs as {
    x: Info
    filter: Info
    bias?: Info
    preluActivationWeights?: Info
  }
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs
  if (
    attrs.activation === 'linear' &&
    preluActivationWeights == null &&
    (bias == null || (bias.shape.length === 1 && bias.dtype === 'float32'))
  ) {
    const ci = fewOutputsConvInfo(x, filter, attrs)
    if (ci !== null && (bias == null || bias.shape[0] === ci.outChannels)) {
      count('FusedConv2D:fewOutputs')
      return conv2DFewOutputs(backend, x, filter, ci, bias ?? null)
    }
  }
  return fallback('FusedConv2D', args)
}

// ---------------------------------------------------------------------------------------
// BatchMatMul / _FusedMatMul with transposed operands

/** A fresh [.., cols, rows] copy of a batch-1 matrix [.., rows, cols]. */
function transposedCopy(backend: BackendWasm, t: Info): Info {
  const r = t.shape.length
  const rows = t.shape[r - 2]
  const cols = t.shape[r - 1]
  const out = backend.makeOutput([...t.shape.slice(0, r - 2), cols, rows], 'float32')
  transpose2D(f32(backend, t), 0, rows, cols, f32(backend, out), 0)
  return out
}

/** At most this many multiply-adds: a JS loop beats creating an XNNPACK operator (~0.2 ms). */
const TINY_MATMUL = 1 << 15

/**
 * A batch-1 product small enough for a JS loop (a last Dense layer to one logit and its
 * gradients: [64, 1] @ [1, 128] and the like), either operand transposed, summed in double.
 */
function tinyMatMul(backend: BackendWasm, a: Info, b: Info, attrs: tf.BatchMatMulAttrs): Info | null {
  const ra = a.shape.length
  const rb = b.shape.length
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return null
  if (size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1) return null
  const [M, K] = attrs.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]]
  const [K2, N] = attrs.transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]]
  if (K !== K2 || M * K * N > TINY_MATMUL) return null
  count('BatchMatMul:tiny')
  const out = backend.makeOutput([...(ra >= rb ? a.shape : b.shape).slice(0, -2), M, N], 'float32')
  const av = f32(backend, a)
  const bv = f32(backend, b)
  const ov = f32(backend, out)
  // element strides of a[i, k] and b[k, j] in their stored layouts
  const [ai, ak] = attrs.transposeA ? [1, M] : [K, 1]
  const [bk, bj] = attrs.transposeB ? [1, K] : [N, 1]
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0
      for (let k = 0; k < K; k++) acc += av[i * ai + k * ak] * bv[k * bk + j * bj]
      ov[i * N + j] = acc
    }
  }
  return out
}

function untransposedMatMul(name: 'BatchMatMul' | '_FusedMatMul', args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const inputs = args.inputs as { a: Info; b: Info }
  const attrs = args.attrs as unknown as tf.BatchMatMulAttrs
  const { a, b } = inputs
  const batchOf = (t: Info): number => size(t.shape.slice(0, -2))
  if (
    (!attrs.transposeA && !attrs.transposeB) ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    a.shape.length < 2 ||
    b.shape.length < 2 ||
    batchOf(a) !== 1 ||
    batchOf(b) !== 1
  ) {
    return fallback(name, args)
  }
  // a @ b^T with few rows in a (a Dense layer's input gradient, dy @ W^T): XNNPACK packs its
  // right operand on every call, so rather than copy and pack the big W^T, take
  // (a @ b^T)^T = b @ a^T with b as stored on the left, and transpose the small result back.
  const r = a.shape.length
  const [M, K] = attrs.transposeA ? [a.shape[r - 1], a.shape[r - 2]] : [a.shape[r - 2], a.shape[r - 1]]
  const N = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1]
  if (name === 'BatchMatMul' && attrs.transposeB && !attrs.transposeA && 2 * M * K + M * N < N * K) {
    count('BatchMatMul:swapped')
    const aT = transposedCopy(backend, a)
    let cT: Info
    try {
      cT = callNative('BatchMatMul', backend, { a: b, b: aT }, { transposeA: false, transposeB: false })
    } finally {
      free(backend, aT)
    }
    try {
      return transposedCopy(backend, cT)
    } finally {
      free(backend, cT)
    }
  }
  count(`${name}:untransposed`)
  const tmp: Info[] = []
  try {
    const a2 = attrs.transposeA ? transposedCopy(backend, a) : a
    if (a2 !== a) tmp.push(a2)
    const b2 = attrs.transposeB ? transposedCopy(backend, b) : b
    if (b2 !== b) tmp.push(b2)
    return callNative(
      name,
      backend,
      { ...args.inputs, a: a2, b: b2 },
      { ...(args.attrs ?? {}), transposeA: false, transposeB: false }
    )
  } finally {
    free(backend, ...tmp)
  }
}

function batchMatMul(args: KernelArgs): Info {
  const { a, b } = args.inputs as { a: Info; b: Info }
  return tinyMatMul(args.backend as BackendWasm, a, b, args.attrs as unknown as tf.BatchMatMulAttrs) ?? untransposedMatMul('BatchMatMul', args)
}

function fusedMatMul(args: KernelArgs): Info {
  return untransposedMatMul('_FusedMatMul', args)
}

// ---------------------------------------------------------------------------------------
// Element-wise kernels on the LeakyReLU path
//
// The wasm LeakyRelu, Greater and Select kernels run a scalar loop with a data-dependent
// branch per element (~3-5 ns per element on activations of random sign), and Sum over the
// leading axes (every bias gradient) first transposes its input. XNNPACK's PReLU does
// LeakyReLU exactly, and branch-free JS loops on the heap do the rest.

function leakyRelu(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x } = args.inputs as { x: Info }
  const { alpha } = args.attrs as unknown as tf.LeakyReluAttrs
  if (x.dtype !== 'float32' || x.shape.length === 0 || size(x.shape) === 0) {
    return fallback('LeakyRelu', args)
  }
  count('LeakyRelu:prelu')
  // PReLU with the same slope on every channel of the last axis
  const slopes = backend.makeOutput([x.shape[x.shape.length - 1]], 'float32')
  f32(backend, slopes).fill(alpha)
  try {
    return callNative('Prelu', backend, { x, alpha: slopes }, {})
  } finally {
    free(backend, slopes)
  }
}

/** The name of our one-pass LeakyReLU gradient kernel (inputs x, dy; attr alpha). */
export const LEAKY_RELU_GRAD = 'GanLeakyReluGrad'

/**
 * dx = dy * (x > 0 ? 1 : alpha) in one pass over the heap, where tfjs's gradient takes three
 * kernels (Greater, Multiply, Select) and writes two intermediates of x's size.
 */
function leakyReluGrad(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x, dy } = args.inputs as { x: Info; dy: Info }
  const { alpha } = args.attrs as unknown as tf.LeakyReluAttrs
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !sameShape(x.shape, dy.shape)) {
    throw new Error(`${LEAKY_RELU_GRAD} takes float32 x and dy of one shape`)
  }
  count('LeakyReluGrad:js')
  const n = size(x.shape)
  const out = backend.makeOutput(x.shape.slice(), 'float32')
  const a = loopArgs()
  a.i.set([at(backend, x), at(backend, dy), at(backend, out)], ARG)
  a.f[ARG + 3] = alpha
  runLoop(OPS.leakyReluGrad, heapF32(backend), 0, n, n >= SPLIT_MIN ? n >> 1 : n)
  return out
}

/** The name of our one-pass Adam update kernel (see src/main/trainer/fused-adam.ts). */
export const ADAM_UPDATE = 'GanAdamUpdate'

/** ADAM_UPDATE's attributes: float32 values, as tfjs's AdamOptimizer's scalar tensors hold them. */
export interface AdamUpdateAttrs {
  beta1: number
  oneMinusBeta1: number
  beta2: number
  oneMinusBeta2: number
  /** 1 - beta1^t and 1 - beta2^t, the bias corrections of this step. */
  correction1: number
  correction2: number
  epsilon: number
  negLr: number
}

/**
 * Adam's update of one variable x (moments m, v; gradient g) in one pass over the heap, where
 * tfjs's optimizer runs 13 kernels and writes 10 intermediates of x's size. Returns new x, m, v.
 */
function adamUpdate(args: KernelArgs): Info[] {
  const backend = args.backend as BackendWasm
  const { x, m, v, g } = args.inputs as { x: Info; m: Info; v: Info; g: Info }
  const attrs = args.attrs as unknown as AdamUpdateAttrs
  for (const t of [x, m, v, g]) {
    if (t.dtype !== 'float32' || !sameShape(t.shape, x.shape)) throw new Error(`${ADAM_UPDATE} takes float32 x, m, v and g of one shape`)
  }
  count('AdamUpdate:js')
  const n = size(x.shape)
  const outs = [0, 1, 2].map(() => backend.makeOutput(x.shape.slice(), 'float32'))
  const a = loopArgs()
  a.i.set([at(backend, x), at(backend, m), at(backend, v), at(backend, g), ...outs.map((o) => at(backend, o))], ARG)
  a.f.set([attrs.beta1, attrs.oneMinusBeta1, attrs.beta2, attrs.oneMinusBeta2, attrs.correction1, attrs.correction2, attrs.epsilon, attrs.negLr], ARG + 7)
  runLoop(OPS.adamUpdate, heapF32(backend), 0, n, n >= SPLIT_MIN ? n >> 1 : n)
  return outs
}

/**
 * LeakyReLU's gradient through LEAKY_RELU_GRAD where the current backend has it (wasm with
 * our kernels), else tfjs's own formula. The kernel is linear in dy with a factor that
 * depends only on the sign of x, so its own gradient (WGAN-GP differentiates D's backward
 * pass) is the same kernel applied to the incoming gradient, and zero for x.
 */
function registerLeakyReluGradients(): void {
  const fused = (): boolean => tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) !== undefined
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved
      const { alpha } = attrs as unknown as tf.LeakyReluAttrs
      return {
        x: () =>
          fused()
            ? (tf.engine().runKernel(LEAKY_RELU_GRAD, { x, dy: dy as tf.Tensor }, { alpha }) as tf.Tensor)
            : tf.where(tf.greater(x, 0), dy as tf.Tensor, tf.mul(dy as tf.Tensor, alpha))
      }
    }
  })
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved, attrs) => {
      const [x] = saved
      return {
        dy: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { x, dy: ddx as tf.Tensor }, attrs) as tf.Tensor,
        x: () => tf.zerosLike(x)
      }
    }
  })
}

/**
 * A dropout multiplier of `shape` (1 / (1 - rate) where kept, 0 where dropped), drawn on the
 * heap by a counter-based hash of `seed` and the element index on both threads. tfjs's
 * dropout draws its uniforms one by one in JavaScript (~9 ns each: ~25 ms per step of the
 * seed DCGAN, whose D drops 1M activations three times per step), then takes three more
 * passes (add, floor, divide) to make the same multiplier. See models/dropout.ts.
 */
function dropoutMask(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { shape, rate, seed } = args.attrs as unknown as DropoutMaskAttrs
  count('DropoutMask:js')
  const n = size(shape)
  const out = backend.makeOutput(shape.slice(), 'float32')
  if (n === 0) return out
  let s = seed | 0
  s ^= s >>> 16
  s = Math.imul(s, 0x21f0aaad)
  s ^= s >>> 15
  const a = loopArgs()
  a.i.set([at(backend, out), s, Math.round(rate * 2 ** 24)], ARG)
  a.f[ARG + 3] = 1 / (1 - rate)
  runLoop(OPS.dropoutMask, heapF32(backend), 0, n, n >= SPLIT_MIN ? n >> 1 : n)
  return out
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i])
}

function greater(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { a, b } = args.inputs as { a: Info; b: Info }
  const n = size(a.shape)
  const scalarB = size(b.shape) === 1 && b.shape.length <= a.shape.length
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(scalarB || sameShape(a.shape, b.shape)) || n === 0) {
    return fallback('Greater', args)
  }
  count('Greater:js')
  const out = backend.makeOutput(a.shape.slice(), 'bool')
  if (n >= SPLIT_MIN && hasWasmHelper()) {
    const args = loopArgs()
    args.i[ARG] = at(backend, a)
    args.i[ARG + 1] = atByte(backend, out)
    if (scalarB) {
      args.f[ARG + 2] = f32(backend, b)[0]
      runLoop(OPS.greaterScalar, heapF32(backend), 0, n)
    } else {
      args.i[ARG + 2] = at(backend, b)
      runLoop(OPS.greaterSame, heapF32(backend), 0, n)
    }
    return out
  }
  const av = f32(backend, a)
  const bv = f32(backend, b)
  const ov = backend.typedArrayFromHeap(out) as Uint8Array
  if (scalarB) {
    const s = bv[0]
    for (let i = 0; i < n; i++) ov[i] = +(av[i] > s)
  } else {
    for (let i = 0; i < n; i++) ov[i] = +(av[i] > bv[i])
  }
  return out
}

function select(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { condition, t, e } = args.inputs as { condition: Info; t: Info; e: Info }
  const fourBytes = t.dtype === 'float32' || t.dtype === 'int32'
  if (
    condition.dtype !== 'bool' ||
    !fourBytes ||
    e.dtype !== t.dtype ||
    !sameShape(condition.shape, t.shape) ||
    !sameShape(e.shape, t.shape) ||
    size(t.shape) === 0
  ) {
    return fallback('Select', args)
  }
  count('Select:js')
  const n = size(t.shape)
  const out = backend.makeOutput(t.shape.slice(), t.dtype)
  if (n >= SPLIT_MIN && hasWasmHelper()) {
    loopArgs().i.set([atByte(backend, condition), at(backend, t), at(backend, e), at(backend, out)], ARG)
    runLoop(OPS.select32, heapF32(backend), 0, n)
    return out
  }
  const bits = (x: Info): Int32Array => {
    const v = backend.typedArrayFromHeap(x)
    return new Int32Array(v.buffer, v.byteOffset, n)
  }
  const cv = backend.typedArrayFromHeap(condition) as Uint8Array
  // The float bits, selected with a mask: no branch, and exact for every value (NaN, -0).
  const tv = bits(t)
  const ev = bits(e)
  const ov = bits(out)
  for (let i = 0; i < n; i++) {
    const m = -cv[i] // 0 or -1 (all bits)
    ov[i] = (tv[i] & m) | (ev[i] & ~m)
  }
  return out
}

function sum(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x } = args.inputs as { x: Info }
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs
  const rank = x.shape.length
  const axes = tf.util.parseAxisParam(axis, x.shape).slice().sort((p, q) => p - q)
  const k = axes.length
  // Fast path: float32, reducing a leading run of axes [0, k) with k < rank.
  const leading = k > 0 && k < rank && axes.every((ax, i) => ax === i)
  if (x.dtype !== 'float32' || !leading || size(x.shape) === 0) {
    return fallback('Sum', args)
  }
  count('Sum:js')
  const outer = size(x.shape.slice(0, k))
  const inner = size(x.shape.slice(k))
  const shape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k)
  const out = backend.makeOutput(shape, 'float32')
  if (outer * inner >= SPLIT_MIN && inner >= 64 && hasWasmHelper()) {
    loopArgs().i.set([at(backend, x), at(backend, out), outer, inner], ARG)
    runLoop(OPS.sumLeading, heapF32(backend), 0, inner)
    return out
  }
  const xv = f32(backend, x)
  const acc = new Float64Array(inner)
  for (let o = 0, s = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++, s++) acc[i] += xv[s]
  }
  f32(backend, out).set(acc)
  return out
}

// Identity (tf.clone, and every gradient that passes dy through): the wasm kernel copies
// the data; tensors are immutable, so we share it and count one more reference, as the
// cpu backend and the wasm Reshape kernel do.
function identity(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x } = args.inputs as { x: Info }
  if (x.dtype === 'string' || backend.refCount(x.dataId) < 1) return fallback('Identity', args)
  count('Identity:shared')
  backend.incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype }
}

// Floor (every dropout mask): the wasm kernel calls floor through a function pointer per
// element (~5 ns); Math.floor in a loop is exact too (NaN, -0, infinities).
function floor(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x } = args.inputs as { x: Info }
  const n = size(x.shape)
  if (x.dtype !== 'float32' || n === 0) return fallback('Floor', args)
  count('Floor:js')
  const out = backend.makeOutput(x.shape.slice(), 'float32')
  loopArgs().i.set([at(backend, x), at(backend, out)], ARG)
  runLoop(OPS.floor32, heapF32(backend), 0, n, n >= SPLIT_MIN ? n >> 1 : n)
  return out
}

// Tile (batch norm's gradient broadcasts gamma's and beta's [1,1,1,C] over the batch): the
// wasm kernel computes a source index per output element (~650 ms for [1,1,1,64] ->
// [64,14,14,64] on the busy machine, a quarter of a quick-DCGAN step). We repeat whole blocks
// instead, innermost axis first: each axis k copies every slice (axes >= k, already tiled)
// reps[k] times with typed-array copies. Exact: values are copied, never computed.
function tile(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  const { x } = args.inputs as { x: Info }
  const { reps } = args.attrs as unknown as tf.TileAttrs
  const rank = x.shape.length
  if (x.dtype !== 'float32' || reps.length !== rank || rank === 0 || size(x.shape) === 0) return fallback('Tile', args)
  count('Tile:blocks')
  const shape = x.shape.map((d, i) => d * reps[i])
  const out = backend.makeOutput(shape, 'float32')
  let cur = f32(backend, x).slice()
  const dims = x.shape.slice()
  for (let k = rank - 1; k >= 0; k--) {
    const r = reps[k]
    if (r === 1) continue
    const outer = size(dims.slice(0, k))
    const block = size(dims.slice(k))
    const next = new Float32Array(outer * block * r)
    for (let o = 0; o < outer; o++) {
      const src = cur.subarray(o * block, (o + 1) * block)
      const base = o * block * r
      next.set(src, base)
      // doubling: each copy reads what is already written, so r copies cost log2(r) calls
      let filled = 1
      while (filled < r) {
        const n = Math.min(filled, r - filled)
        next.copyWithin(base + filled * block, base, base + n * block)
        filled += n
      }
    }
    cur = next
    dims[k] *= r
  }
  f32(backend, out).set(cur)
  return out
}

/**
 * Copies `outer` rows of blocks between one tensor of `total` floats per row and parts of
 * `widths[i]` floats per row (concat: parts -> whole; split: whole -> parts). Narrow blocks (a
 * conditional D's image channel beside its ten label planes) go element by element: the native
 * kernels call TypedArray.set or a slice per row, whose fixed cost dwarfs a copy of one float.
 */
function copyBlocks(heap: Float32Array, whole: number, parts: number[], widths: number[], outer: number, toWhole: boolean): void {
  const total = widths.reduce((a, b) => a + b, 0)
  let offset = 0
  for (let p = 0; p < parts.length; p++) {
    const w = widths[p]
    const part = parts[p]
    if (w >= 64) {
      for (let o = 0; o < outer; o++) {
        const a = whole + o * total + offset
        const b = part + o * w
        if (toWhole) heap.copyWithin(a, b, b + w)
        else heap.copyWithin(b, a, a + w)
      }
    } else {
      for (let o = 0; o < outer; o++) {
        const a = whole + o * total + offset
        const b = part + o * w
        if (toWhole) for (let j = 0; j < w; j++) heap[a + j] = heap[b + j]
        else for (let j = 0; j < w; j++) heap[b + j] = heap[a + j]
      }
    }
    offset += w
  }
}

/** Concat of float32 tensors along any axis as block copies on the heap (see copyBlocks). */
function concat(args: KernelArgs): Info {
  const backend = args.backend as BackendWasm
  // Concat's inputs are a list (the engine passes the array itself).
  const inputs = Object.values(args.inputs as Record<string, Info>)
  const { axis } = args.attrs as unknown as tf.ConcatAttrs
  if (inputs.length < 2 || inputs.some((t) => t.dtype !== 'float32')) return fallback('Concat', args)
  const rank = inputs[0].shape.length
  const k = axis < 0 ? axis + rank : axis
  if (rank === 0 || k < 0 || k >= rank || inputs.some((t) => t.shape.length !== rank || t.shape.some((d, i) => i !== k && d !== inputs[0].shape[i]))) {
    return fallback('Concat', args)
  }
  count('Concat:blocks')
  const shape = inputs[0].shape.slice()
  shape[k] = inputs.reduce((s, t) => s + t.shape[k], 0)
  const out = backend.makeOutput(shape, 'float32')
  const outer = size(shape.slice(0, k))
  const inner = size(shape.slice(k + 1))
  if (size(shape) > 0) copyBlocks(heapF32(backend), at(backend, out), inputs.map((t) => at(backend, t)), inputs.map((t) => t.shape[k] * inner), outer, true)
  return out
}

/** SplitV (the gradient of concat, tf.split) of a float32 tensor as block copies on the heap. */
function splitV(args: KernelArgs): Info[] {
  const backend = args.backend as BackendWasm
  const { x } = args.inputs as { x: Info }
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs
  const rank = x.shape.length
  const k = axis < 0 ? axis + rank : axis
  if (x.dtype !== 'float32' || rank === 0 || k < 0 || k >= rank) {
    // (fallback() takes one-output kernels)
    count('SplitV:native')
    return nativeKernel('SplitV')(args) as Info[]
  }
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, k)
  count('SplitV:blocks')
  const outs = sizes.map((n) => {
    const shape = x.shape.slice()
    shape[k] = n
    return backend.makeOutput(shape, 'float32')
  })
  const outer = size(x.shape.slice(0, k))
  const inner = size(x.shape.slice(k + 1))
  if (size(x.shape) > 0) copyBlocks(heapF32(backend), at(backend, x), outs.map((t) => at(backend, t)), sizes.map((n) => n * inner), outer, false)
  return outs
}

// ---------------------------------------------------------------------------------------
// Registration

/** Kernels the wasm backend lacks. */
const MISSING: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  [LEAKY_RELU_GRAD]: leakyReluGrad,
  [DROPOUT_MASK]: dropoutMask,
  [ADAM_UPDATE]: adamUpdate
}

/** Existing wasm kernels that we replace with faster formulations (each falls back). */
const OVERRIDES: Record<string, tf.KernelFunc> = {
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  LeakyRelu: leakyRelu,
  Greater: greater,
  Select: select,
  Sum: sum,
  Identity: identity,
  Floor: floor,
  Tile: tile,
  Concat: concat,
  SplitV: splitV
}

for (const f of [...Object.values(MISSING), ...Object.values(OVERRIDES)]) ours.add(f)
let leakyReluGradients = false

/**
 * Registers, for the 'wasm' backend, the kernels it lacks to train convnets (only where
 * `tf.getKernel(name, 'wasm')` is undefined) and, unless `overrides: false`, the faster
 * replacements above. Idempotent: returns the kernel names registered by this call ([] when
 * everything is in place already). initWasmBackend calls it; calling it before the
 * backend starts works too.
 */
export function registerWasmGradientKernels(options: { overrides?: boolean } = {}): string[] {
  const registered: string[] = []
  if (!leakyReluGradients) {
    registerLeakyReluGradients()
    leakyReluGradients = true
  }
  for (const [name, kernelFunc] of Object.entries(MISSING)) {
    if (tf.getKernel(name, BACKEND) === undefined) {
      tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc })
      registered.push(name)
    }
  }
  if (options.overrides === false) return registered
  for (const [name, kernelFunc] of Object.entries(OVERRIDES)) {
    const current = tf.getKernel(name, BACKEND)
    if (current === undefined || ours.has(current.kernelFunc)) continue
    originals.set(name, current)
    tf.unregisterKernel(name, BACKEND)
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc,
      // The native kernel's setup still has to run if the backend starts after this.
      setupFunc: current.setupFunc,
      disposeFunc: current.disposeFunc
    })
    registered.push(name)
  }
  return registered
}

/**
 * Undoes registerWasmGradientKernels: puts the native kernels back and removes the ones
 * wasm lacks. For tests and benchmarks that compare against the stock backend.
 */
export function unregisterWasmGradientKernels(): string[] {
  const removed: string[] = []
  for (const name of Object.keys(MISSING)) {
    const current = tf.getKernel(name, BACKEND)
    if (current !== undefined && ours.has(current.kernelFunc)) {
      tf.unregisterKernel(name, BACKEND)
      removed.push(name)
    }
  }
  for (const name of Object.keys(OVERRIDES)) {
    const current = tf.getKernel(name, BACKEND)
    const original = originals.get(name)
    if (current === undefined || !ours.has(current.kernelFunc) || original === undefined) continue
    tf.unregisterKernel(name, BACKEND)
    tf.registerKernel(original)
    originals.delete(name)
    removed.push(name)
  }
  return removed
}

// ---------------------------------------------------------------------------------------
// Backend start-up

let pathsConfigured = false

/** Points the wasm loader at the package's dist folder (robust to bundling of our code). */
function configureWasmPaths(): void {
  if (pathsConfigured) return
  pathsConfigured = true
  try {
    const req: NodeJS.Require =
      typeof require === 'function' ? require : createRequire(import.meta.url)
    const dist = unpackedPath(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm')))
    if (existsSync(path.join(dist, 'tfjs-backend-wasm-simd.wasm'))) {
      setWasmPaths(dist + path.sep)
    }
  } catch {
    // Leave the loader's default (the folder of the package's own script).
  }
}

/**
 * Starts the wasm backend (multi-threaded with `threads` > 1 where this process can run it,
 * see wasm-threads.ts, plus the JS-loop helper thread of wasm-helper.ts), registers the
 * kernels above and returns a short description such as "SIMD on, threads on (2), JS loops
 * on 2 threads" or "SIMD on, threads off (one thread asked for)". Throws a clear Error if
 * wasm cannot start.
 */
export async function initWasmBackend(threads = defaultWasmThreads(), oneThreadWhy: string | null = null): Promise<string> {
  configureWasmPaths()
  await prepareWasmThreads(threads, oneThreadWhy)
  let ok: boolean
  try {
    ok = await tf.setBackend(BACKEND)
    await tf.ready()
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    throw new Error(`The wasm backend could not start: ${why}`)
  }
  if (!ok || tf.getBackend() !== BACKEND) {
    throw new Error(
      'The wasm backend could not start: tf.setBackend("wasm") failed (is ' +
        '@tensorflow/tfjs-backend-wasm installed with its .wasm files?)'
    )
  }
  registerWasmGradientKernels()
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true
  const running = getThreadsCount()
  const why = wasmThreadState().reason
  let loops = ''
  const memory = wasmThreadsMemory()
  if (running > 1 && memory !== null) {
    try {
      await startWasmHelper(memory)
      loops = ', JS loops on 2 threads'
    } catch (err) {
      loops = `, JS loops on 1 thread (${err instanceof Error ? err.message : String(err)})`
    }
  }
  return `SIMD ${simd ? 'on' : 'off'}, threads ${running > 1 ? `on (${running})` : `off${why === null ? '' : ` (${why})`}`}${loops}`
}
