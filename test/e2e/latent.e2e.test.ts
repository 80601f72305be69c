// End to end: the latent explorer over epochs and side by side in Chromium against the real lab
// server, a saved view reopened, and the exported figure and settings checked against the lab's
// own rendering of the plane.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Download, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { figureLayout, parseLatentViewFile } from '@shared/latent-view'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { decodePng } from '../../src/main/common/grid'
import { haveChromium, openLabInBrowser, requireChromiumOnCi } from '../helpers/chromium'

requireChromiumOnCi()

async function bytesOf(download: Download): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const naturalSize = (img: HTMLImageElement): number[] | null => (img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null)

describe.skipIf(!haveChromium)('latent explorer in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browser: Browser
  let page: Page
  let first: number
  let second: number

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-latent-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const config = { ...PRESETS['mnist-mlp'].defaults, epochs: 3, stepsPerEpoch: 10, batchSize: 32, backend: 'wasm' as const }
    first = lab.startRun({ ...config, name: 'first', seed: 1 }).id
    second = lab.startRun({ ...config, name: 'second', seed: 2 }).id
    expect((await lab.waitForEnd(first)).status).toBe('completed')
    expect((await lab.waitForEnd(second)).status).toBe('completed')
    // Downloads are accepted by default in a new page.
    ;({ server, browser, page } = await openLabInBrowser(lab))
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    lab?.close()
  })

  it('scrubs the same plane over epochs, sweeps every epoch into the cache and draws a second run beside it', async () => {
    await page.getByTestId(`run-row-${first}`).click()
    await page.getByTestId('latent-plane').waitFor()
    await page.getByTestId('latent-field-resolution').fill('6')
    await page.getByTestId('latent-render').click()
    const image = page.getByTestId('latent-image')
    await expect.poll(() => image.getAttribute('data-epoch'), { timeout: 60_000 }).toBe('3')
    const atThree = await image.getAttribute('src')
    await page.getByTestId('latent-epoch-scrubber').fill('0')
    await expect.poll(() => image.getAttribute('data-epoch'), { timeout: 60_000 }).toBe('1')
    expect(await image.getAttribute('src')).not.toBe(atThree)
    await page.getByTestId('latent-sweep').click()
    await expect.poll(() => page.getByTestId('latent-sweep-progress').count(), { timeout: 60_000 }).toBe(0)
    await page.getByTestId('latent-epoch-scrubber').fill('1')
    await expect.poll(() => image.getAttribute('data-epoch'), { timeout: 60_000 }).toBe('2')
    expect(await image.getAttribute('data-cached')).toBe('true')

    await page.getByTestId('latent-side-run').selectOption(String(second))
    const side = page.getByTestId('latent-side-image')
    await expect.poll(() => side.getAttribute('data-epoch'), { timeout: 60_000 }).toBe('2')
    expect(await side.evaluate(naturalSize)).toEqual([6 * 29 + 1, 6 * 29 + 1])
    expect(await side.getAttribute('src')).not.toBe(await image.getAttribute('src'))
  })

  it('saves the view, reopens it, and exports a figure and settings that match the lab rendering', async () => {
    await page.getByTestId('latent-view-name').fill('two runs at epoch 2')
    await page.getByTestId('latent-view-save').click()
    await expect.poll(() => page.getByTestId('latent-view-open').locator('option').allTextContents()).toContain('two runs at epoch 2')

    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('latent-export-json').click()])
    expect(json.suggestedFilename()).toBe('two-runs-at-epoch-2.view.json')
    const settings = parseLatentViewFile((await bytesOf(json)).toString('utf8'))
    expect(settings).toMatchObject({ grid: { id: first, epoch: 2, resolution: 6, min: -2, max: 2, seed: 1 }, compareRunId: second })

    const [figure] = await Promise.all([page.waitForEvent('download'), page.getByTestId('latent-export-png').click()])
    expect(figure.suggestedFilename()).toBe('two-runs-at-epoch-2.png')
    const png = decodePng(await bytesOf(figure))
    const planeSize = 6 * 29 + 1
    const layout = figureLayout(planeSize, planeSize, 2)
    expect([png.width, png.height]).toEqual([layout.width, layout.height])
    // Each panel holds the lab's own rendering of the plane, pixel for pixel at the figure's scale.
    for (const [k, id] of [first, second].entries()) {
      const plane = decodePng(Buffer.from((await lab.explorerGrid({ ...settings.grid, id })).pngBase64, 'base64'))
      const box = layout.panels[k]
      let worst = 0
      for (let y = 0; y < planeSize; y += 7) {
        for (let x = 0; x < planeSize; x += 5) {
          const f = ((box.y + y * layout.scale + 1) * png.width + box.x + x * layout.scale + 1) * 4
          worst = Math.max(worst, Math.abs(png.rgba[f] - plane.rgba[(y * planeSize + x) * 4]))
        }
      }
      expect(worst, `panel ${k}`).toBeLessThanOrEqual(2)
    }
    // Labels: the margins hold dark pixels (text), not only white.
    const darkBelow = Array.from({ length: layout.panels[0].w }, (_, x) => png.rgba[((layout.panels[0].y + layout.panels[0].h + 12) * png.width + layout.panels[0].x + x) * 4]).some(
      (v) => v < 128
    )
    expect(darkBelow).toBe(true)

    await page.getByTestId('latent-field-resolution').fill('5')
    await page.getByTestId('latent-side-run').selectOption({ index: 0 })
    await page.getByTestId('latent-render').click()
    await expect.poll(() => page.getByTestId('latent-image').evaluate(naturalSize), { timeout: 60_000 }).toEqual([5 * 29 + 1, 5 * 29 + 1])
    await page.getByTestId('latent-view-open').selectOption({ label: 'two runs at epoch 2' })
    await expect.poll(() => page.getByTestId('latent-image').evaluate(naturalSize), { timeout: 60_000 }).toEqual([planeSize, planeSize])
    await expect.poll(() => page.getByTestId('latent-side-image').getAttribute('data-epoch'), { timeout: 60_000 }).toBe('2')
  })

  it('centres the plane on the sample-grid tile clicked: its centre tile is that sample', async () => {
    await page.getByTestId('latent-side-run').selectOption({ index: 0 })
    // The plane keeps the resolution in the form (made odd): 11 cells, the sample in cell (5, 5).
    await page.getByTestId('latent-field-resolution').fill('11')
    const grid = page.getByTestId('sample-grid')
    await expect.poll(() => grid.getAttribute('data-epoch'), { timeout: 60_000 }).toBe('3')
    const stored = await lab.handlers['runs:grid']({ id: first, epoch: 3 })
    const box = (await grid.boundingBox())!
    const index = 2 * stored.cols + 6
    await grid.click({ position: { x: ((6 + 0.5) / stored.cols) * box.width, y: ((2 + 0.5) / stored.rows) * box.height } })
    const image = page.getByTestId('latent-image')
    await expect.poll(() => image.evaluate(naturalSize), { timeout: 60_000 }).toEqual([11 * 29 + 1, 11 * 29 + 1])
    await expect.poll(() => image.getAttribute('data-epoch'), { timeout: 60_000 }).toBe('3')
    expect(await page.getByTestId('latent-field-base').locator('option:checked').textContent()).toBe(`grid sample ${index}`)
    const src = (await image.getAttribute('src'))!
    const plane = decodePng(Buffer.from(src.replace('data:image/png;base64,', ''), 'base64'))
    const gridPng = decodePng(Buffer.from(stored.pngBase64, 'base64'))
    const tile = (png: { width: number; rgba: Uint8Array }, row: number, col: number): number[] =>
      Array.from({ length: 28 * 28 }, (_, k) => png.rgba[((1 + row * 29 + Math.floor(k / 28)) * png.width + 1 + col * 29 + (k % 28)) * 4])
    const centre = tile(plane, 5, 5)
    const expected = tile(gridPng, 2, 6)
    expect(Math.max(...centre.map((v, k) => Math.abs(v - expected[k])))).toBeLessThanOrEqual(1)
  })
})
