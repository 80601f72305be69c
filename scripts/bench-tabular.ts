// Measures the tabular preset on a CSV table the way a new user meets it: import the file with
// the inferred column types, train tabular-mlp with its defaults (or the flags below) in a fresh
// data folder, draw N rows from the last checkpoint (runs:sample-rows, as `npm run cli -- sample`
// does), and score them against the real table: per-column KS (numbers) and total variation
// (categories), correlation RMS and the detection AUC, beside the naive baseline (every column
// drawn independently from a fit of its own). Prints numbers; it is a benchmark, not a test.
// With --target COLUMN the run holds out 20% of the rows and the stored reports' TSTR, TRTR and
// baseline scores of predicting that column are printed per epoch (shared/tabular-utility.ts).
//
//   npm run bench:tabular -- FILE.csv|rare [--transform modes|minmax] [--epochs N] [--steps N] [--target COLUMN]
//                            [--rows N] [--backend wasm|cpu|auto] [--seed N] [--set field=json ...] [--out rows.csv]
//
// --out keeps the drawn rows, so they can be scored independently (e.g. scipy.stats.ks_2samp).
// `rare` trains on a table written here with rare categories (scripts/bench/rare-table.ts). For
// the categories under 10% of the real rows it also prints their shares in the drawn rows and the
// KS of each number within them: whether the GAN learned the rare categories, not only the
// table's marginals (--set tricks.tableSampling=rows shows it without training-by-sampling).
//
// A public housing table (506 rows, 14 columns) ships in Debian's python3-sklearn:
//   apt-get download python3-sklearn && dpkg -x python3-sklearn_*.deb sk &&
//   tail -n +2 sk/usr/lib/python3/dist-packages/sklearn/datasets/data/boston_house_prices.csv > housing.csv
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Papa from 'papaparse'
import { PRESETS, runConfigSchema, type RunConfigInput } from '@shared/config'
import { outputColumns } from '@shared/datasets'
import { baselineFidelity, describeFidelity, fidelityFigures } from '@shared/tabular-fidelity'
import { describeUtility } from '@shared/tabular-utility'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'
import { mulberry32 } from '../src/main/common/random'
import { categoryShares, ksDistance } from '@shared/tabular-stats'
import { writeRareTable } from './bench/rare-table'

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    transform: { type: 'string' },
    target: { type: 'string' },
    epochs: { type: 'string' },
    steps: { type: 'string' },
    rows: { type: 'string', default: '5000' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    out: { type: 'string' }
  }
})
const given = positionals[0]
if (!given) {
  console.error('usage: npm run bench:tabular -- FILE.csv|rare [--transform modes|minmax] [--epochs N] [--steps N] [--target COLUMN] [--rows N] [--backend B] [--seed N] [--set field=json] [--out rows.csv]')
  process.exit(2)
}

