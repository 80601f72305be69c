// The failure detectors over recorded series of two short mnist-mlp runs (recorded with
// scripts/record-detector-series.ts: 4 epochs of 100 steps on wasm, seed 7) and over series
// built to show one failure each.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EpochScores } from '@shared/evaluation'
import {
  bestEpoch,
  detectConvergenceFailure,
  detectDivergence,
  detectModeCollapse,
  detectOscillation,
  detectRegression,
  earlyStopFlag,
  evaluateRun
} from '@shared/failure-detect'
import { appendRows, emptySeries, type StepSeries } from '@shared/metrics'

function recorded(name: string): StepSeries {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'evaluation', `${name}.json`), 'utf8')) as StepSeries
}

function synthetic(n: number, f: (i: number) => { dLossReal: number; dLossFake: number; gLoss: number; dAccReal: number; dAccFake: number }): StepSeries {
  const s = emptySeries()
  for (let i = 0; i < n; i++) {
    const m = f(i)
    s.step.push(i + 1)
    s.epoch.push(Math.floor(i / 100) + 1)
    s.timeMs.push(i)
    for (const k of Object.keys(m) as (keyof typeof m)[]) s.values[k].push(m[k])
  }
  return s
}

function scores(epoch: number, over: Partial<EpochScores> = {}): EpochScores {
  return {
    epoch,
    classifierId: 'c',
    classifierAccuracy: 0.98,
    realCount: 1000,
    generatedCount: 1000,
    fid: 20,
    fidFloor: 1.5,
    classifierScore: 8,
    realClassifierScore: 9.4,
    precision: 0.7,
    recall: 0.6,
    density: 0.8,
    coverage: 0.6,
    histogram: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
    classesCovered: 10,
    fixedBatchDiversity: 0.9,
    conditional: null,
    createdAt: 0,
    ...over
  }
}

describe('convergence failure', () => {
  it('flags the recorded run with a too-strong D (D lr 10x, G lr 1/10) and not the healthy preset', () => {
    const strong = detectConvergenceFailure(recorded('strong-d-mlp'))
    expect(strong?.kind).toBe('convergence')
    expect(strong?.epoch).toBe(4)
    expect(strong?.explanation).toMatch(/D's loss averaged 0\.\d\d with 9\d% accuracy on real and 9\d% on generated images, while G's loss rose from/)
    expect(detectConvergenceFailure(recorded('healthy-mlp'))).toBeNull()
  })

  it('needs all of near-zero D loss, high accuracy on both halves and a rising G loss', () => {
    const won = (i: number) => ({ dLossReal: 0.02, dLossFake: 0.03, gLoss: 2 + i / 100, dAccReal: 1, dAccFake: 0.99 })
    expect(detectConvergenceFailure(synthetic(300, won))?.kind).toBe('convergence')
    expect(detectConvergenceFailure(synthetic(300, (i) => ({ ...won(i), gLoss: 5 - i / 100 })))).toBeNull()
    expect(detectConvergenceFailure(synthetic(300, (i) => ({ ...won(i), dAccFake: 0.6 })))).toBeNull()
    expect(detectConvergenceFailure(synthetic(300, (i) => ({ ...won(i), dLossFake: 0.9 })))).toBeNull()
    // Too short a run to judge.
    expect(detectConvergenceFailure(synthetic(60, won))).toBeNull()
  })
})

