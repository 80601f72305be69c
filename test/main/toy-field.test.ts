// GAN Lab's view of a toy run through the lab: a real trainer process sends its fields, the lab
// forwards them as 'trainer:field' and stores each epoch's (epoch_fields), runs:field answers it
// (request and stored value both checked by the shared schemas), resume continues the stored
// fields, and run bundles carry them to another lab.
import { createHash } from 'node:crypto'
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope, LabEvents } from '@shared/api'
import { PRESETS } from '@shared/config'
import { LabError } from '@shared/errors'
import { FIELD_POINTS, toyFieldSchema } from '@shared/toy-field'
import { exportRunBundle } from '../../src/main/services/bundle'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { useTempLabs } from '../helpers/lab'

const { newLab } = useTempLabs('toy-field')

/** The 'trainer:field' events of run `id`, as the lab emits them. */
function fieldEvents(lab: Lab): LabEvents['trainer:field'][] {
  const got: LabEvents['trainer:field'][] = []
  lab.subscribe((e: EventEnvelope) => {
    if (e.event === 'trainer:field') got.push(e.payload)
  })
  return got
}

const ring = { ...PRESETS['toy-mlp'].defaults, name: 'ring', seed: 4, epochs: 2, stepsPerEpoch: 40, backend: 'wasm' as const }

async function call<T>(lab: Lab, channel: Parameters<typeof dispatch>[1], req: unknown): Promise<T> {
  const result = await dispatch(lab.handlers, channel, req)
  if (!result.ok) throw new LabError(result.error.code, result.error.message)
  return result.data as T
}

describe('toy fields in the lab', () => {
  it('forwards live fields, stores each epoch\'s, answers runs:field, and continues them on resume', async () => {
    const lab = newLab()
    const events = fieldEvents(lab)
    const run = lab.startRun(ring)
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 2 })

    expect(lab.detail(run.id).epochs.map((e) => [e.epoch, e.hasField, e.hasSamples, e.hasGrid])).toEqual([[1, true, true, false], [2, true, true, false]])
    const stored = await call<unknown>(lab, 'runs:field', { id: run.id, epoch: 2 })
    const field = toyFieldSchema.parse(stored)
    expect(field).toMatchObject({ epoch: 2, step: 80, columns: ['x', 'y'], output: 'probability' })
    expect(field.fake).toHaveLength(FIELD_POINTS)
    // Every event is a valid field of this run, in step order; the epochs' own are among them, equal to what was stored.
    expect(events.every((e) => e.runId === run.id && toyFieldSchema.safeParse(e.field).success)).toBe(true)
    const steps = events.map((e) => e.field.step)
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(events.find((e) => e.field.step === 80)?.field).toEqual(field)
    expect(events.find((e) => e.field.step === 40)?.field).toEqual(await call(lab, 'runs:field', { id: run.id, epoch: 1 }))

    // The request is checked by its schema; a missing epoch or run is named.
    await expect(call(lab, 'runs:field', { id: run.id, epoch: 0 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    await expect(call(lab, 'runs:field', { id: run.id })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    await expect(call(lab, 'runs:field', { id: run.id, epoch: 3 })).rejects.toThrow(/Run \d+ has no field of D and G for epoch 3/)
    await expect(call(lab, 'runs:field', { id: 999, epoch: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' })

    // Resumed: the new epoch has its field, the earlier ones are kept.
    lab.resumeRun(run.id, 3)
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 3 })
    expect(lab.detail(run.id).epochs.map((e) => e.hasField)).toEqual([true, true, true])
    expect(await call(lab, 'runs:field', { id: run.id, epoch: 2 })).toEqual(field)
    expect(toyFieldSchema.parse(await call(lab, 'runs:field', { id: run.id, epoch: 3 })).step).toBe(120)

    // A stored value that is not a field is reported as such, not passed on.
    lab.db.prepare('UPDATE epoch_fields SET field_json = ? WHERE run_id = ? AND epoch = 1').run(JSON.stringify({ ...field, values: [1, 2] }), run.id)
    await expect(call(lab, 'runs:field', { id: run.id, epoch: 1 })).rejects.toThrow(/epoch_fields.field_json does not hold what this app expects at values: must hold 1600 values/)
  })

  it('gives runs of images no field', async () => {
    const lab = newLab()
    const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'digits', seed: 1, epochs: 1, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm' })
    const events = fieldEvents(lab)
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed' })
    expect(lab.detail(run.id).epochs.map((e) => e.hasField)).toEqual([false])
    expect(events).toEqual([])
    await expect(call(lab, 'runs:field', { id: run.id, epoch: 1 })).rejects.toThrow(/only runs of 1D\/2D points have one/)
  })

  it('carries the stored fields in a run bundle, and refuses a bundle whose field is malformed', async () => {
    const lab = newLab()
    const run = lab.startRun({ ...ring, epochs: 1, stepsPerEpoch: 10 })
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed' })
    const zip = exportRunBundle(lab.db, run.id, lab.runDir(run.id), { checkpoints: 'none', appVersion: 'test' })
    const other = newLab()
    const { run: moved } = other.importBundle(zip)
    expect(other.detail(moved.id).epochs.map((e) => e.hasField)).toEqual([true])
    expect(await call(other, 'runs:field', { id: moved.id, epoch: 1 })).toEqual(await call(lab, 'runs:field', { id: run.id, epoch: 1 }))

    // The same bundle with a field whose arrows do not match its points (hashes kept valid).
    const files = unzipSync(zip)
    const table = JSON.parse(Buffer.from(files['tables/epoch_fields.json']).toString()) as { columns: string[]; rows: unknown[][] }
    const at = table.columns.indexOf('field_json')
    const bad = JSON.parse(table.rows[0][at] as string) as { arrows: unknown[] }
    bad.arrows = bad.arrows.slice(1)
    table.rows[0][at] = JSON.stringify(bad)
    files['tables/epoch_fields.json'] = strToU8(JSON.stringify(table))
    const manifest = JSON.parse(Buffer.from(files['manifest.json']).toString()) as { sha256: Record<string, string> }
    manifest.sha256['tables/epoch_fields.json'] = createHash('sha256').update(files['tables/epoch_fields.json']).digest('hex')
    files['manifest.json'] = strToU8(JSON.stringify(manifest))
    const before = other.runs.list().length
    expect(() => other.importBundle(zipSync(files as Zippable))).toThrow(/epoch_fields\.field_json of row 1 does not hold what this app expects at arrows: must hold one arrow per generated point/)
    expect(other.runs.list()).toHaveLength(before)
  })
})
