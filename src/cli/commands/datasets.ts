// `import-dataset` and `datasets`: data sets imported into the data folder (IDX, CSV, CIFAR-10
// batches, folders of images), and the list of them with the ids `train --dataset` takes.
import { resolve } from 'node:path'
import { COLUMN_TYPES, describeDataset, type ColumnType } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { dataDirOption, defineCommand } from '../command'
import { num, oneShotLab } from '../lab'

export const importDataset = defineCommand({
  name: 'import-dataset',
  summary: 'Imports a data set: IDX, CSV, CIFAR-10 batches or a folder of images.',
  notes: [
    'IDX images, gzipped or not, with an optional IDX label file; a CSV table whose column types are inferred; up to 6 CIFAR-10 binary batches; or a folder of PNG/JPEG images, centre-cropped and resized.'
  ],
  synopsis: 'FILE [LABELS_FILE] | data_batch_1.bin [... up to 6] | FOLDER [options]',
  positionals: '1 to 6 files, or a folder',
  options: {
    name: { type: 'string', value: 'NAME', description: "the data set's name", shownDefault: 'from the file' },
    column: {
      type: 'string',
      value: 'NAME=TYPE',
      multiple: true,
      choices: COLUMN_TYPES,
      description: "CSV: a column's type instead of the inferred one"
    },
    size: { type: 'string', value: 'N', description: 'a folder of images: the side the images are centre-cropped and resized to (e.g. 32)' },
    channels: { type: 'string', value: '1|3', description: 'a folder of images: grey (1) or colour (3)' },
    'data-dir': dataDirOption
  },
  run({ values, positionals, io }) {
    if (positionals.length < 1 || positionals.length > 6) {
      throw new LabError('INVALID_REQUEST', 'import-dataset needs FILE (IDX images and optionally LABELS_FILE, a CSV, up to 6 CIFAR-10 .bin batches, or a FOLDER of images)')
    }
    if (values.channels !== undefined && !['1', '3'].includes(values.channels)) throw new LabError('INVALID_REQUEST', `--channels must be 1 or 3, got "${values.channels}"`)
    const columns = (values.column ?? []).map((c) => {
      const [name, type] = c.split('=')
      if (!name || !(COLUMN_TYPES as readonly string[]).includes(type ?? '')) {
        throw new LabError('INVALID_REQUEST', `--column must be NAME=${COLUMN_TYPES.join('|')}, got "${c}"`)
      }
      return { name, type: type as ColumnType }
    })
    const lab = oneShotLab(values['data-dir'])
    try {
      const info = lab.datasets.importFiles(
        positionals.map((p) => resolve(p)),
        values.name,
        {
          columns,
          ...(values.size !== undefined ? { size: num(values.size, '--size') } : {}),
          ...(values.channels !== undefined ? { channels: values.channels === '1' ? (1 as const) : (3 as const) } : {})
        }
      )
      io.out(`imported data set ${info.id}: ${info.name} (${describeDataset(info)})`)
      for (const c of info.columns ?? []) io.out(`  ${c.name}: ${c.type}${c.categories ? ` (${c.categories.join(', ')})` : c.min !== undefined ? ` ${c.min} to ${c.max}` : ''}`)
      io.out(`train on it: npm run train -- --preset ${info.kind === 'images' ? 'mnist-mlp' : 'tabular-mlp'} --dataset ${info.id}`)
      return 0
    } finally {
      lab.close()
    }
  }
})

export const datasets = defineCommand({
  name: 'datasets',
  summary: 'Lists the data sets and their ids.',
  synopsis: '[options]',
  options: { 'data-dir': dataDirOption },
  run({ values, io }) {
    const lab = oneShotLab(values['data-dir'])
    try {
      for (const d of lab.datasets.list()) io.out(`${String(d.id).padEnd(14)} ${d.name} (${describeDataset(d)})`)
      return 0
    } finally {
      lab.close()
    }
  }
})
