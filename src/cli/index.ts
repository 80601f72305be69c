// Command line: `train` runs one GAN headless and stores it like any run started in the
// lab; `serve` serves the lab to a browser. Both use the same services and trainer.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { BACKEND_CHOICES, PRESETS, PRESET_IDS, wassersteinDefaults, type BackendChoice, type DiscriminatorRegularizer, type OptimizerConfig, type OptimizerKind, type PresetId, type RunConfigInput } from '@shared/config'
import { MAX_CONFIG_FILE_BYTES, parseConfigFile } from '@shared/config-file'
import { COLUMN_TYPES, describeDataset, type ColumnType } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { classifierTrainSchema, type EpochScores } from '@shared/evaluation'
import { FLAG_LABELS } from '@shared/failure-detect'
import type { LatentViewSettings, SweepCreated } from '@shared/api'
import { parseSweepValues } from '@shared/sweep'
import { MAX_LATENT_VIEW_FILE_BYTES, parseLatentViewFile, planeAxisNames } from '@shared/latent-view'
import { describeMetrics, type StepMetrics } from '@shared/metrics'
import { startLabServer } from '../main/server/lab-server'
import { dispatch } from '../main/services/dispatch'
import { bundleFileName, exportRunBundle, readBundleFile, type BundleCheckpoints } from '../main/services/bundle'
import { Lab } from '../main/services/lab'
import { defaultDataDir } from '../main/paths'
import { forkLauncher } from '../main/trainer-host/fork-launcher'
import { BACKEND_LABELS } from '@shared/config'
import type { FigureExport, GeneratorExport } from '@shared/api'
import pkg from '../../package.json'

const USAGE = `GAN Workbench command line

  npm run train -- [--preset mnist-dcgan-small] [--epochs N] [--steps-per-epoch N] [--batch-size N]
                   [--lr X] [--beta1 X] [--seed N] [--name NAME]
                   [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--data-dir DIR]
                   [--optimizer adam|sgd|momentum|rmsprop] [--d-steps K] [--real-label 0.9|0.7-1.2]
                   [--label-flip 0.05] [--instance-noise STD[:DECAY_EPOCHS]] [--latent gaussian|uniform]
                   [--init default|normal-0.02] [--d-batch separate|mixed]
                   [--loss nsgan|minimax|lsgan|hinge|wgan|wgan-gp] [--clip 0.01] [--gp 10] [--beta2 X]
                   [--d-regularizer dropout|batchnorm|none] [--conditional]
                   (--conditional: a conditional GAN on a labelled image data set; grids one row per class)
                   (--loss wgan or wgan-gp starts from the paper's optimizer for both networks,
                   RMSprop 5e-5 or Adam 1e-4 β1 0 β2 0.9, and --d-steps 5; flags override them;
                   --clip is WGAN's weight clip, --gp WGAN-GP's penalty weight λ)
  npm run train -- --resume RUN_ID [--epochs N] [--data-dir DIR]
                   (continue a stopped, crashed or completed run from its last checkpoint)
  npm run train -- --config saved.config.json [--name NAME] [--seed N] [--epochs N] [--data-dir DIR]
                   (a config saved from the lab's run view; other flags cannot be combined with it)
  npm run cli -- export-bundle --run ID [--out FILE] [--checkpoints last|all|none] [--data-dir DIR]
  npm run cli -- import-bundle FILE [--data-dir DIR]
  npm run cli -- export-figure --run ID[,ID...] [--kind chart|grid-row|comparison] [--format svg|pdf]
                   [--chart loss|accuracy] [--epochs 1,5,10] [--epoch N] [--metrics gLoss,dLossReal]
                   [--x step|epoch|time] [--smoothing 0.6] [--width 8.5] [--unit cm|in] [--font 8]
                   [--no-labels] [--no-caption] [--out FILE] [--data-dir DIR]
                   (PNG is drawn by the lab's window; from here export SVG or PDF)
  npm run cli -- export-generator --run ID --epoch N [--samples 64] [--seed N] [--out DIR] [--data-dir DIR]
                   (writes a new folder under DIR: the tfjs model, samples as PNG files and IDX)
  npm run cli -- explore --settings VIEW.view.json --out plane.png [--epoch N] [--data-dir DIR]
                   (a latent view exported from the explorer; writes the plane's tiles, as the lab draws them)
  npm run cli -- import-dataset FILE [LABELS_FILE] [--name NAME] [--column NAME=TYPE ...] [--data-dir DIR]
                   (IDX images, gzipped or not, with an optional IDX label file; or a CSV table whose
                    column types are inferred; TYPE is numeric, integer, categorical or ignore)
  npm run cli -- import-dataset data_batch_1.bin [... up to 6] | FOLDER [--size 32] [--channels 1|3]
                   (CIFAR-10 binary batches; or a folder of PNG/JPEG images, centre-cropped and resized)
  npm run cli -- datasets [--data-dir DIR]      (lists the data sets and their ids)
  npm run cli -- train-classifier [--epochs N] [--train-count N] [--test-count N] [--filters 32,64]
                   [--dense N] [--backend ...] [--data-dir DIR]
                   (the reference classifier the lab scores samples with; trained once, then reused)
  npm run cli -- score --run ID --epoch N [--samples N] [--data-dir DIR]
  npm run cli -- sweep --config BASE.config.json --vary FIELD=V1,V2 [--vary FIELD=...] [--name NAME]
                   [--runs-at-once N] [--data-dir DIR]
                   (every combination of the values, e.g. --vary optimizer.kind=sgd,adam --vary seed=1,2;
                   optimizer.* sets both networks; --runs-at-once changes the lab's setting)
  npm run serve -- [--data-dir DIR] [--port 7777] [--host 127.0.0.1]

Any train command takes --dataset mnist|toy-ring-8|toy-grid-25|toy-parabola|ID (an imported data set).

Without --data-dir the app's own data folder is used (${defaultDataDir()}).
Presets: ${PRESET_IDS.join(', ')}`

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new LabError('INVALID_CONFIG', `${flag} must be a number, got "${value}"`)
  return n
}

