// A storage error while a run trains (a full disk, a database locked by another program) fails
// that run alone, with a message a person understands; the lab keeps serving every other run.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { describeStorageError } from '../../src/main/db/storage-error'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

const labs: Lab[] = []
afterEach(() => {
  for (const lab of labs.splice(0)) lab.close()
})

/** A lab on a new temp folder whose log lines land in `logs`. */
function newLab(logs: string[]): { lab: Lab; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'storage-'))
  const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc', log: (_level, message) => logs.push(message) })
  labs.push(lab)
  return { lab, dataDir }
}

const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'tiny',
  seed: 3,
  epochs: 1,
  stepsPerEpoch: 4,
  batchSize: 8,
  backend: 'wasm',
  ...over
})

const sqliteError = (code: string, message: string): Error => Object.assign(new Error(message), { code })

describe('storage errors while runs train', () => {
  it('fails the run whose steps cannot be written (SQLITE_FULL), keeps the other run training, and says why', async () => {
    const logs: string[] = []
    const { lab, dataDir } = newLab(logs)
    const doomed = lab.startRun(config({ name: 'doomed', stepsPerEpoch: 100000 }))
    const other = lab.startRun(config({ name: 'other' }))
    const insertSteps = lab.metrics.insertSteps.bind(lab.metrics)
    let calls = 0
    lab.metrics.insertSteps = (runId: number, rows: StepRow[]): void => {
      if (runId === doomed.id && ++calls > 1) throw sqliteError('SQLITE_FULL', 'database or disk is full')
      insertSteps(runId, rows)
    }
    const end = await lab.waitForEnd(doomed.id)
    expect(end.status).toBe('failed')
    expect(end.statusMessage).toMatch(/^Failed: the run's results could not be saved \(the disk holding .+ is full: \d+ bytes free\)\.$/)
    expect(end.statusMessage).toContain(dataDir)
    expect(lab.runService.isActive(doomed.id)).toBe(false)
    expect(logs.some((l) => l.startsWith(`[run ${doomed.id}] Failed: the run's results could not be saved`))).toBe(true)
    expect(await lab.waitForEnd(other.id)).toMatchObject({ status: 'completed', stepsDone: 4, epochsDone: 1 })
    // The lab still takes new runs.
    const after = lab.startRun(config({ name: 'after' }))
    expect(await lab.waitForEnd(after.id)).toMatchObject({ status: 'completed' })
    expect(lab.runs.list().map((r) => r.status)).toEqual(['completed', 'completed', 'failed'])
  })

  it('stops a run whose status cannot be written either (SQLITE_BUSY) and leaves it for crash recovery', async () => {
    const logs: string[] = []
    const { lab } = newLab(logs)
    const stuck = lab.startRun(config({ name: 'stuck', stepsPerEpoch: 100000 }))
    const busy = sqliteError('SQLITE_BUSY', 'database is locked')
    const insertSteps = lab.metrics.insertSteps.bind(lab.metrics)
    lab.metrics.insertSteps = (runId: number, rows: StepRow[]): void => {
      if (runId === stuck.id) throw busy
      insertSteps(runId, rows)
    }
    const finish = lab.runs.finish.bind(lab.runs)
    lab.runs.finish = (id, status, message, now) => {
      if (id === stuck.id) throw busy
      finish(id, status, message, now)
    }
    await expect.poll(() => lab.runService.isActive(stuck.id), { timeout: 60_000 }).toBe(false)
    expect(lab.runs.get(stuck.id)?.status).toBe('running')
    expect(logs).toContainEqual(`[run ${stuck.id}] could not be marked failed (the database was locked by another program for more than 5 s); the lab will mark it crashed when it next opens`)
    const other = lab.startRun(config({ name: 'other' }))
    expect(await lab.waitForEnd(other.id)).toMatchObject({ status: 'completed' })
  })

  it('describes other SQLite errors by their code and message', () => {
    expect(describeStorageError(sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'), '/data', 5000)).toBe('SQLITE_IOERR_WRITE: disk I/O error')
    expect(describeStorageError(sqliteError('SQLITE_BUSY', 'database is locked'), '/data', 2500)).toBe('the database was locked by another program for more than 2.5 s')
    expect(describeStorageError(new Error('boom'), '/data', 5000)).toBe('an unexpected error: boom')
  })
})
