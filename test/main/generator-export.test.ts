// Integration: a trained run's generator exported with generated samples. The model folder loads
// with plain tfjs, the samples are that generator's outputs, and the IDX file is read back by the
// project's reader and by an independent one (numpy when python3 has it, else one written here
// from the IDX spec).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { beforeAll, describe, expect, it } from 'vitest'
import type { GeneratorExport } from '@shared/api'
import { PRESETS } from '@shared/config'
import { dispatch } from '../../src/main/services/dispatch'
import { useTempLabs } from '../helpers/lab'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { parseIdx, writeIdx } from '../../src/main/common/idx'
import { decodePng } from '../../src/main/common/grid'
import { tf } from '../../src/main/trainer/tf'
import { fixedLatentBatch } from '../../src/main/trainer/train'

const labs = useTempLabs('generator-export', 'file')
let dataDir: string
let lab: Lab
let runId: number
const latentDim = PRESETS['mnist-mlp'].defaults.latentDim

beforeAll(async () => {
  lab = labs.newLab()
  dataDir = labs.dataDirOf(lab)
  const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'export me', seed: 11, epochs: 1, stepsPerEpoch: 10, batchSize: 32, backend: 'wasm' })
  runId = run.id
  expect((await lab.waitForEnd(run.id)).status).toBe('completed')
}, 120_000)

async function exportVia(target: Lab, req: unknown): Promise<GeneratorExport> {
  const res = await dispatch(target.handlers, 'runs:export-generator', req)
  if (!res.ok) throw new Error(res.error.message)
  return res.data as GeneratorExport
}

/** A tfjs IOHandler over the exported files: model.json and the weight files it lists, nothing of the lab's. */
function filesHandler(read: (name: string) => Uint8Array): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(new TextDecoder().decode(read('model.json'))) as {
        modelTopology: object
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]
      }
      const parts = json.weightsManifest.flatMap((g) => g.paths.map((p) => read(p)))
      const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
      let offset = 0
      for (const p of parts) {
        weightData.set(p, offset)
        offset += p.length
      }
      return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: weightData.buffer }
    }
  }
}

/** IDX straight from the spec (yann.lecun.com/exdb/mnist): magic, big-endian dims, bytes. */
function minimalIdxReader(bytes: Uint8Array): { type: number; dims: number[]; sum: number } {
  const dims: number[] = []
  for (let i = 0; i < bytes[3]; i++) dims.push(((bytes[4 + 4 * i] << 24) >>> 0) + (bytes[5 + 4 * i] << 16) + (bytes[6 + 4 * i] << 8) + bytes[7 + 4 * i])
  let sum = 0
  for (let i = 4 + 4 * dims.length; i < bytes.length; i++) sum += bytes[i]
  return { type: bytes[2], dims, sum }
}

function pythonNumpyReader(path: string): { type: number; dims: number[]; sum: number } | null {
  const script = [
    'import struct, sys, numpy as np',
    'raw = open(sys.argv[1], "rb").read()',
    'zero, dtype, rank = struct.unpack(">HBB", raw[:4])',
    'dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])',
    'a = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)',
    'print(dtype, ",".join(map(str, a.shape)), int(a.astype(np.int64).sum()))'
  ].join('\n')
  try {
    const [type, dims, sum] = execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }).trim().split(' ')
    return { type: Number(type), dims: dims.split(',').map(Number), sum: Number(sum) }
  } catch {
    return null
  }
}

describe('IDX writer', () => {
  it('writes what the reader reads and refuses dimensions that do not fit the data', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10)
    const bytes = writeIdx([2, 3, 4], data)
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
    expect(parseIdx(bytes, 't', 3)).toEqual({ dims: [2, 3, 4], data })
    expect(() => writeIdx([2, 3, 5], data)).toThrow('IDX dimensions 2 x 3 x 5 need 30 bytes, the data has 24')
    expect(() => writeIdx([0, 24], data)).toThrow('IDX dimension 0 is not a whole number from 1 to 4294967295')
  })
})

