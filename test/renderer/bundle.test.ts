// @vitest-environment jsdom
// Run bundles in the UI: "Export ▸ Run bundle" saves the zip the back end builds; "Import run…"
// sends a chosen file's bytes and opens the imported run; a browser refuses a bundle too big
// for the lab server's messages before sending it.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { useConnectionStore } from '@renderer/stores/connection'
import { chooseFile, mountApp as mountWith, useAppTestSetup } from './helpers/app'
import { FakeLabApi } from './helpers/fake-api'
import { detail, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()
let blobs: Blob[]
let saved: string[]
beforeEach(() => {
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

const original = summary({ id: 4, name: 'adam', status: 'completed' })
const imported = summary({ id: 5, name: 'adam', status: 'completed' })

const mountApp = (api: FakeLabApi): Promise<VueWrapper> => mountWith(pinia(), api)

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

const choose = (w: VueWrapper, bytes: Uint8Array<ArrayBuffer>, name: string): Promise<void> => chooseFile(w, 'import-bundle', new File([bytes], name))

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
