// Running Slurm's commands (sbatch, squeue, sacct, scontrol, scancel) from the lab: sbatch
// and scancel synchronously (a request waits for their answer), the status queries without
// blocking the lab. A missing command is named with what to do about it.
import { execFile, execFileSync } from 'node:child_process'
import { LabError } from '@shared/errors'

export interface CommandResult {
  ok: boolean
  stdout: string
  /** stderr, or why the command could not run. */
  stderr: string
}

const TIMEOUT_MS = 30_000

function notInstalled(cmd: string): string {
  return `${cmd} is not on this machine's PATH: run the lab on the cluster's login node, where Slurm's commands are (docs/slurm.md)`
}

/** Runs a Slurm command and waits for it; throws a LabError naming the command and what it said when it fails. */
export function slurmSync(cmd: string, args: readonly string[], what: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string }
    if (e.code === 'ENOENT') throw new LabError('INVALID_REQUEST', `Cannot ${what}: ${notInstalled(cmd)}`)
    const said = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim() || e.message
    throw new LabError('INVALID_REQUEST', `Cannot ${what}: ${cmd} ${args.join(' ')} failed: ${said.slice(0, 600)}`)
  }
}

/** Runs a Slurm query without blocking; never throws (a failed query is reported in the result). */
export function slurmQuery(cmd: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ ok: false, stdout: '', stderr: notInstalled(cmd) })
      else resolve({ ok: !err, stdout: stdout ?? '', stderr: (stderr ?? '').trim() || (err ? err.message : '') })
    })
  })
}
