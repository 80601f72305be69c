// Seeded randomness for repeatable runs. tfjs draws a fresh seed from Math.random for
// every unseeded op (initialisers, dropout masks), so the trainer process, which belongs
// to one run, replaces Math.random with a generator seeded from the run's seed.

/** mulberry32: small, fast, good enough for shuffles and seeds. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function seedGlobalRandom(seed: number): void {
  Math.random = mulberry32(seed ^ 0x9e3779b9)
}

/**
 * The seed of one epoch's randomness (tfjs ops, dropout, the data order), derived from the run's
 * seed alone, so a run resumed at an epoch boundary draws exactly what it would have drawn.
 */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) + Math.imul(epoch, 0x27d4eb2f)) >>> 0
}

/** Fisher-Yates shuffle of 0..n-1 driven by `rand`. */
export function permutation(n: number, rand: () => number): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  return out
}

/** Standard normal samples by Box-Muller, so the fixed latent batch depends only on the seed. */
export function gaussian(n: number, rand: () => number): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12)
    const v = rand()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = r * Math.cos(2 * Math.PI * v)
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v)
  }
  return out
}
