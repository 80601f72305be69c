// @vitest-environment jsdom
// Colour by a config field in the compare view: runs with the same value share a colour, with a
// key of the values; the choice travels in the comparison's link.
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { compareHash, DEFAULT_COMPARE_SETTINGS, parseCompareHash, RUN_COLORS } from '@shared/compare'
import { colorsByField, groupStyles, MIXED_GROUP_COLOR } from '@shared/run-groups'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { config, detail, epoch, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

const sgd = { kind: 'sgd' as const, lr: 0.01, beta1: 0.5, beta2: 0.999, momentum: 0.9 }
const configs = {
  1: config({ name: 'adam a', seed: 1 }),
  2: config({ name: 'sgd a', seed: 1, optimizerD: sgd }),
  3: config({ name: 'adam b', seed: 2 })
}

describe('colour by a config field', () => {
  it('gives runs with the same value one colour, values in the order their first run comes', () => {
    const runs = [1, 2, 3].map((id) => ({ id, config: configs[id as 1 | 2 | 3] }))
    const { colors, values } = colorsByField(runs, 'optimizerD.kind', RUN_COLORS)
    expect(colors).toEqual({ 1: RUN_COLORS[0], 2: RUN_COLORS[1], 3: RUN_COLORS[0] })
    expect(values).toEqual([
      { value: 'adam', color: RUN_COLORS[0] },
      { value: 'sgd', color: RUN_COLORS[1] }
    ])
    expect(colorsByField(runs, 'seed', RUN_COLORS).colors).toEqual({ 1: RUN_COLORS[0], 2: RUN_COLORS[0], 3: RUN_COLORS[1] })
  })

  it('styles groups by the colour-by field: their runs’ shared colour, grey where they differ, dashes apart groups of one colour', () => {
    const colors = { 1: 'red', 2: 'blue', 3: 'red', 4: 'red' }
    expect(groupStyles([{ runIds: [1, 3] }, { runIds: [2] }, { runIds: [4] }, { runIds: [1, 2] }], colors, RUN_COLORS)).toEqual([
      { color: 'red', dash: [] },
      { color: 'blue', dash: [] },
      { color: 'red', dash: [6, 3] },
      { color: MIXED_GROUP_COLOR, dash: [] }
    ])
    // Coloured by run: the palette in group order.
    expect(groupStyles([{ runIds: [1, 3] }, { runIds: [2] }], null, RUN_COLORS)).toEqual([
      { color: RUN_COLORS[0], dash: [] },
      { color: RUN_COLORS[1], dash: [] }
    ])
  })

  it('keeps the field in the link and reads it back; the plain link stays short', () => {
    const hash = compareHash([1, 2], { ...DEFAULT_COMPARE_SETTINGS, colorBy: 'optimizerD.kind' })
    expect(hash).toBe('#/compare?runs=1,2&color=optimizerD.kind')
    expect(parseCompareHash(hash)).toMatchObject({ ok: true, settings: { colorBy: 'optimizerD.kind' } })
    expect(parseCompareHash('#/compare?runs=1,2')).toMatchObject({ ok: true, settings: { colorBy: null } })
  })

  it('recolours the chips and curves in the compare view and shows a key of the values', async () => {
    const runs = [1, 2, 3].map((id) => summary({ id, name: configs[id as 1 | 2 | 3].name, status: 'completed', epochsDone: 1 }))
    setLabApi(
      new FakeLabApi({
        'runs:list': () => runs,
        'presets:list': () => [],
        'runs:get': ({ id }) => detail(runs[id - 1], { config: configs[id as 1 | 2 | 3], epochs: [epoch(1)] }),
        'runs:metrics': () => series(1, 100),
        'runs:grid': ({ epoch: e }) => ({ epoch: e, pngBase64: btoa('grid'), rows: 10, cols: 10 }),
        'comparisons:list': () => []
      })
    )
    const w = mount(App, { global: { plugins: [pinia()] }, attachTo: document.body })
    await flushPromises()
    for (const id of [1, 2, 3]) await w.get(`[data-testid="compare-pick-${id}"]`).setValue(true)
    await w.get('[data-testid="compare-picked"]').trigger('click')
    await flushPromises()
    const chipColors = (): (string | undefined)[] => [1, 2, 3].map((id) => w.get(`[data-testid="compare-run-${id}"]`).attributes('data-color'))
    expect(chipColors()).toEqual([RUN_COLORS[0], RUN_COLORS[1], RUN_COLORS[2]])
    expect(w.find('[data-testid="compare-color-key"]').exists()).toBe(false)

    const select = w.get('[data-testid="compare-color-by"]')
    const options = select.findAll('option').map((o) => o.text())
    expect(options[0]).toBe('run')
    expect(options).toEqual(expect.arrayContaining(['optimizerD.kind', 'optimizerD.lr', 'seed']))
    expect(options).not.toContain('latentDim')
    await select.setValue('optimizerD.kind')
    await flushPromises()
    expect(chipColors()).toEqual([RUN_COLORS[0], RUN_COLORS[1], RUN_COLORS[0]])
    expect(w.get('[data-testid="compare-chart-gLoss"]').attributes('data-colors')).toBe(`${RUN_COLORS[0]},${RUN_COLORS[1]},${RUN_COLORS[0]}`)
    expect(w.get('[data-testid="compare-color-key"]').text()).toBe('adamsgd')
    expect(location.hash).toContain('color=optimizerD.kind')

    // Grouped, each mean curve takes the colour its runs share: Adam (runs 1 and 3) and SGD.
    const chart = (): ReturnType<typeof w.get> => w.get('[data-testid="compare-chart-gLoss"]')
    await w.get('[data-testid="compare-group-toggle"]').trigger('click')
    await w.get('[data-testid="compare-group-optimizerD.kind"]').setValue(true)
    await flushPromises()
    // The legend follows on the chart's next (throttled) redraw.
    await vi.waitFor(() => expect(chart().attributes('data-legend')).toMatch(/\(2 runs\)\|.*\(1 run\)$/), { timeout: 5000 })
    expect(chart().attributes('data-colors')).toBe(`${RUN_COLORS[0]},${RUN_COLORS[1]}`)
    // Coloured by seed instead: the Adam group mixes seeds 1 and 2 (grey, named in the key); SGD has seed 1's colour.
    await select.setValue('seed')
    await flushPromises()
    expect(chart().attributes('data-colors')).toBe(`${MIXED_GROUP_COLOR},${RUN_COLORS[0]}`)
    expect(chart().attributes('data-dashes')).toBe('solid,solid')
    expect(w.get('[data-testid="compare-color-key"]').text()).toBe('12mixed')

    await select.setValue('run')
    await flushPromises()
    expect(chipColors()).toEqual([RUN_COLORS[0], RUN_COLORS[1], RUN_COLORS[2]])
    w.unmount()
  })
})
