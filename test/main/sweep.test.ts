// Integration: the run queue (settings.maxConcurrentRuns) and sweeps: a grid of runs created
// together, tagged, trained no more than N at once, surviving a restart of the lab while queued.
import { describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { useTempLabs } from '../helpers/lab'

const { newLab, dataDirOf } = useTempLabs('sweep')
const base = { ...PRESETS['mnist-mlp'].defaults, epochs: 1, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm' as const, seed: 1 }

async function allEnded(lab: Lab, ids: number[]) {
  return Promise.all(ids.map((id) => lab.waitForEnd(id)))
}

describe('the run queue', () => {
  it('trains at most maxConcurrentRuns at once and refuses a bad setting by name', async () => {
    const lab = newLab()
    expect(lab.settings.get()).toEqual({ maxConcurrentRuns: 2 })
    expect(await dispatch(lab.handlers, 'settings:set', { maxConcurrentRuns: 0 })).toMatchObject({
      ok: false,
      error: { issues: [{ field: 'maxConcurrentRuns', message: 'must be at least 1' }] }
    })
    expect(await dispatch(lab.handlers, 'settings:set', { maxConcurrentRuns: 1 })).toMatchObject({ ok: true, data: { maxConcurrentRuns: 1 } })
    const runs = [1, 2, 3].map((seed) => lab.startRun({ ...base, name: `q${seed}`, seed }))
    expect(runs.map((r) => lab.runs.get(r.id)!.statusMessage)).toEqual([
      null,
      expect.stringMatching(/Waiting for a free trainer: 1 of 2 in the queue, 1 run train at once/),
      expect.stringMatching(/2 of 2/)
    ])
    const ended = await allEnded(lab, runs.map((r) => r.id))
    expect(ended.map((r) => r.status)).toEqual(['completed', 'completed', 'completed'])
    // One at a time: each started after the one before had ended.
    for (let k = 1; k < 3; k++) expect(ended[k].startedAt!).toBeGreaterThanOrEqual(ended[k - 1].endedAt!)
    expect(ended.every((r) => r.statusMessage === null || !/Waiting/.test(r.statusMessage))).toBe(true)
  }, 120_000)

  it('stops a queued run without starting it, and starts waiting runs again after a restart', async () => {
    const lab = newLab()
    lab.setSettings({ maxConcurrentRuns: 1 })
    const [first, second, third] = [1, 2, 3].map((seed) => lab.startRun({ ...base, name: `r${seed}`, seed }))
    const stopped = lab.stopRun(second.id)
    expect(stopped).toMatchObject({ status: 'stopped', statusMessage: 'Stopped while it waited in the queue; it never started.' })
    expect(lab.runs.get(third.id)!.statusMessage).toMatch(/1 of 1 in the queue/)
    // Close while the third still waits: it is queued again when the lab opens.
    lab.close()
    const again = newLab(dataDirOf(lab))
    expect(again.runs.get(third.id)!.status).toBe('queued')
    expect((await again.waitForEnd(third.id)).status).toBe('completed')
    // The first was training when the lab closed: it ended one way or another, and is not queued again.
    expect(again.runs.get(first.id)!.status).toMatch(/crashed|stopped|completed/)
    expect(again.settings.get().maxConcurrentRuns).toBe(1)
  }, 120_000)
})

describe('the run queue and deleted runs', () => {
  it('starts the next queued run when a training run is deleted', async () => {
    const lab = newLab()
    lab.setSettings({ maxConcurrentRuns: 1 })
    const first = lab.startRun({ ...base, name: 'deleted while training', stepsPerEpoch: 200 })
    const second = lab.startRun({ ...base, name: 'next', seed: 2 })
    expect(lab.runs.get(second.id)!.statusMessage).toMatch(/1 of 1 in the queue/)
    lab.deleteRun(first.id)
    expect((await lab.waitForEnd(second.id)).status).toBe('completed')
  }, 120_000)
})

describe('sweeps', () => {
  it('creates every point as a tagged run, queues them, and lists the sweep', async () => {
    const lab = newLab()
    const res = await dispatch(lab.handlers, 'sweeps:create', {
      name: 'sgd vs adam',
      base,
      axes: [
        { field: 'optimizer.kind', values: ['sgd', 'adam'] },
        { field: 'seed', values: [1, 2] }
      ]
    })
    if (!res.ok) throw new Error(res.error.message)
    const { sweep, runs } = res.data as { sweep: { id: number; runIds: number[] }; runs: { id: number; name: string; tags: string[] }[] }
    expect(runs.map((r) => r.name)).toEqual(['sgd vs adam · kind=sgd, seed=1', 'sgd vs adam · kind=sgd, seed=2', 'sgd vs adam · kind=adam, seed=1', 'sgd vs adam · kind=adam, seed=2'])
    expect(runs.every((r) => r.tags.includes(`sweep ${sweep.id}`))).toBe(true)
    expect(sweep.runIds).toEqual(runs.map((r) => r.id))
    expect(lab.detail(runs[3].id).config.optimizerG.kind).toBe('adam')
    const ended = await allEnded(lab, sweep.runIds)
    expect(ended.every((r) => r.status === 'completed')).toBe(true)
    expect(await dispatch(lab.handlers, 'sweeps:list', undefined)).toMatchObject({ ok: true, data: [{ id: sweep.id, name: 'sgd vs adam', compareWhenDone: true }] })
  }, 120_000)

  it('refuses a sweep with a point that cannot run, creating no run', async () => {
    const lab = newLab()
    const res = await dispatch(lab.handlers, 'sweeps:create', { name: 'bad', base, axes: [{ field: 'optimizer.lr', values: [0.001, 20] }] })
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG', message: expect.stringMatching(/The point lr=20 is not a valid run: optimizerD.lr: must be at most 10/) } })
    const missing = await dispatch(lab.handlers, 'sweeps:create', { name: 'gone', base, axes: [{ field: 'dataset', values: ['mnist', 77] }] })
    expect(missing).toMatchObject({ ok: false, error: { message: expect.stringMatching(/the point dataset=77 cannot start: .*there is no data set 77/) } })
    expect(lab.runs.list()).toHaveLength(0)
  })
})
