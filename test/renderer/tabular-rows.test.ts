// @vitest-environment jsdom
// A tabular run's "Rows" menu (N rows drawn from a checkpoint, downloaded as CSV) and its
// fidelity report (charts per epoch, the shown epoch per column beside the baseline).
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount } from '@vue/test-utils'
import type { TabularFidelity } from '@shared/tabular-fidelity'
import { setLabApi } from '@renderer/api/current'
import SampleRows from '@renderer/components/SampleRows.vue'
import FidelityReport from '@renderer/components/FidelityReport.vue'
import { FakeLabApi } from './helpers/fake-api'
import { captureDownloads } from './helpers/app'
import { stubCanvasContext } from './helpers/dom'

let api: FakeLabApi
let pinia: Pinia
const downloads = captureDownloads()

beforeEach(() => {
  stubCanvasContext(null)
  pinia = createPinia()
  setActivePinia(pinia)
  api = new FakeLabApi({
    'runs:sample-rows': (req) => ({ filename: `run-${req.id}-epoch-${req.epoch}-${req.rows}-rows.csv`, mime: 'text/csv', content: 'a,b\r\n1,x\r\n', epoch: req.epoch ?? 3, rows: req.rows })
  })
  setLabApi(api)
})

describe('SampleRows', () => {
  it('draws the chosen number of rows from the last checkpoint by default and downloads the CSV', async () => {
    const w = mount(SampleRows, { props: { runId: 5, epochs: [1, 2, 3], seed: 7 }, global: { plugins: [pinia] } })
    await w.get('[data-testid="rows-toggle"]').trigger('click')
    expect((w.get('[data-testid="rows-epoch"]').element as HTMLSelectElement).value).toBe('3')
    await w.get('[data-testid="rows-count"]').setValue('2500')
    await w.get('[data-testid="rows-draw"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:sample-rows')).toEqual([{ id: 5, epoch: 3, rows: 2500 }])
    expect(downloads.clicked).toEqual([{ download: 'run-5-epoch-3-2500-rows.csv' }])
    expect(w.get('[data-testid="rows-result"]').text()).toBe('2500 rows from epoch 3: run-5-epoch-3-2500-rows.csv')
    await w.get('[data-testid="rows-epoch"]').setValue('1')
    await w.get('[data-testid="rows-seed"]').setValue('42')
    await w.get('[data-testid="rows-draw"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:sample-rows').at(-1)).toEqual({ id: 5, epoch: 1, rows: 2500, seed: 42 })
  })

  it('names a bad row count or seed and does not call the lab', async () => {
    const w = mount(SampleRows, { props: { runId: 5, epochs: [1], seed: 7 }, global: { plugins: [pinia] } })
    await w.get('[data-testid="rows-toggle"]').trigger('click')
    await w.get('[data-testid="rows-count"]').setValue('0')
    expect(w.get('[data-testid="rows-problem"]').text()).toBe('Rows: a whole number from 1 to 200000')
    expect(w.get('[data-testid="rows-draw"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="rows-count"]').setValue('10')
    await w.get('[data-testid="rows-seed"]').setValue('x')
    expect(w.get('[data-testid="rows-problem"]').text()).toContain('Seed: a whole number')
    expect(api.requestsTo('runs:sample-rows')).toEqual([])
  })

  it('shows the lab refusal', async () => {
    api.handlers['runs:sample-rows'] = () => {
      throw new Error('Run 5 has no checkpoint for epoch 1')
    }
    const w = mount(SampleRows, { props: { runId: 5, epochs: [1], seed: 7 }, global: { plugins: [pinia] } })
    await w.get('[data-testid="rows-toggle"]').trigger('click')
    await w.get('[data-testid="rows-draw"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="rows-error"]').text()).toBe('Could not draw rows: Run 5 has no checkpoint for epoch 1')
  })
})

function fidelity(meanKs: number): TabularFidelity {
  const figures = (ks: number) => ({
    columns: [
      { name: 'ZN', kind: 'numeric' as const, statistic: 'ks' as const, value: ks * 2 },
      { name: 'town', kind: 'categorical' as const, statistic: 'tv' as const, value: 0.05 }
    ],
    meanKs: ks,
    maxKs: ks * 2,
    meanTv: 0.05,
    correlationRms: 0.1,
    detection: 0.7
  })
  return { realRows: 506, generatedRows: 2000, ...figures(meanKs), baseline: { ...figures(0.2), correlationRms: 0.4, detection: 0.9 } }
}

