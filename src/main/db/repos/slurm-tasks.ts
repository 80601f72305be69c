// The lab's record of runs training on Slurm (one job array task each).
import type { Database } from 'better-sqlite3'
import { slurmOptionsSchema, type SlurmOptions } from '@shared/slurm'

export interface SlurmTask {
  runId: number
  sweepDir: string
  index: number
  jobId: string
  state: string
  reason: string | null
  options: SlurmOptions
  /** Still followed with squeue/sacct (false once its result was imported or it was given up). */
  active: boolean
  submittedAt: number
}

interface Row {
  lab_run_id: number
  sweep_dir: string
  task_index: number
  job_id: string
  state: string
  reason: string | null
  options_json: string
  active: number
  submitted_at: number
}

const toTask = (r: Row): SlurmTask => ({
  runId: r.lab_run_id,
  sweepDir: r.sweep_dir,
  index: r.task_index,
  jobId: r.job_id,
  state: r.state,
  reason: r.reason,
  options: slurmOptionsSchema.parse(JSON.parse(r.options_json)),
  active: r.active === 1,
  submittedAt: r.submitted_at
})

export class SlurmTasksRepo {
  constructor(private readonly db: Database) {}

  add(task: Omit<SlurmTask, 'active' | 'state' | 'reason'>): void {
    this.db
      .prepare(`INSERT INTO slurm_tasks (lab_run_id, sweep_dir, task_index, job_id, state, reason, options_json, active, submitted_at) VALUES (?, ?, ?, ?, 'PENDING', NULL, ?, 1, ?)`)
      .run(task.runId, task.sweepDir, task.index, task.jobId, JSON.stringify(task.options), task.submittedAt)
  }

  get(runId: number): SlurmTask | null {
    const row = this.db.prepare('SELECT * FROM slurm_tasks WHERE lab_run_id = ?').get(runId) as Row | undefined
    return row ? toTask(row) : null
  }

  active(): SlurmTask[] {
    return (this.db.prepare('SELECT * FROM slurm_tasks WHERE active = 1 ORDER BY lab_run_id').all() as Row[]).map(toTask)
  }

  /** Ids of every run the Slurm executor owns (active or not). */
  runIds(): number[] {
    return this.db.prepare('SELECT lab_run_id FROM slurm_tasks').pluck().all() as number[]
  }

  setState(runId: number, state: string, reason: string | null): void {
    this.db.prepare('UPDATE slurm_tasks SET state = ?, reason = ? WHERE lab_run_id = ?').run(state, reason, runId)
  }

  settle(runId: number): void {
    this.db.prepare('UPDATE slurm_tasks SET active = 0 WHERE lab_run_id = ?').run(runId)
  }

  /** A resubmitted task: its new job, followed again. */
  resubmitted(runId: number, jobId: string, now = Date.now()): void {
    this.db.prepare(`UPDATE slurm_tasks SET job_id = ?, state = 'PENDING', reason = NULL, active = 1, submitted_at = ? WHERE lab_run_id = ?`).run(jobId, now, runId)
  }

  delete(runId: number): void {
    this.db.prepare('DELETE FROM slurm_tasks WHERE lab_run_id = ?').run(runId)
  }
}
