// Integration: the explorer's generator workers. A run's worker answers plane, strip and
// arithmetic requests without another process start; an open run's neighbouring epochs are
// prefetched; idle, closed and surplus workers end; a crashed worker gives a clear error and
// the next request starts a new one.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { decodePng } from '../../src/main/common/grid'
import { Lab } from '../../src/main/services/lab'
import type { TrainerChannel, TrainerLauncher } from '../../src/main/trainer-host/channel'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

/** Every explorer process started, with a promise of its exit. */
interface Started {
  label: string
  channel: TrainerChannel
  exited: Promise<string>
  alive: boolean
}
const started: Started[] = []
/** Kills the worker right after it was sent a job for a plane of this resolution (the crash test). */
let crashAtResolution: number | null = null
const fork = forkLauncher()
const counting: TrainerLauncher = (label) => {
  const channel = fork(label)
  if (!label.includes('explore')) return channel
  let onExit!: (reason: string) => void
  const entry: Started = { label, channel, exited: new Promise((resolve) => (onExit = resolve)), alive: true }
  channel.onExit(({ reason }) => {
    entry.alive = false
    onExit(reason)
  })
  const send = channel.send.bind(channel)
  channel.send = (request) => {
    send(request)
    if (request.type === 'generator-job' && request.job.plane?.resolution === crashAtResolution) channel.kill()
  }
  started.push(entry)
  return channel
}
const alive = (): Started[] => started.filter((s) => s.alive)

let dataDir: string
let lab: Lab
let runA: number
let runB: number
const plane = { axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 }

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'explorer-workers-'))
  lab = new Lab({ dataDir, launcher: counting, version: 'test', transport: 'ipc' })
  const tiny = { ...PRESETS['mnist-mlp'].defaults, epochs: 3, stepsPerEpoch: 3, batchSize: 16, backend: 'wasm' as const }
  runA = lab.startRun({ ...tiny, name: 'a', seed: 1 }).id
  runB = lab.startRun({ ...tiny, name: 'b', seed: 2 }).id
  for (const id of [runA, runB]) expect((await lab.waitForEnd(id)).status).toBe('completed')
})

afterAll(() => lab?.close())

beforeEach(async () => {
  // Each test starts with no explorer process alive.
  for (const s of alive()) s.channel.kill()
  await Promise.all(started.map((s) => s.exited))
  crashAtResolution = null
})

describe('generator workers', () => {
  it('answers a second plane, strips and a - b + c with the process the first one started', async () => {
    const before = started.length
    const first = await lab.explorerGrid({ id: runA, epoch: 3, ...plane })
    expect(first.cached).toBe(false)
    expect(started.length).toBe(before + 1)
    const second = await lab.explorerGrid({ id: runA, epoch: 3, ...plane, min: -1, max: 1 })
    expect(second.cached).toBe(false)
    const z = (k: number): number[] => Array.from({ length: 100 }, (_, i) => Math.sin(i + k))
    await lab.explorerInterpolate({ id: runA, epoch: 3, from: z(1), to: z(2), steps: 5 })
    await lab.explorerArithmetic({ id: runA, epoch: 3, a: z(1), b: z(2), c: z(3) })
    // Another epoch of the same run loads another generator into the same process.
    expect((await lab.explorerGrid({ id: runA, epoch: 1, ...plane, min: -1, max: 1 })).cached).toBe(false)
    expect(started.length).toBe(before + 1)
    expect(alive()).toHaveLength(1)
  })

  it('warms an opened run and prefetches the epochs either side of a plane, so the scrubber answers from the cache', async () => {
    const before = started.length
    expect(await lab.handlers['explorer:open']({ id: runB })).toEqual({ id: runB, warm: true })
    expect(started.length).toBe(before + 1)
    const req = { id: runB, epoch: 2, ...plane, seed: 7 }
    expect((await lab.explorerGrid(req)).cached).toBe(false)
    await lab.explorer.settled()
    expect((await lab.explorerGrid({ ...req, epoch: 1 })).cached).toBe(true)
    expect((await lab.explorerGrid({ ...req, epoch: 3 })).cached).toBe(true)
    expect(started.length).toBe(before + 1)
    // Closing the run's explorer ends its worker.
    const [worker] = alive()
    lab.handlers['explorer:close']({ id: runB })
    expect(await worker.exited).toBe('killed by SIGKILL')
  })

  it('does not prefetch for a run whose explorer is not open', async () => {
    const req = { id: runA, epoch: 2, ...plane, seed: 8 }
    await lab.explorerGrid(req)
    await lab.explorer.settled()
    expect((await lab.explorerGrid({ ...req, epoch: 1 })).cached).toBe(false)
  })

  it('a crashed worker fails its request with a clear error, and the next request starts a new one', async () => {
    await lab.explorerGrid({ id: runA, epoch: 3, ...plane, min: -3, max: 3 })
    const before = started.length
    crashAtResolution = 7
    await expect(lab.explorerGrid({ id: runA, epoch: 3, ...plane, resolution: 7 })).rejects.toThrow(
      `The generator process of run ${runA} killed by SIGKILL before it answered; the next request starts a new one.`
    )
    crashAtResolution = null
    const again = await lab.explorerGrid({ id: runA, epoch: 3, ...plane, resolution: 7 })
    expect(again).toMatchObject({ cached: false, rows: 7 })
    expect(started.length).toBe(before + 1)
  })

  it('takes only the free training slots: with one slot, exploring another run ends the idle worker first', async () => {
    lab.setSettings({ maxConcurrentRuns: 1 })
    try {
      await lab.explorerGrid({ id: runA, epoch: 1, ...plane, min: -4, max: 4 })
      const [workerA] = alive()
      await lab.explorerGrid({ id: runB, epoch: 1, ...plane, min: -4, max: 4 })
      expect(await workerA.exited).toBe('killed by SIGKILL')
      expect(alive()).toHaveLength(1)
      expect(alive()[0].label).toBe(`gan-trainer explore ${runB}`)
    } finally {
      lab.setSettings({ maxConcurrentRuns: 2 })
    }
  })
})

