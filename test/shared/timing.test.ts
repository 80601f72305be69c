import { describe, expect, it } from 'vitest'
import { estimateRun, formatDuration, LONG_RUN_SECONDS, msPerStepOf, runSteps } from '@shared/timing'

describe('run duration estimate', () => {
  it('is the run\'s steps times the measured step time', () => {
    // 10 full passes over MNIST at batch 64: 937 steps each.
    const e = estimateRun({ stepsPerEpoch: null, batchSize: 64, epochs: 10 }, 600)
    expect(e.steps).toBe(9370)
    expect(e.seconds).toBeCloseTo(5622, 9)
    expect(e.text).toBe('about 1 h 34 min')
    expect(e.long).toBe(true)
    const quick = estimateRun({ stepsPerEpoch: 500, batchSize: 64, epochs: 3 }, 120)
    expect(quick).toEqual({ steps: 1500, seconds: 180, text: 'about 3 min', long: false })
    expect(runSteps({ stepsPerEpoch: null, batchSize: 100, epochs: 2 }, 1000)).toBe(20)
  })

  it('says seconds, minutes or hours, and flags runs over an hour', () => {
    expect(formatDuration(0.2)).toBe('about 1 s')
    expect(formatDuration(42)).toBe('about 42 s')
    expect(formatDuration(20 * 3600 + 4 * 60)).toBe('about 20 h 4 min')
    expect(formatDuration(7200)).toBe('about 2 h')
    expect(estimateRun({ stepsPerEpoch: 1, batchSize: 1, epochs: 1 }, LONG_RUN_SECONDS * 1000).long).toBe(false)
    expect(estimateRun({ stepsPerEpoch: 1, batchSize: 1, epochs: 1 }, LONG_RUN_SECONDS * 1000 + 1).long).toBe(true)
  })

  it('times steps after the warm-up from recorded rows', () => {
    const rows = [1, 2, 3, 4, 5].map((step) => ({ step, timeMs: step <= 2 ? step * 500 : 1000 + (step - 2) * 100 }))
    expect(msPerStepOf(rows, 2)).toBeCloseTo(100, 9)
    expect(msPerStepOf(rows, 4)).toBeNull()
  })
})
