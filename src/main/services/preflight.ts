// Checks before a run is recorded or started, and the start request built from them: its data
// set resolves, the pretrained discriminator it names exists and fits, the reference
// classifier it starts D from exists. A config that cannot start is refused with the field.
import { existsSync } from 'node:fs'
import { totalmem } from 'node:os'
import { join } from 'node:path'
import { PRESET_DATA_KINDS, type RunConfig } from '@shared/config'
import { LabError } from '@shared/errors'
import { estimateRunMemory, formatBytes } from '@shared/memory'
import type { DataSpec, ResumePoint, StartRequest } from '@shared/trainer-protocol'
import type { LabContext } from './context'
import type { DatasetService } from './datasets'
import type { EvaluationService } from './evaluation'

/** What a trainer needs besides the config, as resolved by the checks. */
interface StartInputs {
  data: DataSpec | undefined
  pretrainedDiscriminatorDir: string | undefined
  classifierBodyDir: string | undefined
}

/** The most memory a wasm32 backend can address. */
const WASM_MAX_BYTES = 4 * 1024 ** 3

export class Preflight {
  constructor(
    private readonly ctx: LabContext,
    private readonly datasets: DatasetService,
    private readonly evaluation: EvaluationService
  ) {}

  /**
   * Refuses a config that cannot start (missing data set, checkpoint, classifier, more memory
   * than the machine has), before anything is written. Returns a warning for a run expected to
   * take more than half the machine's memory.
   */
  checkStartable(config: RunConfig): string | null {
    this.inputs(config)
    return this.checkMemory(config)
  }

  /** The run's estimated memory against the machine's (and the wasm backend's 4 GiB address space). */
  checkMemory(config: RunConfig): string | null {
    const estimate = estimateRunMemory(config, this.datasets.get(config.dataset))
    const total = this.ctx.opts.totalMemoryBytes ?? totalmem()
    const wasm = config.backend === 'wasm' && WASM_MAX_BYTES < total
    const limit = wasm ? WASM_MAX_BYTES : total
    const needs = `about ${formatBytes(estimate.bytes)} (${estimate.breakdown})`
    if (estimate.bytes > limit) {
      const message = `this run would need ${needs}, more than ${wasm ? `the ${formatBytes(limit)} the wasm backend can address` : `this machine's ${formatBytes(total)} of memory`}; lower the batch size or the latent size`
      throw new LabError('INVALID_CONFIG', `Invalid run config: batchSize: ${message}`, [{ field: 'batchSize', message }])
    }
    if (estimate.bytes > total / 2) return `This run is expected to need ${needs}, more than half of this machine's ${formatBytes(total)}; other runs and programs may run short.`
    return null
  }

  /**
   * What a trainer process needs to start run `id` of `config`, or to resume it from `resume`;
   * refuses a config that cannot start. A resumed run takes both networks from its own
   * checkpoint, so only its data set is checked (it may have been deleted since).
   */
  startRequest(id: number, config: RunConfig, resume?: ResumePoint): StartRequest {
    const base = { type: 'start' as const, runId: id, config, runDir: this.ctx.runDir(id), mnistDir: this.ctx.opts.mnistDir }
    if (resume) {
      const data = this.datasets.resolve(config)
      return { ...base, ...(data ? { data } : {}), resume }
    }
    const { data, pretrainedDiscriminatorDir, classifierBodyDir } = this.inputs(config)
    return {
      ...base,
      pretrainedDiscriminatorDir,
      ...(classifierBodyDir ? { classifierBodyDir } : {}),
      ...(data ? { data } : {})
    }
  }

  private inputs(config: RunConfig): StartInputs {
    return { data: this.datasets.resolve(config), pretrainedDiscriminatorDir: this.pretrainedDiscriminator(config), classifierBodyDir: this.classifierBody(config) }
  }

  /** The reference classifier folder a D starts from (discriminator.fromClassifier). */
  private classifierBody(config: RunConfig): string | undefined {
    if (!config.discriminator.fromClassifier) return undefined
    const refuse = (message: string): never => {
      throw new LabError('INVALID_CONFIG', `Invalid run config: discriminator.fromClassifier: ${message}`, [{ field: 'discriminator.fromClassifier', message }])
    }
    if (config.dataset !== 'mnist' || !PRESET_DATA_KINDS[config.preset].includes('images')) {
      refuse('only MNIST image runs have a reference classifier to start D from')
    }
    if (!this.evaluation.classifier('mnist')) refuse('there is no reference classifier for MNIST yet: train it first (Sample quality › Train classifier)')
    return this.evaluation.classifierDir('mnist')
  }

  /** The checkpoint folder of the discriminator a config starts from (discriminator.from). */
  private pretrainedDiscriminator(config: RunConfig): string | undefined {
    const from = config.discriminator.from
    if (!from) return undefined
    const refuse = (field: string, message: string): never => {
      throw new LabError('INVALID_CONFIG', `Invalid run config: discriminator.from.${field}: ${message}`, [{ field: `discriminator.from.${field}`, message }])
    }
    const source = this.ctx.runs.get(from.runId) ?? refuse('runId', `there is no run ${from.runId}`)
    const sourceConfig = this.ctx.runs.requireConfig(from.runId)
    if (sourceConfig.preset !== config.preset) {
      refuse('runId', `run ${source.id} is a ${sourceConfig.preset} run; its discriminator does not fit ${config.preset}`)
    }
    if (sourceConfig.discriminator.regularizer !== config.discriminator.regularizer) {
      throw new LabError(
        'INVALID_CONFIG',
        `Invalid run config: discriminator.regularizer: the discriminator of run ${source.id} uses ${sourceConfig.discriminator.regularizer}; a D started from it keeps its layers`,
        [{ field: 'discriminator.regularizer', message: `must be ${sourceConfig.discriminator.regularizer}, as in run ${source.id}` }]
      )
    }
    if (sourceConfig.conditional !== config.conditional) {
      const message = sourceConfig.conditional
        ? `run ${source.id} is conditional: its discriminator takes the class as extra input planes, so this run must be conditional too`
        : `run ${source.id} is not conditional: its discriminator takes no class, so this run cannot be conditional`
      throw new LabError('INVALID_CONFIG', `Invalid run config: conditional: ${message}`, [{ field: 'conditional', message }])
    }
    const epochs = this.ctx.metrics.epochs(from.runId).filter((e) => e.checkpointDir)
    const epoch = epochs.find((e) => e.epoch === from.epoch)
    if (!epoch) {
      refuse('epoch', `run ${source.id} has no checkpoint for epoch ${from.epoch}${epochs.length ? ` (it has ${epochs.map((e) => e.epoch).join(', ')})` : ' (it has none)'}`)
    }
    const dir = join(this.ctx.runDir(from.runId), epoch!.checkpointDir!, 'discriminator')
    if (!existsSync(join(dir, 'model.json'))) refuse('epoch', `the discriminator files of run ${source.id} epoch ${from.epoch} are missing (${dir})`)
    return dir
  }
}
