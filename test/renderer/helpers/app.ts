// The set-up most renderer tests share: a fresh Pinia and no canvas per test, the LabApi
// reset after it, and mounting the whole App against a FakeLabApi.
import { afterEach, beforeEach, vi } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { stubCanvasContext } from './dom'
import type { FakeLabApi } from './fake-api'

/** Registers the per-test set-up; returns the current test's Pinia. */
export function useAppTestSetup(): () => Pinia {
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
  return () => pinia
}

/** Mounts the App on `api` and lets its first loads settle. */
export async function mountApp(pinia: Pinia, api: FakeLabApi, options: { attach?: boolean } = {}): Promise<VueWrapper> {
  setLabApi(api)
  const w = mount(App, { global: { plugins: [pinia] }, ...(options.attach ? { attachTo: document.body } : {}) })
  await flushPromises()
  return w
}

/** Chooses `file` in the file input with `testid`, as a user picking it in the dialog would. */
export async function chooseFile(w: VueWrapper, testid: string, file: File): Promise<void> {
  const input = w.get(`[data-testid="${testid}"]`)
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
}
