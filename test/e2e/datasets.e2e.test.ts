// End to end in Chromium against the lab server: a CSV imported on the lab machine (as the
// CLI does) is offered by the form for the tabular preset; a toy run started from the form
// draws its scatter, a tabular run its rows and histograms; and a browser asking to import
// is told to use the CLI.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi } from '../helpers/chromium'

requireChromiumOnCi()

const SEATTLE = '/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv'

describe.skipIf(!haveChromium)('data sets in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browser: Browser
  let page: Page
  let tableRun: number

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-ds-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const weather = lab.datasets.importFiles([SEATTLE], 'Seattle weather')
    tableRun = lab.startRun({ ...PRESETS['tabular-mlp'].defaults, name: 'weather rows', seed: 4, epochs: 1, stepsPerEpoch: 10, backend: 'wasm', dataset: weather.id }).id
    expect((await lab.waitForEnd(tableRun)).status).toBe('completed')
    ;({ server, browser, page } = await openLabInBrowser(lab))
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    lab?.close()
  })

  it('shows a tabular run as generated rows with per-column histograms, not an image grid', async () => {
    await page.getByTestId(`run-row-${tableRun}`).click()
    await page.getByTestId('samples-table').waitFor()
    expect(await page.getByTestId('samples-row').count()).toBe(10)
    const headers = await page.getByTestId('samples-table').locator('th').allTextContents()
    expect(headers).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'])
    expect(await page.getByTestId('column-histogram').count()).toBe(5)
    expect(await page.getByTestId('sample-grid').count()).toBe(0)
  })

  it('starts a toy run from the form and draws generated points over the ring', async () => {
    await page.getByTestId('new-run').click()
    await page.getByTestId('field-preset').selectOption('toy-mlp')
    expect(await page.getByTestId('field-dataset').inputValue()).toBe('toy-ring-8')
    await page.getByTestId('field-name').fill('ring from the form')
    await page.getByTestId('field-epochs').fill('1')
    await page.getByTestId('field-stepsPerEpoch').fill('20')
    await page.getByTestId('field-backend').selectOption('wasm')
    await page.getByTestId('submit-run').click()
    await page.getByTestId('samples-scatter').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('scatter-real').locator('circle').count()).toBe(500)
    expect(await page.getByTestId('scatter-fake').locator('circle').count()).toBeGreaterThan(0)
  })

  it('offers the imported table for the tabular preset, and tells a browser to import through the CLI', async () => {
    await page.getByTestId('new-run').click()
    await page.getByTestId('field-preset').selectOption('tabular-mlp')
    const options = await page.getByTestId('field-dataset').locator('option').allTextContents()
    expect(options).toContain('Seattle weather (#1)')
    await page.getByTestId('toggle-import').click()
    await page.getByTestId('dataset-import-csv').click()
    await expect.poll(() => page.getByTestId('dataset-error').textContent()).toContain('npm run cli -- import-dataset')
  })
})