const describe = (m: StepMetrics): string => describeMetrics(m, 3)

type TrainFlags = Record<string, string | undefined>

/** The names of the --flags given. */
function flagsOf(argv: string[]): string[] {
  return argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0])
}

/** Flags that may adjust a saved config; any other flag beside --config is refused. */
const CONFIG_OVERRIDES = new Set(['config', 'data-dir', 'name', 'seed', 'epochs', 'dataset'])

function configFromFile(file: string, values: TrainFlags, argv: string[]): RunConfigInput {
  const clashing = flagsOf(argv).filter((f) => !CONFIG_OVERRIDES.has(f))
  if (clashing.length > 0) {
    throw new LabError('INVALID_CONFIG', `--${clashing[0]} cannot be combined with --config; change it in the file (or use --name, --seed, --epochs)`)
  }
  const path = resolve(file)
  let size: number
  try {
    size = statSync(path).size
  } catch {
    throw new LabError('NOT_FOUND', `--config: no file at ${path}`)
  }
  // The size is checked before the file is read, so a huge file is never loaded.
  const saved = parseConfigFile(size > MAX_CONFIG_FILE_BYTES ? '' : readFileSync(path, 'utf8'), size)
  return {
    ...saved,
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.seed !== undefined ? { seed: num(values.seed, '--seed') } : {}),
    ...(values.epochs !== undefined ? { epochs: num(values.epochs, '--epochs') } : {}),
    ...datasetFlag(values)
  }
}

/** --dataset: a built-in name or an imported data set's id (the schema says which are valid). */
function datasetFlag(values: TrainFlags): Pick<RunConfigInput, 'dataset'> {
  const v = values.dataset
  if (v === undefined) return {}
  return { dataset: (/^\d+$/.test(v) ? Number(v) : v) as RunConfigInput['dataset'] }
}

