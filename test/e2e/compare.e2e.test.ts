// End to end: the SGD vs Adam pair trained by real trainer processes, compared in Chromium
// against the lab server: two colours of curves, a diff table of exactly the optimizer fields,
// and one scrubber that moves both runs' sample grids.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairConfigs, RUN_COLORS } from '@shared/compare'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import type { Lab } from '../../src/main/services/lab'
import { haveChromium, requireChromiumOnCi, startBrowserLab, type BrowserLab } from '../helpers/chromium'

requireChromiumOnCi()

describe.skipIf(!haveChromium)('compare view in a browser', () => {
  let env: BrowserLab
  let lab: Lab
  let server: RunningLabServer
  let page: Page
  let ids: number[] = []

  beforeAll(async () => {
    env = await startBrowserLab('compare', async (l) => {
      const tiny = pairConfigs('sgd-vs-adam', 'mnist-mlp', 11).map((c) => ({ ...c, epochs: 3, stepsPerEpoch: 8, batchSize: 16, backend: 'wasm' as const }))
      ids = l.startPair([tiny[0], tiny[1]]).map((r) => r.id)
      for (const id of ids) expect((await l.waitForEnd(id)).status).toBe('completed')
    })
    ;({ lab, server, page } = env)
  })

  afterAll(async () => env?.close())

  it('compares the two runs ticked in the list: two colours, the optimizer fields, one scrubber', async () => {
    for (const id of ids) await page.getByTestId(`compare-pick-${id}`).check()
    await page.getByTestId('compare-picked').click()
    await page.getByTestId('compare-view').waitFor()
    expect(new URL(page.url()).hash).toBe(`#/compare?runs=${ids.join(',')}`)

    const chart = page.getByTestId('compare-chart-gLoss')
    expect(await chart.getAttribute('data-colors')).toBe(`${RUN_COLORS[0]},${RUN_COLORS[1]}`)
    await expect.poll(async () => (await chart.getAttribute('data-points'))?.split(',').map(Number)).toEqual([24, 24])

    const rows = await page.locator('[data-testid="config-diff"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))
    expect(rows).toEqual(['diff-row-optimizerD.kind', 'diff-row-optimizerD.lr', 'diff-row-optimizerG.kind', 'diff-row-optimizerG.lr'])

    const grid = (id: number) => page.getByTestId(`compare-grid-${id}`)
    const src = (id: number) => grid(id).locator('img').getAttribute('src')
    await expect.poll(() => page.getByTestId('compare-epoch').textContent()).toBe('epoch 3')
    await expect.poll(() => src(ids[0])).toMatch(/^data:image\/png;base64,/)
    const last = [await src(ids[0]), await src(ids[1])]
    expect(last[0]).not.toBe(last[1])

    await page.getByTestId('compare-scrubber').fill('0')
    await expect.poll(() => page.getByTestId('compare-epoch').textContent()).toBe('epoch 1')
    for (const id of ids) expect(await grid(id).getAttribute('data-epoch')).toBe('1')
    await expect.poll(() => src(ids[0])).not.toBe(last[0])
    await expect.poll(() => src(ids[1])).not.toBe(last[1])
  })

  it('reopens the comparison from its link, saved by name', async () => {
    await page.getByTestId('compare-save-name').fill('SGD vs Adam, seed 11')
    await page.getByTestId('compare-save').click()
    await page.getByTestId('saved-comparisons').waitFor()
    expect(lab.comparisons.list()).toMatchObject([{ name: 'SGD vs Adam, seed 11', runIds: ids }])
    await page.getByTestId('compare-close').click()
    await page.goto(`${server.url}#/compare?runs=${[...ids].reverse().join(',')}`)
    await page.getByTestId('compare-view').waitFor()
    expect(await page.getByTestId(`compare-run-${ids[1]}`).getAttribute('data-color')).toBe(RUN_COLORS[0])
  })
})
