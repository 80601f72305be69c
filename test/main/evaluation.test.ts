// Integration: the lab trains a (tiny) reference classifier in a trainer process, stores and
// reuses it, scores a run's epochs on schedule and on demand, stores the scores per epoch and
// keeps the run's best epoch and flags; bad requests are refused with the reason.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope, MetricsExport, RunScores, RunSummary } from '@shared/api'
import { PRESETS } from '@shared/config'
import { dispatch } from '../../src/main/services/dispatch'
import { Lab } from '../../src/main/services/lab'
import { classify, imagesOf, sampleIndices } from '../../src/main/trainer/evaluation/classifier'
import { evaluationLatents } from '../../src/main/trainer/evaluation/job'
import { generate } from '../../src/main/trainer/explorer/render'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { checkpointName, loadModelFrom } from '../../src/main/trainer/checkpoint'
import { loadMnist } from '../../src/main/trainer/data/mnist'
import { NUMPY_SCORES, numpyMissing, runNumpy, type NumpyScores } from '../helpers/numpy'

let lab: Lab
let scoredRun = 0
const events: EventEnvelope[] = []
const TINY = { arch: { convFilters: [4], denseUnits: 16 }, epochs: 2, trainCount: 2000, testCount: 500, batchSize: 32, backend: 'wasm' as const }
const mlp = PRESETS['mnist-mlp'].defaults

function nextEvent(name: EventEnvelope['event']): Promise<EventEnvelope> {
  const start = events.length
  return new Promise((resolve) => {
    const off = lab.subscribe((e) => {
      if (e.event === name && events.length >= start) {
        off()
        resolve(e)
      }
    })
  })
}

beforeAll(() => {
  lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'evaluation-')), launcher: forkLauncher(), version: 'test', transport: 'ipc' })
  lab.subscribe((e) => events.push(e))
})
afterAll(() => lab?.close())

