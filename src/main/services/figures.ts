// Figures for a write-up from the lab's own records: a chart of one or more runs, a row of
// one run's sample grids over epochs, and the composite of a comparison. Built as a
// device-independent Figure, written as SVG or PDF here, or handed to the renderer for PNG.
import { CHART_GROUPS, COMPARISON_METRIC_ORDER, type ChartGroup, type FigureExport, type FigureRequest, type RunSummary, type figuresExportSchema } from '@shared/api'
import type { z } from 'zod'
import { RUN_COLORS, type XAxis } from '@shared/compare'
import type { RunConfig } from '@shared/config'
import { AXIS_LABELS, curve } from '@shared/curves'
import { LabError } from '@shared/errors'
import { layoutFigure, pngSize, type ChartSpec, type Figure, type FigureSize, type ImageTile, type LegendEntry } from '@shared/figure'
import { layoutPanels } from '@shared/figure-panels'
import { figureToSvg } from '@shared/figure-svg'
import { METRIC_LABELS, type StepMetricName, type StepSeries } from '@shared/metrics'
import { LOWER_IS_BETTER, SCORE_LABELS, type EpochScores } from '@shared/evaluation'
import type { RunEvaluation } from '@shared/failure-detect'
import { provenanceLabel, scoreCurves, scoreTitle } from '@shared/score-curves'
import { differingSettings, optimizerInWords, runLabels } from '@shared/run-labels'
import { figureToPdf } from './figure-pdf'

/** What building a figure reads from the lab. */
export interface FigureSources {
  run(id: number): RunSummary
  config(id: number): RunConfig
  series(id: number): StepSeries
  grid(id: number, epoch: number): Buffer | null
  gridEpochs(id: number): number[]
  /** The run's stored epoch scores and its best epoch. */
  scores(id: number): { scores: EpochScores[]; evaluation: RunEvaluation | null }
}

/** The colours of the run view's charts, one per metric. */
const METRIC_COLORS: Record<StepMetricName, string> = {
  dLossReal: '#2563eb',
  dLossFake: '#ea580c',
  gLoss: '#16a34a',
  dAccReal: '#2563eb',
  dAccFake: '#ea580c',
  wasserstein: '#7c3aed'
}

/** The y axis and the title of each chart group. */
const CHART_Y_LABELS: Record<ChartGroup, string> = { loss: 'loss', accuracy: 'accuracy', wasserstein: 'E[D(real)] - E[D(fake)]' }
const CHART_TITLES: Record<ChartGroup, string> = { loss: 'Losses', accuracy: 'Discriminator accuracy', wasserstein: 'Wasserstein estimate (critic)' }

/** Steps per epoch as the run recorded them (the first epoch's count), for the epoch axis. */
function stepsPerEpoch(series: StepSeries): number {
  const first = series.epoch[0]
  let n = 0
  while (n < series.epoch.length && series.epoch[n] === first) n++
  return Math.max(1, n)
}

function runLabel(run: RunSummary): string {
  return `${run.name} (#${run.id})`
}

/** "D loss (real) and G loss against step, unsmoothed". */
function curvesInWords(metrics: readonly StepMetricName[], xAxis: XAxis, smoothing: number): string {
  return `${inWords(metrics.map((m) => METRIC_LABELS[m]))} against ${AXIS_LABELS[xAxis]}${smoothing > 0 ? `, smoothed (EMA ${smoothing})` : ', unsmoothed'}`
}

/** "2 runs that differ in optimizer and learning rate", or "2 runs with the same settings". */
function runsInWords(ids: readonly number[], src: FigureSources): string {
  const differ = differingSettings(ids.map((id) => src.config(id)))
  return `${ids.length} runs${differ ? ` that differ in ${differ}` : ' with the same settings'}`
}

/** "run “name” (mnist-mlp; Adam, lr 2e-4, β1 0.5; seed 7)": one run, in the caption's words. */
function runInWords(label: string, config: RunConfig): string {
  return `run “${label}” (${config.preset}; ${optimizerInWords(config)}; seed ${config.seed})`
}

