// Scores of conditional runs: how often the classifier sees the class G was asked for, and
// TSTR (a classifier trained on generated labelled samples, tested on real ones) beside the
// same classifier trained on as many real samples (TRTR). Null for unconditional runs.
import type { Database } from 'better-sqlite3'

export const name = 'conditional-scores'

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE epoch_scores ADD COLUMN label_accuracy REAL;
    ALTER TABLE epoch_scores ADD COLUMN tstr_accuracy REAL;
    ALTER TABLE epoch_scores ADD COLUMN trtr_accuracy REAL;
    ALTER TABLE epoch_scores ADD COLUMN tstr_samples INTEGER;
    ALTER TABLE epoch_scores ADD COLUMN tstr_classifier TEXT;
  `)
}
