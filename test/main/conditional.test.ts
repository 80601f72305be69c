// Integration: a conditional MNIST run end to end: its grids are one row per class, the
// latent explorer holds a class fixed, the generator export carries the labels, the
// scores add label accuracy and TSTR, and what cannot be conditional is refused by name.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { PNG } from 'pngjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { GeneratorExport } from '@shared/api'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { imagesOf, labelsOf, sampleIndices } from '../../src/main/trainer/evaluation/classifier'
import { tstrAccuracy } from '../../src/main/trainer/evaluation/job'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { selectBackend } from '../../src/main/trainer/backend/select'
import { parseIdx } from '../../src/main/common/idx'
import { loadMnist } from '../../src/main/trainer/data/mnist'
import { idxBytes } from '../helpers/idx'
import { useTempLabs } from '../helpers/lab'

const { newLab } = useTempLabs('conditional', 'file')
let lab: Lab
let runId = 0

const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'cgan',
  seed: 3,
  epochs: 1,
  stepsPerEpoch: 4,
  batchSize: 16,
  backend: 'wasm',
  conditional: true,
  evaluation: { every: 0, samples: 200, bestBy: 'fid', earlyStopOn: [] },
  ...over
})

beforeAll(async () => {
  lab = newLab()
  const run = lab.startRun(config())
  expect((await lab.waitForEnd(run.id)).status).toBe('completed')
  runId = run.id
}, 120_000)

