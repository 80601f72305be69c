// Trains a run in the test process (wasm), from scratch or resumed from one of its checkpoints,
// and returns the step rows: what "a resumed run continues exactly as the uninterrupted one" tests
// compare. Checkpoints are written to `runDir` when one is given.
import { expect } from 'vitest'
import type { RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import type { LabelledImages } from '../../src/main/common/idx'
import { seedGlobalRandom } from '../../src/main/common/random'
import { loadOptimizerState, writeCheckpoint, type Optimizers } from '../../src/main/trainer/checkpoint'
import { modelsForConfig, type GanModels } from '../../src/main/trainer/models/presets'
import { tf } from '../../src/main/trainer/tf'
import { trainGan, type TrainCallbacks } from '../../src/main/trainer/train'

export interface ResumeFrom {
  epoch: number
  models: GanModels
  checkpointDir: string
}

export async function trainRows(c: RunConfig, images: LabelledImages, runDir?: string, resume?: ResumeFrom): Promise<{ rows: StepRow[]; models: GanModels }> {
  await tf.setBackend('wasm')
  seedGlobalRandom(c.seed)
  const models = resume?.models ?? modelsForConfig(c, [images.height, images.width, 1], 0)
  const rows: StepRow[] = []
  const cb: TrainCallbacks = {
    onSteps: (r) => rows.push(...r),
    onProgress: () => undefined,
    onEpoch: () => undefined,
    shouldStop: () => false,
    saveCheckpoint: async (epoch, m, optimizers) => (runDir ? writeCheckpoint(runDir, epoch, m, optimizers) : 'none')
  }
  const start = resume && {
    epoch: resume.epoch,
    timeOffsetMs: 0,
    restore: async (o: Optimizers) => {
      await loadOptimizerState(resume.checkpointDir, 'd', o.d)
      await loadOptimizerState(resume.checkpointDir, 'g', o.g)
    }
  }
  expect((await trainGan(c, models, images, cb, start)).status).toBe('completed')
  return { rows, models }
}
