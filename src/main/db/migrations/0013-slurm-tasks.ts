// Runs of a sweep that train on a Slurm cluster: which job array task each one is, the task's
// folder under the shared work directory, and what Slurm last said about it. The column is
// lab_run_id, not run_id: this is the lab's bookkeeping, never part of a run's bundle.
import type { Database } from 'better-sqlite3'

export const name = 'slurm-tasks'

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE slurm_tasks (
      lab_run_id INTEGER PRIMARY KEY,
      sweep_dir TEXT NOT NULL,
      task_index INTEGER NOT NULL,
      job_id TEXT NOT NULL,
      state TEXT NOT NULL,
      reason TEXT,
      options_json TEXT NOT NULL,
      active INTEGER NOT NULL DEFAULT 1,
      submitted_at INTEGER NOT NULL
    );
  `)
}
