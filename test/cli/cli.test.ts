// The command line: train from a config saved in the lab (`train --config`), move runs as
// bundles, and refuse a bad file or a clashing flag with a message and exit code 2. Commands run
// in this process; the first test starts the program (bin.cjs) as npm would.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema } from '../../src/shared/config'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { serializeConfigFile } from '../../src/shared/config-file'
import { LATENT_VIEW_FORMAT } from '../../src/shared/api'
import { latentViewFileText } from '../../src/shared/latent-view'
import { decodePng } from '../../src/main/common/grid'
import { BIN, cli, spawnCli } from './run-cli'

const root = mkdtempSync(join(tmpdir(), 'cli-config-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const saved = runConfigSchema.parse({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'saved sgd run',
  seed: 11,
  epochs: 3,
  stepsPerEpoch: 2,
  batchSize: 8,
  backend: 'wasm',
  optimizerD: { kind: 'sgd', lr: 0.05, beta1: 0.5, beta2: 0.999, momentum: 0.9 },
  tricks: { ...PRESETS['mnist-mlp'].defaults.tricks, realLabel: { min: 0.9, max: 0.9 } }
})

describe('npm run train -- --config', () => {
  it('trains the saved config with the given overrides and stores it as given', async () => {
    const file = join(root, 'saved.config.json')
    writeFileSync(file, serializeConfigFile(saved))
    const dataDir = join(root, 'data')
    // The program itself, started from another folder as an installed bin would be.
    const out = await spawnCli([BIN], ['train', '--config', file, '--epochs', '1', '--name', 'from file', '--data-dir', dataDir], root)
    expect(out.stderr).not.toMatch(/error/)
    expect(out.stdout).toMatch(/^run 1 completed after 2 steps, 1 epochs/m)
    expect(out.code).toBe(0)
    const db = new Database(join(dataDir, 'workbench.sqlite'), { readonly: true })
    const row = db.prepare('SELECT name, status, config_json FROM runs').get() as { name: string; status: string; config_json: string }
    db.close()
    expect(row.name).toBe('from file')
    expect(row.status).toBe('completed')
    const stored = JSON.parse(row.config_json) as typeof saved
    expect(stored).toEqual({ ...saved, name: 'from file', epochs: 1 })
  })

  it('refuses another flag beside --config', async () => {
    const file = join(root, 'saved.config.json')
    writeFileSync(file, serializeConfigFile(saved))
    const out = await cli(['train', '--config', file, '--lr', '0.1', '--data-dir', join(root, 'unused')])
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('--lr cannot be combined with --config')
  })

  it('refuses a missing file, a file that is not JSON and a config with a bad field, naming the problem', async () => {
    const missing = await cli(['train', '--config', join(root, 'nope.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no file at .*nope\.json/)

    const notJson = join(root, 'broken.json')
    writeFileSync(notJson, '{"format": "gan-workbench/run-config", ')
    const broken = await cli(['train', '--config', notJson])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain('not JSON')

    const badField = join(root, 'bad.json')
    writeFileSync(badField, serializeConfigFile({ ...saved, batchSize: 0 }))
    const bad = await cli(['train', '--config', badField])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/batchSize: must be at least 1/)
  })
})

describe('npm run cli -- export-bundle / import-bundle', () => {
  it('moves a run from one data folder to another, and refuses a file that is not a bundle', async () => {
    const file = join(root, 'bundle-source.config.json')
    writeFileSync(file, serializeConfigFile({ ...saved, epochs: 1 }))
    const from = join(root, 'from')
    expect((await cli(['train', '--config', file, '--data-dir', from])).code).toBe(0)
    const zip = join(root, 'run.zip')
    const out = await cli(['export-bundle', '--run', '1', '--out', zip, '--data-dir', from])
    expect(out.stderr).toBe('')
    expect(out.stdout).toContain(`run 1 (saved sgd run) -> ${zip}`)
    const to = join(root, 'to')
    const imported = await cli(['import-bundle', zip, '--data-dir', to])
    expect(imported.stdout).toContain('imported as run 1 (saved sgd run, completed, 2 steps)')

    const junk = join(root, 'junk.zip')
    writeFileSync(junk, 'this is not a zip')
    const refused = await cli(['import-bundle', junk, '--data-dir', to])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('This run bundle cannot be imported: it is not a readable zip file')
  })
})

describe('npm run train -- --resume', () => {
  it('trains a finished run further and refuses other flags beside it', async () => {
    const file = join(root, 'resume.config.json')
    writeFileSync(file, serializeConfigFile({ ...saved, epochs: 1 }))
    const dataDir = join(root, 'resume')
    expect((await cli(['train', '--config', file, '--data-dir', dataDir])).code).toBe(0)
    const out = await cli(['train', '--resume', '1', '--epochs', '2', '--data-dir', dataDir])
    expect(out.stdout).toContain('run 1 completed after 4 steps, 2 epochs')
    const clash = await cli(['train', '--resume', '1', '--lr', '0.1', '--data-dir', dataDir])
    expect(clash.code).toBe(2)
    expect(clash.stderr).toContain('--lr cannot be combined with --resume')
  })
})

describe('npm run train -- --loss wgan|wgan-gp', () => {
  it("trains a WGAN with the paper's optimizer and n_critic unless flags say otherwise, and prints the estimate", async () => {
    const dataDir = join(root, 'wgan')
    const out = await cli(['train', '--loss', 'wgan', '--clip', '0.02', '--epochs', '1', '--steps-per-epoch', '2', '--batch-size', '8', '--backend', 'wasm', '--seed', '3', '--data-dir', dataDir])
    expect(out.stderr).not.toMatch(/error/i)
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/Wasserstein estimate -?\d/)
    expect(out.stdout).not.toMatch(/D accuracy/)
    const db = new Database(join(dataDir, 'workbench.sqlite'), { readonly: true })
    const row = db.prepare('SELECT config_json FROM runs').get() as { config_json: string }
    const steps = db.prepare('SELECT d_acc_real, wasserstein FROM step_metrics').all() as { d_acc_real: number | null; wasserstein: number | null }[]
    db.close()
    const stored = runConfigSchema.parse(JSON.parse(row.config_json))
    expect(stored.tricks).toMatchObject({ loss: 'wgan', clip: 0.02, dStepsPerG: 5 })
    expect(stored.optimizerD).toMatchObject({ kind: 'rmsprop', lr: 5e-5 })
    expect(stored.optimizerG).toMatchObject({ kind: 'rmsprop', lr: 5e-5 })
    expect(steps).toHaveLength(2)
    expect(steps.every((s) => s.d_acc_real === null && Number.isFinite(s.wasserstein))).toBe(true)
  })

  it('refuses --clip or --gp with a loss they do not belong to, and a bad λ by name', async () => {
    const unused = join(root, 'unused')
    const clip = await cli(['train', '--loss', 'nsgan', '--clip', '0.01', '--data-dir', unused])
    expect(clip.code).toBe(2)
    expect(clip.stderr).toContain('--clip applies only to --loss wgan (got --loss nsgan)')
    const gp = await cli(['train', '--loss', 'wgan', '--gp', '10', '--data-dir', unused])
    expect(gp.stderr).toContain('--gp applies only to --loss wgan-gp')
    const bad = await cli(['train', '--loss', 'wgan-gp', '--gp', '0', '--data-dir', unused])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('tricks.gpWeight: must be greater than 0')
  })
})

describe('npm run cli -- explore', () => {
  it('reproduces a saved latent view as the lab draws it, and refuses bad settings naming the field', async () => {
    const dataDir = join(root, 'explore-data')
    const trained = await cli(['train', '--preset', 'mnist-mlp', '--epochs', '1', '--steps-per-epoch', '2', '--batch-size', '8', '--backend', 'wasm', '--seed', '4', '--data-dir', dataDir])
    expect(trained.code).toBe(0)
    const grid = { id: 1, epoch: 1, axisI: 2, axisJ: 7, min: -2, max: 2, resolution: 6, seed: 9 }
    const file = join(root, 'plane.view.json')
    writeFileSync(file, latentViewFileText({ format: LATENT_VIEW_FORMAT, version: 1, grid }))
    const out = join(root, 'plane.png')
    const res = await cli(['explore', '--settings', file, '--out', out, '--data-dir', dataDir])
    expect(res.stderr).not.toMatch(/error/)
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('run 1 epoch 1: 6x6 plane, u (seed 9) and v from -2 to 2')
    const png = decodePng(readFileSync(out))
    expect([png.width, png.height]).toEqual([6 * 29 + 1, 6 * 29 + 1])
    // The lab's own rendering of the same plane is the same image (the CLI filled its cache).
    const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc' })
    try {
      const again = await lab.explorerGrid(grid)
      expect(again.cached).toBe(true)
      expect(Buffer.from(again.pngBase64, 'base64').equals(readFileSync(out))).toBe(true)
    } finally {
      lab.close()
    }

    writeFileSync(file, latentViewFileText({ format: LATENT_VIEW_FORMAT, version: 1, grid: { ...grid, resolution: 0 } }))
    const zero = await cli(['explore', '--settings', file, '--out', out, '--data-dir', dataDir])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('Invalid view settings: grid.resolution: must be at least 5')
    writeFileSync(file, latentViewFileText({ format: LATENT_VIEW_FORMAT, version: 1, grid: { ...grid, min: 3, max: -3 } }))
    expect((await cli(['explore', '--settings', file, '--out', out, '--data-dir', dataDir])).stderr).toContain('grid.max: min must be less than max')
    writeFileSync(file, latentViewFileText({ format: LATENT_VIEW_FORMAT, version: 1, grid }))
    expect((await cli(['explore', '--settings', file, '--out', out, '--epoch', '4', '--data-dir', dataDir])).stderr).toContain(
      'Run 1 has no checkpoint for epoch 4 (checkpoints exist for epochs 1)'
    )
    writeFileSync(file, '{"format": "something else"')
    expect((await cli(['explore', '--settings', file, '--out', out, '--data-dir', dataDir])).stderr).toContain('The view settings file is not JSON')
    expect((await cli(['explore', '--settings', join(root, 'none.json'), '--out', out])).stderr).toContain('--settings: no file at')
  }, 180_000)
})
describe('npm run cli -- import-dataset, train --dataset', () => {
  const SEATTLE = '/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv'

  it('imports a CSV table with a changed column type and trains the tabular preset on it', async () => {
    const dataDir = join(root, 'data-ds')
    const imported = await cli(['import-dataset', SEATTLE, '--name', 'Seattle', '--column', 'wind=ignore', '--data-dir', dataDir])
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain('imported data set 1: Seattle (4 columns, 1461 rows)')
    expect(imported.stdout).toContain('  weather: categorical (drizzle, fog, rain, snow, sun)')
    const listed = await cli(['datasets', '--data-dir', dataDir])
    expect(listed.stdout).toMatch(/^1 +Seattle \(4 columns, 1461 rows\)$/m)
    const trained = await cli(['train', '--preset', 'tabular-mlp', '--dataset', '1', '--epochs', '1', '--steps-per-epoch', '3', '--backend', 'wasm', '--data-dir', dataDir])
    expect(trained.code).toBe(0)
    expect(trained.stdout).toMatch(/run 1 completed after 3 steps, 1 epochs/)
  })

  it('refuses a bad --column and a data set that does not exist, with exit code 2', async () => {
    const bad = await cli(['import-dataset', SEATTLE, '--column', 'wind=float', '--data-dir', join(root, 'unused-ds')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--column must be NAME=numeric|integer|categorical|ignore, got "wind=float"')
    const missing = await cli(['train', '--preset', 'mnist-mlp', '--dataset', '7', '--data-dir', join(root, 'unused-ds')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('dataset: there is no data set 7 (it may have been deleted)')
  })
})
describe('npm run cli -- train-classifier and score', () => {
  it('trains a small reference classifier, scores a run epoch with it, and refuses bad flags', async () => {
    const dataDir = join(root, 'scoring')
    const trained = await cli(['train-classifier', '--epochs', '1', '--train-count', '1000', '--test-count', '200', '--filters', '4', '--dense', '16', '--backend', 'wasm', '--data-dir', dataDir])
    expect(trained.stderr).toBe('')
    expect(trained.code).toBe(0)
    expect(trained.stdout).toMatch(/classifier mnist-convnet-4-d16-\w+: \d+\.\d\d% on 200 test images, trained on 1000 images in \d+ s \(wasm\)/)
    const file = join(root, 'score.config.json')
    writeFileSync(file, serializeConfigFile({ ...saved, epochs: 1, evaluation: { every: 1, samples: 100, bestBy: 'fid', earlyStopOn: [], targetColumn: null } }))
    const run = await cli(['train', '--config', file, '--data-dir', dataDir])
    expect(run.code).toBe(0)
    // The scheduled scoring of epoch 1 finishes before the command ends.
    expect(run.stdout).toMatch(/^run 1 epoch 1 \(100 generated, 100 real, classifier mnist-convnet-4-d16-\w+\): FID/m)
    const scored = await cli(['score', '--run', '1', '--epoch', '1', '--samples', '80', '--data-dir', dataDir])
    expect(scored.code).toBe(0)
    expect(scored.stdout).toMatch(/^run 1 epoch 1 \(80 generated, 80 real, classifier mnist-convnet-4-d16-\w+\): FID \d+\.\d{3} \(floor \d+\.\d{3}\), classifier score/)
    const figure = join(root, 'scores.svg')
    const drawn = await cli(['export-figure', '--run', '1', '--kind', 'scores', '--score', 'precision', '--format', 'svg', '--out', figure, '--data-dir', dataDir])
    expect(drawn.stderr).toBe('')
    expect(drawn.code).toBe(0)
    expect(readFileSync(figure, 'utf8')).toContain('<title>Precision (higher is better): saved sgd run (#1)</title>')
    const bad = await cli(['train-classifier', '--epochs', '0', '--data-dir', dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/epochs: must be at least 1/)
    const missing = await cli(['score', '--run', '1', '--epoch', '5', '--data-dir', dataDir])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/Run 1 has no checkpoint for epoch 5/)
  }, 180_000)
})

describe('npm run cli -- sweep', () => {
  it('runs every combination from a saved config, one at a time when asked, and refuses a bad --vary', async () => {
    const dataDir = join(root, 'sweep')
    const file = join(root, 'sweep.config.json')
    writeFileSync(file, serializeConfigFile({ ...saved, epochs: 1 }))
    const out = await cli(['sweep', '--config', file, '--vary', 'optimizer.kind=sgd,adam', '--vary', 'seed=4,5', '--name', 'cli sweep', '--runs-at-once', '1', '--data-dir', dataDir])
    expect(out.stderr).toBe('')
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/sweep 1: 4 runs \(1, 2, 3, 4\), 1 at once, tagged "sweep 1"/)
    expect(out.stdout).toMatch(/run 4 completed: cli sweep · kind=adam, seed=5/)
    // each run's end is said once
    expect(out.stdout.match(/^run \d+ completed:/gm)).toHaveLength(4)
    const db = new Database(join(dataDir, 'workbench.sqlite'), { readonly: true })
    const rows = db.prepare('SELECT name, config_json, tags_json, started_at, ended_at FROM runs ORDER BY id').all() as {
      name: string
      config_json: string
      tags_json: string
      started_at: number
      ended_at: number
    }[]
    db.close()
    expect(rows.map((r) => JSON.parse(r.tags_json))).toEqual([['sweep 1'], ['sweep 1'], ['sweep 1'], ['sweep 1']])
    expect(rows.map((r) => runConfigSchema.parse(JSON.parse(r.config_json)).optimizerG.kind)).toEqual(['sgd', 'sgd', 'adam', 'adam'])
    // One at a time.
    for (let k = 1; k < rows.length; k++) expect(rows[k].started_at).toBeGreaterThanOrEqual(rows[k - 1].ended_at)
    const bad = await cli(['sweep', '--config', file, '--vary', 'seed', '--data-dir', dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--vary seed: write FIELD=V1,V2/)
    const badField = await cli(['sweep', '--config', file, '--vary', 'optimizer.speed=1,2', '--data-dir', dataDir])
    expect(badField.code).toBe(2)
    expect(badField.stderr).toMatch(/no field optimizer.speed in the run config/)
  }, 180_000)
})

describe('npm run train -- --conditional', () => {
  it('trains a conditional GAN with --conditional, one grid row per class, and refuses it for toy points', async () => {
    const dataDir = join(root, 'conditional')
    const out = await cli(['train', '--conditional', '--epochs', '1', '--steps-per-epoch', '2', '--batch-size', '8', '--backend', 'wasm', '--seed', '3', '--data-dir', dataDir])
    expect(out.stderr).not.toMatch(/error/i)
    expect(out.code).toBe(0)
    const db = new Database(join(dataDir, 'workbench.sqlite'), { readonly: true })
    const row = db.prepare('SELECT config_json FROM runs').get() as { config_json: string }
    const grid = db.prepare('SELECT rows, cols FROM sample_grids').get() as { rows: number; cols: number }
    db.close()
    expect(runConfigSchema.parse(JSON.parse(row.config_json)).conditional).toBe(true)
    expect(grid).toEqual({ rows: 10, cols: 10 })
    const toy = await cli(['train', '--conditional', '--preset', 'toy-mlp', '--data-dir', dataDir])
    expect(toy.code).toBe(2)
    expect(toy.stderr).toMatch(/conditional: the toy-mlp preset has no class labels to condition on/)
  })
})
