// Latent-plane rendering inside a trainer process: load the stored generator, render, and
// report progress and the PNG as TrainerEvents. Either one job in a process of its own
// (runExplore), or many in a generator worker (serveGenerators) that keeps generators loaded.
import { toErrorInfo } from '@shared/errors'
import type { ExploreRequest, GeneratorJob, GeneratorServeRequest, TrainerEvent } from '@shared/trainer-protocol'
import { selectBackend } from '../backend/select'
import { loadModelFrom } from '../checkpoint'
import { fixedLatentBatch } from '../train'
import { planeLatents } from '../../common/plane'
import { balancedLabels } from '@shared/conditional'
import { conditionWidth, drawCondition } from '@shared/table-condition'
import { mulberry32 } from '../../common/random'
import { generatorClasses } from '../conditional'
import type { tf } from '../tf'
import { generate, RENDER_BATCH, renderPlane, renderSamples, renderStrips } from './render'

type ExploreJob = GeneratorJob['job']

/** One explore request in a process of its own: backend, load, render, then the process ends. */
export async function runExplore(req: ExploreRequest, emit: (event: TrainerEvent) => void): Promise<void> {
  try {
    await selectBackend(req.backend)
    const generator = await loadModelFrom(req.generatorDir)
    try {
      await explore(generator, req, emit)
    } finally {
      generator.dispose()
    }
  } catch (err) {
    emit({ type: 'explore-failed', message: toErrorInfo(err).message })
  }
}

/** How many generators a worker keeps loaded: the epoch shown and its neighbours, with room to spare. */
export const KEPT_GENERATORS = 4

/**
 * A generator worker: selects the backend once, then answers jobs in the order they come,
 * keeping the KEPT_GENERATORS generators used last. Each event goes out wrapped with its job id.
 */
export function serveGenerators(req: GeneratorServeRequest, emit: (event: TrainerEvent) => void): (job: GeneratorJob) => void {
  const backend = selectBackend(req.backend)
  // A backend that cannot start fails each job with its reason, not the process.
  backend.catch(() => undefined)
  const loaded = new Map<string, Promise<tf.LayersModel>>()
  const generatorOf = (dir: string): Promise<tf.LayersModel> => {
    let model = loaded.get(dir)
    if (model) loaded.delete(dir)
    else model = backend.then(() => loadModelFrom(dir))
    // Map order is use order: the oldest key is the least recently used.
    loaded.set(dir, model)
    while (loaded.size > KEPT_GENERATORS) {
      const [oldest, evicted] = loaded.entries().next().value!
      loaded.delete(oldest)
      void evicted.then((m) => m.dispose(), () => undefined)
    }
    return model
  }
  let chain: Promise<void> = Promise.resolve()
  return ({ jobId, job }) => {
    const send = (event: TrainerEvent): void => emit({ type: 'generator-event', jobId, event })
    chain = chain.then(async () => {
      let generator: tf.LayersModel
      try {
        generator = await generatorOf(job.generatorDir)
      } catch (err) {
        // A generator that failed to load is not kept: the next job tries again.
        loaded.delete(job.generatorDir)
        send({ type: 'explore-failed', message: toErrorInfo(err).message })
        return
      }
      if (job.load) send({ type: 'explore-loaded' })
      else await explore(generator, job, send)
    })
  }
}

async function explore(generator: tf.LayersModel, req: ExploreJob, emit: (event: TrainerEvent) => void): Promise<void> {
  try {
    const onProgress = (done: number, total: number): void => emit({ type: 'explore-progress', done, total })
    const classes = generatorClasses(generator, req.latentDim)
    if (req.rowValues) {
      const { count, seed, latent } = req.rowValues
      const labels = tableCondition(req, classes, count, seed)
      const { values } = await generate(generator, fixedLatentBatch(seed, req.latentDim, count, latent), req.latentDim, onProgress, 1024, labels)
      const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength)
      emit({ type: 'explored-values', valuesBase64: bytes.toString('base64'), count, width: values.length / count })
      return
    }
    if (req.samples) {
      const { count, seed, latent } = req.samples
      // A conditional generator's samples cycle through the classes, and carry their labels.
      const labels = classes > 0 ? balancedLabels(count, classes) : undefined
      const out = await renderSamples(generator, fixedLatentBatch(seed, req.latentDim, count, latent), req.latentDim, onProgress, labels)
      const pixelsBase64 = Buffer.from(out.pixels.buffer, out.pixels.byteOffset, out.pixels.byteLength).toString('base64')
      emit({ type: 'explored-samples', pixelsBase64, count, height: out.h, width: out.w, channels: out.channels, ...(labels ? { labels: Array.from(labels) } : {}) })
      return
    }
    const label = req.classLabel
    if (req.strips) {
      const strips = await renderStrips(generator, req.strips.map((s) => Float32Array.from(s)), req.latentDim, onProgress, label)
      emit({ type: 'explored-strips', pngsBase64: strips.map((s) => s.png.toString('base64')), cols: strips.map((s) => s.cols) })
      return
    }
    if (!req.plane) throw new Error('The explore request has neither a plane nor strips')
    if (req.planeValues) {
      const count = req.plane.resolution * req.plane.resolution
      const labels = classes > 0 && req.condition ? tableCondition(req, classes, count, req.plane.seed ?? 1) : label
      const { values } = await generate(generator, planeLatents(req.plane, req.latentDim), req.latentDim, onProgress, RENDER_BATCH, labels)
      const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength)
      emit({ type: 'explored-values', valuesBase64: bytes.toString('base64'), count, width: values.length / count })
      return
    }
    const result = await renderPlane(generator, req.plane, req.latentDim, onProgress, label)
    emit({ type: 'explored', pngBase64: result.png.toString('base64'), rows: result.rows, cols: result.cols })
  } catch (err) {
    emit({ type: 'explore-failed', message: toErrorInfo(err).message })
  }
}

/**
 * The categories of `count` rows from the generator of a table trained by sampling: drawn by the
 * table's shares with `seed` (as CTGAN draws rows); undefined for an unconditional generator.
 */
function tableCondition(req: ExploreJob, classes: number, count: number, seed: number): Int32Array | undefined {
  if (classes === 0) return undefined
  if (!req.condition) throw new Error(`The generator takes ${classes} values after z, and the run records no condition to draw them from (transform.json)`)
  const width = conditionWidth(req.condition)
  if (width !== classes) throw new Error(`The generator takes ${classes} condition values after z; the run's transform.json records ${width}`)
  return drawCondition(req.condition, count, mulberry32(seed ^ ROW_CONDITION_SEED), 'frequency')
}

/** Seeds (xor the request's) the categories of rows drawn from a table trained by sampling. */
const ROW_CONDITION_SEED = 0xc0d1
