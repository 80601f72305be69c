// End to end: the built renderer in Chromium against the real lab server and real trainer
// processes. A run trained headless (as the CLI does) shows up with its charts and grid; a
// run started from the form makes the progress bar and the charts move.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi, type LabInBrowser } from '../helpers/chromium'

requireChromiumOnCi()

describe.skipIf(!haveChromium)('lab in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browserLab: LabInBrowser
  let page: Page
  let trainedId: number

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const trained = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'headless run', seed: 7, epochs: 2, stepsPerEpoch: 20, batchSize: 32, backend: 'wasm' })
    trainedId = trained.id
    expect((await lab.waitForEnd(trainedId)).status).toBe('completed')
    browserLab = await openLabInBrowser(lab)
    ;({ server, page } = browserLab)
  })

  afterAll(async () => {
    await browserLab?.close()
    lab?.close()
  })

  it('refuses a WebSocket without the token', async () => {
    const status = await page.evaluate(async (port) => {
      return new Promise<string>((done) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=wrong`)
        ws.onopen = () => done('open')
        ws.onerror = () => done('refused')
      })
    }, server.port)
    expect(status).toBe('refused')
  })

  it('shows the headless run with its charts and sample grid', async () => {
    await page.getByTestId(`run-row-${trainedId}`).click()
    await expect.poll(() => page.getByTestId('run-status').textContent()).toContain('completed')
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(0)
    const src = await page.getByTestId('sample-grid').getAttribute('src')
    expect(src).toMatch(/^data:image\/png;base64,/)
    await expect.poll(() => page.getByTestId('backend-badge').textContent()).toMatch(/WebAssembly|wasm/i)
  })

  it('renders a latent plane of the headless run and answers it again from the cache', async () => {
    await page.getByTestId(`run-row-${trainedId}`).click()
    await page.getByTestId('latent-plane').waitFor()
    await page.getByTestId('latent-field-epoch').selectOption('2')
    await page.getByTestId('latent-field-resolution').fill('8')
    await page.getByTestId('latent-render').click()
    const image = page.getByTestId('latent-image')
    await image.waitFor({ timeout: 60_000 })
    expect(await image.getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    expect(await image.getAttribute('data-cached')).toBe('false')
    const size = await image.evaluate((img: HTMLImageElement) => (img.complete ? [img.naturalWidth, img.naturalHeight] : null))
    expect(size).toEqual([8 * 28 + 9, 8 * 28 + 9])
    await image.hover({ position: { x: 2, y: 2 } })
    // The default plane is centred on the grid's first sample, along two directions over ±2 latent sd.
    await expect.poll(() => page.getByTestId('latent-coords').textContent()).toContain('cell (0, 0): u = -2, v = 2')
    await page.getByTestId('latent-render').click()
    await expect.poll(() => image.getAttribute('data-cached')).toBe('true')
    await page.getByTestId('latent-field-min').fill('5')
    await page.getByTestId('latent-render').click()
    await expect.poll(() => page.getByTestId('latent-error').textContent()).toContain('min must be less than max')
  })

  it('pins cells of the plane and draws lerp and slerp strips between A and B and the image of A - B + C', async () => {
    // Back to the default range: the plane drawn above comes from the cache.
    await page.getByTestId('latent-field-min').fill('-2')
    await page.getByTestId('latent-render').click()
    const image = page.getByTestId('latent-image')
    await expect.poll(() => image.getAttribute('data-cached')).toBe('true')
    const box = await image.boundingBox()
    if (!box) throw new Error('the latent image has no box')
    await image.click({ position: { x: 2, y: 2 } })
    await image.click({ position: { x: box.width - 2, y: box.height - 2 } })
    await expect.poll(() => page.getByTestId('latent-pin-A').textContent()).toContain('cell (0, 0)')
    await expect.poll(() => page.getByTestId('latent-pin-B').textContent()).toContain('cell (7, 7)')
    await page.getByTestId('latent-field-steps').fill('5')
    await page.getByTestId('latent-interpolate').click()
    for (const id of ['latent-lerp', 'latent-slerp']) {
      const strip = page.getByTestId(id)
      await strip.waitFor({ timeout: 60_000 })
      await expect
        .poll(() => strip.evaluate((img: HTMLImageElement) => (img.complete ? [img.naturalWidth, img.naturalHeight] : null)))
        .toEqual([5 * 28 + 6, 28 + 2])
    }
    await image.click({ position: { x: box.width / 2, y: 2 } })
    await page.getByTestId('latent-arithmetic').click()
    const sum = page.getByTestId('latent-sum')
    await sum.waitFor({ timeout: 60_000 })
    await expect.poll(() => sum.evaluate((img: HTMLImageElement) => (img.complete ? [img.naturalWidth, img.naturalHeight] : null))).toEqual([30, 30])
    await page.getByTestId('latent-pins-clear').click()
    await expect.poll(() => page.getByTestId('latent-pins').count()).toBe(0)
  })

  it('refuses a negative learning rate in the form, naming the field', async () => {
    await page.getByTestId('new-run').click()
    await page.getByTestId('field-optimizerD.lr').fill('-0.1')
    await expect.poll(() => page.getByTestId('error-optimizerD.lr').textContent()).toContain('greater than 0')
    expect(await page.getByTestId('submit-run').isDisabled()).toBe(true)
    await page.getByTestId('field-optimizerD.lr').fill('0.0002')
  })

  it('starts a run from the form and the progress bar and charts move', async () => {
    await page.getByTestId('field-preset').selectOption('mnist-mlp')
    await page.getByTestId('field-name').fill('from the browser')
    await page.getByTestId('field-batchSize').fill('32')
    await page.getByTestId('field-epochs').fill('2')
    await page.getByTestId('field-stepsPerEpoch').fill('150')
    await page.getByTestId('field-backend').selectOption('wasm')
    await page.getByTestId('submit-run').click()
    await page.getByTestId('run-view').waitFor()
    const progress = page.getByTestId('progress-bar')
    await expect.poll(async () => Number(await progress.getAttribute('data-step')), { timeout: 60_000 }).toBeGreaterThan(0)
    const firstStep = Number(await progress.getAttribute('data-step'))
    await expect.poll(async () => Number(await progress.getAttribute('data-step')), { timeout: 60_000 }).toBeGreaterThan(firstStep)
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toContain('completed')
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(300)
    const runs = lab.runs.list()
    expect(runs.find((r) => r.name === 'from the browser')).toMatchObject({ status: 'completed', stepsDone: 300, epochsDone: 2 })
  })
  it('renames and tags a run, filters the list by the tag, and downloads its metrics as CSV', async () => {
    await page.getByTestId(`run-row-${trainedId}`).click()
    await page.getByTestId('run-name').click()
    await page.getByTestId('rename-input').fill('headless, "renamed"')
    await page.getByTestId('rename-input').press('Enter')
    await expect.poll(() => page.getByTestId('run-name').textContent()).toBe('headless, "renamed"')
    await page.getByTestId('new-tag').fill('e2e-tag')
    await page.getByTestId('new-tag').press('Enter')
    await page.getByTestId('tag-e2e-tag').waitFor()
    expect(lab.runs.get(trainedId)).toMatchObject({ name: 'headless, "renamed"', tags: ['e2e-tag'] })

    await page.getByTestId('runs-filter').fill('e2e-tag')
    await expect.poll(() => page.locator('[data-testid^="run-row-"]').count()).toBe(1)
    await page.getByTestId('runs-filter').fill('')

    await page.getByTestId('export-metrics').click()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
    expect(download.suggestedFilename()).toBe(`run-${trainedId}-metrics.csv`)
    const chunks: Buffer[] = []
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer)
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\r\n')
    expect(lines).toHaveLength(1 + 40)
    expect(lines[1]).toMatch(new RegExp(`^${trainedId},"headless, ""renamed""",1,1,`))
  })
})
