// End to end: GAN Lab's view of toy runs in Chromium against the lab server, at 1024 px. While a
// toy run trains, its run view shows D's output as a heatmap with the generated points' gradient
// arrows beside the loss chart, and both change as it trains; the epoch scrubber brings back a
// stored epoch's field; the compare view shows two toy runs' fields at the same epoch. Every wait
// is on a condition of the page or the lab, never a fixed time. With E2E_SCREENSHOTS=DIR the
// views are saved there as PNGs.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { FIELD_RESOLUTION_2D } from '@shared/toy-field'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi, type LabInBrowser } from '../helpers/chromium'

requireChromiumOnCi()

/** What the page draws of the run view's field: its step, heat colours and arrow ends. */
interface Drawn {
  step: number
  cells: number
  colours: number
  arrows: string[]
}

function drawn(): Drawn | null {
  const svg = document.querySelector('[data-testid="toy-field-panel"] [data-testid="toy-field"]')
  if (!svg) return null
  const fills = Array.from(svg.querySelectorAll('[data-testid="toy-field-heat"] rect'), (r) => r.getAttribute('fill'))
  return {
    step: Number(svg.getAttribute('data-step')),
    cells: fills.length,
    colours: new Set(fills).size,
    arrows: Array.from(svg.querySelectorAll('[data-testid="toy-field-arrows"] line'), (l) => `${l.getAttribute('x2')},${l.getAttribute('y2')}`)
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
}

describe.skipIf(!haveChromium)('GAN Lab view of toy runs in a browser', () => {
  let lab: Lab
  let browserLab: LabInBrowser
  let page: Page

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-toy-field-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    browserLab = await openLabInBrowser(lab, { viewport: { width: 1024, height: 900 } })
    page = browserLab.page
  })

  afterAll(async () => {
    await browserLab?.close()
    lab?.close()
  })

  it('shows a training toy run\'s heatmap and arrows beside its loss chart, changing as it trains, then any stored epoch', async () => {
    // Long runs, stopped once the view has been seen to change.
    const config = { ...PRESETS['toy-mlp'].defaults, epochs: 50, stepsPerEpoch: 20, batchSize: 32, backend: 'wasm' as const }
    const ids = [lab.startRun({ ...config, name: 'ring A', seed: 1 }).id, lab.startRun({ ...config, name: 'ring B', seed: 2 }).id]
    await page.getByTestId(`run-row-${ids[0]}`).click()
    const panel = page.getByTestId('toy-field-panel')
    await panel.waitFor()
    // Beside the loss chart: the same row of the charts grid, to its left.
    const [fieldBox, lossBox] = [await panel.boundingBox(), await page.getByTestId('loss-chart').boundingBox()]
    expect(fieldBox!.x + fieldBox!.width).toBeLessThanOrEqual(lossBox!.x)
    expect(Math.abs(fieldBox!.y - (lossBox!.y - 22))).toBeLessThan(40)

    const first = (await (await page.waitForFunction(drawn, undefined, { timeout: 120_000 })).jsonValue())!
    expect(first.cells).toBe(FIELD_RESOLUTION_2D ** 2)
    expect(first.arrows.length).toBeGreaterThan(0)
    await screenshot(page, 'toy-field-run-view-live')
    // The next fields: a later step, the arrows moved, D's output in more than one colour.
    let later: Drawn | null = null
    await expect
      .poll(
        async () => {
          later = await page.evaluate(drawn)
          return later !== null && later.step > first.step && later.arrows.join() !== first.arrows.join() && later.colours > 1
        },
        { timeout: 180_000 }
      )
      .toBe(true)
    expect(later!.cells).toBe(FIELD_RESOLUTION_2D ** 2)
    expect(await page.getByTestId('toy-field-caption').textContent()).toMatch(/^Live: step \d+, epoch \d+$/)

    // Two epochs stored in both runs, then stop them.
    await expect.poll(() => ids.map((id) => lab.detail(id).epochs.filter((e) => e.hasField).length >= 2), { timeout: 240_000 }).toEqual([true, true])
    for (const id of ids) lab.stopRun(id)
    for (const id of ids) expect((await lab.waitForEnd(id)).status).toBe('stopped')

    // The scrubber brings back epoch 1's field: stored at its last step.
    await page.getByTestId('epoch-scrubber').fill('0')
    await page.waitForFunction(() => document.querySelector('[data-testid="toy-field-caption"]')?.textContent === 'End of epoch 1 (step 20)')
    expect(await page.evaluate(drawn)).toMatchObject({ step: 20, cells: FIELD_RESOLUTION_2D ** 2 })
    await screenshot(page, 'toy-field-run-view-epoch-1')

    // Side by side in the compare view, at one epoch.
    for (const id of ids) await page.getByTestId(`compare-pick-${id}`).check()
    await page.getByTestId('compare-picked').click()
    await page.getByTestId('compare-view').waitFor()
    await page.getByTestId('compare-epoch-scrubber').fill('0')
    for (const id of ids) {
      await page.waitForFunction((tid) => document.querySelector(`[data-testid="${tid}"]`)?.getAttribute('data-step') === '20', `compare-field-${id}`)
      expect(await page.getByTestId(`compare-grid-${id}`).getAttribute('data-epoch')).toBe('1')
      expect(await page.getByTestId(`compare-field-${id}-arrows`).locator('line').count()).toBeGreaterThan(0)
    }
    await page.getByTestId(`compare-grid-${ids[0]}`).scrollIntoViewIfNeeded()
    await screenshot(page, 'toy-field-compare')
  }, 600_000)
})