function configFromFlags(values: TrainFlags, conditional = false): RunConfigInput {
  if (!PRESET_IDS.includes(values.preset as PresetId)) {
    throw new LabError('INVALID_CONFIG', `--preset must be one of ${PRESET_IDS.join(', ')}, got "${values.preset}"`)
  }
  if (!BACKEND_CHOICES.includes(values.backend as BackendChoice)) {
    throw new LabError('INVALID_CONFIG', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${values.backend}"`)
  }
  const preset = PRESETS[values.preset as PresetId]
  const loss = values.loss ?? 'nsgan'
  const wgan = loss === 'wgan' || loss === 'wgan-gp' ? wassersteinDefaults(loss) : null
  if (values.clip !== undefined && loss !== 'wgan') throw new LabError('INVALID_CONFIG', `--clip applies only to --loss wgan (got --loss ${loss})`)
  if (values.gp !== undefined && loss !== 'wgan-gp') throw new LabError('INVALID_CONFIG', `--gp applies only to --loss wgan-gp (got --loss ${loss})`)
  // Each network starts from the preset's own optimizer (they may differ); the flags set both.
  const optimizer = (own: OptimizerConfig): OptimizerConfig => ({
    ...(wgan?.optimizer ?? own),
    ...(values.optimizer !== undefined ? { kind: values.optimizer as OptimizerKind } : {}),
    ...(values.lr !== undefined ? { lr: num(values.lr, '--lr') } : {}),
    ...(values.beta1 !== undefined ? { beta1: num(values.beta1, '--beta1') } : {}),
    ...(values.beta2 !== undefined ? { beta2: num(values.beta2, '--beta2') } : {})
  })
  const seed = num(values.seed, '--seed') ?? Math.floor(Math.random() * 2 ** 31)
  // Tricks not given as flags are the preset's (a critic has no labels to smooth: plain ones then).
  const own = preset.defaults.tricks
  const ownLabel = wgan ? '1' : own.realLabel.min === own.realLabel.max ? String(own.realLabel.min) : `${own.realLabel.min}-${own.realLabel.max}`
  const [labelMin, labelMax = labelMin] = (values['real-label'] ?? ownLabel).split('-')
  const [noiseStd, noiseDecay = '0'] = (values['instance-noise'] ?? `${own.instanceNoise.std}:${own.instanceNoise.decayEpochs}`).split(':')
  const tricks = {
    dStepsPerG: num(values['d-steps'], '--d-steps') ?? wgan?.dStepsPerG ?? own.dStepsPerG,
    realLabel: { min: num(labelMin, '--real-label'), max: num(labelMax, '--real-label') },
    labelFlip: num(values['label-flip'], '--label-flip') ?? (wgan ? 0 : own.labelFlip),
    instanceNoise: { std: num(noiseStd, '--instance-noise'), decayEpochs: num(noiseDecay, '--instance-noise') },
    latent: values.latent ?? own.latent,
    init: values.init ?? own.init,
    dBatch: values['d-batch'] ?? own.dBatch,
    imageScale: own.imageScale,
    loss,
    ...(values.clip !== undefined ? { clip: num(values.clip, '--clip') } : {}),
    ...(values.gp !== undefined ? { gpWeight: num(values.gp, '--gp') } : {})
  }
  return {
    ...preset.defaults,
    name: values.name ?? `${preset.id} seed ${seed}`,
    seed,
    epochs: num(values.epochs, '--epochs') ?? preset.defaults.epochs,
    stepsPerEpoch: num(values['steps-per-epoch'], '--steps-per-epoch') ?? preset.defaults.stepsPerEpoch,
    batchSize: num(values['batch-size'], '--batch-size') ?? preset.defaults.batchSize,
    optimizerD: optimizer(preset.defaults.optimizerD),
    optimizerG: optimizer(preset.defaults.optimizerG),
    backend: values.backend as BackendChoice,
    ...datasetFlag(values),
    // The schema checks each field and names the one that is wrong.
    tricks: tricks as RunConfigInput['tricks'],
    discriminator: { from: null, freeze: 'none', regularizer: (values['d-regularizer'] ?? preset.defaults.discriminator.regularizer) as DiscriminatorRegularizer },
    conditional
  }
}

async function train(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      // The new-run form's default: the quick preset that shows digits within minutes.
      preset: { type: 'string', default: PRESET_IDS[0] },
      epochs: { type: 'string' },
      'steps-per-epoch': { type: 'string' },
      'batch-size': { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      beta1: { type: 'string' },
      beta2: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      'data-dir': { type: 'string' },
      'd-steps': { type: 'string' },
      'real-label': { type: 'string' },
      'label-flip': { type: 'string' },
      'instance-noise': { type: 'string' },
      latent: { type: 'string' },
      init: { type: 'string' },
      'd-batch': { type: 'string' },
      loss: { type: 'string' },
      clip: { type: 'string' },
      gp: { type: 'string' },
      'd-regularizer': { type: 'string' },
      conditional: { type: 'boolean' },
      config: { type: 'string' },
      resume: { type: 'string' },
      dataset: { type: 'string' }
    }
  })
  const resumeId = num(values.resume, '--resume')
  if (resumeId !== undefined) {
    const clashing = flagsOf(argv).filter((f) => !['resume', 'data-dir', 'epochs'].includes(f))
    if (clashing.length > 0) throw new LabError('INVALID_CONFIG', `--${clashing[0]} cannot be combined with --resume (only --epochs and --data-dir can)`)
  }
  const { conditional, ...flags } = values
  const config =
    resumeId !== undefined ? null : flags.config !== undefined ? configFromFile(flags.config, flags, argv) : configFromFlags(flags, conditional === true)
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir())
  const lab = new Lab({
    dataDir,
    launcher: forkLauncher(),
    version: pkg.version,
    transport: 'ipc',
    log: (level, message) => {
      if (level === 'error') console.error(message)
    }
  })
  let runId = 0
  const startedAt = Date.now()
  lab.subscribe((e) => {
    if ('runId' in e.payload && e.payload.runId !== runId) return
    switch (e.event) {
      case 'trainer:backend': {
        const r = e.payload.report
        console.log(`backend: ${BACKEND_LABELS[r.chosen]} (${r.detail})`)
        for (const s of r.skipped) console.log(`  not ${s.backend}: ${s.reason}`)
        break
      }
      case 'trainer:progress': {
        const p = e.payload.progress
        process.stdout.write(
          `epoch ${p.epoch}/${Math.round(p.totalSteps / p.stepsPerEpoch)} step ${p.stepInEpoch}/${p.stepsPerEpoch}  ${p.imagesPerSec.toFixed(1)} img/s  eta ${p.etaSeconds}s\n`
        )
        break
      }
      case 'trainer:epoch':
        console.log(`epoch ${e.payload.epoch.epoch} done: ${describe(e.payload.epoch.means)}`)
        break
    }
  })
  const onSignal = (): void => {
    if (runId) lab.stopRun(runId)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const run = config ? lab.startRun(config) : lab.resumeRun(resumeId!, num(values.epochs, '--epochs'))
    runId = run.id
    console.log(`run ${run.id} "${run.name}" in ${dataDir}`)
    const end = await lab.waitForEnd(run.id)
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
    console.log(`run ${end.id} ${end.status} after ${end.stepsDone} steps, ${end.epochsDone} epochs, ${seconds}s${end.statusMessage ? `: ${end.statusMessage}` : ''}`)
    // Scheduled scorings still under way finish before the lab closes.
    await lab.evaluation.idle()
    for (const s of lab.evaluation.repo.scores(end.id)) console.log(describeScores(end.id, s))
    for (const f of lab.runs.get(end.id)?.evaluation?.flags ?? []) console.log(`flag: ${FLAG_LABELS[f.kind]}: ${f.explanation}`)
    return end.status === 'completed' ? 0 : 1
  } finally {
    lab.close()
  }
}

