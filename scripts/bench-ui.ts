/// <reference lib="dom" />
// UI speed with big data, measured in Chromium against the real lab server: how long the
// runs list takes to show 1,000 runs, how long a run with 100,000 steps per series takes to
// plot, and the longest main-thread task while it does. Prints figures; --json for machines.
// Needs the built renderer (npm run build) and Debian's chromium.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PRESETS, runConfigSchema } from '../src/shared/config'
import type { StepRow } from '../src/shared/metrics'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'
import { openLabInBrowser, watchLongTasks } from '../test/helpers/chromium'

const RUNS = 1000
const STEPS = 100_000
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
  const { server, page, close } = await openLabInBrowser(lab, { viewport: { width: 1400, height: 900 }, open: false })
  const longTasks = await watchLongTasks(page)
  try {
    const t0 = Date.now()
    await page.goto(server.url)
    await page.getByTestId(`run-row-${bigId}`).waitFor()
    const listMs = Date.now() - t0
    const rowsShown = await page.locator('[data-testid^="run-row-"]').count()
    await longTasks.reset()
    const t1 = Date.now()
    await page.getByTestId(`run-row-${bigId}`).click()
    await page.waitForFunction((n) => document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points') === String(n), STEPS, { timeout: 120_000 })
    const plotMs = Date.now() - t1
    const longestTaskMs = await longTasks.longest()
    const result = { runsListed: rowsShown, runsListMs: listMs, pointsPerSeries: STEPS, plotMs, longestTaskMsWhilePlotting: Math.round(longestTaskMs) }
    if (json) console.log(JSON.stringify(result))
    else {
      log(`runs list: ${rowsShown} runs shown ${listMs} ms after opening the page`)
      log(`run with ${STEPS} steps per series: plotted in ${plotMs} ms; longest main-thread task ${Math.round(longestTaskMs)} ms`)
    }
  } finally {
    await close()
    lab.close()
  }
}

void main()
