// @vitest-environment jsdom
// The run view's "Export metrics" menu: asks the back end for the file and saves it via a Blob link.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import { useRunsStore } from '@renderer/stores/runs'
import RunView from '@renderer/views/RunView.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { detail, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()
let blobs: Blob[]
let clicked: { href: string; download: string }[]

beforeEach(() => {
  blobs = []
  clicked = []
  URL.createObjectURL = vi.fn((b: Blob) => {
    blobs.push(b)
    return `blob:test/${blobs.length}`
  })
  URL.revokeObjectURL = vi.fn()
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push({ href: this.href, download: this.download })
  })
})

describe('RunView export metrics', () => {
  it('downloads CSV or JSON from runs:export-metrics through a Blob link', async () => {
    const run = summary({ id: 9, name: 'export me', status: 'completed' })
    const api = new FakeLabApi({
      'runs:list': () => [run],
      'runs:get': () => detail(run),
      'runs:metrics': () => series(1, 0),
      'runs:export-metrics': ({ format }) =>
        format === 'csv'
          ? { filename: 'run-9-metrics.csv', mime: 'text/csv', content: 'run_id,run_name\r\n9,export me\r\n' }
          : { filename: 'run-9-metrics.json', mime: 'application/json', content: '[]' }
    })
    setLabApi(api)
    await useRunsStore().start()
    await useRunsStore().select(9)
    const w = mount(RunView, { global: { plugins: [pinia()] } })
    await flushPromises()

    expect(w.find('[data-testid="export-csv"]').exists()).toBe(false)
    await w.get('[data-testid="export-metrics"]').trigger('click')
    await w.get('[data-testid="export-csv"]').trigger('click')
    await flushPromises()
    expect(api.requestsTo('runs:export-metrics')).toEqual([{ ids: [9], format: 'csv' }])
    expect(clicked).toEqual([{ href: 'blob:test/1', download: 'run-9-metrics.csv' }])
    expect(blobs[0].type).toBe('text/csv')
    expect(await blobs[0].text()).toBe('run_id,run_name\r\n9,export me\r\n')
    expect(w.find('[data-testid="export-csv"]').exists()).toBe(false)

    await w.get('[data-testid="export-metrics"]').trigger('click')
    await w.get('[data-testid="export-json"]').trigger('click')
    await flushPromises()
    expect(clicked[1]).toEqual({ href: 'blob:test/2', download: 'run-9-metrics.json' })
    expect(blobs[1].type).toBe('application/json')
    w.unmount()
  })

  it('shows a refused export as an error and downloads nothing', async () => {
    const run = summary({ id: 9, status: 'completed' })
    setLabApi(
      new FakeLabApi({
        'runs:list': () => [run],
        'runs:get': () => detail(run),
        'runs:metrics': () => series(1, 0),
        'runs:export-metrics': () => {
          throw new Error('There is no run 9')
        }
      })
    )
    await useRunsStore().start()
    await useRunsStore().select(9)
    const w = mount(RunView, { global: { plugins: [pinia()] } })
    await flushPromises()
    await w.get('[data-testid="export-metrics"]').trigger('click')
    await w.get('[data-testid="export-json"]').trigger('click')
    await flushPromises()
    expect(useRunsStore().error).toBe('Could not export metrics: There is no run 9')
    expect(clicked).toEqual([])
    w.unmount()
  })
})
