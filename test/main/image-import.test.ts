// Colour data end to end: CIFAR-10 binary batches and folders of PNG/JPEG images become
// 3-channel data sets, the presets build colour models for them, a run trains and its
// sample grid is in colour. Broken, lying and hostile files are refused by name (and fuzzed).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { LabError } from '@shared/errors'
import { IMAGES_FILE, LABELS_FILE } from '../../src/main/services/dataset-import'
import { prepareCifarBytes, CIFAR_RECORD } from '../../src/main/services/image-import'
import { parseIdx } from '../../src/main/common/idx'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { decodePng } from '../../src/main/common/grid'
import { buildModels } from '../../src/main/trainer/models/presets'
import { mulberry32 } from '../../src/main/common/random'
import { tf } from '../../src/main/trainer/tf'

// Models are built in this process for the shape checks; the plain JS backend is enough.
beforeAll(async () => {
  await tf.setBackend('cpu')
})

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9)
const labs: Lab[] = []
function newLab(): Lab {
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'lab-img-')), launcher: forkLauncher(), version: 'test', transport: 'ipc' })
  labs.push(lab)
  return lab
}
afterEach(() => {
  for (const lab of labs.splice(0)) lab.close()
})

/** CIFAR records whose red plane is 200 + label, green 100, blue 10 + pixel row. */
function cifarBatch(count: number): Uint8Array {
  const out = new Uint8Array(count * CIFAR_RECORD)
  for (let r = 0; r < count; r++) {
    const at = r * CIFAR_RECORD
    out[at] = r % 10
    for (let p = 0; p < 1024; p++) {
      out[at + 1 + p] = 200 + (r % 10)
      out[at + 1 + 1024 + p] = 100
      out[at + 1 + 2048 + p] = 10 + Math.floor(p / 32)
    }
  }
  return out
}

function pngFile(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const png = new PNG({ width: w, height: h })
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rgb(x, y)
      png.data.set([r, g, b, 255], (y * w + x) * 4)
    }
  }
  return PNG.sync.write(png)
}

function refusal(fn: () => unknown): LabError {
  try {
    fn()
  } catch (err) {
    if (err instanceof LabError) return err
    throw err
  }
  throw new Error('expected a LabError')
}

describe('CIFAR-10 batches', () => {
  it('imports records as 32x32 RGB images with labels, trains an MLP on them and draws the grid in colour', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cifar-'))
    writeFileSync(join(dir, 'data_batch_1.bin'), cifarBatch(60))
    writeFileSync(join(dir, 'data_batch_2.bin'), cifarBatch(40))
    const lab = newLab()
    const info = lab.datasets.importFiles([join(dir, 'data_batch_1.bin'), join(dir, 'data_batch_2.bin')], undefined)
    expect(info).toMatchObject({ name: 'CIFAR-10', kind: 'images', image: { height: 32, width: 32, channels: 3 }, count: 100, classes: 10 })

    const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'cifar', seed: 2, epochs: 1, stepsPerEpoch: 5, batchSize: 16, backend: 'wasm', dataset: info.id })
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 1 })
    const grid = decodePng(lab.metrics.grid(run.id, 1)!.png)
    expect([grid.width, grid.height]).toEqual([10 * 32 + 11, 10 * 32 + 11])
    let colour = 0
    for (let i = 0; i < grid.rgba.length; i += 4) if (grid.rgba[i] !== grid.rgba[i + 1] || grid.rgba[i + 1] !== grid.rgba[i + 2]) colour++
    expect(colour).toBeGreaterThan(1000)
  })

  it('puts the red, green and blue planes into interleaved pixels', () => {
    const prepared = prepareCifarBytes([{ bytes: cifarBatch(3), source: 'b.bin' }])
    const dir = mkdtempSync(join(tmpdir(), 'cifar-w-'))
    prepared.write(dir)
    expect(prepared.valueRange).toEqual({ min: 10, max: 202 })
    const images = parseIdx(readFileSync(join(dir, IMAGES_FILE)), 'images')
    expect(images.dims).toEqual([3, 32, 32, 3])
    const pixel = (n: number, y: number, x: number): number[] => Array.from(images.data.subarray(((n * 32 + y) * 32 + x) * 3, ((n * 32 + y) * 32 + x) * 3 + 3))
    expect(pixel(0, 0, 0)).toEqual([200, 100, 10])
    expect(pixel(0, 5, 31)).toEqual([200, 100, 15])
    expect(pixel(2, 31, 0)).toEqual([202, 100, 41])
    expect(Array.from(parseIdx(readFileSync(join(dir, LABELS_FILE)), 'labels', 1).data)).toEqual([0, 1, 2])
  })

  it('builds colour DCGAN and MLP models for 32x32x3 and refuses a side the DCGAN cannot reach', () => {
    const dc = buildModels('mnist-dcgan', 16, 'dropout', [32, 32, 3])
    expect(dc.generator.outputs[0].shape).toEqual([null, 32, 32, 3])
    expect(dc.discriminator.inputs[0].shape).toEqual([null, 32, 32, 3])
    expect(() => buildModels('mnist-dcgan', 16, 'dropout', [30, 30, 3])).toThrow(/multiple of 4/)
    const mlp = buildModels('mnist-mlp', 16, 'dropout', [32, 32, 3])
    expect(mlp.generator.outputs[0].shape).toEqual([null, 32, 32, 3])
    for (const m of [dc, mlp]) {
      m.generator.dispose()
      m.discriminator.dispose()
    }
  })

  it('refuses a cut-off record and a label out of range, naming record and byte', () => {
    const cut = cifarBatch(2).subarray(0, CIFAR_RECORD + 100)
    expect(refusal(() => prepareCifarBytes([{ bytes: cut, source: 'cut.bin' }])).message).toBe(
      `cut.bin is ${CIFAR_RECORD + 100} bytes, not a whole number of 3073-byte CIFAR-10 records: record 2 is cut off at byte 3073`
    )
    const bad = cifarBatch(3)
    bad[2 * CIFAR_RECORD] = 12
    expect(refusal(() => prepareCifarBytes([{ bytes: bad, source: 'bad.bin' }])).message).toBe('bad.bin: record 3 (byte 6146) has label 12; CIFAR-10 labels are 0 to 9')
  })

  it(`imports or refuses 2000 mutated batches (seed ${SEED})`, () => {
    const rand = mulberry32(SEED)
    const base = cifarBatch(4)
    let ok = 0
    for (let n = 0; n < 2000; n++) {
      let bytes = base.slice()
      const kind = n % 3
      if (kind === 0) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length))
      // Labels of 0..11: most mutated batches stay valid, some name a label out of range.
      else if (kind === 1) for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * 4) * CIFAR_RECORD] = Math.floor(rand() * 12)
      else bytes = new Uint8Array([...bytes, ...Array.from({ length: 1 + Math.floor(rand() * 5000) }, () => Math.floor(rand() * 256))])
      try {
        const p = prepareCifarBytes([{ bytes, source: 'fuzz.bin' }])
        expect(p.summary.count * CIFAR_RECORD).toBe(bytes.length)
        ok++
      } catch (err) {
        expect(err).toBeInstanceOf(LabError)
      }
    }
    expect(ok).toBeGreaterThan(0)
  })
})