describe('runs:export-generator', () => {
  it('zips the generator folder, N samples as PNG and IDX, and where they came from', async () => {
    const res = await exportVia(lab, { id: runId, epoch: 1, samples: 12, seed: 5 })
    expect(res.kind).toBe('zip')
    if (res.kind !== 'zip') return
    const stem = `run-${runId}-epoch-1-generator`
    expect(res.filename).toBe(`${stem}.zip`)
    const zip = unzipSync(Buffer.from(res.base64, 'base64'))
    const read = (name: string): Uint8Array => zip[`${stem}/${name}`] ?? (() => { throw new Error(`missing ${name}`) })()
    expect(Object.keys(zip).filter((n) => n.endsWith('.png'))).toHaveLength(12)
    expect(res.files).toContain('samples/sample-00012.png')
    const about = JSON.parse(new TextDecoder().decode(read('export.json'))) as Record<string, unknown>
    expect(about).toMatchObject({ runId, runName: 'export me', epoch: 1, seed: 5, latentDim, latent: 'gaussian' })

    // The folder loads with plain tfjs and draws 28x28 grey images.
    await selectBackend('wasm')
    const generator = await tf.loadLayersModel(filesHandler((name) => read(`generator/${name}`)))
    const z = tf.tensor2d(fixedLatentBatch(5, latentDim, 12), [12, latentDim])
    const out = generator.predict(z) as tf.Tensor
    expect(out.shape).toEqual([12, 28, 28, 1])
    const expected = Array.from(await out.data(), (v) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5))))
    tf.dispose([z, out])
    generator.dispose()

    // The IDX holds exactly those images (the samples are the generator's, not placeholders).
    const idxBytes = read('samples-images-idx3-ubyte')
    const idx = parseIdx(idxBytes, 'samples', 3)
    expect(idx.dims).toEqual([12, 28, 28])
    let worst = 0
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(idx.data[i] - expected[i]))
    expect(worst).toBeLessThanOrEqual(1)
    expect(new Set(idx.data).size).toBeGreaterThan(10)

    // PNG file 3 is image 3 of the IDX.
    const png = decodePng(Buffer.from(read('samples/sample-00003.png')))
    expect([png.width, png.height]).toEqual([28, 28])
    const third = idx.data.subarray(2 * 784, 3 * 784)
    expect(Array.from({ length: 784 }, (_, p) => png.rgba[p * 4])).toEqual(Array.from(third))

    // An independent reader agrees.
    const sum = idx.data.reduce((a, b) => a + b, 0)
    expect(minimalIdxReader(idxBytes)).toEqual({ type: 8, dims: [12, 28, 28], sum })
    const path = join(mkdtempSync(join(tmpdir(), 'idx-')), 'samples-images-idx3-ubyte')
    writeFileSync(path, idxBytes)
    const numpy = pythonNumpyReader(path)
    if (numpy) expect(numpy).toEqual({ type: 8, dims: [12, 28, 28], sum })
    else console.warn('python3 with numpy is not available here: the IDX was checked with the minimal reader only')
  }, 120_000)

  it('in Electron writes a new folder under the chosen one, never over an earlier export, and does nothing when cancelled', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'chosen-'))
    let answer: string | null = parent
    const titles: string[] = []
    // A second lab on the same folder, beside the one that holds it: exports only, so shared.
    const desktop = new Lab({
      dataDir,
      launcher: forkLauncher(),
      version: 'test',
      transport: 'ipc',
      access: 'shared',
      chooseFolder: async (title) => {
        titles.push(title)
        return answer
      }
    })
    try {
      const first = await exportVia(desktop, { id: runId, epoch: 1, samples: 3 })
      const stem = `run-${runId}-epoch-1-generator`
      expect(first).toMatchObject({ kind: 'folder', path: join(parent, stem) })
      expect(titles).toEqual([`Folder for the generator of "export me" at epoch 1`])
      expect(readdirSync(join(parent, stem, 'samples'))).toEqual(['sample-00001.png', 'sample-00002.png', 'sample-00003.png'])
      expect(parseIdx(readFileSync(join(parent, stem, 'samples-images-idx3-ubyte')), 'x', 3).dims).toEqual([3, 28, 28])
      expect(existsSync(join(parent, stem, 'generator', 'model.json'))).toBe(true)

      const none = await exportVia(desktop, { id: runId, epoch: 1, samples: 0 })
      expect(none).toMatchObject({ kind: 'folder', path: join(parent, `${stem} (2)`) })
      if (none.kind === 'folder') expect(none.files.sort()).toEqual(['export.json', 'generator/model.json', 'generator/weights.bin'])

      answer = null
      expect(await exportVia(desktop, { id: runId, epoch: 1, samples: 3 })).toEqual({ kind: 'cancelled' })
      expect(readdirSync(parent).sort()).toEqual([stem, `${stem} (2)`])
    } finally {
      desktop.close()
    }
  }, 120_000)

  it('exports only the model of a run that generates points, and says where its samples go', async () => {
    const toy = lab.startRun({ ...PRESETS['tabular-mlp'].defaults, name: 'ring', seed: 1, epochs: 1, stepsPerEpoch: 5, batchSize: 16, backend: 'wasm' })
    expect((await lab.waitForEnd(toy.id)).status).toBe('completed')
    const refused = await dispatch(lab.handlers, 'runs:export-generator', { id: toy.id, epoch: 1, samples: 5 })
    expect(!refused.ok && refused.error.message).toBe(
      `Run ${toy.id} generates points, not images: export its generator with 0 samples, and its generated rows as CSV ("runs:export-samples")`
    )
    const model = await exportVia(lab, { id: toy.id, epoch: 1, samples: 0 })
    expect(model.kind === 'zip' && model.files.sort()).toEqual(['export.json', 'generator/model.json', 'generator/weights.bin'])
  }, 120_000)

  it('names what is wrong with a request', async () => {
    const noCheckpoint = await dispatch(lab.handlers, 'runs:export-generator', { id: runId, epoch: 4 })
    expect(!noCheckpoint.ok && noCheckpoint.error.message).toBe(`Run ${runId} has no checkpoint for epoch 4 (checkpoints exist for epochs 1)`)
    const tooMany = await dispatch(lab.handlers, 'runs:export-generator', { id: runId, epoch: 1, samples: 10_001 })
    expect(!tooMany.ok && tooMany.error.message).toBe('Invalid runs:export-generator request: samples: must be at most 10000')
    const noRun = await dispatch(lab.handlers, 'runs:export-generator', { id: 999, epoch: 1 })
    expect(!noRun.ok && noRun.error.message).toBe('There is no run 999')
  })
})
