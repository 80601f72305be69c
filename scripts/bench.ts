// Speed figures of the workbench on this machine: training iterations per preset and
// backend (through trainGan itself, the loop every run uses), the kernels that take the
// time and the JavaScript around them, and the SQLite store (step-metric inserts, the runs list).
//
//   npm run bench [-- --steps N] [--warmup N] [--backends wasm,cpu] [--presets mnist-mlp,toy-mlp]
//                 [--all] [--no-sqlite] [--json]
//
// Presets: mnist-dcgan and mnist-mlp on MNIST (images/s); toy-mlp on toy-ring-8 and tabular-mlp
// on a synthetic 506 x 14 housing-like CSV imported by the lab (steps/s); each beside PyTorch
// on the same networks and loop where python3 with torch is installed.
//
// --steps    timed iterations per preset (default 8 for mnist-dcgan, 30 for mnist-mlp, 300 for
//            toy-mlp, 100 for tabular-mlp)
// --warmup   untimed iterations before them (default 5 for mnist-dcgan, 10 for mnist-mlp, 50
//            and 20 for the vector presets: the wasm kernels' JS loops reach their optimised
//            code within the first ~5 DCGAN iterations, e.g. 1014, 686, 622, 601, 626, then
//            572, 572, 552, 561 ms)
// --backends backends to try (default: every backend in BACKEND_ORDER that can start)
// --all      also run mnist-dcgan on the cpu backend (minutes per iteration: skipped otherwise)
// --json     print one JSON object on stdout instead of the table (progress goes to stderr)
//
// Each preset trains on each backend in a process of its own, started as a run of it starts its
// backend (selectRunBackend: wasm with one XNNPACK thread but for the seed DCGAN; the thread
// count is fixed for a process once wasm has started).
// --no-pair  skip "two runs at once" (two trainer processes on wasm, as the SGD vs Adam pair trains)
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BACKEND_ORDER, PRESETS, type BackendName, type PresetId, type RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { selectRunBackend } from '../src/main/trainer/backend/select'
import type { LabelledImages } from '../src/main/common/idx'
import { loadMnist } from '../src/main/trainer/data/mnist'
import { buildModels, modelsForConfig, type GanModels } from '../src/main/trainer/models/presets'
import { mulberry32, seedGlobalRandom } from '../src/main/common/random'
import { tf } from '../src/main/trainer/tf'
import { trainGan, type SampleRenderer, type TrainCallbacks, type TrainOutcome } from '../src/main/trainer/train'
import type { TrainingData } from '../src/main/trainer/data/source'
import type { OutputHead } from '@shared/tabular-transform'
import { PYTORCH_REFERENCE, measurePytorch, pytorchConfig, type PytorchArch, type PytorchFigure } from './bench/pytorch'
import { NO_SAMPLES, tabularBenchData, toyBenchData } from './bench/vector-data'
import { benchSqlite, type SqliteResult } from './bench/sqlite'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'

const BATCH = 64
const SEED = 1234
/** The presets measured: the image ones on MNIST, toy-mlp on toy-ring-8, tabular-mlp on a synthetic table. */
const DEFAULT_STEPS = { 'mnist-dcgan': 8, 'mnist-mlp': 30, 'toy-mlp': 300, 'tabular-mlp': 100 } as const
const DEFAULT_WARMUP: Record<keyof typeof DEFAULT_STEPS, number> = { 'mnist-dcgan': 5, 'mnist-mlp': 10, 'toy-mlp': 50, 'tabular-mlp': 20 }
type BenchPreset = keyof typeof DEFAULT_STEPS
const BENCH_PRESETS = Object.keys(DEFAULT_STEPS) as BenchPreset[]
const IMAGE_PRESETS: readonly BenchPreset[] = ['mnist-dcgan', 'mnist-mlp']
/**
 * Iterations profiled after a first one: the kernel figures per iteration are those of a
 * profiled run of 1 + N iterations less those of a profiled run of 1, so neither the run's
 * set-up nor Adam's first step (which creates its slots) counts.
 */