describe('evaluation', () => {
  it('refuses to score before a classifier exists, naming what to do', async () => {
    const run = lab.startRun({ ...mlp, name: 'early', seed: 1, epochs: 1, stepsPerEpoch: 3, batchSize: 16, backend: 'wasm' })
    await lab.waitForEnd(run.id)
    const res = await dispatch(lab.handlers, 'eval:run', { id: run.id, epoch: 1 })
    expect(res).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/no reference classifier for MNIST yet: train it first/) } })
    const scores = await dispatch(lab.handlers, 'eval:scores', { id: run.id })
    expect(scores).toMatchObject({ ok: true, data: { scores: [], notice: expect.stringMatching(/no reference classifier/) } })
  }, 60_000)

  it('treats an unreadable stored classifier as missing and says so in the log', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'evaluation-broken-'))
    mkdirSync(join(dataDir, 'classifiers', 'mnist'), { recursive: true })
    writeFileSync(join(dataDir, 'classifiers', 'mnist', 'model.json'), '{}')
    writeFileSync(join(dataDir, 'classifiers', 'mnist', 'classifier.json'), '{"id": 3')
    const logged: string[] = []
    const other = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc', log: (_level, m) => logged.push(m) })
    try {
      expect(other.evaluation.status()).toEqual({ dataset: 'mnist', classifier: null, training: null })
      expect(logged.join('\n')).toMatch(/The reference classifier in .*classifiers\/mnist cannot be read \(.*\); train it again/)
    } finally {
      other.close()
    }
  })

  it('refuses a bad classifier request by field', async () => {
    const res = await dispatch(lab.handlers, 'classifier:train', { epochs: 0, arch: { convFilters: [4], denseUnits: 1 } })
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    if (!res.ok) {
      expect(res.error.message).toMatch(/epochs: must be at least 1/)
      expect(res.error.message).toMatch(/arch.denseUnits: must be at least 2/)
    }
  })

  it('trains the classifier with progress, stores it with its accuracy, and refuses a second training meanwhile', async () => {
    const changed = nextEvent('classifier:changed')
    const started = await dispatch(lab.handlers, 'classifier:train', TINY)
    expect(started).toMatchObject({ ok: true, data: { classifier: null, training: { epochs: 2 } } })
    expect(await dispatch(lab.handlers, 'classifier:train', TINY)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    const end = await changed
    expect(end.event === 'classifier:changed' && end.payload.error).toBeFalsy()
    expect(events.some((e) => e.event === 'classifier:progress')).toBe(true)
    const status = lab.evaluation.status()
    expect(status.training).toBeNull()
    expect(status.classifier).toMatchObject({ dataset: 'mnist', trainCount: 2000, testCount: 500, featureDim: 16, classes: 10, backend: 'wasm' })
    // Measured, not assumed: a 4-filter convnet on 2000 images learns something, not everything.
    expect(status.classifier!.testAccuracy).toBeGreaterThan(0.5)
    expect(status.classifier!.testAccuracy).toBeLessThanOrEqual(1)
    expect(existsSync(join(lab.evaluation.classifierDir(), 'model.json'))).toBe(true)
  }, 120_000)

  it('scores every epoch of a run on schedule, stores the scores and the best epoch, and scores a checkpoint on demand', async () => {
    const run = lab.startRun({
      ...mlp,
      name: 'scored',
      seed: 5,
      epochs: 2,
      stepsPerEpoch: 10,
      batchSize: 32,
      backend: 'wasm',
      evaluation: { every: 1, samples: 120, bestBy: 'fid', earlyStopOn: [] }
    })
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    // The scheduled scorings are queued; asking for the same epoch joins the one under way.
    const [s1, s2] = await Promise.all([lab.evaluation.score(run.id, 1), lab.evaluation.score(run.id, 2)])
    const classifier = lab.evaluation.classifier()!
    for (const [s, epoch] of [[s1, 1], [s2, 2]] as const) {
      expect(s).toMatchObject({ epoch, classifierId: classifier.id, classifierAccuracy: classifier.testAccuracy, realCount: 120, generatedCount: 120 })
      expect(s.histogram).toHaveLength(10)
      expect(s.histogram.reduce((a, b) => a + b, 0)).toBe(120)
      expect(s.fid).toBeGreaterThan(s.fidFloor)
      for (const v of [s.precision, s.recall, s.coverage]) expect(v).toBeGreaterThanOrEqual(0)
    }
    const stored = lab.handlers['eval:scores']({ id: run.id }) as RunScores
    expect(stored.scores.map((s) => s.epoch)).toEqual([1, 2])
    const best = s1.fid <= s2.fid ? 1 : 2
    expect(stored.evaluation).toMatchObject({ bestBy: 'fid', bestEpoch: best })
    expect(lab.runs.get(run.id)?.evaluation).toMatchObject({ bestEpoch: best })
    expect(events.some((e) => e.event === 'eval:scores' && e.payload.runId === run.id)).toBe(true)

    // On demand with another sample count; a missing checkpoint is refused by name.
    const again = await dispatch(lab.handlers, 'eval:run', { id: run.id, epoch: 1, samples: 60 })
    expect(again).toMatchObject({ ok: true, data: { epoch: 1, generatedCount: 60, realCount: 60 } })
    // Exported with the other metrics: the scores sit on the last step of each scored epoch.
    const csv = await dispatch(lab.handlers, 'runs:export-metrics', { ids: [run.id], format: 'csv' })
    if (!csv.ok) throw new Error(csv.error.message)
    const lines = (csv.data as MetricsExport).content.trimEnd().split('\r\n').map((l) => l.split(','))
    const header = lines[0]
    expect(header.slice(11)).toEqual(['fid', 'fid_floor', 'classifier_score', 'precision', 'recall', 'density', 'coverage', 'classes_covered', 'class_histogram', 'real_count', 'generated_count', 'classifier_id', 'classifier_accuracy', 'label_accuracy', 'tstr_accuracy', 'trtr_accuracy', 'tstr_samples'])
    const at = (step: number, col: string) => lines[step][header.indexOf(col)]
    expect(Number(at(20, 'fid'))).toBe(s2.fid)
    expect(at(20, 'generated_count')).toBe('120')
    expect(at(20, 'classifier_id')).toBe(classifier.id)
    expect(at(5, 'fid')).toBe('')
    // Not a conditional run: no label scores.
    expect(at(20, 'tstr_accuracy')).toBe('')
    expect(Number(at(10, 'coverage'))).toBe(lab.evaluation.repo.scores(run.id)[0].coverage)

    const missing = await dispatch(lab.handlers, 'eval:run', { id: run.id, epoch: 9 })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/no checkpoint for epoch 9 \(checkpoints exist for epochs 1, 2\)/) } })
    scoredRun = run.id
  }, 180_000)

  it.skipIf(numpyMissing !== null)(`the stored scores match numpy on the same samples, regenerated here${numpyMissing ? ` (skipped: ${numpyMissing})` : ''}`, async () => {
    const config = lab.runs.config(scoredRun)!
    const stored = lab.evaluation.repo.scores(scoredRun).find((s) => s.epoch === 2)!
    await selectBackend('wasm')
    const classifier = await loadModelFrom(lab.evaluation.classifierDir())
    const generator = await loadModelFrom(join(lab.runDir(scoredRun), 'checkpoints', checkpointName(2), 'generator'))
    const n = stored.generatedCount
    const images = await generate(generator, evaluationLatents(config.seed, n, config.latentDim, config.tricks.latent), config.latentDim)
    const fake = await classify(classifier, images.values, n)
    const test = loadMnist('test')
    const real = await classify(classifier, imagesOf(test, sampleIndices(test.count, stored.realCount, 1)), stored.realCount)
    const ref = runNumpy<NumpyScores>(NUMPY_SCORES, { dim: fake.featureDim, real: Array.from(real.features), fake: Array.from(fake.features), probs: Array.from(fake.probs) })
    expect(stored.fid).toBeCloseTo(ref.fid, 3)
    expect(stored.classifierScore).toBeCloseTo(ref.score, 4)
    expect(stored.precision).toBeCloseTo(ref.precision, 6)
    expect(stored.recall).toBeCloseTo(ref.recall, 6)
    expect(stored.density).toBeCloseTo(ref.density, 6)
    expect(stored.coverage).toBeCloseTo(ref.coverage, 6)
  }, 60_000)

  it('a run bundle carries the scores and the best epoch to another lab', async () => {
    const exported = await dispatch(lab.handlers, 'runs:export-bundle', { id: scoredRun, checkpoints: 'none' })
    if (!exported.ok) throw new Error(exported.error.message)
    const imported = await dispatch(lab.handlers, 'runs:import-bundle', { base64: (exported.data as { base64: string }).base64 })
    if (!imported.ok) throw new Error(imported.error.message)
    const copy = (imported.data as { run: RunSummary }).run
    expect(copy.id).not.toBe(scoredRun)
    expect(lab.evaluation.repo.scores(copy.id)).toEqual(lab.evaluation.repo.scores(scoredRun))
    expect(lab.runs.get(copy.id)?.evaluation).toEqual(lab.runs.get(scoredRun)?.evaluation)
  })

  it('stops a run early on a chosen flag: the too-strong D run is stopped after its first epoch with the explanation', async () => {
    const run = lab.startRun({
      ...mlp,
      name: 'strong D',
      seed: 7,
      epochs: 4,
      stepsPerEpoch: 100,
      batchSize: 64,
      backend: 'wasm',
      optimizerD: { ...mlp.optimizerD, lr: 2e-3 },
      optimizerG: { ...mlp.optimizerG, lr: 2e-5 },
      evaluation: { every: 0, samples: 100, bestBy: 'fid', earlyStopOn: ['convergence'] }
    })
    const end = await lab.waitForEnd(run.id)
    expect(end.status).toBe('stopped')
    expect(end.statusMessage).toMatch(/^Stopped early: Convergence failure\. Over the last 50 steps D's loss averaged/)
    expect(end.epochsDone).toBeLessThan(4)
    expect(end.evaluation?.flags.map((f) => f.kind)).toContain('convergence')
  }, 120_000)
})
