// The seed's training loop, made configurable: per iteration one discriminator step on a
// real half-batch and a fake half-batch, then one generator step through the frozen
// discriminator with "real" labels; with a Wasserstein loss, n_critic critic steps on both
// halves at once. Progress leaves through callbacks the caller owns.
import { isWasserstein, stepsPerEpochOf, type OptimizerConfig, type RunConfig, type Tricks } from '@shared/config'
import { describeMetrics, STEP_METRICS, type StepMetricName, type StepMetrics, type StepRow } from '@shared/metrics'
import type { EpochResult, ProgressInfo } from '@shared/trainer-protocol'
import { conditionalGrid, generatorInputs, gridLabels } from '@shared/conditional'
import { LabError } from '@shared/errors'
import { conditionWidth, drawCondition } from '@shared/table-condition'
import { oneHotRows, randomLabels, withLabelPlanes, withLabels } from './conditional'
import type { LabelledImages } from '../common/idx'
import { imageData, isTrainingData, type TrainingData } from './data/source'
import { encodePng, gridLayout, tileImages, type TileLayout } from '../common/grid'
import { clipWeights, GAN_LOSSES, gradientPenalty } from './losses'
import type { GanModels } from './models/presets'
import type { Optimizers } from './checkpoint'
import { epochSeed, mulberry32, permutation, seedGlobalRandom } from '../common/random'
import { tf } from './tf'
import { fixedBatchLatents, GRID_SAMPLES } from '../common/fixed-batch'
import { FIELD_MAX_SHARE, type ToyField } from '@shared/toy-field'
import type { FieldProbe } from './toy-field'
import { FusedAdamOptimizer } from './fused-adam'
import { registerLazyFusedGradients } from './lazy-fused-grads'

export interface TrainCallbacks {
  onSteps(rows: StepRow[]): void
  onProgress(progress: ProgressInfo): void
  onEpoch(result: EpochResult): void | Promise<void>
  /** Called after each step; true ends training as 'stopped' at the next step boundary. */
  shouldStop(): boolean
  /** Writes a checkpoint (the models and both optimizers' state) and returns its folder relative to the run folder. */
  saveCheckpoint(epoch: number, models: GanModels, optimizers: Optimizers): Promise<string>
  /** A live field of a toy run (with a FieldProbe): every few steps while it trains. */
  onField?(field: ToyField): void
}

/** Where a resumed run picks up: after `epoch`, with the optimizers' state restored by `restore`. */
export interface TrainStart {
  epoch: number
  timeOffsetMs: number
  restore(optimizers: Optimizers): Promise<void>
}

export interface TrainOutcome {
  status: 'completed' | 'stopped' | 'diverged'
  message?: string
  stepsDone: number
}

const FLUSH_EVERY_MS = 250

export function makeOptimizer(o: OptimizerConfig): tf.Optimizer {
  switch (o.kind) {
    case 'adam':
      // tfjs's Adam, with one kernel per variable where the backend has it (bit-identical).
      return new FusedAdamOptimizer(o.lr, o.beta1, o.beta2)
    case 'sgd':
      return tf.train.sgd(o.lr)
    case 'momentum':
      return tf.train.momentum(o.lr, o.momentum)
    case 'rmsprop':
      return tf.train.rmsprop(o.lr, 0.9)
  }
}

export { fixedBatchLatents, fixedLatentBatch, GRID_SAMPLES } from '../common/fixed-batch'

/** D's targets: real ones smoothed within realLabel, a labelFlip fraction of all of them flipped. */
export function discriminatorTargets(count: number, real: boolean, tricks: Pick<Tricks, 'realLabel' | 'labelFlip'>): tf.Tensor {
  return tf.tidy(() => {
    const { min, max } = tricks.realLabel
    const realLabels = (): tf.Tensor => (min === max ? tf.fill([count, 1], min) : tf.randomUniform([count, 1], min, max))
    const base = real ? realLabels() : tf.zeros([count, 1])
    if (tricks.labelFlip === 0) return base
    const flip = tf.less(tf.randomUniform([count, 1]), tricks.labelFlip)
    return tf.where(flip, real ? tf.zeros([count, 1]) : realLabels(), base)
  })
}

/** Std of the instance noise added to D's inputs in `epoch` (1-based), decaying linearly. */
export function instanceNoiseStd(t: Tricks['instanceNoise'], epoch: number): number {
  if (t.decayEpochs === 0) return t.std
  return t.std * Math.max(0, 1 - (epoch - 1) / t.decayEpochs)
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable)
}