const PROFILED_STEPS: Record<BenchPreset, number> = { 'mnist-dcgan': 2, 'mnist-mlp': 10, 'toy-mlp': 30, 'tabular-mlp': 20 }
const PYTORCH_ARCH: Record<BenchPreset, PytorchArch> = { 'mnist-dcgan': 'dcgan', 'mnist-mlp': 'mlp', 'toy-mlp': 'toy', 'tabular-mlp': 'tabular' }
const TOP_KERNELS = 5

/** PyTorch on each preset's networks, when measured (mnist-dcgan falls back to the recorded reference). */
const pytorchFigures: Partial<Record<BenchPreset, PytorchFigure>> = {}

interface KernelShare {
  name: string
  /** Milliseconds per iteration. */
  ms: number
  percent: number
  /** Calls per iteration. */
  calls: number
}

/** What one preset trains on, as a run of it would get it. */
interface BenchInput {
  data: LabelledImages | TrainingData
  /** G's output heads (tabular-mlp's modes encoding). */
  heads?: OutputHead[]
  samples?: SampleRenderer
  source: string
}

interface TrainResult {
  preset: PresetId
  backend: BackendName
  status: 'measured' | 'skipped' | 'failed'
  reason?: string
  warmupIterations?: number
  timedIterations?: number
  batchSize?: number
  /** The backend as this preset's process started it (wasm: its threads). */
  backendDetail?: string
  msPerIteration?: number
  minMsPerIteration?: number
  maxMsPerIteration?: number
  /** Iterations (D step + G step) per second. */
  stepsPerSecond?: number
  /** The image presets only. */
  imagesPerSecond?: number
  /** PyTorch's ms per iteration on the same networks and loop divided by ours (> 1: faster than PyTorch); absent where PyTorch was not measured (mnist-dcgan then uses the recorded reference). */
  speedVsPytorchRatio?: number
  /** Iterations whose kernel figures are averaged below (profiled, after a first one). */
  profiledIterations?: number
  /** Wall time per iteration under tf.profile (which adds its own bookkeeping per kernel). */
  profiledMsPerIteration?: number
  /** Kernel calls per iteration. */
  kernelCallsPerIteration?: number
  /** The sum of the kernels' own times per iteration (tf.profile). */
  kernelMsPerIteration?: number
  /** msPerIteration (not profiled) less kernelMsPerIteration: the JavaScript around the kernels (dispatch, tapes, data, metrics, the event loop). */
  jsMsPerIteration?: number
  /** jsMsPerIteration as a share of msPerIteration. */
  jsPercent?: number
  /**
   * profiledMsPerIteration less kernelMsPerIteration: the same from one measurement (never below 0,
   * where jsMsPerIteration can be when the machine's load changed between the timed and the profiled
   * runs), with tf.profile's own bookkeeping in it.
   */
  profiledJsMsPerIteration?: number
  topKernels?: KernelShare[]
}

interface BackendResult {
  backend: BackendName
  available: boolean
  detail?: string
  reason?: string
}

interface Options {
  steps: number | null
  /** null: each preset's DEFAULT_WARMUP */
  warmup: number | null
  backends: BackendName[]
  presets: BenchPreset[]
  /** Internal: this process measures one preset on one backend and sends its result to the parent. */
  child: { preset: BenchPreset; backend: BackendName } | null
  all: boolean
  json: boolean
  sqlite: boolean
  pair: boolean
}

function fail(message: string): never {
  console.error(`bench: ${message}`)
  process.exit(2)
}

