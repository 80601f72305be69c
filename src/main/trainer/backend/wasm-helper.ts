// A second JavaScript thread for the loops that our wasm kernels run in JS (the unfolding
// of conv2d's filter gradient, element-wise passes), next to the threaded XNNPACK build
// of wasm-threads.ts. Its wasm memory is a SharedArrayBuffer, so a worker_threads worker
// can work on the same heap: the main thread posts the second half of a loop to the
// helper through a shared control block (Atomics.notify), runs the first half itself, and
// waits for the helper (Atomics.wait is allowed on Node's main thread), so the kernels
// stay synchronous. Each half writes its own part of the output, so the result does not
// depend on the split: it is bit-identical to running the loop on one thread.
//
// The loops are plain functions of (heap, args, lo, hi); the helper runs their source
// text, so each must be self-contained (no closures, no imports, no nested functions).

import { Worker } from 'node:worker_threads'

/** Control block layout (Int32 slots). */
const SEQ = 0 // job number posted by the main thread
const DONE = 1 // job number the helper finished
const OP = 2
const LO = 3
const HI = 4
const STOP = 5
const FAILED = 6
/** Integer arguments start here; float arguments are read from the same slots as float32. */
export const ARG = 8
const SLOTS = 64
/** Waiting longer than this for the helper means it is gone. */
const STALL_MS = 60_000

type Loop = (heap: Float32Array, ctl: Int32Array, ctlF: Float32Array, lo: number, hi: number) => void

// ---------------------------------------------------------------------------------------
// The loops (self-contained: see above). Offsets and sizes are in floats.

/**
 * Transposed im2col for the filter gradient, taps [lo, hi):
 * colsT[(tap, c), (b, oy, ox)] = x[b, oy*sy + kh - pt, ox*sx + kw - pl, c] with
 * tap = kh*KW + kw, zero where that lies outside x [bc, H, W, CI] (read in place: no
 * padded copy).
 */
function im2colTaps(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const a = 8
  const x = ctl[a]
  const cols = ctl[a + 1]
  const bc = ctl[a + 2]
  const H = ctl[a + 3]
  const W = ctl[a + 4]
  const CI = ctl[a + 5]
  const OH = ctl[a + 6]
  const OW = ctl[a + 7]
  const KW = ctl[a + 8]
  const sy = ctl[a + 9]
  const sx = ctl[a + 10]
  const pt = ctl[a + 11]
  const pl = ctl[a + 12]
  const R = OH * OW
  const n = bc * R
  const step = sx * CI
  // Blocks of up to BLK output columns: their CI channels (BLK short runs read from L1)
  // are written to CI rows, instead of reading one channel of every pixel per row.
  const BLK = 16
  for (let tap = lo; tap < hi; tap++) {
    const kh = (tap / KW) | 0
    const kw = tap - kh * KW
    const rowBase = cols + tap * CI * n
    // the columns ox whose ix = ox*sx + kw - pl lies in [0, W)
    const oxLo = Math.min(OW, pl - kw > 0 ? Math.ceil((pl - kw) / sx) : 0)
    const last = W - 1 + pl - kw
    const oxHi = Math.max(oxLo, last < 0 ? 0 : Math.min(OW, Math.floor(last / sx) + 1))
    for (let b = 0; b < bc; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const iy = oy * sy + kh - pt
        const dst = rowBase + (b * OH + oy) * OW
        if (iy < 0 || iy >= H) {
          for (let c = 0; c < CI; c++) heap.fill(0, dst + c * n, dst + c * n + OW)
          continue
        }
        if (oxLo > 0 || oxHi < OW) {
          for (let c = 0; c < CI; c++) {
            const d = dst + c * n
            for (let ox = 0; ox < oxLo; ox++) heap[d + ox] = 0
            for (let ox = oxHi; ox < OW; ox++) heap[d + ox] = 0
          }
        }
        const src = x + ((b * H + iy) * W + oxLo * sx + kw - pl) * CI
        for (let ox0 = oxLo; ox0 < oxHi; ox0 += BLK) {
          const ox1 = ox0 + BLK < oxHi ? ox0 + BLK : oxHi
          for (let c = 0; c < CI; c++) {
            let d = dst + c * n + ox0
            let p = src + (ox0 - oxLo) * step + c
            for (let ox = ox0; ox < ox1; ox++, p += step) heap[d++] = heap[p]
          }
        }
      }
    }
  }
}

