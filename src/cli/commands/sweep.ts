// `sweep`: every run of a grid over config fields, from a saved config; waits for them all.
import type { SweepCreated } from '@shared/api'
import { LabError } from '@shared/errors'
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
    'data-dir': dataDirOption
  },
  notes: ['The runs are tagged "sweep ID". Exits 0 when every run completes, 1 when one does not.'],
  async run({ values, io }) {
    if (values.config === undefined) throw new LabError('INVALID_REQUEST', '--config: give the saved config the sweep starts from (Save config… in the lab)')
    const base = configFromFile(values.config, { config: values.config }, ['--config'])
    const axes = (values.vary ?? []).map((spec) => {
      const eq = spec.indexOf('=')
      if (eq <= 0) throw new LabError('INVALID_REQUEST', `--vary ${spec}: write FIELD=V1,V2 (e.g. optimizer.lr=0.0002,0.001)`)
      return { field: spec.slice(0, eq), values: parseSweepValues(spec.slice(eq + 1)) }
    })
    if (axes.length === 0) throw new LabError('INVALID_REQUEST', '--vary: name at least one field to vary, e.g. --vary seed=1,2,3')
    const lab = oneShotLab(values['data-dir'], undefined, 'npm run cli -- sweep')
    try {
      const perRun = num(values['runs-at-once'], '--runs-at-once')
      if (perRun !== undefined) lab.setSettings({ maxConcurrentRuns: perRun })
      lab.subscribe((e) => {
        if (e.event === 'runs:changed' && !['queued', 'running'].includes(e.payload.status)) {
          const r = e.payload
          io.out(`run ${r.id} ${r.status}: ${r.name}${r.statusMessage ? ` (${r.statusMessage})` : ''}`)
        }
      })
      const { sweep, runs } = await call<SweepCreated>(lab, 'sweeps:create', { name: values.name ?? base.name, base, axes, compareWhenDone: false })
      io.out(`sweep ${sweep.id}: ${runs.length} runs (${runs.map((r) => r.id).join(', ')}), ${lab.settings.get().maxConcurrentRuns} at once, tagged "sweep ${sweep.id}"`)
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
