// Rows drawn from a checkpoint of a tabular (or toy) run: the generator's raw outputs for N
// seeded latent vectors, decoded with the run's transform (transform.json beside its checkpoints,
// min-max when absent) into the data set's own columns and written as CSV.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MetricsExport } from '@shared/api'
import { encodedSize, outputColumns, type ColumnSpec } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { decodeWith, modesWidth, TRANSFORM_FILE, transformProblem, type TableTransform } from '@shared/tabular-transform'
import { csvField } from './metrics-export'
import { mulberry32 } from '../common/random'

/** The run's transform: transform.json when the trainer wrote one, else the data set's min-max ranges. */
export function readRunTransform(runDir: string, columns: readonly ColumnSpec[]): TableTransform {
  const path = join(runDir, TRANSFORM_FILE)
  if (!existsSync(path)) return { kind: 'minmax' }
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new LabError('DATA_ERROR', `${path} is not JSON (${err instanceof Error ? err.message : String(err)}), so the run's rows cannot be decoded`)
  }
  const problem = transformProblem(value, columns)
  if (problem) throw new LabError('DATA_ERROR', `${path} does not fit the run's data set: ${problem}`)
  return value as TableTransform
}

/** How many values one row of `transform` takes: what the run's generator must output. */
export function transformWidth(transform: TableTransform, columns: readonly ColumnSpec[]): number {
  return transform.kind === 'modes' ? modesWidth(transform.columns) : encodedSize(columns)
}

/** Decodes `count` generated vectors of `width` values each; modes and categories drawn from G's softmax with `seed`. */
export function decodeRows(transform: TableTransform, columns: readonly ColumnSpec[], values: Float32Array, count: number, width: number, seed: number): (number | string)[][] {
  const rand = mulberry32(seed ^ 0x5a3e)
  return Array.from({ length: count }, (_, i) => decodeWith(transform, columns, values, i * width, rand))
}

export function rowsCsv(filename: string, columns: readonly ColumnSpec[], rows: readonly (readonly (number | string)[])[]): MetricsExport {
  const header = outputColumns(columns).map((c) => c.name)
  const lines = [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))]
  return { filename, mime: 'text/csv', content: lines.join('\r\n') + '\r\n' }
}
