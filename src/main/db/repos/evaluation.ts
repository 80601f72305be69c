// Epoch scores of runs and each run's best epoch and failure flags.
import type { Database } from 'better-sqlite3'
import type { EpochScores, ScoreName } from '@shared/evaluation'
import type { RunEvaluation, RunFlag } from '@shared/failure-detect'
import { readStoredJson } from '../stored-json'

interface ScoreRow {
  epoch: number
  classifier_id: string
  classifier_accuracy: number
  real_count: number
  generated_count: number
  fid: number
  fid_floor: number
  classifier_score: number
  real_classifier_score: number
  precision: number
  recall: number
  density: number
  coverage: number
  histogram_json: string
  classes_covered: number
  fixed_batch_diversity: number
  label_accuracy: number | null
  tstr_accuracy: number | null
  trtr_accuracy: number | null
  tstr_samples: number | null
  tstr_classifier: string | null
  created_at: number
}

interface EvaluationRow {
  run_id: number
  best_by: ScoreName
  best_epoch: number | null
  best_value: number | null
  flags_json: string
}

/** A stored JSON value, or `fallback` where it cannot be read (the run's detail names the problem). */
function storedOr<T>(table: string, column: string, text: string, fallback: T): T {
  const read = readStoredJson<T>(table, column, text)
  return read.ok ? read.value : fallback
}

function toScores(r: ScoreRow): EpochScores {
  return {
    epoch: r.epoch,
    classifierId: r.classifier_id,
    classifierAccuracy: r.classifier_accuracy,
    realCount: r.real_count,
    generatedCount: r.generated_count,
    fid: r.fid,
    fidFloor: r.fid_floor,
    classifierScore: r.classifier_score,
    realClassifierScore: r.real_classifier_score,
    precision: r.precision,
    recall: r.recall,
    density: r.density,
    coverage: r.coverage,
    histogram: storedOr<number[]>('epoch_scores', 'histogram_json', r.histogram_json, []),
    classesCovered: r.classes_covered,
    fixedBatchDiversity: r.fixed_batch_diversity,
    conditional:
      r.label_accuracy === null || r.tstr_accuracy === null || r.trtr_accuracy === null
        ? null
        : { labelAccuracy: r.label_accuracy, tstrAccuracy: r.tstr_accuracy, trtrAccuracy: r.trtr_accuracy, tstrSamples: r.tstr_samples ?? 0, tstrClassifier: r.tstr_classifier ?? '' },
    createdAt: r.created_at
  }
}

function toEvaluation(r: EvaluationRow): RunEvaluation {
  return { bestBy: r.best_by, bestEpoch: r.best_epoch, bestValue: r.best_value, flags: storedOr<RunFlag[]>('run_evaluation', 'flags_json', r.flags_json, []) }
}

export class EvaluationRepo {
  constructor(private readonly db: Database) {}

  insertScores(runId: number, s: EpochScores): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO epoch_scores (run_id, epoch, classifier_id, classifier_accuracy, real_count, generated_count, fid, fid_floor,
           classifier_score, real_classifier_score, precision, recall, density, coverage, histogram_json, classes_covered, fixed_batch_diversity,
           label_accuracy, tstr_accuracy, trtr_accuracy, tstr_samples, tstr_classifier, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        runId,
        s.epoch,
        s.classifierId,
        s.classifierAccuracy,
        s.realCount,
        s.generatedCount,
        s.fid,
        s.fidFloor,
        s.classifierScore,
        s.realClassifierScore,
        s.precision,
        s.recall,
        s.density,
        s.coverage,
        JSON.stringify(s.histogram),
        s.classesCovered,
        s.fixedBatchDiversity,
        s.conditional?.labelAccuracy ?? null,
        s.conditional?.tstrAccuracy ?? null,
        s.conditional?.trtrAccuracy ?? null,
        s.conditional?.tstrSamples ?? null,
        s.conditional?.tstrClassifier ?? null,
        s.createdAt
      )
  }

  scores(runId: number): EpochScores[] {
    return (this.db.prepare('SELECT * FROM epoch_scores WHERE run_id = ? ORDER BY epoch').all(runId) as ScoreRow[]).map(toScores)
  }

  setEvaluation(runId: number, e: RunEvaluation, now = Date.now()): void {
    this.db
      .prepare('INSERT OR REPLACE INTO run_evaluation (run_id, best_by, best_epoch, best_value, flags_json, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, e.bestBy, e.bestEpoch, e.bestValue, JSON.stringify(e.flags), now)
  }

  evaluation(runId: number): RunEvaluation | null {
    const row = this.db.prepare('SELECT * FROM run_evaluation WHERE run_id = ?').get(runId) as EvaluationRow | undefined
    return row ? toEvaluation(row) : null
  }

  allEvaluations(): Map<number, RunEvaluation> {
    const rows = this.db.prepare('SELECT * FROM run_evaluation').all() as EvaluationRow[]
    return new Map(rows.map((r) => [r.run_id, toEvaluation(r)]))
  }
}