/** out[i] = a[i] > s (bytes), i in [lo, hi); out is a byte offset. */
function greaterScalar(heap: Float32Array, ctl: Int32Array, ctlF: Float32Array, lo: number, hi: number): void {
  const a = ctl[8]
  const out = new Uint8Array(heap.buffer, ctl[9], heap.length * 4 - ctl[9])
  const s = ctlF[10]
  for (let i = lo; i < hi; i++) out[i] = +(heap[a + i] > s)
}

/** out[i] = a[i] > b[i] (bytes), i in [lo, hi); out is a byte offset. */
function greaterSame(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const a = ctl[8]
  const out = new Uint8Array(heap.buffer, ctl[9], heap.length * 4 - ctl[9])
  const b = ctl[10]
  for (let i = lo; i < hi; i++) out[i] = +(heap[a + i] > heap[b + i])
}

/** out[i] = cond[i] ? t[i] : e[i] on the 32-bit patterns, i in [lo, hi); cond is a byte offset. */
function select32(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const bits = new Int32Array(heap.buffer, 0, heap.length)
  const cond = new Uint8Array(heap.buffer, ctl[8], heap.length * 4 - ctl[8])
  const t = ctl[9]
  const e = ctl[10]
  const out = ctl[11]
  for (let i = lo; i < hi; i++) {
    const m = -cond[i]
    bits[out + i] = (bits[t + i] & m) | (bits[e + i] & ~m)
  }
}

/** out[j] = sum over o of x[o*inner + j] (in float64), j in [lo, hi). */
function sumLeading(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const x = ctl[8]
  const out = ctl[9]
  const outer = ctl[10]
  const inner = ctl[11]
  const BLOCK = 256
  const acc = new Float64Array(BLOCK)
  for (let j0 = lo; j0 < hi; j0 += BLOCK) {
    const j1 = Math.min(hi, j0 + BLOCK)
    acc.fill(0)
    for (let o = 0; o < outer; o++) {
      const row = x + o * inner
      for (let j = j0; j < j1; j++) acc[j - j0] += heap[row + j]
    }
    for (let j = j0; j < j1; j++) heap[out + j] = acc[j - j0]
  }
}

/** out[i] = floor(x[i]), i in [lo, hi). */
function floor32(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const x = ctl[8]
  const out = ctl[9]
  for (let i = lo; i < hi; i++) heap[out + i] = Math.floor(heap[x + i])
}

/**
 * LeakyReLU's gradient in one pass: out[i] = dy[i] * (x[i] > 0 ? 1 : alpha), the factor
 * picked by index (no data-dependent branch). Bit-identical to tfjs's
 * where(greater(x, 0), dy, mul(dy, alpha)): dy * 1 is dy, and the double product of two
 * float32 values rounds to the float32 product.
 */
function leakyReluGrad(heap: Float32Array, ctl: Int32Array, ctlF: Float32Array, lo: number, hi: number): void {
  const x = ctl[8]
  const dy = ctl[9]
  const out = ctl[10]
  const factor = new Float64Array(2)
  factor[0] = ctlF[11]
  factor[1] = 1
  for (let i = lo; i < hi; i++) heap[out + i] = heap[dy + i] * factor[+(heap[x + i] > 0)]
}

/**
 * A dropout multiplier: out[i] = scale where the 24-bit hash of (i + seed) is >= threshold,
 * else 0 (keep probability 1 - threshold / 2^24). Counter-based (Wellons' lowbias32 of the
 * element index), so any split of [lo, hi) gives the same mask.
 */
