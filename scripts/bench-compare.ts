/// <reference lib="dom" />
// Compare view speed with big data, in Chromium against the real lab server: six runs of a
// hundred epochs each (steps per epoch from --steps-per-epoch, 200 by default, the mlp preset's),
// each epoch with a 10x10 grid of 28x28 tiles. Measures opening the view from its link until
// every chart has plotted all six runs, the smoothing slider's redraw, scrubbing to epochs until
// all six grids show them, and the longest main-thread task. The grids are synthetic noise
// tiles (about as large as real ones), made only to time their transfer and display.
// Needs the built renderer (npm run build) and Debian's chromium. --json prints one JSON line.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PRESETS, runConfigSchema } from '../src/shared/config'
import { compareHash } from '../src/shared/compare'
import type { StepRow } from '../src/shared/metrics'
import { encodePng, tileImages, gridLayout } from '../src/main/common/grid'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'
import { openLabInBrowser, watchLongTasks } from '../test/helpers/chromium'

const RUNS = 6
const EPOCHS = 100
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const STEPS_PER_EPOCH = arg('--steps-per-epoch', 200)
const json = process.argv.includes('--json')
const log = (m: string): void => void (json ? process.stderr.write(`${m}\n`) : console.log(m))

function noiseGridBase64(seed: number): string {
  const layout = gridLayout(100)
  const values = new Float32Array(100 * 28 * 28)
  let x = seed * 2654435761
  for (let i = 0; i < values.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    // Mostly dark with bright strokes, like MNIST digits, so the PNG compresses about as well.
    values[i] = (x >>> 24) > 200 ? 1 : -1
  }
  return encodePng(tileImages(values, 100, 28, 28, 1, layout)).toString('base64')
}

async function main(): Promise<void> {
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'bench-compare-')), launcher: forkLauncher(), version: 'bench', transport: 'websocket' })
  const ids: number[] = []
  let gridBytes = 0
  for (let r = 0; r < RUNS; r++) {
    const config = runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: `run ${r}`, seed: r, epochs: EPOCHS, stepsPerEpoch: STEPS_PER_EPOCH })
    const id = lab.runs.create(config)
    ids.push(id)
    const rows: StepRow[] = []
    for (let e = 1; e <= EPOCHS; e++) {
      for (let k = 1; k <= STEPS_PER_EPOCH; k++) {
        const s = (e - 1) * STEPS_PER_EPOCH + k
        const t = s / (EPOCHS * STEPS_PER_EPOCH)
        rows.push({ step: s, epoch: e, timeMs: s * (30 + r), dLossReal: 0.6 + 0.1 * Math.sin(s / 50 + r), dLossFake: 0.7 - 0.2 * t, gLoss: 0.8 + t + 0.05 * r, dAccReal: 0.8, dAccFake: 0.6, wasserstein: null })
      }
      lab.metrics.insertSteps(id, rows.splice(0))
      const grid = noiseGridBase64(r * 1000 + e)
      gridBytes += grid.length * 0.75
      lab.metrics.insertEpoch(id, {
        epoch: e,
        means: { dLossReal: 0.6, dLossFake: 0.7, gLoss: 0.9, dAccReal: 0.8, dAccFake: 0.6, wasserstein: null },
        durationMs: 1000,
        imagesPerSec: 1000,
        gridPngBase64: grid,
        gridRows: 10,
        gridCols: 10,
        checkpointDir: `checkpoints/epoch-${e}`
      })
    }
    lab.runs.finish(id, 'completed', null)
  }
  const { server, page, close } = await openLabInBrowser(lab, { viewport: { width: 1400, height: 1000 }, open: false })
  const longTasks = await watchLongTasks(page)
  const resetLongest = longTasks.reset
  const longest = longTasks.longest
  const totalSteps = EPOCHS * STEPS_PER_EPOCH
  try {
    const allPlotted = (): Promise<unknown> =>
      page.waitForFunction(
        (n) => Array.from(document.querySelectorAll('[data-testid^="compare-chart-"]')).every((el) => (el.getAttribute('data-points') ?? '').split(',').filter((p) => Number(p) > 0).length === n),
        RUNS,
        { timeout: 300_000, polling: 50 }
      )
    const gridsAt = (epoch: number): Promise<unknown> =>
      page.waitForFunction(
        (e) => {
          const tiles = Array.from(document.querySelectorAll('[data-testid^="compare-grid-"][data-epoch]'))
          return tiles.length > 0 && tiles.every((t) => t.getAttribute('data-epoch') === String(e) && t.querySelector('img')?.getAttribute('src')?.startsWith('data:image/png'))
        },
        epoch,
        { timeout: 60_000, polling: 10 }
      )

    const t0 = Date.now()
    await page.goto(`${server.url}${compareHash(ids)}`)
    await allPlotted()
    const openMs = Date.now() - t0
    await gridsAt(EPOCHS)
    const firstGridsMs = Date.now() - t0
    const openLongest = await longest()
    const points = await page.getByTestId('compare-chart-gLoss').getAttribute('data-points')

    await resetLongest()
    const t1 = Date.now()
    await page.getByTestId('compare-smoothing').fill('0.95')
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid^="compare-chart-"]')).every((el) => el.getAttribute('data-drawn')?.endsWith('|0.95')), undefined, { polling: 10 })
    const smoothMs = Date.now() - t1
    const smoothLongest = await longest()

    await resetLongest()
    const scrubTimes: number[] = []
    for (const epoch of [1, 50, 2, 99, 37, 74, 13, 88, 61, 25]) {
      const t = Date.now()
      await page.getByTestId('compare-epoch-scrubber').fill(String(epoch - 1))
      await gridsAt(epoch)
      scrubTimes.push(Date.now() - t)
    }
    const scrubLongest = await longest()
    const sorted = [...scrubTimes].sort((a, b) => a - b)
    const result = {
      runs: RUNS,
      epochs: EPOCHS,
      stepsPerRun: totalSteps,
      gridKiB: Math.round(gridBytes / RUNS / EPOCHS / 1024),
      openToAllCurvesMs: openMs,
      openToAllGridsMs: firstGridsMs,
      pointsPlottedPerRun: points,
      longestTaskWhileOpeningMs: openLongest,
      smoothingChangeMs: smoothMs,
      longestTaskOnSmoothingMs: smoothLongest,
      scrubToUnseenEpochMedianMs: sorted[Math.floor(sorted.length / 2)],
      scrubToUnseenEpochMaxMs: sorted[sorted.length - 1],
      longestTaskWhileScrubbingMs: scrubLongest
    }
    if (json) console.log(JSON.stringify(result))
    else {
      log(`${RUNS} runs x ${EPOCHS} epochs x ${STEPS_PER_EPOCH} steps (${totalSteps} steps per run, grids ~${result.gridKiB} KiB each)`)
      log(`open from link: all curves ${openMs} ms, all grids ${firstGridsMs} ms (points per run per chart ${points}); longest task ${openLongest} ms`)
      log(`smoothing 0.6 -> 0.95: every chart redrawn after ${smoothMs} ms; longest task ${smoothLongest} ms`)
      log(`scrub to an epoch not yet seen, all six grids shown: median ${result.scrubToUnseenEpochMedianMs} ms, max ${result.scrubToUnseenEpochMaxMs} ms; longest task ${scrubLongest} ms`)
    }
  } finally {
    await close()
    lab.close()
  }
}

void main()
