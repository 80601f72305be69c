/// <reference lib="dom" />
// UI speed with big data, measured in Chromium against the real lab server: how long the
// runs list takes to show 1,000 runs, how long a run with 100,000 steps per series takes to
// plot, and the longest main-thread task while it does; then the compare view with six runs of
// a hundred epochs (94,000 steps and 100 sample grids each): how long it takes to draw, and how
// long one move of the epoch scrubber takes to show all six grids. Prints figures; --json for machines.
// Needs the built renderer (npm run build) and Debian's chromium.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { PRESETS, runConfigSchema } from '../src/shared/config'
import type { StepRow } from '../src/shared/metrics'
import { startLabServer } from '../src/main/server/lab-server'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'
import { encodePng, gridLayout, tileImages } from '../src/main/trainer/grid'

const RUNS = 1000
const STEPS = 100_000
const COMPARED = 6
const COMPARE_EPOCHS = 100
const COMPARE_STEPS_PER_EPOCH = 940
const json = process.argv.includes('--json')
const log = (m: string): void => void (json ? process.stderr.write(`${m}\n`) : console.log(m))

async function main(): Promise<void> {
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'bench-ui-')), launcher: forkLauncher(), version: 'bench', transport: 'websocket' })
  const config = runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: 'big', seed: 1 })
  let bigId = 0
  for (let i = 0; i < RUNS; i++) {
    const id = lab.runs.create({ ...config, name: `run ${i}` })
    lab.runs.finish(id, 'completed', null)
    if (i === RUNS - 1) bigId = id
  }
  const rows: StepRow[] = []
  for (let s = 1; s <= STEPS; s++) {
    const t = s / STEPS
    rows.push({ step: s, epoch: 1 + Math.floor(s / 1000), timeMs: s * 40, dLossReal: 0.6 + 0.1 * Math.sin(s / 50), dLossFake: 0.7 - 0.2 * t, gLoss: 0.8 + t, dAccReal: 0.8, dAccFake: 0.6 })
    if (rows.length === 5000) lab.metrics.insertSteps(bigId, rows.splice(0))
  }
  // Six runs of a hundred epochs, each epoch with its sample grid (a small real PNG).
  const comparedIds: number[] = []
  for (let r = 0; r < COMPARED; r++) {
    const id = lab.runs.create({ ...config, name: `compared ${r}`, epochs: COMPARE_EPOCHS, stepsPerEpoch: COMPARE_STEPS_PER_EPOCH })
    lab.runs.finish(id, 'completed', null)
    comparedIds.push(id)
    const total = COMPARE_EPOCHS * COMPARE_STEPS_PER_EPOCH
    for (let s = 1; s <= total; s++) {
      const t = s / total
      rows.push({ step: s, epoch: Math.ceil(s / COMPARE_STEPS_PER_EPOCH), timeMs: s * 40, dLossReal: 0.6 + 0.1 * Math.sin(s / 50 + r), dLossFake: 0.7 - 0.2 * t, gLoss: 0.8 + t * (1 + r / 10), dAccReal: 0.8, dAccFake: 0.6 })
      if (rows.length === 5000) lab.metrics.insertSteps(id, rows.splice(0))
    }
    lab.metrics.insertSteps(id, rows.splice(0))
    for (let e = 1; e <= COMPARE_EPOCHS; e++) {
      const tile = new Float32Array(28 * 28).map((_, i) => Math.sin((i + e * 7 + r * 13) / 9))
      const png = encodePng(tileImages(tile, 1, 28, 28, 1, gridLayout(1)))
      const means = { dLossReal: 0.6, dLossFake: 0.6, gLoss: 1, dAccReal: 0.8, dAccFake: 0.6 }
      lab.metrics.insertEpoch(id, { epoch: e, means, durationMs: 1000, imagesPerSec: 60, gridPngBase64: png.toString('base64'), gridRows: 1, gridCols: 1, checkpointDir: `checkpoints/epoch-${e}` })
    }
  }
  const server = await startLabServer({ lab, rendererDir: resolve(__dirname, '../out/renderer'), port: 0 })
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript(() => {
      const w = window as unknown as { longest: number }
      w.longest = 0
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration)
      }).observe({ type: 'longtask', buffered: true })
    })
    const t0 = Date.now()
    await page.goto(server.url)
    await page.getByTestId(`run-row-${bigId}`).waitFor()
    const listMs = Date.now() - t0
    const rowsShown = await page.locator('[data-testid^="run-row-"]').count()
    await page.evaluate(() => ((window as unknown as { longest: number }).longest = 0))
    const t1 = Date.now()
    await page.getByTestId(`run-row-${bigId}`).click()
    await page.waitForFunction((n) => document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points') === String(n), STEPS, { timeout: 120_000 })
    const plotMs = Date.now() - t1
    const longestTaskMs = await page.evaluate(() => (window as unknown as { longest: number }).longest)

    // The compare view: six runs of 94,000 steps, every metric charted, grids on one scrubber.
    await page.evaluate(() => ((window as unknown as { longest: number }).longest = 0))
    const t2 = Date.now()
    await page.goto(`${server.url}#/compare?runs=${comparedIds.join(',')}`)
    await page.waitForFunction(
      (n) => {
        const points = document.querySelector('[data-testid="compare-chart-gLoss"]')?.getAttribute('data-points') ?? ''
        return points.split(',').filter((p) => Number(p) > 0).length === n
      },
      COMPARED,
      { timeout: 120_000 }
    )
    const compareMs = Date.now() - t2
    const compareLongestMs = await page.evaluate(() => (window as unknown as { longest: number }).longest)
    const allGridsAt = (epoch: number): Promise<unknown> =>
      page.waitForFunction(
        ([ids, e]) => ids.every((id) => {
          const fig = document.querySelector(`[data-testid="compare-grid-${id}"]`)
          const img = fig?.querySelector('img')
          return fig?.getAttribute('data-epoch') === String(e) && !!img && img.complete && img.naturalWidth > 0
        }),
        [comparedIds, epoch] as const,
        { timeout: 60_000 }
      )
    await allGridsAt(COMPARE_EPOCHS)
    const t3 = Date.now()
    await page.getByTestId('compare-scrubber').fill(String(Math.floor(COMPARE_EPOCHS / 2) - 1))
    await allGridsAt(Math.floor(COMPARE_EPOCHS / 2))
    const scrubMs = Date.now() - t3

    const result = {
      runsListed: rowsShown,
      runsListMs: listMs,
      pointsPerSeries: STEPS,
      plotMs,
      longestTaskMsWhilePlotting: Math.round(longestTaskMs),
      compareRuns: COMPARED,
      compareStepsPerRun: COMPARE_EPOCHS * COMPARE_STEPS_PER_EPOCH,
      compareDrawnMs: compareMs,
      compareLongestTaskMs: Math.round(compareLongestMs),
      compareScrubToAllGridsMs: scrubMs
    }
    if (json) console.log(JSON.stringify(result))
    else {
      log(`runs list: ${rowsShown} runs shown ${listMs} ms after opening the page`)
      log(`run with ${STEPS} steps per series: plotted in ${plotMs} ms; longest main-thread task ${Math.round(longestTaskMs)} ms`)
      log(
        `compare view, ${COMPARED} runs x ${COMPARE_EPOCHS * COMPARE_STEPS_PER_EPOCH} steps: every chart drawn in ${compareMs} ms (longest task ${Math.round(compareLongestMs)} ms); ` +
          `one scrubber move to all ${COMPARED} grids shown: ${scrubMs} ms`
      )
    }
  } finally {
    await browser.close()
    await server.close()
    lab.close()
  }
}

void main()
