// `sweep`: every run of a grid over config fields, from a saved config; waits for them all.
import { resolve } from 'node:path'
import type { SweepCreated } from '@shared/api'
import { LabError } from '@shared/errors'
import { executorSchema } from '@shared/slurm'
import { parseSweepValues } from '@shared/sweep'
import { dataDirOption, defineCommand } from '../command'
import { call, num, oneShotLab } from '../lab'
import { configFromFile } from '../run-config'

export const sweep = defineCommand({
  name: 'sweep',
  summary: 'Trains every combination of values of config fields from a saved config.',
  synopsis: '--config BASE.config.json --vary FIELD=V1,V2 [--vary FIELD=...] [options]',
  options: {
    config: { type: 'string', value: 'FILE', description: 'the saved config the sweep starts from (Save config… in the lab)' },
    vary: {
      type: 'string',
      value: 'FIELD=V1,V2',
      multiple: true,
      description: 'a config field and its values, e.g. optimizer.kind=sgd,adam or seed=1,2; optimizer.* sets both networks'
    },
    name: { type: 'string', value: 'NAME', description: "the sweep's name", shownDefault: "the config's" },
    'runs-at-once': { type: 'string', value: 'N', description: "how many runs train at once (changes the lab's setting)" },
    executor: { type: 'string', value: 'WHERE', description: 'where the runs train: this machine, or a Slurm cluster as one job array', default: 'local', choices: ['local', 'slurm'] },
    'work-dir': { type: 'string', value: 'DIR', description: 'slurm: a folder every node sees at the same path; each task trains into its own folder there' },
    partition: { type: 'string', value: 'P', description: 'slurm: the partition (sbatch --partition)' },
    time: { type: 'string', value: 'HH:MM:SS', description: "slurm: each task's time limit (sbatch --time)" },
    gres: { type: 'string', value: 'GRES', description: 'slurm: generic resources per task, e.g. gpu:1 (sbatch --gres)' },
    account: { type: 'string', value: 'A', description: 'slurm: the account charged (sbatch --account)' },
    'sbatch-arg': { type: 'string', value: 'ARG', multiple: true, description: 'slurm: one more sbatch option, written --sbatch-arg=--mem=16G' },
    'data-dir': dataDirOption
  },
  notes: [
    'The runs are tagged "sweep ID". Exits 0 when every run completes, 1 when one does not.',
    'With --executor slurm the sweep is one sbatch job array and the command waits for it; interrupted, the jobs go on and the lab follows them when it next opens the data folder (docs/slurm.md).'
  ],
  async run({ values, io }) {
    if (values.config === undefined) throw new LabError('INVALID_REQUEST', '--config: give the saved config the sweep starts from (Save config… in the lab)')
    const base = configFromFile(values.config, { config: values.config }, ['--config'])
    const axes = (values.vary ?? []).map((spec) => {
      const eq = spec.indexOf('=')
      if (eq <= 0) throw new LabError('INVALID_REQUEST', `--vary ${spec}: write FIELD=V1,V2 (e.g. optimizer.lr=0.0002,0.001)`)
      return { field: spec.slice(0, eq), values: parseSweepValues(spec.slice(eq + 1)) }
    })
    if (axes.length === 0) throw new LabError('INVALID_REQUEST', '--vary: name at least one field to vary, e.g. --vary seed=1,2,3')
    const executor = executorOf(values)
    const lab = oneShotLab(values['data-dir'], undefined, 'npm run cli -- sweep')
    try {
      const perRun = num(values['runs-at-once'], '--runs-at-once')
      if (perRun !== undefined) lab.setSettings({ maxConcurrentRuns: perRun })
      // runs:changed also fires after a run ends (its scores, notes...): say each end once.
      const told = new Set<number>()
      lab.subscribe((e) => {
        if (e.event === 'runs:changed' && !['queued', 'running'].includes(e.payload.status) && !told.has(e.payload.id)) {
          const r = e.payload
          told.add(r.id)
          io.out(`run ${r.id} ${r.status}: ${r.name}${r.statusMessage ? ` (${r.statusMessage})` : ''}`)
        }
      })
      const { sweep, runs } = await call<SweepCreated>(lab, 'sweeps:create', { name: values.name ?? base.name, base, axes, compareWhenDone: false, executor })
      const where = executor.kind === 'slurm' ? `on Slurm (${runs[0]?.statusMessage ?? 'submitted'}), task folders in ${executor.workDir}` : `${lab.settings.get().maxConcurrentRuns} at once`
      io.out(`sweep ${sweep.id}: ${runs.length} runs (${runs.map((r) => r.id).join(', ')}), ${where}, tagged "sweep ${sweep.id}"`)
      const ended = await Promise.all(runs.map((r) => lab.waitForEnd(r.id)))
      await lab.evaluation.idle()
      for (const r of ended) {
        const g = r.lastMetrics?.gLoss
        io.out(`${String(r.id).padStart(5)}  ${r.status.padEnd(9)}  G loss ${g === undefined || g === null ? '-' : g.toFixed(3)}  ${r.name}`)
      }
      return ended.every((r) => r.status === 'completed') ? 0 : 1
    } finally {
      lab.close()
    }
  }
})

type SweepValues = Record<'executor' | 'work-dir' | 'partition' | 'time' | 'gres' | 'account', string | undefined> & { 'sbatch-arg'?: string[] }

/** The executor the flags ask for; Slurm's flags without --executor slurm are refused by name. */
function executorOf(values: SweepValues): ReturnType<typeof executorSchema.parse> {
  const slurmFlags = (['work-dir', 'partition', 'time', 'gres', 'account', 'sbatch-arg'] as const).filter((f) => values[f] !== undefined)
  if (values.executor !== 'slurm') {
    if (values.executor !== 'local') throw new LabError('INVALID_REQUEST', `--executor must be local or slurm, got "${String(values.executor)}"`)
    if (slurmFlags.length > 0) throw new LabError('INVALID_REQUEST', `--${slurmFlags[0]} needs --executor slurm`)
    return { kind: 'local' }
  }
  if (values['work-dir'] === undefined) throw new LabError('INVALID_REQUEST', '--work-dir: give a folder every node of the cluster sees at the same path (e.g. /scratch/$USER/gan-sweeps)')
  const parsed = executorSchema.safeParse({
    kind: 'slurm',
    workDir: resolve(values['work-dir']),
    partition: values.partition,
    time: values.time,
    gres: values.gres,
    account: values.account,
    sbatchArgs: values['sbatch-arg'] ?? []
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = { workDir: 'work-dir', sbatchArgs: 'sbatch-arg' }[String(issue.path[0])] ?? String(issue.path[0])
    throw new LabError('INVALID_REQUEST', `--${flag}${issue.path.length > 1 ? ` ${JSON.stringify((values['sbatch-arg'] ?? [])[Number(issue.path[1])])}` : ''}: ${issue.message}`)
  }
  return parsed.data
}
