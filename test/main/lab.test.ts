// Integration: the Lab service forks real trainer processes (tsx, wasm backend) and
// stores what they report. Tiny runs: mnist-mlp, a few dozen steps.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { recordedMetrics } from '@shared/metrics'
import { tempLabs } from '../helpers/lab'
import { leaveLockOfDeadProcess } from '../helpers/locks'
import { decodePng } from '../../src/main/common/grid'

const newLab = tempLabs('lab-')

const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'tiny',
  seed: 7,
  epochs: 1,
  stepsPerEpoch: 50,
  batchSize: 32,
  backend: 'wasm',
  ...over
})

describe('Lab with real trainer processes', () => {
  it('trains a WGAN-GP critic: stores the Wasserstein estimate and NULL accuracies, per step and per epoch', async () => {
    const lab = newLab()
    const gp = { kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 } as const
    const run = lab.startRun(config({ stepsPerEpoch: 6, epochs: 2, batchSize: 16, optimizerD: gp, optimizerG: gp, tricks: { loss: 'wgan-gp', gpWeight: 10, dStepsPerG: 2 } }))
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', stepsDone: 12, epochsDone: 2 })
    const series = lab.metrics.series(run.id)
    expect(series.values.dAccReal.every((v) => v === null) && series.values.dAccFake.every((v) => v === null)).toBe(true)
    for (const m of recordedMetrics(true)) expect(series.values[m].every(Number.isFinite), m).toBe(true)
    const epochs = lab.metrics.epochs(run.id)
    expect(epochs.map((e) => e.means.dAccReal)).toEqual([null, null])
    expect(epochs.every((e) => Number.isFinite(e.means.wasserstein))).toBe(true)
    expect(lab.runs.get(run.id)?.lastMetrics).toMatchObject({ dAccReal: null, wasserstein: epochs[1].means.wasserstein })
  })

  it('trains 50 steps and stores steps, a grid and a checkpoint; the same seed repeats the losses', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lab-'))
    const lab = newLab(dataDir)
    const events: string[] = []
    lab.subscribe((e) => events.push(e.event))
    const a = lab.startRun(config())
    const endA = await lab.waitForEnd(a.id)
    expect(endA).toMatchObject({ status: 'completed', stepsDone: 50, epochsDone: 1, backend: 'wasm' })
    const series = lab.metrics.series(a.id)
    expect(series.step).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    for (const m of recordedMetrics(false)) expect(series.values[m].every(Number.isFinite)).toBe(true)
    expect(series.values.wasserstein.every((v) => v === null)).toBe(true)
    const grid = lab.metrics.grid(a.id, 1)
    expect(grid).not.toBeNull()
    const png = decodePng(grid!.png)
    expect([png.width, png.height]).toEqual([10 * 28 + 11, 10 * 28 + 11])
    const epochs = lab.metrics.epochs(a.id)
    expect(epochs).toHaveLength(1)
    const ckpt = join(lab.runDir(a.id), epochs[0].checkpointDir!)
    expect(readdirSync(ckpt).sort()).toEqual(['discriminator', 'generator', 'optimizer'])
    expect(existsSync(join(ckpt, 'generator', 'model.json'))).toBe(true)
    expect(lab.detail(a.id).backendReport).toMatchObject({ requested: 'wasm', chosen: 'wasm' })
    expect(events).toEqual(expect.arrayContaining(['runs:changed', 'trainer:backend', 'trainer:steps', 'trainer:progress', 'trainer:epoch']))

    const b = lab.startRun(config({ name: 'again' }))
    await lab.waitForEnd(b.id)
    expect(lab.metrics.series(b.id).values).toEqual(series.values)

    // Closing the lab right after runs end (as the CLI does) leaves them completed.
    lab.close()
    expect(newLab(dataDir).runs.get(b.id)?.status).toBe('completed')
  })

  it('refuses a bad config without writing anything', () => {
    const lab = newLab()
    expect(() => lab.startRun(config({ batchSize: 0 }))).toThrow('batchSize: must be at least 1')
    expect(() => lab.startRun(config({ optimizerD: { kind: 'adam', lr: -1, beta1: 0.5 } }))).toThrow('optimizerD.lr: must be greater than 0')
    expect(lab.runs.list()).toEqual([])
  })

  it('marks a run whose trainer is killed as crashed and keeps the steps flushed before', async () => {
    const lab = newLab()
    const run = lab.startRun(config({ stepsPerEpoch: 100000 }))
    await new Promise<void>((resolve) => {
      const off = lab.subscribe((e) => {
        if (e.event === 'trainer:steps') {
          off()
          resolve()
        }
      })
    })
    const channelPid = (lab.runService as unknown as { active: Map<number, { channel: { pid: number } }> }).active.get(run.id)!.channel.pid
    process.kill(channelPid, 'SIGKILL')
    const end = await lab.waitForEnd(run.id)
    expect(end.status).toBe('crashed')
    expect(end.statusMessage).toContain('killed by SIGKILL')
    expect(lab.metrics.series(run.id).step.length).toBeGreaterThan(0)
    expect(lab.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })

  it('stops a run on request', async () => {
    const lab = newLab()
    const run = lab.startRun(config({ stepsPerEpoch: 100000 }))
    const off = lab.subscribe((e) => {
      if (e.event === 'trainer:steps') {
        off()
        lab.stopRun(run.id)
      }
    })
    const end = await lab.waitForEnd(run.id)
    expect(end.status).toBe('stopped')
    expect(end.statusMessage).toMatch(/Stopped by request at step \d+/)
  })

  it('a new lab marks runs left running by a dead app as crashed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-'))
    const first = newLab(dir)
    const id = first.runs.create({ ...PRESETS['mnist-mlp'].defaults, name: 'x', seed: 1 })
    first.runs.markStarted(id)
    // The app dies: its lock file stays behind, naming a process that no longer runs.
    first.db.close()
    leaveLockOfDeadProcess(dir)
    const second = newLab(dir)
    expect(second.runs.get(id)).toMatchObject({ status: 'crashed' })
  })
})