function dropoutMask(heap: Float32Array, ctl: Int32Array, ctlF: Float32Array, lo: number, hi: number): void {
  const out = ctl[8]
  const seed = ctl[9]
  const threshold = ctl[10]
  const value = new Float64Array(2)
  value[1] = ctlF[11]
  for (let i = lo; i < hi; i++) {
    let h = (i + seed) | 0
    h ^= h >>> 16
    h = Math.imul(h, 0x7feb352d)
    h ^= h >>> 15
    h = Math.imul(h, 0x846ca68b)
    h ^= h >>> 16
    heap[out + i] = value[+(h >>> 8 >= threshold)]
  }
}

/**
 * Winograd F(2x2, 2x2) input transform for conv2dTranspose with stride 2, 4x4 taps and
 * padding 1 (see winogradTransposed in wasm-kernels.ts), images [lo, hi): for each tile
 * (T, S) of x [B, H, W, C] (H, W even) and channel c, the 4x4 window rows/cols 2T-1..2T+2
 * give 25 values V[rr][cc] = Rr(Cc(window)) with the 1D transform
 * (w0 - w1, w1, w2 - w1, w2, w3 - w2); plane rr*5+cc of V starts at ctl[16 + rr*5 + cc].
 * Reads outside x come from `zero` (C zeros).
 */
function winoInput(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const x = ctl[8]
  const zero = ctl[9]
  const H = ctl[10]
  const W = ctl[11]
  const C = ctl[12]
  const TH = H >> 1
  const TW = W >> 1
  const P = new Int32Array(25)
  for (let k = 0; k < 25; k++) P[k] = ctl[16 + k]
  const base = new Int32Array(16)
  for (let b = lo; b < hi; b++) {
    for (let T = 0; T < TH; T++) {
      for (let S = 0; S < TW; S++) {
        for (let r = 0; r < 4; r++) {
          const iy = 2 * T - 1 + r
          for (let q = 0; q < 4; q++) {
            const ix = 2 * S - 1 + q
            base[r * 4 + q] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x + ((b * H + iy) * W + ix) * C : zero
          }
        }
        const o = ((b * TH + T) * TW + S) * C
        const b00 = base[0], b01 = base[1], b02 = base[2], b03 = base[3]
        const b10 = base[4], b11 = base[5], b12 = base[6], b13 = base[7]
        const b20 = base[8], b21 = base[9], b22 = base[10], b23 = base[11]
        const b30 = base[12], b31 = base[13], b32 = base[14], b33 = base[15]
        for (let c = 0; c < C; c++) {
          // column transform of each window row r: t_r = (a0 - a1, a1, a2 - a1, a2, a3 - a2)
          let a0 = heap[b00 + c], a1 = heap[b01 + c], a2 = heap[b02 + c], a3 = heap[b03 + c]
          const t00 = a0 - a1, t01 = a1, t02 = a2 - a1, t03 = a2, t04 = a3 - a2
          a0 = heap[b10 + c]; a1 = heap[b11 + c]; a2 = heap[b12 + c]; a3 = heap[b13 + c]
          const t10 = a0 - a1, t11 = a1, t12 = a2 - a1, t13 = a2, t14 = a3 - a2
          a0 = heap[b20 + c]; a1 = heap[b21 + c]; a2 = heap[b22 + c]; a3 = heap[b23 + c]
          const t20 = a0 - a1, t21 = a1, t22 = a2 - a1, t23 = a2, t24 = a3 - a2
          a0 = heap[b30 + c]; a1 = heap[b31 + c]; a2 = heap[b32 + c]; a3 = heap[b33 + c]
          const t30 = a0 - a1, t31 = a1, t32 = a2 - a1, t33 = a2, t34 = a3 - a2
          // row transform of each of the 5 columns, the same formula down the rows
          const oc = o + c
          heap[P[0] + oc] = t00 - t10; heap[P[5] + oc] = t10; heap[P[10] + oc] = t20 - t10; heap[P[15] + oc] = t20; heap[P[20] + oc] = t30 - t20
          heap[P[1] + oc] = t01 - t11; heap[P[6] + oc] = t11; heap[P[11] + oc] = t21 - t11; heap[P[16] + oc] = t21; heap[P[21] + oc] = t31 - t21
          heap[P[2] + oc] = t02 - t12; heap[P[7] + oc] = t12; heap[P[12] + oc] = t22 - t12; heap[P[17] + oc] = t22; heap[P[22] + oc] = t32 - t22
          heap[P[3] + oc] = t03 - t13; heap[P[8] + oc] = t13; heap[P[13] + oc] = t23 - t13; heap[P[18] + oc] = t23; heap[P[23] + oc] = t33 - t23
          heap[P[4] + oc] = t04 - t14; heap[P[9] + oc] = t14; heap[P[14] + oc] = t24 - t14; heap[P[19] + oc] = t24; heap[P[24] + oc] = t34 - t24
        }
      }
    }
  }
}