/** `sweep`: creates every run of a grid over config fields from a saved config and waits for them all. */
async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      vary: { type: 'string', multiple: true },
      name: { type: 'string' },
      'runs-at-once': { type: 'string' },
      'data-dir': { type: 'string' }
    }
  })
  if (values.config === undefined) throw new LabError('INVALID_REQUEST', '--config: give the saved config the sweep starts from (Save config… in the lab)')
  const base = configFromFile(values.config, { config: values.config }, ['--config'])
  const axes = (values.vary ?? []).map((spec) => {
    const eq = spec.indexOf('=')
    if (eq <= 0) throw new LabError('INVALID_REQUEST', `--vary ${spec}: write FIELD=V1,V2 (e.g. optimizer.lr=0.0002,0.001)`)
    return { field: spec.slice(0, eq), values: parseSweepValues(spec.slice(eq + 1)) }
  })
  if (axes.length === 0) throw new LabError('INVALID_REQUEST', '--vary: name at least one field to vary, e.g. --vary seed=1,2,3')
  const lab = oneShotLab(values['data-dir'])
  try {
    const perRun = num(values['runs-at-once'], '--runs-at-once')
    if (perRun !== undefined) lab.setSettings({ maxConcurrentRuns: perRun })
    lab.subscribe((e) => {
      if (e.event === 'runs:changed' && !['queued', 'running'].includes(e.payload.status)) {
        const r = e.payload
        console.log(`run ${r.id} ${r.status}: ${r.name}${r.statusMessage ? ` (${r.statusMessage})` : ''}`)
      }
    })
    const { sweep, runs } = await call<SweepCreated>(lab, 'sweeps:create', { name: values.name ?? base.name, base, axes, compareWhenDone: false })
    console.log(`sweep ${sweep.id}: ${runs.length} runs (${runs.map((r) => r.id).join(', ')}), ${lab.settings.get().maxConcurrentRuns} at once, tagged "sweep ${sweep.id}"`)
    const ended = await Promise.all(runs.map((r) => lab.waitForEnd(r.id)))
    await lab.evaluation.idle()
    for (const r of ended) {
      const g = r.lastMetrics?.gLoss
      console.log(`${String(r.id).padStart(5)}  ${r.status.padEnd(9)}  G loss ${g === undefined || g === null ? '-' : g.toFixed(3)}  ${r.name}`)
    }
    return ended.every((r) => r.status === 'completed') ? 0 : 1
  } finally {
    lab.close()
  }
}

