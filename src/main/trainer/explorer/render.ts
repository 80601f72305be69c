// Renders a latent plane with a loaded generator: the plane's latent vectors in batches,
// the outputs tiled into one PNG (pad 1, n x n). Runs wherever tfjs has a backend; the lab
// runs it in a trainer-style child process so the main process stays responsive.
import { constantLabels, generatorInputs } from '@shared/conditional'
import { generatorClasses } from '../conditional'
import { encodePng, tileImages, toByte } from '../../common/grid'
import { tf } from '../tf'
import { planeLatents, type PlaneSpec } from '../../common/plane'

export const RENDER_BATCH = 64

export interface RenderedPlane {
  png: Buffer
  rows: number
  cols: number
}

/**
 * The classes to draw with a conditional generator: one label per latent vector, or one
 * class for all of them. Unconditional generators take none.
 */
export type Labels = Int32Array | number

/** Generator outputs for `count` latent vectors, NHWC values in [-1, 1]; `labels` for a conditional generator. */
export async function generate(
  generator: tf.LayersModel,
  latents: Float32Array,
  latentDim: number,
  onBatch?: (done: number, total: number) => void,
  batch = RENDER_BATCH,
  labels?: Labels
): Promise<{ values: Float32Array; h: number; w: number; channels: 1 | 3 }> {
  const total = latents.length / latentDim
  const classes = generatorClasses(generator, latentDim)
  if (classes > 0 && labels === undefined) throw new Error(`The generator is conditional on ${classes} classes: say which class to draw`)
  if (typeof labels === 'number' && (labels < 0 || labels >= classes)) {
    throw new Error(classes === 0 ? 'The generator is not conditional: it takes no class' : `Class ${labels} is outside 0-${classes - 1}`)
  }
  const width = latentDim + classes
  const inputs = classes === 0 ? latents : generatorInputs(latents, latentDim, typeof labels === 'number' ? constantLabels(total, labels) : (labels ?? null), classes)
  let out: Float32Array | null = null
  let shape: number[] = []
  for (let start = 0; start < total; start += batch) {
    const size = Math.min(batch, total - start)
    const z = tf.tensor2d(inputs.subarray(start * width, (start + size) * width), [size, width])
    const images = generator.predict(z) as tf.Tensor
    const data = (await images.data()) as Float32Array
    shape = images.shape
    z.dispose()
    images.dispose()
    const perImage = data.length / size
    out ??= new Float32Array(total * perImage)
    out.set(data, start * perImage)
    onBatch?.(start + size, total)
  }
  const [, h, w, ch] = shape.length === 4 ? shape : [0, shape[1], shape[2], 1]
  return { values: out ?? new Float32Array(0), h, w, channels: ch === 3 ? 3 : 1 }
}

export async function renderPlane(
  generator: tf.LayersModel,
  spec: PlaneSpec,
  latentDim: number,
  onProgress?: (done: number, total: number) => void,
  label?: number
): Promise<RenderedPlane> {
  const n = spec.resolution
  const { values, h, w, channels } = await generate(generator, planeLatents(spec, latentDim), latentDim, onProgress, RENDER_BATCH, label)
  const image = tileImages(values, n * n, h, w, channels, { rows: n, cols: n, pad: 1 })
  return { png: encodePng(image), rows: n, cols: n }
}

/** Renders each flat list of latent vectors as one strip PNG (1 row, pad 1), all in one pass. */
export async function renderStrips(
  generator: tf.LayersModel,
  strips: Float32Array[],
  latentDim: number,
  onProgress?: (done: number, total: number) => void,
  label?: number
): Promise<RenderedPlane[]> {
  const counts = strips.map((s) => s.length / latentDim)
  const all = new Float32Array(strips.reduce((n, s) => n + s.length, 0))
  let offset = 0
  for (const s of strips) {
    all.set(s, offset)
    offset += s.length
  }
  const { values, h, w, channels } = await generate(generator, all, latentDim, onProgress, RENDER_BATCH, label)
  const perImage = h * w * channels
  const out: RenderedPlane[] = []
  let start = 0
  for (const count of counts) {
    const image = tileImages(values.subarray(start * perImage, (start + count) * perImage), count, h, w, channels, { rows: 1, cols: count, pad: 1 })
    out.push({ png: encodePng(image), rows: 1, cols: count })
    start += count
  }
  return out
}

/** Generator outputs for the latent vectors as pixel bytes (0-255), NHWC. */
export async function renderSamples(
  generator: tf.LayersModel,
  latents: Float32Array,
  latentDim: number,
  onProgress?: (done: number, total: number) => void,
  labels?: Labels
): Promise<{ pixels: Uint8Array; h: number; w: number; channels: 1 | 3 }> {
  const { values, h, w, channels } = await generate(generator, latents, latentDim, onProgress, RENDER_BATCH, labels)
  const pixels = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) pixels[i] = toByte(values[i])
  return { pixels, h, w, channels }
}
