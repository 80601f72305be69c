// Resume: a run continued from its last checkpoint (models, optimizer state, data order and
// randomness) records exactly what the uninterrupted run records, whether it was stopped
// mid-epoch, killed with SIGKILL, or completed and given more epochs.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import type { StepSeries } from '@shared/metrics'
import { dispatch } from '../../src/main/services/dispatch'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { mulberry32 } from '../../src/main/common/random'

const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'resume-')), launcher: forkLauncher(), version: 'test', transport: 'ipc' })
afterAll(() => lab.close())

const STEPS = 6
const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'resume',
  seed: 21,
  epochs: 4,
  stepsPerEpoch: STEPS,
  batchSize: 8,
  backend: 'wasm',
  // Randomness everywhere: dropout, smoothed labels drawn per step, flipped labels, instance noise.
  tricks: { ...PRESETS['mnist-mlp'].defaults.tricks, realLabel: { min: 0.8, max: 1 }, labelFlip: 0.05, instanceNoise: { std: 0.1, decayEpochs: 3 } },
  ...over
})

/** Everything but wall time. */
function values(s: StepSeries): Omit<StepSeries, 'timeMs'> {
  return { step: s.step, epoch: s.epoch, values: s.values }
}

let reference: { series: StepSeries; grids: (Buffer | undefined)[] }

function grids(id: number): (Buffer | undefined)[] {
  return [1, 2, 3, 4].map((e) => lab.metrics.grid(id, e)?.png)
}

/** Resolves once the run has reported a step of `epoch`, after calling `act` with it. */
function whenStepOf(id: number, epoch: number, act: () => void): Promise<void> {
  return new Promise((resolve) => {
    const off = lab.subscribe((e) => {
      if (e.event === 'trainer:steps' && e.payload.runId === id && e.payload.rows.some((r) => r.epoch === epoch)) {
        off()
        act()
        resolve()
      }
    })
  })
}

beforeAll(async () => {
  const run = lab.startRun(config({ name: 'uninterrupted' }))
  expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', stepsDone: 4 * STEPS })
  reference = { series: lab.metrics.series(run.id), grids: grids(run.id) }
})

