// Checkpoints in the tfjs "layers-model" file format (model.json + weights.bin), written
// without tfjs-node, so a generator exported from the lab loads in any tfjs program.
// A checkpoint is written under a temporary name and renamed, so a kill never leaves a
// half-written folder that looks whole.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tf } from './tf'

const WEIGHTS_FILE = 'weights.bin'

export async function saveModelTo(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true })
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
      const buffers = weights === undefined ? [] : Array.isArray(weights) ? weights : [weights]
      writeFileSync(join(dir, WEIGHTS_FILE), Buffer.concat(buffers.map((b) => Buffer.from(b))))
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }]
      }
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    })
  )
}

export function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`
}

/** Writes G and D for `epoch` into runDir/checkpoints/epoch-NNNN and returns that relative path. */
export async function writeCheckpoint(runDir: string, epoch: number, models: { generator: tf.LayersModel; discriminator: tf.LayersModel }): Promise<string> {
  const relative = join('checkpoints', checkpointName(epoch))
  const finalDir = join(runDir, relative)
  const tmpDir = `${finalDir}.partial`
  rmSync(tmpDir, { recursive: true, force: true })
  await saveModelTo(models.generator, join(tmpDir, 'generator'))
  await saveModelTo(models.discriminator, join(tmpDir, 'discriminator'))
  if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true })
  renameSync(tmpDir, finalDir)
  return relative
}

/** Loads a model folder written by writeCheckpoint (or by tfjs-node's file:// handler). */
export async function loadModelFrom(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights)
  const data = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))))
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }))
}