describe('image folders', () => {
  it('centre-crops and resizes PNG and JPEG images of any size to the chosen square, in colour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'folder-'))
    writeFileSync(join(dir, 'a.png'), pngFile(40, 20, (x) => (x < 20 ? [255, 0, 0] : [0, 0, 255])))
    const raw = Buffer.alloc(24 * 24 * 4)
    for (let i = 0; i < raw.length; i += 4) raw.set([0, 200, 0, 255], i)
    writeFileSync(join(dir, 'b.jpg'), jpeg.encode({ data: raw, width: 24, height: 24 }, 95).data)
    writeFileSync(join(dir, 'notes.txt'), 'not an image')
    const lab = newLab()
    const info = lab.datasets.importFiles([dir], 'shapes', { size: 8 })
    expect(info).toMatchObject({ name: 'shapes', image: { height: 8, width: 8, channels: 3 }, count: 2, classes: null })
  })

  it('keeps grey folders grey, and refuses a broken or lying image by name', () => {
    const grey = mkdtempSync(join(tmpdir(), 'grey-'))
    for (let i = 0; i < 3; i++) writeFileSync(join(grey, `${i}.png`), pngFile(10, 10, (x) => [x * 20 + i, x * 20 + i, x * 20 + i]))
    const lab = newLab()
    expect(lab.datasets.importFiles([grey], undefined, { size: 4 })).toMatchObject({ image: { height: 4, width: 4, channels: 1 }, count: 3 })

    const broken = join(tmpdir(), `broken-${Date.now()}`)
    mkdirSync(broken)
    writeFileSync(join(broken, 'ok.png'), pngFile(4, 4, () => [1, 2, 3]))
    writeFileSync(join(broken, 'x.png'), pngFile(4, 4, () => [1, 2, 3]).subarray(0, 40))
    expect(refusal(() => lab.datasets.importFiles([broken], undefined)).message).toMatch(/x\.png: its header says 4x4 pixels .* too few for that: the file is damaged or truncated/)

    const lying = join(tmpdir(), `lying-${Date.now()}`)
    mkdirSync(lying)
    const big = pngFile(4, 4, () => [0, 0, 0])
    big.writeUInt32BE(100_000, 16)
    writeFileSync(join(lying, 'big.png'), big)
    expect(refusal(() => lab.datasets.importFiles([lying], undefined)).message).toMatch(/big\.png: a PNG of 100000x4; at most 8192 pixels a side are read/)
    expect(refusal(() => lab.datasets.importFiles([grey], undefined, { size: 3 })).message).toMatch(/image size must be a whole number from 4 to 256, got 3/)
    expect(lab.datasets.repo.list()).toHaveLength(1)
  })
})
