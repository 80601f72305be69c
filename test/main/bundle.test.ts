// Run bundles: a real tiny run exported and imported into another lab arrives whole; a
// hostile or damaged bundle is refused with the reason and leaves the lab as it was.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BundleExport, RunDetail } from '@shared/api'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { LabError } from '@shared/errors'
import { BUNDLE_FORMAT, DEFAULT_BUNDLE_LIMITS, exportRunBundle, importRunBundle } from '../../src/main/services/bundle'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { useTempLabs } from '../helpers/lab'
import { mulberry32 } from '../../src/main/common/random'

const { newLab, dataDirOf } = useTempLabs('bundle', 'file')

const config: RunConfigInput = {
  ...PRESETS['mnist-mlp'].defaults,
  name: 'bundled run',
  seed: 5,
  epochs: 2,
  stepsPerEpoch: 3,
  batchSize: 8,
  backend: 'wasm'
}

let source: Lab
let runId: number
/** The run bundled with every checkpoint, and a small one without. */
let full: Uint8Array
let small: Uint8Array

beforeAll(async () => {
  source = newLab()
  runId = source.startRun(config).id
  expect(await source.waitForEnd(runId)).toMatchObject({ status: 'completed', epochsDone: 2 })
  source.updateRun({ id: runId, notes: 'keep me', tags: ['bundle'] })
  full = exportRunBundle(source.db, runId, source.runDir(runId), { checkpoints: 'all', appVersion: 'test' })
  small = exportRunBundle(source.db, runId, source.runDir(runId), { checkpoints: 'none', appVersion: 'test' })
})

function entries(zip: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(zip)
}

/** Rebuilds a bundle after `edit` changed its entries; `rehash` keeps the manifest's hashes valid. */
function altered(zip: Uint8Array, edit: (files: Record<string, Uint8Array>) => void, rehash = true): Uint8Array {
  const files = entries(zip)
  edit(files)
  if (rehash && files['manifest.json']) {
    const manifest = JSON.parse(Buffer.from(files['manifest.json']).toString()) as { sha256: Record<string, string> }
    manifest.sha256 = Object.fromEntries(
      Object.entries(files)
        .filter(([n]) => n !== 'manifest.json')
        .map(([n, d]) => [n, createHash('sha256').update(d).digest('hex')])
    )
    files['manifest.json'] = strToU8(JSON.stringify(manifest))
  }
  return zipSync(files as Zippable)
}

function editManifest(zip: Uint8Array, edit: (m: Record<string, unknown>) => void): Uint8Array {
  return altered(zip, (files) => {
    const m = JSON.parse(Buffer.from(files['manifest.json']).toString()) as Record<string, unknown>
    edit(m)
    files['manifest.json'] = strToU8(JSON.stringify(m))
  }, false)
}

function refusal(lab: Lab, zip: Uint8Array): LabError {
  const before = lab.runs.list().length
  try {
    lab.importBundle(zip)
  } catch (err) {
    expect(err).toBeInstanceOf(LabError)
    expect(lab.runs.list().length).toBe(before)
    const runsDir = join(dataDirOf(lab), 'runs')
    if (existsSync(runsDir)) expect(readdirSync(runsDir).filter((d) => d.endsWith('.importing'))).toEqual([])
    return err as LabError
  }
  throw new Error('the bundle was imported')
}