describe('FidelityReport', () => {
  it('charts each figure per epoch with the baseline dashed beside it, and lists the shown epoch per column', () => {
    const report = [
      { epoch: 1, fidelity: fidelity(0.3) },
      { epoch: 2, fidelity: fidelity(0.1) }
    ]
    const w = mount(FidelityReport, { props: { report, epoch: 1 }, global: { plugins: [pinia] } })
    // Four figures, each a GAN line and a baseline line of two epochs.
    expect(w.get('[data-testid="fidelity-chart"]').attributes('data-lines')).toBe('2,2,2,2,2,2,2,2')
    expect(w.get('[data-testid="detection-chart"]').attributes('data-lines')).toBe('2,2')
    expect(w.get('[data-testid="fidelity-columns"] caption').text()).toBe('Epoch 1: 2000 generated rows against 506 real ones')
    const rows = w.findAll('[data-testid="fidelity-column"]').map((r) => r.findAll('td').map((td) => td.text()))
    expect(rows).toEqual([
      ['ZN', 'KS', '0.600', '0.400'],
      ['town', 'TV', '0.050', '0.050']
    ])
    // A figure worse than the baseline's is marked.
    expect(w.findAll('[data-testid="fidelity-column"]')[0].find('.worse').exists()).toBe(true)
  })

  it("charts TSTR per epoch against TRTR and the baseline, and tables the shown epoch's scores with the metric named", () => {
    const utility = (tstr: number) => ({
      target: 'MEDV',
      task: 'regression' as const,
      metric: 'r2' as const,
      tstr,
      trtr: 0.83,
      baseline: 0.12,
      constant: -0.05,
      trainRows: 405,
      heldOutRows: 101
    })
    const report = [
      { epoch: 1, fidelity: { ...fidelity(0.3), utility: utility(0.2) } },
      { epoch: 2, fidelity: { ...fidelity(0.1), utility: utility(0.61) } }
    ]
    const w = mount(FidelityReport, { props: { report, epoch: 2 }, global: { plugins: [pinia] } })
    expect(w.get('[data-testid="utility-chart"]').attributes('data-lines')).toBe('2,2,2')
    expect(w.get('[data-testid="utility-chart"] canvas').attributes('aria-label')).toBe('Predicting MEDV: R² (higher is better)')
    expect(w.get('[data-testid="utility-table"] caption').text()).toMatch(/^Epoch 2: predicting MEDV from the other columns \(ridge regression\), tested on\s+101 real rows held out of training; higher is better$/)
    expect(w.findAll('[data-testid="utility-table"] th').map((t) => t.text())).toEqual(['trained on', 'R²'])
    expect(w.findAll('[data-testid="utility-row"]').map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['generated rows (TSTR)', '0.610'],
      ['real training rows (TRTR, 405)', '0.830'],
      ["the baseline's independent rows", '0.120'],
      ['none: always the mean', '-0.050']
    ])
    // A classification target adds macro F1; a report without a target shows none of this.
    const cls = { ...utility(0.7), task: 'classification' as const, metric: 'accuracy' as const, macroF1: { tstr: 0.5, trtr: 0.6, baseline: 0.3 } }
    const wc = mount(FidelityReport, { props: { report: [{ epoch: 1, fidelity: { ...fidelity(0.3), utility: cls } }], epoch: 1 }, global: { plugins: [pinia] } })
    expect(wc.findAll('[data-testid="utility-table"] th').map((t) => t.text())).toEqual(['trained on', 'accuracy', 'macro F1'])
    expect(wc.findAll('[data-testid="utility-row"]')[0].findAll('td').map((td) => td.text())).toEqual(['generated rows (TSTR)', '0.700', '0.500'])
    expect(wc.findAll('[data-testid="utility-row"]')[3].findAll('td').map((td) => td.text())).toEqual(['none: always the most common class', '-0.050', '–'])
    const plain = mount(FidelityReport, { props: { report: [{ epoch: 1, fidelity: fidelity(0.3) }], epoch: 1 }, global: { plugins: [pinia] } })
    expect(plain.find('[data-testid="utility-chart"]').exists()).toBe(false)
    expect(plain.find('[data-testid="utility-table"]').exists()).toBe(false)
  })

  it('shows nothing for a run without reports', () => {
    const w = mount(FidelityReport, { props: { report: [], epoch: null }, global: { plugins: [pinia] } })
    expect(w.find('[data-testid="fidelity-report"]').exists()).toBe(false)
  })
})