describe('resume', () => {
  it('continues a completed 2-epoch run to 4 epochs exactly as a 4-epoch run trains', async () => {
    const run = lab.startRun(config({ name: 'two then four', epochs: 2 }))
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    const r = await dispatch(lab.handlers, 'runs:resume', { id: run.id, epochs: 4 })
    expect(r).toMatchObject({ ok: true, data: { status: 'queued', epochs: 4, epochsDone: 2 } })
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', stepsDone: 4 * STEPS, epochsDone: 4 })
    expect(values(lab.metrics.series(run.id))).toEqual(values(reference.series))
    expect(grids(run.id)).toEqual(reference.grids)
    // Wall time continues the curve rather than starting again at zero.
    const time = lab.metrics.series(run.id).timeMs
    expect(time[2 * STEPS]).toBeGreaterThanOrEqual(time[2 * STEPS - 1])
  })

  it('resumes a run stopped mid-epoch: the partial epoch is replaced, the result is the same', async () => {
    const run = lab.startRun(config({ name: 'stopped in epoch 3' }))
    await whenStepOf(run.id, 3, () => lab.stopRun(run.id))
    const stopped = await lab.waitForEnd(run.id)
    expect(stopped.status).toBe('stopped')
    const logs: string[] = []
    const off = lab.subscribe((e) => e.event === 'trainer:log' && e.payload.runId === run.id && logs.push(e.payload.message))
    lab.resumeRun(run.id)
    off()
    // The stop lands in epoch 3, or (on a loaded machine) just after it ended.
    const m = /^Resuming after epoch (\d) \(step (\d+)\)/.exec(logs[0])
    expect(m).not.toBeNull()
    expect([2, 3]).toContain(Number(m![1]))
    expect(Number(m![2])).toBe(Number(m![1]) * STEPS)
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', stepsDone: 4 * STEPS })
    expect(values(lab.metrics.series(run.id))).toEqual(values(reference.series))
    expect(grids(run.id)).toEqual(reference.grids)
  })

  it('survives SIGKILL at random moments: crashed each time, intact, and resumed to the same curve', async () => {
    const rand = mulberry32(99)
    const run = lab.startRun(config({ name: 'killed' }))
    const pid = (): number => (lab.runService as unknown as { active: Map<number, { channel: { pid: number } }> }).active.get(run.id)!.channel.pid
    for (let kill = 0; kill < 3; kill++) {
      const epochDone = lab.runs.get(run.id)!.epochsDone
      // Kill in the epoch after the next one or the one after that (so a checkpoint exists), mid-way.
      await whenStepOf(run.id, Math.min(4, epochDone + 2 + Math.floor(rand() * 2)), () => process.kill(pid(), 'SIGKILL'))
      const crashed = await lab.waitForEnd(run.id)
      if (crashed.status === 'completed') break
      expect(crashed.status).toBe('crashed')
      expect(lab.db.pragma('integrity_check', { simple: true })).toBe('ok')
      const steps = lab.metrics.series(run.id).step
      expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1))
      expect(lab.runs.get(run.id)!.epochsDone).toBeGreaterThan(0)
      lab.resumeRun(run.id)
    }
    const end = await lab.waitForEnd(run.id)
    if (end.status !== 'completed') {
      lab.resumeRun(run.id)
      expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    }
    expect(values(lab.metrics.series(run.id))).toEqual(values(reference.series))
    expect(readdirSync(join(lab.runDir(run.id), 'checkpoints')).sort()).toEqual(['epoch-0001', 'epoch-0002', 'epoch-0003', 'epoch-0004'])
  })

  it('adopts a complete checkpoint folder whose row was never written (killed between the rename and the record)', async () => {
    const run = lab.startRun(config({ name: 'killed while recording epoch 2', epochs: 2 }))
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    // What a kill after epoch 2's folder rename and before its transaction leaves behind.
    for (const table of ['epoch_metrics', 'sample_grids', 'checkpoints']) lab.db.prepare(`DELETE FROM ${table} WHERE run_id = ? AND epoch = 2`).run(run.id)
    lab.db.prepare("UPDATE runs SET status = 'crashed', epochs_done = 1 WHERE id = ?").run(run.id)
    expect(readdirSync(join(lab.runDir(run.id), 'checkpoints')).sort()).toEqual(['epoch-0001', 'epoch-0002'])
    const logs: string[] = []
    const off = lab.subscribe((e) => e.event === 'trainer:log' && e.payload.runId === run.id && logs.push(e.payload.message))
    lab.resumeRun(run.id, 4)
    off()
    expect(logs[0]).toMatch(/Found the epoch 2 checkpoint without its record .* adopted with 6 recorded steps of that epoch/)
    expect(logs[1]).toMatch(/^Resuming after epoch 2 \(step 12\)/)
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', stepsDone: 4 * STEPS, epochsDone: 4 })
    expect(values(lab.metrics.series(run.id))).toEqual(values(reference.series))
    expect(lab.metrics.epochs(run.id).map((e) => [e.epoch, e.checkpointDir])).toEqual([1, 2, 3, 4].map((e) => [e, `checkpoints/epoch-000${e}`]))
    expect(grids(run.id).slice(2)).toEqual(reference.grids.slice(2))
  })

  it('refuses to resume a running run, a finished one without more epochs, or one without checkpoints', async () => {
    const done = lab.startRun(config({ name: 'done', epochs: 1 }))
    await lab.waitForEnd(done.id)
    expect(() => lab.resumeRun(done.id)).toThrow(/already has 1 of 1 epochs; ask for more epochs/)
    const running = lab.startRun(config({ name: 'running', epochs: 50 }))
    expect(() => lab.resumeRun(running.id)).toThrow(/only a run that has ended can be resumed/)
    lab.stopRun(running.id)
    await lab.waitForEnd(running.id)
    const early = lab.startRun(config({ name: 'stopped in epoch 1', stepsPerEpoch: 200 }))
    await whenStepOf(early.id, 1, () => lab.stopRun(early.id))
    await lab.waitForEnd(early.id)
    expect(() => lab.resumeRun(early.id)).toThrow(/has no checkpoint to resume from \(it ended before its first epoch did\)/)
    const r = await dispatch(lab.handlers, 'runs:resume', { id: 9999 })
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})
