// Integration: the latent explorer renders planes of a real run's checkpoints in a trainer
// process, caches them, and each tile is the stored generator's output for its cell.
import { mkdtempSync, readFileSync } from 'node:fs'
import * as plainTf from '@tensorflow/tfjs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LATENT_VIEW_FORMAT } from '@shared/api'
import { PRESETS, runConfigSchema } from '@shared/config'
import { cellLatent } from '../../src/main/common/plane'
import { Lab, MAX_GENERATOR_WORKERS } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import type { TrainerLauncher } from '../../src/main/trainer-host/channel'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { checkpointName, loadModelFrom } from '../../src/main/trainer/checkpoint'
import { decodePng } from '../../src/main/common/grid'
import { tf } from '../../src/main/trainer/tf'

let lab: Lab
let runId: number
/** Explorer processes alive now, and the most alive at once since the last reset. */
const explorers = { live: 0, most: 0 }
const fork = forkLauncher()
const countingLauncher: TrainerLauncher = (label) => {
  const channel = fork(label)
  if (!label.includes('explore')) return channel
  explorers.live++
  explorers.most = Math.max(explorers.most, explorers.live)
  let ended = false
  channel.onExit(() => {
    if (!ended) explorers.live--
    ended = true
  })
  return channel
}
const plane = { axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 20 }

beforeAll(async () => {
  lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'explorer-')), launcher: countingLauncher, version: 'test', transport: 'ipc' })
  const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'explore', seed: 3, epochs: 2, stepsPerEpoch: 20, batchSize: 32, backend: 'wasm' })
  runId = run.id
  const end = await lab.waitForEnd(run.id)
  expect(end.status).toBe('completed')
}, 120_000)

afterAll(() => lab?.close())