/**
 * Winograd F(2x2, 2x2) output transform, images [lo, hi): the 9 products m[i][j] (planes at
 * ctl[16 + i*3 + j], [tiles, C], tiles TH x TW per image) of tile (T, S) give
 * y[b, T*step + u*point + py, S*step + v*point + px, :] = (A^T m A)[u][v] with
 * A^T = [[1, 1, 0], [0, 1, 1]], y [B, yH, yW, C]. conv2dTranspose's phases: step 4, point 2,
 * (py, px) the phase; the stride-2 conv: step 2, point 1, (0, 0).
 */
function winoOutput(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const y = ctl[8]
  const TH = ctl[9]
  const TW = ctl[10]
  const C = ctl[11]
  const yH = ctl[12]
  const yW = ctl[13]
  const step = ctl[14]
  const point = ctl[15]
  const py = ctl[26]
  const px = ctl[27]
  const m00 = ctl[16], m01 = ctl[17], m02 = ctl[18], m10 = ctl[19], m11 = ctl[20], m12 = ctl[21], m20 = ctl[22], m21 = ctl[23], m22 = ctl[24]
  for (let b = lo; b < hi; b++) {
    for (let T = 0; T < TH; T++) {
      for (let S = 0; S < TW; S++) {
        const o = ((b * TH + T) * TW + S) * C
        const y00 = y + ((b * yH + T * step + py) * yW + S * step + px) * C
        const y01 = y00 + point * C
        const y10 = y00 + point * yW * C
        const y11 = y10 + point * C
        for (let c = 0; c < C; c++) {
          const oc = o + c
          const a00 = heap[m00 + oc], a01 = heap[m01 + oc], a02 = heap[m02 + oc]
          const a10 = heap[m10 + oc], a11 = heap[m11 + oc], a12 = heap[m12 + oc]
          const a20 = heap[m20 + oc], a21 = heap[m21 + oc], a22 = heap[m22 + oc]
          const s00 = a00 + a01, s01 = a01 + a02
          const s10 = a10 + a11, s11 = a11 + a12
          const s20 = a20 + a21, s21 = a21 + a22
          heap[y00 + c] = s00 + s10
          heap[y01 + c] = s01 + s11
          heap[y10 + c] = s10 + s20
          heap[y11 + c] = s11 + s21
        }
      }
    }
  }
}

/**
 * Winograd F(2x2, 2x2) input transform for conv2d with stride 2, 4x4 taps and padding 1
 * (see winogradStrided in wasm-kernels.ts), images [lo, hi). Output tile (T, S) covers
 * y rows 2T, 2T+1 and reads x rows 4T-1..4T+4 (6x6 window, `zero` outside x [B, H, W, C]).
 * Along an axis the even x rows (window 1, 3, 5) and the odd ones (0, 2, 4) are two 2-tap
 * correlations, each transformed as (d0 - d1, d1, d2 - d1). Plane i*3+j (at ctl[16 + i*3 + j],
 * [tiles, 4C]) holds point (i, j) of the 4 phase pairs side by side: columns phase*C + c,
 * phase = rowParity*2 + colParity with parity 0 for the even rows / columns.
 */
