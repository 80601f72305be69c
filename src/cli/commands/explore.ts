// `explore`: renders the plane of a latent view exported from the explorer into a PNG, as the lab draws it.
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { LatentViewSettings } from '@shared/api'
import { LabError } from '@shared/errors'
import { MAX_LATENT_VIEW_FILE_BYTES, parseLatentViewFile, planeAxisNames } from '@shared/latent-view'
import { dataDirOption, defineCommand } from '../command'
import { num, oneShotLab } from '../lab'

export const explore = defineCommand({
  name: 'explore',
  summary: 'Renders the latent plane of a view saved from the explorer into a PNG.',
  notes: ['The tiles are those the lab draws for the same view (and fill its cache).'],
  synopsis: '--settings VIEW.view.json --out plane.png [options]',
  options: {
    settings: { type: 'string', value: 'FILE', description: 'the latent view exported from the explorer' },
    out: { type: 'string', value: 'FILE', description: 'the PNG file to write' },
    epoch: { type: 'string', value: 'N', description: "another epoch than the view's" },
    'data-dir': dataDirOption
  },
  async run({ values, io }) {
    if (values.settings === undefined) throw new LabError('INVALID_REQUEST', 'explore needs --settings VIEW.view.json')
    if (values.out === undefined) throw new LabError('INVALID_REQUEST', 'explore needs --out FILE.png')
    const path = resolve(values.settings)
    let size: number
    try {
      size = statSync(path).size
    } catch {
      throw new LabError('NOT_FOUND', `--settings: no file at ${path}`)
    }
    let settings: LatentViewSettings
    try {
      settings = parseLatentViewFile(size > MAX_LATENT_VIEW_FILE_BYTES ? '' : readFileSync(path, 'utf8'), size)
    } catch (err) {
      // The message already lists the fields at fault; without issues runCli does not call it a run config.
      throw err instanceof LabError ? new LabError(err.code, `${path}: ${err.message}`) : err
    }
    const epoch = num(values.epoch, '--epoch')
    const grid = epoch === undefined ? settings.grid : { ...settings.grid, epoch }
    const lab = oneShotLab(values['data-dir'])
    lab.subscribe((e) => {
      if (e.event === 'explorer:progress') io.progress?.(`rendering ${e.payload.done}/${e.payload.total} cells`)
    })
    try {
      const res = await lab.explorerGrid(grid)
      io.progress?.('')
      const out = resolve(values.out)
      writeFileSync(out, Buffer.from(res.pngBase64, 'base64'))
      const names = planeAxisNames(res.coords)
      io.out(`run ${grid.id} epoch ${res.epoch}: ${res.rows}x${res.cols} plane, ${names.x} and ${names.y} from ${res.coords.min} to ${res.coords.max}${res.cached ? ' (from the cache)' : ''} -> ${out}`)
      return 0
    } finally {
      lab.close()
    }
  }
})
