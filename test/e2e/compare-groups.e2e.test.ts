// End to end, the issue-16 check: in Chromium against the lab server, two seeds each of SGD and
// Adam grouped into two curves with bands, a log y axis, zoom with a reset, a legend labelled by
// the settings that differ and a tooltip listing every curve at the hovered x. The four runs'
// steps are written to the lab's store directly (training them adds nothing the view reads).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUN_COLORS } from '@shared/compare'
import { PRESETS, runConfigSchema } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi, type LabInBrowser } from '../helpers/chromium'

requireChromiumOnCi()

/**
 * Pixels of each colour a canvas holds (summed RGB distance under `tolerance`) whose alpha lies in
 * [min, max]: an opaque line, or a translucent band (the canvas has no background); runs in the page.
 */
function inkOf(canvas: HTMLCanvasElement, { inks, tolerance }: { inks: { rgb: number[]; min: number; max: number }[]; tolerance: number }): number[] {
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
  const counts = inks.map(() => 0)
  for (let i = 0; i < data.length; i += 4) {
    inks.forEach(({ rgb: [r, g, b], min, max }, k) => {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < tolerance && data[i + 3] >= min && data[i + 3] <= max) counts[k]++
    })
  }
  return counts
}

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))

function steps(n: number, level: number, seed: number): StepRow[] {
  return Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    epoch: Math.floor(i / 100) + 1,
    timeMs: i * 40,
    dLossReal: 0.7,
    dLossFake: 0.6,
    // Decays over three decades, seeds apart by a factor: a band, and a curve a log axis straightens.
    gLoss: level * seed ** 2 * Math.exp(-i / 60) + 0.001,
    dAccReal: 0.5,
    dAccFake: 0.5,
    wasserstein: null
  }))
}