function winoStridedInput(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const x = ctl[8]
  const zero = ctl[9]
  const H = ctl[10]
  const W = ctl[11]
  const C = ctl[12]
  const TH = ctl[13]
  const TW = ctl[14]
  const P = new Int32Array(9)
  for (let k = 0; k < 9; k++) P[k] = ctl[16 + k]
  // t[(r*6 + col)*C + c]: window row r, column-transformed value col (even points 0..2,
  // then odd points 0..2), channel c
  const t = new Float64Array(36 * C)
  const C4 = 4 * C
  for (let b = lo; b < hi; b++) {
    for (let T = 0; T < TH; T++) {
      for (let S = 0; S < TW; S++) {
        for (let r = 0; r < 6; r++) {
          const iy = 4 * T - 1 + r
          const rowOk = iy >= 0 && iy < H
          const row = x + (b * H + iy) * W * C
          const ix0 = 4 * S - 1
          const q0 = rowOk && ix0 >= 0 ? row + ix0 * C : zero
          const q1 = rowOk ? row + (ix0 + 1) * C : zero
          const q2 = rowOk ? row + (ix0 + 2) * C : zero
          const q3 = rowOk ? row + (ix0 + 3) * C : zero
          const q4 = rowOk && ix0 + 4 < W ? row + (ix0 + 4) * C : zero
          const q5 = rowOk && ix0 + 5 < W ? row + (ix0 + 5) * C : zero
          const d = r * 6 * C
          for (let c = 0; c < C; c++) {
            const a0 = heap[q0 + c], a1 = heap[q1 + c], a2 = heap[q2 + c]
            const a3 = heap[q3 + c], a4 = heap[q4 + c], a5 = heap[q5 + c]
            t[d + c] = a1 - a3
            t[d + C + c] = a3
            t[d + 2 * C + c] = a5 - a3
            t[d + 3 * C + c] = a0 - a2
            t[d + 4 * C + c] = a2
            t[d + 5 * C + c] = a4 - a2
          }
        }
        const o = ((b * TH + T) * TW + S) * C4
        for (let col = 0; col < 6; col++) {
          const j = col % 3
          const even = o + (col < 3 ? 0 : C)
          const odd = even + 2 * C
          const pe0 = P[j] + even, pe1 = P[3 + j] + even, pe2 = P[6 + j] + even
          const po0 = P[j] + odd, po1 = P[3 + j] + odd, po2 = P[6 + j] + odd
          const r0 = col * C, r1 = (6 + col) * C, r2 = (12 + col) * C
          const r3 = (18 + col) * C, r4 = (24 + col) * C, r5 = (30 + col) * C
          for (let c = 0; c < C; c++) {
            // even rows (window 1, 3, 5), then odd rows (window 0, 2, 4)
            const e1 = t[r1 + c], e3 = t[r3 + c], e5 = t[r5 + c]
            heap[pe0 + c] = e1 - e3
            heap[pe1 + c] = e3
            heap[pe2 + c] = e5 - e3
            const d0 = t[r0 + c], d2 = t[r2 + c], d4 = t[r4 + c]
            heap[po0 + c] = d0 - d2
            heap[po1 + c] = d2
            heap[po2 + c] = d4 - d2
          }
        }
      }
    }
  }
}

/**
 * The unfolded dy of the stride-1 filter gradient (filterGradUnfoldDy in wasm-kernels.ts),
 * rows [lo, hi) of unf [(kh, kw, co), (b, iy, ix)] for a chunk of bc images:
 * unf[r, (b, iy, ix)] = dy[b, iy - kh + pt, ix - kw + pl, co] (0 outside dy [bc, OH, OW, CO]).
 */
