// End to end: a run scored by real trainer processes with a (tiny) reference classifier,
// seen in Chromium against the lab server: the classifier's accuracy, the scores table with
// its sample counts, the best epoch in the panel and the runs list, and scoring on demand.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { classifierTrainSchema } from '@shared/evaluation'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi } from '../helpers/chromium'

requireChromiumOnCi()

describe.skipIf(!haveChromium)('sample quality in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browser: Browser
  let page: Page
  let id: number

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-evaluation-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const trained = new Promise<void>((done) => lab.subscribe((e) => e.event === 'classifier:changed' && done()))
    lab.evaluation.train(classifierTrainSchema.parse({ arch: { convFilters: [4], denseUnits: 16 }, epochs: 1, trainCount: 1000, testCount: 200, backend: 'wasm' }))
    await trained
    const run = lab.startRun({
      ...PRESETS['mnist-mlp'].defaults,
      name: 'scored in the browser',
      seed: 4,
      epochs: 2,
      stepsPerEpoch: 8,
      batchSize: 16,
      backend: 'wasm',
      evaluation: { every: 1, samples: 100, bestBy: 'fid', earlyStopOn: [] }
    })
    id = run.id
    expect((await lab.waitForEnd(id)).status).toBe('completed')
    await Promise.all([lab.evaluation.score(id, 1), lab.evaluation.score(id, 2)])
    ;({ server, browser, page } = await openLabInBrowser(lab))
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    lab?.close()
  })

  it('shows the classifier, the scores with their counts, the best epoch, and scores a checkpoint on demand', async () => {
    const scores = lab.evaluation.repo.scores(id)
    const best = scores[0].fid <= scores[1].fid ? 1 : 2
    await expect.poll(() => page.getByTestId(`run-best-${id}`).textContent()).toBe(`★${best}`)
    await page.getByTestId(`run-row-${id}`).click()
    await page.getByTestId('evaluation-panel').waitFor()
    const accuracy = (lab.evaluation.classifier()!.testAccuracy * 100).toFixed(1)
    await expect.poll(() => page.getByTestId('classifier-info').textContent()).toContain(`${accuracy}% test accuracy (200 test images`)
    await expect.poll(() => page.getByTestId('best-epoch').textContent()).toContain(`Best epoch ${best} by Classifier FID`)
    for (const epoch of [1, 2]) expect(await page.getByTestId(`score-row-${epoch}`).textContent()).toContain('100 / 100')
    expect(await page.getByTestId('score-chart-fid').getAttribute('data-points')).toBe('2')

    await page.getByTestId('score-epoch-select').selectOption('1')
    await page.getByTestId('score-epoch').click()
    await expect.poll(() => lab.evaluation.repo.scores(id)[0].createdAt, { timeout: 60_000 }).toBeGreaterThan(scores[0].createdAt)
    await expect.poll(() => page.getByTestId('score-row-1').textContent()).toContain(lab.evaluation.repo.scores(id)[0].fid.toFixed(2))
  }, 90_000)
})
