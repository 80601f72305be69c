// The SQLite figures of `npm run bench`: step-metric inserts in the trainer's batches, and the
// runs list over a thousand runs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunConfig } from '@shared/config'
import type { StepRow } from '@shared/metrics'
import { openDatabase } from '../../src/main/db/connection'
import { MetricsRepo } from '../../src/main/db/repos/metrics'
import { RunsRepo } from '../../src/main/db/repos/runs'
import { mulberry32 } from '../../src/main/common/random'

const SQLITE_ROWS = 100_000
const SQLITE_BATCH = 250
const SQLITE_RUNS = 1000
const LIST_REPEATS = 5

export interface SqliteResult {
  rowsInserted: number
  batchRows: number
  insertSeconds: number
  rowsPerSecond: number
  runsInDatabase: number
  listFirstMs: number
  listMedianMs: number
  listRepeats: number
}

/** Times inserting SQLITE_ROWS step rows of a run of `config`, then listing SQLITE_RUNS runs. */
export function benchSqlite(config: RunConfig, seed: number, progress: (message: string) => void): SqliteResult {
  const dir = mkdtempSync(join(tmpdir(), 'gan-bench-'))
  const db = openDatabase(join(dir, 'bench.sqlite'))
  try {
    const runs = new RunsRepo(db)
    const metrics = new MetricsRepo(db)
    const runId = runs.create(config)
    const rand = mulberry32(seed)
    const row = (step: number): StepRow => ({
      step,
      epoch: Math.ceil(step / 200),
      timeMs: step * 20,
      dLossReal: rand(),
      dLossFake: rand(),
      gLoss: rand() * 3,
      dAccReal: rand(),
      dAccFake: rand(),
      wasserstein: null
    })
    const batches: StepRow[][] = []
    for (let start = 1; start <= SQLITE_ROWS; start += SQLITE_BATCH) {
      batches.push(Array.from({ length: Math.min(SQLITE_BATCH, SQLITE_ROWS - start + 1) }, (_, i) => row(start + i)))
    }
    progress(`sqlite: inserting ${SQLITE_ROWS} step rows in batches of ${SQLITE_BATCH}`)
    const t0 = performance.now()
    for (const b of batches) metrics.insertSteps(runId, b)
    const insertSeconds = (performance.now() - t0) / 1000

    // Fill up to SQLITE_RUNS runs, each with a few steps so the list's last-metrics join finds rows.
    progress(`sqlite: creating ${SQLITE_RUNS} runs, timing RunsRepo.list()`)
    db.transaction(() => {
      for (let i = 1; i < SQLITE_RUNS; i++) {
        const id = runs.create({ ...config, name: `bench run ${i}` }, Date.now() - i * 1000)
        metrics.insertSteps(id, Array.from({ length: 10 }, (_, s) => row(s + 1)))
      }
    })()
    const times: number[] = []
    let count = 0
    for (let i = 0; i < LIST_REPEATS; i++) {
      const t = performance.now()
      count = runs.list().length
      times.push(performance.now() - t)
    }
    const sorted = [...times].sort((a, b) => a - b)
    return {
      rowsInserted: SQLITE_ROWS,
      batchRows: SQLITE_BATCH,
      insertSeconds,
      rowsPerSecond: SQLITE_ROWS / insertSeconds,
      runsInDatabase: count,
      listFirstMs: times[0],
      listMedianMs: sorted[Math.floor(sorted.length / 2)],
      listRepeats: LIST_REPEATS
    }
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