describe('oscillation', () => {
  it('flags losses that swing widely over the window and not the recorded runs', () => {
    const swing = (i: number) => {
      const s = Math.sin((2 * Math.PI * i) / 40)
      return { dLossReal: 0.7 + 0.65 * s, dLossFake: 0.7 + 0.65 * s, gLoss: 1.5 - 1.4 * s, dAccReal: 0.5, dAccFake: 0.5 }
    }
    const flag = detectOscillation(synthetic(400, swing))
    expect(flag?.kind).toBe('oscillation')
    expect(flag?.explanation).toMatch(/10-step means of G's loss swing by \d+% of their level/)
    expect(detectOscillation(recorded('healthy-mlp'))).toBeNull()
    expect(detectOscillation(recorded('strong-d-mlp'))).toBeNull()
    // Step-to-step noise alone (alternating every step) averages out over 10-step blocks.
    const noisy = (i: number) => ({ dLossReal: i % 2 ? 0.2 : 1.2, dLossFake: 0.7, gLoss: i % 2 ? 0.3 : 2.3, dAccReal: 0.5, dAccFake: 0.5 })
    expect(detectOscillation(synthetic(400, noisy))).toBeNull()
  })
})

describe('mode collapse', () => {
  it('fires when coverage halves, classes drop, few classes remain or the fixed batch is all alike', () => {
    expect(detectModeCollapse([scores(1), scores(2, { coverage: 0.55 })])).toBeNull()
    expect(detectModeCollapse([scores(1), scores(2, { coverage: 0.2 })])?.explanation).toMatch(/coverage fell to 0\.20 from its best 0\.60/)
    expect(detectModeCollapse([scores(1), scores(2, { classesCovered: 6 })])?.explanation).toMatch(/classes covered dropped to 6 from 10/)
    expect(detectModeCollapse([scores(1, { classesCovered: 2 })])?.explanation).toMatch(/only 2 of 10 classes are covered/)
    expect(detectModeCollapse([scores(5, { fixedBatchDiversity: 0.05 })])?.explanation).toMatch(/At epoch 5 the fixed batch's samples are nearly identical \(spread 5%/)
    expect(detectModeCollapse([])).toBeNull()
  })
})

describe('divergence', () => {
  it("leaves a WGAN critic's missing accuracy alone: no divergence, no convergence failure", () => {
    const s = emptySeries()
    appendRows(
      s,
      Array.from({ length: 300 }, (_, i) => ({ step: i + 1, epoch: 1, timeMs: i, dLossReal: -0.9, dLossFake: -0.9, gLoss: 1 + i / 100, dAccReal: null, dAccFake: null, wasserstein: 0.5 }))
    )
    expect(detectDivergence(s, 'completed', null)).toBeNull()
    expect(detectConvergenceFailure(s)).toBeNull()
    s.values.wasserstein[150] = NaN
    expect(detectDivergence(s, 'completed', null)?.explanation).toBe('wasserstein is NaN at step 151.')
  })

  it('fires for a diverged run and for a NaN in the series', () => {
    const fine = synthetic(10, () => ({ dLossReal: 0.5, dLossFake: 0.5, gLoss: 1, dAccReal: 0.5, dAccFake: 0.5 }))
    expect(detectDivergence(fine, 'completed', null)).toBeNull()
    expect(detectDivergence(fine, 'diverged', 'Diverged at step 10')?.explanation).toBe('Diverged at step 10')
    const nan = synthetic(10, (i) => ({ dLossReal: 0.5, dLossFake: 0.5, gLoss: i === 6 ? NaN : 1, dAccReal: 0.5, dAccFake: 0.5 }))
    expect(detectDivergence(nan, 'running', null)?.explanation).toBe('gLoss is NaN at step 7.')
  })
})

describe('best epoch and regression', () => {
  const run = [scores(1, { fid: 40, coverage: 0.3 }), scores(2, { fid: 12, coverage: 0.7 }), scores(3, { fid: 30, coverage: 0.65 })]
  it('picks the best epoch by the chosen score, lower or higher being better', () => {
    expect(bestEpoch(run, 'fid')).toEqual({ epoch: 2, value: 12 })
    expect(bestEpoch(run, 'coverage')).toEqual({ epoch: 2, value: 0.7 })
    expect(bestEpoch(run, 'precision')).toEqual({ epoch: 1, value: 0.7 })
    expect(bestEpoch([], 'fid')).toBeNull()
  })
  it('flags a last score much worse than the best, and not a small slip', () => {
    expect(detectRegression(run, 'fid')?.explanation).toMatch(/Classifier FID at the last scored epoch 3 is 30\.00, much worse than 12\.00 at epoch 2: use the epoch 2 checkpoint/)
    expect(detectRegression(run, 'coverage')).toBeNull()
    expect(detectRegression(run.slice(0, 2), 'fid')).toBeNull()
  })
  it('evaluateRun gathers the best epoch and every flag', () => {
    const e = evaluateRun({ series: recorded('strong-d-mlp'), scores: run, status: 'completed', statusMessage: null, bestBy: 'fid' })
    expect(e.bestEpoch).toBe(2)
    expect(e.flags.map((f) => f.kind)).toEqual(['convergence', 'regressed'])
    const healthy = evaluateRun({ series: recorded('healthy-mlp'), scores: [], status: 'completed', statusMessage: null, bestBy: 'fid' })
    expect(healthy).toEqual({ bestBy: 'fid', bestEpoch: null, bestValue: null, flags: [] })
  })
})

describe('early stop', () => {
  const collapse = { kind: 'mode-collapse' as const, epoch: 1, explanation: 'x' }
  const convergence = { kind: 'convergence' as const, epoch: 1, explanation: 'y' }
  it('stops on a chosen flag only, and not on a mode collapse seen on the only scored epoch', () => {
    expect(earlyStopFlag([convergence], ['convergence'], 0)).toBe(convergence)
    expect(earlyStopFlag([convergence], ['oscillation'], 3)).toBeNull()
    expect(earlyStopFlag([collapse], ['mode-collapse'], 1)).toBeNull()
    expect(earlyStopFlag([collapse], ['mode-collapse'], 2)).toBe(collapse)
    expect(detectModeCollapse([scores(1, { classesCovered: 1 })])?.explanation).toMatch(/the only scored epoch so far/)
    expect(detectModeCollapse([scores(1), scores(2, { classesCovered: 1 })])?.explanation).not.toMatch(/the only scored epoch/)
  })
})
