import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema } from '@shared/config'
import { openDatabase } from '../../src/main/db/connection'
import { MIGRATIONS } from '../../src/main/db/migrations'
import { MetricsRepo } from '../../src/main/db/repos/metrics'
import { RunsRepo } from '../../src/main/db/repos/runs'
import { LatentViewsRepo } from '../../src/main/db/repos/latent-views'
import { LATENT_VIEW_FORMAT } from '@shared/api'

const config = runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: 'r', seed: 3 })
const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version
const row = (step: number, epoch = 1) => ({ step, epoch, timeMs: step * 10, dLossReal: 0.5, dLossFake: 0.6, gLoss: 0.9 + step, dAccReal: 0.8, dAccFake: 0.7, wasserstein: null })


describe('database', () => {
  it('migrates a new file, uses WAL and records the schema version', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'db-')), 'w.sqlite')
    const db = openDatabase(path)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST)
    // Versions run 1, 2, 3... without gaps, so every database gets every migration.
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    db.close()
  })

  it('refuses a database written by a newer app version and leaves it untouched', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'db-')), 'w.sqlite')
    const raw = new BetterSqlite3(path)
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => openDatabase(path)).toThrow(new RegExp(`newer version of GAN Workbench \\(schema 99, this app knows up to ${LATEST}\\)`))
    const again = new BetterSqlite3(path)
    expect(again.pragma('user_version', { simple: true })).toBe(99)
    again.close()
  })

  it('backs up the file before applying a new migration to an existing database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'))
    const path = join(dir, 'w.sqlite')
    openDatabase(path).close()
    const extra = { version: LATEST + 1, name: 'extra', up: (d: BetterSqlite3.Database) => d.exec('CREATE TABLE extra (x INTEGER)') }
    openDatabase(path, [...MIGRATIONS, extra]).close()
    expect(readdirSync(dir)).toContain(`w.sqlite.before-v${LATEST + 1}.bak`)
  })

  it('stores runs, batched steps, epochs and grids, and summarises the last metrics', () => {
    const db = openDatabase(':memory:')
    const runs = new RunsRepo(db)
    const metrics = new MetricsRepo(db)
    const id = runs.create(config, 1000)
    expect(runs.get(id)).toMatchObject({ status: 'queued', optimizer: 'Adam 0.0002 β1 0.5', lastMetrics: null, lr: { d: 0.0002, g: 0.0002 } })
    const other = runs.create({ ...config, optimizerG: { ...config.optimizerG, lr: 0.001 } }, 1001)
    expect(runs.list().find((r) => r.id === other)?.lr).toEqual({ d: 0.0002, g: 0.001 })
    metrics.insertSteps(id, [row(1), row(2), row(3)])
    expect(runs.get(id)?.stepsDone).toBe(3)
    expect(runs.get(id)?.lastMetrics?.gLoss).toBeCloseTo(3.9)
    metrics.insertEpoch(id, {
      epoch: 1,
      means: { dLossReal: 1, dLossFake: 2, gLoss: 3, dAccReal: 0.5, dAccFake: 0.25, wasserstein: null },
      durationMs: 10,
      imagesPerSec: 5,
      gridPngBase64: Buffer.from('png').toString('base64'),
      gridRows: 10,
      gridCols: 10,
      checkpointDir: 'checkpoints/epoch-0001'
    })
    expect(runs.get(id)).toMatchObject({ epochsDone: 1, lastMetrics: { gLoss: 3 } })
    expect(metrics.series(id, 1).step).toEqual([2, 3])
    expect(metrics.epochs(id)).toEqual([expect.objectContaining({ epoch: 1, hasGrid: true, checkpointDir: 'checkpoints/epoch-0001' })])
    expect(metrics.grid(id, 1)?.png.toString()).toBe('png')
    expect(runs.config(id)).toEqual(config)
    db.close()
  })

  it('marks runs left running by a dead app as crashed, and deleting a run removes its rows', () => {
    const db = openDatabase(':memory:')
    const runs = new RunsRepo(db)
    const metrics = new MetricsRepo(db)
    const a = runs.create(config)
    const b = runs.create(config)
    runs.markStarted(a)
    runs.finish(b, 'completed', null)
    metrics.insertSteps(a, [row(1)])
    expect(runs.markInterrupted('gone')).toEqual([a])
    expect(runs.get(a)).toMatchObject({ status: 'crashed', statusMessage: 'gone' })
    expect(runs.get(b)?.status).toBe('completed')
    runs.delete(a)
    expect(db.prepare('SELECT COUNT(*) AS n FROM step_metrics').get()).toEqual({ n: 0 })
    db.close()
  })

  it('saves latent views by name, replaces a name saved again, and drops them with their run', () => {
    const db = openDatabase(':memory:')
    const runs = new RunsRepo(db)
    const views = new LatentViewsRepo(db)
    const id = runs.create(config, 1000)
    const grid = { id, epoch: 2, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 10 }
    const first = views.save('digits', { format: LATENT_VIEW_FORMAT, version: 1, grid }, 5)
    expect(first).toMatchObject({ name: 'digits', runId: id, settings: { grid }, createdAt: 5 })
    const again = views.save('digits', { format: LATENT_VIEW_FORMAT, version: 1, grid: { ...grid, seed: 4 } }, 9)
    expect(again).toMatchObject({ id: first.id, createdAt: 5, updatedAt: 9, settings: { grid: { seed: 4 } } })
    views.save('other', { format: LATENT_VIEW_FORMAT, version: 1, grid }, 7)
    expect(views.list().map((v) => v.name)).toEqual(['digits', 'other'])
    expect(views.delete(first.id)).toBe(true)
    expect(views.delete(first.id)).toBe(false)
    runs.delete(id)
    expect(views.list()).toEqual([])
  })

  it('sustains batched inserts of many step rows', () => {
    const db = openDatabase(':memory:')
    const id = new RunsRepo(db).create(config)
    const metrics = new MetricsRepo(db)
    for (let b = 0; b < 20; b++) metrics.insertSteps(id, Array.from({ length: 500 }, (_, i) => row(b * 500 + i + 1)))
    expect(metrics.series(id).step.length).toBe(10_000)
    expect(existsSync(':memory:')).toBe(false)
    db.close()
  })

  it('the Wasserstein migration keeps every metric row, and stores a critic\'s missing accuracy and its Wasserstein estimate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'))
    const path = join(dir, 'w.sqlite')
    const version = MIGRATIONS.find((m) => m.name === 'wasserstein-metrics')!.version
    const before = openDatabase(path, MIGRATIONS.filter((m) => m.version < version))
    const id = new RunsRepo(before).create(config)
    before.prepare('INSERT INTO step_metrics VALUES (?, 1, 1, 10, 0.5, 0.6, 0.9, 0.8, 0.7)').run(id)
    before.prepare('INSERT INTO epoch_metrics VALUES (?, 1, 100, 5, 1, 2, 3, 0.5, 0.25)').run(id)
    before.close()
    const db = openDatabase(path)
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const metrics = new MetricsRepo(db)
    const runs = new RunsRepo(db)
    expect(metrics.series(id).values).toMatchObject({ dAccReal: [0.8], dAccFake: [0.7], wasserstein: [null] })
    expect(metrics.epochs(id)[0].means).toEqual({ dLossReal: 1, dLossFake: 2, gLoss: 3, dAccReal: 0.5, dAccFake: 0.25, wasserstein: null })
    const critic = runs.create(config)
    metrics.insertSteps(critic, [{ ...row(1), dAccReal: null, dAccFake: null, wasserstein: 0.25 }])
    expect(metrics.series(critic).values).toMatchObject({ dAccReal: [null], dAccFake: [null], wasserstein: [0.25] })
    expect(runs.get(critic)?.lastMetrics).toMatchObject({ dAccReal: null, wasserstein: 0.25 })
    // Deleting a run still cascades into the rebuilt tables.
    runs.delete(id)
    expect(db.prepare('SELECT COUNT(*) AS n FROM epoch_metrics').get()).toEqual({ n: 0 })
    db.close()
  })
})