function parseCount(name: string, text: string | undefined, min: number): number | null {
  if (text === undefined) return null
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number >= ${min}, got '${text}'`)
  return n
}

function parseList<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T[] | null {
  if (text === undefined) return null
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s))
  if (bad.length > 0 || items.length === 0) fail(`--${name}: unknown ${bad.join(', ') || '(empty)'}; choose from ${allowed.join(', ')}`)
  return items as T[]
}

function childArgument(text: string): { preset: BenchPreset; backend: BackendName } {
  const [preset, backend] = text.split(':')
  return { preset: parseList('child', preset, BENCH_PRESETS)![0], backend: parseList('child', backend, BACKEND_ORDER)![0] }
}

function parseOptions(): Options {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        steps: { type: 'string' },
        warmup: { type: 'string' },
        backends: { type: 'string' },
        presets: { type: 'string' },
        child: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'no-sqlite': { type: 'boolean', default: false },
        'no-pair': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      },
      strict: true
    }).values
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }
  if (parsed.help) {
    console.log(
      `npm run bench [-- --steps N] [--warmup N] [--backends wasm,cpu] [--presets ${BENCH_PRESETS.join(',')}] [--all] [--no-sqlite] [--no-pair] [--json]`
    )
    process.exit(0)
  }
  return {
    steps: parseCount('steps', parsed.steps, 1),
    warmup: parseCount('warmup', parsed.warmup, 0),
    backends: parseList('backends', parsed.backends, BACKEND_ORDER) ?? [...BACKEND_ORDER],
    presets: parseList('presets', parsed.presets, BENCH_PRESETS) ?? [...BENCH_PRESETS],
    child: parsed.child === undefined ? null : childArgument(parsed.child),
    all: parsed.all,
    json: parsed.json,
    sqlite: !parsed['no-sqlite'],
    pair: !parsed['no-pair']
  }
}

/** Progress lines go to stderr, so `--json` leaves stdout to the JSON object. */
function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

function benchData(): { data: LabelledImages; source: string } {
  try {
    return { data: loadMnist('test'), source: 'MNIST test split (10,000 images)' }
  } catch (err) {
    const rand = mulberry32(SEED)
    const count = 1024
    const pixels = new Uint8Array(count * 28 * 28)
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rand() * 256)
    const why = err instanceof Error ? err.message : String(err)
    return { data: { count, height: 28, width: 28, pixels, labels: null }, source: `synthetic noise, ${count} images (MNIST not loaded: ${why})` }
  }
}

/** The preset's defaults (its batch size, optimizers, loss and tricks) for `stepsPerEpoch` steps in one epoch. */
function runConfig(preset: PresetId, backend: BackendName, stepsPerEpoch: number): RunConfig {
  const config: RunConfig = { ...PRESETS[preset].defaults, name: `bench ${preset} ${backend}`, seed: SEED, epochs: 1, stepsPerEpoch, backend }
  // The image presets train what PyTorch's reference script trains: the unconditional networks at batch 64
  // (the DCGAN presets' defaults are conditional at batch 32).
  return (IMAGE_PRESETS as readonly PresetId[]).includes(preset) ? { ...config, batchSize: 64, conditional: false } : config
}

/** Training's callbacks, collecting its step rows; with `stopAfter`, training stops after that many steps. */
function callbacks(rows: StepRow[], stopAfter?: number): TrainCallbacks {
  let steps = 0
  return {
    onSteps: (batch) => rows.push(...batch),
    onProgress: () => undefined,
    onEpoch: () => undefined,
    // Called once after each step.
    shouldStop: () => stopAfter !== undefined && ++steps >= stopAfter,
    saveCheckpoint: async () => ''
  }
}

function checkOutcome(outcome: TrainOutcome, expected: TrainOutcome['status']): void {
  if (outcome.status !== expected) throw new Error(`trainGan ended '${outcome.status}'${outcome.message ? `: ${outcome.message}` : ''}`)
}

type KernelTotals = Map<string, { ms: number; calls: number }>

/** Sums tf.profile's kernel records by kernel name (op wrappers named *__op are not kernels); profile has
 * already awaited kernelTimeMs, which is a number or an {error} object. */
function kernelTotals(kernels: { name: string; kernelTimeMs: unknown }[]): KernelTotals {
  const byName: KernelTotals = new Map()
  for (const k of kernels) {
    if (k.name.endsWith('__op')) continue
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 }
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    e.calls++
    byName.set(k.name, e)
  }
  return byName
}

/** Kernel figures per iteration: the totals of `long` less those of `short`, divided by `iterations`. */
function kernelsPerIteration(long: KernelTotals, short: KernelTotals, iterations: number): { calls: number; ms: number; top: KernelShare[] } {
  const per = [...long.entries()].map(([name, e]) => {
    const s = short.get(name) ?? { ms: 0, calls: 0 }
    return { name, ms: Math.max(0, e.ms - s.ms) / iterations, calls: (e.calls - s.calls) / iterations }
  })
  const ms = per.reduce((a, k) => a + k.ms, 0)
  const calls = per.reduce((a, k) => a + k.calls, 0)
  const top = per
    .sort((a, b) => b.ms - a.ms)
    .slice(0, TOP_KERNELS)
    .map((k) => ({ ...k, percent: ms > 0 ? (100 * k.ms) / ms : 0 }))
  return { calls, ms, top }
}

/** One trainGan run of `steps` iterations under tf.profile: its wall time and kernels by name. */
async function profiledRun(preset: BenchPreset, backend: BackendName, models: GanModels, input: BenchInput, steps: number): Promise<{ wallMs: number; kernels: KernelTotals }> {
  const rows: StepRow[] = []
  let outcome: TrainOutcome | null = null
  const t0 = performance.now()
  // One step more than asked in the epoch, so the run ends 'stopped' before the epoch's samples and checkpoint.
  const info = await tf.profile(async () => {
    outcome = await trainGan(runConfig(preset, backend, steps + 1), models, input.data, callbacks(rows, steps), undefined, input.samples)
  })
  const wallMs = performance.now() - t0
  if (outcome === null) throw new Error('tf.profile returned before trainGan finished')
  checkOutcome(outcome, 'stopped')
  return { wallMs, kernels: kernelTotals(info.kernels) }
}

async function benchPreset(preset: BenchPreset, backend: BackendName, opts: Options, input: BenchInput): Promise<TrainResult> {
  const steps = opts.steps ?? DEFAULT_STEPS[preset]
  const warmup = opts.warmup ?? DEFAULT_WARMUP[preset]
  const config = runConfig(preset, backend, warmup + steps)
  // As in job.ts: initialisers draw from Math.random, so seed it before building the models.
  seedGlobalRandom(SEED)
  // The image presets keep the networks PyTorch's reference builds (the seed's G, without the DCGAN preset's batch norm and sigmoid scale).
  const models: GanModels = IMAGE_PRESETS.includes(preset)
    ? buildModels(preset, config.latentDim)
    : modelsForConfig(config, (input.data as TrainingData).shape, 0, input.heads)
  try {
    const rows: StepRow[] = []
    checkOutcome(await trainGan(config, models, input.data, callbacks(rows), undefined, input.samples), 'completed')
    if (rows.length !== warmup + steps) throw new Error(`expected ${warmup + steps} step rows, got ${rows.length}`)
    // timeMs is measured from the start of training to the end of each step (whole milliseconds).
    const deltas = rows.map((r, i) => r.timeMs - (i === 0 ? 0 : rows[i - 1].timeMs)).slice(warmup)
    const timedMs = rows[warmup + steps - 1].timeMs - (warmup > 0 ? rows[warmup - 1].timeMs : 0)
    const msPerIteration = timedMs / steps
    const batch = config.batchSize

    const profiled = PROFILED_STEPS[preset]
    const short = await profiledRun(preset, backend, models, input, 1)
    const long = await profiledRun(preset, backend, models, input, 1 + profiled)
    const kernels = kernelsPerIteration(long.kernels, short.kernels, profiled)
    const jsMs = msPerIteration - kernels.ms
    return {
      preset,
      backend,
      status: 'measured',
      warmupIterations: warmup,
      timedIterations: steps,
      batchSize: batch,
      msPerIteration,
      minMsPerIteration: Math.min(...deltas),
      maxMsPerIteration: Math.max(...deltas),
      stepsPerSecond: 1000 / msPerIteration,
      ...(IMAGE_PRESETS.includes(preset) ? { imagesPerSecond: batch / (msPerIteration / 1000) } : {}),
      profiledIterations: profiled,
      profiledMsPerIteration: (long.wallMs - short.wallMs) / profiled,
      kernelCallsPerIteration: kernels.calls,
      kernelMsPerIteration: kernels.ms,
      jsMsPerIteration: jsMs,
      jsPercent: (100 * jsMs) / msPerIteration,
      profiledJsMsPerIteration: (long.wallMs - short.wallMs) / profiled - kernels.ms,
      topKernels: kernels.top
    }
  } finally {
    models.generator.dispose()
    models.discriminator.dispose()
  }
}

interface PairResult {
  preset: PresetId
  backend: 'wasm'
  /** Images per second of each run while both trained, warm-up excluded. */
  perRunImagesPerSecond: number[]
  combinedImagesPerSecond: number
  /** combined / the same preset's single-run figure on wasm in this bench. */
  speedupVsOneRun: number | null
}

/**
 * Two runs at once in two trainer processes (what "SGD vs Adam" does): each process is one
 * thread, so on a machine with two or more cores the pair should train nearly twice the
 * images per second of one run.
 */
async function benchPair(preset: BenchPreset, opts: Options, single: TrainResult | undefined): Promise<PairResult> {
  const steps = opts.steps ?? DEFAULT_STEPS[preset]
  const warmup = opts.warmup ?? DEFAULT_WARMUP[preset]
  const dir = mkdtempSync(join(tmpdir(), 'bench-pair-'))
  const lab = new Lab({ dataDir: dir, launcher: forkLauncher(), version: 'bench', transport: 'ipc' })
  try {
    const runs = [0, 1].map((i) => lab.startRun({ ...runConfig(preset, 'wasm', warmup + steps), name: `bench pair ${i}`, seed: SEED + i }))
    const ends = await Promise.all(runs.map((r) => lab.waitForEnd(r.id)))
    for (const end of ends) if (end.status !== 'completed') throw new Error(`run ${end.id} ended ${end.status}: ${end.statusMessage ?? ''}`)
    const perRun = runs.map((r) => {
      const t = lab.metrics.series(r.id).timeMs
      const seconds = (t[t.length - 1] - t[warmup - 1 < 0 ? 0 : warmup - 1]) / 1000
      return (BATCH * (warmup > 0 ? steps : steps - 1)) / Math.max(seconds, 1e-6)
    })
    const combined = perRun[0] + perRun[1]
    return {
      preset,
      backend: 'wasm',
      perRunImagesPerSecond: perRun,
      combinedImagesPerSecond: combined,
      speedupVsOneRun: single?.imagesPerSecond ? combined / single.imagesPerSecond : null
    }
  } finally {
    lab.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const fmt = (v: number | undefined, digits = 1): string => (v === undefined ? '-' : v.toFixed(digits))
const ratio = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(2)}x`)