/** A Lab on the data folder for a one-shot command; `outDir` answers its export-folder question. */
function oneShotLab(dataDirFlag: string | undefined, outDir?: string): Lab {
  return new Lab({
    dataDir: resolve(dataDirFlag ?? defaultDataDir()),
    launcher: forkLauncher(),
    version: pkg.version,
    transport: 'ipc',
    ...(outDir === undefined ? {} : { chooseFolder: async () => outDir })
  })
}

/** Runs a channel through the same validation as the UI's requests; a refusal is thrown with its message. */
async function call<T>(lab: Lab, channel: 'figures:export' | 'runs:export-generator' | 'sweeps:create', req: unknown): Promise<T> {
  const res = await dispatch(lab.handlers, channel, req)
  if (!res.ok) throw LabError.fromInfo(res.error)
  return res.data as T
}

const ids = (value: string | undefined, flag: string): number[] | undefined => value?.split(',').map((v) => num(v, flag) as number)

async function exportFigureCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      run: { type: 'string' },
      kind: { type: 'string', default: 'chart' },
      format: { type: 'string', default: 'svg' },
      chart: { type: 'string', default: 'loss' },
      epochs: { type: 'string' },
      epoch: { type: 'string' },
      metrics: { type: 'string' },
      x: { type: 'string' },
      smoothing: { type: 'string' },
      width: { type: 'string', default: '8.5' },
      unit: { type: 'string', default: 'cm' },
      font: { type: 'string', default: '8' },
      'no-labels': { type: 'boolean', default: false },
      'no-caption': { type: 'boolean', default: false },
      out: { type: 'string' },
      'data-dir': { type: 'string' }
    }
  })
  const runs = ids(values.run, '--run')
  if (!runs) throw new LabError('INVALID_REQUEST', 'export-figure needs --run ID (or --run ID,ID,... for several runs)')
  if (values.format === 'png') throw new LabError('INVALID_REQUEST', "--format png: PNG is drawn by the lab's window (Chromium); from the command line export svg or pdf")
  const common = {
    ...(values.x !== undefined ? { xAxis: values.x } : {}),
    ...(values.smoothing !== undefined ? { smoothing: num(values.smoothing, '--smoothing') } : {}),
    caption: !values['no-caption']
  }
  const figure =
    values.kind === 'grid-row'
      ? { kind: 'grid-row', id: runs[0], epochs: ids(values.epochs, '--epochs') ?? [], labels: !values['no-labels'], caption: !values['no-caption'] }
      : values.kind === 'comparison'
        ? { kind: 'comparison', ids: runs, epoch: values.epoch === undefined ? null : num(values.epoch, '--epoch'), ...(values.metrics ? { metrics: values.metrics.split(',') } : {}), ...common }
        : { kind: values.kind, ids: runs, chart: values.chart, ...common }
  const size = { width: num(values.width, '--width'), unit: values.unit, fontPt: num(values.font, '--font') }
  const lab = oneShotLab(values['data-dir'])
  try {
    const file = await call<FigureExport>(lab, 'figures:export', { figure, format: values.format, size })
    if (file.format === 'png') throw new LabError('INTERNAL', 'Expected a file, got a figure to draw')
    const out = resolve(values.out ?? file.filename)
    writeFileSync(out, Buffer.from(file.base64, 'base64'))
    console.log(`${out} (${(file.bytes / 1024).toFixed(1)} KiB)`)
    return 0
  } finally {
    lab.close()
  }
}

