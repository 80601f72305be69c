// End to end, a six-run sweep in the compare view in Chromium at 1024 px against the lab server:
// parallel coordinates (a log axis for the learning rate, hovering a line names its run, brushing
// an axis keeps the runs in range and hides the others), the view and the runs sidebar readable at
// that width, and its loss and score figures as PDFs within a journal column. The runs' steps,
// epochs, grids and scores are written to the store (test/helpers/sweep-lab.ts).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Download, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toPoints } from '@shared/figure'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi, type LabInBrowser } from '../helpers/chromium'
import { seedSweepLab } from '../helpers/sweep-lab'

requireChromiumOnCi()

describe.skipIf(!haveChromium)('a sweep compared in a browser at 1024 px', () => {
  let lab: Lab
  let env: LabInBrowser
  let page: Page
  let ids: number[]

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-sweep-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    ids = seedSweepLab(lab).ids
    env = await openLabInBrowser(lab, { viewport: { width: 1024, height: 800 } })
    page = env.page
    await page.goto(`${env.server.url}#/compare?runs=${ids.join(',')}`)
    await page.getByTestId('compare-chart-gLoss').waitFor()
  })

  afterAll(async () => {
    await env?.close()
    lab?.close()
  })

  it('draws the sweep as parallel coordinates: hovering a line names its run, brushing an axis keeps the runs in range, "hide the others" hides the rest', async () => {
    const pcp = page.getByTestId('sweep-parallel')
    await expect.poll(() => pcp.getAttribute('data-axes'), { timeout: 20_000 }).toBe('optimizer.kind:category,optimizer.lr:log,metric:linear')
    await pcp.scrollIntoViewIfNeeded()
    await expect.poll(() => pcp.getAttribute('data-axis-x'), { timeout: 20_000 }).toMatch(/^\d+,\d+,\d+$/)
    const xs = (await pcp.getAttribute('data-axis-x'))!.split(',').map(Number)
    const box = (await pcp.locator('canvas').boundingBox())!

    // Down the metric axis, just left of it: the segments ending there are hit one after another.
    let hovered = ''
    for (let y = 4; y < box.height - 4 && !hovered; y += 3) {
      await page.mouse.move(box.x + xs[2] - 3, box.y + y)
      hovered = (await pcp.getAttribute('data-hover')) ?? ''
    }
    expect(hovered).toMatch(/^(SGD, lr [\d.e-]+|Adam, lr [\d.e-]+, β1 0\.5): optimizer\.kind (sgd|adam), optimizer\.lr [\d.e-]+, G loss \(last epoch\) [\d.]+$/)

    // Drag along the metric axis over its upper half: the runs with the highest G loss stay.
    await page.mouse.move(box.x + xs[2], box.y + box.height * 0.04)
    await page.mouse.down()
    await page.mouse.move(box.x + xs[2], box.y + box.height * 0.45, { steps: 8 })
    await page.mouse.up()
    await expect.poll(() => pcp.getAttribute('data-brushes'), { timeout: 20_000 }).toMatch(/^metric:[\d.]+\.\.[\d.]+$/)
    const inside = (await pcp.getAttribute('data-in'))!.split(',').filter(Boolean).map(Number)
    expect(inside.length).toBeGreaterThan(0)
    expect(inside.length).toBeLessThan(ids.length)
    const [lo, hi] = (await pcp.getAttribute('data-brushes'))!.slice('metric:'.length).split('..').map(Number)
    for (const id of ids) {
      const last = lab.metrics.epochs(id).at(-1)!.means.gLoss!
      // The range as shown is rounded to three digits.
      if (Math.abs(last - lo) > 0.01 && Math.abs(last - hi) > 0.01) expect(inside.includes(id), `run ${id}, G loss ${last}`).toBe(last >= lo && last <= hi)
    }
    expect(await page.getByTestId('sweep-parallel-count').textContent()).toBe(`${inside.length} of ${ids.length} runs in the brushed ranges`)

    await page.getByTestId('sweep-parallel-hide').click()
    for (const id of ids) expect(await page.getByTestId(`compare-visible-${id}`).getAttribute('aria-pressed')).toBe(String(inside.includes(id)))
    await expect.poll(() => page.getByTestId('compare-chart-gLoss').getAttribute('data-points'), { timeout: 20_000 }).toBe(inside.map(() => '300').join(','))
    for (const id of ids) if (!inside.includes(id)) await page.getByTestId(`compare-visible-${id}`).click()
  })

  it('fits 1024 px: nothing wider than the view, chips and toolbar labels whole, sidebar names whole on two lines', async () => {
    const view = page.getByTestId('compare-view')
    const fit = await view.evaluate((el) => {
      const right = el.getBoundingClientRect().right
      return {
        client: el.clientWidth,
        scroll: el.scrollWidth,
        wide: Array.from(el.querySelectorAll('*')).filter((c) => c.getBoundingClientRect().right > right + 1).map((c) => `${c.tagName}.${c.className}`).slice(0, 5),
        cutChips: Array.from(el.querySelectorAll('.chip-name')).filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent),
        tallLabels: Array.from(el.querySelectorAll('.toolbar label')).filter((c) => c.getBoundingClientRect().height > 30).map((c) => c.textContent?.trim())
      }
    })
    expect(fit.scroll, `wider than the view: ${fit.wide.join(', ')}`).toBeLessThanOrEqual(fit.client + 1)
    expect(fit.cutChips).toEqual([])
    expect(fit.tallLabels).toEqual([])
    const names = await page.getByTestId('runs-list').evaluate((el) =>
      Array.from(el.querySelectorAll('.name-text')).map((n) => ({ text: n.textContent, cut: n.scrollHeight > n.clientHeight + 1 }))
    )
    expect(names).toHaveLength(ids.length)
    expect(names.filter((n) => n.cut).map((n) => n.text)).toEqual([])
  })

  async function download(click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
    const [file] = (await Promise.all([page.waitForEvent('download'), click()])) as [Download, void]
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) }
  }

  it('saves the loss and score curves as PDFs one column wide and at most 12 cm tall, legends naming the settings that differ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-sweep-pdf-'))
    for (const [testid, words] of [
      ['export-compare-loss', 'Losses of 6 runs that differ in optimizer, learning rate and β1 (legend)'],
      ['export-compare-scores', 'Classifier FID by epoch of 6 runs that differ in optimizer, learning rate and β1 (legend)']
    ]) {
      const menu = page.getByTestId(testid)
      await menu.getByTestId('figure-toggle').click()
      await menu.getByTestId('figure-width').fill('8.5')
      await expect.poll(() => menu.getByTestId('figure-preview-size').textContent(), { timeout: 20_000 }).toMatch(/^8\.5 × \d+(\.\d)? cm$/)
      const pdf = await download(() => menu.getByTestId('figure-pdf').click())
      const file = join(dir, pdf.name)
      writeFileSync(file, pdf.bytes)
      const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.bytes.toString('latin1'))!
      expect(Number(box[1])).toBeCloseTo(toPoints(8.5, 'cm'), 1)
      expect(Number(box[2])).toBeLessThanOrEqual(toPoints(12, 'cm'))
      const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
      expect(text).toContain(words)
      for (const label of ['SGD, lr 2e-4', 'SGD, lr 0.002', 'Adam, lr 0.02, β1 0.5']) expect(text).toContain(label)
      expect(text).not.toContain('opt · kind')
      await page.keyboard.press('Escape')
    }
  })
})
