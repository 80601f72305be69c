// @vitest-environment jsdom
// Saved configs in the UI: "Save config" writes the run's settings as a file, "Open config…"
// reads one into the new-run form, and a bad file is refused with its name and the reason.
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { serializeConfigFile } from '@shared/config-file'
import { chooseFile, mountApp, useAppTestSetup } from './helpers/app'
import { FakeLabApi } from './helpers/fake-api'
import { config, detail, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

async function mountLab(): Promise<VueWrapper> {
  const run = summary({ id: 7, name: 'adam baseline', status: 'completed', seed: 99 })
  return mountApp(
    pinia(),
    new FakeLabApi({
      'runs:list': () => [run],
      'presets:list': () => [],
      'runs:get': () => detail(run, { config: config({ name: 'adam baseline', seed: 99, batchSize: 32, epochs: 4 }) }),
      'runs:metrics': () => series(1, 0)
    })
  )
}

const choose = (w: VueWrapper, file: File): Promise<void> => chooseFile(w, 'open-config', file)

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
    const w = await mountLab()
    await w.get('[data-testid="run-row-7"]').trigger('click')
    await flushPromises()
    await w.get('[data-testid="save-config"]').trigger('click')
    expect(clicked).toEqual(['adam-baseline.config.json'])
    const saved = JSON.parse(await blobs[0].text()) as { format: string; config: { batchSize: number; seed: number } }
    expect(saved.format).toBe('gan-workbench/run-config')
    expect(saved.config).toMatchObject({ batchSize: 32, seed: 99, epochs: 4 })
  })

  it('"Open config…" fills the new-run form from a saved file', async () => {
    const w = await mountLab()
    const file = new File([serializeConfigFile(config({ name: 'from disk', seed: 31337, batchSize: 16 }))], 'from-disk.config.json')
    await choose(w, file)
    const value = (testid: string): string => (w.get(`[data-testid="${testid}"]`).element as HTMLInputElement).value
    expect(value('field-name')).toBe('from disk')
    expect(value('field-seed')).toBe('31337')
    expect(value('field-batchSize')).toBe('16')
  })

  it('refuses a file that is not a config, naming the file and the fields at fault', async () => {
    const w = await mountLab()
    await choose(w, new File(['{"batchSize": "lots"}'], 'notes.json'))
    const alert = w.get('[data-testid="app-error"]').text()
    expect(alert).toContain('notes.json')
    expect(alert).toContain('batchSize')
    expect(w.find('[data-testid="new-run-form"]').exists()).toBe(false)
  })
})
