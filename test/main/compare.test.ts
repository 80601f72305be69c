// Saved comparisons and paired experiments at the Lab level.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema } from '@shared/config'
import { diffConfigs } from '@shared/config-diff'
import { compareHash, pairConfigs, parseCompareHash } from '@shared/compare'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { useTempLabs } from '../helpers/lab'

const { newLab } = useTempLabs('compare')

function addRuns(lab: Lab, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lab.runs.create(runConfigSchema.parse({ ...PRESETS['mnist-mlp'].defaults, name: `r${i}`, seed: i })))
}

describe('saved comparisons', () => {
  it('saves, lists, replaces by name and deletes, surviving a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'compare-'))
    const lab = newLab(dataDir)
    const [a, b, c] = addRuns(lab, 3)
    const saved = await dispatch(lab.handlers, 'comparisons:save', { name: ' SGD vs Adam ', runIds: [a, b], settings: { xAxis: 'epoch', smoothing: 0.8, epoch: 3, showAllFields: false } })
    expect(saved).toMatchObject({ ok: true, data: { name: 'SGD vs Adam', runIds: [a, b], settings: { xAxis: 'epoch', smoothing: 0.8, epoch: 3 } } })
    await dispatch(lab.handlers, 'comparisons:save', { name: 'SGD vs Adam', runIds: [a, b, c] })
    lab.close()
    const again = newLab(dataDir)
    const list = again.comparisons.list()
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ name: 'SGD vs Adam', runIds: [a, b, c], settings: { xAxis: 'step', smoothing: 0.6, epoch: null } })
    expect(await dispatch(again.handlers, 'comparisons:delete', { id: list[0].id })).toEqual({ ok: true, data: { id: list[0].id } })
    expect(again.comparisons.list()).toEqual([])
    expect(await dispatch(again.handlers, 'comparisons:delete', { id: list[0].id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it.each([
    [{ name: 'one run', runIds: [1] }, /runIds: compare at least 2 runs/],
    [{ name: 'seven', runIds: [1, 2, 3, 4, 5, 6, 7] }, /runIds: compare at most 6 runs/],
    [{ name: 'twice', runIds: [1, 1] }, /runIds: a run is listed twice/],
    [{ name: '  ', runIds: [1, 2] }, /name: must not be empty/],
    [{ name: 'x', runIds: [1, 2], settings: { smoothing: 2 } }, /settings.smoothing/],
    [{ name: 'x', runIds: [1, 2], colour: 'red' }, /unknown field colour/]
  ])('refuses %j', async (req, message) => {
    const lab = newLab()
    addRuns(lab, 2)
    const r = await dispatch(lab.handlers, 'comparisons:save', req)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(message)
  })

  it('refuses runs that do not exist, naming them', async () => {
    const lab = newLab()
    const [a] = addRuns(lab, 1)
    const r = await dispatch(lab.handlers, 'comparisons:save', { name: 'ghosts', runIds: [a, 41, 42] })
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'Cannot save the comparison: runs 41, 42 do not exist' } })
  })
})

describe('compare links', () => {
  it('round-trips run ids and the x axis; refuses malformed ids', () => {
    expect(compareHash([3, 5])).toBe('#/compare?runs=3,5')
    expect(parseCompareHash(compareHash([3, 5, 9], { xAxis: 'time' }))).toEqual({ runIds: [3, 5, 9], xAxis: 'time' })
    expect(parseCompareHash('#/compare?runs=3')).toBeNull()
    expect(parseCompareHash('#/compare?runs=3,abc')).toBeNull()
    expect(parseCompareHash('#/compare?runs=3,-1')).toBeNull()
    expect(parseCompareHash('#/runs/3')).toBeNull()
  })
})

describe('paired experiments', () => {
  it('SGD vs Adam: the two configs share the seed and differ exactly in the optimizers', () => {
    const [sgd, adam] = pairConfigs('sgd-vs-adam', 'mnist-dcgan', 1234)
    expect(sgd.seed).toBe(1234)
    expect(adam.seed).toBe(1234)
    expect(diffConfigs([sgd, adam]).filter((r) => r.differs).map((r) => r.field)).toEqual([
      'optimizerD.kind',
      'optimizerD.lr',
      'optimizerG.kind',
      'optimizerG.lr'
    ])
    expect(sgd.name).toBe('SGD vs Adam on MNIST: SGD (mnist-dcgan, seed 1234)')
  })

  it('starts both runs at once in two trainer processes and both finish', async () => {
    const lab = newLab()
    const [a, b] = pairConfigs('sgd-vs-adam', 'mnist-mlp', 77).map((c) => ({ ...c, epochs: 1, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm' as const }))
    const [ra, rb] = lab.startPair([a, b])
    expect(lab.runs.get(ra.id)?.status).not.toBe('completed')
    expect(lab.runs.get(rb.id)?.status).not.toBe('completed')
    const [ea, eb] = await Promise.all([lab.waitForEnd(ra.id), lab.waitForEnd(rb.id)])
    expect(ea).toMatchObject({ status: 'completed', seed: 77, optimizer: 'SGD 0.01' })
    expect(eb).toMatchObject({ status: 'completed', seed: 77, optimizer: 'Adam 0.0002 β1 0.5' })
  })

  it('starts neither run when one config is invalid', async () => {
    const lab = newLab()
    const [a, b] = pairConfigs('sgd-vs-adam', 'mnist-mlp', 1)
    expect(() => lab.startPair([a, { ...b, batchSize: 0 }])).toThrow(/Invalid run config for "SGD vs Adam on MNIST: Adam/)
    expect(lab.runs.list()).toEqual([])
    const r = await dispatch(lab.handlers, 'runs:create-pair', { pair: 'adam-vs-rmsprop', preset: 'mnist-mlp', seed: 1 })
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
  })
})
