// The lab's evaluation service: the reference classifier of each data set (trained once in
// a trainer process, stored in the data folder, reused), scoring of checkpoints with it
// (on a schedule after epochs, or on demand; one scoring at a time), and each run's best
// epoch and failure flags, with an optional early stop.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { LabEvents, LabHandlers, RunScores, RunSummary } from '@shared/api'
import type { RunConfig } from '@shared/config'
import { CLASSIFIER_INFO_FILE, type ClassifierInfo, type ClassifierProgress, type ClassifierStatus, type ClassifierTrainRequest, type EpochScores } from '@shared/evaluation'
import { LabError } from '@shared/errors'
import { earlyStopFlag, evaluateRun, FLAG_LABELS, type RunEvaluation } from '@shared/failure-detect'
import { EvaluationRepo } from '../db/repos/evaluation'
import type { MetricsRepo } from '../db/repos/metrics'
import type { RunsRepo } from '../db/repos/runs'
import type { LogLevel } from './context'
import type { TrainerChannel, TrainerLauncher } from '../trainer-host/channel'
import { runTrainerTask } from '../trainer-host/task'

export interface EvaluationDeps {
  db: Database
  runs: RunsRepo
  metrics: MetricsRepo
  dataDir: string
  launcher: TrainerLauncher
  mnistDir?: string
  emit<E extends keyof LabEvents>(event: E, payload: LabEvents[E]): void
  log(level: LogLevel, message: string): void
  /** The generator folder of a run's checkpoint, or a NOT_FOUND naming the checkpoints there are. */
  generatorDir(runId: number, epoch: number): string
  isActive(runId: number): boolean
  /** Stops an active run, recording why. */
  stopRun(runId: number, reason: string): void
  /** Write access to the data folder until the returned release is called (LabContext.acquireWrite). */
  acquireWrite?(action: string): () => void
}

export class EvaluationService {
  readonly repo: EvaluationRepo
  private training: ClassifierProgress | null = null
  /** Scorings run one after another: each is a whole pass of two networks over thousands of images. */
  private queue: Promise<unknown> = Promise.resolve()
  private readonly pending = new Map<string, Promise<EpochScores>>()
  private readonly earlyStopped = new Set<number>()
  private readonly running = new Set<TrainerChannel>()

  constructor(private readonly deps: EvaluationDeps) {
    this.repo = new EvaluationRepo(deps.db)
  }

  readonly handlers = {
    'classifier:status': ({ dataset }) => this.status(dataset),
    'classifier:train': (req) => this.train(req),
    'eval:scores': ({ id }) => {
      this.deps.runs.require(id)
      return this.scores(id)
    },
    'eval:run': ({ id, epoch, samples }) => {
      this.deps.runs.require(id)
      return this.score(id, epoch, samples)
    }
  } satisfies Partial<LabHandlers>

  classifierDir(dataset: 'mnist' = 'mnist'): string {
    return join(this.deps.dataDir, 'classifiers', dataset)
  }

  /** The stored classifier's description, or null when there is none (or it cannot be read, which is logged). */
  classifier(dataset: 'mnist' = 'mnist'): ClassifierInfo | null {
    const dir = this.classifierDir(dataset)
    const infoPath = join(dir, CLASSIFIER_INFO_FILE)
    if (!existsSync(infoPath) || !existsSync(join(dir, 'model.json'))) return null
    try {
      const info = JSON.parse(readFileSync(infoPath, 'utf8')) as ClassifierInfo
      if (typeof info.id !== 'string' || typeof info.testAccuracy !== 'number') throw new Error('missing id or testAccuracy')
      return info
    } catch (err) {
      this.deps.log('warn', `The reference classifier in ${dir} cannot be read (${err instanceof Error ? err.message : String(err)}); train it again.`)
      return null
    }
  }

  status(dataset: 'mnist' = 'mnist'): ClassifierStatus {
    return { dataset, classifier: this.classifier(dataset), training: this.training }
  }

  /** Starts training the reference classifier; refuses while one is training. */
  train(request: ClassifierTrainRequest): ClassifierStatus {
    if (this.training) throw new LabError('CONFLICT', 'The reference classifier is already being trained; wait for it to finish.')
    // The classifier is written into the data folder when the task ends: the lock is held till then.
    const release = this.deps.acquireWrite?.('train the reference classifier') ?? (() => undefined)
    this.training = { epoch: 0, epochs: request.epochs, step: 0, stepsPerEpoch: 0, lastAccuracy: null }
    const started = this.status(request.dataset)
    void runTrainerTask<ClassifierInfo>(
      this.deps.launcher,
      `gan-trainer classifier ${request.dataset}`,
      { type: 'classifier-train', request, outDir: this.classifierDir(request.dataset), mnistDir: this.deps.mnistDir },
      'Training the reference classifier',
      {
        onEvent: (event) => {
          if (event.type === 'classifier-progress') {
            this.training = event.progress
            this.deps.emit('classifier:progress', this.status(request.dataset))
            return undefined
          }
          return event.type === 'classifier-trained' ? event.info : undefined
        },
        log: (level, line) => this.deps.log(level, line),
        running: this.running
      }
    ).then(
      (info) => {
        release()
        this.training = null
        this.deps.log('info', `Reference classifier ${info.id}: ${(info.testAccuracy * 100).toFixed(2)}% test accuracy, trained in ${(info.durationMs / 1000).toFixed(0)} s on ${info.backend}`)
        this.deps.emit('classifier:changed', this.status(request.dataset))
      },
      (err: unknown) => {
        release()
        this.training = null
        const message = err instanceof Error ? err.message : String(err)
        this.deps.log('error', message)
        this.deps.emit('classifier:changed', { ...this.status(request.dataset), error: message })
      }
    )
    return started
  }

