// A latent-plane rendering inside a trainer process: choose the backend, load the stored
// generator, render, and report progress and the PNG as TrainerEvents.
import { toErrorInfo } from '@shared/errors'
import type { ExploreRequest, TrainerEvent } from '@shared/trainer-protocol'
import { selectBackend } from '../backend/select'
import { loadModelFrom } from '../checkpoint'
import { fixedLatentBatch } from '../train'
import { planeLatents } from '../../common/plane'
import { balancedLabels } from '@shared/conditional'
import { generatorClasses } from '../conditional'
import { generate, RENDER_BATCH, renderPlane, renderSamples, renderStrips } from './render'

export async function runExplore(req: ExploreRequest, emit: (event: TrainerEvent) => void): Promise<void> {
  try {
    await selectBackend(req.backend)
    const generator = await loadModelFrom(req.generatorDir)
    const onProgress = (done: number, total: number): void => emit({ type: 'explore-progress', done, total })
    const classes = generatorClasses(generator, req.latentDim)
    if (req.samples) {
      const { count, seed, latent } = req.samples
      // A conditional generator's samples cycle through the classes, and carry their labels.
      const labels = classes > 0 ? balancedLabels(count, classes) : undefined
      const out = await renderSamples(generator, fixedLatentBatch(seed, req.latentDim, count, latent), req.latentDim, onProgress, labels)
      generator.dispose()
      const pixelsBase64 = Buffer.from(out.pixels.buffer, out.pixels.byteOffset, out.pixels.byteLength).toString('base64')
      emit({ type: 'explored-samples', pixelsBase64, count, height: out.h, width: out.w, channels: out.channels, ...(labels ? { labels: Array.from(labels) } : {}) })
      return
    }
    const label = req.classLabel
    if (req.strips) {
      const strips = await renderStrips(generator, req.strips.map((s) => Float32Array.from(s)), req.latentDim, onProgress, label)
      generator.dispose()
      emit({ type: 'explored-strips', pngsBase64: strips.map((s) => s.png.toString('base64')), cols: strips.map((s) => s.cols) })
      return
    }
    if (!req.plane) throw new Error('The explore request has neither a plane nor strips')
    if (req.planeValues) {
      const count = req.plane.resolution * req.plane.resolution
      const { values } = await generate(generator, planeLatents(req.plane, req.latentDim), req.latentDim, onProgress, RENDER_BATCH, label)
      generator.dispose()
      const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength)
      emit({ type: 'explored-values', valuesBase64: bytes.toString('base64'), count, width: values.length / count })
      return
    }
    const result = await renderPlane(generator, req.plane, req.latentDim, onProgress, label)
    generator.dispose()
    emit({ type: 'explored', pngBase64: result.png.toString('base64'), rows: result.rows, cols: result.cols })
  } catch (err) {
    emit({ type: 'explore-failed', message: toErrorInfo(err).message })
  }
}
