// @vitest-environment jsdom
// The compare view's score curves: one curve per run in its colour, labelled with the sample
// counts and classifier, the best epoch starred, the FID floor dashed, one score picked at a
// time, and a note when the runs were scored on other counts or with other classifiers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import type { RunScores } from '@shared/api'
import type { EpochScores } from '@shared/evaluation'
import { scoreCurves } from '@shared/score-curves'
import CompareScoreCurves from '@renderer/components/CompareScoreCurves.vue'
import { useEvaluationStore } from '@renderer/stores/evaluation'
import { stubCanvasContext } from './helpers/dom'
import { useFakeLab } from './helpers/app'
import { FakeChart, resetFakeCharts, type ScoreDataset } from './helpers/fake-chart'

vi.mock('chart.js', () => import('./helpers/fake-chart'))

const CLS = 'mnist-convnet-32x64-d128-abc'

function scored(epoch: number, fid: number, over: Partial<EpochScores> = {}): EpochScores {
  return {
    epoch,
    classifierId: CLS,
    classifierAccuracy: 0.987,
    realCount: 2000,
    generatedCount: 2000,
    fid,
    fidFloor: 1.7,
    classifierScore: 10 - fid / 10,
    realClassifierScore: 9.4,
    precision: 0.5,
    recall: 0.4,
    density: 0.8,
    coverage: epoch / 10,
    histogram: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    classesCovered: 7 + epoch,
    fixedBatchDiversity: 0.9,
    createdAt: 0,
    conditional: null,
    ...over
  }
}

function runScores(scores: EpochScores[], bestEpoch: number | null, bestBy: 'fid' | 'coverage' = 'fid'): RunScores {
  return { scores, evaluation: bestEpoch === null ? null : { bestBy, bestEpoch, bestValue: 0, flags: [] }, pending: [], notice: null }
}

const RUNS = [
  { id: 1, name: 'adam', color: '#2563eb' },
  { id: 2, name: 'sgd', color: '#dc2626' }
]

const lab = useFakeLab()
beforeEach(() => {
  vi.useFakeTimers()
  resetFakeCharts()
})
afterEach(() => vi.useRealTimers())
enableAutoUnmount(afterEach)

async function mountCurves(byRun: Record<number, RunScores>, score: 'fid' | 'coverage' | 'classifierScore' = 'fid') {
  stubCanvasContext({})
  useEvaluationStore().byRun = byRun
  const w = lab.mount(CompareScoreCurves, { props: { runs: RUNS, score, 'onUpdate:score': (s: string) => w.setProps({ score: s as typeof score }) } })
  await flushPromises()
  return w
}

/** The datasets of the one chart drawn. */
const datasets = (): ScoreDataset[] => FakeChart.instances[0].data.datasets as ScoreDataset[]

const twoRuns = (): Record<number, RunScores> => ({
  1: runScores([scored(1, 40), scored(2, 12), scored(3, 20)], 2),
  2: runScores([scored(1, 60), scored(2, 30)], 2)
})

