// The new-run form's duration estimate at the Lab level: a step time measured in a trainer
// process and cached in the data folder, or read from an earlier run of the same kind.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { timingKey, type StepTiming } from '@shared/timing'
import { dispatch } from '../../src/main/services/dispatch'
import { TIMING_FILE } from '../../src/main/services/timing'
import { useTempLabs } from '../helpers/lab'

const labs = useTempLabs('timing')

const toy = (overrides: Partial<RunConfig> = {}): RunConfig =>
  runConfigSchema.parse({ ...PRESETS['toy-mlp'].defaults, name: 'toy', seed: 3, batchSize: 8, backend: 'cpu', ...overrides })

describe('timing:estimate', () => {
  it('measures a few steps of the run in a trainer process once, then answers from the cache', async () => {
    const lab = labs.newLab()
    const config = toy()
    const first = await dispatch(lab.handlers, 'timing:estimate', { config })
    expect(first.ok).toBe(true)
    const timing = (first as { data: StepTiming }).data
    expect(timing).toMatchObject({ key: timingKey(config), source: 'measured', backend: 'cpu', steps: 5 })
    expect(timing.msPerStep).toBeGreaterThan(0)
    const file = join(labs.dataDirOf(lab), TIMING_FILE)
    expect(existsSync(file)).toBe(true)
    expect(JSON.parse(readFileSync(file, 'utf8'))[timing.key]).toEqual(timing)
    // Same key (a different name, seed and length change nothing): the cached figure, measuredAt included.
    const again = await dispatch(lab.handlers, 'timing:estimate', { config: toy({ name: 'other', seed: 9, epochs: 500 }) })
    expect(again).toEqual({ ok: true, data: timing })
  })

  it('takes the step time of an earlier run of the same kind, leaving out its warm-up steps', async () => {
    const lab = labs.newLab()
    const config = toy({ batchSize: 16 })
    const id = lab.runs.create(config)
    // 10 ms for each of the first 5 steps (warm-up), then 40 ms per step.
    const rows: StepRow[] = Array.from({ length: 30 }, (_, i) => {
      const step = i + 1
      return { step, epoch: 1, timeMs: step <= 5 ? step * 10 : 50 + (step - 5) * 40, dLossReal: 0.5, dLossFake: 0.5, gLoss: 0.7, dAccReal: 0.5, dAccFake: 0.5, wasserstein: null }
    })
    lab.metrics.insertSteps(id, rows)
    lab.db.prepare("UPDATE runs SET steps_done = 30, backend = 'wasm' WHERE id = ?").run(id)
    const r = await dispatch(lab.handlers, 'timing:estimate', { config: { ...config, name: 'new one', epochs: 3 } })
    expect(r).toMatchObject({ ok: true, data: { source: 'runs', runId: id, backend: 'wasm', key: timingKey(config) } })
    expect((r as { data: StepTiming }).data.msPerStep).toBeCloseTo(40, 9)
    // A later run of the same preset whose stored config is damaged is skipped, not fatal.
    const broken = lab.runs.create(config)
    lab.db.prepare("UPDATE runs SET config_json = '{not json', steps_done = 30, backend = 'wasm' WHERE id = ?").run(broken)
    const despite = await dispatch(lab.handlers, 'timing:estimate', { config })
    expect(despite).toMatchObject({ ok: true, data: { source: 'runs', runId: id } })
    // A run of another batch size is a different kind of run.
    expect(timingKey(toy({ batchSize: 32 }))).not.toBe(timingKey(config))
  })

  it('refuses a config the run itself would refuse, naming the field', async () => {
    const lab = labs.newLab()
    const r = await dispatch(lab.handlers, 'timing:estimate', { config: { ...toy(), batchSize: 0 } })
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    expect(JSON.stringify(r)).toMatch(/batchSize/)
  })
})
