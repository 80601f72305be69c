// Data sets end to end: imports into the registry (Fashion-MNIST's gzipped IDX files from
// Debian's dataset-fashion-mnist, Seattle's weather table from python3-vega-datasets), runs
// trained on them in real trainer processes, and the refusals that protect them.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { LabError } from '@shared/errors'
import { exportRunBundle } from '../../src/main/services/bundle'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { decodePng } from '../../src/main/common/grid'

/** Shipped by Debian packages that .ci/run installs; nobody here wrote them. */
const FASHION = '/usr/share/datasets/fashion-mnist'
const SEATTLE = '/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv'

const labs: Lab[] = []
function newLab(chooseFiles?: () => Promise<string[] | null>): Lab {
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'lab-ds-')), launcher: forkLauncher(), version: 'test', transport: 'ipc', chooseFiles })
  labs.push(lab)
  return lab
}
afterEach(() => {
  for (const lab of labs.splice(0)) lab.close()
})

const tiny = (over: Partial<RunConfigInput>): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'tiny',
  seed: 3,
  epochs: 1,
  stepsPerEpoch: 20,
  batchSize: 32,
  backend: 'wasm',
  ...over
})

function refusal(fn: () => unknown): LabError {
  try {
    fn()
  } catch (err) {
    if (err instanceof LabError) return err
    throw err
  }
  throw new Error('expected a LabError')
}

