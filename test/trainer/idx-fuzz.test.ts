// Seeded fuzz test of the IDX reader: mutated image and label files must either parse to
// something consistent or be refused with a DATA_ERROR that names the file. Any other
// exception is a bug. A failure prints the seed and case index; rerun one case with
// IDX_FUZZ_SEED=<seed> IDX_FUZZ_CASE=<index>.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LabError } from '@shared/errors'
import { combineImagesAndLabels, parseIdx, type LabelledImages } from '../../src/main/common/idx'
import { loadMnist, MNIST_FILES } from '../../src/main/trainer/data/mnist'
import { mulberry32 } from '../../src/main/common/random'
import { idxBytes } from '../helpers/idx'

const SEED = Number(process.env.IDX_FUZZ_SEED ?? 0x1d8f00d)
const CASES = 3000
const ONLY_CASE = process.env.IDX_FUZZ_CASE === undefined ? null : Number(process.env.IDX_FUZZ_CASE)
/** Every n-th case also goes through loadMnist via files on disk. */
const DISK_EVERY = 10

const IMAGE_SOURCE = 'fuzz-images.idx'
const LABEL_SOURCE = 'fuzz-labels.idx'

type Rand = () => number

const int = (rand: Rand, n: number): number => Math.floor(rand() * n)
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[int(rand, xs.length)]

/** A small valid pair: `count` images of h x w and as many labels 0-9. */
function validPair(rand: Rand): { images: Uint8Array; labels: Uint8Array } {
  const [count, h, w] = rand() < 0.3 ? [1 + int(rand, 3), 28, 28] : [1 + int(rand, 6), 1 + int(rand, 6), 1 + int(rand, 6)]
  const pixels = Uint8Array.from({ length: count * h * w }, () => int(rand, 256))
  const labels = Uint8Array.from({ length: count }, () => int(rand, 10))
  return { images: idxBytes([count, h, w], pixels), labels: idxBytes([count], labels) }
}

const HUGE_DIMS = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 65537, 46341]

/** One random mutation; returns the new bytes (never mutates the input). */
function mutate(bytes: Uint8Array, rand: Rand): Uint8Array {
  const out = Uint8Array.from(bytes)
  const rank = out.length >= 4 ? out[3] : 0
  const headerLength = Math.min(out.length, 4 + 4 * rank)
  switch (int(rand, 10)) {
    case 0: {
      // bit flip anywhere
      if (out.length === 0) return out
      out[int(rand, out.length)] ^= 1 << int(rand, 8)
      return out
    }
    case 1: {
      // byte overwrite in the header
      if (headerLength === 0) return out
      out[int(rand, headerLength)] = int(rand, 256)
      return out
    }
    case 2: {
      // byte overwrite in the body (labels become > 9 here often)
      if (out.length <= headerLength) return out
      out[headerLength + int(rand, out.length - headerLength)] = pick(rand, [10, 11, 127, 255, int(rand, 256)])
      return out
    }
    case 3:
      // truncation at a random length (including 0 and inside the header)
      return out.subarray(0, int(rand, out.length + 1))
    case 4: {
      // appended bytes
      const extra = Uint8Array.from({ length: 1 + int(rand, 16) }, () => int(rand, 256))
      const grown = new Uint8Array(out.length + extra.length)
      grown.set(out)
      grown.set(extra, out.length)
      return grown
    }
    case 5:
    case 6: {
      // a header dimension set to a huge value or 0
      if (rank === 0 || out.length < 8) return out
      const i = int(rand, rank)
      if (4 + 4 * i + 4 > out.length) return out
      new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(4 + 4 * i, pick(rand, HUGE_DIMS), false)
      return out
    }
    case 7:
      // rank byte changed
      if (out.length >= 4) out[3] = pick(rand, [0, 1, 2, 3, 4, 255, int(rand, 256)])
      return out
    case 8:
      // type byte changed
      if (out.length >= 3) out[2] = pick(rand, [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x00, 0xff])
      return out
    default: {
      // magic bytes changed
      if (out.length >= 2) out[int(rand, 2)] = 1 + int(rand, 255)
      return out
    }
  }
}

function mutateSome(bytes: Uint8Array, rand: Rand): Uint8Array {
  let out = bytes
  const n = 1 + int(rand, 3)
  for (let i = 0; i < n; i++) out = mutate(out, rand)
  return out
}

/** The pairing loadMnist does, in memory. */
function pairInMemory(images: Uint8Array, labels: Uint8Array): LabelledImages {
  return combineImagesAndLabels(parseIdx(images, IMAGE_SOURCE, 3), parseIdx(labels, LABEL_SOURCE, 1), IMAGE_SOURCE, LABEL_SOURCE)
}

function checkSet(set: LabelledImages, where: string): void {
  expect(Number.isInteger(set.count) && set.count > 0, `${where}: count ${set.count}`).toBe(true)
  expect(set.pixels.length, `${where}: pixels length vs dims`).toBe(set.count * set.height * set.width)
  expect(set.labels, `${where}: labels missing`).not.toBeNull()
  expect(set.labels!.length, `${where}: labels count vs image count`).toBe(set.count)
  expect(
    set.labels!.every((l) => l <= 9),
    `${where}: labels must be 0-9`
  ).toBe(true)
}

