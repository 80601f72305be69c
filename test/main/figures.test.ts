// @vitest-environment jsdom
// Figures for write-ups: built from a Lab's records, written as SVG (parsed back as XML) and
// PDF (its content streams inflated and read for path and text operators).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema } from '@shared/config'
import type { FigureExport } from '@shared/api'
import { DEFAULT_FIGURE_SIZE, figureSizeSchema, layoutFigure, niceTicks, pngSize, textWidth, toPoints, type Figure } from '@shared/figure'
import { figureToSvg } from '@shared/figure-svg'
import type { EpochScores } from '@shared/evaluation'
import type { StepRow } from '@shared/metrics'
import { dispatch } from '../../src/main/services/dispatch'
import { figureToPdf } from '../../src/main/services/figure-pdf'
import type { Lab } from '../../src/main/services/lab'
import { useTempLabs } from '../helpers/lab'
import { encodePng, tileImages } from '../../src/main/common/grid'
import { epochScores } from '../helpers/scores'
import { figureFontMetricsSource } from '../../scripts/figure-font-metrics'

const { newLab } = useTempLabs('figures')

/** A 2x2 grid of 4x4 tiles whose pixels depend on the epoch. */
function gridPng(epoch: number): Buffer {
  const values = Float32Array.from({ length: 4 * 16 }, (_, i) => ((i * epoch) % 7) / 3.5 - 1)
  return encodePng(tileImages(values, 4, 4, 4, 1, { rows: 2, cols: 2, pad: 1 }))
}

function stepRows(n: number, perEpoch: number, phase: number): StepRow[] {
  return Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    epoch: Math.floor(i / perEpoch) + 1,
    timeMs: i * 50,
    dLossReal: 0.7 + 0.2 * Math.sin(i / 40 + phase),
    dLossFake: 0.6 + 0.2 * Math.cos(i / 30 + phase),
    gLoss: 1 + 0.5 * Math.sin(i / 70 + phase) + ((i * 7919) % 13) / 50,
    dAccReal: 0.5 + 0.3 * Math.sin(i / 90),
    dAccFake: 0.5 + 0.3 * Math.cos(i / 90),
    wasserstein: null
  }))
}

/** A Lab with runs of `steps` steps and a grid per epoch; the second run uses SGD. */
function labWithRuns(count: number, steps = 3000, perEpoch = 500): { lab: Lab; ids: number[] } {
  const lab = newLab()
  const ids = Array.from({ length: count }, (_, k) => {
    const base = PRESETS['mnist-mlp'].defaults
    const optimizer = k === 1 ? { ...base.optimizerD, kind: 'sgd' as const, lr: 0.01 } : base.optimizerD
    const id = lab.runs.create(runConfigSchema.parse({ ...base, name: `run <${k}> & co`, seed: 7, optimizerD: optimizer, optimizerG: optimizer }))
    lab.metrics.insertSteps(id, stepRows(steps, perEpoch, k))
    for (let e = 1; e <= steps / perEpoch; e++) {
      lab.metrics.insertEpoch(id, {
        epoch: e,
        means: { dLossReal: 0.7, dLossFake: 0.6, gLoss: 1, dAccReal: 0.5, dAccFake: 0.5, wasserstein: null },
        durationMs: 1000,
        imagesPerSec: 100,
        gridPngBase64: gridPng(e).toString('base64'),
        gridRows: 2,
        gridCols: 2,
        checkpointDir: `checkpoints/epoch-${e}`
      })
    }
    return id
  })
  return { lab, ids }
}

async function exportVia(lab: Lab, req: unknown): Promise<FigureExport> {
  const res = await dispatch(lab.handlers, 'figures:export', req)
  if (!res.ok) throw new Error(res.error.message)
  return res.data as FigureExport
}

function bytesOf(file: FigureExport): Buffer {
  if (file.format === 'png') throw new Error('expected a file')
  return Buffer.from(file.base64, 'base64')
}