function unfoldDyRows(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const dy = ctl[8]
  const unf = ctl[9]
  const bc = ctl[10]
  const H = ctl[11]
  const W = ctl[12]
  const OH = ctl[13]
  const OW = ctl[14]
  const CO = ctl[15]
  const KW = ctl[16]
  const pt = ctl[17]
  const pl = ctl[18]
  const n = bc * H * W
  for (let r = lo; r < hi; r++) {
    const co = r % CO
    const tap = (r / CO) | 0
    const kh = (tap / KW) | 0
    const kw = tap - kh * KW
    // ix range where ox = ix - kw + pl lies in [0, OW)
    const ixLo = Math.max(0, kw - pl)
    const ixHi = Math.min(W, OW + kw - pl)
    const rowBase = unf + r * n
    for (let b = 0; b < bc; b++) {
      for (let iy = 0; iy < H; iy++) {
        const d = rowBase + (b * H + iy) * W
        const oy = iy - kh + pt
        if (oy < 0 || oy >= OH || ixHi <= ixLo) {
          heap.fill(0, d, d + W)
          continue
        }
        if (ixLo > 0) heap.fill(0, d, d + ixLo)
        if (ixHi < W) heap.fill(0, d + ixHi, d + W)
        const src = dy + ((b * OH + oy) * OW + (ixLo - kw + pl)) * CO + co
        if (CO === 1) {
          heap.copyWithin(d + ixLo, src, src + ixHi - ixLo)
        } else {
          for (let ix = ixLo, q = src; ix < ixHi; ix++, q += CO) heap[d + ix] = heap[q]
        }
      }
    }
  }
}

/**
 * One stride phase of conv2dTranspose into dx, images [lo, hi):
 * out[b, fy + u*sy, fx + v*sx, :] = z[b, u, v, :] for u < cy, v < cx.
 */
function scatterPhase(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const z = ctl[8]
  const out = ctl[9]
  const H = ctl[10]
  const W = ctl[11]
  const CI = ctl[12]
  const fy = ctl[13]
  const cy = ctl[14]
  const fx = ctl[15]
  const cx = ctl[16]
  const sy = ctl[17]
  const sx = ctl[18]
  for (let b = lo; b < hi; b++) {
    let s = z + b * cy * cx * CI
    for (let u = 0, iy = fy; u < cy; u++, iy += sy) {
      let o = out + ((b * H + iy) * W + fx) * CI
      // copyWithin: a memmove without the subarray allocated per pixel by set(subarray)
      for (let v = 0; v < cx; v++, o += sx * CI, s += CI) heap.copyWithin(o, s, s + CI)
    }
  }
}

/**
 * The col2im sum of conv2DFewOutputs (wasm-kernels.ts), images [lo, hi) of a chunk:
 * out[b,oy,ox,co] = bias[co] + sum over in-bounds taps (kh, then kw ascending) of
 * p[b, oy*sy+kh-pt, ox*sx+kw-pl, (kh,kw,co)]; p is [bc, H, W, T] with T = KH*KW*CO, out
 * points at the chunk's first image; bias < 0 means none.
 */
function col2imFew(heap: Float32Array, ctl: Int32Array, _ctlF: Float32Array, lo: number, hi: number): void {
  const a = 8
  const p = ctl[a]
  const out = ctl[a + 1]
  const bias = ctl[a + 2]
  const H = ctl[a + 3]
  const W = ctl[a + 4]
  const OH = ctl[a + 5]
  const OW = ctl[a + 6]
  const CO = ctl[a + 7]
  const KH = ctl[a + 8]
  const KW = ctl[a + 9]
  const sy = ctl[a + 10]
  const sx = ctl[a + 11]
  const pt = ctl[a + 12]
  const pl = ctl[a + 13]
  const T = KH * KW * CO
  // Moving one tap right (kw + 1) moves one pixel right in p: a stride of T + CO.
  const tapStep = T + CO
  for (let b = lo; b < hi; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const khLo = Math.max(0, pt - oy * sy)
      const khHi = Math.min(KH, H + pt - oy * sy)
      for (let ox = 0; ox < OW; ox++) {
        const kwLo = Math.max(0, pl - ox * sx)
        const kwHi = Math.min(KW, W + pl - ox * sx)
        const o = out + ((b * OH + oy) * OW + ox) * CO
        for (let co = 0; co < CO; co++) {
          let acc = bias < 0 ? 0 : heap[bias + co]
          for (let kh = khLo; kh < khHi; kh++) {
            const iy = oy * sy + kh - pt
            let s = p + ((b * H + iy) * W + ox * sx + kwLo - pl) * T + (kh * KW + kwLo) * CO + co
            for (let kw = kwLo; kw < kwHi; kw++, s += tapStep) acc += heap[s]
          }
          heap[o + co] = acc
        }
      }
    }
  }
}

