// Runs grouped by config fields: the groups, their labels, and the mean and band of their curves.
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfig } from '@shared/config'
import { aggregateCurves, groupLabels, groupRuns } from '@shared/run-groups'

const base = PRESETS['mnist-mlp'].defaults
const sgd = { ...base.optimizerD, kind: 'sgd' as const, lr: 0.01 }
const config = (over: Partial<RunConfig>): RunConfig => runConfigSchema.parse({ ...base, name: 'run', seed: 11, ...over })

describe('run groups', () => {
  const runs = [
    { id: 1, name: 'sgd 11', config: config({ optimizerD: sgd, optimizerG: sgd }) },
    { id: 2, name: 'adam 11', config: config({}) },
    { id: 3, name: 'sgd 12', config: config({ optimizerD: sgd, optimizerG: sgd, seed: 12 }) },
    { id: 4, name: 'adam 12', config: config({ seed: 12 }) }
  ]

  it('groups two seeds each of SGD and Adam by the optimizer into two groups, labelled without the seed', () => {
    const groups = groupRuns(runs, ['optimizerD.kind'])
    expect(groups.map((g) => g.runIds)).toEqual([[1, 3], [2, 4]])
    const labels = groupLabels(groups.map((g) => ({ runs: g.runIds.map((id) => runs.find((r) => r.id === id)!) })))
    expect(labels).toEqual(['SGD, lr 0.01 (2 runs)', 'Adam, lr 2e-4, β1 0.5 (2 runs)'])
    expect(groupRuns(runs, []).map((g) => g.runIds)).toEqual([[1, 2, 3, 4]])
  })

  it('averages curves on common x and bands them by one standard deviation or min to max', () => {
    const a = [0, 1, 2, 3].map((x) => ({ x, y: 1 }))
    const b = [0, 1, 2].map((x) => ({ x, y: 3 }))
    const std = aggregateCurves([a, b], 'std')
    // Over the range both cover (x <= 2), on the longer run's x values.
    expect(std.mean).toEqual([0, 1, 2].map((x) => ({ x, y: 2 })))
    expect(std.lower.map((p) => p.y)).toEqual([1, 1, 1])
    expect(std.upper.map((p) => p.y)).toEqual([3, 3, 3])
    const c = [{ x: 0, y: 0 }, { x: 2, y: 4 }]
    const mm = aggregateCurves([a.slice(0, 3), c, b], 'minmax')
    // c interpolated at x = 1 gives 2.
    expect(mm.mean[1]).toEqual({ x: 1, y: 2 })
    expect([mm.lower[1].y, mm.upper[1].y]).toEqual([1, 3])
    expect(aggregateCurves([], 'std').mean).toEqual([])
  })
})
