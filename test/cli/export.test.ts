// The command line rebuilds figures and exports generators in a script: `export-figure` writes
// SVG or PDF, `export-generator` a folder with the model and samples; bad flags exit 2, named.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema } from '../../src/shared/config'
import type { StepRow, StepSeries } from '../../src/shared/metrics'
import type { FigureExport } from '../../src/shared/api'
import { dispatch } from '../../src/main/services/dispatch'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { parseIdx } from '../../src/main/common/idx'
import { cli as runCli, type CliResult } from './run-cli'

const root = mkdtempSync(join(tmpdir(), 'cli-export-'))
const dataDir = join(root, 'data')
let runId: number
/** A second run, its steps written to the store, for figures of two runs. */
let otherId: number

function stepRow(series: StepSeries, i: number): StepRow {
  return {
    step: series.step[i],
    epoch: series.epoch[i],
    timeMs: series.timeMs[i],
    dLossReal: series.values.dLossReal[i] * 1.1,
    dLossFake: series.values.dLossFake[i],
    gLoss: series.values.gLoss[i] * 0.9,
    dAccReal: series.values.dAccReal[i],
    dAccFake: series.values.dAccFake[i],
    wasserstein: null
  }
}

const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--data-dir', dataDir])

beforeAll(async () => {
  const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc' })
  try {
    const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'cli figures', seed: 2, epochs: 2, stepsPerEpoch: 6, batchSize: 16, backend: 'wasm' })
    runId = run.id
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    const sgd = { ...PRESETS['mnist-mlp'].defaults.optimizerD, kind: 'sgd' as const, lr: 0.01 }
    otherId = lab.runs.create(runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: 'cli figures sgd', seed: 2, optimizerD: sgd, optimizerG: sgd }))
    const first = lab.metrics.series(runId)
    lab.metrics.insertSteps(otherId, first.step.map((_, i) => stepRow(first, i)))
    lab.runs.finish(otherId, 'completed', null)
  } finally {
    lab.close()
  }
}, 120_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('npm run cli -- export-figure / export-generator', () => {
  it('writes a chart as SVG and a grid row as PDF at the chosen size', async () => {
    const svg = join(root, 'loss.svg')
    const a = await cli(['export-figure', '--run', String(runId), '--width', '3.5', '--unit', 'in', '--font', '9', '--out', svg])
    expect(a.stderr).toBe('')
    expect(a.code).toBe(0)
    const text = readFileSync(svg, 'utf8')
    expect(text).toContain('width="252pt"')
    expect(text).toMatch(/<path d="M[^"]+" fill="none" stroke="#16a34a"/)
    const pdf = join(root, 'grids.pdf')
    const b = await cli(['export-figure', '--run', String(runId), '--kind', 'grid-row', '--epochs', '1,2', '--format', 'pdf', '--out', pdf])
    expect(b.code).toBe(0)
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-')
  }, 120_000)

  it('writes the same chart figure of two runs as the compare view asks for, legend labels included', async () => {
    const svg = join(root, 'loss-2.svg')
    const res = await cli(['export-figure', '--run', `${runId},${otherId}`, '--kind', 'chart', '--chart', 'loss', '--x', 'epoch', '--smoothing', '0.5', '--legend', 'Adam run;SGD run', '--width', '17', '--out', svg])
    expect(res.stderr).toBe('')
    // The request CompareExports sends for "Loss curves" with both labels edited (test/renderer/figure-export.test.ts).
    const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc' })
    try {
      const figure = { kind: 'chart', ids: [runId, otherId], chart: 'loss', xAxis: 'epoch', smoothing: 0.5, legend: ['Adam run', 'SGD run'] }
      const ui = await dispatch(lab.handlers, 'figures:export', { figure, format: 'svg', size: { width: 17, unit: 'cm', fontPt: 8 }, scale: 3 })
      if (!ui.ok) throw new Error(ui.error.message)
      const file = ui.data as FigureExport
      expect(file.format === 'svg' && Buffer.from(file.base64, 'base64').toString('utf8')).toBe(readFileSync(svg, 'utf8'))
    } finally {
      lab.close()
    }
    expect(readFileSync(svg, 'utf8')).toContain('>SGD run</text>')
  }, 120_000)

  it('refuses PNG and bad sizes with the reason', async () => {
    const png = await cli(['export-figure', '--run', String(runId), '--format', 'png'])
    expect(png.code).toBe(2)
    expect(png.stderr).toContain("PNG is drawn by the lab's window (Chromium); from the command line export svg or pdf")
    const wide = await cli(['export-figure', '--run', String(runId), '--width', '99'])
    expect(wide.code).toBe(2)
    expect(wide.stderr).toContain('Invalid figures:export request: size.width: must be from 2 to 60 cm (0.79 to 23.6 in)')
    const grids = await cli(['export-figure', '--run', String(runId), '--kind', 'grid-row', '--epochs', '7'])
    expect(grids.stderr).toContain(`Run ${runId} has no sample grid for epoch 7 (it has grids for epochs 1, 2)`)
  }, 120_000)

  it('takes --kind scores with --score through the schema, and refuses a flag the chosen kind does not take', async () => {
    // The request passes the figures:export schema (once refused as "unknown field chart"); this
    // run has no scores, which the service says. The scoring test in cli.test.ts writes one.
    const scores = await cli(['export-figure', '--run', String(runId), '--kind', 'scores', '--score', 'precision'])
    expect(scores.code).toBe(2)
    expect(scores.stderr).toBe(`error: No scores to draw: run ${runId} has no epoch scores yet\n`)
    const x = await cli(['export-figure', '--run', String(runId), '--kind', 'scores', '--x', 'epoch'])
    expect(x.code).toBe(2)
    expect(x.stderr).toContain('--x does not apply to --kind scores (only to chart, comparison)')
    const kind = await cli(['export-figure', '--run', String(runId), '--kind', 'pie'])
    expect(kind.code).toBe(2)
    expect(kind.stderr).toContain('--kind must be one of chart, grid-row, comparison, scores, got "pie"')
  })

  it('exports a generator with samples into a new folder under --out', async () => {
    const out = join(root, 'gen')
    const res = await cli(['export-generator', '--run', String(runId), '--epoch', '2', '--samples', '4', '--out', out])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const folder = join(out, `run-${runId}-epoch-2-generator`)
    expect(res.stdout.trim()).toBe(`${folder} (8 files)`)
    expect(readdirSync(join(folder, 'samples'))).toHaveLength(4)
    expect(parseIdx(readFileSync(join(folder, 'samples-images-idx3-ubyte')), 'idx', 3).dims).toEqual([4, 28, 28])
    expect(existsSync(join(folder, 'generator', 'weights.bin'))).toBe(true)
  }, 120_000)

  it("exports the last checkpoint when --epoch is left out, and names a run that has none", async () => {
    const out = join(root, 'gen-last')
    const res = await cli(['export-generator', '--run', String(runId), '--samples', '2', '--out', out])
    expect(res.stderr).toBe('')
    expect(res.stdout.trim()).toBe(`${join(out, `run-${runId}-epoch-2-generator`)} (6 files)`)
    const none = await cli(['export-generator', '--run', String(otherId), '--out', out])
    expect(none.code).not.toBe(0)
    expect(none.stderr).toContain(`Run ${otherId} has no checkpoint yet to export`)
  }, 120_000)
})