async function exportGeneratorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { run: { type: 'string' }, epoch: { type: 'string' }, samples: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string', default: '.' }, 'data-dir': { type: 'string' } }
  })
  const out = resolve(values.out)
  mkdirSync(out, { recursive: true })
  const lab = oneShotLab(values['data-dir'], out)
  try {
    const req = {
      id: num(values.run, '--run'),
      epoch: num(values.epoch, '--epoch'),
      ...(values.samples !== undefined ? { samples: num(values.samples, '--samples') } : {}),
      ...(values.seed !== undefined ? { seed: num(values.seed, '--seed') } : {})
    }
    const res = await call<GeneratorExport>(lab, 'runs:export-generator', req)
    if (res.kind === 'folder') console.log(`${res.path} (${res.files.length} files)`)
    return 0
  } finally {
    lab.close()
  }
}

function exportBundle(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { run: { type: 'string' }, out: { type: 'string' }, checkpoints: { type: 'string', default: 'last' }, 'data-dir': { type: 'string' } }
  })
  const id = num(values.run, '--run')
  if (id === undefined) throw new LabError('INVALID_REQUEST', 'export-bundle needs --run ID')
  if (!['none', 'last', 'all'].includes(values.checkpoints)) {
    throw new LabError('INVALID_REQUEST', `--checkpoints must be none, last or all, got "${values.checkpoints}"`)
  }
  const lab = oneShotLab(values['data-dir'])
  try {
    const run = lab.runs.get(id)
    if (!run) throw new LabError('NOT_FOUND', `Run ${id} does not exist in ${resolve(values['data-dir'] ?? defaultDataDir())}`)
    const zip = exportRunBundle(lab.db, id, lab.runDir(id), { checkpoints: values.checkpoints as BundleCheckpoints, appVersion: pkg.version })
    const out = resolve(values.out ?? bundleFileName(id, run.name))
    writeFileSync(out, zip)
    console.log(`run ${id} (${run.name}) -> ${out} (${(zip.length / 1024).toFixed(0)} KiB)`)
    return 0
  } finally {
    lab.close()
  }
}

function importBundle(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { 'data-dir': { type: 'string' } } })
  if (positionals.length !== 1) throw new LabError('INVALID_REQUEST', 'import-bundle needs exactly one FILE')
  const lab = oneShotLab(values['data-dir'])
  try {
    const { run, warnings } = lab.importBundle(readBundleFile(resolve(positionals[0])))
    for (const w of warnings) console.error(`warning: ${w}`)
    console.log(`imported as run ${run.id} (${run.name}, ${run.status}, ${run.stepsDone} steps)`)
    return 0
  } finally {
    lab.close()
  }
}

