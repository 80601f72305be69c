// Where a sweep's runs train: on this machine (the lab's queue) or on a Slurm cluster as one
// job array, each task running the headless trainer into its own folder under a shared work
// directory. The options here are those of `sweep --executor slurm` and of the sweep form.
import { z } from 'zod'

/** Values that go into `#SBATCH` lines: no line breaks, no shell quoting games. */
const sbatchValue = (what: string, example: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .regex(/^[A-Za-z0-9_.:,=+\-/@%]+$/, `must be a ${what} such as ${example} (letters, digits and _ . : , = + - / @ % only)`)

/** Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
export const SLURM_TIME = /^(\d+-\d{1,2}(:\d{1,2}(:\d{1,2})?)?|\d+(:\d{1,2}(:\d{1,2})?)?)$/

export const slurmOptionsSchema = z
  .object({
    kind: z.literal('slurm'),
    /** A folder every node of the cluster sees at the same path (a home or scratch file system). */
    workDir: z
      .string()
      .trim()
      .min(1, 'must name a folder the cluster nodes share')
      .max(1000, 'must be at most 1000 characters')
      .refine((p) => p.startsWith('/'), 'must be an absolute path (e.g. /scratch/me/gan-sweeps) that every node sees')
      .refine((p) => !/[\n\r"'$`\\]/.test(p), 'must not contain quotes, $, ` or \\ or line breaks'),
    partition: sbatchValue('partition name', 'gpu').optional(),
    time: z
      .string()
      .trim()
      .regex(SLURM_TIME, 'must be a Slurm time limit such as 02:00:00 (HH:MM:SS) or 1-00:00:00')
      .optional(),
    gres: sbatchValue('generic resource', 'gpu:1').optional(),
    account: sbatchValue('account name', 'my-lab').optional(),
    /** More sbatch options, one argument each (e.g. --mem=16G, --qos=short). */
    sbatchArgs: z
      .array(
        z
          .string()
          .trim()
          .regex(/^--?[A-Za-z]/, 'must be an sbatch option such as --mem=16G')
          .refine((a) => !/[\n\r]/.test(a), 'must not contain line breaks')
          .refine((a) => !/^--?(array|output|error|wrap|chdir|D|o|e|a|parsable)(=|$)/.test(a), 'is set by the lab (array, output, error, chdir)')
      )
      .max(20, 'at most 20 extra options')
      .default([])
  })
  .strict()
export type SlurmOptions = z.output<typeof slurmOptionsSchema>

export const executorSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('local') }).strict(), slurmOptionsSchema])
export type Executor = z.output<typeof executorSchema>

/** A job's state as Slurm names it (squeue %T, sacct State), first word only. */
export type SlurmState = string

/** What a Slurm state means for the lab's run. */
export type SlurmPhase = 'pending' | 'running' | 'completed' | 'stopped' | 'failed'

const PENDING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESV_DEL_HOLD', 'SUSPENDED', 'STOPPED', 'SPECIAL_EXIT', 'RESIZING'])
const RUNNING = new Set(['RUNNING', 'CONFIGURING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT'])
/** Ended by someone or something other than the run itself: resumable from its last checkpoint. */
const STOPPED = new Set(['CANCELLED', 'TIMEOUT', 'PREEMPTED', 'DEADLINE'])

export function phaseOf(state: SlurmState): SlurmPhase {
  const s = state.toUpperCase()
  if (PENDING.has(s)) return 'pending'
  if (RUNNING.has(s)) return 'running'
  if (s === 'COMPLETED') return 'completed'
  if (STOPPED.has(s)) return 'stopped'
  return 'failed'
}

const STATE_WORDS: Record<string, string> = {
  TIMEOUT: 'it reached its time limit (--time)',
  CANCELLED: 'it was cancelled (scancel)',
  PREEMPTED: 'a job of higher priority preempted it',
  DEADLINE: 'it reached its deadline',
  NODE_FAIL: 'its node failed',
  OUT_OF_MEMORY: 'it ran out of memory (ask for more with --sbatch-arg --mem=...)',
  BOOT_FAIL: 'its node failed to boot',
  FAILED: 'it exited with an error'
}

/** "Slurm: TIMEOUT (it reached its time limit (--time)), exit code 0:15": an ended task in words. */
export function describeSlurmEnd(state: SlurmState, reason: string | null, exitCode: string | null): string {
  const s = state.toUpperCase()
  const parts = [STATE_WORDS[s], reason && reason !== 'None' ? `reason ${reason}` : null, exitCode && exitCode !== '0:0' ? `exit code ${exitCode}` : null].filter(Boolean)
  return `Slurm: ${state}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`
}
