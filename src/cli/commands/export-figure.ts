// `export-figure`: a figure of runs as SVG or PDF, through the same `figures:export` request (and
// schema) as the lab's Export figure. Which flag sets which field of which figure kind is declared
// here once; the kinds a flag applies to are read from the schema, for the help and the refusals.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { COMPARISON_METRIC_ORDER, DEFAULT_COMPARISON_METRICS, FIGURE_FORMATS, figureRequestSchema, type FigureExport } from '@shared/api'
import { X_AXES } from '@shared/compare'
import { LabError } from '@shared/errors'
import { SCORE_NAMES } from '@shared/evaluation'
import { DEFAULT_FIGURE_SIZE, FIGURE_UNITS } from '@shared/figure'
import { STEP_METRICS } from '@shared/metrics'
import { dataDirOption, defineCommand, flagsOf, type OptionSpec } from '../command'
import { call, ids, num, oneShotLab } from '../lab'

/** The figure kinds and the fields each takes, from the request schema. */
export const FIGURE_KINDS = figureRequestSchema.options.map((o) => ({ kind: o.shape.kind.value, fields: new Set(Object.keys(o.shape)) }))
const fieldsOf = (kind: string): Set<string> | undefined => FIGURE_KINDS.find((k) => k.kind === kind)?.fields
const kindsWith = (field: string): string[] => FIGURE_KINDS.filter((k) => k.fields.has(field)).map((k) => k.kind)

/** A flag that sets one field of the figure request, in the kinds whose schema has that field. */
interface FigureFieldFlag {
  field: string
  spec: OptionSpec
  parse(value: string | boolean): unknown
  /** What the field is when the flag is not given (absent: left to the schema's default). */
  whenAbsent?: unknown
}

const text = (v: string | boolean): unknown => v
type ChartSchema = (typeof figureRequestSchema.options)[0]
const chartSchema = figureRequestSchema.options.find((o): o is ChartSchema => o.shape.kind.value === 'chart')!

export const FIGURE_FIELD_FLAGS: Record<string, FigureFieldFlag> = {
  chart: {
    field: 'chart',
    spec: { type: 'string', value: 'GROUP', default: 'loss', choices: chartSchema.shape.chart.options, description: 'the chart group' },
    parse: text
  },
  score: { field: 'score', spec: { type: 'string', value: 'NAME', choices: SCORE_NAMES, description: 'the score plotted per epoch', shownDefault: 'fid' }, parse: text },
  epochs: {
    field: 'epochs',
    spec: { type: 'string', value: 'N,N,...', description: "the epochs whose sample grids make the row, e.g. 1,5,10" },
    parse: (v) => ids(String(v), '--epochs'),
    whenAbsent: []
  },
  epoch: {
    field: 'epoch',
    spec: { type: 'string', value: 'N', description: "the epoch of the runs' grids", shownDefault: "each run's last" },
    parse: (v) => num(String(v), '--epoch'),
    whenAbsent: null
  },
  metrics: {
    field: 'metrics',
    spec: {
      type: 'string',
      value: 'M,M,...',
      choices: STEP_METRICS,
      description: `the metrics plotted, comma-separated (drawn in the order ${COMPARISON_METRIC_ORDER.join(', ')})`,
      shownDefault: DEFAULT_COMPARISON_METRICS.join(',')
    },
    parse: (v) => (v === '' ? undefined : String(v).split(','))
  },
  legend: {
    field: 'legend',
    spec: { type: 'string', value: 'L;L;...', description: 'legend labels, one per run in --run order, separated by ";"', shownDefault: 'the settings each run differs in' },
    parse: (v) => String(v).split(';').map((l) => l.trim())
  },
  x: { field: 'xAxis', spec: { type: 'string', value: 'AXIS', choices: X_AXES, description: 'the x axis', shownDefault: 'step' }, parse: text },
  smoothing: { field: 'smoothing', spec: { type: 'string', value: 'X', description: 'exponential smoothing of the curves, 0 to 0.999', shownDefault: '0' }, parse: (v) => num(String(v), '--smoothing') },
  'no-labels': { field: 'labels', spec: { type: 'boolean', default: false, description: 'no epoch labels under the grids' }, parse: (v) => !v },
  'no-caption': { field: 'caption', spec: { type: 'boolean', default: false, description: 'no caption' }, parse: (v) => !v }
}