/**
 * One Adam step per element, in float32 with tfjs's AdamOptimizer's operations in its order
 * (every intermediate rounded with Math.fround as its kernels round), so the result is bit
 * for bit what its 13 kernels per variable give: m' = m*b1 + g*(1-b1), v' = v*b2 + g*g*(1-b2),
 * x' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * -lr + x. Writes x', m' and v' to new buffers
 * (the matrix-product kernels cache packed weights by buffer, so a weight is never changed in place).
 */
function adamUpdate(heap: Float32Array, ctl: Int32Array, ctlF: Float32Array, lo: number, hi: number): void {
  const x = ctl[8]
  const m = ctl[9]
  const v = ctl[10]
  const g = ctl[11]
  const outX = ctl[12]
  const outM = ctl[13]
  const outV = ctl[14]
  const b1 = ctlF[15]
  const c1 = ctlF[16]
  const b2 = ctlF[17]
  const c2 = ctlF[18]
  const d1 = ctlF[19]
  const d2 = ctlF[20]
  const eps = ctlF[21]
  const negLr = ctlF[22]
  const r = Math.fround
  for (let i = lo; i < hi; i++) {
    const gi = heap[g + i]
    const mi = r(r(heap[m + i] * b1) + r(gi * c1))
    const vi = r(r(heap[v + i] * b2) + r(r(gi * gi) * c2))
    heap[outM + i] = mi
    heap[outV + i] = vi
    const denom = r(r(Math.sqrt(r(vi / d2))) + eps)
    heap[outX + i] = r(r(r(mi / d1) / denom) * negLr) + heap[x + i]
  }
}

/** Op numbers, in the order of LOOPS. */
export const OPS = { im2colTaps: 0, greaterScalar: 1, greaterSame: 2, select32: 3, sumLeading: 4, floor32: 5, scatterPhase: 6, col2imFew: 7, leakyReluGrad: 8, dropoutMask: 9, winoInput: 10, winoOutput: 11, winoStridedInput: 12, unfoldDyRows: 13, adamUpdate: 14 } as const
const LOOPS: Loop[] = [im2colTaps, greaterScalar, greaterSame, select32, sumLeading, floor32, scatterPhase, col2imFew, leakyReluGrad, dropoutMask, winoInput, winoOutput, winoStridedInput, unfoldDyRows, adamUpdate]

function workerSource(): string {
  // Plain CommonJS, run with eval: the loops' own source text (as expressions, whatever
  // form a bundler gives them) plus the job loop.
  return `'use strict'
const { workerData } = require('node:worker_threads')
const { memory, control } = workerData
const ctl = new Int32Array(control)
const ctlF = new Float32Array(control)
const LOOPS = [
${LOOPS.map((f) => `(${f.toString()})`).join(',\n')}
]
let heap = new Float32Array(memory.buffer)
let seen = 0
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen)
  if (Atomics.load(ctl, ${STOP}) !== 0) break
  seen = Atomics.load(ctl, ${SEQ})
  if (memory.buffer.byteLength !== heap.byteLength) heap = new Float32Array(memory.buffer)
  try {
    LOOPS[ctl[${OP}]](heap, ctl, ctlF, ctl[${LO}], ctl[${HI}])
  } catch (err) {
    Atomics.store(ctl, ${FAILED}, 1)
  }
  Atomics.store(ctl, ${DONE}, seen)
  Atomics.notify(ctl, ${DONE})
}
`
}

interface WasmHelper {
  ctl: Int32Array
  ctlF: Float32Array
  /** Runs [mid, hi) on the helper and [lo, mid) here; returns when both are done. */
  run(op: number, heap: Float32Array, lo: number, mid: number, hi: number): void
  stop(): void
}