function printTable(report: ReturnType<typeof buildReport>): void {
  const out: string[] = []
  out.push(`GAN Workbench bench: ${report.machine.cpuModel}, ${report.machine.cpuCount} cores, Node ${report.machine.node}, tfjs ${report.machine.tfjs}`)
  out.push(`load average at the start ${report.machine.loadAverageStart.map((v) => v.toFixed(2)).join(' ')}, at the end ${report.machine.loadAverageEnd.map((v) => v.toFixed(2)).join(' ')} (1, 5, 15 min)`)
  for (const [preset, source] of Object.entries(report.data)) out.push(`data, ${preset}: ${source}`)
  out.push(`an iteration: one D step on a real and a generated batch (two updates; one for a WGAN critic), one G step; each preset's batch size`)
  out.push('')
  out.push('Backends:')
  for (const b of report.backends) out.push(`  ${b.backend.padEnd(15)} ${b.available ? `available (${b.detail})` : `not available: ${b.reason}`}`)
  out.push('')
  out.push('Training iterations (trainGan, warm-up excluded); vs PyTorch = its ms per iteration / ours:')
  out.push(
    `  ${'preset'.padEnd(12)} ${'backend'.padEnd(8)} ${'batch'.padStart(5)} ${'ms/iter'.padStart(9)} ${'min'.padStart(6)} ${'max'.padStart(6)} ${'steps/s'.padStart(8)} ${'images/s'.padStart(9)} ${'vs PyTorch'.padStart(10)}  timed`
  )
  const row = (preset: string, backend: string, batch: number | undefined, ms: number, min: string, max: string, steps: number, images: number | undefined, vs: string, tail: string): string =>
    `  ${preset.padEnd(12)} ${backend.padEnd(8)} ${String(batch ?? '-').padStart(5)} ${fmt(ms, ms < 100 ? 2 : 1).padStart(9)} ${min.padStart(6)} ${max.padStart(6)} ` +
    `${fmt(steps).padStart(8)} ${(images === undefined ? '-' : fmt(images)).padStart(9)} ${vs.padStart(10)}  ${tail}`
  for (const r of report.training) {
    if (r.status !== 'measured') {
      out.push(`  ${r.preset.padEnd(12)} ${r.backend.padEnd(8)} ${r.status}: ${r.reason}`)
      continue
    }
    out.push(
      row(r.preset, r.backend, r.batchSize, r.msPerIteration ?? 0, fmt(r.minMsPerIteration, 0), fmt(r.maxMsPerIteration, 0), r.stepsPerSecond ?? 0, r.imagesPerSecond, ratio(r.speedVsPytorchRatio), `${r.timedIterations} (+${r.warmupIterations} warm-up)${r.backendDetail ? `; ${r.backendDetail}` : ''}`)
    )
  }
  for (const [preset, ref] of Object.entries(report.pytorch)) {
    out.push(
      row(preset, 'PyTorch', runConfig(preset as BenchPreset, 'wasm', 1).batchSize, ref.msPerIteration, '-', '-', ref.stepsPerSecond, IMAGE_PRESETS.includes(preset as BenchPreset) ? ref.imagesPerSecond : undefined, '1.00x',
        ref.measuredNow ? `measured in this run: ${ref.setup}` : `REFERENCE, a constant, not measured now: ${ref.setup}; from ${ref.source}`)
    )
  }
  const measured = report.training.filter((t) => t.status === 'measured')
  if (measured.length > 0) {
    out.push('')
    out.push('Where an iteration goes (tf.profile of 1 + N iterations less 1; JS = ms/iter above less the kernels\' own time; its JS = profiled ms less the kernels\' time, same run):')
    out.push(`  ${'preset'.padEnd(12)} ${'backend'.padEnd(8)} ${'kernels/iter'.padStart(12)} ${'kernel ms'.padStart(10)} ${'JS ms'.padStart(8)} ${'JS %'.padStart(6)} ${'profiled ms'.padStart(12)} ${'its JS ms'.padStart(10)}  N`)
    for (const r of measured) {
      out.push(
        `  ${r.preset.padEnd(12)} ${r.backend.padEnd(8)} ${fmt(r.kernelCallsPerIteration, 0).padStart(12)} ${fmt(r.kernelMsPerIteration, 2).padStart(10)} ${fmt(r.jsMsPerIteration, 2).padStart(8)} ` +
          `${fmt(r.jsPercent, 0).padStart(6)} ${fmt(r.profiledMsPerIteration, 2).padStart(12)} ${fmt(r.profiledJsMsPerIteration, 2).padStart(10)}  ${r.profiledIterations}`
      )
    }
  }
  for (const r of measured) {
    out.push('')
    out.push(`Top ${TOP_KERNELS} kernels, ${r.preset} on ${r.backend} (per iteration, of ${fmt(r.kernelMsPerIteration, 2)} kernel ms):`)
    for (const k of r.topKernels ?? []) {
      out.push(`  ${k.name.padEnd(26)} ${fmt(k.ms, 3).padStart(9)} ms ${fmt(k.percent).padStart(6)} %  (${fmt(k.calls, 0)} calls)`)
    }
  }
  if (report.twoRunsAtOnce.length > 0) {
    out.push('')
    out.push(`Two runs at once (two trainer processes on wasm, ${report.machine.cpuCount} cores):`)
    for (const p of report.twoRunsAtOnce) {
      out.push(
        `  ${p.preset.padEnd(12)} ${p.perRunImagesPerSecond.map((v) => fmt(v)).join(' + ')} = ${fmt(p.combinedImagesPerSecond)} images/s` +
          (p.speedupVsOneRun === null ? '' : ` (${p.speedupVsOneRun.toFixed(2)}x one run)`)
      )
    }
  }
  out.push('')
  if (report.sqlite) {
    const s = report.sqlite
    out.push('SQLite (temp-file database via openDatabase: WAL, synchronous NORMAL):')
    out.push(
      `  MetricsRepo.insertSteps: ${s.rowsInserted} rows in batches of ${s.batchRows} in ${fmt(s.insertSeconds, 2)} s = ${fmt(s.rowsPerSecond, 0)} rows/s`
    )
    out.push(`  RunsRepo.list() with ${s.runsInDatabase} runs: ${fmt(s.listMedianMs, 1)} ms median of ${s.listRepeats} (first call ${fmt(s.listFirstMs, 1)} ms)`)
  } else {
    out.push('SQLite: skipped (--no-sqlite)')
  }
  console.log(out.join('\n'))
}

