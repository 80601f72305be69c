// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import type { StepSeries } from '@shared/metrics'
import { setLabApi } from '@renderer/api/current'
import { appendSeriesAfter, useTrainerStore } from '@renderer/stores/trainer'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { detail, epoch, rows, series, summary } from './helpers/fixtures'

let api: FakeLabApi

useAppTestSetup()

beforeEach(() => {
  api = new FakeLabApi({ 'runs:metrics': ({ afterStep = 0 }) => series(afterStep + 1, 5) })
  setLabApi(api)
})

describe('trainer store', () => {
  it('loads the history, then appends only live rows after its last step', async () => {
    const trainer = useTrainerStore()
    trainer.start()
    await trainer.loadHistory(1)
    expect(trainer.runs[1].series.step).toEqual([1, 2, 3, 4, 5])
    const before = trainer.runs[1].seriesVersion

    api.emit('trainer:steps', { runId: 1, rows: rows(4, 7) })
    const s = trainer.runs[1].series
    expect(s.step).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(s.values.gLoss).toEqual([1.001, 1.002, 1.003, 1.004, 1.005, 1.006, 1.007])
    expect(s.epoch).toHaveLength(7)
    expect(trainer.runs[1].seriesVersion).toBeGreaterThan(before)

    api.emit('trainer:steps', { runId: 1, rows: rows(6, 7) })
    expect(s.step).toHaveLength(7)
  })

  it('merges rows that arrive while the history loads, without duplicates', async () => {
    let answer: (s: StepSeries) => void = () => {}
    api.handlers['runs:metrics'] = () => new Promise<StepSeries>((r) => (answer = r))
    const trainer = useTrainerStore()
    trainer.start()
    const loading = trainer.loadHistory(1)
    api.emit('trainer:steps', { runId: 1, rows: rows(9, 11) })
    api.emit('trainer:steps', { runId: 1, rows: rows(12, 12) })
    answer(series(1, 10))
    await loading
    expect(trainer.runs[1].series.step).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(trainer.runs[1].lastStep).toBe(12)
  })

  it('ignores live rows of a run whose history is not loaded, so no chart starts mid-way', async () => {
    const trainer = useTrainerStore()
    trainer.start()
    api.emit('trainer:progress', {
      runId: 2,
      progress: { epoch: 1, stepInEpoch: 50, stepsPerEpoch: 100, globalStep: 50, totalSteps: 500, imagesPerSec: 900, etaSeconds: 20 }
    })
    api.emit('trainer:steps', { runId: 2, rows: rows(40, 50) })
    expect(trainer.runs[2].series.step).toEqual([])
    expect(trainer.runs[2].progress?.globalStep).toBe(50)

    await trainer.loadHistory(2)
    expect(api.requestsTo('runs:metrics')).toEqual([{ id: 2, afterStep: 0 }])
    expect(trainer.runs[2].series.step[0]).toBe(1)
  })

  it('asks only for the steps after the last one it holds when loading again', async () => {
    const trainer = useTrainerStore()
    trainer.start()
    await trainer.loadHistory(1)
    api.emit('trainer:steps', { runId: 1, rows: rows(6, 8) })
    api.handlers['runs:metrics'] = ({ afterStep = 0 }) => series(afterStep + 1, 10)
    await trainer.loadHistory(1)
    expect(api.requestsTo('runs:metrics').map((r) => r.afterStep)).toEqual([0, 8])
    expect(trainer.runs[1].series.step).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('keeps epochs ordered and replaces a repeated epoch; takes the backend report', () => {
    const trainer = useTrainerStore()
    trainer.start()
    trainer.hydrate(detail(summary({ id: 1 }), { epochs: [epoch(2), epoch(1)] }))
    api.emit('trainer:epoch', { runId: 1, epoch: epoch(3) })
    api.emit('trainer:epoch', { runId: 1, epoch: epoch(2, { imagesPerSec: 999 }) })
    expect(trainer.runs[1].epochs.map((e) => e.epoch)).toEqual([1, 2, 3])
    expect(trainer.runs[1].epochs[1].imagesPerSec).toBe(999)

    const report = { requested: 'auto' as const, chosen: 'wasm' as const, skipped: [{ backend: 'tensorflow' as const, reason: 'not installed' }], detail: 'SIMD on' }
    api.emit('trainer:backend', { runId: 1, report })
    expect(trainer.runs[1].backendReport).toEqual(report)
  })

  it('caches sample grids as data URLs', async () => {
    api.handlers['runs:grid'] = ({ epoch: e }) => ({ epoch: e, pngBase64: `png${e}`, rows: 4, cols: 4 })
    const trainer = useTrainerStore()
    await trainer.loadGrid(1, 2)
    await trainer.loadGrid(1, 2)
    expect(trainer.gridOf(1, 2)?.src).toBe('data:image/png;base64,png2')
    expect(api.requestsTo('runs:grid')).toHaveLength(1)
  })
})

describe('appendSeriesAfter', () => {
  it('appends, column by column, only the samples past the given step', () => {
    const target = series(1, 3)
    expect(appendSeriesAfter(target, series(2, 6), 3)).toBe(6)
    expect(target.step).toEqual([1, 2, 3, 4, 5, 6])
    expect(target.values.gLoss).toEqual([1.001, 1.002, 1.003, 1.004, 1.005, 1.006])
    expect(target.epoch).toHaveLength(6)
    expect(target.timeMs[5]).toBe(60)
    expect(appendSeriesAfter(target, series(1, 6), 6)).toBe(6)
    expect(target.step).toHaveLength(6)
  })
})