describe('a conditional run', () => {
  it('shows its epoch grid as one row per class', async () => {
    const res = await dispatch(lab.handlers, 'runs:grid', { id: runId, epoch: 1 })
    expect(res).toMatchObject({ ok: true, data: { rows: 10, cols: 10 } })
    expect(lab.detail(runId).config.conditional).toBe(true)
  })

  it('explores the latent plane with the class held fixed, and asks for the class', async () => {
    const plane = { id: runId, epoch: 1, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 }
    await expect(lab.explorerGrid(plane)).rejects.toThrow(`run ${runId} is conditional: say which class (0-9) to hold fixed`)
    await expect(lab.explorerGrid({ ...plane, classLabel: 10 })).rejects.toThrow('classLabel: must be 0-9')
    const three = await lab.explorerGrid({ ...plane, classLabel: 3 })
    const seven = await lab.explorerGrid({ ...plane, classLabel: 7 })
    expect(three.cached).toBe(false)
    expect(seven.cached).toBe(false)
    expect(three.pngBase64).not.toEqual(seven.pngBase64)
    expect((await lab.explorerGrid({ ...plane, classLabel: 3 })).pngBase64).toEqual(three.pngBase64)
    const strips = await lab.explorerInterpolate({ id: runId, epoch: 1, from: new Array(100).fill(0), to: new Array(100).fill(1), steps: 4, classLabel: 2 })
    expect(PNG.sync.read(Buffer.from(strips.lerpPngBase64, 'base64')).width).toBeGreaterThan(4 * 28)
  }, 60_000)

  it('exports its generator with the label of every sample and says what its input is', async () => {
    const res = await dispatch(lab.handlers, 'runs:export-generator', { id: runId, epoch: 1, samples: 12, seed: 5 })
    if (!res.ok) throw new Error(res.error.message)
    const out = res.data as GeneratorExport
    if (out.kind !== 'zip') throw new Error('expected a zip')
    const zip = unzipSync(Buffer.from(out.base64, 'base64'))
    const stem = `run-${runId}-epoch-1-generator`
    const labels = parseIdx(zip[`${stem}/samples-labels-idx1-ubyte`], 'labels', 1)
    expect(Array.from(labels.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
    expect(out.files).toContain('samples/sample-00004-class-3.png')
    const about = JSON.parse(new TextDecoder().decode(zip[`${stem}/export.json`])) as { input: string; classes: number }
    expect(about.classes).toBe(10)
    expect(about.input).toMatch(/110 values: z \(100, gaussian\) followed by the one-hot class \(10 classes, 0-9\)/)
  }, 60_000)

  it('is refused on data without labels, and a D cannot move between conditional and unconditional runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unlabelled-'))
    const images = join(dir, 'images-idx3-ubyte')
    writeFileSync(images, idxBytes([20, 8, 8], Uint8Array.from({ length: 20 * 64 }, (_, i) => i % 256)))
    const info = lab.datasets.importFiles([images], 'no labels')
    expect(() => lab.startRun(config({ dataset: info.id }))).toThrow(/conditional: no labels has no class labels; a conditional run needs a labelled image data set/)
    expect(() => lab.startRun(config({ conditional: false, discriminator: { from: { runId, epoch: 1 }, freeze: 'none', regularizer: 'dropout', fromClassifier: false } }))).toThrow(
      `run ${runId} is conditional: its discriminator takes the class as extra input planes, so this run must be conditional too`
    )
    const toy = await dispatch(lab.handlers, 'runs:create', { config: { ...PRESETS['toy-mlp'].defaults, name: 'toy', seed: 1, conditional: true } })
    expect(toy).toMatchObject({ ok: false, error: { issues: [{ field: 'conditional', message: expect.stringMatching(/no class labels to condition on/) }] } })
  })

  it('is scored with label accuracy and TSTR against TRTR', async () => {
    const trained = new Promise<void>((resolve) => lab.subscribe((e) => e.event === 'classifier:changed' && resolve()))
    lab.evaluation.train({ dataset: 'mnist', arch: { convFilters: [4], denseUnits: 16 }, epochs: 1, trainCount: 1000, testCount: 200, batchSize: 32, seed: 1, backend: 'wasm' })
    await trained
    const scores = await lab.evaluation.score(runId, 1)
    expect(scores.conditional).not.toBeNull()
    const c = scores.conditional!
    expect(c.tstrSamples).toBe(200)
    for (const v of [c.labelAccuracy, c.tstrAccuracy, c.trtrAccuracy]) {
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThanOrEqual(1)
    }
    // 200 real images teach the small classifier far more than four steps' worth of G does.
    expect(c.trtrAccuracy).toBeGreaterThan(0.6)
    expect(c.trtrAccuracy).toBeGreaterThan(c.tstrAccuracy)
    expect(c.tstrClassifier).toMatch(/MLP 128 hidden units/)
    // Stored and read back, and exported with the metrics.
    expect(lab.evaluation.scores(runId).scores[0]?.conditional).toEqual(c)
    const json = await dispatch(lab.handlers, 'runs:export-metrics', { ids: [runId], format: 'json' })
    if (!json.ok) throw new Error(json.error.message)
    const rows = JSON.parse((json.data as { content: string }).content) as Record<string, unknown>[]
    expect(rows.at(-1)).toMatchObject({ tstr_accuracy: c.tstrAccuracy, trtr_accuracy: c.trtrAccuracy, label_accuracy: c.labelAccuracy, tstr_samples: 200 })
  }, 180_000)
})

describe('TSTR', () => {
  it('gives the real-data accuracy for real samples and chance for shuffled labels', async () => {
    await selectBackend('wasm')
    const train = loadMnist('train')
    const test = loadMnist('test')
    const trainIdx = sampleIndices(train.count, 1000, 1)
    const testIdx = sampleIndices(test.count, 500, 2)
    const testSet = { images: imagesOf(test, testIdx), labels: labelsOf(test, testIdx) }
    const real = { images: imagesOf(train, trainIdx), labels: labelsOf(train, trainIdx) }
    const shuffled = { images: real.images, labels: Int32Array.from(real.labels, (_, i) => real.labels[(i * 7919) % real.labels.length]) }
    const good = await tstrAccuracy(real, testSet, 10)
    const bad = await tstrAccuracy(shuffled, testSet, 10)
    expect(good).toBeGreaterThan(0.75)
    expect(bad).toBeLessThan(0.3)
  }, 120_000)
})
