// End to end: the SGD vs Adam pair trained by real trainer processes, compared in Chromium
// against the lab server: two colours of curves, a diff table of exactly the optimizer fields,
// the runs' epoch scores overlaid, and one scrubber that moves both runs' sample grids.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairConfigs, RUN_COLORS } from '@shared/compare'
import type { EpochScores } from '@shared/evaluation'
import { REFERENCE_COLOR } from '@shared/score-curves'
import type { RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { haveChromium, openLabInBrowser, requireChromiumOnCi, type LabInBrowser } from '../helpers/chromium'
import { epochScores } from '../helpers/scores'

/** Opaque pixels of each colour a canvas holds, within `tolerance` (summed RGB distance); runs in the page. */
function inkOf(canvas: HTMLCanvasElement, { colors, tolerance }: { colors: string[]; tolerance: number }): number[] {
  const ctx = canvas.getContext('2d')!
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
  const rgb = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)))
  const counts = colors.map(() => 0)
  for (let i = 0; i < data.length; i += 4) {
    rgb.forEach(([r, g, b], k) => {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < tolerance && data[i + 3] > 200) counts[k]++
    })
  }
  return counts
}

function scoresAt(epoch: number, fid: number): EpochScores {
  return epochScores({ epoch, classifierId: 'mnist-e2e-cls', classifierAccuracy: 0.9, fid, fidFloor: 10, coverage: epoch / 4 })
}

requireChromiumOnCi()

