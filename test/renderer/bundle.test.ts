// @vitest-environment jsdom
// Run bundles in the UI: "Export ▸ Run bundle" saves the zip the back end builds; "Import run…"
// sends a chosen file's bytes and opens the imported run; a browser refuses a bundle too big
// for the lab server's messages before sending it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import { useConnectionStore } from '@renderer/stores/connection'
import App from '@renderer/App.vue'
import { FakeLabApi } from './helpers/fake-api'
import { stubCanvasContext } from './helpers/dom'
import { detail, series, summary } from './helpers/fixtures'

let pinia: Pinia
let blobs: Blob[]
let saved: string[]
beforeEach(() => {
  stubCanvasContext(null)
  pinia = createPinia()
  setActivePinia(pinia)
  blobs = []
  saved = []
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    blobs.push(b as Blob)
    return 'blob:bundle'
  })
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push(this.download)
  })
})
afterEach(() => {
  setLabApi(null)
  vi.restoreAllMocks()
})

const original = summary({ id: 4, name: 'adam', status: 'completed' })
const imported = summary({ id: 5, name: 'adam', status: 'completed' })

async function mountApp(api: FakeLabApi): Promise<VueWrapper> {
  setLabApi(api)
  const w = mount(App, { global: { plugins: [pinia] } })
  await flushPromises()
  return w
}

function api(): FakeLabApi {
  return new FakeLabApi({
    'runs:list': () => [original],
    'presets:list': () => [],
    'runs:get': ({ id }) => detail(id === 5 ? imported : original),
    'runs:metrics': () => series(1, 0),
    'runs:export-bundle': () => ({ filename: 'run-4-adam.gwbundle.zip', mime: 'application/zip', base64: btoa('PK\x03\x04zip'), bytes: 7 }),
    'runs:import-bundle': () => ({ run: imported, warnings: ['The run was running when it was exported; it is imported as stopped.'] })
  })
}

async function choose(w: VueWrapper, bytes: Uint8Array<ArrayBuffer>, name: string): Promise<void> {
  const input = w.get('[data-testid="import-bundle"]')
  Object.defineProperty(input.element, 'files', { value: [new File([bytes], name)], configurable: true })
  await input.trigger('change')
  await flushPromises()
}

describe('run bundles in the UI', () => {
  it('exports the selected run as a zip with its last checkpoint', async () => {
    const fake = api()
    const w = await mountApp(fake)
    await w.get('[data-testid="run-row-4"]').trigger('click')
    await flushPromises()
    await w.get('[data-testid="export-metrics"]').trigger('click')
    await w.get('[data-testid="export-bundle"]').trigger('click')
    await flushPromises()
    expect(fake.requestsTo('runs:export-bundle')).toEqual([{ id: 4, checkpoints: 'last' }])
    expect(saved).toEqual(['run-4-adam.gwbundle.zip'])
    expect(new TextDecoder('latin1').decode(await blobs[0].arrayBuffer())).toBe('PK\x03\x04zip')
  })

  it('imports a chosen bundle, opens the new run and shows the warnings', async () => {
    const fake = api()
    const w = await mountApp(fake)
    const bytes = new Uint8Array([80, 75, 3, 4, 0, 255, 128])
    await choose(w, bytes, 'from-colleague.gwbundle.zip')
    expect(fake.requestsTo('runs:import-bundle')).toEqual([{ base64: btoa(String.fromCharCode(...bytes)) }])
    expect(w.find('[data-testid="run-view"]').exists()).toBe(true)
    expect(w.get('[data-testid="app-error"]').text()).toContain('imported as stopped')
  })

  it('through the lab server, refuses a bundle over the message limit before sending it', async () => {
    const fake = api()
    const w = await mountApp(fake)
    useConnectionStore().transport = 'websocket'
    await choose(w, new Uint8Array(800 * 1024), 'big.gwbundle.zip')
    expect(fake.requestsTo('runs:import-bundle')).toEqual([])
    expect(w.get('[data-testid="app-error"]').text()).toMatch(/big.gwbundle.zip is 800 KiB.*npm run cli -- import-bundle/)
  })
})
