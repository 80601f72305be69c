// End to end: figure and generator exports from the run view in Chromium against the lab server.
// A PNG at 3x has three times the pixels of the figure's screen size per side, grid tiles keep
// their pixels (nearest-neighbour), SVG and PDF arrive as files, and the generator comes as a zip.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import type { Download, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FigureExport } from '@shared/api'
import { pairConfigs, RUN_COLORS } from '@shared/compare'
import { PX_PER_PT, pngSize, toPoints } from '@shared/figure'
import { dispatch } from '../../src/main/services/dispatch'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { parseIdx } from '../../src/main/common/idx'
import { decodePng } from '../../src/main/common/grid'
import { haveChromium, openLabInBrowser, requireChromiumOnCi, type LabInBrowser } from '../helpers/chromium'

requireChromiumOnCi()

describe.skipIf(!haveChromium)('exports in a browser', () => {
  let env: LabInBrowser
  let lab: Lab
  let page: Page
  let runId: number
  let ids: number[] = []

  beforeAll(async () => {
    lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'e2e-exports-')), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
    const tiny = pairConfigs('sgd-vs-adam', 'mnist-mlp', 5).map((c) => ({ ...c, epochs: 2, stepsPerEpoch: 8, batchSize: 16, backend: 'wasm' as const }))
    ids = lab.startPair([tiny[0], tiny[1]]).map((r) => r.id)
    for (const id of ids) expect((await lab.waitForEnd(id)).status).toBe('completed')
    env = await openLabInBrowser(lab)
    page = env.page
    runId = ids[1]
    await page.getByTestId(`run-row-${runId}`).click()
    await page.getByTestId('export-loss-figure').waitFor()
  })

  afterAll(async () => {
    await env?.close()
    lab?.close()
  })

  async function download(click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
    const [file] = await Promise.all([page.waitForEvent('download'), click()]) as [Download, void]
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) }
  }

  /** The figure the back end lays out for the same request, to know where its tiles are. */
  async function figureOf(figure: unknown, scale: number): Promise<Extract<FigureExport, { format: 'png' }>> {
    const res = await dispatch(lab.handlers, 'figures:export', { figure, format: 'png', size: { width: 8.5, unit: 'cm', fontPt: 8 }, scale })
    if (!res.ok) throw new Error(res.error.message)
    const file = res.data as FigureExport
    if (file.format !== 'png') throw new Error('expected a png figure')
    return file
  }

  it('saves the loss chart as PNG at 1x and 3x, and as SVG and PDF', async () => {
    const menu = page.getByTestId('export-loss-figure')
    await menu.getByTestId('figure-toggle').click()
    await menu.getByTestId('figure-scale').fill('1')
    const one = await download(() => menu.getByTestId('figure-png').click())
    await menu.getByTestId('figure-scale').fill('3')
    const three = await download(() => menu.getByTestId('figure-png').click())
    expect(three.name).toBe(`run-${runId}-loss@3x.png`)
    const figure = (await figureOf({ kind: 'chart', ids: [runId], chart: 'loss' }, 1)).figure
    const screen = { width: Math.round(figure.width * PX_PER_PT), height: Math.round(figure.height * PX_PER_PT) }
    expect(pngSize(one.bytes)).toEqual(screen)
    const big = pngSize(three.bytes)!
    expect(Math.abs(big.width - 3 * screen.width)).toBeLessThanOrEqual(1)
    expect(Math.abs(big.height - 3 * screen.height)).toBeLessThanOrEqual(1)
    // Drawn, not blank: the curves' colours are in the image.
    const png = decodePng(three.bytes)
    let green = 0
    for (let i = 0; i < png.rgba.length; i += 4) if (png.rgba[i] < 60 && png.rgba[i + 1] > 120 && png.rgba[i + 2] < 120) green++
    expect(green).toBeGreaterThan(100)
    await expect.poll(() => menu.getByTestId('figure-saved').textContent()).toContain(`${big.width}×${big.height} px`)

    const svg = await download(() => menu.getByTestId('figure-svg').click())
    expect(svg.name).toBe(`run-${runId}-loss.svg`)
    expect(svg.bytes.toString('utf8')).toMatch(/<path d="M[^"]{60,}" fill="none" stroke="#16a34a"/)
    const pdf = await download(() => menu.getByTestId('figure-pdf').click())
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  })

  it('saves a row of grids as PNG with every tile pixel one of the grid pixels (nearest-neighbour)', async () => {
    const menu = page.getByTestId('export-grid-figure')
    await menu.getByTestId('figure-toggle').click()
    await menu.getByTestId('grid-row-epochs').fill('1, 2')
    await menu.getByTestId('figure-scale').fill('3')
    const file = await download(() => menu.getByTestId('figure-png').click())
    const png = decodePng(file.bytes)
    const { figure } = await figureOf({ kind: 'grid-row', id: runId, epochs: [1, 2] }, 3)
    const k = png.width / figure.width
    const tiles = figure.items.filter((i) => i.kind === 'image')
    expect(tiles).toHaveLength(2)
    tiles.forEach((tile, t) => {
      const source = decodePng(Buffer.from(lab.metrics.grid(runId, t + 1)!.png))
      const values = new Set<number>()
      for (let i = 0; i < source.rgba.length; i += 4) values.add(source.rgba[i])
      let outside = 0
      let checked = 0
      // Inner pixels only: the tile's outermost screen pixels may blend with the white page.
      for (let y = Math.ceil(tile.y * k) + 2; y < Math.floor((tile.y + tile.height) * k) - 2; y += 3) {
        for (let x = Math.ceil(tile.x * k) + 2; x < Math.floor((tile.x + tile.width) * k) - 2; x += 3) {
          checked++
          if (!values.has(png.rgba[(y * png.width + x) * 4])) outside++
        }
      }
      expect(checked).toBeGreaterThan(1000)
      expect(outside).toBe(0)
    })
  })

  it('downloads the generator with generated samples as a zip in the browser', async () => {
    const menu = page.getByTestId('generator-export-menu')
    await menu.getByTestId('generator-toggle').click()
    await menu.getByTestId('generator-samples').fill('5')
    const file = await download(() => menu.getByTestId('generator-export').click())
    const stem = `run-${runId}-epoch-2-generator`
    expect(file.name).toBe(`${stem}.zip`)
    const zip = unzipSync(file.bytes)
    expect(Object.keys(zip).filter((n) => n.startsWith(`${stem}/samples/`))).toHaveLength(5)
    expect(parseIdx(zip[`${stem}/samples-images-idx3-ubyte`], 'samples', 3).dims).toEqual([5, 28, 28])
    expect(JSON.parse(new TextDecoder().decode(zip[`${stem}/generator/model.json`])).format).toBe('layers-model')
    await expect.poll(() => menu.getByTestId('generator-result').textContent()).toBe(`Saved ${stem}.zip (9 files)`)
  })

  it('saves the comparison figure from the compare view: both grids, both colours, legend labels from the settings that differ', async () => {
    await page.goto(`${env.server.url}#/compare?runs=${ids.join(',')}`)
    const menu = page.getByTestId('export-comparison-figure')
    await menu.getByTestId('figure-toggle').click()
    await menu.getByTestId('figure-width').fill('17')
    const svg = await download(() => menu.getByTestId('figure-svg').click())
    expect(svg.name).toBe(`comparison-${ids.join('-')}.svg`)
    const text = svg.bytes.toString('utf8')
    expect(text.match(/<image /g)).toHaveLength(2)
    for (const color of RUN_COLORS.slice(0, 2)) expect(text).toMatch(new RegExp(`<path d="M[^"]{60,}" fill="none" stroke="${color}"`))
    const words = [...text.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' ')
    // The pair's SGD run uses momentum (PAIR_SGD): the legend says so in words, the caption names what differs.
    expect(words).toContain('Adam, lr 2e-4, β1 0.5')
    expect(words).toMatch(/SGD\+momentum, lr [\d.e-]+ \(D\) \/ [\d.e-]+ \(G\), momentum 0\.9/)
    expect(words).toContain('that differ in optimizer, learning rate, β1 and momentum')
    expect(words).not.toContain('optimizerD.')
    expect(text).toContain('width="481.89pt"')
    await menu.getByTestId('figure-scale').fill('2')
    const png = await download(() => menu.getByTestId('figure-png').click())
    expect(pngSize(png.bytes)?.width).toBe(Math.round(481.89 * PX_PER_PT * 2))
    await page.keyboard.press('Escape')
    await menu.getByTestId('figure-svg').waitFor({ state: 'detached' })
  })

  it('saves the comparison figure at 8.5 cm as a PDF at most 12 cm tall with the font embedded, β1 as text and nothing under 6 pt; the menu previews it', async () => {
    await page.goto(`${env.server.url}#/compare?runs=${ids.join(',')}`)
    const menu = page.getByTestId('export-comparison-figure')
    await menu.getByTestId('figure-toggle').click()
    await menu.getByTestId('figure-width').fill('8.5')
    await menu.getByTestId('figure-preview').waitFor()
    await expect.poll(() => menu.getByTestId('figure-preview-size').textContent()).toMatch(/^8\.5 × \d+(\.\d)? cm$/)
    const previewCm = Number((await menu.getByTestId('figure-preview-size').textContent())!.split('×')[1].replace('cm', ''))
    expect(previewCm).toBeLessThanOrEqual(12)
    const pdf = await download(() => menu.getByTestId('figure-pdf').click())
    const dir = mkdtempSync(join(tmpdir(), 'e2e-pdf-'))
    const file = join(dir, pdf.name)
    writeFileSync(file, pdf.bytes)
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
    expect(fonts).toMatch(/\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/)
    expect(execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' })).toContain('β1 0.5')
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.bytes.toString('latin1'))!
    expect(Number(box[1])).toBeCloseTo(toPoints(8.5, 'cm'), 1)
    expect(Number(box[2])).toBeLessThanOrEqual(toPoints(12, 'cm'))
    const { figure } = await figureOf({ kind: 'comparison', ids }, 1)
    expect(figure.height).toBeCloseTo(Number(box[2]), 1)
    expect(Math.min(...figure.items.flatMap((i) => (i.kind === 'text' ? [i.size] : [])))).toBeGreaterThanOrEqual(6)
    // Escape closes the menu.
    await page.keyboard.press('Escape')
    await menu.getByTestId('figure-pdf').waitFor({ state: 'detached' })
  })
})
