// Sample quality against training time: trains the image presets' default configs on MNIST
// with the lab's training loop and scores G at wall-clock marks with the lab's reference
// classifier and scores (the same code as "Score now"), so the README can say what a new user
// gets after 1, 3 and 10 minutes on this machine.
//
//   npm run bench:quality [-- --presets mnist-dcgan-small,mnist-dcgan] [--minutes 10]
//                         [--marks 1,2,3,5,10] [--samples 1000] [--backend wasm] [--seed 1]
//                         [--every-steps N] [--max-steps N] [--set path=value ...]
//                         [--classifier DIR] [--grids DIR] [--json] [--ema DECAY]
//
// --minutes  training time per preset (wall clock, scoring excluded); a run whose default length
//            ends sooner is continued with more epochs of the same length, and the point where
//            the default run ends is reported (defaultEnd)
// --marks    minutes at which G is scored (each epoch's end is scored as well)
// --every-steps  also score every N steps; --max-steps  stop after N steps (whichever limit comes
//            first): on a shared, busy machine quality per step is what an experiment compares
// --set      changes the defaults for an experiment, e.g. --set batchSize=128
//            --set tricks.realLabel='{"min":0.9,"max":0.9}' (values are JSON where they parse)
// --classifier  a stored reference classifier (DATA_DIR/classifiers/mnist); by default the one
//            cached in .tmp/quality/classifiers/mnist, trained there once with the lab's defaults
// --grids    folder for each scored point's sample grid PNG (default .tmp/quality/grids)
// --json     one JSON object on stdout (progress on stderr)
// --ema      also score an exponential moving average of G's weights (e.g. 0.99), kept by the
//            bench beside the run (an experiment: the lab's runs do not average G)
//
// Scored per point: share of generated samples the classifier gives one class with probability
// > 0.9 ("confident"), classes covered (the lab's rule: at least a fifth of a uniform share),
// entropy of the predicted classes in bits (3.32 = uniform over 10) and the classifier FID.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { describeIssues, formatIssues, PRESET_DATA_KINDS, PRESET_IDS, PRESETS, runConfigSchema, stepsPerEpochOf, type BackendChoice, type PresetId, type RunConfig } from '@shared/config'
import { balancedLabels, conditionalGrid, generatorInputs, gridLabels } from '@shared/conditional'
import { classifierTrainSchema } from '@shared/evaluation'
import { confidentShare, histogramEntropyBits } from '@shared/eval-math'
import type { StepRow } from '@shared/metrics'
import { classify, imagesOf, sampleIndices, type ClassifierOutputs } from '../src/main/trainer/evaluation/classifier'
import { evaluationLatents, runClassifierJob } from '../src/main/trainer/evaluation/job'
import { computeScores } from '../src/main/trainer/evaluation/scores'
import { generate } from '../src/main/trainer/explorer/render'
import { selectRunBackend } from '../src/main/trainer/backend/select'
import { loadModelFrom } from '../src/main/trainer/checkpoint'
import { loadMnist } from '../src/main/trainer/data/mnist'
import { imageData } from '../src/main/trainer/data/source'
import { modelsForConfig, IMAGE_SHAPE, initNormal002 } from '../src/main/trainer/models/presets'
import { seedGlobalRandom } from '../src/main/common/random'
import { tf } from '../src/main/trainer/tf'
import { fixedBatchLatents, fixedLatentBatch, runClasses, sampleGrid, trainGan } from '../src/main/trainer/train'

/** Ctrl-C (or SIGTERM) ends training early; what was snapshotted so far is still scored and printed. */
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130)
    interrupted = true
    log(`${signal}: training stops at the next step; scoring what was copied so far (again to quit at once)`)
  })
}

const IMAGE_PRESETS = PRESET_IDS.filter((p) => PRESET_DATA_KINDS[p].includes('images'))
const CACHE = resolve(__dirname, '..', '.tmp', 'quality')
const CONFIDENCE = 0.9

interface Options {
  presets: PresetId[]
  minutes: number
  marks: number[]
  samples: number
  backend: BackendChoice
  seed: number
  sets: [string, unknown][]
  everySteps: number
  maxSteps: number
  classifier: string
  grids: string
  json: boolean
  /** Decay of an exponential moving average of G's weights scored beside G itself (0: none). */
  ema: number
}

