// Unit: the Slurm executor's pure parts: the sbatch script and arguments, the options' checks,
// and squeue/sacct/scontrol output (states, reasons, exit codes) as Slurm 22.05 prints it.
import { describe, expect, it } from 'vitest'
import { describeSlurmEnd, phaseOf, slurmOptionsSchema } from '@shared/slurm'
import { lookupTask, parseSacct, parseSbatch, parseScontrol, parseSqueue } from '../../src/main/services/slurm/parse'
import { compressRange, sbatchArgs, sbatchScript, shellQuote } from '../../src/main/services/slurm/script'

const options = slurmOptionsSchema.parse({ kind: 'slurm', workDir: '/scratch/me/sweeps', partition: 'gpu', time: '02:00:00', gres: 'gpu:1', account: 'lab-7', sbatchArgs: ['--mem=16G'] })

describe('the sbatch script', () => {
  const text = sbatchScript({ jobName: 'gan-opt sweep', sweepDir: '/scratch/me/sweeps/sweep-1', projectDir: "/home/me/gan workbench's", options })

  it('asks for what the options say, with one log per task in its own folder', () => {
    const directives = text.split('\n').filter((l) => l.startsWith('#SBATCH'))
    expect(directives).toEqual([
      '#SBATCH --job-name=gan-opt_sweep',
      '#SBATCH --output=/scratch/me/sweeps/sweep-1/task-%a/slurm-%A_%a.out',
      '#SBATCH --ntasks=1',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=02:00:00',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --account=lab-7'
    ])
    expect(text.startsWith('#!/bin/bash\n')).toBe(true)
  })

  it('trains task K from its config into its own data folder, or resumes it, and records the exit status', () => {
    expect(text).toContain(`cd '/home/me/gan workbench'\\''s'`)
    expect(text).toContain('TASK="$SWEEP/task-$SLURM_ARRAY_TASK_ID"')
    expect(text).toContain('set -- --config "$TASK/config.json"')
    expect(text).toContain('set -- --resume 1 --epochs "$(cat "$TASK/resume")"')
    expect(text).toContain('export PATH="$PWD/node_modules/.bin:$PATH"\ntsx src/cli/index.ts train "$@" --data-dir "$TASK/data" &')
    expect(text).toContain('echo $rc > "$TASK/exit-code"')
    const bare = sbatchScript({ jobName: 'x', sweepDir: '/w', projectDir: '/p', options: slurmOptionsSchema.parse({ kind: 'slurm', workDir: '/w' }) })
    expect(bare.split('\n').filter((l) => l.startsWith('#SBATCH')).map((l) => l.split('=')[0])).toEqual(['#SBATCH --job-name', '#SBATCH --output', '#SBATCH --ntasks'])
  })

  it('submits the array range and the extra options before the script', () => {
    expect(sbatchArgs(options, '/w/sweep.sbatch', [0, 1, 2, 5])).toEqual(['--parsable', '--array=0-2,5', '--mem=16G', '/w/sweep.sbatch'])
    expect(sbatchArgs(options, '/w/s', [3])).toEqual(['--parsable', '--array=3', '--mem=16G', '/w/s'])
    expect(compressRange([7, 1, 2, 3, 9, 8])).toBe('1-3,7-9')
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`)
  })
})

describe('the Slurm options', () => {
  const problem = (patch: Record<string, unknown>) => {
    const r = slurmOptionsSchema.safeParse({ kind: 'slurm', workDir: '/w', ...patch })
    return r.success ? null : `${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`
  }
  it('refuses bad values by field', () => {
    expect(problem({})).toBeNull()
    expect(problem({ workDir: 'relative/dir' })).toMatch(/^workDir: must be an absolute path/)
    expect(problem({ time: '2 hours' })).toMatch(/^time: must be a Slurm time limit such as 02:00:00/)
    expect(problem({ time: '1-12:00:00' })).toBeNull()
    expect(problem({ gres: 'gpu:1\n#SBATCH --x' })).toMatch(/^gres: must be a generic resource such as gpu:1/)
    expect(problem({ partition: 'a b' })).toMatch(/^partition: /)
    expect(problem({ sbatchArgs: ['mem=1G'] })).toMatch(/^sbatchArgs.0: must be an sbatch option/)
    expect(problem({ sbatchArgs: ['--array=0-3'] })).toMatch(/^sbatchArgs.0: is set by the lab/)
    expect(problem({ sbatchArgs: ['--output=x'] })).toMatch(/is set by the lab/)
  })
})

describe("Slurm's answers", () => {
  it('reads squeue -r lines per task, with the pending reason and the node', () => {
    const q = parseSqueue('12_0|RUNNING|None|node07\n12_1|PENDING|Resources|\n12_[2-5]|PENDING|Priority|\n13|RUNNING|None|n1\n')
    expect([...q.keys()]).toEqual(['12_0', '12_1'])
    expect(q.get('12_0')).toEqual({ jobId: '12', index: 0, state: 'RUNNING', reason: null, exitCode: null, node: 'node07' })
    expect(q.get('12_1')).toMatchObject({ state: 'PENDING', reason: 'Resources', node: null })
  })

  it('reads sacct lines with exit codes and reasons, and "CANCELLED by UID"', () => {
    const a = parseSacct(
      ['12_0|COMPLETED|0:0|None|node07', '12_1|FAILED|1:0|NonZeroExitCode|node08', '12_2|CANCELLED by 1000|0:15|None|node07', '12_3|TIMEOUT|0:0|TimeLimit|n2', '12_[4-5]|PENDING|0:0|Priority|None assigned'].join('\n')
    )
    expect(a.get('12_0')).toMatchObject({ state: 'COMPLETED', reason: null, exitCode: '0:0', node: 'node07' })
    expect(a.get('12_1')).toMatchObject({ state: 'FAILED', reason: 'NonZeroExitCode', exitCode: '1:0' })
    expect(a.get('12_2')).toMatchObject({ state: 'CANCELLED', reason: 'by 1000', exitCode: '0:15' })
    expect(a.get('12_3')).toMatchObject({ state: 'TIMEOUT', reason: 'TimeLimit' })
    expect(a.size).toBe(4)
  })

  it('reads scontrol show job -o where there is no accounting database', () => {
    const line = (task: string, state: string, reason: string, exit: string) =>
      `JobId=4 ArrayJobId=3 ArrayTaskId=${task} JobName=gan UserId=root(0) JobState=${state} Reason=${reason} Dependency=(null) ExitCode=${exit} RunTime=00:00:05 NodeList=vm BatchHost=vm`
    const s = parseScontrol([line('0', 'COMPLETED', 'None', '0:0'), line('1', 'FAILED', 'NonZeroExitCode', '1:0'), line('2-4', 'PENDING', 'Resources', '0:0')].join('\n'))
    expect(s.get('3_0')).toEqual({ jobId: '3', index: 0, state: 'COMPLETED', reason: null, exitCode: '0:0', node: 'vm' })
    expect(s.get('3_1')).toMatchObject({ state: 'FAILED', reason: 'NonZeroExitCode', exitCode: '1:0' })
    expect(s.size).toBe(2)
    expect(lookupTask([new Map(), s], '3', 1)?.state).toBe('FAILED')
    expect(lookupTask([s], '3', 9)).toBeNull()
  })

  it('maps states to what the lab shows, naming the reason', () => {
    expect(['PENDING', 'RUNNING', 'COMPLETING', 'COMPLETED', 'CANCELLED', 'TIMEOUT', 'FAILED', 'OUT_OF_MEMORY', 'NODE_FAIL'].map(phaseOf)).toEqual([
      'pending',
      'running',
      'running',
      'completed',
      'stopped',
      'stopped',
      'failed',
      'failed',
      'failed'
    ])
    expect(describeSlurmEnd('TIMEOUT', 'TimeLimit', '0:0')).toBe('Slurm: TIMEOUT (it reached its time limit (--time); reason TimeLimit)')
    expect(describeSlurmEnd('FAILED', 'NonZeroExitCode', '1:0')).toBe('Slurm: FAILED (it exited with an error; reason NonZeroExitCode; exit code 1:0)')
    expect(describeSlurmEnd('CANCELLED', 'by 0', null)).toBe('Slurm: CANCELLED (it was cancelled (scancel); reason by 0)')
  })

  it('takes the job id from sbatch --parsable and names what it printed otherwise', () => {
    expect(parseSbatch('42\n')).toBe('42')
    expect(parseSbatch('42;cluster-a\n')).toBe('42')
    expect(() => parseSbatch('sbatch: error: invalid partition specified: gpux')).toThrow(/did not print a job id \(it printed: sbatch: error: invalid partition/)
  })
})
