// GAN Lab's view of toy runs (src/shared/toy-field.ts): D's output over the data plane, the real
// and generated points and G's gradient arrows at the end of each epoch, for the epoch scrubber.
import type { Database } from 'better-sqlite3'

export const name = 'epoch-fields'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE epoch_fields (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      step INTEGER NOT NULL,
      field_json TEXT NOT NULL,
      PRIMARY KEY (run_id, epoch)
    );
  `)
}