function importDataset(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      column: { type: 'string', multiple: true },
      size: { type: 'string' },
      channels: { type: 'string' },
      'data-dir': { type: 'string' }
    }
  })
  if (positionals.length < 1 || positionals.length > 6) {
    throw new LabError('INVALID_REQUEST', 'import-dataset needs FILE (IDX images and optionally LABELS_FILE, a CSV, up to 6 CIFAR-10 .bin batches, or a FOLDER of images)')
  }
  if (values.channels !== undefined && !['1', '3'].includes(values.channels)) throw new LabError('INVALID_REQUEST', `--channels must be 1 or 3, got "${values.channels}"`)
  const columns = (values.column ?? []).map((c) => {
    const [name, type] = c.split('=')
    if (!name || !(COLUMN_TYPES as readonly string[]).includes(type ?? '')) {
      throw new LabError('INVALID_REQUEST', `--column must be NAME=${COLUMN_TYPES.join('|')}, got "${c}"`)
    }
    return { name, type: type as ColumnType }
  })
  const lab = oneShotLab(values['data-dir'])
  try {
    const info = lab.datasets.importFiles(positionals.map((p) => resolve(p)), values.name, {
      columns,
      ...(values.size !== undefined ? { size: num(values.size, '--size') } : {}),
      ...(values.channels !== undefined ? { channels: values.channels === '1' ? (1 as const) : (3 as const) } : {})
    })
    console.log(`imported data set ${info.id}: ${info.name} (${describeDataset(info)})`)
    for (const c of info.columns ?? []) console.log(`  ${c.name}: ${c.type}${c.categories ? ` (${c.categories.join(', ')})` : c.min !== undefined ? ` ${c.min} to ${c.max}` : ''}`)
    console.log(`train on it: npm run train -- --preset ${info.kind === 'images' ? 'mnist-mlp' : 'tabular-mlp'} --dataset ${info.id}`)
    return 0
  } finally {
    lab.close()
  }
}

function listDatasets(argv: string[]): number {
  const { values } = parseArgs({ args: argv, strict: true, options: { 'data-dir': { type: 'string' } } })
  const lab = oneShotLab(values['data-dir'])
  try {
    for (const d of lab.datasets.list()) console.log(`${String(d.id).padEnd(14)} ${d.name} (${describeDataset(d)})`)
    return 0
  } finally {
    lab.close()
  }
}

/** Renders the plane of a latent view settings file, as the lab does, into a PNG. */
async function explore(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { settings: { type: 'string' }, out: { type: 'string' }, epoch: { type: 'string' }, 'data-dir': { type: 'string' } }
  })
  if (values.settings === undefined) throw new LabError('INVALID_REQUEST', 'explore needs --settings VIEW.view.json')
  if (values.out === undefined) throw new LabError('INVALID_REQUEST', 'explore needs --out FILE.png')
  const path = resolve(values.settings)
  let size: number
  try {
    size = statSync(path).size
  } catch {
    throw new LabError('NOT_FOUND', `--settings: no file at ${path}`)
  }
  let settings: LatentViewSettings
  try {
    settings = parseLatentViewFile(size > MAX_LATENT_VIEW_FILE_BYTES ? '' : readFileSync(path, 'utf8'), size)
  } catch (err) {
    // The message already lists the fields at fault; without issues main() does not call it a run config.
    throw err instanceof LabError ? new LabError(err.code, `${path}: ${err.message}`) : err
  }
  const epoch = num(values.epoch, '--epoch')
  const grid = epoch === undefined ? settings.grid : { ...settings.grid, epoch }
  const lab = oneShotLab(values['data-dir'])
  lab.subscribe((e) => {
    if (e.event === 'explorer:progress') process.stderr.write(`\rrendering ${e.payload.done}/${e.payload.total} cells`)
  })
  try {
    const res = await lab.explorerGrid(grid)
    process.stderr.write('\n')
    const out = resolve(values.out)
    writeFileSync(out, Buffer.from(res.pngBase64, 'base64'))
    const names = planeAxisNames(res.coords)
    console.log(
      `run ${grid.id} epoch ${res.epoch}: ${res.rows}x${res.cols} plane, ${names.x} and ${names.y} from ${res.coords.min} to ${res.coords.max}${res.cached ? ' (from the cache)' : ''} -> ${out}`
    )
    return 0
  } finally {
    lab.close()
  }
}

function describeScores(id: number, s: EpochScores): string {
  return (
    `run ${id} epoch ${s.epoch} (${s.generatedCount} generated, ${s.realCount} real, classifier ${s.classifierId}): ` +
    `FID ${s.fid.toFixed(3)} (floor ${s.fidFloor.toFixed(3)}), classifier score ${s.classifierScore.toFixed(3)} (real ${s.realClassifierScore.toFixed(3)}), ` +
    `precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, density ${s.density.toFixed(3)}, coverage ${s.coverage.toFixed(3)}, ` +
    `classes covered ${s.classesCovered}/${s.histogram.length} [${s.histogram.join(' ')}]`
  )
}