describe('data-set registry', () => {
  it('imports gzipped Fashion-MNIST with its labels and trains an MLP GAN on it', async () => {
    expect(existsSync(join(FASHION, 'train-images-idx3-ubyte.gz')), `${FASHION} missing: apt-get install dataset-fashion-mnist`).toBe(true)
    const lab = newLab()
    const info = lab.datasets.importFiles([join(FASHION, 'train-images-idx3-ubyte.gz'), join(FASHION, 'train-labels-idx1-ubyte.gz')], 'Fashion-MNIST')
    expect(info).toMatchObject({ name: 'Fashion-MNIST', kind: 'images', image: { height: 28, width: 28, channels: 1 }, count: 60_000, classes: 10 })
    expect(lab.datasets.list().map((d) => d.id)).toContain(info.id)
    expect(readdirSync(lab.datasets.dir(info.id as number)).sort()).toEqual(['images-idx-ubyte', 'labels-idx1-ubyte'])

    const run = lab.startRun(tiny({ dataset: info.id }))
    const end = await lab.waitForEnd(run.id)
    expect(end).toMatchObject({ status: 'completed', stepsDone: 20, epochsDone: 1 })
    const png = decodePng(lab.metrics.grid(run.id, 1)!.png)
    expect([png.width, png.height]).toEqual([10 * 28 + 11, 10 * 28 + 11])
    // A data set a run trained on is not deleted from under it.
    expect(refusal(() => lab.datasets.delete(info.id as number))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`run ${run.id}`) })
  })

  it('imports a real CSV table with inferred types and trains the tabular preset, rows decoded to the original columns', async () => {
    const lab = newLab()
    const info = lab.datasets.importFiles([SEATTLE], undefined)
    const types = Object.fromEntries((info.columns ?? []).map((c) => [c.name, c.type]))
    expect(types).toEqual({ date: 'ignore', precipitation: 'numeric', temp_max: 'numeric', temp_min: 'numeric', wind: 'numeric', weather: 'categorical' })
    expect(info.count).toBe(1461)
    const weather = info.columns!.find((c) => c.name === 'weather')!.categories!
    expect(weather).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun'])

    const run = lab.startRun(tiny({ preset: 'tabular-mlp', dataset: info.id, latentDim: 16 }))
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 1 })
    expect(lab.metrics.grid(run.id, 1)).toBeNull()
    expect(lab.metrics.epochs(run.id)[0]).toMatchObject({ hasGrid: false, hasSamples: true })
    const samples = lab.samples(run.id, 1)
    if (samples.kind !== 'table') throw new Error('expected a table')
    expect(samples.columns.map((c) => c.name)).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'])
    expect(samples.rows).toHaveLength(500)
    // Real rows for the histograms, decoded the same way: the file's first row comes back.
    expect(samples.real).toHaveLength(500)
    expect(samples.real![0]).toEqual([0, 12.8, 5, 4.7, 'drizzle'])

    const csv = await lab.handlers['runs:export-samples']({ id: run.id, epoch: 1 })
    const parsed = Papa.parse<Record<string, string>>(csv.content.trim(), { header: true })
    expect(parsed.meta.fields).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'])
    expect(parsed.data).toHaveLength(500)
    const temps = info.columns!.find((c) => c.name === 'temp_max')!
    for (const row of parsed.data) {
      expect(weather).toContain(row.weather)
      const t = Number(row.temp_max)
      expect(t).toBeGreaterThanOrEqual(temps.min!)
      expect(t).toBeLessThanOrEqual(temps.max!)
    }
  })

  it('applies a chosen column type and refuses a type the cells do not fit, naming row and column', () => {
    const lab = newLab()
    const info = lab.datasets.importFiles([SEATTLE], 'weather', { columns: [{ name: 'wind', type: 'ignore' }] })
    expect(info.columns!.find((c) => c.name === 'wind')!.type).toBe('ignore')
    expect(refusal(() => lab.datasets.importFiles([SEATTLE], 'w', { columns: [{ name: 'weather', type: 'numeric' }] })).message).toMatch(
      /seattle-weather\.csv: row 2, column "weather": "drizzle" is not a number/
    )
    expect(refusal(() => lab.datasets.importFiles([SEATTLE], 'w', { columns: [{ name: 'nope', type: 'numeric' }] })).message).toMatch(/has no column "nope"/)
    expect(lab.datasets.repo.list()).toHaveLength(1)
  })

  it('trains the toy preset on a ring of Gaussians and stores real and generated points', async () => {
    const lab = newLab()
    const run = lab.startRun({ ...PRESETS['toy-mlp'].defaults, name: 'ring', seed: 5, epochs: 1, stepsPerEpoch: 30, backend: 'wasm' })
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 1 })
    const samples = lab.samples(run.id, 1)
    if (samples.kind !== 'points') throw new Error('expected points')
    expect(samples.real).toHaveLength(500)
    expect(samples.fake).toHaveLength(500)
    // Real points sit on the circle of radius 2.
    for (const [x, y] of samples.real) expect(Math.hypot(x, y)).toBeCloseTo(2, 0)
    expect(samples.fake.every((p) => p.length === 2 && p.every(Number.isFinite))).toBe(true)
    await expect(lab.explorerGrid({ id: run.id, epoch: 1, axisI: 0, axisJ: 1, min: -1, max: 1, resolution: 5 })).rejects.toThrow(/not images: the latent explorer draws images only/)
    // The points travel in a run bundle like every table with a run_id.
    const other = newLab()
    const { run: moved } = other.importBundle(exportRunBundle(lab.db, run.id, lab.runDir(run.id), { checkpoints: 'none', appVersion: 'test' }))
    expect(other.samples(moved.id, 1)).toEqual(samples)
  })

  it('resumes a toy run: the next epoch draws its points like the first', async () => {
    const lab = newLab()
    const run = lab.startRun({ ...PRESETS['toy-mlp'].defaults, name: 'ring', seed: 6, epochs: 1, stepsPerEpoch: 10, backend: 'wasm' })
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 1 })
    lab.resumeRun(run.id, 2)
    expect(await lab.waitForEnd(run.id)).toMatchObject({ status: 'completed', epochsDone: 2, stepsDone: 20 })
    const [first, second] = [lab.samples(run.id, 1), lab.samples(run.id, 2)]
    if (first.kind !== 'points' || second.kind !== 'points') throw new Error('expected points')
    expect(second.real).toEqual(first.real)
    expect(second.fake).not.toEqual(first.fake)
  })

  it('refuses a run whose data set is missing or does not fit the preset, before anything is recorded', () => {
    const lab = newLab()
    expect(refusal(() => lab.startRun(tiny({ dataset: 42 })))).toMatchObject({
      code: 'INVALID_CONFIG',
      issues: [{ field: 'dataset', message: 'there is no data set 42 (it may have been deleted)' }]
    })
    expect(refusal(() => lab.startRun(tiny({ dataset: 'toy-ring-8' }))).issues?.[0].message).toMatch(/holds points; the mnist-mlp preset takes images/)
    expect(refusal(() => lab.startRun(tiny({ preset: 'tabular-mlp', dataset: 'mnist' }))).issues?.[0].message).toMatch(/holds images/)
    expect(lab.runs.list()).toHaveLength(0)
  })

  it('imports only files chosen in the dialog, through a preview token', async () => {
    const lab = newLab(async () => [SEATTLE])
    const preview = await lab.handlers['datasets:choose']({ kind: 'csv' })
    expect(preview).toMatchObject({ suggestedName: 'seattle-weather', summary: { count: 1461 } })
    expect(preview!.rows[0]).toEqual(['2012/01/01', '0.0', '12.8', '5.0', '4.7', 'drizzle'])
    const again = await lab.handlers['datasets:preview']({ token: preview!.token, columns: [{ name: 'weather', type: 'ignore' }] })
    expect(again.summary.columns!.find((c) => c.name === 'weather')!.type).toBe('ignore')
    const info = await lab.handlers['datasets:import']({ token: preview!.token, name: 'Seattle' })
    expect(info).toMatchObject({ name: 'Seattle', kind: 'tabular' })
    expect(refusal(() => lab.handlers['datasets:import']({ token: preview!.token, name: 'again' }))).toMatchObject({ code: 'NOT_FOUND' })
    expect(refusal(() => lab.handlers['datasets:import']({ token: 'made-up', name: 'x' }))).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('says how to import where there is no file dialog (the lab server)', async () => {
    const lab = newLab()
    await expect(lab.handlers['datasets:choose']({ kind: 'idx' })).rejects.toThrow(/npm run cli -- import-dataset/)
  })
})