describe('compare score curves', () => {
  it('overlays each run’s FID in its colour with the floor dashed and each best epoch starred', async () => {
    const w = await mountCurves(twoRuns())
    expect(FakeChart.instances).toHaveLength(1)
    const [adam, sgd, floor] = datasets()
    expect(datasets()).toHaveLength(3)
    expect(adam.data).toEqual([
      { x: 1, y: 40 },
      { x: 2, y: 12 },
      { x: 3, y: 20 }
    ])
    expect(adam.borderColor).toBe('#2563eb')
    expect(sgd.data.map((p) => p.y)).toEqual([60, 30])
    expect(sgd.borderColor).toBe('#dc2626')
    // The best epoch (2) is a star on each run's curve and nowhere else.
    expect(adam.pointStyle).toEqual(['circle', 'star', 'circle'])
    expect(adam.pointRadius[1]).toBeGreaterThan(adam.pointRadius[0])
    expect(sgd.pointStyle).toEqual(['circle', 'star'])
    expect(adam.borderDash).toEqual([])
    // One floor for both runs (same counts and classifier): dashed, grey, no star.
    expect(floor.label).toBe('real vs real (floor)')
    expect(floor.borderDash.length).toBeGreaterThan(0)
    expect(floor.data).toEqual([1, 2, 3].map((x) => ({ x, y: 1.7 })))
    expect(floor.pointStyle.every((s) => s === 'circle')).toBe(true)

    const chart = w.get('[data-testid="compare-score-chart"]')
    expect(chart.attributes()).toMatchObject({ 'data-points': '3', 'data-best': '2', 'data-lines': '3,2,3' })
    expect(w.get('[data-testid="compare-score-curves"]').attributes('data-best')).toBe('1:2,2:2')
    expect(w.get('figcaption').text()).toBe('Classifier FID (lower is better)')
    // Each curve is labelled with the counts and classifier its scores came from.
    expect(adam.label).toBe(`#1 adam (2000 real / 2000 generated, ${CLS})`)
    expect(w.get('[data-testid="compare-score-curve-1"]').text()).toBe(`#1 adam (2000 real / 2000 generated, ${CLS}) · ★ best epoch 2`)
    expect(w.get('[data-testid="compare-score-curve-2"]').text()).toContain(`#2 sgd (2000 real / 2000 generated, ${CLS})`)
    expect(w.get('[data-testid="compare-score-reference"]').text()).toBe('real vs real (floor)')
    // Scored alike: nothing to warn about.
    expect(w.find('[data-testid="compare-score-notes"]').exists()).toBe(false)
  })

  it('switches the score with the picker and redraws the same chart', async () => {
    const w = await mountCurves(twoRuns())
    const chart = FakeChart.instances[0]
    await w.get('[data-testid="compare-score-metric"]').setValue('coverage')
    await flushPromises()
    expect(w.props('score')).toBe('coverage')
    expect(chart.updates).toEqual(['none'])
    expect(chart.data.datasets.map((d) => d.label)).toEqual([`#1 adam (2000 real / 2000 generated, ${CLS})`, `#2 sgd (2000 real / 2000 generated, ${CLS})`])
    expect(chart.data.datasets[0].data.map((p) => p.y)).toEqual([0.1, 0.2, 0.3])
    expect(w.get('figcaption').text()).toBe('Coverage (higher is better)')

    // The classifier score is read against the real test images' score, dashed.
    await w.get('[data-testid="compare-score-metric"]').setValue('classifierScore')
    await flushPromises()
    const real = datasets().at(-1)!
    expect(real.label).toBe('real test images')
    expect(real.borderDash.length).toBeGreaterThan(0)
    expect(real.data.map((p) => p.y)).toEqual([9.4, 9.4, 9.4])
    expect(chart.updates).toEqual(['none', 'none'])
    expect(FakeChart.instances).toHaveLength(1)
    w.unmount()
    expect(chart.destroyed).toBe(true)
  })

  it('says when the runs were scored on other sample counts or with other classifiers, and splits a run scored both ways', async () => {
    const w = await mountCurves({
      1: runScores([scored(1, 40), scored(2, 12)], 2),
      2: runScores([scored(1, 90, { realCount: 500, generatedCount: 500, fidFloor: 6 }), scored(2, 70, { realCount: 500, generatedCount: 500, classifierId: 'other', fidFloor: 5 })], 2, 'coverage')
    })
    const labels = datasets().map((d) => d.label)
    expect(labels).toEqual([
      `#1 adam (2000 real / 2000 generated, ${CLS})`,
      `#2 sgd (500 real / 500 generated, ${CLS})`,
      '#2 sgd (500 real / 500 generated, other)',
      `real vs real (floor): 2000 real / 2000 generated, ${CLS}`,
      `real vs real (floor): 500 real / 500 generated, ${CLS}`,
      'real vs real (floor): 500 real / 500 generated, other'
    ])
    expect(datasets().slice(3).map((d) => d.data)).toEqual([
      [{ x: 1, y: 1.7 }, { x: 2, y: 1.7 }],
      [{ x: 1, y: 6 }],
      [{ x: 2, y: 5 }]
    ])
    const notes = w.get('[data-testid="compare-score-notes"]').text()
    expect(notes).toContain('#2 sgd was scored with 2 different sample counts or classifiers: its curve is split by them.')
    expect(notes).toContain('different sample counts (#1 adam 2000 real / 2000 generated; #2 sgd 500 real / 500 generated then 500 real / 500 generated)')
    expect(notes).toContain(`different classifiers (#1 adam ${CLS}; #2 sgd ${CLS} then other)`)
    expect(notes).toContain('Best epochs (★) are chosen by different scores: #1 adam by Classifier FID; #2 sgd by Coverage.')
    // The star lands on the curve holding the best epoch only.
    expect(w.get('[data-testid="compare-score-curves"]').attributes('data-best')).toBe('1:2,2:2')
    expect(datasets()[1].pointStyle).toEqual(['circle'])
    expect(datasets()[2].pointStyle).toEqual(['star'])
  })

  it('names runs without scores, and says so instead of an empty chart when none has any', async () => {
    const w = await mountCurves({ 1: runScores([scored(1, 40)], null), 2: runScores([], null) })
    expect(w.get('[data-testid="compare-score-notes"]').text()).toContain('Not scored yet: #2 sgd.')
    expect(w.get('[data-testid="compare-score-chart"]').attributes('data-best')).toBe('')
    useEvaluationStore().byRun = { 1: runScores([], null), 2: runScores([], null) }
    await flushPromises()
    expect(w.find('[data-testid="compare-score-chart"]').exists()).toBe(false)
    expect(w.get('[data-testid="compare-score-empty"]').text()).toContain('No run has scores yet')
  })
})

describe('scoreCurves', () => {
  it('orders a run’s scores by epoch and leaves scores without a reference line without one', () => {
    const { curves } = scoreCurves([{ ...RUNS[0], scores: [scored(3, 20), scored(1, 40)], bestEpoch: 3, bestBy: 'fid' }], 'precision')
    expect(curves).toHaveLength(1)
    expect(curves[0].points.map((p) => p.x)).toEqual([1, 3])
    expect(curves[0].best).toEqual({ x: 3, y: 0.5 })
  })
})