/** Draws half-batches of real examples (images scaled to [-1, 1], encoded rows) in a seeded shuffled order. */
export class RealBatches {
  private order: Uint32Array
  private cursor = 0
  private readonly size: number
  /** The labels of the last batch (labelled data only). */
  labels: Int32Array = new Int32Array(0)
  constructor(
    private readonly data: TrainingData,
    private readonly rand: () => number
  ) {
    this.size = data.shape.reduce((a, b) => a * b, 1)
    this.order = permutation(data.count, rand)
  }

  next(batchSize: number): tf.Tensor {
    const out = new Float32Array(batchSize * this.size)
    const condition = this.data.condition
    if (condition) {
      // Training-by-sampling: a category per example (log-frequency), then a real row of it.
      this.labels = drawCondition(condition.spec, batchSize, this.rand, 'log-frequency')
      for (let b = 0; b < batchSize; b++) {
        const rows = condition.rows[this.labels[b]]
        this.data.fill(rows[Math.min(rows.length - 1, Math.floor(this.rand() * rows.length))], out, b * this.size)
      }
      return tf.tensor(out, [batchSize, ...this.data.shape])
    }
    const labels = this.data.labels
    if (labels && this.labels.length !== batchSize) this.labels = new Int32Array(batchSize)
    for (let b = 0; b < batchSize; b++) {
      if (this.cursor >= this.order.length) {
        this.order = permutation(this.data.count, this.rand)
        this.cursor = 0
      }
      const index = this.order[this.cursor++]
      this.data.fill(index, out, b * this.size)
      if (labels) this.labels[b] = labels[index]
    }
    return tf.tensor(out, [batchSize, ...this.data.shape])
  }
}

/** Seeds (xor the run's) the categories of the fixed batch of a table trained by sampling. */
const FIXED_CONDITION_SEED = 0xc0de

/** What an epoch shows of the fixed latent batch: a grid of images, or rows/points. */
export interface SampleRenderer {
  /** Size of the fixed latent batch. */
  count: number
  render(G: tf.LayersModel, z: tf.Tensor2D): Pick<EpochResult, 'gridPngBase64' | 'gridRows' | 'gridCols' | 'samples'>
}

export const gridRenderer: SampleRenderer = {
  count: GRID_SAMPLES,
  render(G, z) {
    const grid = sampleGrid(G, z)
    return { gridPngBase64: grid.png.toString('base64'), gridRows: grid.rows, gridCols: grid.cols }
  }
}

/** A conditional run's grid: one row per class (the fixed batch's labels are gridLabels). */
export function conditionalGridRenderer(classes: number): SampleRenderer {
  const { rows, cols, count } = conditionalGrid(classes)
  return {
    count,
    render(G, z) {
      const grid = sampleGrid(G, z, { rows, cols, pad: 1 })
      return { gridPngBase64: grid.png.toString('base64'), gridRows: grid.rows, gridCols: grid.cols }
    }
  }
}

/** The number of classes a run is conditioned on (0 when it is not; a table's condition slots when it trains by sampling), refusing unlabelled data. */
export function runClasses(config: Pick<RunConfig, 'conditional' | 'dataset'>, data: Pick<TrainingData, 'classes' | 'condition'>): number {
  if (data.condition) return conditionWidth(data.condition.spec)
  if (!config.conditional) return 0
  if (!data.classes) throw new LabError('INVALID_CONFIG', `A conditional run needs class labels, and data set ${String(config.dataset)} has none`)
  return data.classes
}

/** Adds `add` into `sum`; a metric that is null in either stays null. */
function addMetrics(sum: StepMetrics, add: StepMetrics): void {
  for (const m of STEP_METRICS) {
    const a = sum[m]
    const b = add[m]
    ;(sum as Record<StepMetricName, number | null>)[m] = a === null || b === null ? null : a + b
  }
}

/** Each metric divided by `by` (division, not a product with 1/by, so the numbers stay those of earlier versions). */
function divideMetrics(m: StepMetrics, by: number): StepMetrics {
  const out = { ...m }
  for (const k of STEP_METRICS) {
    const v = m[k]
    ;(out as Record<StepMetricName, number | null>)[k] = v === null ? null : v / by
  }
  return out
}

const zeroMetrics = (): StepMetrics => ({ dLossReal: 0, dLossFake: 0, gLoss: 0, dAccReal: 0, dAccFake: 0, wasserstein: 0 })