async function trainClassifier(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      epochs: { type: 'string' },
      'train-count': { type: 'string' },
      'test-count': { type: 'string' },
      filters: { type: 'string' },
      dense: { type: 'string' },
      backend: { type: 'string' },
      'data-dir': { type: 'string' }
    }
  })
  const filters = values.filters?.split(',').map((f) => num(f, '--filters') as number)
  const parsed = classifierTrainSchema.safeParse({
    epochs: num(values.epochs, '--epochs'),
    trainCount: num(values['train-count'], '--train-count'),
    testCount: num(values['test-count'], '--test-count'),
    backend: values.backend,
    arch: filters || values.dense ? { convFilters: filters ?? [32, 64], denseUnits: num(values.dense, '--dense') ?? 128 } : undefined
  })
  if (!parsed.success) throw new LabError('INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  const lab = oneShotLab(values['data-dir'])
  try {
    const ended = new Promise<string | undefined>((done) => {
      lab.subscribe((e) => {
        if (e.event === 'classifier:progress' && e.payload.training) {
          const t = e.payload.training
          if (t.step === t.stepsPerEpoch) console.log(`epoch ${t.epoch}/${t.epochs} done`)
        } else if (e.event === 'classifier:changed') done(e.payload.error)
      })
    })
    lab.evaluation.train(parsed.data)
    const error = await ended
    if (error) throw new LabError('INTERNAL', error)
    const info = lab.evaluation.classifier(parsed.data.dataset)!
    console.log(
      `classifier ${info.id}: ${(info.testAccuracy * 100).toFixed(2)}% on ${info.testCount} test images, ` +
        `trained on ${info.trainCount} images in ${(info.durationMs / 1000).toFixed(0)} s (${info.backend})`
    )
    return 0
  } finally {
    lab.close()
  }
}

async function score(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { run: { type: 'string' }, epoch: { type: 'string' }, samples: { type: 'string' }, 'data-dir': { type: 'string' } }
  })
  const id = num(values.run, '--run')
  const epoch = num(values.epoch, '--epoch')
  if (id === undefined || epoch === undefined) throw new LabError('INVALID_REQUEST', 'score needs --run ID and --epoch N')
  const lab = oneShotLab(values['data-dir'])
  try {
    if (!lab.runs.get(id)) throw new LabError('NOT_FOUND', `Run ${id} does not exist in ${resolve(values['data-dir'] ?? defaultDataDir())}`)
    console.log(describeScores(id, await lab.evaluation.score(id, epoch, num(values.samples, '--samples'))))
    return 0
  } finally {
    lab.close()
  }
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '7777' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' }
    }
  })
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir())
  const lab = new Lab({
    dataDir,
    launcher: forkLauncher(),
    version: pkg.version,
    transport: 'websocket',
    log: (level, message) => (level === 'info' ? undefined : console.error(message))
  })
  const server = await startLabServer({
    lab,
    rendererDir: resolve(__dirname, '../../out/renderer'),
    host: values.host,
    port: num(values.port, '--port'),
    token: values.token ?? process.env.GAN_WORKBENCH_TOKEN,
    log: (m) => console.error(m)
  })
  console.log(`GAN Workbench lab server, data in ${dataDir}`)
  console.log(`open ${server.url}`)
  await new Promise<void>((done) => {
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
  await server.close()
  lab.close()
  return 0
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2)
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE)
    return 0
  }
  try {
    if (command === 'train') return await train(rest)
    if (command === 'serve') return await serve(rest)
    if (command === 'export-bundle') return exportBundle(rest)
    if (command === 'import-bundle') return importBundle(rest)
    if (command === 'export-figure') return await exportFigureCommand(rest)
    if (command === 'export-generator') return await exportGeneratorCommand(rest)
    if (command === 'explore') return await explore(rest)
    if (command === 'import-dataset') return importDataset(rest)
    if (command === 'datasets') return listDatasets(rest)
    if (command === 'train-classifier') return await trainClassifier(rest)
    if (command === 'score') return await score(rest)
    if (command === 'sweep') return await sweepCommand(rest)
    console.log(USAGE)
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2
  } catch (err) {
    if (err instanceof LabError && err.code === 'INVALID_CONFIG' && err.issues && err.issues.length > 0) {
      console.error(`error: the run config is invalid:\n${err.issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`)
    } else {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`)
    }
    return 2
  }
}

void main().then((code) => process.exit(code))
