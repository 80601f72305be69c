// End to end: a WGAN-GP run started from the form in Chromium (the paper's optimizers taken
// from the form's offer), trained by a real trainer process; the run view charts the critic's
// Wasserstein estimate instead of accuracy and the epoch table shows it.
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

describe.skipIf(!haveChromium)('WGAN-GP in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-wgan-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    ;({ server, browser, page } = await openLabInBrowser(lab))
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    lab?.close()
  })

  it('starts a WGAN-GP run from the form and charts its Wasserstein estimate instead of accuracy', async () => {
    await page.getByTestId('new-run').click()
    await page.getByTestId('field-preset').selectOption('mnist-mlp')
    await page.getByTestId('field-name').fill('critic')
    await page.getByTestId('field-tricks.loss').selectOption('wgan-gp')
    await expect.poll(() => page.getByTestId('wgan-defaults').textContent()).toContain('WGAN-GP paper')
    await page.getByTestId('apply-wgan-defaults').click()
    await page.getByTestId('field-tricks.gpWeight').fill('10')
    await page.getByTestId('field-batchSize').fill('16')
    await page.getByTestId('field-epochs').fill('2')
    await page.getByTestId('field-stepsPerEpoch').fill('5')
    await page.getByTestId('field-backend').selectOption('wasm')
    await page.getByTestId('submit-run').click()
    await page.getByTestId('run-view').waitFor()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toContain('completed')
    await expect.poll(async () => Number(await page.getByTestId('wasserstein-chart').getAttribute('data-points'))).toBe(10)
    expect(await page.getByTestId('accuracy-chart').count()).toBe(0)
    const table = await page.getByTestId('epoch-table').textContent()
    expect(table).toContain('W est.')
    expect(table).not.toContain('D acc')
    const run = lab.runs.list().find((r) => r.name === 'critic')
    expect(run).toMatchObject({ status: 'completed', stepsDone: 10, lastMetrics: { dAccReal: null } })
    const stored = lab.runs.config(run!.id)
    expect(stored?.tricks).toMatchObject({ loss: 'wgan-gp', gpWeight: 10, dStepsPerG: 5 })
    expect(stored?.optimizerD).toMatchObject({ kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 })
  })
})
