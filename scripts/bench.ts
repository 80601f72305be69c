// Speed figures of the workbench on this machine: training iterations per preset and
// backend (through trainGan itself, the loop every run uses), the kernels that take the
// time, and the SQLite store (step-metric inserts, the runs list).
//
//   npm run bench [-- --steps N] [--warmup N] [--backends wasm,cpu] [--presets mnist-mlp]
//                 [--all] [--no-sqlite] [--json]
//
// --steps    timed iterations per preset (default 8 for mnist-dcgan, 30 for mnist-mlp)
// --warmup   untimed iterations before them (default 5 for mnist-dcgan, 10 for mnist-mlp: the
//            wasm kernels' JS loops reach their optimised code within the first ~5 DCGAN
//            iterations, e.g. 1014, 686, 622, 601, 626, then 572, 572, 552, 561 ms)
// --backends backends to try (default: every backend in BACKEND_ORDER that can start)
// --all      also run mnist-dcgan on the cpu backend (minutes per iteration: skipped otherwise)
// --json     print one JSON object on stdout instead of the table (progress goes to stderr)
// --no-pair  skip "two runs at once" (two trainer processes on wasm, as the SGD vs Adam pair trains)
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BACKEND_ORDER, PRESETS, type BackendName, type PresetId, type RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { selectBackend } from '../src/main/trainer/backend/select'
import type { LabelledImages } from '../src/main/common/idx'
import { loadMnist } from '../src/main/trainer/data/mnist'
import { buildModels, type GanModels } from '../src/main/trainer/models/presets'
import { mulberry32, seedGlobalRandom } from '../src/main/common/random'
import { tf } from '../src/main/trainer/tf'
import { trainGan, type TrainCallbacks, type TrainOutcome } from '../src/main/trainer/train'
import { PYTORCH_REFERENCE, measurePytorch, type PytorchFigure } from './bench/pytorch'
import { benchSqlite, type SqliteResult } from './bench/sqlite'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'

const BATCH = 64
const SEED = 1234
/** The image presets, measured on MNIST (the tabular and toy presets train on other data). */
const DEFAULT_STEPS = { 'mnist-dcgan': 8, 'mnist-mlp': 30 } as const
const DEFAULT_WARMUP: Record<keyof typeof DEFAULT_STEPS, number> = { 'mnist-dcgan': 5, 'mnist-mlp': 10 }
type BenchPreset = keyof typeof DEFAULT_STEPS
const BENCH_PRESETS = Object.keys(DEFAULT_STEPS) as BenchPreset[]
const TOP_KERNELS = 5

let pytorch: PytorchFigure = PYTORCH_REFERENCE
/** PyTorch on the mnist-mlp preset's networks, when measured. */
let pytorchMlp: PytorchFigure | null = null

interface KernelShare {
  name: string
  ms: number
  percent: number
  calls: number
}

interface TrainResult {
  preset: PresetId
  backend: BackendName
  status: 'measured' | 'skipped' | 'failed'
  reason?: string
  warmupIterations?: number
  timedIterations?: number
  msPerIteration?: number
  minMsPerIteration?: number
  maxMsPerIteration?: number
  imagesPerSecond?: number
  /** imagesPerSecond divided by PyTorch's on the same networks (mnist-dcgan; mnist-mlp where measured). */
  speedVsPytorchRatio?: number
  profiledIterationMs?: number
  kernelTotalMs?: number
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

function parseOptions(): Options {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        steps: { type: 'string' },
        warmup: { type: 'string' },
        backends: { type: 'string' },
        presets: { type: 'string' },
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
      'npm run bench [-- --steps N] [--warmup N] [--backends wasm,cpu] [--presets mnist-dcgan,mnist-mlp] [--all] [--no-sqlite] [--json]'
    )
    process.exit(0)
  }
  return {
    steps: parseCount('steps', parsed.steps, 1),
    warmup: parseCount('warmup', parsed.warmup, 0),
    backends: parseList('backends', parsed.backends, BACKEND_ORDER) ?? [...BACKEND_ORDER],
    presets: parseList('presets', parsed.presets, BENCH_PRESETS) ?? [...BENCH_PRESETS],
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

function runConfig(preset: PresetId, backend: BackendName, stepsPerEpoch: number): RunConfig {
  return { ...PRESETS[preset].defaults, name: `bench ${preset} ${backend}`, seed: SEED, batchSize: BATCH, epochs: 1, stepsPerEpoch, backend }
}

function callbacks(rows: StepRow[], stopAfterFirst: boolean): TrainCallbacks {
  return {
    onSteps: (batch) => rows.push(...batch),
    onProgress: () => undefined,
    onEpoch: () => undefined,
    shouldStop: () => stopAfterFirst,
    saveCheckpoint: async () => ''
  }
}

function checkOutcome(outcome: TrainOutcome, expected: TrainOutcome['status']): void {
  if (outcome.status !== expected) throw new Error(`trainGan ended '${outcome.status}'${outcome.message ? `: ${outcome.message}` : ''}`)
}

/** Sums tf.profile's kernel records by kernel name (op wrappers named *__op are not kernels); profile has
 * already awaited kernelTimeMs, which is a number or an {error} object. */
function kernelShares(kernels: { name: string; kernelTimeMs: unknown }[]): { total: number; top: KernelShare[] } {
  const byName = new Map<string, { ms: number; calls: number }>()
  let total = 0
  for (const k of kernels) {
    if (k.name.endsWith('__op')) continue
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    total += ms
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 }
    e.ms += ms
    e.calls++
    byName.set(k.name, e)
  }
  const top = [...byName.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, TOP_KERNELS)
    .map(([name, e]) => ({ name, ms: e.ms, percent: total > 0 ? (100 * e.ms) / total : 0, calls: e.calls }))
  return { total, top }
}