/**
 * Trains G and D; the caller seeds Math.random (seedGlobalRandom) before building the models.
 * Every epoch reseeds all randomness from (seed, epoch), so `start` (a resumed run) continues
 * exactly as the uninterrupted run would have. `samplesIn` says what an epoch shows (by default a grid,
 * one row per class for a conditional run). With a `probe` (toy runs), a field of D's output and
 * G's gradients goes to cb.onField every FIELD_EVERY_STEPS steps or more (at most every
 * FIELD_MIN_INTERVAL_MS, and about FIELD_MAX_SHARE of the training time), and one ends every epoch.
 */
export async function trainGan(
  config: RunConfig,
  models: GanModels,
  dataIn: LabelledImages | TrainingData,
  cb: TrainCallbacks,
  start?: TrainStart,
  samplesIn?: SampleRenderer,
  probe?: FieldProbe | null
): Promise<TrainOutcome> {
  // Gradients of D's and G's fused layers only where an optimizer needs them (same bits).
  registerLazyFusedGradients()
  const data = isTrainingData(dataIn) ? dataIn : imageData(dataIn)
  const { generator: G, discriminator: D } = models
  const classes = runClasses(config, data)
  const samples = samplesIn ?? (classes > 0 ? conditionalGridRenderer(classes) : gridRenderer)
  // A frozen D keeps its weights; a frozen body leaves only the last layer (the head) to train.
  const freeze = config.discriminator.freeze
  const dVars =
    freeze === 'all' ? [] : freeze === 'body' ? D.layers[D.layers.length - 1].trainableWeights.map((w) => w.read() as tf.Variable) : trainableVariables(D)
  const gVars = trainableVariables(G)
  const optD = makeOptimizer(config.optimizerD)
  const optG = makeOptimizer(config.optimizerG)
  let batches = new RealBatches(data, mulberry32(config.seed))
  const n = config.batchSize
  const stepsPerEpoch = stepsPerEpochOf(config, data.count)
  const totalSteps = stepsPerEpoch * config.epochs
  const tricks = config.tricks
  const loss = GAN_LOSSES[tricks.loss]
  // The fixed batch's G inputs: its latents; for a conditional run each grid row's class appended
  // to the same latents in every row (a column is one latent vector drawn as each class).
  // A table trained by sampling draws each fixed row's category by the table's own shares.
  const condition = data.condition ?? null
  const fixedInputs = generatorInputs(
    fixedBatchLatents(config.seed, config.latentDim, samples.count, tricks.latent, condition ? 0 : classes),
    config.latentDim,
    condition ? drawCondition(condition.spec, samples.count, mulberry32(config.seed ^ FIXED_CONDITION_SEED), 'frequency') : classes ? gridLabels(classes, samples.count) : null,
    classes
  )
  // G's cross-entropy for the category it was asked for (CTGAN): -log of its softmax output there,
  // picked by a one-hot over the encoded row (a gather's gradient has no wasm kernel).
  const rowWidth = data.shape[0]
  const conditionLoss = (rows: tf.Tensor, labels: Int32Array): tf.Tensor => {
    const picked = new Float32Array(labels.length * rowWidth)
    labels.forEach((slot, i) => (picked[i * rowWidth + condition!.positions[slot]] = 1))
    const target = tf.tensor2d(picked, [labels.length, rowWidth])
    // The probability first: the log of the whole row would take the tanh offsets' negative values.
    return tf.neg(tf.mean(tf.log(tf.add(tf.sum(tf.mul(target, rows), 1), 1e-8))))
  }
  const fixedZ = tf.tensor2d(fixedInputs, [samples.count, config.latentDim + classes])
  const sampleZ = (count: number): tf.Tensor2D =>
    tricks.latent === 'uniform' ? tf.randomUniform([count, config.latentDim], -1, 1) : tf.randomNormal([count, config.latentDim])
  let noiseStd = instanceNoiseStd(tricks.instanceNoise, 1)
  const noisy = (x: tf.Tensor): tf.Tensor => (noiseStd > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, noiseStd)) : x)

  const targets = (count: number, real: boolean): tf.Tensor => discriminatorTargets(count, real, tricks)
  const asSeenByD = data.fakeForD ?? ((x: tf.Tensor): tf.Tensor => x)
  const critic = isWasserstein(tricks.loss)

  /** D's scores of `images` (with their classes' one-hot planes in a conditional run). */
  // A D on flat vectors (the MLP presets) takes a conditional image flattened with its one-hot after it.
  const flatD = D.inputs[0].shape.length === 2 && data.shape.length > 1
  const scoreD = (images: tf.Tensor, cond: tf.Tensor | null): tf.Tensor => D.apply(withLabelPlanes(images, cond, flatD), { training: true }) as tf.Tensor

  // A step's metrics are read from the backend once, at its end (one sync instead of one per
  // value: on a GPU backend each read waits for the device). `read` keeps a tensor until then
  // and returns how to find its value in what the step read.
  const toRead: tf.Tensor[] = []
  let readOffset = 0
  type Read = (values: Float32Array) => number
  const read = (t: tf.Tensor): ((values: Float32Array, at?: number) => number) => {
    const offset = readOffset
    toRead.push(t)
    readOffset += t.size
    return (values, at = 0) => values[offset + at]
  }
  const readAll = (): Float32Array => {
    const all = tf.tidy(() => tf.concat(toRead.map((t) => t.reshape([-1]))))
    const values = all.dataSync() as Float32Array
    tf.dispose([all, ...toRead])
    toRead.length = 0
    readOffset = 0
    return values
  }

  /** One optimizer step of D on `images` of classes `cond` with targets `labels`; returns its cost (read at the step's end) and D's logits. */
  const dUpdate = (images: tf.Tensor, labels: tf.Tensor, cond: tf.Tensor | null): [Read, tf.Tensor] => {
    if (dVars.length === 0) {
      // Frozen D: score the batch (with dropout, as when training) but update nothing.
      const logits = tf.tidy(() => scoreD(noisy(images), cond))
      return [read(tf.tidy(() => loss.d(labels, logits))), logits]
    }
    let logits: tf.Tensor | null = null
    const cost = optD.minimize(
      () => {
        const out = scoreD(noisy(images), cond)
        logits = tf.keep(out)
        return loss.d(labels, out)
      },
      true,
      dVars
    ) as tf.Scalar
    return [read(cost), logits as unknown as tf.Tensor]
  }

  const accuracy = (logits: tf.Tensor, real: boolean): Read =>
    read(tf.tidy(() => (real ? tf.greater(logits, loss.threshold) : tf.lessEqual(logits, loss.threshold)).asType('float32').mean()))

  type DMetrics = Omit<StepMetrics, 'gLoss'>
  /** D's metrics, once the step's values are read. */
  type LaterDMetrics = (values: Float32Array) => DMetrics

  /**
   * One critic step (WGAN, WGAN-GP) on both half-batches: minimises E[D(fake)] - E[D(real)]
   * (+ λ·penalty), then clips the weights for WGAN. Records -E[D(real)] and E[D(fake)] as the
   * two D losses and their negated sum, E[D(real)] - E[D(fake)], as the Wasserstein estimate.
   */
  const criticStep = (real: tf.Tensor, fake: tf.Tensor, cond: tf.Tensor | null): LaterDMetrics => {
    let scores: tf.Tensor | null = null
    const objective = (): tf.Scalar => {
      const [x, y] = [noisy(real), noisy(fake)]
      // Real, fake and interpolated images of one row share that row's class.
      const score = (images: tf.Tensor): tf.Tensor => scoreD(images, cond)
      const realMean = tf.mean(score(x))
      const fakeMean = tf.mean(score(y))
      scores = tf.keep(tf.stack([realMean, fakeMean]))
      const distance = tf.sub(fakeMean, realMean) as tf.Scalar
      return tricks.loss === 'wgan-gp' ? (tf.add(distance, tf.mul(tricks.gpWeight, gradientPenalty(score, x, y))) as tf.Scalar) : distance
    }
    if (dVars.length === 0) tf.dispose(tf.tidy(objective))
    else optD.minimize(objective, true, dVars)?.dispose()
    if (tricks.loss === 'wgan' && dVars.length > 0) clipWeights(dVars, tricks.clip)
    const means = read(scores as unknown as tf.Tensor)
    return (values) => {
      const [realMean, fakeMean] = [means(values, 0), means(values, 1)]
      return { dLossReal: -realMean, dLossFake: fakeMean, dAccReal: null, dAccFake: null, wasserstein: realMean - fakeMean }
    }
  }

  /** One D step on a real and a fake half-batch of classes `cond`, as separate updates or one mixed update. */
  const dStep = (real: tf.Tensor, fake: tf.Tensor, cond: tf.Tensor | null): LaterDMetrics => {
    if (critic) return criticStep(real, fake, cond)
    const yReal = targets(n, true)
    const yFake = targets(n, false)
    try {
      if (tricks.dBatch === 'separate') {
        const [dLossReal, logitsReal] = dUpdate(real, yReal, cond)
        const [dLossFake, logitsFake] = dUpdate(fake, yFake, cond)
        const [accReal, accFake] = [accuracy(logitsReal, true), accuracy(logitsFake, false)]
        tf.dispose([logitsReal, logitsFake])
        return (v) => ({ dLossReal: dLossReal(v), dLossFake: dLossFake(v), dAccReal: accReal(v), dAccFake: accFake(v), wasserstein: null })
      }
      const both = tf.concat([real, fake])
      const labels = tf.concat([yReal, yFake])
      const bothCond = cond ? tf.concat([cond, cond]) : null
      const [, logits] = dUpdate(both, labels, bothCond)
      if (bothCond) bothCond.dispose()
      const [logitsReal, logitsFake] = tf.split(logits, 2)
      const halfLoss = (y: tf.Tensor, l: tf.Tensor): Read => read(tf.tidy(() => loss.d(y, l)))
      const [lossReal, lossFake] = [halfLoss(yReal, logitsReal), halfLoss(yFake, logitsFake)]
      const [accReal, accFake] = [accuracy(logitsReal, true), accuracy(logitsFake, false)]
      tf.dispose([both, labels, logits, logitsReal, logitsFake])
      return (v) => ({ dLossReal: lossReal(v), dLossFake: lossFake(v), dAccReal: accReal(v), dAccFake: accFake(v), wasserstein: null })
    } finally {
      tf.dispose([yReal, yFake])
    }
  }

  const gStep = (): Read => {
    const z = sampleZ(n)
    // A conditional G is asked for classes drawn uniformly; a table's, for categories drawn as its real rows are.
    const labels = condition ? drawCondition(condition.spec, n, Math.random, 'log-frequency') : classes ? randomLabels(n, classes) : new Int32Array(0)
    const cond = oneHotRows(labels, classes)
    const cost = optG.minimize(
      () => {
        const rows = G.apply(withLabels(z, cond), { training: true }) as tf.Tensor
        const adversarial = loss.g(scoreD(noisy(asSeenByD(rows)), cond))
        return condition ? tf.add(adversarial, conditionLoss(rows, labels)) : adversarial
      },
      true,
      gVars
    ) as tf.Scalar
    tf.dispose(z)
    if (cond) cond.dispose()
    return read(cost)
  }

  // Live fields: one after at least probe.everySteps steps and probe.minIntervalMs, and no sooner than
  // ten times what the last one took (so fields cost about FIELD_MAX_SHARE of the time however fast steps are).
  let lastFieldStep = -Infinity
  let lastFieldAt = 0
  let fieldMs = 0
  const liveField = (step: number, epoch: number): void => {
    if (!probe || !cb.onField || step - lastFieldStep < probe.everySteps) return
    const now = Date.now()
    if (now - lastFieldAt < Math.max(probe.minIntervalMs, fieldMs / FIELD_MAX_SHARE)) return
    const field = probe.compute(G, D, step, epoch)
    lastFieldStep = step
    lastFieldAt = Date.now()
    fieldMs = lastFieldAt - now
    if (field) cb.onField(field)
  }

  let pending: StepRow[] = []
  let lastFlush = Date.now()
  const flush = (): void => {
    if (pending.length > 0) cb.onSteps(pending)
    pending = []
    lastFlush = Date.now()
  }

  const firstEpoch = (start?.epoch ?? 0) + 1
  const trainStart = Date.now() - (start?.timeOffsetMs ?? 0)
  let globalStep = (firstEpoch - 1) * stepsPerEpoch
  let lastGood: StepMetrics | null = null
  let secondsPerStep = 0
  try {
    if (start) await start.restore({ d: optD, g: optG })
    for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
      const epochStart = Date.now()
      const seed = epochSeed(config.seed, epoch)
      seedGlobalRandom(seed)
      batches = new RealBatches(data, mulberry32(seed ^ 0xda7a))
      noiseStd = instanceNoiseStd(tricks.instanceNoise, epoch)
      const sums = zeroMetrics()
      for (let s = 1; s <= stepsPerEpoch; s++) {
        const stepStart = Date.now()
        const dSteps: LaterDMetrics[] = []
        for (let k = 0; k < tricks.dStepsPerG; k++) {
          const real = batches.next(n)
          // A conditional D sees the fake half-batch with the real half-batch's classes.
          const cond = oneHotRows(batches.labels, classes)
          // Training mode, as in G's own step: a G with batch norm then normalises with the batch's statistics both times.
          const fake = tf.tidy(() => asSeenByD(G.apply(withLabels(sampleZ(n), cond), { training: true }) as tf.Tensor))
          dSteps.push(dStep(real, fake, cond))
          tf.dispose([real, fake])
          if (cond) cond.dispose()
        }
        const gRead = gStep()
        const values = readAll()
        const d = zeroMetrics()
        for (const one of dSteps) addMetrics(d, divideMetrics({ ...one(values), gLoss: 0 }, tricks.dStepsPerG))
        const gLoss = gRead(values)
        globalStep++
        const metrics: StepMetrics = { ...d, gLoss }
        const bad = STEP_METRICS.filter((m) => metrics[m] !== null && !Number.isFinite(metrics[m]))
        if (bad.length > 0) {
          flush()
          const what = bad.map((m) => `${m} = ${metrics[m]}`).join(', ')
          const message =
            `Diverged at step ${globalStep} (epoch ${epoch}): ${what}. ` +
            (lastGood ? `Last good values: ${describeMetrics(lastGood)}.` : 'No step finished with finite values.')
          return { status: 'diverged', message, stepsDone: globalStep - 1 }
        }
        lastGood = metrics
        addMetrics(sums, metrics)
        pending.push({ step: globalStep, epoch, timeMs: Date.now() - trainStart, ...metrics })

        const elapsed = (Date.now() - stepStart) / 1000
        secondsPerStep = secondsPerStep === 0 ? elapsed : 0.9 * secondsPerStep + 0.1 * elapsed
        if (Date.now() - lastFlush >= FLUSH_EVERY_MS || s === stepsPerEpoch) {
          flush()
          cb.onProgress({
            epoch,
            stepInEpoch: s,
            stepsPerEpoch,
            globalStep,
            totalSteps,
            imagesPerSec: secondsPerStep > 0 ? n / secondsPerStep : 0,
            etaSeconds: Math.round((totalSteps - globalStep) * secondsPerStep)
          })
        }
        // The epoch's last step gets the epoch's own field below.
        if (s < stepsPerEpoch) liveField(globalStep, epoch)
        // Let the process read a stop request between steps.
        await new Promise<void>((resolve) => setImmediate(resolve))
        if (cb.shouldStop()) {
          flush()
          return { status: 'stopped', message: `Stopped by request at step ${globalStep} (epoch ${epoch}).`, stepsDone: globalStep }
        }
      }
      const means = divideMetrics(sums, stepsPerEpoch)
      const durationMs = Date.now() - epochStart
      const shown = samples.render(G, fixedZ)
      const field = probe?.compute(G, D, globalStep, epoch) ?? null
      // Stored with the epoch (the host forwards it as the newest field); live fields start afresh after it.
      if (field) {
        lastFieldStep = globalStep
        lastFieldAt = Date.now()
      }
      const checkpointDir = await cb.saveCheckpoint(epoch, models, { d: optD, g: optG })
      await cb.onEpoch({
        epoch,
        means,
        durationMs,
        imagesPerSec: (n * stepsPerEpoch) / Math.max(durationMs / 1000, 1e-6),
        ...shown,
        ...(field ? { field } : {}),
        checkpointDir
      })
    }
  } finally {
    flush()
    tf.dispose(fixedZ)
    optD.dispose()
    optG.dispose()
  }
  return { status: 'completed', stepsDone: globalStep }
}

/** Renders the fixed latent batch through G (inference mode) as one PNG. */
export function sampleGrid(G: tf.LayersModel, z: tf.Tensor2D, layoutIn?: TileLayout): { png: Buffer; rows: number; cols: number } {
  const images = tf.tidy(() => G.apply(z, { training: false }) as tf.Tensor4D)
  const [count, h, w, c] = images.shape
  const values = images.dataSync() as Float32Array
  images.dispose()
  const layout = layoutIn ?? gridLayout(count)
  const png = encodePng(tileImages(values, count, h, w, c === 3 ? 3 : 1, layout))
  return { png, rows: layout.rows, cols: layout.cols }
}
