// The latent explorer for runs of points: a plane's cells become generated points in data
// units over the real ones, each with its plane coordinates; the points are the stored
// generator's real outputs.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { BUILTIN_DATASET_INFO, decodeRow } from '@shared/datasets'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { cellLatent } from '../../src/main/common/plane'
import { loadModelFrom } from '../../src/main/trainer/checkpoint'
import { tf } from '../../src/main/trainer/tf'
import { useTempLabs } from '../helpers/lab'

const { newLab } = useTempLabs('scatter', 'file')
let lab: Lab
let toyId = 0
let imageId = 0

beforeAll(async () => {
  lab = newLab()
  toyId = lab.startRun({ ...PRESETS['toy-mlp'].defaults, name: 'ring', seed: 4, epochs: 1, stepsPerEpoch: 20, batchSize: 64, backend: 'wasm' }).id
  imageId = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'digits', seed: 4, epochs: 1, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm' }).id
  for (const id of [toyId, imageId]) expect((await lab.waitForEnd(id)).status).toBe('completed')
  await tf.setBackend('cpu')
})

describe('explorer:scatter', () => {
  it('draws a 5x5 plane of a toy run as 25 generated points over the real ring, with plane coordinates', async () => {
    const r = await dispatch(lab.handlers, 'explorer:scatter', { id: toyId, epoch: 1, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 })
    if (!r.ok) throw new Error(r.error.message)
    const res = r.data as import('@shared/api').ExplorerScatterResult
    expect(res.columns).toEqual(['x', 'y'])
    expect(res.points).toHaveLength(25)
    const us = new Set(res.points.map((p) => p[2]))
    expect([...us].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2])
    for (const [x, y] of res.points) {
      expect(Math.abs(x)).toBeLessThanOrEqual(2.2)
      expect(Math.abs(y)).toBeLessThanOrEqual(2.2)
    }
    // The backdrop is the real ring (radius 2) stored with the epoch's samples.
    expect(res.real.length).toBeGreaterThan(50)
    const radius = res.real.reduce((s, [x, y]) => s + Math.hypot(x, y), 0) / res.real.length
    expect(radius).toBeCloseTo(2, 0)

    // Each point is the stored generator's output for that cell's latent vector.
    const epochs = lab.metrics.epochs(toyId)
    const G = await loadModelFrom(join(lab.runDir(toyId), epochs[0].checkpointDir!, 'generator'))
    const spec = { axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 }
    for (const [row, col] of [[0, 0], [2, 3], [4, 4]]) {
      const z = tf.tensor2d(cellLatent(spec, 8, row, col), [1, 8])
      const out = G.predict(z) as tf.Tensor
      const decoded = decodeRow(BUILTIN_DATASET_INFO['toy-ring-8'].columns!, out.dataSync())
      const point = res.points[row * 5 + col]
      expect(point[0]).toBeCloseTo(Number(decoded[0]), 3)
      expect(point[1]).toBeCloseTo(Number(decoded[1]), 3)
      tf.dispose([z, out])
    }
    G.dispose()
  })

  it('refuses an image run (its plane is tiles) and an impossible plane, naming the problem', async () => {
    const image = await dispatch(lab.handlers, 'explorer:scatter', { id: imageId, epoch: 1, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 })
    expect(image).toMatchObject({ ok: false, error: { message: `Run ${imageId} generates images: its plane is drawn as tiles (explorer:grid), not as points` } })
    const axis = await dispatch(lab.handlers, 'explorer:scatter', { id: toyId, epoch: 1, axisI: 0, axisJ: 9, min: -2, max: 2, resolution: 5 })
    expect(axis.ok).toBe(false)
    const epoch = await dispatch(lab.handlers, 'explorer:scatter', { id: toyId, epoch: 7, axisI: 0, axisJ: 1, min: -2, max: 2, resolution: 5 })
    expect(epoch).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})
