// What squeue, sacct and scontrol say about the tasks of job arrays, parsed from the formats
// the Slurm executor asks for. Pure: the executor runs the commands, these read their output.

export interface TaskState {
  /** The array job's id (the number sbatch printed). */
  jobId: string
  /** The task's index in the array. */
  index: number
  /** First word of Slurm's state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT... */
  state: string
  /** Slurm's reason (squeue %r, sacct Reason, scontrol Reason), or null when it says None. */
  reason: string | null
  /** "exit:signal" as Slurm reports it, when known. */
  exitCode: string | null
  /** The node it runs or ran on, when known. */
  node: string | null
}

/** "12_3" -> { jobId: '12', index: 3 }; null for "12_[0-5]" (tasks not yet split off) and plain jobs. */
export function splitTaskId(id: string): { jobId: string; index: number } | null {
  const m = /^(\d+)_(\d+)$/.exec(id.trim())
  return m ? { jobId: m[1], index: Number(m[2]) } : null
}

const taskKey = (jobId: string, index: number): string => `${jobId}_${index}`

function clean(value: string | undefined): string | null {
  const v = value?.trim() ?? ''
  return v === '' || v === 'None' || v === '(null)' || v === 'n/a' ? null : v
}

/** A state as sacct writes it may carry words after it ("CANCELLED by 1000"): they go to the reason. */
function splitState(raw: string): { state: string; extra: string | null } {
  const [state, ...rest] = raw.trim().split(/\s+/)
  return { state: state.replace(/\+$/, ''), extra: rest.length > 0 ? rest.join(' ') : null }
}

export const SQUEUE_FORMAT = '%i|%T|%r|%N'

/** `squeue -h -r -o '%i|%T|%r|%N'`: one line per task (-r splits pending arrays). */
export function parseSqueue(text: string): Map<string, TaskState> {
  const out = new Map<string, TaskState>()
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const [id, state = '', reason, node] = line.split('|')
    const task = splitTaskId(id)
    if (!task) continue
    out.set(taskKey(task.jobId, task.index), { ...task, state: splitState(state).state, reason: clean(reason), exitCode: null, node: clean(node) })
  }
  return out
}

export const SACCT_FIELDS = 'JobID,State,ExitCode,Reason,NodeList'

/** `sacct -n -P -X -o JobID,State,ExitCode,Reason,NodeList`: one line per task that has split off. */
export function parseSacct(text: string): Map<string, TaskState> {
  const out = new Map<string, TaskState>()
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const [id, rawState = '', exitCode, reason, node] = line.split('|')
    const task = splitTaskId(id)
    if (!task) continue
    const { state, extra } = splitState(rawState)
    const why = [clean(reason), extra].filter(Boolean).join('; ')
    out.set(taskKey(task.jobId, task.index), { ...task, state, reason: why || null, exitCode: clean(exitCode), node: clean(node) })
  }
  return out
}

/** `scontrol show job -o JOB`: one line of KEY=VALUE pairs per task (the fallback where sacct has no accounting database). */
export function parseScontrol(text: string): Map<string, TaskState> {
  const out = new Map<string, TaskState>()
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const fields = new Map<string, string>()
    // Values have no spaces except Reason's and Comment's last words; KEY=VALUE pairs split on spaces.
    for (const m of line.matchAll(/(?:^|\s)([A-Za-z][A-Za-z/:_]*)=(\S*)/g)) fields.set(m[1], m[2])
    const jobId = fields.get('ArrayJobId')
    const index = fields.get('ArrayTaskId')
    if (!jobId || !index || !/^\d+$/.test(index)) continue
    const reason = clean(fields.get('Reason'))
    out.set(taskKey(jobId, Number(index)), {
      jobId,
      index: Number(index),
      state: fields.get('JobState') ?? 'UNKNOWN',
      reason,
      exitCode: clean(fields.get('ExitCode')),
      node: clean(fields.get('NodeList'))
    })
  }
  return out
}

/** The task's state: squeue's while it is queued or running, else sacct's or scontrol's. */
export function lookupTask(maps: readonly Map<string, TaskState>[], jobId: string, index: number): TaskState | null {
  for (const m of maps) {
    const hit = m.get(taskKey(jobId, index))
    if (hit) return hit
  }
  return null
}

/** sbatch --parsable prints "JOBID" or "JOBID;CLUSTER". */
export function parseSbatch(text: string): string {
  const first = text.trim().split('\n').pop()?.split(';')[0]?.trim() ?? ''
  if (!/^\d+$/.test(first)) throw new Error(`sbatch did not print a job id (it printed: ${text.trim().slice(0, 200) || 'nothing'})`)
  return first
}
