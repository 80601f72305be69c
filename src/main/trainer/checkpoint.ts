// Checkpoints in the tfjs "layers-model" file format (model.json + weights.bin), written
// without tfjs-node, so a generator exported from the lab loads in any tfjs program.
// A checkpoint is written under a temporary name and renamed, so a kill never leaves a
// half-written folder that looks whole.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tf } from './tf'

const WEIGHTS_FILE = 'weights.bin'

async function saveModelTo(model: tf.LayersModel, dir: string): Promise<void> {
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

export interface Optimizers {
  d: tf.Optimizer
  g: tf.Optimizer
}

interface OptimizerStateFile {
  format: 'gan-workbench/optimizer-state'
  optimizer: string
  weights: { name: string; shape: number[]; dtype: 'float32'; offset: number; length: number }[]
}

/**
 * Adam keeps beta1^t and beta2^t as running products that setWeights recomputes with pow(),
 * which rounds differently; saving the products themselves makes a resumed run bit-identical.
 * (They are private fields of tfjs's AdamOptimizer, hence the narrow cast.)
 */
interface AdamProducts {
  accBeta1?: tf.Variable
  accBeta2?: tf.Variable
}
const ADAM_PRODUCTS = ['accBeta1', 'accBeta2'] as const

/** An optimizer's slots (Adam's moments, the iteration count...) as JSON + raw float32. */
async function saveOptimizerTo(optimizer: tf.Optimizer, dir: string, name: string): Promise<void> {
  const named = await optimizer.getWeights()
  const products = optimizer as unknown as AdamProducts
  for (const key of ADAM_PRODUCTS) {
    const v = products[key]
    if (v) named.push({ name: `__${key}`, tensor: v })
  }
  const chunks: Buffer[] = []
  const weights: OptimizerStateFile['weights'] = []
  let offset = 0
  for (const { name: weightName, tensor } of named) {
    const values = Float32Array.from(tensor.dataSync())
    weights.push({ name: weightName, shape: tensor.shape, dtype: 'float32', offset, length: values.length })
    chunks.push(Buffer.from(values.buffer))
    offset += values.length
    // getWeights hands out the slot variables themselves and a fresh tensor for the count.
    if (!(tensor instanceof tf.Variable)) tensor.dispose()
  }
  const file: OptimizerStateFile = { format: 'gan-workbench/optimizer-state', optimizer: optimizer.getClassName(), weights }
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${name}.bin`), Buffer.concat(chunks))
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(file))
}

/** Restores what saveOptimizerTo wrote into an optimizer of the same kind. */
export async function loadOptimizerState(checkpointDir: string, name: 'd' | 'g', optimizer: tf.Optimizer): Promise<void> {
  const dir = join(checkpointDir, 'optimizer')
  const jsonPath = join(dir, `${name}.json`)
  if (!existsSync(jsonPath)) throw new Error(`The checkpoint has no optimizer state (${jsonPath}); it was written before resume was possible`)
  const file = JSON.parse(readFileSync(jsonPath, 'utf8')) as OptimizerStateFile
  if (file.format !== 'gan-workbench/optimizer-state') throw new Error(`${jsonPath} is not an optimizer state file`)
  if (file.optimizer !== optimizer.getClassName()) {
    throw new Error(`The checkpoint's ${name === 'd' ? 'discriminator' : 'generator'} optimizer is ${file.optimizer}, the run uses ${optimizer.getClassName()}`)
  }
  const raw = readFileSync(join(dir, `${name}.bin`))
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
  const named = file.weights.map((w) => {
    if (w.offset + w.length > all.length) throw new Error(`${jsonPath}: weight ${w.name} runs past the end of ${name}.bin`)
    return { name: w.name, tensor: tf.tensor(all.subarray(w.offset, w.offset + w.length), w.shape, 'float32') }
  })
  const extras = named.filter((n) => n.name.startsWith('__'))
  await optimizer.setWeights(named.filter((n) => !n.name.startsWith('__')))
  const products = optimizer as unknown as AdamProducts
  for (const { name: extraName, tensor } of extras) {
    const key = extraName.slice(2) as (typeof ADAM_PRODUCTS)[number]
    if (ADAM_PRODUCTS.includes(key)) products[key]?.assign(tensor as tf.Scalar)
  }
  tf.dispose(named.map((n) => n.tensor))
}

/**
 * Writes G and D (and, given, both optimizers' state) for `epoch` into
 * runDir/checkpoints/epoch-NNNN and returns that relative path.
 */
export async function writeCheckpoint(
  runDir: string,
  epoch: number,
  models: { generator: tf.LayersModel; discriminator: tf.LayersModel },
  optimizers?: Optimizers
): Promise<string> {
  const relative = join('checkpoints', checkpointName(epoch))
  const finalDir = join(runDir, relative)
  const tmpDir = `${finalDir}.partial`
  rmSync(tmpDir, { recursive: true, force: true })
  await saveModelTo(models.generator, join(tmpDir, 'generator'))
  await saveModelTo(models.discriminator, join(tmpDir, 'discriminator'))
  if (optimizers) {
    await saveOptimizerTo(optimizers.d, join(tmpDir, 'optimizer'), 'd')
    await saveOptimizerTo(optimizers.g, join(tmpDir, 'optimizer'), 'g')
  }
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