function tile(png: Buffer, what: string, label?: string, color?: string): ImageTile {
  const size = pngSize(png)
  if (!size) throw new LabError('DATA_ERROR', `The stored sample grid of ${what} is not a PNG image`)
  return { pngBase64: png.toString('base64'), pixelWidth: size.width, pixelHeight: size.height, label, color }
}

function chartFigure(req: Extract<FigureRequest, { kind: 'chart' }>, size: FigureSize, src: FigureSources): Figure {
  const ids = [...new Set(req.ids)]
  const runs = ids.map((id) => src.run(id))
  const series = ids.map((id) => src.series(id))
  const labels = legendLabels(ids, req.legend, src)
  const metrics: readonly StepMetricName[] = CHART_GROUPS[req.chart]
  const points = (i: number, m: StepMetricName): ChartSpec['series'][number]['points'] =>
    // Thinned again to the plot width by the layout; 4000 keeps the intermediate arrays small.
    curve(series[i], m, { axis: req.xAxis, smoothing: req.smoothing, stepsPerEpoch: stepsPerEpoch(series[i]), buckets: 4000 })
  const what = CHART_TITLES[req.chart]
  const curves = curvesInWords(metrics, req.xAxis, req.smoothing)
  if (runs.length === 1) {
    // One run: its metrics in one chart, the legend naming them and the caption the run.
    const charts: ChartSpec[] = [
      { xLabel: AXIS_LABELS[req.xAxis], yLabel: CHART_Y_LABELS[req.chart], series: metrics.map((m) => ({ label: METRIC_LABELS[m], color: METRIC_COLORS[m], points: points(0, m) })) }
    ]
    const caption = req.caption ? `${what} of ${runInWords(labels[0], src.config(ids[0]))}: ${curves}.` : undefined
    const legend = metrics.length > 1 ? metrics.map((m) => ({ label: METRIC_LABELS[m], color: METRIC_COLORS[m] })) : []
    return layoutPanels({ size, title: `${what}: ${runLabel(runs[0])}`, tiles: [], charts, legend, caption })
  }
  // Several runs: small multiples, one panel per metric (its title names it), a colour per run.
  const charts: ChartSpec[] = metrics.map((m) => ({
    title: METRIC_LABELS[m],
    xLabel: AXIS_LABELS[req.xAxis],
    yLabel: '',
    series: runs.map((_, i) => ({ label: labels[i], color: RUN_COLORS[i], points: points(i, m) }))
  }))
  const caption = req.caption ? `${what} of ${runsInWords(ids, src)} (legend)${metrics.length > 1 ? ', one panel each' : ''}: ${curves}.` : undefined
  const legend = labels.map((label, i) => ({ label, color: RUN_COLORS[i] }))
  return layoutPanels({ size, title: `${what}: ${runs.map(runLabel).join(', ')}`, tiles: [], charts, legend, caption })
}

function gridRowFigure(req: Extract<FigureRequest, { kind: 'grid-row' }>, size: FigureSize, src: FigureSources): Figure {
  const run = src.run(req.id)
  const available = src.gridEpochs(req.id)
  const missing = req.epochs.filter((e) => !available.includes(e))
  if (missing.length > 0) {
    const has = available.length ? `it has grids for epochs ${available.join(', ')}` : 'it has no sample grids yet'
    throw new LabError('NOT_FOUND', `Run ${req.id} has no sample grid for epoch${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${has})`, [
      { field: 'figure.epochs', message: `no grid for epoch ${missing.join(', ')}` }
    ])
  }
  const epochs = [...req.epochs].sort((a, b) => a - b)
  const tiles = epochs.map((e) => tile(src.grid(req.id, e) as Buffer, `run ${req.id} epoch ${e}`, req.labels ? `epoch ${e}` : undefined))
  const caption = req.caption
    ? `Samples of run ${runLabel(run)} from its fixed latent batch (the same latent points in every grid) at epoch${epochs.length > 1 ? 's' : ''} ${epochs.join(', ')}.`
    : undefined
  return layoutFigure({ size, title: `Samples of ${runLabel(run)}`, tiles, caption })
}

