// Generated rows of a tabular (or toy) run's epoch as CSV, under the data set's own column
// names; integers are whole numbers and categories their original text.
import type { MetricsExport, RunSummary } from '@shared/api'
import type { EpochSamples } from '@shared/datasets'
import { csvField } from './metrics-export'

export function samplesCsv(run: RunSummary, epoch: number, samples: EpochSamples): MetricsExport {
  const header = samples.kind === 'table' ? samples.columns.map((c) => c.name) : samples.columns
  const rows = samples.kind === 'table' ? samples.rows : samples.fake
  const lines = [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))]
  return { filename: `run-${run.id}-epoch-${epoch}-generated.csv`, mime: 'text/csv', content: lines.join('\r\n') + '\r\n' }
}
