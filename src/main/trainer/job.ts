// One training job inside a trainer process: choose the backend, load the data, build
// the models, train, and report everything as TrainerEvents. Transport-free, so the
// same code runs under utilityProcess, child_process.fork and the test runner.
import { mkdirSync } from 'node:fs'
import { toErrorInfo } from '@shared/errors'
import type { StartRequest, TrainerEvent } from '@shared/trainer-protocol'
import { selectBackend } from './backend/select'
import { join } from 'node:path'
import { loadModelFrom, loadOptimizerState, writeCheckpoint } from './checkpoint'
import { discriminatorFromClassifier } from './models/from-classifier'
import { describeFailure } from './failure'
import { loadTrainingData } from './data/source'
import { modelsForConfig, initNormal002 } from './models/presets'
import { seedGlobalRandom } from '../common/random'
import { pointsRenderer, tableRenderer } from './samples'
import { runClasses, trainGan } from './train'
import { toyFieldProbe } from './toy-field'

export interface JobControl {
  emit(event: TrainerEvent): void
  stopRequested(): boolean
}

export async function runJob(req: StartRequest, control: JobControl): Promise<void> {
  const { emit } = control
  try {
    mkdirSync(req.runDir, { recursive: true })
    const report = await selectBackend(req.config.backend)
    emit({ type: 'backend', report })
    const { data, columns, rawPoints } = loadTrainingData(req.data, req.mnistDir, req.config.seed)
    const classes = runClasses(req.config, data)
    const samples = columns === null ? undefined : rawPoints ? pointsRenderer(columns, rawPoints) : tableRenderer(columns, data)
    emit({ type: 'status', status: 'running' })
    // Initialisers draw from Math.random: seed it before the models are built.
    seedGlobalRandom(req.config.seed)
    const models = modelsForConfig(req.config, data.shape, classes)
    if (req.config.tricks.init === 'normal-0.02') {
      initNormal002(models.generator)
      initNormal002(models.discriminator)
    }
    if (req.resume) {
      // A resumed run takes both networks from its own checkpoint.
      models.generator.dispose()
      models.discriminator.dispose()
      models.generator = await loadModelFrom(join(req.resume.checkpointDir, 'generator'))
      models.discriminator = await loadModelFrom(join(req.resume.checkpointDir, 'discriminator'))
      emit({ type: 'log', level: 'info', message: `Resuming after epoch ${req.resume.epoch} from ${req.resume.checkpointDir}` })
    } else if (req.pretrainedDiscriminatorDir) {
      const pretrained = await loadModelFrom(req.pretrainedDiscriminatorDir)
      const want = JSON.stringify(models.discriminator.inputs[0].shape)
      const got = JSON.stringify(pretrained.inputs[0].shape)
      if (want !== got) {
        throw new Error(`The pretrained discriminator takes inputs of shape ${got}; this run's D takes ${want}${classes ? ` (images with ${classes} label planes)` : ''}`)
      }
      models.discriminator.dispose()
      models.discriminator = pretrained
    } else if (req.classifierBodyDir) {
      const fromClassifier = await discriminatorFromClassifier(req.classifierBodyDir, models.discriminator.inputs[0].shape)
      models.discriminator.dispose()
      models.discriminator = fromClassifier
      emit({ type: 'log', level: 'info', message: `D is the reference classifier's body (${req.classifierBodyDir}) with a new real/fake head` })
    }
    const resume = req.resume
    // Runs of 1D/2D points: GAN Lab's view of D and G, live and per epoch.
    const probe = toyFieldProbe(req.config, columns, data)
    const outcome = await trainGan(req.config, models, data, {
      onSteps: (rows) => emit({ type: 'steps', rows }),
      onProgress: (progress) => emit({ type: 'progress', progress }),
      onEpoch: (result) => emit({ type: 'epoch', result }),
      onField: (field) => emit({ type: 'field', field }),
      shouldStop: control.stopRequested,
      saveCheckpoint: (epoch, m, optimizers) => writeCheckpoint(req.runDir, epoch, m, optimizers)
    }, resume ? {
      epoch: resume.epoch,
      timeOffsetMs: resume.timeOffsetMs,
      restore: async (optimizers) => {
        await loadOptimizerState(resume.checkpointDir, 'd', optimizers.d)
        await loadOptimizerState(resume.checkpointDir, 'g', optimizers.g)
      }
    } : undefined, samples, probe).finally(() => probe?.dispose())
    models.generator.dispose()
    models.discriminator.dispose()
    emit({ type: 'done', status: outcome.status, message: outcome.message })
  } catch (err) {
    const info = toErrorInfo(err)
    emit({ type: 'log', level: 'error', message: err instanceof Error && err.stack ? err.stack : info.message })
    emit({ type: 'done', status: 'failed', message: describeFailure(err) })
  }
}