const fieldOptions = Object.fromEntries(
  Object.entries(FIGURE_FIELD_FLAGS).map(([flag, f]) => [flag, { ...f.spec, description: `[${kindsWith(f.field).join(', ')}] ${f.spec.description}` }])
)

export const exportFigure = defineCommand({
  name: 'export-figure',
  summary: "Writes a figure of runs as SVG or PDF, as the lab's Export figure does.",
  synopsis: '--run ID[,ID...] [--kind KIND] [options]',
  options: {
    run: { type: 'string', value: 'ID[,ID...]', description: `the run, or runs (a ${FIGURE_KINDS.filter((k) => !k.fields.has('ids')).map((k) => k.kind).join(', ')} takes the first)` },
    kind: { type: 'string', value: 'KIND', default: 'chart', choices: FIGURE_KINDS.map((k) => k.kind), description: 'what the figure shows' },
    format: { type: 'string', value: 'FORMAT', default: 'svg', choices: FIGURE_FORMATS.filter((f) => f !== 'png'), description: 'the file format' },
    ...fieldOptions,
    width: { type: 'string', value: 'W', default: String(DEFAULT_FIGURE_SIZE.width), description: "the figure's width" },
    unit: { type: 'string', value: 'UNIT', default: DEFAULT_FIGURE_SIZE.unit, choices: FIGURE_UNITS, description: 'the unit of --width' },
    font: { type: 'string', value: 'PT', default: String(DEFAULT_FIGURE_SIZE.fontPt), description: 'the font size in points' },
    out: { type: 'string', value: 'FILE', description: 'the file to write', shownDefault: 'a name from the figure, here' },
    'data-dir': dataDirOption
  },
  notes: [
    '[kinds]: the figure kinds a flag applies to; a flag given for another kind is refused.',
    "PNG is drawn by the lab's window (Chromium); from the command line export SVG or PDF."
  ],
  async run({ values, argv, io }) {
    const runs = ids(values.run, '--run')
    if (!runs) throw new LabError('INVALID_REQUEST', 'export-figure needs --run ID (or --run ID,ID,... for several runs)')
    if (values.format === 'png') throw new LabError('INVALID_REQUEST', "--format png: PNG is drawn by the lab's window (Chromium); from the command line export svg or pdf")
    const kind = values.kind
    const fields = fieldsOf(kind)
    if (!fields) throw new LabError('INVALID_REQUEST', `--kind must be one of ${FIGURE_KINDS.map((k) => k.kind).join(', ')}, got "${kind}"`)
    const given = new Set(flagsOf(argv))
    const figure: Record<string, unknown> = { kind, ...(fields.has('ids') ? { ids: runs } : { id: runs[0] }) }
    const flagValues: Record<string, string | boolean | undefined> = values
    for (const [flag, f] of Object.entries(FIGURE_FIELD_FLAGS)) {
      if (!fields.has(f.field)) {
        if (given.has(flag)) throw new LabError('INVALID_REQUEST', `--${flag} does not apply to --kind ${kind} (only to ${kindsWith(f.field).join(', ')})`)
        continue
      }
      const value = flagValues[flag]
      const parsed = value === undefined ? f.whenAbsent : f.parse(value)
      if (parsed !== undefined) figure[f.field] = parsed
    }
    const size = { width: num(values.width, '--width'), unit: values.unit, fontPt: num(values.font, '--font') }
    const lab = oneShotLab(values['data-dir'])
    try {
      const file = await call<FigureExport>(lab, 'figures:export', { figure, format: values.format, size })
      if (file.format === 'png') throw new LabError('INTERNAL', 'Expected a file, got a figure to draw')
      const out = resolve(values.out ?? file.filename)
      writeFileSync(out, Buffer.from(file.base64, 'base64'))
      io.out(`${out} (${(file.bytes / 1024).toFixed(1)} KiB)`)
      return 0
    } finally {
      lab.close()
    }
  }
})
