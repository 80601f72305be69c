// A checkpoint's generator for use outside the lab: the tfjs model folder as the checkpoint holds
// it (model.json + weights, loadable with tf.loadLayersModel), N generated samples as PNG files
// and one IDX file (MNIST's format), and export.json saying where they came from.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { strToU8 } from 'fflate'
import { LabError } from '@shared/errors'
import { writeIdx } from '../common/idx'
import { encodeImagePng } from '../common/grid'

export interface GeneratedSamples {
  /** Bytes 0-255, NHWC. */
  pixels: Uint8Array
  count: number
  height: number
  width: number
  channels: 1 | 3
  /** The class of each sample (conditional generators). */
  labels?: Uint8Array
}

export interface GeneratorExportMeta {
  runId: number
  runName: string
  preset: string
  epoch: number
  latentDim: number
  latent: 'gaussian' | 'uniform'
  seed: number
  appVersion: string
  /** Classes of a conditional generator (0: unconditional): its input is z followed by the one-hot class. */
  classes: number
  /** A table run's transform.json (how G's outputs decode to rows), copied into the export. */
  transformJson?: Uint8Array
  /** A table trained by sampling: what each value after z means ("CHAS = 1"); one is set per row. */
  conditionSlots?: string[]
}

export const SAMPLES_LABELS_IDX = 'samples-labels-idx1-ubyte'

/** IDX names follow MNIST's: images-idx3-ubyte for grey (N x H x W), idx4 for colour (N x H x W x 3). */
export function samplesIdxName(channels: 1 | 3): string {
  return `samples-images-idx${channels === 1 ? 3 : 4}-ubyte`
}

export function generatorExportStem(runId: number, epoch: number): string {
  return `run-${runId}-epoch-${epoch}-generator`
}

/** Every file of the export by relative path ('/'-separated). */
export function generatorExportFiles(generatorDir: string, samples: GeneratedSamples | null, meta: GeneratorExportMeta): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {}
  for (const name of readdirSync(generatorDir)) files[`generator/${name}`] = readFileSync(join(generatorDir, name))
  if (!files['generator/model.json']) throw new LabError('NOT_FOUND', `The generator folder ${generatorDir} has no model.json`)
  const digits = Math.max(5, String(samples?.count ?? 0).length)
  if (samples && samples.count > 0) {
    const { pixels, count, height, width, channels } = samples
    const per = height * width * channels
    if (pixels.length !== count * per) throw new LabError('INTERNAL', `The trainer returned ${pixels.length} bytes for ${count} images of ${height}x${width}x${channels}`)
    for (let i = 0; i < count; i++) {
      const label = samples.labels ? `-class-${samples.labels[i]}` : ''
      files[`samples/sample-${String(i + 1).padStart(digits, '0')}${label}.png`] = encodeImagePng(pixels.subarray(i * per, (i + 1) * per), height, width, channels)
    }
    files[samplesIdxName(channels)] = writeIdx(channels === 1 ? [count, height, width] : [count, height, width, 3], pixels)
    if (samples.labels) {
      if (samples.labels.length !== count) throw new LabError('INTERNAL', `The trainer returned ${samples.labels.length} labels for ${count} samples`)
      files[SAMPLES_LABELS_IDX] = writeIdx([count], samples.labels)
    }
  }
  const { transformJson, conditionSlots, ...rest } = meta
  if (transformJson) files['transform.json'] = transformJson
  const slots = conditionSlots ?? []
  const about = {
    ...rest,
    generator: 'generator/model.json (tfjs layers model: tf.loadLayersModel)',
    input:
      slots.length > 0
        ? `${meta.latentDim + slots.length} values: z (${meta.latentDim}, ${meta.latent}) followed by CTGAN's conditional vector (${slots.length} values, one set to 1: the category the row is drawn for)`
        : meta.classes > 0
          ? `${meta.latentDim + meta.classes} values: z (${meta.latentDim}, ${meta.latent}) followed by the one-hot class (${meta.classes} classes, 0-${meta.classes - 1})`
          : `${meta.latentDim} values: z (${meta.latent})`,
    ...(slots.length > 0 ? { condition: slots } : {}),
    ...(transformJson ? { transform: "transform.json (how the generator's outputs decode to the table's columns: the lab's modes or min-max transform)" } : {}),
    samples: samples
      ? {
          count: samples.count,
          height: samples.height,
          width: samples.width,
          channels: samples.channels,
          idx: samplesIdxName(samples.channels),
          pngs: 'samples/',
          pixels: 'byte = round((x + 1) * 127.5) of the generator output x in [-1, 1]',
          ...(samples.labels ? { labels: `${SAMPLES_LABELS_IDX} (the class each sample was drawn for; cycling 0-${meta.classes - 1})` } : {})
        }
      : null
  }
  files['export.json'] = strToU8(JSON.stringify(about, null, 1) + '\n')
  return files
}

/** A folder name under `parent` that does not exist yet ("stem", "stem (2)", ...), so nothing is overwritten. */
export function freshFolder(parent: string, stem: string): string {
  for (let n = 1; ; n++) {
    const candidate = join(parent, n === 1 ? stem : `${stem} (${n})`)
    if (!existsSync(candidate)) return candidate
  }
}

export function writeFilesTo(folder: string, files: Record<string, Uint8Array>): void {
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(folder, ...name.split('/'))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, bytes)
  }
}