interface Point {
  /** Training time when G was copied (wall clock, scoring excluded). */
  minutes: number
  step: number
  epoch: number
  why: 'mark' | 'epoch' | 'steps' | 'end'
  confident: number
  classesCovered: number
  entropyBits: number
  fid: number
  fidFloor: number
  classifierScore: number
  histogram: number[]
  grid: string
  /** The same scores for the moving average of G's weights (with --ema). */
  ema?: { confident: number; classesCovered: number; entropyBits: number; fid: number; grid: string }
  /** Means over the 50 steps before the point. */
  recent: { dLossReal: number; dLossFake: number; gLoss: number; dAccReal: number; dAccFake: number }
}

interface PresetResult {
  preset: PresetId
  config: RunConfig
  changed: Record<string, unknown>
  msPerStep: number
  steps: number
  /** Where the default run (its epochs x steps per epoch) ends, if within the time limit. */
  defaultEnd: { step: number; minutes: number } | null
  points: Point[]
}

function fail(message: string): never {
  console.error(`bench:quality: ${message}`)
  process.exit(2)
}

const log = (message: string): void => void process.stderr.write(`[quality] ${message}\n`)

function parseOptions(): Options {
  let v
  try {
    v = parseArgs({
      options: {
        presets: { type: 'string' },
        minutes: { type: 'string', default: '10' },
        marks: { type: 'string', default: '1,2,3,5,10' },
        samples: { type: 'string', default: '1000' },
        backend: { type: 'string', default: 'wasm' },
        seed: { type: 'string', default: '1' },
        set: { type: 'string', multiple: true, default: [] },
        'every-steps': { type: 'string', default: '0' },
        'max-steps': { type: 'string', default: '0' },
        classifier: { type: 'string' },
        grids: { type: 'string', default: join(CACHE, 'grids') },
        json: { type: 'boolean', default: false },
        ema: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false }
      },
      strict: true
    }).values
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }
  if (v.help) {
    console.log('npm run bench:quality [-- --presets a,b] [--minutes 10] [--marks 1,2,3,5,10] [--samples 1000] [--backend wasm] [--seed 1] [--every-steps N] [--max-steps N] [--set path=value ...] [--classifier DIR] [--grids DIR] [--json] [--ema DECAY]')
    process.exit(0)
  }
  const presets = (v.presets?.split(',').map((s) => s.trim()) ?? IMAGE_PRESETS) as PresetId[]
  const bad = presets.filter((p) => !(IMAGE_PRESETS as readonly string[]).includes(p))
  if (bad.length > 0) fail(`--presets: ${bad.join(', ')} is not an image preset; choose from ${IMAGE_PRESETS.join(', ')}`)
  const minutes = Number(v.minutes)
  if (!(minutes > 0)) fail(`--minutes must be a positive number, got '${v.minutes}'`)
  const marks = v.marks.split(',').map(Number)
  if (marks.some((m) => !(m > 0))) fail(`--marks must be positive minutes, got '${v.marks}'`)
  const samples = Number(v.samples)
  if (!Number.isInteger(samples) || samples < 100) fail(`--samples must be a whole number >= 100, got '${v.samples}'`)
  const sets = v.set.map((s): [string, unknown] => {
    const at = s.indexOf('=')
    if (at < 1) fail(`--set takes path=value, got '${s}'`)
    const text = s.slice(at + 1)
    let value: unknown = text
    try {
      value = JSON.parse(text)
    } catch {
      // a bare word such as adam or separate
    }
    return [s.slice(0, at), value]
  })
  return {
    presets,
    minutes,
    marks: marks.filter((m) => m <= minutes).sort((a, b) => a - b),
    samples,
    backend: v.backend as BackendChoice,
    seed: Number(v.seed),
    sets,
    everySteps: Number(v['every-steps']),
    maxSteps: Number(v['max-steps']),
    classifier: v.classifier ?? join(CACHE, 'classifiers', 'mnist'),
    grids: v.grids,
    json: v.json,
    ema: emaDecay(v.ema)
  }
}

