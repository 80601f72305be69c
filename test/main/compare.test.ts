// Saved comparisons and paired experiments at the Lab level.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LabCalls } from '@shared/api'
import { describeOptimizer, PRESETS, runConfigSchema } from '@shared/config'
import { diffConfigs } from '@shared/config-diff'
import { compareHash, DEFAULT_COMPARE_SETTINGS, PAIR_SGD, pairConfigs, pairSgd, parseCompareHash } from '@shared/compare'
import { dispatch } from '../../src/main/services/dispatch'
import type { Lab } from '../../src/main/services/lab'
import { tempLabs } from '../helpers/lab'

const newLab = tempLabs('compare-')

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
    [{ name: 'nine', runIds: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, /runIds: compare at most 8 runs/],
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
  it('round-trips run ids and every setting; defaults stay out of the link', () => {
    expect(compareHash([3, 5])).toBe('#/compare?runs=3,5')
    expect(compareHash([3, 5], { xAxis: 'step', smoothing: 0.6 })).toBe('#/compare?runs=3,5')
    const settings = { xAxis: 'time' as const, smoothing: 0.85, epoch: 12, showAllFields: true, score: 'coverage' as const }
    expect(compareHash([3, 5, 9], settings)).toBe('#/compare?runs=3,5,9&x=time&smooth=0.85&epoch=12&all=1&score=coverage')
    // Settings the link leaves out (log axis, groups, band) come back as their defaults.
    expect(parseCompareHash(compareHash([3, 5, 9], settings))).toEqual({ ok: true, runIds: [3, 5, 9], settings: { ...DEFAULT_COMPARE_SETTINGS, ...settings } })
    expect(parseCompareHash('#/compare?runs=3,5')).toEqual({ ok: true, runIds: [3, 5], settings: DEFAULT_COMPARE_SETTINGS })
    expect(parseCompareHash('#/runs/3')).toBeNull()
  })

  it.each([
    ['#/compare?runs=3', 'runs: compare at least 2 runs'],
    ['#/compare', 'runs: compare at least 2 runs'],
    ['#/compare?runs=3,abc', 'runs.1: must be run ids (whole numbers)'],
    ['#/compare?runs=3,-1', 'runs.1: must be run ids (whole numbers)'],
    ['#/compare?runs=3,3', 'runs: a run is listed twice'],
    ['#/compare?runs=1,2,3,4,5,6,7,8,9', 'runs: compare at most 8 runs'],
    ['#/compare?runs=3,5&x=wall', 'x: Invalid option'],
    ['#/compare?runs=3,5&score=inception', 'score: Invalid option'],
    ['#/compare?runs=3,5&smooth=2', 'smooth: Too big'],
    ['#/compare?runs=3,5&epoch=0', 'epoch: Too small'],
    ['#/compare?runs=3,5&all=yes', 'all: Invalid option']
  ])('refuses %s, naming the parameter', (hash, problem) => {
    const link = parseCompareHash(hash)
    expect(link).toMatchObject({ ok: false })
    if (link && !link.ok) expect(link.message).toContain(`This compare link cannot be opened: ${problem}`)
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
    // SGD with momentum, D slower than G (five times slower than PAIR_SGD's for a DCGAN's
    // batch-normalised D); the Adam run is the preset's own default experiment.
    expect([sgd.optimizerD, sgd.optimizerG]).toEqual([{ ...PAIR_SGD.d, lr: 0.0002 }, PAIR_SGD.g])
    expect(sgd.optimizerD).toMatchObject({ kind: 'momentum', momentum: 0.9 })
    expect(sgd.optimizerD.lr).toBeLessThan(sgd.optimizerG.lr)
    expect([adam.optimizerD, adam.optimizerG]).toEqual([PRESETS['mnist-dcgan'].defaults.optimizerD, PRESETS['mnist-dcgan'].defaults.optimizerG])
    expect({ ...adam, name: '' }).toEqual({ ...PRESETS['mnist-dcgan'].defaults, name: '', seed: 1234 })
  })

  it("on the quick DCGAN the SGD run's D is five times slower (its batch-normalised D wins at once otherwise); Adam is the preset's own", () => {
    const [sgd, adam] = pairConfigs('sgd-vs-adam', 'mnist-dcgan-small', 7)
    expect([sgd.optimizerD, sgd.optimizerG]).toEqual([pairSgd('mnist-dcgan-small').d, pairSgd('mnist-dcgan-small').g])
    expect(sgd.optimizerD).toMatchObject({ kind: 'momentum', lr: 0.0002, momentum: 0.9 })
    expect(sgd.optimizerG).toEqual(PAIR_SGD.g)
    expect(pairSgd('mnist-mlp')).toEqual(PAIR_SGD)
    expect([adam.optimizerD, adam.optimizerG]).toEqual([PRESETS['mnist-dcgan-small'].defaults.optimizerD, PRESETS['mnist-dcgan-small'].defaults.optimizerG])
  })

  it('starts both runs at once in two trainer processes, in the shape asked for, and both finish', async () => {
    const lab = newLab()
    const r = await dispatch(lab.handlers, 'runs:create-pair', { pair: 'sgd-vs-adam', preset: 'mnist-mlp', seed: 77, epochs: 1, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm' })
    if (!r.ok) throw new Error(r.error.message)
    const [ra, rb] = r.data as LabCalls['runs:create-pair']['res']
    // Both are under way before either has finished: two trainer processes, not one after the other.
    expect([ra.status, rb.status]).toEqual(['queued', 'queued'])
    const [ea, eb] = await Promise.all([lab.waitForEnd(ra.id), lab.waitForEnd(rb.id)])
    expect(ea).toMatchObject({ status: 'completed', seed: 77, optimizer: `D: ${describeOptimizer(PAIR_SGD.d)} / G: ${describeOptimizer(PAIR_SGD.g)}`, stepsDone: 2 })
    expect(eb).toMatchObject({ status: 'completed', seed: 77, optimizer: 'Adam 0.0002 β1 0.5', stepsDone: 2 })
    const configs = [ra.id, rb.id].map((id) => lab.runs.config(id)!)
    expect(configs.map((c) => [c.batchSize, c.backend])).toEqual([
      [8, 'wasm'],
      [8, 'wasm']
    ])
  })

  it('keeps the preset\'s steps per epoch unless told, and a full pass when asked with null', () => {
    expect(pairConfigs('sgd-vs-adam', 'mnist-mlp', 1)[0].stepsPerEpoch).toBe(PRESETS['mnist-mlp'].defaults.stepsPerEpoch)
    expect(pairConfigs('sgd-vs-adam', 'mnist-mlp', 1, { stepsPerEpoch: null })[1].stepsPerEpoch).toBeNull()
  })

  it('starts neither run when one config is invalid', async () => {
    const lab = newLab()
    const [a, b] = pairConfigs('sgd-vs-adam', 'mnist-mlp', 1)
    expect(() => lab.startPair([a, { ...b, batchSize: 0 }])).toThrow(/Invalid run config for "SGD vs Adam on MNIST: Adam/)
    expect(lab.runs.list()).toEqual([])
    const r = await dispatch(lab.handlers, 'runs:create-pair', { pair: 'adam-vs-rmsprop', preset: 'mnist-mlp', seed: 1 })
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    const small = await dispatch(lab.handlers, 'runs:create-pair', { pair: 'sgd-vs-adam', preset: 'mnist-mlp', seed: 1, batchSize: 0, optimizerD: 'adam' })
    expect(small.ok).toBe(false)
    if (!small.ok) {
      expect(small.error.message).toContain('batchSize: must be at least 1')
      expect(small.error.message).toContain('unknown field optimizerD')
    }
    expect(lab.runs.list()).toEqual([])
  })
})