let helper: WasmHelper | null = null
/** Argument slots when there is no helper (an ArrayBuffer: SharedArrayBuffer may be missing). */
const localControl = new ArrayBuffer(SLOTS * 4)
const local = { ctl: new Int32Array(localControl), ctlF: new Float32Array(localControl) }

/**
 * Starts the helper thread on a shared wasm memory (idempotent: the first one is kept).
 * Resolves when the thread runs; rejects when it cannot start.
 */
export async function startWasmHelper(memory: WebAssembly.Memory): Promise<void> {
  if (helper !== null) return
  if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('the wasm memory is not shared')
  const control = new SharedArrayBuffer(SLOTS * 4)
  const ctl = new Int32Array(control)
  const ctlF = new Float32Array(control)
  const worker = new Worker(workerSource(), { eval: true, workerData: { memory, control } })
  await new Promise<void>((resolve, reject) => {
    worker.once('online', () => resolve())
    worker.once('error', reject)
  })
  // It never holds a process open; stop() ends it.
  worker.unref()
  let seq = 0
  let alive = true
  worker.on('error', () => {
    alive = false
  })
  worker.on('exit', () => {
    alive = false
  })
  helper = {
    ctl,
    ctlF,
    run(op, heap, lo, mid, hi) {
      if (!alive || mid >= hi) {
        LOOPS[op](heap, ctl, ctlF, lo, hi)
        return
      }
      seq++
      ctl[OP] = op
      ctl[LO] = mid
      ctl[HI] = hi
      Atomics.store(ctl, SEQ, seq)
      Atomics.notify(ctl, SEQ)
      LOOPS[op](heap, ctl, ctlF, lo, mid)
      const t0 = Date.now()
      let done: number
      while ((done = Atomics.load(ctl, DONE)) !== seq) {
        if (Atomics.wait(ctl, DONE, done, 1000) === 'timed-out' && Date.now() - t0 > STALL_MS) {
          alive = false
          throw new Error('the wasm helper thread stopped responding')
        }
      }
      if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new Error(`the wasm helper thread failed in ${LOOPS[op].name}`)
    },
    stop() {
      if (!alive) return
      alive = false
      Atomics.store(ctl, STOP, 1)
      Atomics.add(ctl, SEQ, 1)
      Atomics.notify(ctl, SEQ)
      void worker.terminate()
    }
  }
}

let splitting = true

/**
 * Turns the splitting of loops on or off while the helper keeps running (off: every loop
 * runs on the calling thread). For tests and benchmarks that compare the two.
 */
export function setWasmHelperSplitting(on: boolean): void {
  splitting = on
}

/** Whether loops are split with a helper thread. */
export function hasWasmHelper(): boolean {
  return helper !== null && splitting
}

/** Ends the helper thread (idempotent); loops run on this thread afterwards. */
export function stopWasmHelper(): void {
  helper?.stop()
  helper = null
}

/**
 * The argument slots of the next loop: ints from index ARG on, and the same slots as
 * float32. Write them, then call runLoop.
 */
export function loopArgs(): { i: Int32Array; f: Float32Array } {
  return helper === null ? { i: local.ctl, f: local.ctlF } : { i: helper.ctl, f: helper.ctlF }
}

/**
 * Runs loop `op` over [lo, hi): with a helper, [mid, hi) there and [lo, mid) here (mid
 * defaults to the middle), else all here. `heap` is a Float32Array over the whole wasm
 * memory on this thread.
 */
export function runLoop(op: number, heap: Float32Array, lo: number, hi: number, mid = lo + ((hi - lo) >> 1)): void {
  if (helper === null) {
    LOOPS[op](heap, local.ctl, local.ctlF, lo, hi)
  } else if (!splitting) {
    LOOPS[op](heap, helper.ctl, helper.ctlF, lo, hi)
  } else {
    helper.run(op, heap, lo, mid, hi)
  }
}
