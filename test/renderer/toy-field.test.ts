// @vitest-environment jsdom
// GAN Lab's view of toy runs in the UI: the plot draws D's output as a heatmap (2D) or a curve
// (1D), the real and generated points, and G's gradient arrows scaled to the plot; the run view
// shows it beside the loss chart, live from 'trainer:field' while following the latest epoch and
// the stored field of a picked epoch; the compare view shows each toy run's field at one epoch.
import { describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { PRESETS } from '@shared/config'
import { toyFieldSchema, type ToyField } from '@shared/toy-field'
import ToyFieldPlot from '@renderer/components/ToyFieldPlot.vue'
import CompareGrids from '@renderer/components/CompareGrids.vue'
import { useRunsStore } from '@renderer/stores/runs'
import { useTrainerStore } from '@renderer/stores/trainer'
import RunView from '@renderer/views/RunView.vue'
import { useFakeLab } from './helpers/app'
import { stubCanvasContext } from './helpers/dom'
import { config, detail, epoch, series, summary } from './helpers/fixtures'

/** A 2D field over [-2, 2]² with 4x4 cells: D says "real" (1) on the right half, "generated" (0) on the left. */
function field2d(step: number, over: Partial<ToyField> = {}): ToyField {
  return toyFieldSchema.parse({
    step,
    epoch: Math.ceil(step / 100),
    columns: ['x', 'y'],
    extent: [[-2, 2], [-2, 2]],
    resolution: 4,
    output: 'probability',
    values: Array.from({ length: 16 }, (_, k) => (k % 4 >= 2 ? 1 : 0)),
    real: [[1, 1], [1.5, -1], [5, 5]],
    fake: [[-1, 0], [0, 1], [9, 9]],
    arrows: [[1, 0], [0, -0.5], [1, 1]],
    ...over
  })
}

const lab = useFakeLab()

const mountPlot = (props: { field: ToyField | null; size?: number; loading?: boolean }): VueWrapper => lab.mount(ToyFieldPlot, { props }) as unknown as VueWrapper
const num = (el: { attributes(name: string): string | undefined }, name: string): number => Number(el.attributes(name))

describe('ToyFieldPlot', () => {
  it('draws the heatmap, the points inside the plane and one arrow per generated point, the longest 9% of the width', () => {
    const w = mountPlot({ field: field2d(120), size: 200 })
    const svg = w.get('[data-testid="toy-field"]')
    expect(svg.attributes()).toMatchObject({ 'data-step': '120', 'data-epoch': '2', 'data-output': 'probability', 'data-arrows': '2' })
    const cells = w.findAll('[data-testid="toy-field-heat"] rect')
    expect(cells).toHaveLength(16)
    // Row 0 is the lowest y (bottom of the plot); its right half is green (real), its left purple.
    expect(num(cells[0], 'y')).toBe(150)
    expect(cells[0].attributes('fill')).toBe('rgb(196,163,250)')
    expect(cells[3].attributes('fill')).toBe('rgb(142,219,165)')
    // The point outside the plane is left out and counted.
    expect(w.findAll('[data-testid="toy-field-real"] circle')).toHaveLength(2)
    expect(w.findAll('[data-testid="toy-field-fake"] circle')).toHaveLength(2)
    expect(w.get('[data-testid="toy-field-legend"]').text()).toContain('1 generated points outside')
    const [right, down] = w.findAll('[data-testid="toy-field-arrows"] line')
    // (-1, 0) sits at (50, 100); its arrow (+1, 0) is the longest: 0.09 x 200 = 18 px to the right.
    expect([num(right, 'x1'), num(right, 'y1'), num(right, 'x2'), num(right, 'y2')]).toEqual([50, 100, 68, 100])
    // (0, 1) at (100, 50); (0, -0.5) points down the plot (y grows downwards), half as long.
    expect([num(down, 'x1'), num(down, 'y1'), num(down, 'x2'), num(down, 'y2')]).toEqual([100, 50, 100, 59])
    expect(w.get('[data-testid="toy-field-legend"]').text()).toContain('D(x): 0 generated · 1 real')
  })

  it('draws a 1D field as a curve over x with the points and horizontal arrows below, and a score by its range', () => {
    const f = toyFieldSchema.parse({
      step: 10,
      epoch: 1,
      columns: ['x'],
      extent: [[0, 10]],
      resolution: 5,
      output: 'score',
      values: [-2, -1, 0, 1, 2],
      real: [[1], [9]],
      fake: [[5]],
      arrows: [[-3]]
    })
    const w = mountPlot({ field: f, size: 200 })
    const curve = w.get('[data-testid="toy-field-curve"]').attributes('points')!.split(' ').map((p) => p.split(',').map(Number))
    expect(curve.map(([x]) => x)).toEqual([20, 60, 100, 140, 180])
    // Rising scores climb the plot (smaller y).
    expect(curve.map(([, y]) => y)).toEqual([...curve.map(([, y]) => y)].sort((a, b) => b - a))
    expect(w.findAll('[data-testid="toy-field-heat"] rect')).toHaveLength(5)
    const [arrow] = w.findAll('[data-testid="toy-field-arrows"] line')
    expect(num(arrow, 'x2') - num(arrow, 'x1')).toBeCloseTo(-18, 6)
    expect(num(arrow, 'y2')).toBe(num(arrow, 'y1'))
    expect(w.get('[data-testid="toy-field-legend"]').text()).toContain("D's score -2 to 2")
  })

  it('says what comes when there is no field yet', () => {
    const w = mountPlot({ field: null, loading: true })
    expect(w.get('[data-testid="toy-field-placeholder"]').text()).toBe('Loading the field…')
  })
})

describe('the field in the run view', () => {
  it('sits beside the loss chart, follows live fields while training, and shows a picked epoch\'s stored field', async () => {
    stubCanvasContext(null)
    const run = summary({ id: 5, preset: 'toy-mlp', status: 'running', epochs: 3, epochsDone: 2 })
    const stored: Record<number, ToyField> = { 1: field2d(100), 2: field2d(200, { values: Array.from({ length: 16 }, () => 0.5) }) }
    lab.serve({
      'runs:list': () => [run],
      'runs:get': () =>
        detail(run, {
          config: config({ ...PRESETS['toy-mlp'].defaults, name: run.name }),
          epochs: [1, 2].map((e) => epoch(e, { hasGrid: false, hasSamples: true, hasField: true }))
        }),
      'runs:metrics': () => series(1, 200),
      'runs:samples': () => ({ kind: 'points', columns: ['x', 'y'], real: [[2, 0]], fake: [[1, 1]] }),
      'runs:field': ({ epoch: e }) => stored[e]
    })
    const runs = useRunsStore()
    await runs.start()
    await runs.select(5)
    const w = lab.mount(RunView) as unknown as VueWrapper
    await flushPromises()

    // Beside the loss chart, in the same row of charts.
    const charts = w.get('.charts')
    expect(charts.classes()).toContain('with-field')
    expect(charts.find('[data-testid="toy-field-panel"]').exists()).toBe(true)
    expect(charts.find('[data-testid="loss-chart"]').exists()).toBe(true)
    // Following the latest epoch with nothing live yet: the newest stored field.
    expect(lab.api.requestsTo('runs:field')).toEqual([{ id: 5, epoch: 2 }])
    expect(w.get('[data-testid="toy-field"]').attributes('data-step')).toBe('200')
    expect(w.get('[data-testid="toy-field-caption"]').text()).toBe('End of epoch 2 (step 200)')

    // A live field arrives: shown at once, the arrows redrawn.
    const arrowsOf = (): string[] => w.findAll('[data-testid="toy-field-arrows"] line').map((l) => `${l.attributes('x2')},${l.attributes('y2')}`)
    const before = arrowsOf()
    lab.api.emit('trainer:field', { runId: 5, field: field2d(230, { arrows: [[0, 1], [-1, 0], [0, 0]] }) })
    await flushPromises()
    expect(w.get('[data-testid="toy-field"]').attributes('data-step')).toBe('230')
    expect(w.get('[data-testid="toy-field-caption"]').text()).toBe('Live: step 230, epoch 3')
    expect(w.get('[data-testid="toy-field-panel"]').attributes('data-live')).toBe('true')
    expect(arrowsOf()).not.toEqual(before)
    // Another run's field changes nothing here.
    lab.api.emit('trainer:field', { runId: 6, field: field2d(999) })
    await flushPromises()
    expect(w.get('[data-testid="toy-field"]').attributes('data-step')).toBe('230')

    // The scrubber picks epoch 1: its stored field, fetched once.
    await w.get('[data-testid="epoch-scrubber"]').setValue('0')
    await flushPromises()
    expect(w.get('[data-testid="toy-field"]').attributes('data-step')).toBe('100')
    expect(w.get('[data-testid="toy-field-caption"]').text()).toBe('End of epoch 1 (step 100)')
    expect(lab.api.requestsTo('runs:field')).toEqual([{ id: 5, epoch: 2 }, { id: 5, epoch: 1 }])
    // Back to the latest: live again.
    await w.get('[data-testid="epoch-follow"]').setValue(true)
    await flushPromises()
    expect(w.get('[data-testid="toy-field"]').attributes('data-step')).toBe('230')
  })
})

describe('the field in the compare view', () => {
  it('shows each toy run\'s field at the scrubber\'s epoch, side by side', async () => {
    const trainer = useTrainerStore()
    const stored: Record<string, ToyField> = {
      '1:1': field2d(100),
      '1:2': field2d(200),
      '2:1': field2d(100, { arrows: [[0, 1], [1, 0], [0, 0]] })
    }
    lab.serve({ 'runs:field': ({ id, epoch: e }) => stored[`${id}:${e}`] })
    trainer.ensure(1).epochs = [1, 2].map((e) => epoch(e, { hasGrid: false, hasField: true }))
    trainer.ensure(2).epochs = [epoch(1, { hasGrid: false, hasField: true })]
    const runs = [
      { id: 1, name: 'adam', color: '#2563eb' },
      { id: 2, name: 'sgd', color: '#ea580c' }
    ]
    const { useFieldsStore } = await import('@renderer/stores/fields')
    const fields = useFieldsStore()
    await Promise.all([fields.load(1, 1), fields.load(2, 1)])
    const w = lab.mount(CompareGrids, { props: { runs, epochs: [1, 2], shown: 1, follow: false } }) as unknown as VueWrapper
    await flushPromises()
    for (const id of [1, 2]) {
      expect(w.get(`[data-testid="compare-grid-${id}"]`).attributes('data-epoch')).toBe('1')
      expect(w.get(`[data-testid="compare-field-${id}"]`).attributes('data-step')).toBe('100')
    }
    expect(w.find('[data-testid="sample-grid"]').exists()).toBe(false)
    // At epoch 2 the run that ended after epoch 1 keeps its last field and says so.
    await fields.load(1, 2)
    await w.setProps({ shown: 2 })
    expect(w.get('[data-testid="compare-field-1"]').attributes('data-step')).toBe('200')
    expect(w.get('[data-testid="compare-grid-2"]').attributes('data-epoch')).toBe('1')
    expect(w.get('[data-testid="compare-grid-note-2"]').text()).toBe('ends at epoch 1; showing its last field')
  })
})
