// Metrics export: tidy rows, one per run and step, as CSV (RFC 4180) or JSON. When any run
// has epoch scores, score columns follow, filled on the last step of each scored epoch (the
// step its checkpoint was taken at) and empty elsewhere.
import type { MetricsExport, MetricsExportFormat, RunSummary } from '@shared/api'
import type { EpochScores } from '@shared/evaluation'
import type { StepSeries } from '@shared/metrics'

export const EXPORT_COLUMNS = [
  'run_id',
  'run_name',
  'step',
  'epoch',
  'time_ms',
  'd_loss_real',
  'd_loss_fake',
  'g_loss',
  'd_acc_real',
  'd_acc_fake',
  'wasserstein'
] as const
/** null: a metric the run's loss does not define (a WGAN critic's accuracy); an empty CSV field. */
export const SCORE_COLUMNS = [
  'fid',
  'fid_floor',
  'classifier_score',
  'precision',
  'recall',
  'density',
  'coverage',
  'classes_covered',
  'class_histogram',
  'real_count',
  'generated_count',
  'classifier_id',
  'classifier_accuracy',
  'label_accuracy',
  'tstr_accuracy',
  'trtr_accuracy',
  'tstr_samples'
] as const
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null> & Partial<Record<(typeof SCORE_COLUMNS)[number], string | number>>

export interface ExportedRun {
  summary: RunSummary
  series: StepSeries
  scores?: readonly EpochScores[]
}

function scoreColumns(s: EpochScores): Record<(typeof SCORE_COLUMNS)[number], string | number> {
  return {
    fid: s.fid,
    fid_floor: s.fidFloor,
    classifier_score: s.classifierScore,
    precision: s.precision,
    recall: s.recall,
    density: s.density,
    coverage: s.coverage,
    classes_covered: s.classesCovered,
    class_histogram: s.histogram.join(' '),
    real_count: s.realCount,
    generated_count: s.generatedCount,
    classifier_id: s.classifierId,
    classifier_accuracy: s.classifierAccuracy,
    // A conditional run's label scores; empty for other runs.
    label_accuracy: s.conditional?.labelAccuracy ?? '',
    tstr_accuracy: s.conditional?.tstrAccuracy ?? '',
    trtr_accuracy: s.conditional?.trtrAccuracy ?? '',
    tstr_samples: s.conditional?.tstrSamples ?? ''
  }
}

const hasScores = (runs: readonly ExportedRun[]): boolean => runs.some((r) => (r.scores?.length ?? 0) > 0)

export function tidyRows(runs: readonly ExportedRun[]): ExportRow[] {
  const out: ExportRow[] = []
  const withScores = hasScores(runs)
  for (const { summary, series, scores } of runs) {
    const v = series.values
    const byEpoch = new Map((scores ?? []).map((s) => [s.epoch, s]))
    for (let i = 0; i < series.step.length; i++) {
      const lastOfEpoch = i === series.step.length - 1 || series.epoch[i + 1] !== series.epoch[i]
      const score = lastOfEpoch ? byEpoch.get(series.epoch[i]) : undefined
      const extra = withScores ? (score ? scoreColumns(score) : Object.fromEntries(SCORE_COLUMNS.map((c) => [c, '']))) : {}
      out.push({
        run_id: summary.id,
        run_name: summary.name,
        step: series.step[i],
        epoch: series.epoch[i],
        time_ms: series.timeMs[i],
        d_loss_real: v.dLossReal[i],
        d_loss_fake: v.dLossFake[i],
        g_loss: v.gLoss[i],
        d_acc_real: v.dAccReal[i],
        d_acc_fake: v.dAccFake[i],
        wasserstein: v.wasserstein[i],
        ...extra
      })
    }
  }
  return out
}

/** What a spreadsheet reads as the start of a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * RFC 4180: a field with a comma, quote, CR or LF is quoted, and its quotes doubled. Text that
 * a spreadsheet would run as a formula (a run name "=HYPERLINK(...)") gets a leading ' so it
 * opens as text; numbers, and text that is just a number, are left as they are.
 */
export function csvField(value: string | number | null): string {
  let s = value === null ? '' : String(value)
  if (typeof value === 'string' && FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(rows: readonly ExportRow[], withScores = false): string {
  const columns: readonly (keyof ExportRow)[] = withScores ? [...EXPORT_COLUMNS, ...SCORE_COLUMNS] : EXPORT_COLUMNS
  const lines = [columns.join(',')]
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c] ?? '')).join(','))
  return lines.join('\r\n') + '\r\n'
}

export function exportMetrics(runs: readonly ExportedRun[], format: MetricsExportFormat): MetricsExport {
  const rows = tidyRows(runs)
  const base = runs.length === 1 ? `run-${runs[0].summary.id}-metrics` : `runs-${runs.map((r) => r.summary.id).join('-')}-metrics`
  const stem = base.length > 100 ? `runs-${runs.length}-metrics` : base
  return format === 'csv'
    ? { filename: `${stem}.csv`, mime: 'text/csv', content: toCsv(rows, hasScores(runs)) }
    : { filename: `${stem}.json`, mime: 'application/json', content: JSON.stringify(rows, null, 1) }
}
