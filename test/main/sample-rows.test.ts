// Rows drawn from a tabular run's checkpoints (runs:sample-rows) and the fidelity report stored
// with each epoch (runs:fidelity), on a table written here with an integer code column, a
// zero-inflated number and a category, trained in real trainer processes with both transforms.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Papa from 'papaparse'
import { strFromU8, unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { LabError } from '@shared/errors'
import type { TableTransform } from '@shared/tabular-transform'
import { useTempLabs } from '../helpers/lab'
import { writeTable } from '../helpers/table'

const { newLab, dataDirOf } = useTempLabs('lab-rows')

const config = (dataset: number, transform: 'modes' | 'minmax', epochs = 2): RunConfigInput => ({
  ...PRESETS['tabular-mlp'].defaults,
  name: `rows ${transform}`,
  seed: 4,
  dataset,
  epochs,
  stepsPerEpoch: 5,
  batchSize: 32,
  backend: 'wasm',
  tricks: { ...PRESETS['tabular-mlp'].defaults.tricks, tableTransform: transform, tableSampling: transform === 'modes' ? 'by-category' : 'rows' }
})

describe('runs:sample-rows and runs:fidelity', () => {
  it('draws N rows from the last or a chosen checkpoint, in the original columns and types, and stores a fidelity report per epoch', async () => {
    const lab = newLab()
    const file = join(dataDirOf(lab), 'table.csv')
    writeTable(file)
    const info = lab.datasets.importFiles([file], 'table')
    expect(info.columns!.map((c) => `${c.name}:${c.type}`)).toEqual(['code:integer', 'amount:numeric', 'group:categorical', 'score:numeric'])
    const run = lab.startRun(config(info.id as number, 'modes'))
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 2 })

    const drawn = await lab.handlers['runs:sample-rows']({ id: run.id, rows: 700 })
    expect(drawn).toMatchObject({ epoch: 2, rows: 700, filename: `run-${run.id}-epoch-2-700-rows.csv`, mime: 'text/csv' })
    const parsed = Papa.parse<Record<string, string>>(drawn.content.trim(), { header: true })
    expect(parsed.meta.fields).toEqual(['code', 'amount', 'group', 'score'])
    expect(parsed.data).toHaveLength(700)
    for (const row of parsed.data) {
      expect(row.code).toMatch(/^-?\d+$/)
      expect(Number(row.code)).toBeGreaterThanOrEqual(1)
      expect(Number(row.code)).toBeLessThanOrEqual(24)
      expect(['a', 'b', 'c']).toContain(row.group)
      expect(Number.isFinite(Number(row.amount))).toBe(true)
    }
    // The same seed draws the same rows; another seed or epoch other rows.
    expect((await lab.handlers['runs:sample-rows']({ id: run.id, rows: 700 })).content).toBe(drawn.content)
    expect((await lab.handlers['runs:sample-rows']({ id: run.id, rows: 700, seed: 99 })).content).not.toBe(drawn.content)
    const first = await lab.handlers['runs:sample-rows']({ id: run.id, rows: 10, epoch: 1 })
    expect(first.epoch).toBe(1)

    // The run's bundle carries transform.json: imported into another lab with the same table, it draws the same rows.
    const bundle = await lab.handlers['runs:export-bundle']({ id: run.id, checkpoints: 'last' })
    const elsewhere = newLab()
    const copy = join(dataDirOf(elsewhere), 'table.csv')
    writeTable(copy)
    elsewhere.datasets.importFiles([copy], 'table')
    const imported = elsewhere.importBundle(Buffer.from(bundle.base64, 'base64'))
    expect((await elsewhere.handlers['runs:sample-rows']({ id: imported.run.id, rows: 700 })).content).toBe(drawn.content)

    // Trained by sampling (the preset's default): the run records its condition, its G takes it after
    // z, and the generator export says so and carries the transform.
    const transform = JSON.parse(readFileSync(join(dataDirOf(lab), 'runs', String(run.id), 'transform.json'), 'utf8')) as TableTransform
    expect(transform.kind === 'modes' && transform.condition).toMatchObject({ columns: [{ name: 'group' }] })
    const counts = transform.kind === 'modes' ? transform.condition!.columns[0].counts : []
    expect(counts.reduce((a, b) => a + b, 0)).toBe(400)
    const exported = await lab.handlers['runs:export-generator']({ id: run.id, samples: 0 })
    if (exported.kind !== 'zip') throw new Error('expected a zip')
    const zip = unzipSync(Buffer.from(exported.base64, 'base64'))
    const about = JSON.parse(strFromU8(zip[`run-${run.id}-epoch-2-generator/export.json`])) as { input: string; condition: string[] }
    expect(about.condition).toEqual(['group = a', 'group = b', 'group = c'])
    expect(about.input).toMatch(/^35 values: z \(32, gaussian\) followed by CTGAN's conditional vector \(3 values, one set to 1/)
    expect(JSON.parse(strFromU8(zip[`run-${run.id}-epoch-2-generator/transform.json`]))).toEqual(transform)
    // Its latent plane draws each cell's category by the table's shares too.
    const plane = await lab.handlers['explorer:scatter']({ id: run.id, epoch: 2, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 })
    expect(plane.points).toHaveLength(25)
    expect(plane.columns).toEqual(['code', 'amount'])

    const report = await lab.handlers['runs:fidelity']({ id: run.id })
    expect(report.map((r) => r.epoch)).toEqual([1, 2])
    const f = report[1].fidelity
    expect(f).toMatchObject({ realRows: 400, generatedRows: 2000 })
    expect(f.columns.map((c) => `${c.name}:${c.statistic}`)).toEqual(['code:ks', 'amount:ks', 'group:tv', 'score:ks'])
    for (const v of [f.meanKs, f.maxKs, f.meanTv, f.correlationRms, f.baseline.meanKs, f.baseline.correlationRms]) {
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThanOrEqual(1)
    }
    expect(f.detection).toBeGreaterThanOrEqual(0.5)
    // The baseline is scored once: the same figures in every epoch.
    expect(report[0].fidelity.baseline).toEqual(f.baseline)
  }, 600_000)

  it('decodes the rows of a min-max run with the data set ranges, and refuses what it cannot draw', async () => {
    const lab = newLab()
    const file = join(dataDirOf(lab), 'table.csv')
    writeTable(file)
    const info = lab.datasets.importFiles([file], 'table')
    const run = lab.startRun(config(info.id as number, 'minmax', 1))
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed' })
    const drawn = await lab.handlers['runs:sample-rows']({ id: run.id, rows: 50 })
    const rows = Papa.parse<Record<string, string>>(drawn.content.trim(), { header: true }).data
    const amount = info.columns!.find((c) => c.name === 'amount')!
    for (const row of rows) {
      expect(Number(row.amount)).toBeGreaterThanOrEqual(amount.min!)
      expect(Number(row.amount)).toBeLessThanOrEqual(amount.max!)
      expect(row.code).toMatch(/^\d+$/)
    }
    const refusal = async (p: unknown): Promise<LabError> => Promise.resolve(p).then(() => { throw new Error('expected a refusal') }, (e: unknown) => e as LabError)
    expect((await refusal(lab.handlers['runs:sample-rows']({ id: run.id, rows: 5, epoch: 3 }))).message).toBe(`Run ${run.id} has no checkpoint for epoch 3 (checkpoints exist for epochs 1)`)
    writeFileSync(join(dataDirOf(lab), 'runs', String(run.id), 'transform.json'), '{"kind": "modes", "columns": []}')
    expect((await refusal(lab.handlers['runs:sample-rows']({ id: run.id, rows: 5 }))).message).toMatch(/transform\.json does not fit the run's data set: it has 0 columns; the data set has 4$/)
  }, 600_000)

  it('refuses to draw rows when the recorded condition does not fit the generator, naming the problem', async () => {
    const lab = newLab()
    const file = join(dataDirOf(lab), 'table.csv')
    writeTable(file)
    const info = lab.datasets.importFiles([file], 'table')
    const run = lab.startRun(config(info.id as number, 'modes', 1))
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed' })
    const path = join(dataDirOf(lab), 'runs', String(run.id), 'transform.json')
    const transform = JSON.parse(readFileSync(path, 'utf8')) as Extract<TableTransform, { kind: 'modes' }>
    const { condition, ...unconditioned } = transform
    expect(condition).toBeDefined()
    writeFileSync(path, JSON.stringify(unconditioned))
    await expect(lab.handlers['runs:sample-rows']({ id: run.id, rows: 5 })).rejects.toThrow(
      'The generator takes 3 values after z, and the run records no condition to draw them from (transform.json)'
    )
  }, 600_000)
})