function buildReport(args: {
  opts: Options
  data: Partial<Record<BenchPreset, string>>
  loadAverageStart: number[]
  backends: BackendResult[]
  training: TrainResult[]
  pairs: PairResult[]
  sqlite: SqliteResult | null
  totalSeconds: number
}): {
  machine: { cpuModel: string; cpuCount: number; node: string; tfjs: string; loadAverageStart: number[]; loadAverageEnd: number[] }
  /** What each preset trained on. */
  data: Partial<Record<BenchPreset, string>>
  /** The image presets' batch size (each training row has its own batchSize). */
  batchSize: number
  backends: BackendResult[]
  training: TrainResult[]
  twoRunsAtOnce: PairResult[]
  /** PyTorch on each preset's networks and loop, where measured (mnist-dcgan: else the recorded reference). */
  pytorch: Partial<Record<BenchPreset, PytorchFigure>>
  /** As before pytorch above: mnist-dcgan's figure (the recorded reference when not measured). */
  pytorchReference: PytorchFigure
  /** As before pytorch above: mnist-mlp's figure (null when not measured: preset not asked for, or no torch). */
  pytorchMlp: PytorchFigure | null
  sqlite: SqliteResult | null
  benchSeconds: number
} {
  const cpu = cpus()
  return {
    machine: {
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      cpuCount: cpu.length,
      node: process.versions.node,
      tfjs: tf.version.tfjs,
      loadAverageStart: args.loadAverageStart,
      loadAverageEnd: loadavg()
    },
    data: args.data,
    batchSize: BATCH,
    backends: args.backends,
    training: args.training,
    twoRunsAtOnce: args.pairs,
    pytorch: pytorchFigures,
    pytorchReference: pytorchFigures['mnist-dcgan'] ?? PYTORCH_REFERENCE,
    pytorchMlp: pytorchFigures['mnist-mlp'] ?? null,
    sqlite: args.sqlite,
    benchSeconds: args.totalSeconds
  }
}