/** "a, b and c". */
function inWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/** The legend labels: the request's own, or the settings each run differs in. */
function legendLabels(ids: readonly number[], given: readonly string[] | undefined, src: FigureSources): string[] {
  if (given) {
    if (given.length !== ids.length) {
      throw new LabError('INVALID_REQUEST', `The legend has ${given.length} label${given.length === 1 ? '' : 's'} for ${ids.length} runs: give one per run, in the runs' order`, [
        { field: 'figure.legend', message: `needs ${ids.length} labels, one per run` }
      ])
    }
    return [...given]
  }
  return runLabels(ids.map((id) => ({ id, name: src.run(id).name, config: src.config(id) })))
}

function comparisonFigure(req: Extract<FigureRequest, { kind: 'comparison' }>, size: FigureSize, src: FigureSources): Figure {
  const runs = req.ids.map((id) => src.run(id))
  const series = req.ids.map((id) => src.series(id))
  const labels = legendLabels(req.ids, req.legend, src)
  const notes: string[] = []
  const tiles: ImageTile[] = []
  const shownEpochs: number[] = []
  req.ids.forEach((id, i) => {
    const epochs = src.gridEpochs(id)
    if (epochs.length === 0) {
      notes.push(`${labels[i]} has no sample grid yet`)
      return
    }
    const at = req.epoch === null ? epochs[epochs.length - 1] : ([...epochs].reverse().find((e) => e <= req.epoch!) ?? epochs[0])
    shownEpochs.push(at)
    tiles.push(tile(src.grid(id, at) as Buffer, `run ${id} epoch ${at}`, labels[i], RUN_COLORS[i]))
  })
  const metrics = COMPARISON_METRIC_ORDER.filter((m) => req.metrics.includes(m))
  const charts: ChartSpec[] = metrics.map((m) => ({
    title: METRIC_LABELS[m],
    xLabel: AXIS_LABELS[req.xAxis],
    // The panel's title names the metric; a y label would repeat it.
    yLabel: '',
    series: runs.map((r, i) => ({
      label: labels[i],
      color: RUN_COLORS[i],
      points: curve(series[i], m, { axis: req.xAxis, smoothing: req.smoothing, stepsPerEpoch: stepsPerEpoch(series[i]), buckets: 4000 })
    }))
  }))
  const sameEpoch = shownEpochs.length > 0 && shownEpochs.every((e) => e === shownEpochs[0])
  const gridsAt = sameEpoch ? `epoch ${shownEpochs[0]}` : `epochs ${shownEpochs.join(', ')} (each run's ${req.epoch === null ? 'last' : `last up to ${req.epoch}`})`
  const caption = req.caption
    ? [
        `Comparison of ${runsInWords(req.ids, src)} (legend).`,
        tiles.length ? `First panel: samples from each run's fixed latent batch at ${gridsAt}${notes.length ? `; ${notes.join('; ')}` : ''}.` : `No run has a sample grid yet.`,
        `Curves: ${curvesInWords(metrics, req.xAxis, req.smoothing)}.`
      ].join(' ')
    : undefined
  return layoutPanels({
    size,
    title: `Comparison: ${runs.map(runLabel).join(' vs ')}`,
    tiles,
    charts,
    legend: labels.map((label, i) => ({ label, color: RUN_COLORS[i] })),
    caption
  })
}

/** What a score's dashed line is, for the caption. */
const REFERENCE_NOTES: Partial<Record<keyof typeof SCORE_LABELS, string>> = {
  fid: 'Dashed: the real-vs-real floor (FID between as many real training and test images).',
  classifierScore: "Dashed: the real test images' classifier score."
}

