// Run management without training: rows go straight into the repos, the Lab's handlers
// rename, annotate and export them.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope, MetricsExport } from '@shared/api'
import { PRESETS, runConfigSchema } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import type { Lab } from '../../src/main/services/lab'
import { dispatch } from '../../src/main/services/dispatch'
import { csvField } from '../../src/main/services/metrics-export'
import { tempLabs } from '../helpers/lab'

const newLab = tempLabs()

function addRun(lab: Lab, name: string, steps: number): number {
  const config = runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name, seed: 3 })
  const id = lab.runs.create(config)
  const rows: StepRow[] = Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    epoch: 1,
    timeMs: (i + 1) * 10,
    dLossReal: 0.5,
    dLossFake: 0.25,
    gLoss: 1 + i,
    dAccReal: 0.75,
    dAccFake: 0.5,
    wasserstein: null
  }))
  lab.metrics.insertSteps(id, rows)
  return id
}

describe('runs:update', () => {
  it('renames a run and stores trimmed, de-duplicated tags and notes, emitting runs:changed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lab-'))
    const lab = newLab(dataDir)
    const id = addRun(lab, 'first', 2)
    const events: EventEnvelope[] = []
    lab.subscribe((e) => events.push(e))
    const r = await dispatch(lab.handlers, 'runs:update', { id, name: '  renamed ', notes: 'lr too high?', tags: [' dcgan', 'baseline', 'dcgan '] })
    expect(r).toMatchObject({ ok: true, data: { id, name: 'renamed', notes: 'lr too high?', tags: ['dcgan', 'baseline'] } })
    expect(events).toEqual([{ event: 'runs:changed', payload: expect.objectContaining({ id, name: 'renamed', tags: ['dcgan', 'baseline'] }) }])
    // Fields left out keep their values.
    await dispatch(lab.handlers, 'runs:update', { id, tags: [] })
    expect(lab.runs.get(id)).toMatchObject({ name: 'renamed', notes: 'lr too high?', tags: [] })
    lab.close()
    expect(newLab(dataDir).runs.list()[0]).toMatchObject({ name: 'renamed', notes: 'lr too high?', tags: [] })
  })

  it('refuses empty or long names, long notes, too many or bad tags and unknown runs', async () => {
    const lab = newLab()
    const id = addRun(lab, 'x', 0)
    const bad = [
      { id, name: '   ' },
      { id, name: 'n'.repeat(121) },
      { id, notes: 'n'.repeat(10_001) },
      { id, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
      { id, tags: ['ok', ' '] },
      { id, tags: ['t'.repeat(41)] }
    ]
    for (const req of bad) expect(await dispatch(lab.handlers, 'runs:update', req)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    // 21 tags that collapse to 20 are fine.
    const twenty = [...Array.from({ length: 20 }, (_, i) => `t${i}`), 't0']
    expect(await dispatch(lab.handlers, 'runs:update', { id, tags: twenty })).toMatchObject({ ok: true })
    expect(await dispatch(lab.handlers, 'runs:update', { id: 999, name: 'y' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(lab.runs.get(id)?.name).toBe('x')
  })
})

describe('runs:export-metrics', () => {
  it('writes tidy CSV rows with a header and RFC 4180 quoting of names', async () => {
    const lab = newLab()
    const a = addRun(lab, 'plain', 3)
    const b = addRun(lab, 'lr, "hot"', 2)
    const r = await dispatch(lab.handlers, 'runs:export-metrics', { ids: [a, b], format: 'csv' })
    if (!r.ok) throw new Error(r.error.message)
    const data = r.data as MetricsExport
    expect(data).toMatchObject({ mime: 'text/csv', filename: expect.stringMatching(/\.csv$/) })
    const lines = data.content.trimEnd().split('\r\n')
    expect(lines[0]).toBe('run_id,run_name,step,epoch,time_ms,d_loss_real,d_loss_fake,g_loss,d_acc_real,d_acc_fake,wasserstein')
    expect(lines).toHaveLength(1 + 3 + 2)
    expect(lines[1]).toBe(`${a},plain,1,1,10,0.5,0.25,1,0.75,0.5,`)
    expect(lines[4]).toBe(`${b},"lr, ""hot""",1,1,10,0.5,0.25,1,0.75,0.5,`)
    expect(csvField('a\nb')).toBe('"a\nb"')
  })

  it('defuses names and categories a spreadsheet would run as formulas; numbers stay numbers', async () => {
    const lab = newLab()
    const id = addRun(lab, '=HYPERLINK("http://x.test","click")', 1)
    const r = await dispatch(lab.handlers, 'runs:export-metrics', { ids: [id], format: 'csv' })
    if (!r.ok) throw new Error(r.error.message)
    expect((r.data as MetricsExport).content.split('\r\n')[1]).toMatch(new RegExp(`^${id},"'=HYPERLINK\\(""http://x\\.test"",""click""\\)",1,`))
    for (const cell of ['=1+1', '+cmd|x', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvField(cell)).toMatch(/^"?'/)
    for (const value of [-1.5, '-1.5', '+3', '-2e-3', 'plain', 'a-b']) expect(csvField(value)).toBe(String(value))
    expect(csvField(-7)).toBe('-7')
  })

  it('writes JSON as an array of objects, and refuses empty, too many or unknown ids', async () => {
    const lab = newLab()
    const a = addRun(lab, 'one', 4)
    const r = await dispatch(lab.handlers, 'runs:export-metrics', { ids: [a], format: 'json' })
    if (!r.ok) throw new Error(r.error.message)
    const data = r.data as MetricsExport
    expect(data.mime).toBe('application/json')
    const parsed = JSON.parse(data.content) as Record<string, unknown>[]
    expect(parsed).toHaveLength(4)
    expect(parsed[3]).toEqual({ run_id: a, run_name: 'one', step: 4, epoch: 1, time_ms: 40, d_loss_real: 0.5, d_loss_fake: 0.25, g_loss: 4, d_acc_real: 0.75, d_acc_fake: 0.5, wasserstein: null })
    expect(await dispatch(lab.handlers, 'runs:export-metrics', { ids: [], format: 'csv' })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    const many = Array.from({ length: 51 }, (_, i) => i + 1)
    expect(await dispatch(lab.handlers, 'runs:export-metrics', { ids: many, format: 'csv' })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    expect(await dispatch(lab.handlers, 'runs:export-metrics', { ids: [a], format: 'xml' })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    expect(await dispatch(lab.handlers, 'runs:export-metrics', { ids: [999], format: 'csv' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})