function emaDecay(text: string): number {
  const decay = Number(text)
  if (!(decay >= 0 && decay < 1)) fail(`--ema takes a decay in [0, 1), e.g. 0.99; got '${text}'`)
  return decay
}

/** The preset's defaults with --set's changes, validated like every run config. */
function configOf(preset: PresetId, o: Options): RunConfig {
  const raw = structuredClone({ ...PRESETS[preset].defaults, name: `quality ${preset}`, seed: o.seed, backend: o.backend }) as Record<string, unknown>
  for (const [path, value] of o.sets) {
    const keys = path.split('.')
    let at = raw
    for (const k of keys.slice(0, -1)) {
      if (typeof at[k] !== 'object' || at[k] === null) fail(`--set ${path}: ${k} is not a group of settings`)
      at = at[k] as Record<string, unknown>
    }
    at[keys[keys.length - 1]] = value
  }
  const parsed = runConfigSchema.safeParse(raw)
  if (!parsed.success) fail(`the config is refused: ${formatIssues(describeIssues(parsed.error))}`)
  return parsed.data
}

/** The stored classifier, or one trained now with the lab's defaults and cached for the next time. */
async function referenceClassifier(dir: string, backend: BackendChoice): Promise<tf.LayersModel> {
  if (!existsSync(join(dir, 'model.json'))) {
    log(`no reference classifier in ${dir}: training one with the lab's defaults (minutes; cached afterwards)`)
    let failed: string | null = null
    await runClassifierJob({ type: 'classifier-train', request: classifierTrainSchema.parse({ backend }), outDir: dir }, (event) => {
      if (event.type === 'classifier-trained') log(`classifier trained: test accuracy ${(event.info.testAccuracy * 100).toFixed(1)}%`)
      if (event.type === 'task-failed') failed = event.message
    })
    if (failed) fail(`training the classifier failed: ${failed as string}`)
  }
  return loadModelFrom(dir)
}

type Outputs = ClassifierOutputs & { count: number }

/** One preset's run: trains until the time limit, copying G's weights at every mark and epoch end. */
async function trainAndSnapshot(config: RunConfig, o: Options, defaultSteps: number) {
  const data = imageData(loadMnist('train'))
  seedGlobalRandom(config.seed)
  const classes = runClasses(config, data)
  const models = modelsForConfig(config, data.shape, classes)
  if (config.tricks.init === 'normal-0.02') {
    initNormal002(models.generator)
    initNormal002(models.discriminator)
  }
  const rows: StepRow[] = []
  const snapshots: { minutes: number; step: number; epoch: number; why: Point['why']; weights: Float32Array[]; ema: Float32Array[] | null; recent: Point['recent'] }[] = []
  let shadow: tf.Variable[] | null = null
  const updateEma = (): void => {
    if (!(o.ema > 0)) return
    const current = models.generator.getWeights()
    if (!shadow) shadow = current.map((w) => tf.variable(w.clone(), false))
    else tf.tidy(() => shadow!.forEach((s, i) => s.assign(tf.add(tf.mul(s, o.ema), tf.mul(current[i], 1 - o.ema)))))
  }
  const started = Date.now()
  const elapsedMin = (): number => (Date.now() - started) / 60_000
  const recent = (): Point['recent'] => {
    const last = rows.slice(-50)
    const mean = (k: 'dLossReal' | 'dLossFake' | 'gLoss' | 'dAccReal' | 'dAccFake'): number => last.reduce((s, r) => s + (r[k] ?? NaN), 0) / Math.max(1, last.length)
    return { dLossReal: mean('dLossReal'), dLossFake: mean('dLossFake'), gLoss: mean('gLoss'), dAccReal: mean('dAccReal'), dAccFake: mean('dAccFake') }
  }
  // Steps are counted here: rows arrive in batches every 250 ms, G's weights are those of now.
  let step = 0
  const perEpoch = stepsPerEpochOf(config)
  const snapshot = (why: Point['why']): void => {
    if (step === 0 || snapshots.some((s) => s.step === step)) return
    const r = recent()
    snapshots.push({ minutes: elapsedMin(), step, epoch: Math.ceil(step / perEpoch), why, weights: models.generator.getWeights().map((w) => w.dataSync().slice() as Float32Array), ema: shadow ? shadow.map((w) => w.dataSync().slice() as Float32Array) : null, recent: r })
    log(
      `${config.preset} ${elapsedMin().toFixed(2)} min step ${step} (${why}): D loss ${r.dLossReal.toFixed(3)}/${r.dLossFake.toFixed(3)}, ` +
        `D acc ${r.dAccReal.toFixed(2)}/${r.dAccFake.toFixed(2)}, G loss ${r.gLoss.toFixed(3)}`
    )
  }
  let nextMark = 0
  let defaultEnd: PresetResult['defaultEnd'] = null
  const outcome = await trainGan({ ...config, epochs: 10_000 }, models, data, {
    onSteps: (batch) => void rows.push(...batch),
    onProgress: () => undefined,
    onEpoch: () => snapshot('epoch'),
    shouldStop: () => {
      step++
      updateEma()
      if (step === defaultSteps) defaultEnd = { step, minutes: elapsedMin() }
      while (nextMark < o.marks.length && elapsedMin() >= o.marks[nextMark]) {
        snapshot('mark')
        nextMark++
      }
      if (o.everySteps > 0 && step % o.everySteps === 0) snapshot('steps')
      return interrupted || elapsedMin() >= o.minutes || (o.maxSteps > 0 && step >= o.maxSteps)
    },
    saveCheckpoint: async () => ''
  })
  snapshot('end')
  const steps = step
  const msPerStep = (elapsedMin() * 60_000) / Math.max(1, steps)
  if (outcome.status === 'diverged') log(`${config.preset}: ${outcome.message}`)
  models.discriminator.dispose()
  return { generator: models.generator, classes, snapshots, steps, msPerStep, defaultEnd: defaultEnd as PresetResult['defaultEnd'] }
}