function scoresFigure(req: Extract<FigureRequest, { kind: 'scores' }>, size: FigureSize, src: FigureSources): Figure {
  const ids = [...new Set(req.ids)]
  const runs = ids.map((id) => src.run(id))
  const labels = legendLabels(ids, req.legend, src)
  const built = scoreCurves(
    runs.map((r, i) => {
      const { scores, evaluation } = src.scores(r.id)
      return { id: r.id, name: r.name, color: RUN_COLORS[i], scores, bestEpoch: evaluation?.bestEpoch ?? null, bestBy: evaluation?.bestBy ?? null }
    }),
    req.score
  )
  const runCurves = built.curves.filter((c) => !c.reference)
  if (runCurves.length === 0) {
    throw new LabError('NOT_FOUND', `No scores to draw: ${ids.length > 1 ? `runs ${ids.join(', ')} have` : `run ${ids[0]} has`} no epoch scores yet`)
  }
  // One provenance for every curve: said once in the caption, and the legend names only runs;
  // otherwise each curve's label adds what it was scored on.
  const provenances = new Set(built.curves.map((c) => provenanceLabel(c.provenance)))
  const shared = provenances.size === 1 ? [...provenances][0] : null
  const labelOf = (c: (typeof built.curves)[number]): string => {
    const i = c.runId === null ? -1 : ids.indexOf(c.runId)
    if (i < 0) return c.label
    return shared ? labels[i] : `${labels[i]} (${provenanceLabel(c.provenance)})`
  }
  const legend: LegendEntry[] = built.curves.map((c) => ({ label: labelOf(c), color: c.color, dashed: c.reference }))
  const charts: ChartSpec[] = [
    {
      xLabel: 'epoch',
      xWhole: true,
      yLabel: SCORE_LABELS[req.score],
      series: built.curves.map((c) => ({ label: labelOf(c), color: c.color, points: c.points, dashed: c.reference, marker: c.best }))
    }
  ]
  const bestBys = [...new Set(ids.flatMap((id) => src.scores(id).evaluation?.bestBy ?? []))]
  const starNote =
    // In words: a star glyph is not in every font a journal's pipeline uses.
    runCurves.some((c) => c.best) && bestBys.length === 1 ? `Stars mark each run's best epoch by ${SCORE_LABELS[bestBys[0]]}.` : runCurves.some((c) => c.best) ? "Stars mark each run's best epoch." : ''
  const whose = runs.length === 1 ? runInWords(labels[0], src.config(ids[0])) : `${runsInWords(ids, src)} (legend)`
  const caption = req.caption
    ? [
        `${SCORE_LABELS[req.score]} by epoch of ${whose}; ${LOWER_IS_BETTER[req.score] ? 'lower' : 'higher'} is better.`,
        shared ? `Scored on ${shared.replace(/, ([^,]*)$/, ' images with the classifier $1')}.` : '',
        starNote,
        REFERENCE_NOTES[req.score] ?? '',
        ...built.notes.filter((n) => !n.startsWith('Best epochs'))
      ]
        .filter(Boolean)
        .join(' ')
    : undefined
  return layoutPanels({ size, title: `${scoreTitle(req.score)}: ${runs.map(runLabel).join(', ')}`, tiles: [], charts, legend, caption })
}

export function buildFigure(req: FigureRequest, size: FigureSize, src: FigureSources): Figure {
  switch (req.kind) {
    case 'chart':
      return chartFigure(req, size, src)
    case 'grid-row':
      return gridRowFigure(req, size, src)
    case 'comparison':
      return comparisonFigure(req, size, src)
    case 'scores':
      return scoresFigure(req, size, src)
  }
}

export function figureFileStem(req: FigureRequest): string {
  switch (req.kind) {
    case 'chart':
      return `${req.ids.length === 1 ? `run-${req.ids[0]}` : `runs-${req.ids.join('-')}`}-${req.chart}`
    case 'grid-row':
      return `run-${req.id}-samples-epochs-${[...req.epochs].sort((a, b) => a - b).join('-')}`.slice(0, 100)
    case 'comparison':
      return `comparison-${req.ids.join('-')}`
    case 'scores':
      return `${req.ids.length === 1 ? `run-${req.ids[0]}` : `runs-${req.ids.join('-')}`}-${req.score}`
  }
}

export async function exportFigure(req: z.output<typeof figuresExportSchema>, src: FigureSources): Promise<FigureExport> {
  const figure = buildFigure(req.figure, req.size, src)
  const stem = figureFileStem(req.figure)
  if (req.format === 'png') return { format: 'png', filename: `${stem}@${req.scale}x.png`, mime: 'image/png', figure, scale: req.scale }
  const bytes = req.format === 'svg' ? Buffer.from(figureToSvg(figure), 'utf8') : await figureToPdf(figure)
  return {
    format: req.format,
    filename: `${stem}.${req.format}`,
    mime: req.format === 'svg' ? 'image/svg+xml' : 'application/pdf',
    base64: bytes.toString('base64'),
    bytes: bytes.length
  }
}
