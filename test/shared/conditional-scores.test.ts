// The conditional scores (label accuracy, TSTR) as scores like the others: a best epoch by
// them, curves with TRTR as the reference line, and no points for runs that lack them.
import { describe, expect, it } from 'vitest'
import { runConfigSchema, PRESETS } from '@shared/config'
import { scoreOf, type EpochScores } from '@shared/evaluation'
import { bestEpoch } from '@shared/failure-detect'
import { scoreCurves } from '@shared/score-curves'
import { epochScores } from '../helpers/scores'

function scores(epoch: number, tstr: number | null): EpochScores {
  return epochScores({
    epoch,
    conditional: tstr === null ? null : { labelAccuracy: tstr + 0.1, tstrAccuracy: tstr, trtrAccuracy: 0.9, tstrSamples: 500, tstrClassifier: 'MLP' }
  })
}

describe('conditional scores', () => {
  it('pick the best epoch by TSTR and draw TRTR as its reference, skipping runs without them', () => {
    const cgan = [scores(1, 0.4), scores(2, 0.7), scores(3, 0.6)]
    expect(bestEpoch(cgan, 'tstrAccuracy')).toEqual({ epoch: 2, value: 0.7 })
    expect(scoreOf(cgan[0], 'labelAccuracy')).toBeCloseTo(0.5)
    const plain = [scores(1, null), scores(2, null)]
    expect(bestEpoch(plain, 'tstrAccuracy')).toBeNull()
    const out = scoreCurves(
      [
        { id: 1, name: 'cgan', color: '#111', scores: cgan, bestEpoch: 2, bestBy: 'tstrAccuracy' },
        { id: 2, name: 'plain', color: '#222', scores: plain, bestEpoch: null, bestBy: null }
      ],
      'tstrAccuracy'
    )
    const run = out.curves.find((c) => c.runId === 1)!
    expect(run.points.map((p) => p.y)).toEqual([0.4, 0.7, 0.6])
    expect(run.best).toEqual({ x: 2, y: 0.7 })
    expect(out.curves.find((c) => c.runId === 2)!.points).toEqual([])
    const reference = out.curves.find((c) => c.reference)!
    expect(reference.label).toBe('TRTR (trained on real images)')
    expect(reference.points.map((p) => p.y)).toEqual([0.9, 0.9, 0.9])
    expect(out.notes.join(' ')).toMatch(/TSTR accuracy is scored for conditional runs only: #2 plain has none/)
  })

  it('refuses them as the best-by score of an unconditional run', () => {
    const base = { ...PRESETS['mnist-mlp'].defaults, name: 'x', seed: 1 }
    const bad = runConfigSchema.safeParse({ ...base, evaluation: { ...base.evaluation, bestBy: 'tstrAccuracy' } })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]).toMatchObject({ path: ['evaluation', 'bestBy'], message: 'label accuracy and TSTR are scored for conditional runs only' })
    expect(runConfigSchema.safeParse({ ...base, conditional: true, evaluation: { ...base.evaluation, bestBy: 'tstrAccuracy' } }).success).toBe(true)
  })
})