function setField(target: Record<string, unknown>, path: string, text: string): void {
  let value: unknown = text
  try {
    value = JSON.parse(text)
  } catch {
    // a bare word stays text
  }
  const keys = path.split('.')
  let o = target
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>
  o[keys[keys.length - 1]] = value
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-tabular-'))
  const file = given === 'rare' ? writeRareTable(join(dataDir, 'rare.csv')) : given!
  const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'bench', transport: 'ipc' })
  try {
    const info = lab.datasets.importFiles([resolve(file)], basename(file))
    const columns = outputColumns(info.columns ?? [])
    console.log(`${basename(file)}: ${info.count} rows; ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`)
    const defaults = PRESETS['tabular-mlp'].defaults
    const input: Record<string, unknown> = JSON.parse(JSON.stringify({ ...defaults, name: `bench ${basename(file)}`, seed: Number(flags.seed), dataset: info.id, backend: flags.backend }))
    if (flags.transform) setField(input, 'tricks.tableTransform', flags.transform)
    if (flags.target) setField(input, 'evaluation.targetColumn', JSON.stringify(flags.target))
    if (flags.epochs) input.epochs = Number(flags.epochs)
    if (flags.steps) input.stepsPerEpoch = Number(flags.steps)
    for (const s of flags.set) {
      const eq = s.indexOf('=')
      setField(input, s.slice(0, eq), s.slice(eq + 1))
    }
    const config = runConfigSchema.parse(input)
    const started = Date.now()
    const run = lab.startRun(config as RunConfigInput)
    const end = await lab.waitForEnd(run.id)
    const seconds = (Date.now() - started) / 1000
    console.log(`trained: ${end.status}, ${end.stepsDone} steps in ${seconds.toFixed(0)} s (${config.tricks.tableTransform}, ${config.epochs} x ${config.stepsPerEpoch} steps, batch ${config.batchSize}, ${flags.backend})`)
    if (end.status !== 'completed') throw new Error(`the run ended ${end.status}: ${end.statusMessage ?? ''}`)
    const drawn = await lab.handlers['runs:sample-rows']({ id: run.id, rows: Number(flags.rows) })
    const parse = (text: string): (number | string)[][] =>
      Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.slice(1).map((r) => r.map((cell, j) => (columns[j].type === 'categorical' ? cell : Number(cell))))
    const realText = readFileSync(resolve(file), 'utf8')
    const header = Papa.parse<string[]>(realText.trim(), { skipEmptyLines: true }).data[0]
    const realAll = Papa.parse<string[]>(realText.trim(), { skipEmptyLines: true }).data.slice(1)
    const real = realAll.map((r) => columns.map((c) => {
      const cell = r[header.indexOf(c.name)].trim()
      return c.type === 'categorical' ? cell : Number(cell)
    }))
    const generated = parse(drawn.content)
    if (flags.out) writeFileSync(resolve(flags.out), drawn.content)
    const gan = fidelityFigures(columns, real, generated, mulberry32(7))
    const base = baselineFidelity(columns, real, generated.length, mulberry32(8))
    console.log(`drawn ${generated.length} rows from epoch ${drawn.epoch}`)
    console.log(`GAN:      ${describeFidelity(gan)}`)
    console.log(`baseline: ${describeFidelity(base)}`)
    console.log('per column (GAN / baseline):')
    for (const c of gan.columns) {
      const b = base.columns.find((x) => x.name === c.name)
      console.log(`  ${c.name.padEnd(12)} ${c.statistic} ${c.value.toFixed(3)} / ${b ? b.value.toFixed(3) : '-'}`)
    }
    rareCategories(columns, real, generated)
    const last = lab.samples(run.id, drawn.epoch)
    if (last.kind === 'table' && last.fidelity) console.log(`stored report of epoch ${drawn.epoch}: ${describeFidelity(last.fidelity)} (baseline ${describeFidelity(last.fidelity.baseline)})`)
    if (flags.target) {
      const reports = await lab.handlers['runs:fidelity']({ id: run.id })
      const u = reports.at(-1)?.fidelity.utility
      if (u) {
        console.log(`utility, epoch ${reports.at(-1)!.epoch} (${u.heldOutRows} rows held out, TRTR on ${u.trainRows}): ${describeUtility(u)}`)
        if (u.macroF1) console.log(`  macro F1: TSTR ${u.macroF1.tstr.toFixed(3)}, TRTR ${u.macroF1.trtr.toFixed(3)}, baseline ${u.macroF1.baseline.toFixed(3)}`)
        console.log(`  TSTR per epoch: ${reports.map((r) => r.fidelity.utility?.tstr.toFixed(3) ?? '-').join(' ')}`)
      }
    }
  } finally {
    lab.close()
  }
}

/**
 * Categories under 10% of the real rows (with at least 30 of them): how many are drawn at 0.5-2x
 * their share, the median over them of the largest KS of a number within the category, and the
 * ten worst by that KS, each with its shares and the KS of every number within it.
 */
function rareCategories(columns: readonly { name: string; type: string }[], real: (number | string)[][], generated: (number | string)[][]): void {
  const numeric = columns.map((c, j) => (c.type === 'categorical' ? -1 : j)).filter((j) => j >= 0)
  const found: { line: string; worst: number; shareOk: boolean }[] = []
  columns.forEach((c, j) => {
    if (c.type !== 'categorical') return
    for (const [category, share] of categoryShares(real.map((r) => String(r[j])))) {
      const of = (rows: (number | string)[][]): (number | string)[][] => rows.filter((r) => String(r[j]) === category)
      const [r, g] = [of(real), of(generated)]
      if (share >= 0.1 || r.length < 30) continue
      const ks = numeric.map((k) => (g.length === 0 ? 1 : ksDistance(r.map((x) => Number(x[k])), g.map((x) => Number(x[k])))))
      const drawnShare = g.length / generated.length
      found.push({
        worst: Math.max(0, ...ks),
        shareOk: drawnShare >= share / 2 && drawnShare <= share * 2,
        line: `  ${c.name} = ${category}: share ${share.toFixed(3)} real / ${drawnShare.toFixed(3)} drawn; KS within: ${numeric.map((k, i) => `${columns[k].name} ${ks[i].toFixed(3)}`).join(', ')}`
      })
    }
  })
  if (found.length === 0) return
  const worst = found.map((f) => f.worst).sort((a, b) => a - b)
  console.log(
    `rare categories (under 10% of the real rows, at least 30 rows): ${found.length}; drawn at 0.5-2x their share: ${found.filter((f) => f.shareOk).length}; ` +
      `median of the largest KS within: ${worst[Math.floor(worst.length / 2)].toFixed(3)}; the worst ten:`
  )
  for (const f of [...found].sort((a, b) => b.worst - a.worst).slice(0, 10)) console.log(f.line)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err))
  process.exit(1)
})
