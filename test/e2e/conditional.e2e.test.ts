// End to end: a conditional GAN started from the form in Chromium and trained by a real
// trainer process: its grid names one row per class, and the latent explorer draws the plane
// in the class picked. Then a sweep from the same form runs queued and opens compared.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi } from '../helpers/chromium'

requireChromiumOnCi()

describe.skipIf(!haveChromium)('conditional runs and sweeps in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-conditional-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    ;({ server, browser, page } = await openLabInBrowser(lab))
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    lab?.close()
  })

  async function fillSmallRun(name: string): Promise<void> {
    await page.getByTestId('new-run').click()
    await page.getByTestId('field-preset').selectOption('mnist-mlp')
    await page.getByTestId('field-name').fill(name)
    await page.getByTestId('field-batchSize').fill('16')
    await page.getByTestId('field-epochs').fill('1')
    await page.getByTestId('field-stepsPerEpoch').fill('4')
    await page.getByTestId('field-backend').selectOption('wasm')
  }

  it('trains a conditional run whose grid has a row per class and whose explorer holds a class', async () => {
    await fillSmallRun('digits by class')
    await page.getByTestId('field-conditional').check()
    await page.getByTestId('submit-run').click()
    await page.getByTestId('run-view').waitFor()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toContain('completed')
    await expect.poll(() => page.getByTestId('sample-grid-rows').locator('li').allTextContents()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(await page.getByTestId('sample-grid').getAttribute('alt')).toContain('one row per class (0 to 9)')
    expect(await page.getByTestId('run-config').textContent()).toContain('100 + one-hot class (conditional)')
    await page.getByTestId('latent-field-class').selectOption('7')
    await page.getByTestId('latent-field-resolution').fill('5')
    await page.getByTestId('latent-render').click()
    await page.getByTestId('latent-image').waitFor({ timeout: 60_000 })
    const run = lab.runs.list().find((r) => r.name === 'digits by class')!
    expect(lab.runs.config(run.id)).toMatchObject({ conditional: true })
  })

  it('runs a sweep one at a time and opens its runs in the compare view when all have ended', async () => {
    lab.setSettings({ maxConcurrentRuns: 1 })
    await page.reload()
    await expect.poll(() => page.getByTestId('runs-at-once').inputValue()).toBe('1')
    await fillSmallRun('sweep')
    await page.getByTestId('sweep-toggle').locator('summary').click()
    await page.getByTestId('sweep-values-0').fill('sgd, adam')
    await page.getByTestId('sweep-values-1').fill('3')
    await expect.poll(() => page.getByTestId('sweep-count').textContent()).toBe('2 runs')
    await page.getByTestId('sweep-start').click()
    await page.getByTestId('compare-view').waitFor({ timeout: 120_000 })
    const runs = lab.runs.list().filter((r) => r.tags.includes('sweep 1'))
    expect(runs.map((r) => r.name).sort()).toEqual(['sweep · kind=adam, seed=3', 'sweep · kind=sgd, seed=3'])
    expect(runs.every((r) => r.status === 'completed')).toBe(true)
    const [a, b] = runs.sort((x, y) => x.id - y.id)
    expect(b.startedAt!).toBeGreaterThanOrEqual(a.endedAt!)
    expect(await page.getByTestId('compare-view').textContent()).toContain('kind=adam')
  })
})
