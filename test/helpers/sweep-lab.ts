// A finished six-run sweep written straight into a lab's store (optimizer.kind sgd/adam x
// optimizer.lr 2e-4/2e-3/2e-2): steps, epoch means, MNIST sample grids and FID scores per epoch,
// for tests and looks at the compare view and figures without training.
import { PRESETS } from '../../src/shared/config'
import type { StepRow } from '../../src/shared/metrics'
import { expandSweep, sweepRequestSchema, type SweepAxis } from '../../src/shared/sweep'
import { encodePng, tileImages } from '../../src/main/common/grid'
import type { Lab } from '../../src/main/services/lab'
import { loadMnist } from '../../src/main/trainer/data/mnist'
import { epochScores } from './scores'

export const SWEEP_AXES: SweepAxis[] = [
  { field: 'optimizer.kind', values: ['sgd', 'adam'] },
  { field: 'optimizer.lr', values: [0.0002, 0.002, 0.02] }
]

let digits: ReturnType<typeof loadMnist> | null = null

/** A 4x4 grid of MNIST test digits from `offset`, blurred toward grey by `noise` (0: clean). */
function mnistGrid(offset: number, noise: number): string {
  const mnist = (digits ??= loadMnist('test'))
  const size = mnist.height * mnist.width
  const values = new Float32Array(16 * size)
  for (let k = 0; k < 16; k++) {
    for (let p = 0; p < size; p++) {
      const clean = mnist.pixels[(offset + k) * size + p] / 127.5 - 1
      const speckle = ((p * 7919 + k * 104729) % 97) / 48.5 - 1
      values[k * size + p] = (1 - noise) * clean + noise * speckle
    }
  }
  return encodePng(tileImages(values, 16, mnist.height, mnist.width, 1, { rows: 4, cols: 4, pad: 1 })).toString('base64')
}

/** The sweep's runs, finished, with `stepsPerEpoch` x 3 steps each; returns their ids and the sweep's. */
export function seedSweepLab(lab: Lab, stepsPerEpoch = 100): { ids: number[]; sweepId: number } {
  const base = { ...PRESETS['mnist-mlp'].defaults, name: 'opt', epochs: 3, seed: 5 }
  const points = expandSweep(sweepRequestSchema.parse({ name: 'opt', base, axes: SWEEP_AXES }))
  const ids = points.map((p, k) => {
    const id = lab.runs.create(p.config)
    const adam = p.config.optimizerD.kind === 'adam'
    const lr = p.config.optimizerD.lr
    // Adam learns best at 2e-4, SGD at 2e-2: a sweep with a visible answer.
    const quality = adam ? 1 - Math.abs(Math.log10(lr / 0.0002)) / 3 : 1 - Math.abs(Math.log10(lr / 0.02)) / 2.5
    const rows: StepRow[] = Array.from({ length: 3 * stepsPerEpoch }, (_, i) => ({
      step: i + 1,
      epoch: Math.floor(i / stepsPerEpoch) + 1,
      timeMs: i * 40,
      dLossReal: 0.6 + 0.1 * Math.sin(i / 17 + k),
      dLossFake: 0.55 + 0.1 * Math.cos(i / 13 + k),
      gLoss: 0.9 + (1 - quality) * 1.5 + 0.8 * Math.exp(-i / 80) + ((i * 7919 + k) % 11) / 40,
      dAccReal: 0.55 + 0.2 * (1 - quality),
      dAccFake: 0.5 + 0.2 * (1 - quality),
      wasserstein: null
    }))
    lab.metrics.insertSteps(id, rows)
    for (let e = 1; e <= 3; e++) {
      const epochRows = rows.filter((r) => r.epoch === e)
      const mean = (key: 'dLossReal' | 'dLossFake' | 'gLoss' | 'dAccReal' | 'dAccFake'): number => epochRows.reduce((s, r) => s + (r[key] ?? 0), 0) / epochRows.length
      lab.metrics.insertEpoch(id, {
        epoch: e,
        means: { dLossReal: mean('dLossReal'), dLossFake: mean('dLossFake'), gLoss: mean('gLoss'), dAccReal: mean('dAccReal'), dAccFake: mean('dAccFake'), wasserstein: null },
        durationMs: 4000,
        imagesPerSec: 800,
        gridPngBase64: mnistGrid(16 * k, Math.min(0.9, (1 - quality) * 0.6 + 0.3 / e)),
        gridRows: 4,
        gridCols: 4,
        checkpointDir: `checkpoints/epoch-${e}`
      })
      const fid = 20 + 180 * (1 - quality) + 60 / e
      lab.evaluation.repo.insertScores(id, epochScores({ epoch: e, classifierId: 'mnist-cls', realCount: 1000, generatedCount: 1000, fid, fidFloor: 3, coverage: quality * e / 3 }))
    }
    lab.evaluation.repo.setEvaluation(id, { bestBy: 'fid', bestEpoch: 3, bestValue: 20 + 180 * (1 - quality) + 20, flags: [] })
    lab.runs.finish(id, 'completed', null)
    return id
  })
  const sweep = lab.sweeps.repo.create('opt', SWEEP_AXES, ids, true)
  for (const id of ids) lab.runs.update(id, { tags: [`sweep ${sweep.id}`] })
  return { ids, sweepId: sweep.id }
}
