// A tabular run with a target column (issue 21's TSTR against TRTR): the config checked against
// the data set, and a run trained in a real trainer process whose fidelity report of every epoch
// carries the utility scores, tested on the 20% of rows held out of its training.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { LabError } from '@shared/errors'
import { useTempLabs } from '../helpers/lab'
import { writeTable } from '../helpers/table'

const { newLab, dataDirOf } = useTempLabs('lab-target')

const config = (dataset: RunConfigInput['dataset'], targetColumn: string | null, epochs = 2): RunConfigInput => ({
  ...PRESETS['tabular-mlp'].defaults,
  name: `target ${targetColumn}`,
  seed: 4,
  dataset,
  epochs,
  stepsPerEpoch: 3,
  batchSize: 32,
  backend: 'wasm',
  evaluation: { ...PRESETS['tabular-mlp'].defaults.evaluation, targetColumn }
})

function refusal(fn: () => unknown): LabError {
  try {
    fn()
  } catch (err) {
    return err as LabError
  }
  throw new Error('expected a refusal')
}

describe('a target column', () => {
  it('must be a kept column of an imported table of at least 100 rows, refused by name before anything is recorded', () => {
    const lab = newLab()
    const file = join(dataDirOf(lab), 'table.csv')
    writeTable(file)
    const info = lab.datasets.importFiles([file], 'table', { columns: [{ name: 'code', type: 'ignore' }] })
    const issue = (c: RunConfigInput): unknown => refusal(() => lab.startRun(c)).issues
    expect(issue(config(info.id, 'price'))).toEqual([{ field: 'evaluation.targetColumn', message: 'table has no column "price"; choose one of amount, group, score' }])
    expect(issue(config(info.id, 'code'))).toEqual([{ field: 'evaluation.targetColumn', message: 'column "code" of table was imported as ignored; choose one of amount, group, score' }])
    expect(issue(config('toy-ring-8', 'x'))).toEqual([{ field: 'evaluation.targetColumn', message: 'Toy: ring of 8 Gaussians (2D) holds points; a target column needs an imported table' }])
    const small = join(dataDirOf(lab), 'small.csv')
    writeFileSync(small, ['a,b', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 3}`)].join('\n') + '\n')
    const smallInfo = lab.datasets.importFiles([small], 'small')
    expect(issue(config(smallInfo.id, 'b'))).toEqual([
      { field: 'evaluation.targetColumn', message: 'a target column holds out 20% of the rows to test on, which needs at least 100 rows (20 held out); this table has 60 (small)' }
    ])
    expect(lab.runs.list()).toHaveLength(0)
  })

  it('holds out 20% of the rows and stores TSTR, TRTR and the baseline with every epoch', async () => {
    const lab = newLab()
    const file = join(dataDirOf(lab), 'table.csv')
    writeTable(file)
    const info = lab.datasets.importFiles([file], 'table')
    expect(info.count).toBe(400)
    const run = lab.startRun(config(info.id, 'group'))
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 2 })
    const report = await lab.handlers['runs:fidelity']({ id: run.id })
    expect(report.map((r) => r.epoch)).toEqual([1, 2])
    for (const { fidelity } of report) {
      // The GAN trained on, and the report compares with, the other 80%.
      expect(fidelity.realRows).toBe(320)
      const u = fidelity.utility!
      expect(u).toMatchObject({ target: 'group', task: 'classification', metric: 'accuracy', trainRows: 320, heldOutRows: 80 })
      for (const v of [u.tstr, u.trtr, u.baseline, u.constant, u.macroF1!.tstr]) {
        expect(Number.isFinite(v)).toBe(true)
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThanOrEqual(1)
      }
    }
    // TRTR and the baseline are scored once per run.
    expect(report[1].fidelity.utility!.trtr).toBe(report[0].fidelity.utility!.trtr)
    expect(report[1].fidelity.utility!.baseline).toBe(report[0].fidelity.utility!.baseline)
  }, 600_000)

  it('scores a numeric target by R² in a min-max run: TRTR sees score follow amount, the independent baseline cannot', async () => {
    const lab = newLab()
    const file = join(dataDirOf(lab), 'table.csv')
    writeTable(file)
    const info = lab.datasets.importFiles([file], 'table')
    const c = config(info.id, 'score', 1)
    const run = lab.startRun({ ...c, tricks: { ...PRESETS['tabular-mlp'].defaults.tricks, tableTransform: 'minmax', tableSampling: 'rows' } })
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed' })
    const [{ fidelity }] = await lab.handlers['runs:fidelity']({ id: run.id })
    const u = fidelity.utility!
    expect(u).toMatchObject({ target: 'score', task: 'regression', metric: 'r2', trainRows: 320, heldOutRows: 80 })
    expect(u.macroF1).toBeUndefined()
    expect(Number.isFinite(u.tstr)).toBe(true)
    expect(u.trtr).toBeGreaterThan(0.5)
    expect(u.baseline).toBeLessThan(0.1)
    expect(Math.abs(u.constant)).toBeLessThan(0.1)
  }, 600_000)
})