  /** The reference classifier's data set for a run: only MNIST runs have one today. */
  private scoredDataset(config: RunConfig): 'mnist' | null {
    return config.dataset === 'mnist' ? 'mnist' : null
  }

  scores(runId: number): RunScores {
    const config = this.deps.runs.requireConfig(runId)
    const pending = [...this.pending.keys()].filter((k) => k.startsWith(`${runId}:`)).map((k) => Number(k.split(':')[1]))
    const dataset = this.scoredDataset(config)
    if (!dataset) {
      const notice = `Scores need a reference classifier of this run's data set (${String(config.dataset)}); only MNIST has one so far.`
      return { scores: this.repo.scores(runId), evaluation: this.repo.evaluation(runId), pending, notice }
    }
    const notice = this.classifier(dataset)
      ? config.evaluation.every === 0
        ? 'Epochs are scored on demand only (evaluation.every is 0).'
        : null
      : 'There is no reference classifier for MNIST yet, so no epoch is scored: train it in the Evaluation panel.'
    return { scores: this.repo.scores(runId), evaluation: this.repo.evaluation(runId), pending, notice }
  }

  /** Scores one checkpoint (queued behind the others), stores the scores and re-runs the detectors. */
  score(runId: number, epoch: number, samples?: number): Promise<EpochScores> {
    const config = this.deps.runs.requireConfig(runId)
    const dataset = this.scoredDataset(config)
    if (!dataset) {
      throw new LabError('INVALID_REQUEST', `Run ${runId} trains on ${String(config.dataset)}; scores need a reference classifier of that data set, and only MNIST has one so far`)
    }
    const classifier = this.classifier(dataset)
    if (!classifier) {
      throw new LabError('NOT_FOUND', 'There is no reference classifier for MNIST yet: train it first (Evaluation › Train classifier).')
    }
    const generatorDir = this.deps.generatorDir(runId, epoch)
    const key = `${runId}:${epoch}`
    const existing = this.pending.get(key)
    if (existing) return existing
    // The scores are written when the task ends: the data folder's lock is held till then.
    const release = this.deps.acquireWrite?.(`score run ${runId}`) ?? (() => undefined)
    const job = this.queue.then(() =>
      runTrainerTask<EpochScores>(
        this.deps.launcher,
        `gan-trainer evaluate ${runId}`,
        {
          type: 'evaluate',
          backend: config.backend,
          classifierDir: this.classifierDir(dataset),
          classifier: { id: classifier.id, testAccuracy: classifier.testAccuracy },
          generatorDir,
          latentDim: config.latentDim,
          latent: config.tricks.latent,
          seed: config.seed,
          epoch,
          samples: samples ?? config.evaluation.samples,
          mnistDir: this.deps.mnistDir
        },
        `Scoring run ${runId} epoch ${epoch}`,
        {
          onEvent: (event) => (event.type === 'evaluated' ? event.scores : undefined),
          log: (level, line) => this.deps.log(level, line),
          running: this.running
        }
      )
    )
    const done = job
      .then((scores) => {
        if (this.deps.runs.get(runId)) {
          this.repo.insertScores(runId, scores)
          this.refresh(runId)
        }
        return scores
      })
      .finally(() => {
        release()
        this.pending.delete(key)
      })
    this.pending.set(key, done)
    this.queue = done.catch(() => undefined)
    this.deps.emit('eval:scores', { runId, scores: this.scores(runId) })
    return done
  }

  /** After an epoch: score it when the schedule says so and a classifier exists; run the detectors. */
  onEpoch(runId: number, epoch: number): void {
    const config = this.deps.runs.requireConfig(runId)
    const every = config.evaluation.every
    const dataset = this.scoredDataset(config)
    if (every > 0 && epoch % every === 0 && dataset && this.classifier(dataset)) {
      const warn = (err: unknown): void => this.deps.log('warn', `[run ${runId}] epoch ${epoch} not scored: ${err instanceof Error ? err.message : String(err)}`)
      try {
        this.score(runId, epoch).catch(warn)
      } catch (err) {
        // A refusal before queueing (no checkpoint files) must not break the trainer's event handling.
        warn(err)
      }
    }
    this.refresh(runId)
  }

  /** Re-runs every detector over the run, stores the result, tells the UI and stops the run on a chosen flag. */
  refresh(runId: number): RunEvaluation | null {
    const summary = this.deps.runs.get(runId)
    if (!summary) return null
    const config = this.deps.runs.requireConfig(runId)
    const scores = this.repo.scores(runId)
    const evaluation = evaluateRun({
      series: this.deps.metrics.series(runId),
      scores,
      status: summary.status,
      statusMessage: summary.statusMessage,
      bestBy: config.evaluation.bestBy
    })
    this.repo.setEvaluation(runId, evaluation)
    const updated = this.deps.runs.get(runId) as RunSummary
    this.deps.emit('runs:changed', updated)
    this.deps.emit('eval:scores', { runId, scores: this.scores(runId) })
    const trigger = earlyStopFlag(evaluation.flags, config.evaluation.earlyStopOn, scores.length)
    if (trigger && this.deps.isActive(runId) && !this.earlyStopped.has(runId)) {
      this.earlyStopped.add(runId)
      this.deps.stopRun(runId, `Stopped early: ${FLAG_LABELS[trigger.kind]}. ${trigger.explanation}`)
    }
    return evaluation
  }

  /** Resolves once no scoring is queued or under way. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending.values()])
  }

  /** Ends classifier trainings and scorings under way (the lab is closing). */
  close(): void {
    for (const channel of this.running) channel.kill()
    this.running.clear()
  }
}
