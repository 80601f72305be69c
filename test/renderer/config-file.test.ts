// @vitest-environment jsdom
// Saved configs in the UI: "Save config" writes the run's settings as a file, "Open config…"
// reads one into the new-run form, and a bad file is refused with its name and the reason.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { serializeConfigFile } from '@shared/config-file'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { FakeLabApi } from './helpers/fake-api'
import { stubCanvasContext } from './helpers/dom'
import { config, detail, series, summary } from './helpers/fixtures'

let pinia: Pinia
beforeEach(() => {
  stubCanvasContext(null)
  pinia = createPinia()
  setActivePinia(pinia)
})
afterEach(() => {
  setLabApi(null)
  vi.restoreAllMocks()
})

async function mountApp(): Promise<VueWrapper> {
  const run = summary({ id: 7, name: 'adam baseline', status: 'completed', seed: 99 })
  setLabApi(
    new FakeLabApi({
      'runs:list': () => [run],
      'presets:list': () => [],
      'runs:get': () => detail(run, { config: config({ name: 'adam baseline', seed: 99, batchSize: 32, epochs: 4 }) }),
      'runs:metrics': () => series(1, 0)
    })
  )
  const w = mount(App, { global: { plugins: [pinia] } })
  await flushPromises()
  return w
}

async function choose(w: VueWrapper, file: File): Promise<void> {
  const input = w.get('[data-testid="open-config"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
}

describe('saved config files in the UI', () => {
  it('"Save config" downloads the run settings as a config file', async () => {
    const blobs: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob)
      return 'blob:config'
    })
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    const w = await mountApp()
    await w.get('[data-testid="run-row-7"]').trigger('click')
    await flushPromises()
    await w.get('[data-testid="save-config"]').trigger('click')
    expect(clicked).toEqual(['adam-baseline.config.json'])
    const saved = JSON.parse(await blobs[0].text()) as { format: string; config: { batchSize: number; seed: number } }
    expect(saved.format).toBe('gan-workbench/run-config')
    expect(saved.config).toMatchObject({ batchSize: 32, seed: 99, epochs: 4 })
  })

  it('"Open config…" fills the new-run form from a saved file', async () => {
    const w = await mountApp()
    const file = new File([serializeConfigFile(config({ name: 'from disk', seed: 31337, batchSize: 16 }))], 'from-disk.config.json')
    await choose(w, file)
    const value = (testid: string): string => (w.get(`[data-testid="${testid}"]`).element as HTMLInputElement).value
    expect(value('field-name')).toBe('from disk')
    expect(value('field-seed')).toBe('31337')
    expect(value('field-batchSize')).toBe('16')
  })

  it('refuses a file that is not a config, naming the file and the fields at fault', async () => {
    const w = await mountApp()
    await choose(w, new File(['{"batchSize": "lots"}'], 'notes.json'))
    const alert = w.get('[data-testid="app-error"]').text()
    expect(alert).toContain('notes.json')
    expect(alert).toContain('batchSize')
    expect(w.find('[data-testid="new-run-form"]').exists()).toBe(false)
  })
})