describe('latent explorer', () => {
  it('renders a 20x20 plane, answers the same request from the cache, and differs between epochs', async () => {
    const progress: { done: number; total: number }[] = []
    lab.subscribe((e) => {
      if (e.event === 'explorer:progress') progress.push(e.payload)
    })
    const first = await lab.explorerGrid({ id: runId, epoch: 2, ...plane })
    expect(first).toMatchObject({ epoch: 2, rows: 20, cols: 20, cached: false, coords: { min: -3, max: 3, resolution: 20, axisI: 0, axisJ: 1 } })
    const png = decodePng(Buffer.from(first.pngBase64, 'base64'))
    expect([png.width, png.height]).toEqual([20 * 28 + 21, 20 * 28 + 21])
    expect(progress.at(-1)).toEqual({ runId, done: 400, total: 400 })
    expect(progress.length).toBeGreaterThan(1)

    const again = await lab.explorerGrid({ id: runId, epoch: 2, ...plane })
    expect(again.cached).toBe(true)
    expect(again.pngBase64).toBe(first.pngBase64)

    const earlier = await lab.explorerGrid({ id: runId, epoch: 1, ...plane })
    expect(earlier.cached).toBe(false)
    expect(earlier.pngBase64).not.toBe(first.pngBase64)
  }, 120_000)

  it('each tile is the checkpoint generator output for its cell latent vector', async () => {
    const res = await lab.explorerGrid({ id: runId, epoch: 2, ...plane })
    const png = decodePng(Buffer.from(res.pngBase64, 'base64'))
    await selectBackend('wasm')
    const generator = await loadModelFrom(join(lab.runDir(runId), 'checkpoints', checkpointName(2), 'generator'))
    const latentDim = PRESETS['mnist-mlp'].defaults.latentDim
    for (const [row, col] of [[0, 0], [0, 19], [19, 0], [7, 12]]) {
      const z = tf.tensor2d(cellLatent(plane, latentDim, row, col), [1, latentDim])
      const out = generator.predict(z) as tf.Tensor
      const values = await out.data()
      z.dispose()
      out.dispose()
      let worst = 0
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const expected = Math.max(0, Math.min(255, Math.round((values[y * 28 + x] + 1) * 127.5)))
          const px = ((1 + row * 29 + y) * png.width + 1 + col * 29 + x) * 4
          worst = Math.max(worst, Math.abs(png.rgba[px] - expected))
        }
      }
      expect(worst, `tile (${row}, ${col})`).toBeLessThanOrEqual(1)
    }
    // The tiles differ from each other: the plane is not one repeated image.
    const tile = (row: number, col: number): number[] =>
      Array.from({ length: 28 }, (_, y) => png.rgba[((1 + row * 29 + y) * png.width + 1 + col * 29 + 14) * 4])
    expect(tile(0, 0)).not.toEqual(tile(19, 19))
    generator.dispose()
  }, 120_000)

  it('refuses bad sizes, ranges, axes and epochs without a checkpoint, naming the problem', async () => {
    await expect(lab.explorerGrid({ id: runId, epoch: 2, ...plane, resolution: 0 })).rejects.toThrow('resolution: must be at least 5')
    await expect(lab.explorerGrid({ id: runId, epoch: 2, ...plane, resolution: 33 })).rejects.toThrow('resolution: must be at most 32')
    await expect(lab.explorerGrid({ id: runId, epoch: 2, ...plane, min: 3, max: -3 })).rejects.toThrow('min must be less than max')
    await expect(lab.explorerGrid({ id: runId, epoch: 2, ...plane, axisJ: 0 })).rejects.toThrow('axis j must differ from axis i')
    await expect(lab.explorerGrid({ id: runId, epoch: 2, ...plane, axisJ: 100 })).rejects.toThrow("axisJ: must be between 0 and 99 (the run's latent size is 100)")
    await expect(lab.explorerGrid({ id: runId, epoch: 5, ...plane })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Run ${runId} has no checkpoint for epoch 5 (checkpoints exist for epochs 1, 2)`
    })
    await expect(lab.explorerGrid({ id: 999, epoch: 1, ...plane })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'There is no run 999' })
  })

  it('interpolates between two latent vectors: lerp and slerp strips share their end tiles and differ in the middle', async () => {
    const latentDim = PRESETS['mnist-mlp'].defaults.latentDim
    const from = Array.from(cellLatent(plane, latentDim, 0, 0))
    const to = Array.from(cellLatent(plane, latentDim, 19, 10))
    const res = await lab.explorerInterpolate({ id: runId, epoch: 2, from, to, steps: 7 })
    expect(res).toMatchObject({ epoch: 2, steps: 7 })
    const lerpPng = decodePng(Buffer.from(res.lerpPngBase64, 'base64'))
    const slerpPng = decodePng(Buffer.from(res.slerpPngBase64, 'base64'))
    expect([lerpPng.width, lerpPng.height]).toEqual([7 * 28 + 8, 28 + 2])
    expect([slerpPng.width, slerpPng.height]).toEqual([7 * 28 + 8, 28 + 2])
    const tile = (png: { width: number; rgba: Uint8Array }, k: number): number[] => {
      const out: number[] = []
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(png.rgba[((1 + y) * png.width + 1 + k * 29 + x) * 4])
      return out
    }
    expect(tile(lerpPng, 0)).toEqual(tile(slerpPng, 0))
    expect(tile(lerpPng, 6)).toEqual(tile(slerpPng, 6))
    expect(tile(lerpPng, 3)).not.toEqual(tile(slerpPng, 3))
    // The first tile is the plane's cell (0, 0).
    const grid = decodePng(Buffer.from((await lab.explorerGrid({ id: runId, epoch: 2, ...plane })).pngBase64, 'base64'))
    const cell: number[] = []
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) cell.push(grid.rgba[((1 + y) * grid.width + 1 + x) * 4])
    expect(tile(lerpPng, 0)).toEqual(cell)
  }, 120_000)

  it('renders a - b + c', async () => {
    const latentDim = PRESETS['mnist-mlp'].defaults.latentDim
    const a = Array.from(cellLatent(plane, latentDim, 0, 0))
    const b = Array.from(cellLatent(plane, latentDim, 5, 5))
    const c = Array.from(cellLatent(plane, latentDim, 10, 3))
    const res = await lab.explorerArithmetic({ id: runId, epoch: 2, a, b, c })
    expect(res.latent).toHaveLength(latentDim)
    expect(res.latent[0]).toBeCloseTo(a[0] - b[0] + c[0], 5)
    expect(res.latent[1]).toBeCloseTo(a[1] - b[1] + c[1], 5)
    const png = decodePng(Buffer.from(res.pngBase64, 'base64'))
    expect([png.width, png.height]).toEqual([30, 30])
    await expect(lab.explorerArithmetic({ id: runId, epoch: 2, a, b: [1, 2], c })).rejects.toThrow(
      "Invalid explorer:arithmetic request: b: has 2 values but the run's latent size is 100"
    )
  }, 120_000)

  it('refuses interpolation vectors of the wrong length and bad step counts, naming the problem', async () => {
    const ok = new Array<number>(100).fill(0.5)
    await expect(lab.explorerInterpolate({ id: runId, epoch: 2, from: [1, 2, 3], to: ok, steps: 5 })).rejects.toThrow(
      "Invalid explorer:interpolate request: from: has 3 values but the run's latent size is 100"
    )
    await expect(lab.explorerInterpolate({ id: runId, epoch: 2, from: ok, to: [...ok, 1], steps: 5 })).rejects.toThrow(
      "to: has 101 values but the run's latent size is 100"
    )
    await expect(lab.explorerInterpolate({ id: runId, epoch: 2, from: ok, to: ok, steps: 2 })).rejects.toThrow('steps: must be at least 3')
    await expect(lab.explorerInterpolate({ id: runId, epoch: 2, from: ok, to: ok, steps: 33 })).rejects.toThrow('steps: must be at most 32')
    await expect(lab.explorerInterpolate({ id: runId, epoch: 9, from: ok, to: ok, steps: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('renders planes through a pinned base point and along random orthonormal directions, cached apart', async () => {
    const latentDim = PRESETS['mnist-mlp'].defaults.latentDim
    const base = Array.from(cellLatent(plane, latentDim, 3, 4))
    const small = { ...plane, resolution: 5 }
    const zero = await lab.explorerGrid({ id: runId, epoch: 2, ...small })
    const through = await lab.explorerGrid({ id: runId, epoch: 2, ...small, base })
    expect(through).toMatchObject({ cached: false, coords: { base } })
    expect(through.pngBase64).not.toBe(zero.pngBase64)
    const random = await lab.explorerGrid({ id: runId, epoch: 2, ...small, seed: 11 })
    expect(random).toMatchObject({ cached: false, coords: { seed: 11 } })
    const { u, v } = random.directions!
    expect(u.reduce((s, x, k) => s + x * v[k], 0)).toBeCloseTo(0, 5)
    expect(u.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 5)
    expect(through.directions).toBeUndefined()
    expect(random.pngBase64).not.toBe(zero.pngBase64)
    const other = await lab.explorerGrid({ id: runId, epoch: 2, ...small, seed: 12 })
    expect(other.cached).toBe(false)
    expect(other.pngBase64).not.toBe(random.pngBase64)
    const again = await lab.explorerGrid({ id: runId, epoch: 2, ...small, seed: 11 })
    expect(again.cached).toBe(true)
    expect(again.pngBase64).toBe(random.pngBase64)
    expect((await lab.explorerGrid({ id: runId, epoch: 2, ...small, base })).cached).toBe(true)
    // The centre tile of the plane through the base point is the base point's own image.
    const png = decodePng(Buffer.from(through.pngBase64, 'base64'))
    const strip = await lab.explorerInterpolate({ id: runId, epoch: 2, from: base, to: base, steps: 3 })
    const single = decodePng(Buffer.from(strip.lerpPngBase64, 'base64'))
    const tile = (img: { width: number; rgba: Uint8Array }, row: number, col: number): number[] => {
      const out: number[] = []
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(img.rgba[((1 + row * 29 + y) * img.width + 1 + col * 29 + x) * 4])
      return out
    }
    expect(tile(png, 2, 2)).toEqual(tile(single, 0, 0))
    await expect(lab.explorerGrid({ id: runId, epoch: 2, ...small, base: [1, 2] })).rejects.toThrow(
      "Invalid explorer:grid request: base: has 2 values but the run's latent size is 100"
    )
  }, 120_000)

  it('renders the plane through three points centred on the first; a tile is what plain tfjs makes of its latent vector', async () => {
    const latentDim = PRESETS['mnist-mlp'].defaults.latentDim
    // a, b = a + 2 e_0, c = a + 3 e_5 + 1 e_0: u = e_0, v = e_5, B at (2, 0), C at (1, 3).
    const a = Array.from({ length: latentDim }, (_, k) => Math.sin(k + 1) * 0.7)
    const b = a.map((x, k) => (k === 0 ? x + 2 : x))
    const c = a.map((x, k) => (k === 0 ? x + 1 : k === 5 ? x + 3 : x))
    const req = { id: runId, epoch: 2, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 7, through: [a, b, c] }
    const res = await lab.explorerGrid(req)
    expect(res).toMatchObject({ cached: false, rows: 7, coords: { base: a, through: true } })
    expect(res.points?.map((p) => [Number(p.x.toFixed(5)), Number(p.y.toFixed(5))])).toEqual([[0, 0], [2, 0], [1, 3]])
    expect(res.directions?.u[0]).toBeCloseTo(1, 6)
    expect(res.directions?.v[5]).toBeCloseTo(1, 6)
    expect((await lab.explorerGrid(req)).cached).toBe(true)

    // The generator as any tfjs program loads it: model.json and its weights, no lab code.
    const dir = join(lab.runDir(runId), 'checkpoints', checkpointName(2), 'generator')
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      modelTopology: object
      weightsManifest: { paths: string[]; weights: plainTf.io.WeightsManifestEntry[] }[]
    }
    const bytes = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))))
    const generator = await plainTf.loadLayersModel(
      plainTf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      })
    )
    const png = decodePng(Buffer.from(res.pngBase64, 'base64'))
    // Cell (row 1, col 4) of 7 from -3 to 3 is x = 1, y = 2: z = a + 1 e_0 + 2 e_5.
    for (const [row, col, z] of [
      [3, 3, a],
      [3, 5, b],
      [1, 4, a.map((x, k) => (k === 0 ? x + 1 : k === 5 ? x + 2 : x))]
    ] as const) {
      const out = generator.predict(plainTf.tensor2d([z], [1, latentDim])) as plainTf.Tensor
      const values = await out.data()
      let worst = 0
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const expected = Math.max(0, Math.min(255, Math.round((values[y * 28 + x] + 1) * 127.5)))
          worst = Math.max(worst, Math.abs(png.rgba[((1 + row * 29 + y) * png.width + 1 + col * 29 + x) * 4] - expected))
        }
      }
      expect(worst, `tile (${row}, ${col})`).toBeLessThanOrEqual(1)
    }
    generator.dispose()
    await expect(lab.explorerGrid({ ...req, through: [a, b, a.map((x, k) => (k === 0 ? x + 4 : x))] })).rejects.toThrow(
      'Invalid explorer:grid request: through: the three points lie on one line'
    )
  }, 120_000)

  it('refuses a run without checkpoints, naming what is missing', async () => {
    const id = lab.runs.create(runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: 'never trained', seed: 1, backend: 'wasm' }))
    await expect(lab.explorerGrid({ id, epoch: 1, ...plane })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Run ${id} has no checkpoint for epoch 1 (it has no checkpoints yet)`
    })
  })

  it('saves a latent view of an existing run and reopens it by name; a view of a missing run is refused', async () => {
    const settings = { format: LATENT_VIEW_FORMAT, version: 1, grid: { id: runId, epoch: 2, ...plane, seed: 5 } } as const
    const saved = await lab.handlers['latent-views:save']({ name: 'random plane', settings })
    expect(saved).toMatchObject({ name: 'random plane', runId, settings })
    expect((await lab.handlers['latent-views:list'](undefined)).find((v) => v.id === saved.id)?.settings).toEqual(settings)
    expect(() => lab.handlers['latent-views:save']({ name: 'ghost', settings: { ...settings, grid: { ...settings.grid, id: 999 } } })).toThrow('There is no run 999')
    expect(() => lab.handlers['latent-views:save']({ name: 'ghost', settings: { ...settings, compareRunId: 998 } })).toThrow('There is no run 998')
    expect(await lab.handlers['latent-views:delete']({ id: saved.id })).toEqual({ id: saved.id })
    expect(() => lab.handlers['latent-views:delete']({ id: saved.id })).toThrow(`Latent view ${saved.id} does not exist`)
  })

  it('renders many planes asked at once with at most MAX_GENERATOR_WORKERS generator workers alive', async () => {
    explorers.most = explorers.live
    const asked = [1, 2, 1, 2, 1].map((epoch, k) => lab.explorerGrid({ id: runId, epoch, ...plane, resolution: 5, min: -1 - k, max: 1 + k }))
    const results = await Promise.all(asked)
    expect(results.every((r) => !r.cached && r.rows === 5)).toBe(true)
    expect(explorers.most).toBeGreaterThan(0)
    expect(explorers.most).toBeLessThanOrEqual(MAX_GENERATOR_WORKERS)
  }, 120_000)
})