describe('a plane centred on a sample of the epoch grid', () => {
  /** The grey values of tile (row, col) of a 28x28 tiling with 1 px borders. */
  const tile = (png: { width: number; rgba: Uint8Array }, row: number, col: number): number[] => {
    const out: number[] = []
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(png.rgba[((1 + row * 29 + y) * png.width + 1 + col * 29 + x) * 4])
    return out
  }

  it('has that sample as its centre tile, as the epoch grid drew it', async () => {
    const index = 37
    const sample = await lab.handlers['explorer:sample']({ id: runA, index })
    expect(sample).toMatchObject({ index, spread: 1, count: 100 })
    expect(sample.latent).toHaveLength(100)
    const grid = await lab.handlers['runs:grid']({ id: runA, epoch: 3 })
    const gridPng = decodePng(Buffer.from(grid.pngBase64, 'base64'))
    const plane = await lab.explorerGrid({ id: runA, epoch: 3, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 11, base: sample.latent, seed: 1 })
    const planePng = decodePng(Buffer.from(plane.pngBase64, 'base64'))
    const expected = tile(gridPng, Math.floor(index / grid.cols), index % grid.cols)
    const centre = tile(planePng, 5, 5)
    expect(Math.max(...centre.map((v, k) => Math.abs(v - expected[k])))).toBeLessThanOrEqual(1)
    // Not every tile matches: the grid's tile 38 is another sample, and the plane's corner another point.
    const other = tile(gridPng, Math.floor((index + 1) / grid.cols), (index + 1) % grid.cols)
    expect(Math.max(...centre.map((v, k) => Math.abs(v - other[k])))).toBeGreaterThan(20)
    expect(Math.max(...centre.map((v, k) => Math.abs(v - tile(planePng, 0, 0)[k])))).toBeGreaterThan(20)
    expect(() => lab.handlers['explorer:sample']({ id: runA, index: 100 })).toThrow(`index: run ${runA}'s sample grid has 100 tiles (0-99)`)
  })

  it('says when slerp fell back to lerp: opposite endpoints', async () => {
    const { latent } = await lab.handlers['explorer:sample']({ id: runA, index: 0 })
    const opposite = await lab.explorerInterpolate({ id: runA, epoch: 3, from: latent, to: latent.map((v) => -v), steps: 5 })
    expect(opposite.slerp).toEqual({ degrees: 180, sameAsLerp: true })
    expect(opposite.slerpPngBase64).toBe(opposite.lerpPngBase64)
    const { latent: other } = await lab.handlers['explorer:sample']({ id: runA, index: 1 })
    const apart = await lab.explorerInterpolate({ id: runA, epoch: 3, from: latent, to: other, steps: 5 })
    expect(apart.slerp.sameAsLerp).toBe(false)
    expect(apart.slerp.degrees).toBeGreaterThan(60)
    expect(apart.slerpPngBase64).not.toBe(apart.lerpPngBase64)
  })
})

describe('idle generator workers', () => {
  let idleLab: Lab
  afterAll(() => idleLab?.close())

  it('end after the idle time; the next request starts a new one', async () => {
    // A second, read-only lab on the same folder, whose workers idle out after 50 ms.
    idleLab = new Lab({ dataDir, launcher: counting, version: 'test', transport: 'ipc', access: 'shared', explorerIdleMs: 50 })
    const before = started.length
    await idleLab.explorerGrid({ id: runA, epoch: 2, ...plane, min: -5, max: 5 })
    expect(started.length).toBe(before + 1)
    expect(await started[before].exited).toBe('killed by SIGKILL')
    await idleLab.explorerGrid({ id: runA, epoch: 2, ...plane, min: -6, max: 6 })
    expect(started.length).toBe(before + 2)
  })
})
