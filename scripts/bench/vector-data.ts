// The data `npm run bench` trains the two vector presets on, built by the code a run uses:
// toy-mlp on the toy-ring-8 points (loadTrainingData, as the trainer loads a built-in toy set);
// tabular-mlp on the synthetic housing table, written as a CSV file, imported by the lab's
// DatasetService into a temporary data folder (type inference, min-max rows on disk), loaded
// back and re-encoded with CTGAN's modes (modesData, as job.ts does for tableTransform 'modes').
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PRESETS, runConfigSchema } from '@shared/config'
import { TOY_POINTS, type ColumnSpec } from '@shared/datasets'
import { outputHeads, type OutputHead } from '@shared/tabular-transform'
import { loadTrainingData, type TrainingData } from '../../src/main/trainer/data/source'
import { modesData } from '../../src/main/trainer/data/modes'
import type { SampleRenderer } from '../../src/main/trainer/train'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { SYNTHETIC_TABLE_COLUMNS, SYNTHETIC_TABLE_ROWS, syntheticTableCsv } from './synthetic-table'

export interface VectorBenchData {
  data: TrainingData
  /** G's output heads (the modes encoding); absent for toy points. */
  heads?: OutputHead[]
  /** The imported table's columns as the lab inferred them (tabular only). */
  columns?: ColumnSpec[]
  source: string
}

/**
 * What an epoch's end shows, left out: the bench times steps, and trainGan renders the fixed
 * batch only after an epoch's last step (the lab's renderers draw points or decode rows).
 */
export const NO_SAMPLES: SampleRenderer = { count: 1, render: () => ({}) }

export function toyBenchData(seed: number): VectorBenchData {
  const loaded = loadTrainingData({ kind: 'toy', name: 'toy-ring-8', count: TOY_POINTS }, undefined, seed)
  return { data: loaded.data, source: `toy-ring-8, ${TOY_POINTS} points` }
}

export function tabularBenchData(seed: number): VectorBenchData {
  const dir = mkdtempSync(join(tmpdir(), 'bench-table-'))
  const csv = join(dir, 'housing-synthetic.csv')
  writeFileSync(csv, syntheticTableCsv(seed))
  const lab = new Lab({ dataDir: join(dir, 'lab'), launcher: forkLauncher(), version: 'bench', transport: 'ipc' })
  try {
    const info = lab.datasets.importFiles([csv], 'bench synthetic housing')
    const config = runConfigSchema.parse({ ...PRESETS['tabular-mlp'].defaults, name: 'bench tabular-mlp', seed, dataset: info.id })
    const loaded = loadTrainingData(lab.datasets.resolve(config), undefined, seed)
    if (loaded.columns === null) throw new Error('the imported table came back without columns')
    const fitted = modesData(loaded.columns, loaded.data, seed)
    const heads = outputHeads(fitted.transform)
    const types = loaded.columns.map((c) => c.type)
    const count = (t: string): number => types.filter((x) => x === t).length
    return {
      data: fitted.data,
      heads,
      columns: loaded.columns,
      source:
        `synthetic housing-like CSV, ${SYNTHETIC_TABLE_ROWS} rows x ${SYNTHETIC_TABLE_COLUMNS.length} columns imported by the lab ` +
        `(${count('numeric')} numeric, ${count('integer')} integer, ${count('categorical')} categorical), modes encoding ${fitted.data.shape[0]} wide in ${heads.length} heads`
    }
  } finally {
    lab.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