describe.skipIf(!haveChromium)('grouped comparison in a browser', () => {
  let lab: Lab
  let env: LabInBrowser
  let page: Page
  const ids: number[] = []

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-groups-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const base = PRESETS['mnist-mlp'].defaults
    const sgd = { ...base.optimizerD, kind: 'sgd' as const, lr: 0.01 }
    for (const seed of [1, 2]) {
      for (const adam of [false, true]) {
        const optimizer = adam ? base.optimizerD : sgd
        const id = lab.runs.create(runConfigSchema.parse({ ...base, name: `${adam ? 'Adam' : 'SGD'} seed ${seed}`, seed, optimizerD: optimizer, optimizerG: optimizer }))
        lab.runs.finish(id, 'completed', null)
        lab.metrics.insertSteps(id, steps(400, adam ? 1 : 4, seed))
        ids.push(id)
      }
    }
    env = await openLabInBrowser(lab, { viewport: { width: 1024, height: 800 } })
    page = env.page
  })

  afterAll(async () => {
    await env?.close()
    lab?.close()
  })

  it('groups two seeds each of SGD and Adam into two mean curves with bands, on a log axis, with a legend, a tooltip and zoom', async () => {
    await page.goto(`${env.server.url}#/compare?runs=${ids.join(',')}`)
    const chart = page.getByTestId('compare-chart-gLoss')
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 20_000 }).toBe('400,400,400,400')
    expect(await chart.getAttribute('data-legend')).toBe('SGD, lr 0.01, seed 1|Adam, lr 2e-4, β1 0.5, seed 1|SGD, lr 0.01, seed 2|Adam, lr 2e-4, β1 0.5, seed 2')

    await page.getByTestId('compare-group-toggle').click()
    await page.getByTestId('compare-group-seeds').click()
    await page.getByTestId('compare-log-y').check()
    await expect.poll(() => chart.getAttribute('data-bands'), { timeout: 20_000 }).toBe('2')
    expect(await chart.getAttribute('data-legend')).toBe('SGD, lr 0.01 (2 runs)|Adam, lr 2e-4, β1 0.5 (2 runs)')
    expect(await chart.getAttribute('data-points')).toBe('400,400')
    expect(await chart.getAttribute('data-scale')).toBe('log')
    expect(new URL(page.url()).hash).toContain('log=1')
    expect(new URL(page.url()).hash).toMatch(/group=[^&]*optimizerD\.kind/)
    await page.keyboard.press('Escape')

    // Drawn: each group's mean line in its colour and its band as a pale fill of that colour.
    const canvas = chart.locator('canvas')
    const lines = RUN_COLORS.slice(0, 2).map((c) => ({ rgb: rgb(c), min: 200, max: 255 }))
    // The bands' fill is the colour at alpha 0x33 (51).
    const fills = RUN_COLORS.slice(0, 2).map((c) => ({ rgb: rgb(c), min: 40, max: 62 }))
    const inked = await canvas.evaluate(inkOf, { inks: [...lines, ...fills], tolerance: 40 })
    expect(inked[0], 'SGD mean line').toBeGreaterThan(50)
    expect(inked[1], 'Adam mean line').toBeGreaterThan(50)
    expect(inked[2], 'SGD band').toBeGreaterThan(300)
    expect(inked[3], 'Adam band').toBeGreaterThan(300)

    // The tooltip lists both groups at the hovered x.
    await chart.scrollIntoViewIfNeeded()
    const box = (await canvas.boundingBox())!
    let nudge = 0
    const hover = async (): Promise<string | null> => {
      // A new position each time, so every poll sends the chart a pointer move.
      nudge = (nudge + 7) % 60
      await page.mouse.move(box.x + box.width * 0.4 + nudge, box.y + box.height * 0.5, { steps: 3 })
      return chart.getAttribute('data-hover')
    }
    await expect.poll(hover, { timeout: 20_000 }).toMatch(/^step \d+: SGD, lr 0\.01 \(2 runs\) [\d.e-]+; Adam, lr 2e-4, β1 0\.5 \(2 runs\) [\d.e-]+$/)

    // Zoom with the wheel, then reset to the whole curves.
    const whole = await chart.getAttribute('data-x-range')
    // Each wheel notch zooms by 10% (chartjs-plugin-zoom's default speed).
    await page.mouse.wheel(0, -300)
    await page.mouse.wheel(0, -300)
    await expect.poll(() => chart.getAttribute('data-zoomed'), { timeout: 20_000 }).toBe('1')
    const [lo, hi] = (await chart.getAttribute('data-x-range'))!.split('|').map(Number)
    const [wlo, whi] = whole!.split('|').map(Number)
    await expect.poll(async () => {
      const [a, b] = (await chart.getAttribute('data-x-range'))!.split('|').map(Number)
      return (b - a) / (whi - wlo)
    }).toBeLessThan(0.85)
    expect(hi - lo).toBeLessThan(whi - wlo)
    await page.getByTestId('compare-chart-gLoss-reset-zoom').click()
    await expect.poll(() => chart.getAttribute('data-x-range'), { timeout: 20_000 }).toBe(whole)

    // Hiding one SGD seed leaves its group one run.
    await page.getByTestId(`compare-visible-${ids[0]}`).click()
    await expect.poll(() => chart.getAttribute('data-legend'), { timeout: 20_000 }).toBe('SGD, lr 0.01 (1 run)|Adam, lr 2e-4, β1 0.5 (2 runs)')
  })

  it('fits 1024 px: the toolbar and chips stay inside the view', async () => {
    const view = page.getByTestId('compare-view')
    const width = await view.evaluate((el) => ({
      client: el.clientWidth,
      scroll: el.scrollWidth,
      wide: Array.from(el.querySelectorAll('*')).filter((c) => c.getBoundingClientRect().right > el.getBoundingClientRect().right + 1).map((c) => `${c.tagName}.${c.className}`).slice(0, 5)
    }))
    expect(width.scroll, `wider than the view: ${width.wide.join(', ')}`).toBeLessThanOrEqual(width.client + 1)
  })
})
