// `sample`: N rows drawn from a checkpoint of a tabular run, written as CSV with the data set's
// own column names and types (integers as integers, categories as their labels).
import type { LabCalls } from '@shared/api'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { LabError } from '@shared/errors'
import { dataDirOption, defineCommand } from '../command'
import { call, num, oneShotLab } from '../lab'

export const sample = defineCommand({
  name: 'sample',
  summary: "Draws N rows from a tabular run's generator at one checkpoint and writes them as CSV.",
  notes: ["The rows are decoded with the run's own transform into the data set's columns; the last checkpoint when --epoch is left out."],
  synopsis: '--run ID --rows N --out FILE.csv [options]',
  options: {
    run: { type: 'string', value: 'ID', description: 'the run' },
    epoch: { type: 'string', value: 'N', description: 'the epoch whose checkpoint draws the rows', shownDefault: 'the last checkpoint' },
    rows: { type: 'string', value: 'N', description: 'how many rows to draw' },
    seed: { type: 'string', value: 'N', description: "the rows' random seed", shownDefault: "the run's seed" },
    out: { type: 'string', value: 'FILE', description: 'the CSV file to write (replaced if it exists)' },
    'data-dir': dataDirOption
  },
  async run({ values, io }) {
    if (values.out === undefined) throw new LabError('INVALID_CONFIG', '--out is required: the CSV file to write')
    if (values.rows === undefined) throw new LabError('INVALID_CONFIG', '--rows is required: how many rows to draw')
    if (values.run === undefined) throw new LabError('INVALID_CONFIG', '--run is required: the run to draw rows from')
    const out = resolve(values.out)
    const lab = oneShotLab(values['data-dir'])
    try {
      const req = {
        id: num(values.run, '--run'),
        rows: num(values.rows, '--rows'),
        ...(values.epoch !== undefined ? { epoch: num(values.epoch, '--epoch') } : {}),
        ...(values.seed !== undefined ? { seed: num(values.seed, '--seed') } : {})
      }
      const res = await call<LabCalls['runs:sample-rows']['res']>(lab, 'runs:sample-rows', req)
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(out, res.content)
      io.out(`${out}: ${res.rows} rows from run ${req.id} at epoch ${res.epoch}`)
      return 0
    } finally {
      lab.close()
    }
  }
})
