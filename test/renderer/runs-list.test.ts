// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import RunsList from '@renderer/components/RunsList.vue'
import { summary } from './helpers/fixtures'

describe('RunsList', () => {
  const runs = [
    summary({ id: 1, name: 'old', createdAt: 100, epochsDone: 5, epochs: 5, status: 'completed' }),
    summary({
      id: 2,
      name: 'new',
      createdAt: 300,
      epochsDone: 2,
      epochs: 10,
      lastMetrics: { dLossReal: 0.6931, dLossFake: 0.5, gLoss: 1.25, dAccReal: 0.5, dAccFake: 0.5, wasserstein: null }
    }),
    summary({ id: 3, name: 'middle', createdAt: 200, status: 'crashed' })
  ]

  it('lists runs newest first with epoch and last losses', () => {
    const w = mount(RunsList, { props: { runs, selectedId: 3 } })
    const rows = w.findAll('[data-testid^="run-row-"]')
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['run-row-2', 'run-row-3', 'run-row-1'])
    const cells = rows[0].findAll('td').map((c) => c.text())
    expect(cells[0]).toBe('new')
    expect(cells[4]).toBe('2/10')
    expect(cells[5]).toBe('0.693\u2009/\u20090.500\u2009/\u20091.25')
    expect(rows[1].classes()).toContain('selected')
    expect(rows[1].text()).toContain('crashed')
  })

  it('emits the id of the row clicked', async () => {
    const w = mount(RunsList, { props: { runs, selectedId: null } })
    await w.get('[data-testid="run-row-1"]').trigger('click')
    expect(w.emitted('select')).toEqual([[1]])
  })
})

describe('RunsList flags and best epoch', () => {
  it('shows a run’s failure flags with their explanations and its best epoch, and nothing for a run without', () => {
    const flagged = summary({
      id: 7,
      evaluation: {
        bestBy: 'fid',
        bestEpoch: 4,
        bestValue: 12,
        flags: [{ kind: 'convergence', epoch: 6, explanation: "D's loss averaged 0.01 while G's loss rose" }]
      }
    })
    const plain = summary({ id: 8 })
    const w = mount(RunsList, { props: { runs: [flagged, plain], selectedId: null } })
    const flags = w.get('[data-testid="run-flags-7"]')
    expect(flags.text()).toContain('Convergence failure')
    expect(flags.attributes('title')).toContain("Convergence failure: D's loss averaged 0.01")
    expect(w.get('[data-testid="run-best-7"]').text()).toBe('★4')
    expect(w.get('[data-testid="run-best-7"]').attributes('title')).toBe('Best epoch by Classifier FID')
    expect(w.find('[data-testid="run-flags-8"]').exists()).toBe(false)
    expect(w.find('[data-testid="run-best-8"]').exists()).toBe(false)
  })
})

describe('RunsList optional columns', () => {
  const runs = [
    summary({ id: 1, name: 'adam run', seed: 11, lr: { d: 0.0002, g: 0.0002 }, tags: ['baseline', 'mnist'] }),
    summary({ id: 2, name: 'sgd run', seed: 12, lr: { d: 0.01, g: 0.001 } }),
    summary({ id: 3, name: 'unreadable config' })
  ]

  it('shows preset and optimizer by default, and seed, learning rates and tags once chosen', () => {
    const plain = mount(RunsList, { props: { runs, selectedId: null } })
    expect(plain.findAll('th').map((t) => t.text())).toEqual(['Name created ▼', 'Preset', 'Optimizer', 'Status', 'Epoch', 'Loss Dr/Df/G'])
    expect(plain.find('[data-testid="run-seed-1"]').exists()).toBe(false)

    const w = mount(RunsList, { props: { runs, selectedId: null, columns: ['seed', 'lr', 'tags'] } })
    expect(w.findAll('th').map((t) => t.text())).toEqual(['Name created ▼', 'Seed', 'LR D/G', 'Tags', 'Status', 'Epoch', 'Loss Dr/Df/G'])
    expect(w.get('[data-testid="run-seed-2"]').text()).toBe('12')
    expect(w.get('[data-testid="run-lr-1"]').text()).toBe('2e-4')
    expect(w.get('[data-testid="run-lr-2"]').text()).toBe('0.01 / 0.001')
    expect(w.get('[data-testid="run-lr-3"]').text()).toBe('—')
    expect(w.get('[data-testid="run-tags-1"]').text()).toBe('baseline, mnist')
    expect(w.get('[data-testid="run-tags-1"]').attributes('title')).toBe('baseline, mnist')
  })

  it('offers and shows a tags column only when some run has tags', async () => {
    const untagged = runs.map((r) => ({ ...r, tags: [] }))
    const w = mount(RunsList, { props: { runs: untagged, selectedId: null, columns: ['tags'] } })
    expect(w.findAll('th').map((t) => t.text())).not.toContain('Tags')
    await w.get('[data-testid="columns-toggle"]').trigger('click')
    expect(w.find('[data-testid="column-tags"]').exists()).toBe(false)
    expect(w.find('[data-testid="column-seed"]').exists()).toBe(true)
  })

  it('lets the column chooser toggle a column, and closes it on Escape', async () => {
    const w = mount(RunsList, { props: { runs, selectedId: null }, attachTo: document.body })
    expect(w.find('[data-testid="columns-panel"]').exists()).toBe(false)
    await w.get('[data-testid="columns-toggle"]').trigger('click')
    expect((w.get('[data-testid="column-optimizer"]').element as HTMLInputElement).checked).toBe(true)
    await w.get('[data-testid="column-seed"]').setValue(true)
    expect(w.emitted('toggleColumn')).toEqual([['seed']])
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await w.vm.$nextTick()
    expect(w.find('[data-testid="columns-panel"]').exists()).toBe(false)
    w.unmount()
  })

  it('shows a run’s full name on hover, and an empty list spans every column shown', () => {
    const long = 'sweep opt · kind=adam · lr=0.0002 · beta1=0.5 · seed=3'
    const w = mount(RunsList, { props: { runs: [summary({ id: 4, name: long })], selectedId: null } })
    expect(w.get('[data-testid="run-row-4"] td.name').attributes('title')?.split('\n')[0]).toBe(long)
    const empty = mount(RunsList, { props: { runs: [], selectedId: null, picked: [], columns: ['seed', 'lr'] } })
    expect(empty.get('.empty td').attributes('colspan')).toBe('7')
  })
})
