// `npm run cli -- sample`: N rows drawn from a tabular run's last checkpoint into a CSV file,
// after import-dataset and train, as a user would run them; bad flags refused with exit code 2.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import { afterAll, describe, expect, it } from 'vitest'
import { writeTable } from '../helpers/table'
import { cli } from './run-cli'

const root = mkdtempSync(join(tmpdir(), 'cli-sample-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('npm run cli -- sample', () => {
  it('writes N rows in the original columns and types from the last checkpoint', async () => {
    const dataDir = join(root, 'data')
    const csv = join(root, 'table.csv')
    writeTable(csv)
    expect((await cli(['import-dataset', csv, '--name', 'table', '--data-dir', dataDir])).code).toBe(0)
    const trained = await cli(['train', '--preset', 'tabular-mlp', '--dataset', '1', '--table-transform', 'modes', '--epochs', '2', '--steps-per-epoch', '3', '--backend', 'wasm', '--data-dir', dataDir])
    expect(trained.code).toBe(0)
    const out = join(root, 'out', 'rows.csv')
    const drawn = await cli(['sample', '--run', '1', '--rows', '300', '--out', out, '--data-dir', dataDir])
    expect(drawn.stderr).toBe('')
    expect(drawn.code).toBe(0)
    expect(drawn.stdout.trim()).toBe(`${out}: 300 rows from run 1 at epoch 2`)
    const rows = Papa.parse<Record<string, string>>(readFileSync(out, 'utf8').trim(), { header: true })
    expect(rows.meta.fields).toEqual(['code', 'amount', 'group', 'score'])
    expect(rows.data).toHaveLength(300)
    expect(rows.data.every((r) => /^\d+$/.test(r.code) && ['a', 'b', 'c'].includes(r.group))).toBe(true)

    const missing = await cli(['sample', '--run', '1', '--rows', '10', '--data-dir', dataDir])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--out is required: the CSV file to write')
    const bad = await cli(['sample', '--run', '1', '--rows', 'many', '--out', out, '--data-dir', dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--rows must be a number, got "many"')
    const zero = await cli(['sample', '--run', '1', '--rows', '0', '--out', out, '--data-dir', dataDir])
    expect(zero.stderr).toContain('rows: must be at least 1')
  }, 180_000)
})
