// The sbatch script of a Slurm sweep: one job array, task K trains the sweep's point K with the
// headless trainer (`tsx src/cli/index.ts train`, what `npm run cli -- train` runs) into its own folder, task-K/ under the sweep's work
// folder, with its own SQLite file (task-K/data). A task with a `resume` file continues its run
// from the last checkpoint instead. Pure: the text and the sbatch arguments only.
import type { SlurmOptions } from '@shared/slurm'

/** The folder of task `index` inside the sweep's work folder. */
export const taskDirName = (index: number): string => `task-${index}`
export const SCRIPT_FILE = 'sweep.sbatch'
/** Written by the task when the trainer exits: its exit status (the lab's fallback when Slurm has forgotten the job). */
export const EXIT_FILE = 'exit-code'
/** Present when the task continues its run: the epoch count to train to. */
export const RESUME_FILE = 'resume'
export const CONFIG_FILE = 'config.json'
export const DATA_DIR = 'data'

/** A shell word in single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

export interface ScriptSpec {
  /** The job's name in squeue. */
  jobName: string
  /** The sweep's folder under the shared work directory. */
  sweepDir: string
  /** Where the project is installed on the nodes (the same path as on the lab's machine). */
  projectDir: string
  options: SlurmOptions
}

/** The #SBATCH lines and body of the sweep's script (the array range is given on the command line). */
export function sbatchScript(spec: ScriptSpec): string {
  const { options: o } = spec
  const directives = [
    `--job-name=${spec.jobName.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60)}`,
    // %a: the task's index; every task writes its log into its own folder.
    `--output=${spec.sweepDir}/task-%a/slurm-%A_%a.out`,
    '--ntasks=1',
    o.partition ? `--partition=${o.partition}` : null,
    o.time ? `--time=${o.time}` : null,
    o.gres ? `--gres=${o.gres}` : null,
    o.account ? `--account=${o.account}` : null
  ].filter((d): d is string => d !== null)
  return [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    '# Written by GAN Workbench: one task per point of the sweep.',
    'set -u',
    `SWEEP=${shellQuote(spec.sweepDir)}`,
    'TASK="$SWEEP/task-$SLURM_ARRAY_TASK_ID"',
    `cd ${shellQuote(spec.projectDir)} || { echo "GAN Workbench is not installed at ${spec.projectDir.replace(/["$`\\]/g, '')} on $(hostname)" >&2; echo 127 > "$TASK/${EXIT_FILE}"; exit 127; }`,
    `rm -f "$TASK/${EXIT_FILE}"`,
    `if [ -f "$TASK/${RESUME_FILE}" ]; then`,
    `  set -- --resume 1 --epochs "$(cat "$TASK/${RESUME_FILE}")"`,
    'else',
    `  set -- --config "$TASK/${CONFIG_FILE}"`,
    'fi',
    'echo "GAN Workbench task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname): train $*"',
    // The trainer's SIGTERM handler stops the run cleanly on scancel or at the time limit.
    // tsx straight from the project (not through npm, which dies on SIGTERM and leaves the
    // trainer orphaned, out of Slurm's sight): it passes SIGTERM on and exits with the trainer.
    'export PATH="$PWD/node_modules/.bin:$PATH"',
    `tsx src/cli/index.ts train "$@" --data-dir "$TASK/${DATA_DIR}" &`,
    'child=$!',
    "trap 'kill -TERM $child 2>/dev/null' TERM INT",
    'wait $child; rc=$?',
    // wait returns early when the trap fires; wait again for the trainer to finish stopping.
    'if kill -0 $child 2>/dev/null; then wait $child; rc=$?; fi',
    `echo $rc > "$TASK/${EXIT_FILE}"`,
    'exit $rc',
    ''
  ].join('\n')
}

/** sbatch's arguments for the tasks `indices` of the sweep (all of them at submission, one at a resume). */
export function sbatchArgs(options: SlurmOptions, scriptPath: string, indices: readonly number[]): string[] {
  if (indices.length === 0) throw new Error('sbatch needs at least one task')
  return ['--parsable', `--array=${compressRange(indices)}`, ...options.sbatchArgs, scriptPath]
}

/** [0,1,2,5] -> "0-2,5". */
export function compressRange(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]))
    i = j + 1
  }
  return parts.join(',')
}
