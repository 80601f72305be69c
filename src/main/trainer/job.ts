// One training job inside a trainer process: choose the backend, load the data, build
// the models, train, and report everything as TrainerEvents. Transport-free, so the
// same code runs under utilityProcess, child_process.fork and the test runner.
import { mkdirSync, writeFileSync } from 'node:fs'
import { decodeRow, type ColumnSpec } from '@shared/datasets'
import { toErrorInfo } from '@shared/errors'
import { decodeModesRow, outputHeads, TRANSFORM_FILE, type OutputHead, type TableTransform } from '@shared/tabular-transform'
import type { StartRequest, TrainerEvent } from '@shared/trainer-protocol'
import { selectRunBackend } from './backend/select'
import { join } from 'node:path'
import { loadModelFrom, loadOptimizerState, writeCheckpoint } from './checkpoint'
import { discriminatorFromClassifier } from './models/from-classifier'
import { describeFailure } from './failure'
import { loadTrainingData, type TrainingData } from './data/source'
import { modelsForConfig, initNormal002 } from './models/presets'
import { decodedRows, pointsRenderer, tableRenderer, type FidelityInputs } from './samples'
import { fixedLatentBatch } from '../common/fixed-batch'
import { generatorInputs } from '@shared/conditional'
import { conditionWidth, drawCondition } from '@shared/table-condition'
import { mulberry32, seedGlobalRandom } from '../common/random'
import { modesData, rawRows } from './data/modes'
import { holdOut } from './data/holdout'
import { runClasses, trainGan, type SampleRenderer } from './train'
import { toyFieldProbe } from './toy-field'

export interface JobControl {
  emit(event: TrainerEvent): void
  stopRequested(): boolean
}

export async function runJob(req: StartRequest, control: JobControl): Promise<void> {
  const { emit } = control
  try {
    mkdirSync(req.runDir, { recursive: true })
    const report = await selectRunBackend(req.config)
    emit({ type: 'backend', report })
    const loaded = loadTrainingData(req.data, req.mnistDir, req.config.seed)
    const { columns, rawPoints } = loaded
    const table = columns !== null && rawPoints === null ? tableTraining(req, columns, loaded.data) : null
    if (table?.note) emit({ type: 'log', level: 'info', message: table.note })
    const data = table?.data ?? loaded.data
    const classes = runClasses(req.config, data)
    const samples = columns === null ? undefined : rawPoints ? pointsRenderer(columns, rawPoints) : table!.renderer
    emit({ type: 'status', status: 'running' })
    // Initialisers draw from Math.random: seed it before the models are built.
    seedGlobalRandom(req.config.seed)
    const models = modelsForConfig(req.config, data.shape, classes, table?.heads)
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

/**
 * An imported table's training rows as the run's transform encodes them, G's output heads for
 * it, and the epoch renderer; the transform is written to the run folder so rows drawn from any
 * checkpoint decode the same way.
 */
function tableTraining(req: StartRequest, columns: ColumnSpec[], table: TrainingData): { data: TrainingData; heads?: OutputHead[]; renderer: SampleRenderer; note?: string } {
  const { seed, latentDim, tricks } = req.config
  const latents = (count: number): Float32Array => fixedLatentBatch(seed ^ 0xf1de, latentDim, count, tricks.latent)
  // With a target column, 20% of the rows (the same for every run on the table) are held out of the
  // GAN's training and the transform's fit, to test the utility models on: the rest is all this
  // run trains on and compares with.
  const target = req.config.evaluation.targetColumn
  const split = target === null ? null : holdOut(table)
  const data = split?.train ?? table
  const utility: Pick<FidelityInputs, 'utility'> = target !== null && split ? { utility: { target, heldOut: rawRows(columns, split.heldOut) } } : {}
  if (req.config.tricks.tableTransform === 'modes') {
    const fitted = modesData(columns, data, req.config.seed, tricks.tableSampling === 'by-category')
    const { condition } = fitted
    const transform: TableTransform = { kind: 'modes', columns: fitted.transform, ...(condition ? { condition } : {}) }
    writeFileSync(join(req.runDir, TRANSFORM_FILE), JSON.stringify(transform, null, 1) + '\n')
    // The report's rows are drawn as rows are drawn later: categories by their shares in the table.
    const slots = condition ? conditionWidth(condition) : 0
    const fidelity: FidelityInputs = {
      inputs: (count) => generatorInputs(latents(count), latentDim, condition ? drawCondition(condition, count, mulberry32(seed ^ 0xf1dec), 'frequency') : null, slots),
      inputWidth: latentDim + slots,
      seed,
      ...utility
    }
    const note =
      tricks.tableSampling === 'by-category' && !condition ? 'Training-by-sampling has no categorical column to condition on in this table: G and D take no conditional vector' : undefined
    return { data: fitted.data, heads: outputHeads(fitted.transform), renderer: tableRenderer(columns, fitted.raw, (v, o, rand) => decodeModesRow(fitted.transform, v, o, rand), fidelity), note }
  }
  const fidelity: FidelityInputs = { inputs: latents, inputWidth: latentDim, seed, ...utility }
  writeFileSync(join(req.runDir, TRANSFORM_FILE), JSON.stringify({ kind: 'minmax' } satisfies TableTransform) + '\n')
  return { data, renderer: tableRenderer(columns, decodedRows(data, (v, o) => decodeRow(columns, v, o)), undefined, fidelity) }
}
