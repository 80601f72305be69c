// `export-bundle` and `import-bundle`: a run, its metrics, grids and checkpoints as one zip file
// that moves it from one data folder to another.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LabError } from '@shared/errors'
import { bundleFileName, exportRunBundle, readBundleFile, type BundleCheckpoints } from '../../main/services/bundle'
import { dataDirOption, defineCommand } from '../command'
import { VERSION, dataDirOf, num, oneShotLab } from '../lab'

const CHECKPOINTS = ['last', 'all', 'none'] as const

export const exportBundle = defineCommand({
  name: 'export-bundle',
  summary: 'Writes a run with its metrics, grids and checkpoints as a zip bundle.',
  synopsis: '--run ID [options]',
  options: {
    run: { type: 'string', value: 'ID', description: 'the run to export' },
    out: { type: 'string', value: 'FILE', description: 'the zip file to write', shownDefault: "a name from the run's id and name, here" },
    checkpoints: { type: 'string', value: 'WHICH', default: 'last', choices: CHECKPOINTS, description: 'which checkpoints the bundle holds' },
    'data-dir': dataDirOption
  },
  run({ values, io }) {
    const id = num(values.run, '--run')
    if (id === undefined) throw new LabError('INVALID_REQUEST', 'export-bundle needs --run ID')
    if (!(CHECKPOINTS as readonly string[]).includes(values.checkpoints)) {
      throw new LabError('INVALID_REQUEST', `--checkpoints must be none, last or all, got "${values.checkpoints}"`)
    }
    const lab = oneShotLab(values['data-dir'])
    try {
      const run = lab.runs.get(id)
      if (!run) throw new LabError('NOT_FOUND', `Run ${id} does not exist in ${dataDirOf(values['data-dir'])}`)
      const zip = exportRunBundle(lab.db, id, lab.runDir(id), { checkpoints: values.checkpoints as BundleCheckpoints, appVersion: VERSION })
      const out = resolve(values.out ?? bundleFileName(id, run.name))
      writeFileSync(out, zip)
      io.out(`run ${id} (${run.name}) -> ${out} (${(zip.length / 1024).toFixed(0)} KiB)`)
      return 0
    } finally {
      lab.close()
    }
  }
})

export const importBundle = defineCommand({
  name: 'import-bundle',
  summary: 'Imports a run bundle (from export-bundle or the lab) as a new run.',
  synopsis: 'FILE [options]',
  positionals: 'FILE: the bundle (.zip)',
  options: { 'data-dir': dataDirOption },
  run({ values, positionals, io }) {
    if (positionals.length !== 1) throw new LabError('INVALID_REQUEST', 'import-bundle needs exactly one FILE')
    const lab = oneShotLab(values['data-dir'])
    try {
      const { run, warnings } = lab.importBundle(readBundleFile(resolve(positionals[0])))
      for (const w of warnings) io.err(`warning: ${w}`)
      io.out(`imported as run ${run.id} (${run.name}, ${run.status}, ${run.stepsDone} steps)`)
      return 0
    } finally {
      lab.close()
    }
  }
})
