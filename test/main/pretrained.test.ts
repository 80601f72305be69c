// A discriminator taken from an earlier run's checkpoint, frozen whole or all but its head.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESETS, type RunConfigInput } from '@shared/config'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { loadModelFrom } from '../../src/main/trainer/checkpoint'
import { tf } from '../../src/main/trainer/tf'

const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'pretrained-')), launcher: forkLauncher(), version: 'test', transport: 'ipc' })
afterAll(() => lab.close())

const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  ...PRESETS['mnist-mlp'].defaults,
  name: 'source',
  seed: 4,
  epochs: 1,
  stepsPerEpoch: 15,
  batchSize: 16,
  backend: 'wasm',
  ...over
})

async function weightsOf(runId: number, epoch: number, net: 'generator' | 'discriminator'): Promise<number[][]> {
  const dir = join(lab.runDir(runId), lab.metrics.epochs(runId).find((e) => e.epoch === epoch)!.checkpointDir!, net)
  const model = await loadModelFrom(dir)
  const out = model.getWeights().map((w) => Array.from(w.dataSync()))
  model.dispose()
  return out
}

let sourceId = 0
beforeAll(async () => {
  await tf.setBackend('cpu')
  sourceId = lab.startRun(config()).id
  expect((await lab.waitForEnd(sourceId)).status).toBe('completed')
})

describe('pretrained discriminator', () => {
  it('a frozen D keeps the source checkpoint weights while G trains', async () => {
    const run = lab.startRun(config({ name: 'frozen', seed: 5, discriminator: { from: { runId: sourceId, epoch: 1 }, freeze: 'all' } }))
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    expect(await weightsOf(run.id, 1, 'discriminator')).toEqual(await weightsOf(sourceId, 1, 'discriminator'))
    expect(lab.detail(run.id).config.discriminator).toEqual({ from: { runId: sourceId, epoch: 1 }, freeze: 'all', regularizer: 'dropout', fromClassifier: false })
  })

  it('a frozen body trains only the head', async () => {
    const run = lab.startRun(config({ name: 'head', seed: 6, discriminator: { from: { runId: sourceId, epoch: 1 }, freeze: 'body' } }))
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    const before = await weightsOf(sourceId, 1, 'discriminator')
    const after = await weightsOf(run.id, 1, 'discriminator')
    const head = before.length - 2 // the last dense layer's kernel and bias
    expect(after.slice(0, head)).toEqual(before.slice(0, head))
    expect(after.slice(head)).not.toEqual(before.slice(head))
  })

  it('an unfrozen pretrained D starts from the checkpoint and trains on', async () => {
    const run = lab.startRun(config({ name: 'warm', seed: 7, stepsPerEpoch: 3, discriminator: { from: { runId: sourceId, epoch: 1 }, freeze: 'none' } }))
    expect((await lab.waitForEnd(run.id)).status).toBe('completed')
    expect(await weightsOf(run.id, 1, 'discriminator')).not.toEqual(await weightsOf(sourceId, 1, 'discriminator'))
  })

  it('refuses a missing run, a missing epoch and a discriminator of another preset, writing nothing', () => {
    const before = lab.runs.list().length
    expect(() => lab.startRun(config({ discriminator: { from: { runId: 999, epoch: 1 }, freeze: 'none' } }))).toThrow('discriminator.from.runId: there is no run 999')
    expect(() => lab.startRun(config({ discriminator: { from: { runId: sourceId, epoch: 4 }, freeze: 'none' } }))).toThrow(
      `discriminator.from.epoch: run ${sourceId} has no checkpoint for epoch 4 (it has 1)`
    )
    expect(() => lab.startRun(config({ preset: 'mnist-dcgan', discriminator: { from: { runId: sourceId, epoch: 1 }, freeze: 'none' } }))).toThrow(
      `run ${sourceId} is a mnist-mlp run; its discriminator does not fit mnist-dcgan`
    )
    expect(() => lab.startRun(config({ discriminator: { from: { runId: sourceId, epoch: 1 }, freeze: 'none', regularizer: 'batchnorm' } }))).toThrow(
      `discriminator.regularizer: the discriminator of run ${sourceId} uses dropout; a D started from it keeps its layers`
    )
    expect(lab.runs.list().length).toBe(before)
  })
})