/** What `preset` trains on: MNIST for the image presets (loaded once), toy-ring-8, or the synthetic table. */
function benchInput(preset: BenchPreset, images: () => { data: LabelledImages; source: string }): BenchInput {
  switch (preset) {
    case 'mnist-dcgan':
    case 'mnist-mlp':
      return images()
    case 'toy-mlp':
      return { ...toyBenchData(SEED), samples: NO_SAMPLES }
    case 'tabular-mlp':
      return { ...tabularBenchData(SEED), samples: NO_SAMPLES }
  }
}

interface ChildMessage {
  backend: BackendResult
  result?: TrainResult
}

/** Measures `preset` on `backend` in a process of its own (this script with --child), as a run starts its backend. */
function inChildProcess(preset: BenchPreset, backend: BackendName, opts: Options): Promise<ChildMessage> {
  const args = ['--child', `${preset}:${backend}`]
  if (opts.steps !== null) args.push('--steps', String(opts.steps))
  if (opts.warmup !== null) args.push('--warmup', String(opts.warmup))
  return new Promise((resolve) => {
    // The child's stdout goes to our stderr: with --json our stdout carries only the JSON object.
    const child = fork(__filename, args, { stdio: ['ignore', 2, 2, 'ipc'] })
    let message: ChildMessage | null = null
    child.on('message', (m) => (message = m as ChildMessage))
    child.on('exit', (code, signal) => {
      resolve(
        message ?? {
          backend: { backend, available: true },
          result: { preset, backend, status: 'failed', reason: `the bench process ended ${signal ?? `with code ${code}`} without a result` }
        }
      )
    })
  })
}