function parseSvg(text: string): Document {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml')
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0)
  return doc
}

/** The PDF's page content streams (images left out), inflated where compressed. */
function pdfStreams(pdf: Buffer): string[] {
  const out: string[] = []
  const text = pdf.toString('latin1')
  const re = /\d+ 0 obj\s*<<((?:(?!endobj)[^])*?)>>\s*stream\r?\n/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1].includes('/Subtype /Image')) continue
    const start = m.index + m[0].length
    const raw = pdf.subarray(start, text.indexOf('endstream', start))
    out.push(m[1].includes('/FlateDecode') ? inflateSync(raw).toString('latin1') : raw.toString('latin1'))
  }
  return out
}

describe('figure layout helpers', () => {
  it('chooses nice ticks that cover the range', () => {
    expect(niceTicks(0.13, 0.92)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(1, 3000)).toEqual([0, 1000, 2000, 3000])
    expect(niceTicks(-0.3, 0.3, 3)).toEqual([-0.4, -0.2, 0, 0.2, 0.4])
    const flat = niceTicks(2, 2)
    expect(flat[0]).toBeLessThan(2)
    expect(flat[flat.length - 1]).toBeGreaterThan(2)
  })

  it('converts widths to points and refuses sizes no page holds', () => {
    expect(toPoints(1, 'in')).toBe(72)
    expect(toPoints(2.54, 'cm')).toBeCloseTo(72)
    expect(figureSizeSchema.safeParse({ width: 30, unit: 'in', fontPt: 8 }).error?.issues[0]).toMatchObject({ path: ['width'], message: 'must be from 2 to 60 cm (0.79 to 23.6 in)' })
    expect(figureSizeSchema.safeParse({ width: 30, unit: 'cm', fontPt: 8 }).success).toBe(true)
    expect(figureSizeSchema.safeParse({ width: -1, unit: 'cm', fontPt: 8 }).error?.issues.map((i) => i.message)).toEqual(['must be more than 0'])
    expect(figureSizeSchema.safeParse({ width: 8.5, unit: 'cm', fontPt: 2 }).error?.issues[0].message).toBe('must be at least 4 pt')
  })

  it('measures with the widths of the font the PDF embeds (src/shared/figure-font.ts is current: npx tsx scripts/figure-font-metrics.ts)', () => {
    expect(readFileSync(join(__dirname, '../../src/shared/figure-font.ts'), 'utf8')).toBe(figureFontMetricsSource())
  })

  it('measures text in the figure font: DejaVu Sans is wider than a character count at half an em, and bold wider still', () => {
    expect(textWidth('mmmm', 10)).toBeCloseTo(4 * 9.74, 5)
    expect(textWidth('iiii', 10)).toBeCloseTo(4 * 2.78, 5)
    expect(textWidth('β1', 10)).toBeGreaterThan(10)
    expect(textWidth('Losses', 8, true)).toBeGreaterThan(textWidth('Losses', 8))
  })

  it('reads a PNG size from its header and refuses other bytes', () => {
    expect(pngSize(gridPng(1))).toEqual({ width: 11, height: 11 })
    expect(pngSize(Buffer.from('not a png at all, really not'))).toBeNull()
  })
})

describe('figure layout of long runs', () => {
  it('lays out 200,000 points per series without overflowing, thinned to the plot width', () => {
    const points = Array.from({ length: 200_000 }, (_, i) => ({ x: i + 1, y: Math.sin(i / 500) + (i % 7) / 10 }))
    const figure = layoutFigure({ size: DEFAULT_FIGURE_SIZE, title: 't', charts: [{ xLabel: 'step', yLabel: 'loss', series: [{ label: 'g', color: '#16a34a', points }] }] })
    const curve = figure.items.find((i) => i.kind === 'path' && i.stroke === '#16a34a')
    expect(curve?.kind === 'path' && curve.points.length).toBeLessThan(600)
    expect(curve?.kind === 'path' && curve.points.length).toBeGreaterThan(100)
    expect(figureToSvg(figure).length).toBeLessThan(20_000)
  })
})