describe('run bundles', () => {
  it('moves a trained run to another lab whole: config, notes, every step, epoch, grid and checkpoint', async () => {
    const target = newLab()
    target.startRun({ ...config, name: 'already here', epochs: 1, stepsPerEpoch: 1 })
    await target.waitForEnd(1)
    const reply = await dispatch(target.handlers, 'runs:import-bundle', { base64: Buffer.from(full).toString('base64') })
    expect(reply.ok).toBe(true)
    const { run, warnings } = (reply as { ok: true; data: { run: { id: number }; warnings: string[] } }).data
    expect(run.id).toBe(2)
    expect(warnings).toEqual([])
    expect(target.runs.get(2)).toMatchObject({ name: 'bundled run', status: 'completed', notes: 'keep me', tags: ['bundle'], epochsDone: 2, stepsDone: 6 })
    expect(target.runs.config(2)).toEqual(source.runs.config(runId))
    expect(target.metrics.series(2)).toEqual(source.metrics.series(runId))
    expect(target.metrics.epochs(2)).toEqual(source.metrics.epochs(runId))
    for (const epoch of [1, 2]) expect(target.metrics.grid(2, epoch)).toEqual(source.metrics.grid(runId, epoch))
    for (const e of source.metrics.epochs(runId)) {
      const rel = join(e.checkpointDir!, 'generator', 'model.json')
      expect(readFileSync(join(target.runDir(2), rel))).toEqual(readFileSync(join(source.runDir(runId), rel)))
    }
  })

  it('carries only the last checkpoint when asked, through the API', async () => {
    const reply = await dispatch(source.handlers, 'runs:export-bundle', { id: runId, checkpoints: 'last' })
    if (!reply.ok) throw new Error(reply.error.message)
    const data = reply.data as BundleExport
    expect(data.filename).toBe(`run-${runId}-bundled-run.gwbundle.zip`)
    const names = Object.keys(entries(Buffer.from(data.base64, 'base64')))
    expect(names.some((n) => n.startsWith('files/checkpoints/epoch-0002/generator/'))).toBe(true)
    expect(names.some((n) => n.startsWith('files/checkpoints/epoch-0001/'))).toBe(false)
    const target = newLab()
    const { runId: id } = importRunBundle(target.db, Buffer.from(data.base64, 'base64'), (i) => target.runDir(i))
    expect(target.metrics.epochs(id).map((e) => [e.epoch, e.checkpointDir])).toEqual([
      [1, null],
      [2, 'checkpoints/epoch-0002']
    ])
  })

  it('imports a run exported while training as stopped, and says so', () => {
    const target = newLab()
    const zip = altered(small, (files) => {
      const m = JSON.parse(Buffer.from(files['manifest.json']).toString()) as { run: Record<string, unknown> }
      m.run.status = 'running'
      files['manifest.json'] = strToU8(JSON.stringify(m))
    })
    const { runId: id, warnings } = importRunBundle(target.db, zip, (i) => target.runDir(i))
    expect(target.runs.get(id)?.status).toBe('stopped')
    expect(warnings[0]).toMatch(/was running when it was exported/)
  })

  it.each<[string, (zip: Uint8Array) => Uint8Array, RegExp]>([
    ['not a zip', () => strToU8('PK not really a zip'), /not a readable zip/],
    ['an entry outside the bundle layout (zip slip)', (z) => altered(z, (f) => (f['files/../../../etc/cron.d/x'] = strToU8('x'))), /entry a run bundle never has: "files\/..\/..\/..\/etc/],
    ['an absolute path', (z) => altered(z, (f) => (f['/tmp/evil'] = strToU8('x'))), /entry a run bundle never has/],
    ['an executable beside a checkpoint', (z) => altered(z, (f) => (f['files/checkpoints/epoch-0001/generator/../../x.sh'] = strToU8('x'))), /never has/],
    ['another format', (z) => editManifest(z, (m) => (m.format = 'zip-of-cats')), /not a GAN Workbench run bundle/],
    ['a newer bundle version', (z) => editManifest(z, (m) => (m.version = 9)), /newer GAN Workbench \(bundle version 9/],
    ['a newer schema', (z) => editManifest(z, (m) => (m.schemaVersion = 999)), /newer database schema \(999/],
    ['a damaged entry', (z) => altered(z, (f) => (f['tables/step_metrics.json'] = strToU8('{"columns":["step"],"rows":[]}')), false), /step_metrics.json is damaged/],
    ['a missing entry', (z) => altered(z, (f) => delete f['tables/epoch_metrics.json'], false), /listed in the manifest but missing/],
    ['an unknown table', (z) => editManifest(altered(z, (f) => (f['tables/users.json'] = strToU8('{"columns":["x"],"rows":[]}'))), (m) => (m.tables as string[]).push('users')), /table this lab does not have: users/],
    ['an unknown column', (z) => altered(z, (f) => (f['tables/step_metrics.json'] = strToU8('{"columns":["step","password"],"rows":[]}'))), /column this lab does not know: password/],
    ['a column name that is SQL', (z) => altered(z, (f) => (f['tables/step_metrics.json'] = strToU8('{"columns":["step\\" TEXT); DROP TABLE runs; --"],"rows":[]}'))), /malformed/],
    ['a row of the wrong width', (z) => altered(z, (f) => (f['tables/step_metrics.json'] = strToU8('{"columns":["step","epoch"],"rows":[[1]]}'))), /row 1 has 1 values for 2 columns/],
    ['a row the table refuses', (z) => altered(z, (f) => (f['tables/step_metrics.json'] = strToU8('{"columns":["step"],"rows":[[1]]}'))), /table step_metrics row 1 does not fit \(NOT NULL/],
    ['an invalid config', (z) => editManifest(z, (m) => ((m.run as Record<string, unknown>).config_json = JSON.stringify({ ...config, batchSize: -3 }))), /config does not fit this lab \(batchSize/],
    ['an unknown status', (z) => editManifest(z, (m) => ((m.run as Record<string, unknown>).status = 'exploded')), /unknown status "exploded"/]
  ])('refuses %s and changes nothing', (_what, make, message) => {
    // editManifest leaves hashes as they were; the manifest itself is not hashed.
    expect(refusal(newLab(), make(small)).message).toMatch(message)
  })

  const table = (columns: string[], rows: unknown[][]): Uint8Array => strToU8(JSON.stringify({ columns, rows }))
  it.each<[string, (zip: Uint8Array) => Uint8Array, RegExp]>([
    [
      'run_evaluation.flags_json that is not JSON',
      (z) => altered(z, (f) => (f['tables/run_evaluation.json'] = table(['best_by', 'best_epoch', 'best_value', 'flags_json', 'updated_at'], [['fid', 1, 2.5, '{not json', 0]]))),
      /run_evaluation\.flags_json of row 1 is not valid JSON/
    ],
    [
      'run_evaluation.flags_json of the wrong shape',
      (z) => altered(z, (f) => (f['tables/run_evaluation.json'] = table(['best_by', 'best_epoch', 'best_value', 'flags_json', 'updated_at'], [['fid', 1, 2.5, '{"kind":"x"}', 0]]))),
      /run_evaluation\.flags_json of row 1 does not hold what this app expects/
    ],
    ['runs.backend_report_json that is not JSON', (z) => editManifest(z, (m) => ((m.run as Record<string, unknown>).backend_report_json = '{not json')), /runs\.backend_report_json of the run is not valid JSON/],
    ['runs.backend_report_json of the wrong shape', (z) => editManifest(z, (m) => ((m.run as Record<string, unknown>).backend_report_json = '[1,2]')), /runs\.backend_report_json of the run does not hold what this app expects/],
    ['runs.tags_json of the wrong shape', (z) => editManifest(z, (m) => ((m.run as Record<string, unknown>).tags_json = '{"a":1}')), /runs\.tags_json of the run does not hold/],
    [
      'latent_views.settings_json that is not JSON',
      (z) => altered(z, (f) => (f['tables/latent_views.json'] = table(['id', 'name', 'settings_json', 'created_at', 'updated_at'], [[77, 'view', '{not json', 0, 0]]))),
      /latent_views\.settings_json of row 1 is not valid JSON/
    ],
    [
      'latent_views.settings_json of the wrong shape',
      (z) => altered(z, (f) => (f['tables/latent_views.json'] = table(['id', 'name', 'settings_json', 'created_at', 'updated_at'], [[77, 'view', '{"grid":1}', 0, 0]]))),
      /latent_views\.settings_json of row 1 does not hold what this app expects/
    ]
  ])('refuses a bundle with %s before committing anything; runs:list keeps answering', async (_what, make, message) => {
    const lab = newLab()
    const reply = await dispatch(lab.handlers, 'runs:import-bundle', { base64: Buffer.from(make(small)).toString('base64') })
    expect(reply.ok).toBe(false)
    if (!reply.ok) expect(reply.error).toMatchObject({ code: 'DATA_ERROR', message: expect.stringMatching(message) as unknown })
    expect(refusal(lab, make(small)).message).toMatch(message)
    const list = await dispatch(lab.handlers, 'runs:list', undefined)
    expect(list).toMatchObject({ ok: true, data: [] })
    expect(lab.db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0)
  })

  it('lists, shows and deletes a run whose stored JSON is broken, naming what is wrong', async () => {
    const lab = newLab()
    const { runId: id } = importRunBundle(lab.db, small, (i) => lab.runDir(i))
    lab.db.prepare('INSERT OR REPLACE INTO run_evaluation (run_id, best_by, best_epoch, best_value, flags_json, updated_at) VALUES (?, ?, 1, 2.5, ?, 0)').run(id, 'fid', '{not json')
    lab.db.prepare('UPDATE runs SET backend_report_json = ?, tags_json = ? WHERE id = ?').run('{not json', '[', id)
    const list = await dispatch(lab.handlers, 'runs:list', undefined)
    expect(list).toMatchObject({ ok: true, data: [{ id, tags: [], evaluation: { bestBy: 'fid', flags: [] } }] })
    const detail = await dispatch(lab.handlers, 'runs:get', { id })
    if (!detail.ok) throw new Error(detail.error.message)
    const data = detail.data as RunDetail
    expect(data.backendReport).toBeNull()
    expect(data.problems).toEqual([
      expect.stringMatching(/^runs\.tags_json is not valid JSON/),
      expect.stringMatching(/^runs\.backend_report_json is not valid JSON/),
      expect.stringMatching(/^run_evaluation\.flags_json is not valid JSON/)
    ])
    // A broken config: the detail says so, the list still answers, the run can be deleted.
    lab.db.prepare('UPDATE runs SET config_json = ? WHERE id = ?').run('{not json', id)
    expect(await dispatch(lab.handlers, 'runs:get', { id })).toMatchObject({
      ok: false,
      error: { code: 'DATA_ERROR', message: expect.stringMatching(/stored config of run \d+ \(runs\.config_json\) is not valid JSON/) as unknown }
    })
    expect(await dispatch(lab.handlers, 'runs:list', undefined)).toMatchObject({ ok: true, data: [{ id }] })
    expect(await dispatch(lab.handlers, 'runs:delete', { id })).toMatchObject({ ok: true, data: { id } })
    expect(await dispatch(lab.handlers, 'runs:list', undefined)).toMatchObject({ ok: true, data: [] })
  })

  const runField = (field: string, value: unknown) => (z: Uint8Array) => editManifest(z, (m) => ((m.run as Record<string, unknown>)[field] = value))
  const stepRow = (values: unknown[]) => (z: Uint8Array) =>
    altered(z, (f) => (f['tables/step_metrics.json'] = table(['step', 'epoch', 'time_ms', 'd_loss_real', 'd_loss_fake', 'g_loss'], [values])))
  it.each<[string, (zip: Uint8Array) => Uint8Array, RegExp]>([
    ['text in an INTEGER column', stepRow(['abc', 1, 0, 0.5, 0.5, 0.5]), /step_metrics\.step of row 1 must be a whole number \(got "abc"\)/],
    ['text in a REAL column', stepRow([1, 1, 0, 'high', 0.5, 0.5]), /step_metrics\.d_loss_real of row 1 must be a finite number \(got "high"\)/],
    ['a negative step', stepRow([-5, 1, 0, 0.5, 0.5, 0.5]), /step_metrics\.step of row 1 must not be negative \(got -5\)/],
    ['null in a NOT NULL column', stepRow([1, null, 0, 0.5, 0.5, 0.5]), /step_metrics\.epoch of row 1 must not be empty/],
    ['a 400 KB run name', runField('name', 'n'.repeat(400_000)), /runs\.name of the run must be at most 120 characters \(got "nnnn.*400000 characters\)/],
    ['epochs_done "lots"', runField('epochs_done', 'lots'), /runs\.epochs_done of the run must be a whole number \(got "lots"\)/],
    ['steps_done -5', runField('steps_done', -5), /runs\.steps_done of the run must not be negative \(got -5\)/],
    ['binary data in a text column', runField('notes', { $base64: 'AAAA' }), /runs\.notes of the run must be text \(got 3 bytes of binary data\)/]
  ])('refuses a bundle with %s, naming the column, and changes nothing', async (_what, make, message) => {
    const lab = newLab()
    expect(refusal(lab, make(small)).message).toMatch(message)
    expect(await dispatch(lab.handlers, 'runs:list', undefined)).toMatchObject({ ok: true, data: [] })
  })

  it('refuses files that no checkpoint row uses, before inflating them', () => {
    const lab = newLab()
    // 64 MiB of zeros compresses to a few KB: refused by what the rows say, not by its size.
    const orphan = altered(small, (f) => (f['files/checkpoints/epoch-0009/generator/weights.bin'] = new Uint8Array(64 * 1024 ** 2)))
    expect(refusal(lab, orphan).message).toMatch(/files\/checkpoints\/epoch-0009\/generator\/weights\.bin belongs to no checkpoint of the run/)
    const extra = altered(full, (f) => (f['files/checkpoints/epoch-0001/generator/notes.txt'] = strToU8('x')))
    expect(refusal(lab, extra).message).toMatch(/epoch-0001\/generator\/notes\.txt is used by no model or optimizer state/)
    const padded = altered(full, (f) => {
      const name = 'files/checkpoints/epoch-0001/generator/weights.bin'
      f[name] = new Uint8Array(f[name].length + 1024 ** 2)
    })
    expect(refusal(lab, padded).message).toMatch(/epoch-0001\/generator\/model\.json describes \d+ bytes of weights, but its files would unpack to \d+/)
  })

  it("carries a run's transform.json, and refuses one that is not a table transform", () => {
    // An image run has none; a table run's is carried beside the checkpoints (sample-rows.test.ts draws rows from one).
    expect(Object.keys(entries(small))).not.toContain('files/transform.json')
    const withTransform = altered(small, (f) => (f['files/transform.json'] = strToU8('{"kind":"minmax"}\n')))
    const target = newLab()
    const { runId: id } = importRunBundle(target.db, withTransform, (i) => target.runDir(i))
    expect(readFileSync(join(target.runDir(id), 'transform.json'), 'utf8')).toBe('{"kind":"minmax"}\n')
    const bad = altered(small, (f) => (f['files/transform.json'] = strToU8('{"kind":"quantiles"}')))
    expect(refusal(newLab(), bad).message).toMatch(/files\/transform\.json is not a table transform/)
    const other = altered(small, (f) => (f['files/notes.json'] = strToU8('{}')))
    expect(refusal(newLab(), other).message).toMatch(/an entry a run bundle never has: "files\/notes\.json"/)
  })

  it('refuses a zip holding one name twice', () => {
    const files = entries(small)
    const twin = 'tables/step_metricz.json'
    const zip = Buffer.from(zipSync({ ...files, [twin]: [files['tables/step_metrics.json'], { level: 0 }] } as Zippable))
    // Rename the twin in both the local header and the central directory.
    let at = zip.indexOf(twin)
    while (at >= 0) {
      zip.write('tables/step_metrics.json', at)
      at = zip.indexOf(twin, at + 1)
    }
    expect(refusal(newLab(), zip).message).toMatch(/it holds tables\/step_metrics\.json twice/)
  })

  it('imports a saved latent view where one with its id and name exists: a new id, a new name, its own run', async () => {
    const settings = (id: number) => ({
      format: 'gan-workbench/latent-view' as const,
      version: 1 as const,
      grid: { id, epoch: 1, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 }
    })
    const saved = await dispatch(source.handlers, 'latent-views:save', { name: 'corner', settings: { ...settings(runId), compareRunId: runId } })
    if (!saved.ok) throw new Error(saved.error.message)
    const zip = exportRunBundle(source.db, runId, source.runDir(runId), { checkpoints: 'none', appVersion: 'test' })
    source.latentViews.delete((saved.data as { id: number }).id)
    const target = newLab()
    importRunBundle(target.db, small, (i) => target.runDir(i))
    target.latentViews.save('corner', settings(1))
    const first = importRunBundle(target.db, zip, (i) => target.runDir(i))
    const second = importRunBundle(target.db, zip, (i) => target.runDir(i))
    expect(first.warnings).toEqual([
      'A latent view named "corner" exists here; the bundle\'s is imported as "corner (imported)".',
      expect.stringMatching(/"corner \(imported\)" was compared with run \d+, which is not in this lab/)
    ])
    const views = target.latentViews.list()
    expect(views.map((v) => [v.name, v.runId, v.settings.grid.id, v.settings.compareRunId]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['corner', 1, 1, undefined],
      ['corner (imported 2)', second.runId, second.runId, undefined],
      ['corner (imported)', first.runId, first.runId, undefined]
    ])
    expect(new Set(views.map((v) => v.id)).size).toBe(3)
  })

  it('refuses a checkpoint whose model names weight files the bundle lacks', () => {
    const zip = altered(full, (f) => {
      for (const n of Object.keys(f)) if (n.startsWith('files/checkpoints/epoch-0001/generator/') && !n.endsWith('model.json')) delete f[n]
    })
    expect(refusal(newLab(), zip).message).toMatch(/epoch-0001\/generator\/model.json names a weight file that is not in the bundle/)
  })

  it('checks declared sizes before unpacking: a zip bomb is refused without inflating it', () => {
    const bomb = zipSync({ 'manifest.json': [new Uint8Array(64 * 1024 * 1024), { level: 9 }] })
    expect(bomb.length).toBeLessThan(200_000)
    const lab = newLab()
    const limits = { ...DEFAULT_BUNDLE_LIMITS, maxEntryBytes: 1024 * 1024 }
    expect(() => importRunBundle(lab.db, bomb, (i) => lab.runDir(i), limits)).toThrow(/manifest.json would unpack to 67108864 bytes \(limit 1048576\)/)
    const many: Zippable = {}
    for (let i = 0; i < 50; i++) many[`tables/t${i}.json`] = strToU8('{}')
    expect(() => importRunBundle(lab.db, zipSync(many), (i) => lab.runDir(i), { ...limits, maxEntries: 20 })).toThrow(/more than 20 entries/)
  })

  it('either imports or refuses with a LabError each of 800 randomly damaged bundles', () => {
    const lab = newLab()
    const random = mulberry32(7)
    let imported = 0
    for (let i = 0; i < 800; i++) {
      const bytes = Buffer.from(small)
      const edits = 1 + Math.floor(random() * 4)
      for (let e = 0; e < edits; e++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
      const cut = random() < 0.1 ? Math.floor(random() * bytes.length) : bytes.length
      try {
        importRunBundle(lab.db, bytes.subarray(0, cut), (id) => lab.runDir(id))
        imported++
      } catch (err) {
        if (!(err instanceof LabError)) throw err
      }
    }
    // Whatever was imported is whole: the database still passes its integrity check.
    expect(lab.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(lab.runs.list().length).toBe(imported)
    expect(imported).toBeLessThan(800)
  })

  it('names the format in its manifest', () => {
    expect(JSON.parse(Buffer.from(entries(small)['manifest.json']).toString())).toMatchObject({ format: BUNDLE_FORMAT, version: 1, appVersion: 'test' })
  })
})