/** The --child process: starts the backend as a run of `preset` would, measures, and sends a ChildMessage. */
async function childMain(preset: BenchPreset, backend: BackendName, opts: Options): Promise<void> {
  console.log = console.error
  const send = (m: ChildMessage): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()))
  let detail: string
  try {
    detail = (await selectRunBackend({ backend, preset })).detail
  } catch (err) {
    await send({ backend: { backend, available: false, reason: err instanceof Error ? err.message : String(err) } })
    return
  }
  const available: BackendResult = { backend, available: true, detail }
  progress(
    `${preset} on ${backend} (${detail}): ${opts.warmup ?? DEFAULT_WARMUP[preset]} warm-up + ${opts.steps ?? DEFAULT_STEPS[preset]} timed iterations, ` +
      `then profiled runs of 1 and 1 + ${PROFILED_STEPS[preset]}`
  )
  try {
    const input = benchInput(preset, benchData)
    await send({ backend: available, result: { ...(await benchPreset(preset, backend, opts, input)), backendDetail: detail } })
  } catch (err) {
    await send({ backend: available, result: { preset, backend, status: 'failed', reason: err instanceof Error ? err.message : String(err) } })
  }
}

async function main(): Promise<void> {
  const opts = parseOptions()
  if (opts.child) {
    await childMain(opts.child.preset, opts.child.backend, opts)
    // The wasm backend's helper threads and tfjs's timers would keep the process alive.
    process.exit(0)
  }
  const started = performance.now()
  const loadAverageStart = loadavg()
  // tfjs and friends may log to stdout; with --json stdout carries only the JSON object.
  const stdoutLog = console.log
  if (opts.json) console.log = console.error

  let images: { data: LabelledImages; source: string } | null = null
  const inputs = new Map<BenchPreset, BenchInput>()
  for (const preset of opts.presets) inputs.set(preset, benchInput(preset, () => (images ??= benchData())))
  const backends: BackendResult[] = []
  for (const preset of opts.presets) {
    progress(`${preset}: PyTorch on the same networks`)
    const arch = PYTORCH_ARCH[preset]
    const settings = arch === 'toy' || arch === 'tabular' ? pytorchConfig(runConfig(preset, 'cpu', 1), inputs.get(preset)?.heads) : undefined
    const figure = measurePytorch(arch, settings)
    if (figure) pytorchFigures[preset] = figure
  }
  const training: TrainResult[] = []
  for (const backend of opts.backends) {
    for (const preset of opts.presets) {
      if (backends.some((b) => b.backend === backend && !b.available)) break
      if (backend === 'cpu' && preset === 'mnist-dcgan' && !opts.all) {
        training.push({
          preset,
          backend,
          status: 'skipped',
          reason: 'the plain-JavaScript cpu backend takes minutes per DCGAN iteration; pass --all to run it'
        })
        continue
      }
      const measured = await inChildProcess(preset, backend, opts)
      if (!backends.some((b) => b.backend === backend)) backends.push(measured.backend)
      if (!measured.backend.available) {
        progress(`${backend}: not available`)
        break
      }
      const r = measured.result!
      const reference = pytorchFigures[preset]
      training.push(r.msPerIteration !== undefined && reference ? { ...r, speedVsPytorchRatio: reference.msPerIteration / r.msPerIteration } : r)
    }
  }
  const pairs: PairResult[] = []
  if (opts.pair && opts.backends.includes('wasm') && backends.some((b) => b.backend === 'wasm' && b.available)) {
    // The image presets only: their runs train on MNIST through the lab as they are.
    for (const preset of opts.presets.filter((p) => IMAGE_PRESETS.includes(p))) {
      progress(`${preset}: two runs at once in two trainer processes on wasm`)
      try {
        pairs.push(await benchPair(preset, opts, training.find((t) => t.preset === preset && t.backend === 'wasm' && t.status === 'measured')))
      } catch (err) {
        progress(`${preset} pair failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }
  const sqlite = opts.sqlite ? benchSqlite(runConfig('mnist-mlp', 'wasm', 200), SEED, progress) : null
  const data = Object.fromEntries([...inputs.entries()].map(([p, i]) => [p, i.source])) as Partial<Record<BenchPreset, string>>
  const report = buildReport({ opts, data, loadAverageStart, backends, training, pairs, sqlite, totalSeconds: (performance.now() - started) / 1000 })
  console.log = stdoutLog
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else printTable(report)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
