// Metrics export: tidy rows, one per run and step, as CSV (RFC 4180) or JSON.
import type { MetricsExport, MetricsExportFormat, RunSummary } from '@shared/api'
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
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>

export function tidyRows(runs: readonly { summary: RunSummary; series: StepSeries }[]): ExportRow[] {
  const out: ExportRow[] = []
  for (const { summary, series } of runs) {
    const v = series.values
    for (let i = 0; i < series.step.length; i++) {
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
        wasserstein: v.wasserstein[i]
      })
    }
  }
  return out
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, and its quotes doubled. */
export function csvField(value: string | number | null): string {
  const s = value === null ? '' : String(value)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(',')]
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvField(r[c])).join(','))
  return lines.join('\r\n') + '\r\n'
}

export function exportMetrics(runs: readonly { summary: RunSummary; series: StepSeries }[], format: MetricsExportFormat): MetricsExport {
  const rows = tidyRows(runs)
  const base = runs.length === 1 ? `run-${runs[0].summary.id}-metrics` : `runs-${runs.map((r) => r.summary.id).join('-')}-metrics`
  const stem = base.length > 100 ? `runs-${runs.length}-metrics` : base
  return format === 'csv'
    ? { filename: `${stem}.csv`, mime: 'text/csv', content: toCsv(rows) }
    : { filename: `${stem}.json`, mime: 'application/json', content: JSON.stringify(rows, null, 1) }
}
