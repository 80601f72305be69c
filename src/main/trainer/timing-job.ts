// Times a run's training step for the new-run form's estimate: trains the run's models for a
// few steps with the run's loop (trainGan), after a warm-up, then the process ends.
import { toErrorInfo } from '@shared/errors'
import { msPerStepOf } from '@shared/timing'
import type { StepRow } from '@shared/metrics'
import type { TimeStepsJob, TrainerEvent } from '@shared/trainer-protocol'
import { selectRunBackend } from './backend/select'
import { loadTrainingData } from './data/source'
import { modelsForConfig } from './models/presets'
import { seedGlobalRandom } from '../common/random'
import { runClasses, trainGan } from './train'

export async function runTimeStepsJob(job: TimeStepsJob, emit: (event: TrainerEvent) => void): Promise<void> {
  try {
    const report = await selectRunBackend(job.config)
    const { data } = loadTrainingData(job.data, job.mnistDir, job.config.seed)
    const classes = runClasses(job.config, data)
    seedGlobalRandom(job.config.seed)
    const models = modelsForConfig(job.config, data.shape, classes)
    const rows: StepRow[] = []
    // One short epoch: warm-up steps (the kernels' first calls are slower), then the timed ones.
    const config = { ...job.config, epochs: 1, stepsPerEpoch: job.warmup + job.steps }
    await trainGan(config, models, data, {
      onSteps: (batch) => void rows.push(...batch),
      onProgress: () => undefined,
      onEpoch: () => undefined,
      shouldStop: () => false,
      saveCheckpoint: async () => ''
    })
    models.generator.dispose()
    models.discriminator.dispose()
    const msPerStep = msPerStepOf(rows, job.warmup)
    if (msPerStep === null) throw new Error(`too few steps were recorded to time (${rows.length})`)
    emit({ type: 'steps-timed', backend: report.chosen, msPerStep, steps: job.steps })
  } catch (err) {
    emit({ type: 'task-failed', message: toErrorInfo(err).message })
  }
}