/** Runs `fn`; a result goes to `check`, an error must be a DATA_ERROR LabError naming one of `sources`. */
function expectParsedOrRefused<T>(fn: () => T, check: (r: T) => void, sources: string[], where: string): 'ok' | 'refused' {
  let result: T
  try {
    result = fn()
  } catch (err) {
    const desc = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    expect(err instanceof LabError, `${where}: threw a non-LabError ${desc}`).toBe(true)
    const e = err as LabError
    expect(e.code, `${where}: wrong code for ${desc}`).toBe('DATA_ERROR')
    expect(
      sources.some((s) => e.message.startsWith(`${s}: `)),
      `${where}: message does not start with the source name: ${e.message}`
    ).toBe(true)
    return 'refused'
  }
  check(result)
  return 'ok'
}

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('IDX reader under fuzzing', () => {
  it(`accepts or cleanly refuses ${CASES} mutated image/label pairs (seed ${SEED})`, { timeout: 20_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-fuzz-'))
    dirs.push(dir)
    const imagePath = join(dir, MNIST_FILES.testImages)
    const labelPath = join(dir, MNIST_FILES.testLabels)
    const tally = { ok: 0, refused: 0 }
    const started = performance.now()
    for (let c = 0; c < CASES; c++) {
      if (ONLY_CASE !== null && c !== ONLY_CASE) continue
      // Each case has its own stream, so one case reproduces without running the others.
      const rand = mulberry32((SEED ^ Math.imul(c + 1, 0x9e3779b1)) >>> 0)
      const where = `seed ${SEED} case ${c}`
      const valid = validPair(rand)
      const target = int(rand, 4) // 0: images, 1: labels, 2: both, 3: both, independently
      const images = target === 1 ? valid.images : mutateSome(valid.images, rand)
      const labels = target === 0 ? valid.labels : mutateSome(valid.labels, rand)

      // Each file alone, with its expected rank.
      expectParsedOrRefused(
        () => parseIdx(images, IMAGE_SOURCE, 3),
        (r) => {
          expect(r.dims.length, `${where}: image rank`).toBe(3)
          expect(r.data.length, `${where}: image data length vs dims`).toBe(r.dims.reduce((a, b) => a * b, 1))
        },
        [IMAGE_SOURCE],
        `${where} (images)`
      )
      expectParsedOrRefused(
        () => parseIdx(labels, LABEL_SOURCE, 1),
        (r) => {
          expect(r.dims.length, `${where}: label rank`).toBe(1)
          expect(r.data.length, `${where}: label data length vs dims`).toBe(r.dims[0])
        },
        [LABEL_SOURCE],
        `${where} (labels)`
      )
      // Without an expected rank, any rank the header declares.
      expectParsedOrRefused(
        () => parseIdx(images, IMAGE_SOURCE),
        (r) => expect(r.data.length, `${where}: free-rank data length vs dims`).toBe(r.dims.reduce((a, b) => a * b, 1)),
        [IMAGE_SOURCE],
        `${where} (images, any rank)`
      )
      // The pairing, in memory.
      const outcome = expectParsedOrRefused(() => pairInMemory(images, labels), (s) => checkSet(s, where), [IMAGE_SOURCE, LABEL_SOURCE], `${where} (pair)`)
      tally[outcome]++

      // The same pair through loadMnist, from disk.
      if (c % DISK_EVERY === 0) {
        writeFileSync(imagePath, images)
        writeFileSync(labelPath, labels)
        expectParsedOrRefused(
          () => loadMnist('test', dir),
          (s) => {
            checkSet(s, `${where} (loadMnist)`)
            expect([s.height, s.width], `${where}: loadMnist accepted non-28x28 images`).toEqual([28, 28])
          },
          [imagePath, labelPath],
          `${where} (loadMnist)`
        )
      }
    }
    const ms = performance.now() - started
    // Both outcomes must actually occur, or the mutations are not exercising the reader.
    if (ONLY_CASE === null) {
      expect(tally.ok, 'no mutated pair parsed').toBeGreaterThan(0)
      expect(tally.refused, 'no mutated pair was refused').toBeGreaterThan(0)
    }
    console.log(`idx fuzz: seed ${SEED}, ${CASES} cases, ${tally.ok} parsed, ${tally.refused} refused, ${ms.toFixed(0)} ms`)
  })

  it('refuses a 0 or huge dimension in every position, naming the file', () => {
    for (let i = 0; i < 3; i++) {
      for (const d of HUGE_DIMS) {
        const bytes = idxBytes([2, 3, 4], new Uint8Array(24))
        new DataView(bytes.buffer).setUint32(4 + 4 * i, d, false)
        const where = `dim ${i} = ${d}`
        const outcome = expectParsedOrRefused(() => parseIdx(bytes, IMAGE_SOURCE, 3), () => undefined, [IMAGE_SOURCE], where)
        expect(outcome, where).toBe([2, 3, 4][i] === d ? 'ok' : 'refused')
      }
    }
  })
})