async function benchPreset(preset: BenchPreset, backend: BackendName, opts: Options, data: LabelledImages): Promise<TrainResult> {
  const steps = opts.steps ?? DEFAULT_STEPS[preset]
  const warmup = opts.warmup ?? DEFAULT_WARMUP[preset]
  // As in job.ts: initialisers draw from Math.random, so seed it before building the models.
  seedGlobalRandom(SEED)
  const models: GanModels = buildModels(preset, PRESETS[preset].defaults.latentDim)
  try {
    const rows: StepRow[] = []
    checkOutcome(await trainGan(runConfig(preset, backend, warmup + steps), models, data, callbacks(rows, false)), 'completed')
    if (rows.length !== warmup + steps) throw new Error(`expected ${warmup + steps} step rows, got ${rows.length}`)
    // timeMs is measured from the start of training to the end of each step.
    const deltas = rows.map((r, i) => r.timeMs - (i === 0 ? 0 : rows[i - 1].timeMs)).slice(warmup)
    const timedMs = rows[warmup + steps - 1].timeMs - (warmup > 0 ? rows[warmup - 1].timeMs : 0)
    const msPerIteration = timedMs / steps
    const imagesPerSecond = BATCH / (msPerIteration / 1000)

    // One extra iteration under tf.profile: trainGan stops after its first step when
    // shouldStop says so, before the epoch's grid and checkpoint.
    const profiledRows: StepRow[] = []
    let outcome: TrainOutcome | null = null
    const t0 = performance.now()
    const info = await tf.profile(async () => {
      outcome = await trainGan(runConfig(preset, backend, 2), models, data, callbacks(profiledRows, true))
    })
    const profiledIterationMs = performance.now() - t0
    if (outcome === null) throw new Error('tf.profile returned before trainGan finished')
    checkOutcome(outcome, 'stopped')
    const { total, top } = kernelShares(info.kernels)
    return {
      preset,
      backend,
      status: 'measured',
      warmupIterations: warmup,
      timedIterations: steps,
      msPerIteration,
      minMsPerIteration: Math.min(...deltas),
      maxMsPerIteration: Math.max(...deltas),
      imagesPerSecond,
      speedVsPytorchRatio:
        preset === 'mnist-dcgan'
          ? imagesPerSecond / pytorch.imagesPerSecond
          : preset === 'mnist-mlp' && pytorchMlp !== null
            ? imagesPerSecond / pytorchMlp.imagesPerSecond
            : undefined,
      profiledIterationMs,
      kernelTotalMs: total,
      topKernels: top
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

function printTable(report: ReturnType<typeof buildReport>): void {
  const out: string[] = []
  out.push(`GAN Workbench bench: ${report.machine.cpuModel}, ${report.machine.cpuCount} cores, Node ${report.machine.node}, tfjs ${report.machine.tfjs}`)
  out.push(`data: ${report.data}; batch ${BATCH} (one D step on ${BATCH} real + ${BATCH} generated, one G step on ${BATCH} latent points)`)
  out.push('')
  out.push('Backends:')
  for (const b of report.backends) out.push(`  ${b.backend.padEnd(15)} ${b.available ? `available (${b.detail})` : `not available: ${b.reason}`}`)
  out.push('')
  out.push('Training iterations (trainGan, warm-up excluded):')
  const header = `  ${'preset'.padEnd(12)} ${'backend'.padEnd(8)} ${'ms/iter'.padStart(9)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'images/s'.padStart(9)} ${'vs PyTorch'.padStart(10)}  timed`
  out.push(header)
  for (const r of report.training) {
    if (r.status !== 'measured') {
      out.push(`  ${r.preset.padEnd(12)} ${r.backend.padEnd(8)} ${r.status}: ${r.reason}`)
      continue
    }
    out.push(
      `  ${r.preset.padEnd(12)} ${r.backend.padEnd(8)} ${fmt(r.msPerIteration).padStart(9)} ${fmt(r.minMsPerIteration, 0).padStart(8)} ${fmt(r.maxMsPerIteration, 0).padStart(8)} ` +
        `${fmt(r.imagesPerSecond).padStart(9)} ${(r.speedVsPytorchRatio === undefined ? '-' : `${r.speedVsPytorchRatio.toFixed(2)}x`).padStart(10)}  ` +
        `${r.timedIterations} (+${r.warmupIterations} warm-up)`
    )
  }
  const pytorchRow = (preset: string, ref: PytorchFigure): string =>
    `  ${preset.padEnd(12)} ${'PyTorch'.padEnd(8)} ${fmt(ref.msPerIteration, ref.msPerIteration < 100 ? 1 : 0).padStart(9)} ${'-'.padStart(8)} ${'-'.padStart(8)} ${fmt(ref.imagesPerSecond).padStart(9)} ${'1.00x'.padStart(10)}  ` +
    (ref.measuredNow ? `measured in this run: ${ref.setup}` : `REFERENCE, a constant, not measured now: ${ref.setup}; from ${ref.source}`)
  if (report.training.some((r) => r.preset === 'mnist-dcgan')) out.push(pytorchRow('mnist-dcgan', report.pytorchReference))
  if (report.pytorchMlp !== null) out.push(pytorchRow('mnist-mlp', report.pytorchMlp))
  for (const r of report.training.filter((t) => t.status === 'measured')) {
    out.push('')
    out.push(
      `Top ${TOP_KERNELS} kernels, ${r.preset} on ${r.backend} (tf.profile of one extra iteration with fresh Adam state: ${fmt(r.profiledIterationMs, 0)} ms wall, kernels ${fmt(r.kernelTotalMs, 0)} ms):`
    )
    for (const k of r.topKernels ?? []) {
      out.push(`  ${k.name.padEnd(26)} ${fmt(k.ms).padStart(9)} ms ${fmt(k.percent).padStart(6)} %  (${k.calls} calls)`)
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
  dataSource: string
  backends: BackendResult[]
  training: TrainResult[]
  pairs: PairResult[]
  sqlite: SqliteResult | null
  totalSeconds: number
}): {
  machine: { cpuModel: string; cpuCount: number; node: string; tfjs: string }
  data: string
  batchSize: number
  backends: BackendResult[]
  training: TrainResult[]
  twoRunsAtOnce: PairResult[]
  pytorchReference: PytorchFigure
  /** PyTorch on mnist-mlp's networks (null when not measured: preset not asked for, or no torch). */
  pytorchMlp: PytorchFigure | null
  sqlite: SqliteResult | null
  benchSeconds: number
} {
  const cpu = cpus()
  return {
    machine: { cpuModel: cpu[0]?.model.trim() ?? 'unknown', cpuCount: cpu.length, node: process.versions.node, tfjs: tf.version.tfjs },
    data: args.dataSource,
    batchSize: BATCH,
    backends: args.backends,
    training: args.training,
    twoRunsAtOnce: args.pairs,
    pytorchReference: pytorch,
    pytorchMlp,
    sqlite: args.sqlite,
    benchSeconds: args.totalSeconds
  }
}

async function main(): Promise<void> {
  const opts = parseOptions()
  const started = performance.now()
  // tfjs and friends may log to stdout; with --json stdout carries only the JSON object.
  const stdoutLog = console.log
  if (opts.json) console.log = console.error

  const { data, source } = benchData()
  const backends: BackendResult[] = []
  if (opts.presets.includes('mnist-dcgan')) pytorch = measurePytorch('dcgan') ?? PYTORCH_REFERENCE
  if (opts.presets.includes('mnist-mlp')) pytorchMlp = measurePytorch('mlp')
  const training: TrainResult[] = []
  for (const backend of opts.backends) {
    try {
      const report = await selectBackend(backend)
      backends.push({ backend, available: true, detail: report.detail })
    } catch (err) {
      backends.push({ backend, available: false, reason: err instanceof Error ? err.message : String(err) })
      progress(`${backend}: not available`)
      continue
    }
    for (const preset of opts.presets) {
      if (backend === 'cpu' && preset === 'mnist-dcgan' && !opts.all) {
        training.push({
          preset,
          backend,
          status: 'skipped',
          reason: 'the plain-JavaScript cpu backend takes minutes per DCGAN iteration; pass --all to run it'
        })
        continue
      }
      progress(`${preset} on ${backend}: ${opts.warmup ?? DEFAULT_WARMUP[preset]} warm-up + ${opts.steps ?? DEFAULT_STEPS[preset]} timed iterations, then 1 profiled`)
      try {
        training.push(await benchPreset(preset, backend, opts, data))
      } catch (err) {
        training.push({ preset, backend, status: 'failed', reason: err instanceof Error ? err.message : String(err) })
      }
    }
  }
  const pairs: PairResult[] = []
  if (opts.pair && opts.backends.includes('wasm') && backends.some((b) => b.backend === 'wasm' && b.available)) {
    for (const preset of opts.presets) {
      progress(`${preset}: two runs at once in two trainer processes on wasm`)
      try {
        pairs.push(await benchPair(preset, opts, training.find((t) => t.preset === preset && t.backend === 'wasm' && t.status === 'measured')))
      } catch (err) {
        progress(`${preset} pair failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }
  const sqlite = opts.sqlite ? benchSqlite(runConfig('mnist-mlp', 'wasm', 200), SEED, progress) : null
  const report = buildReport({ opts, dataSource: source, backends, training, pairs, sqlite, totalSeconds: (performance.now() - started) / 1000 })
  console.log = stdoutLog
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else printTable(report)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