describe('figures:export', () => {
  it('writes a chart of 3000 steps as a compact SVG with real paths and text', async () => {
    const { lab, ids } = labWithRuns(1)
    const file = await exportVia(lab, { figure: { kind: 'chart', ids, chart: 'loss' }, format: 'svg', size: { width: 8.5, unit: 'cm', fontPt: 8 } })
    expect(file.filename).toBe(`run-${ids[0]}-loss.svg`)
    const svg = bytesOf(file).toString('utf8')
    const doc = parseSvg(svg)
    const root = doc.documentElement
    expect(root.getAttribute('width')).toBe(`${Math.round(toPoints(8.5, 'cm') * 100) / 100}pt`)
    const paths = Array.from(doc.getElementsByTagName('path'))
    const curves = paths.filter((p) => ['#2563eb', '#ea580c', '#16a34a'].includes(p.getAttribute('stroke') ?? '') && (p.getAttribute('d') ?? '').length > 200)
    expect(curves).toHaveLength(3)
    const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent)
    expect(texts).toContain('G loss')
    expect(texts).toContain('step')
    expect(texts).toContain('3k')
    // The caption names the run, its name escaped in the file and intact once parsed.
    expect(svg).toContain('run &lt;0&gt; &amp; co')
    expect(texts.join(' ')).toContain('run <0> & co')
    // 3 series of 3000 points: tens of kilobytes, not megabytes.
    expect(bytesOf(file).length).toBeGreaterThan(5_000)
    expect(bytesOf(file).length).toBeLessThan(60_000)
    // Every coordinate is rounded to at most two decimals.
    for (const p of paths) expect(p.getAttribute('d')).not.toMatch(/\d\.\d{3}/)
  })

  it("charts a WGAN critic's Wasserstein estimate as a figure", async () => {
    const lab = newLab()
    const base = PRESETS['mnist-mlp'].defaults
    const id = lab.runs.create(runConfigSchema.parse({ ...base, name: 'critic', seed: 7, tricks: { ...base.tricks, loss: 'wgan' } }))
    lab.metrics.insertSteps(id, stepRows(600, 300, 0).map((r) => ({ ...r, dAccReal: null, dAccFake: null, wasserstein: 0.1 + r.step / 1000 })))
    const file = await exportVia(lab, { figure: { kind: 'chart', ids: [id], chart: 'wasserstein' }, format: 'svg' })
    const doc = parseSvg(bytesOf(file).toString('utf8'))
    const curves = Array.from(doc.getElementsByTagName('path')).filter((p) => p.getAttribute('stroke') === '#7c3aed' && (p.getAttribute('d') ?? '').length > 200)
    expect(curves).toHaveLength(1)
    const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent)
    expect(texts.join(' ')).toContain('Wasserstein estimate (critic) of run “critic” (mnist-mlp; Adam, lr 2e-4, β1 0.5; seed 7): Wasserstein estimate against step, unsmoothed.')
  })

  it('writes the same chart as a PDF with vector path and text operators', async () => {
    const { lab, ids } = labWithRuns(2)
    const file = await exportVia(lab, { figure: { kind: 'chart', ids, chart: 'accuracy', xAxis: 'epoch' }, format: 'pdf', size: { width: 3.5, unit: 'in', fontPt: 9 } })
    const pdf = bytesOf(file)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 252 [\d.]+\]/)
    const content = pdfStreams(pdf).join('\n')
    expect(content).toMatch(/[\d.]+ [\d.]+ m\n/)
    expect((content.match(/ l\n/g) ?? []).length).toBeGreaterThan(500)
    expect(content).toMatch(/\bBT\b[^]*\bTJ\b[^]*\bET\b/)
    expect(bytesOf(file).length).toBeLessThan(120_000)
    expect(pdf.toString('latin1')).toContain('DejaVuSans')
    expect(pdf.toString('latin1')).not.toContain('/Helvetica')
  })

  it('embeds the figure font in a PDF: pdffonts lists DejaVu Sans embedded, and β, superscripts, minus and middle dot come back out as text', async () => {
    const caption = 'Adam, lr 2·10⁻⁴, β1 0.5 vs SGD, lr 10⁻² (x² − 1)'
    const figure = layoutFigure({
      size: DEFAULT_FIGURE_SIZE,
      title: 'β1 title',
      charts: [{ title: 'Losses', xLabel: 'step', yLabel: 'loss', series: [{ label: 'Adam, β1 0.5', color: '#2563eb', points: [{ x: 1, y: 1 }, { x: 2, y: 0.5 }] }] }],
      legend: [{ label: 'Adam, β1 0.5', color: '#2563eb' }],
      caption
    })
    const dir = mkdtempSync(join(tmpdir(), 'figure-font-'))
    const file = join(dir, 'figure.pdf')
    writeFileSync(file, await figureToPdf(figure))
    // "name type encoding emb sub uni object ID": both weights, embedded as subsets with a Unicode map.
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean)
    expect(fonts.map((l) => l.split(/\s+/)[0].replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold'])
    for (const line of fonts) expect(line).toMatch(/\byes\s+yes\s+yes\s+\d+\s+\d+\s*$/)
    const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' })
    expect(text).toContain('β1 0.5')
    expect(text).toContain('2·10⁻⁴')
    expect(text).toContain('x² − 1')
    expect(text).not.toContain('?')
  })

  it('lays out a row of grids over chosen epochs with labels, as SVG with embedded sharp PNG tiles and as PDF images', async () => {
    const { lab, ids } = labWithRuns(1)
    const svgFile = await exportVia(lab, { figure: { kind: 'grid-row', id: ids[0], epochs: [6, 1, 3] }, format: 'svg' })
    const doc = parseSvg(bytesOf(svgFile).toString('utf8'))
    const images = Array.from(doc.getElementsByTagName('image'))
    expect(images).toHaveLength(3)
    expect(images.map((i) => i.getAttribute('href'))).toEqual([1, 3, 6].map((e) => `data:image/png;base64,${gridPng(e).toString('base64')}`))
    expect(images.every((i) => i.getAttribute('image-rendering') === 'pixelated')).toBe(true)
    const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent)
    expect(texts.slice(0, 3)).toEqual(['epoch 1', 'epoch 3', 'epoch 6'])

    const unlabelled = await exportVia(lab, { figure: { kind: 'grid-row', id: ids[0], epochs: [2], labels: false, caption: false }, format: 'svg' })
    expect(parseSvg(bytesOf(unlabelled).toString('utf8')).getElementsByTagName('text')).toHaveLength(0)

    const pdf = bytesOf(await exportVia(lab, { figure: { kind: 'grid-row', id: ids[0], epochs: [1, 2] }, format: 'pdf' }))
    expect(pdfStreams(pdf).join('\n').match(/\/I\d+ Do/g)).toHaveLength(2)
  })

  it('refuses epochs without a grid, naming the ones that exist', async () => {
    const { lab, ids } = labWithRuns(1, 1000, 500)
    const res = await dispatch(lab.handlers, 'figures:export', { figure: { kind: 'grid-row', id: ids[0], epochs: [1, 9] }, format: 'svg' })
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.error.code).toBe('NOT_FOUND')
      expect(res.error.message).toBe(`Run ${ids[0]} has no sample grid for epoch 9 (it has grids for epochs 1, 2)`)
    }
    const bad = await dispatch(lab.handlers, 'figures:export', { figure: { kind: 'chart', ids, chart: 'loss' }, format: 'gif' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.issues?.[0].field).toBe('format')
    const missing = await dispatch(lab.handlers, 'figures:export', { figure: { kind: 'chart', ids: [999], chart: 'loss' }, format: 'svg' })
    expect(!missing.ok && missing.error.message).toBe('There is no run 999')
  })

  it('composes a comparison as small multiples: grids beside the curves, a shared legend of the settings that differ, a caption in words', async () => {
    const { lab, ids } = labWithRuns(2)
    const file = await exportVia(lab, { figure: { kind: 'comparison', ids, epoch: 4, metrics: ['gLoss', 'dLossReal'] }, format: 'svg', size: { width: 17, unit: 'cm', fontPt: 8 } })
    const doc = parseSvg(bytesOf(file).toString('utf8'))
    expect(doc.getElementsByTagName('image')).toHaveLength(2)
    const texts = Array.from(doc.getElementsByTagName('text'))
    // Run 0 keeps the preset's Adam, run 1 trains with SGD: the grids' labels in the runs' colours.
    const tileLabels = texts.filter((t) => t.getAttribute('fill') !== '#222222')
    expect(tileLabels.map((t) => [t.textContent, t.getAttribute('fill')])).toEqual([
      ['Adam, lr 2e-4, β1 0.5', '#2563eb'],
      ['SGD, lr 0.01', '#dc2626']
    ])
    const blue = Array.from(doc.getElementsByTagName('path')).filter((p) => p.getAttribute('stroke') === '#2563eb' && (p.getAttribute('d') ?? '').length > 200)
    expect(blue).toHaveLength(2)
    const all = texts.map((t) => t.textContent)
    expect(all).toEqual(expect.arrayContaining(['Adam, lr 2e-4, β1 0.5', 'SGD, lr 0.01']))
    const caption = all.join(' ')
    expect(caption).toContain('Comparison of 2 runs that differ in optimizer, learning rate and β1 (legend).')
    expect(caption).toContain("samples from each run's fixed latent batch at epoch 4")
    expect(caption).toContain('Curves: G loss and D loss (real) against step, unsmoothed.')
    expect(caption).not.toMatch(/optimizer[DG]\.|run <0>/)

    const png = await exportVia(lab, { figure: { kind: 'comparison', ids }, format: 'png', scale: 3 })
    expect(png.format).toBe('png')
    if (png.format === 'png') {
      expect(png.scale).toBe(3)
      expect(png.filename).toBe(`comparison-${ids.join('-')}@3x.png`)
      const figure: Figure = png.figure
      expect(figure.width).toBeCloseTo(toPoints(8.5, 'cm'), 1)
      expect(figure.items.filter((i) => i.kind === 'image')).toHaveLength(2)
    }
  })

  it('fits a comparison in one column (8.5 cm) or the page width (17 cm), at most 12 cm tall, no text under 6 pt, no empty cell, metrics in one order', async () => {
    const { lab, ids } = labWithRuns(4)
    for (const width of [8.5, 17]) {
      for (const n of [2, 4]) {
        for (const metrics of [['dLossFake', 'gLoss', 'dLossReal'], ['dLossReal'], ['gLoss', 'dLossReal', 'dLossFake', 'dAccReal', 'dAccFake']]) {
          const png = await exportVia(lab, { figure: { kind: 'comparison', ids: ids.slice(0, n), metrics }, format: 'png', size: { width, unit: 'cm', fontPt: 8 } })
          if (png.format !== 'png') throw new Error('expected a figure')
          const { figure } = png
          const what = `${n} runs, ${metrics.length} metrics at ${width} cm`
          expect(figure.height, what).toBeLessThanOrEqual(toPoints(12, 'cm'))
          const texts = figure.items.flatMap((i) => (i.kind === 'text' ? [i] : []))
          expect(Math.min(...texts.map((t) => t.size)), what).toBeGreaterThanOrEqual(6)
          // The charts in the one order the UI and the CLI share, whatever order they were asked in.
          const order = ['G loss', 'D loss (real)', 'D loss (fake)', 'D accuracy (real)', 'D accuracy (fake)']
          const titles = texts.filter((t) => t.bold).map((t) => t.text)
          expect(titles, what).toEqual(order.filter((_, k) => metrics.includes(['gLoss', 'dLossReal', 'dLossFake', 'dAccReal', 'dAccFake'][k])))
          // No empty cell: every row of panels reaches the right edge (a chart's x axis ends there).
          const axes = figure.items.flatMap((i) => (i.kind === 'path' && i.points.length === 3 && i.width === 0.6 ? [i.points] : []))
          expect(axes, what).toHaveLength(metrics.length)
          const rows = new Map<number, number>()
          for (const a of axes) rows.set(Math.round(a[2][1]), Math.max(rows.get(Math.round(a[2][1])) ?? 0, a[2][0]))
          for (const right of rows.values()) expect(right, what).toBeGreaterThan(figure.width - 20)
          // Every tile and every chart lies inside the figure.
          for (const i of figure.items) if (i.kind === 'image') expect(i.x + i.width).toBeLessThanOrEqual(figure.width)
        }
      }
    }
  })

  it('lays out chart and score figures as the comparison: one column or two, at most 12 cm tall, no text under 6 pt, legends of the settings that differ, captions in words', async () => {
    const { lab, ids } = labWithRuns(4, 1500, 500)
    ids.forEach((id, k) => [1, 2, 3].forEach((e) => lab.evaluation.repo.insertScores(id, epochScores({ epoch: e, classifierId: 'cls-1', realCount: 400, generatedCount: 400, fid: 50 / e + k }))))
    const figures = [
      { kind: 'chart', ids, chart: 'loss' },
      { kind: 'chart', ids: ids.slice(0, 2), chart: 'accuracy', xAxis: 'epoch', smoothing: 0.5 },
      { kind: 'chart', ids: ids.slice(0, 1), chart: 'loss' },
      { kind: 'scores', ids, score: 'fid' },
      { kind: 'scores', ids: ids.slice(0, 1), score: 'fid' }
    ]
    for (const figureReq of figures) {
      for (const width of [8.5, 17]) {
        const what = `${figureReq.kind} ${'chart' in figureReq ? figureReq.chart : ''} of ${figureReq.ids.length} runs at ${width} cm`
        const png = await exportVia(lab, { figure: figureReq, format: 'png', size: { width, unit: 'cm', fontPt: 8 } })
        if (png.format !== 'png') throw new Error('expected a figure')
        const { figure } = png
        expect(figure.width, what).toBeCloseTo(toPoints(width, 'cm'), 1)
        expect(figure.height, what).toBeLessThanOrEqual(toPoints(12, 'cm'))
        const texts = figure.items.flatMap((i) => (i.kind === 'text' ? [i] : []))
        expect(Math.min(...texts.map((t) => t.size)), what).toBeGreaterThanOrEqual(6)
        for (const i of figure.items) {
          if (i.kind === 'path') for (const [x, y] of i.points) expect(x <= figure.width + 0.01 && y <= figure.height + 0.01, what).toBe(true)
        }
        const words = texts.map((t) => t.text).join(' ')
        // Run 0 and 2 and 3 keep the preset's Adam, run 1 trains with SGD (seed 7 for all): the labels say the optimizer, not the names.
        if (figureReq.ids.length > 1) {
          expect(words, what).toContain('Adam, lr 2e-4, β1 0.5')
          expect(words, what).toContain('SGD, lr 0.01')
          expect(words, what).toMatch(/of \d runs that differ in optimizer, learning rate and β1 \(legend\)/)
        } else expect(words, what).toContain('of run “run <0> & co” (mnist-mlp; Adam, lr 2e-4, β1 0.5; seed 7)')
        // Runs 0, 2 and 3 share every setting: their labels add the run's number, nothing else does.
        expect(words, what).not.toMatch(/optimizer[DG]\.|run <[123]>/)
      }
    }
    // In words: the curves of a chart, the score and its direction.
    const chart = await exportVia(lab, { figure: { kind: 'chart', ids: ids.slice(0, 2), chart: 'accuracy', xAxis: 'epoch', smoothing: 0.5 }, format: 'png' })
    const chartWords = chart.format === 'png' ? chart.figure.items.flatMap((i) => (i.kind === 'text' ? [i.text] : [])).join(' ') : ''
    expect(chartWords).toContain('Discriminator accuracy of 2 runs that differ in optimizer, learning rate and β1 (legend), one panel each: D accuracy (real) and D accuracy (fake) against epoch, smoothed (EMA 0.5).')
    // Score figures mark epochs in whole numbers.
    const scores = await exportVia(lab, { figure: { kind: 'scores', ids, score: 'fid' }, format: 'png' })
    const ticks = scores.format === 'png' ? scores.figure.items.flatMap((i) => (i.kind === 'text' && /^[\d.]+$/.test(i.text) ? [i.text] : [])) : []
    expect(ticks).toEqual(expect.arrayContaining(['1', '2', '3']))
    expect(ticks).not.toContain('1.5')
  })

  it('takes chart and score legends from the request, one per run', async () => {
    const { lab, ids } = labWithRuns(2, 1000, 500)
    ids.forEach((id) => lab.evaluation.repo.insertScores(id, epochScores({ epoch: 1, classifierId: 'c', realCount: 10, generatedCount: 10 })))
    for (const figure of [{ kind: 'chart', ids, chart: 'loss' }, { kind: 'scores', ids, score: 'fid' }]) {
      const file = await exportVia(lab, { figure: { ...figure, legend: ['first try', 'β1 0.9 try'] }, format: 'svg' })
      const texts = Array.from(parseSvg(bytesOf(file).toString('utf8')).getElementsByTagName('text')).map((t) => t.textContent)
      expect(texts).toEqual(expect.arrayContaining(['first try', 'β1 0.9 try']))
      const res = await dispatch(lab.handlers, 'figures:export', { figure: { ...figure, legend: ['one'] }, format: 'svg' })
      expect(!res.ok && res.error.issues?.[0].field).toBe('figure.legend')
    }
  })

  it('takes legend labels from the request, one per run, and refuses a count that does not match', async () => {
    const { lab, ids } = labWithRuns(2)
    const file = await exportVia(lab, { figure: { kind: 'comparison', ids, legend: ['Adam (β1 0.5)', 'plain SGD'] }, format: 'pdf' })
    const dir = mkdtempSync(join(tmpdir(), 'comparison-pdf-'))
    writeFileSync(join(dir, 'c.pdf'), bytesOf(file))
    const text = execFileSync('pdftotext', ['-raw', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' })
    expect(text).toContain('Adam (β1 0.5)')
    expect(text).toContain('plain SGD')
    const res = await dispatch(lab.handlers, 'figures:export', { figure: { kind: 'comparison', ids, legend: ['one'] }, format: 'svg' })
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.error.message).toBe('The legend has 1 label for 2 runs: give one per run, in the runs\' order')
      expect(res.error.issues?.[0].field).toBe('figure.legend')
    }
  })

  it('draws the runs’ epoch scores of one score: a curve per run, the best epochs starred, the floor dashed, the counts and classifier in the caption', async () => {
    const { lab, ids } = labWithRuns(2, 1500, 500)
    const scored = (epoch: number, fid: number, generatedCount = 400): EpochScores =>
      epochScores({ epoch, classifierId: 'mnist-cls-7', realCount: 400, generatedCount, fid, fidFloor: 2.5, coverage: epoch / 4 })
    ;[[40, 12, 20], [60, 30, 25]].forEach((fids, k) => fids.forEach((fid, e) => lab.evaluation.repo.insertScores(ids[k], scored(e + 1, fid))))
    lab.evaluation.repo.setEvaluation(ids[0], { bestBy: 'fid', bestEpoch: 2, bestValue: 12, flags: [] })
    lab.evaluation.repo.setEvaluation(ids[1], { bestBy: 'fid', bestEpoch: 3, bestValue: 25, flags: [] })

    const file = await exportVia(lab, { figure: { kind: 'scores', ids, score: 'fid' }, format: 'svg', size: { width: 17, unit: 'cm', fontPt: 8 } })
    expect(file.filename).toBe(`runs-${ids.join('-')}-fid.svg`)
    const doc = parseSvg(bytesOf(file).toString('utf8'))
    const paths = Array.from(doc.getElementsByTagName('path'))
    const curveOf = (color: string) => paths.filter((p) => p.getAttribute('stroke') === color && p.getAttribute('fill') === 'none' && (p.getAttribute('d') ?? '').split(' ').length >= 5)
    // A three-point curve per run (the legend swatches are two-point lines).
    expect(curveOf('#2563eb')).toHaveLength(1)
    expect(curveOf('#dc2626')).toHaveLength(1)
    const dashed = paths.filter((p) => p.getAttribute('stroke-dasharray') === '3 2')
    expect(dashed.map((p) => p.getAttribute('stroke'))).toEqual(['#64748b', '#64748b'])
    // One star per run, filled in its colour, at the best epoch: one star's centre lies on its curve's second or third vertex.
    const stars = paths.filter((p) => (p.getAttribute('d') ?? '').endsWith('Z'))
    expect(stars.map((p) => p.getAttribute('fill'))).toEqual(['#2563eb', '#dc2626'])
    const vertices = (d: string): number[][] => {
      const n = d.replace(/[MLZ]/g, ' ').trim().split(/\s+/).map(Number)
      return Array.from({ length: n.length / 2 }, (_, i) => [n[2 * i], n[2 * i + 1]])
    }
    const centre = (d: string): number[] => {
      const v = vertices(d)
      return [0, 1].map((k) => v.reduce((a, p) => a + p[k], 0) / v.length)
    }
    const blue = vertices(curveOf('#2563eb')[0].getAttribute('d')!)
    const red = vertices(curveOf('#dc2626')[0].getAttribute('d')!)
    const [sx, sy] = centre(stars[0].getAttribute('d')!)
    expect(Math.abs(sx - blue[1][0]) + Math.abs(sy - blue[1][1])).toBeLessThan(1.5)
    const [tx, ty] = centre(stars[1].getAttribute('d')!)
    expect(Math.abs(tx - red[2][0]) + Math.abs(ty - red[2][1])).toBeLessThan(1.5)
    const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent)
    expect(texts).toContain('Classifier FID')
    expect(texts).toContain('epoch')
    expect(texts).toContain('real vs real (floor)')
    const caption = texts.join(' ')
    expect(caption).toContain('Scored on 400 real / 400 generated images with the classifier mnist-cls-7.')
    expect(caption).toContain("Stars mark each run's best epoch by Classifier FID.")

    // Other sample counts: each curve names its own, and the caption says they differ.
    lab.evaluation.repo.insertScores(ids[1], scored(3, 25, 100))
    const pdfFile = await exportVia(lab, { figure: { kind: 'scores', ids, score: 'fid' }, format: 'pdf' })
    const content = pdfStreams(bytesOf(pdfFile)).join('\n')
    expect(content).toMatch(/\[3 2\] 0 d/)
    const svg = parseSvg(bytesOf(await exportVia(lab, { figure: { kind: 'scores', ids, score: 'fid' }, format: 'svg', size: { width: 17, unit: 'cm', fontPt: 8 } })).toString('utf8'))
    const all = Array.from(svg.getElementsByTagName('text')).map((t) => t.textContent).join(' ')
    expect(all).toContain('400 real / 100 generated, mnist-cls-7')
    expect(all).toContain('different sample counts')
  })

  it('refuses a score figure of runs without scores', async () => {
    const { lab, ids } = labWithRuns(2, 500, 500)
    await expect(exportVia(lab, { figure: { kind: 'scores', ids, score: 'coverage' }, format: 'svg' })).rejects.toThrow(`No scores to draw: runs ${ids.join(', ')} have no epoch scores yet`)
  })
})