describe.skipIf(!haveChromium)('compare view in a browser', () => {
  let lab: Lab
  let server: RunningLabServer
  let browserLab: LabInBrowser
  let page: Page
  let ids: number[]
  const shownEpoch = async (): Promise<string | undefined> => (await page.getByTestId('compare-epoch-shown').textContent())?.trim()

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-compare-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const tiny = pairConfigs('sgd-vs-adam', 'mnist-mlp', 11).map((c) => ({ ...c, epochs: 3, stepsPerEpoch: 8, batchSize: 16, backend: 'wasm' as const }))
    const pair = lab.startPair([tiny[0], tiny[1]])
    ids = pair.map((r) => r.id)
    for (const id of ids) expect((await lab.waitForEnd(id)).status).toBe('completed')
    // Epoch scores as the evaluation job stores them (scoring needs a trained classifier; the
    // evaluation suite covers that): the compare view charts what epoch_scores holds.
    ids.forEach((id, k) => {
      for (const epoch of [1, 2, 3]) lab.evaluation.repo.insertScores(id, scoresAt(epoch, [[80, 40, 50], [90, 70, 60]][k][epoch - 1]))
      lab.evaluation.repo.setEvaluation(id, { bestBy: 'fid', bestEpoch: k === 0 ? 2 : 3, bestValue: null, flags: [] })
    })
    browserLab = await openLabInBrowser(lab)
    ;({ server, page } = browserLab)
  })

  afterAll(async () => {
    await browserLab?.close()
    lab?.close()
  })

  it('compares the two runs ticked in the list: two colours, the optimizer fields, one scrubber', async () => {
    for (const id of ids) await page.getByTestId(`compare-pick-${id}`).check()
    await page.getByTestId('compare-picked').click()
    await page.getByTestId('compare-view').waitFor()
    expect(new URL(page.url()).hash).toBe(`#/compare?runs=${ids.join(',')}`)

    const chart = page.getByTestId('compare-chart-gLoss')
    expect(await chart.getAttribute('data-colors')).toBe(`${RUN_COLORS[0]},${RUN_COLORS[1]}`)
    await expect.poll(async () => (await chart.getAttribute('data-points'))?.split(',').map(Number), { timeout: 20_000 }).toEqual([24, 24])
    // Both curves are really drawn, each in its run's colour: count the canvas pixels of each.
    const inked = await chart.locator('canvas').evaluate(inkOf, { colors: [RUN_COLORS[0], RUN_COLORS[1]], tolerance: 60 })
    expect(inked[0]).toBeGreaterThan(50)
    expect(inked[1]).toBeGreaterThan(50)

    const rows = await page.locator('[data-testid="config-diff"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))
    expect(rows).toEqual(['diff-row-optimizerD.kind', 'diff-row-optimizerD.lr', 'diff-row-optimizerG.kind', 'diff-row-optimizerG.lr'])

    // The runs' FID by epoch: a curve per run and the floor, each run's best epoch starred, all drawn.
    const scores = page.getByTestId('compare-score-chart')
    await expect.poll(() => scores.getAttribute('data-lines')).toBe('3,3,3')
    expect(await page.getByTestId('compare-score-curves').getAttribute('data-best')).toBe(`${ids[0]}:2,${ids[1]}:3`)
    expect(await page.getByTestId(`compare-score-curve-${ids[0]}`).textContent()).toContain('(500 real / 500 generated, mnist-e2e-cls) · ★ best epoch 2')
    // Tight for the floor's grey, which the axes' #666 text is otherwise close to.
    const scoreInk = await scores.locator('canvas').evaluate(inkOf, { colors: [RUN_COLORS[0], RUN_COLORS[1], REFERENCE_COLOR], tolerance: 20 })
    for (const count of scoreInk) expect(count).toBeGreaterThan(30)
    await page.getByTestId('compare-score-metric').selectOption('coverage')
    await expect.poll(() => scores.getAttribute('data-lines')).toBe('3,3')
    expect(new URL(page.url()).hash).toBe(`#/compare?runs=${ids.join(',')}&score=coverage`)
    await page.getByTestId('compare-score-metric').selectOption('fid')

    const grid = (id: number) => page.getByTestId(`compare-grid-${id}`)
    const src = (id: number) => grid(id).locator('img').getAttribute('src')
    await expect.poll(shownEpoch).toBe('epoch 3 / 3')
    await expect.poll(() => src(ids[0])).toMatch(/^data:image\/png;base64,/)
    const last = [await src(ids[0]), await src(ids[1])]
    expect(last[0]).not.toBe(last[1])

    await page.getByTestId('compare-epoch-scrubber').fill('0')
    await expect.poll(shownEpoch).toBe('epoch 1 / 3')
    for (const id of ids) expect(await grid(id).getAttribute('data-epoch')).toBe('1')
    await expect.poll(() => src(ids[0])).not.toBe(last[0])
    await expect.poll(() => src(ids[1])).not.toBe(last[1])

    // Play walks both grids forward together and stops at the last epoch, where it started from.
    await page.getByTestId('compare-play').click()
    await expect.poll(shownEpoch, { timeout: 10_000 }).toBe('epoch 3 / 3')
    await expect.poll(() => page.getByTestId('compare-play').textContent()).toContain('Play')
    for (const id of ids) expect(await grid(id).getAttribute('data-epoch')).toBe('3')
    expect([await src(ids[0]), await src(ids[1])]).toEqual(last)
    expect(new URL(page.url()).hash).toBe(`#/compare?runs=${ids.join(',')}&epoch=3`)
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

  it('starts the SGD vs Adam pair from the form: both runs train at once and the view follows them', async () => {
    await page.getByTestId('compare-close').click()
    await page.getByTestId('new-run').click()
    await page.getByTestId('field-preset').selectOption('mnist-mlp')
    await page.getByTestId('field-epochs').fill('2')
    await page.getByTestId('field-stepsPerEpoch').fill('6')
    await page.getByTestId('field-batchSize').fill('8')
    await page.getByTestId('field-backend').selectOption('wasm')
    await page.getByTestId('field-seed').fill('5')
    // Which runs are training, from the lab's own events: both at once means two trainer processes.
    const training = new Set<number>()
    let together = 0
    const off = lab.subscribe((e) => {
      if (e.event !== 'runs:changed') return
      const run = e.payload
      if (run.status === 'running') training.add(run.id)
      else training.delete(run.id)
      together = Math.max(together, training.size)
    })
    await page.getByTestId('start-pair').click()
    await page.getByTestId('compare-view').waitFor()
    const pair = new URL(page.url()).hash.match(/runs=(\d+),(\d+)/)!.slice(1).map(Number)
    expect(pair.every((id) => !ids.includes(id))).toBe(true)
    expect(lab.runs.list().filter((r) => pair.includes(r.id)).map((r) => r.seed)).toEqual([5, 5])
    await Promise.all(pair.map((id) => lab.waitForEnd(id)))
    off()
    expect(together).toBe(2)
    for (const id of pair) {
      await expect.poll(() => page.getByTestId(`compare-status-${id}`).getAttribute('data-status')).toBe('completed')
      await expect.poll(async () => (await page.getByTestId(`compare-progress-${id}`).textContent())?.trim()).toBe('epoch 2/2')
    }
    await expect.poll(() => page.getByTestId('compare-chart-gLoss').getAttribute('data-points')).toBe('12,12')
    await expect.poll(shownEpoch).toBe('epoch 2 / 2')
    const rows = await page.locator('[data-testid="config-diff"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))
    expect(rows).toEqual(['diff-row-optimizerD.kind', 'diff-row-optimizerD.lr', 'diff-row-optimizerG.kind', 'diff-row-optimizerG.lr'])
  })
})