async function benchPreset(preset: PresetId, o: Options, classifier: tf.LayersModel, real: { test: Outputs; train: Outputs }): Promise<PresetResult> {
  const config = configOf(preset, o)
  const defaultSteps = stepsPerEpochOf(config) * config.epochs
  log(`${preset}: training ${o.minutes} min on ${config.backend} (batch ${config.batchSize}, ${stepsPerEpochOf(config)} steps per epoch, default run ${defaultSteps} steps)`)
  const run = await trainAndSnapshot(config, o, defaultSteps)
  const G = run.generator
  // A conditional G is asked for every class equally often (as "Score now" does); its grid has one row per class.
  const classes = run.classes
  const labels = classes > 0 ? balancedLabels(o.samples, classes) : undefined
  const gridCount = classes > 0 ? conditionalGrid(classes).count : 100
  const fixedZ = tf.tensor2d(
    classes > 0 ? generatorInputs(fixedBatchLatents(config.seed, config.latentDim, gridCount, config.tricks.latent, classes), config.latentDim, gridLabels(classes), classes) : fixedLatentBatch(config.seed, config.latentDim, 100, config.tricks.latent),
    [gridCount, config.latentDim + classes]
  )
  const layout = classes > 0 ? { rows: conditionalGrid(classes).rows, cols: conditionalGrid(classes).cols, pad: 1 } : undefined
  mkdirSync(o.grids, { recursive: true })
  const points: Point[] = []
  const scoreWeights = async (weights: Float32Array[], name: string) => {
    G.setWeights(weights.map((w, i) => tf.tensor(w, G.weights[i].shape as number[])))
    const fake = await generate(G, evaluationLatents(config.seed, o.samples, config.latentDim, config.tricks.latent), config.latentDim, undefined, undefined, labels)
    const generated = { ...(await classify(classifier, fake.values, o.samples)), count: o.samples }
    const scores = computeScores({ realTest: real.test, realTrain: real.train, generated })
    const grid = join(o.grids, `${name}.png`)
    writeFileSync(grid, sampleGrid(G, fixedZ, layout).png)
    return { generated, scores, grid }
  }
  for (const s of run.snapshots) {
    let ema: Point['ema']
    if (s.ema) {
      const e = await scoreWeights(s.ema, `${preset}-step${s.step}-ema`)
      ema = {
        confident: confidentShare(e.generated.probs, o.samples, e.generated.classes, CONFIDENCE),
        classesCovered: e.scores.classesCovered,
        entropyBits: histogramEntropyBits(e.scores.histogram),
        fid: e.scores.fid,
        grid: e.grid
      }
    }
    const { generated, scores, grid } = await scoreWeights(s.weights, `${preset}-step${s.step}`)
    points.push({
      minutes: s.minutes,
      step: s.step,
      epoch: s.epoch,
      why: s.why,
      confident: confidentShare(generated.probs, o.samples, generated.classes, CONFIDENCE),
      classesCovered: scores.classesCovered,
      entropyBits: histogramEntropyBits(scores.histogram),
      fid: scores.fid,
      fidFloor: scores.fidFloor,
      classifierScore: scores.classifierScore,
      histogram: scores.histogram,
      grid,
      ema,
      recent: s.recent
    })
  }
  fixedZ.dispose()
  G.dispose()
  return { preset, config, changed: Object.fromEntries(o.sets), msPerStep: run.msPerStep, steps: run.steps, defaultEnd: run.defaultEnd, points }
}

