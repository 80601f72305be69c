// `export-generator`: a run's generator at one epoch as a tfjs model, with samples as PNG and IDX.
import type { GeneratorExport } from '@shared/api'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { dataDirOption, defineCommand } from '../command'
import { call, num, oneShotLab } from '../lab'

export const exportGenerator = defineCommand({
  name: 'export-generator',
  summary: "Writes a run's generator at one epoch as a tfjs model folder with samples.",
  notes: ['Writes a new folder under --out: the tfjs model, and the samples as PNG files and as IDX.'],
  synopsis: '--run ID [--epoch N] [options]',
  options: {
    run: { type: 'string', value: 'ID', description: 'the run' },
    epoch: { type: 'string', value: 'N', description: 'the epoch whose checkpoint is exported', shownDefault: 'the last checkpoint' },
    samples: { type: 'string', value: 'N', description: 'how many samples to write', shownDefault: '64' },
    seed: { type: 'string', value: 'N', description: "the samples' random seed" },
    out: { type: 'string', value: 'DIR', default: '.', description: 'the folder the new folder is made in' },
    'data-dir': dataDirOption
  },
  async run({ values, io }) {
    const out = resolve(values.out)
    mkdirSync(out, { recursive: true })
    const lab = oneShotLab(values['data-dir'], out)
    try {
      const req = {
        id: num(values.run, '--run'),
        ...(values.epoch !== undefined ? { epoch: num(values.epoch, '--epoch') } : {}),
        ...(values.samples !== undefined ? { samples: num(values.samples, '--samples') } : {}),
        ...(values.seed !== undefined ? { seed: num(values.seed, '--seed') } : {})
      }
      const res = await call<GeneratorExport>(lab, 'runs:export-generator', req)
      if (res.kind === 'folder') io.out(`${res.path} (${res.files.length} files)`)
      return 0
    } finally {
      lab.close()
    }
  }
})
