// D from the reference classifier (the seed's untried idea): the classifier's body with a new
// real/fake head; with the body frozen only the head trains. Refused, naming the field, when
// there is no classifier, for a non-MNIST run, or together with another start.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfigInput } from '@shared/config'
import type { Lab } from '../../src/main/services/lab'
import { dispatch } from '../../src/main/services/dispatch'
import { useTempLabs } from '../helpers/lab'

const { newLab } = useTempLabs('clf-d', 'file')
let lab: Lab

const config = (over: Partial<RunConfigInput['discriminator']> = {}): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'D from the classifier',
  seed: 9,
  epochs: 1,
  stepsPerEpoch: 3,
  batchSize: 16,
  backend: 'wasm',
  discriminator: { from: null, freeze: 'body', regularizer: 'dropout', fromClassifier: true, ...over }
})

/** The float32 weights of one layer of a stored model, by the layer name prefix in the manifest. */
function weightsOf(dir: string, name: RegExp): Float32Array {
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }
  const data = readFileSync(join(dir, 'weights.bin'))
  let offset = 0
  for (const w of model.weightsManifest[0].weights) {
    const size = w.shape.reduce((a, b) => a * b, 1)
    if (name.test(w.name)) return new Float32Array(data.buffer.slice(data.byteOffset + offset * 4, data.byteOffset + (offset + size) * 4))
    offset += size
  }
  throw new Error(`no weight ${name} in ${dir}`)
}

beforeAll(async () => {
  lab = newLab()
  const refused = lab.startRun.bind(lab)
  expect(() => refused(config())).toThrow('discriminator.fromClassifier: there is no reference classifier for MNIST yet')
  const done = new Promise<void>((resolve) => lab.subscribe((e) => e.event === 'classifier:changed' && resolve()))
  lab.evaluation.train({ dataset: 'mnist', arch: { convFilters: [4], denseUnits: 16 }, epochs: 1, trainCount: 1000, testCount: 200, batchSize: 32, seed: 1, backend: 'wasm' })
  await done
  expect(lab.evaluation.classifier('mnist')).not.toBeNull()
})

describe('a discriminator from the reference classifier', () => {
  it("keeps the classifier's body frozen and trains only the new head", async () => {
    const run = lab.startRun(config())
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    const ckpt = join(lab.runDir(run.id), lab.metrics.epochs(run.id)[0].checkpointDir!, 'discriminator')
    const classifierDir = lab.evaluation.classifierDir('mnist')
    // The body (first convolution's kernel) is the classifier's, unchanged by training.
    expect(weightsOf(ckpt, /^conv2d.*kernel/)).toEqual(weightsOf(classifierDir, /^conv2d.*kernel/))
    expect(weightsOf(ckpt, /^real_fake_head\/kernel/)).toHaveLength(16)
    expect(lab.detail(run.id).config.discriminator).toMatchObject({ fromClassifier: true, freeze: 'body' })
  })

  it('is refused with another start, with D frozen whole, or for a toy run, naming the field', async () => {
    const both = runConfigSchema.safeParse({ ...config({ from: { runId: 1, epoch: 1 } }) })
    expect(both.success).toBe(false)
    const frozen = await dispatch(lab.handlers, 'runs:create', { config: config({ freeze: 'all' }) })
    expect(frozen).toMatchObject({ ok: false, error: { issues: [{ field: 'discriminator.freeze' }] } })
    expect(() => lab.startRun({ ...PRESETS['toy-mlp'].defaults, name: 'toy', seed: 1, discriminator: { from: null, freeze: 'none', regularizer: 'dropout', fromClassifier: true } })).toThrow(
      'only MNIST image runs have a reference classifier to start D from'
    )
  })
})