function printTable(results: PresetResult[], o: Options): void {
  for (const r of results) {
    const changed = Object.keys(r.changed).length > 0 ? ` with ${JSON.stringify(r.changed)}` : ''
    console.log(`\n${r.preset}${changed}: ${r.steps} steps, ${r.msPerStep.toFixed(0)} ms/step (batch ${r.config.batchSize}, ${r.config.backend})`)
    console.log(r.defaultEnd ? `  the default run (${r.defaultEnd.step} steps) ends at ${r.defaultEnd.minutes.toFixed(1)} min` : `  the default run is longer than ${o.minutes} min`)
    console.log('   min    step  epoch  confident  classes  entropy    FID   (why)')
    for (const p of r.points) {
      console.log(
        `${p.minutes.toFixed(2).padStart(6)} ${String(p.step).padStart(7)} ${String(p.epoch).padStart(6)} ${(p.confident * 100).toFixed(1).padStart(9)}% ` +
          `${String(p.classesCovered).padStart(8)} ${p.entropyBits.toFixed(2).padStart(8)} ${p.fid.toFixed(1).padStart(7)}   (${p.why})` +
          (p.ema ? `   EMA: ${(p.ema.confident * 100).toFixed(1)}%, ${p.ema.classesCovered} cl., ${p.ema.entropyBits.toFixed(2)} b, FID ${p.ema.fid.toFixed(1)}` : '')
      )
    }
  }
}

void (async () => {
  const o = parseOptions()
  // Threads as a run of the preset gets them (one for all but the seed DCGAN); with several
  // presets, the first one's choice (wasm's threads are fixed once it starts in a process).
  const report = await selectRunBackend({ backend: o.backend, preset: o.presets[0] })
  log(`backend ${report.chosen} (${report.detail}); ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const classifier = await referenceClassifier(o.classifier, o.backend)
  const test = loadMnist('test')
  const train = loadMnist('train')
  // The real sets of the lab's scoring (runEvaluateJob): test images from seed 1, training images from seed 2.
  const withCount = async (images: Float32Array): Promise<Outputs> => ({ ...(await classify(classifier, images, o.samples)), count: o.samples })
  const real = {
    test: await withCount(imagesOf(test, sampleIndices(test.count, o.samples, 1))),
    train: await withCount(imagesOf(train, sampleIndices(train.count, o.samples, 2)))
  }
  const results: PresetResult[] = []
  for (const preset of o.presets) {
    if (interrupted) break
    results.push(await benchPreset(preset, o, classifier, real))
  }
  if (o.json) {
    const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? '', loadAtEnd: loadavg() }
    console.log(JSON.stringify({ backend: report, machine, samples: o.samples, confidence: CONFIDENCE, imageShape: IMAGE_SHAPE, results }, null, 1))
  } else {
    printTable(results, o)
    log(`load at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  }
})().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)))
