// The set-up most renderer tests share: a fresh Pinia and no canvas per test, the LabApi
// reset after it, and mounting the whole App against a FakeLabApi; for tests of one component,
// a fresh Pinia with a FakeLabApi per test, and downloads captured.
import { afterEach, beforeEach, vi } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { stubCanvasContext } from './dom'
import { FakeLabApi, type FakeHandlers } from './fake-api'

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

type MountOptions = NonNullable<Parameters<typeof mount>[1]>

/** The per-test lab of a component test: a fresh Pinia and a FakeLabApi set as the LabApi. */
export interface FakeLab {
  readonly api: FakeLabApi
  readonly pinia: Pinia
  /** `mount` with the test's Pinia installed. */
  readonly mount: typeof mount
  /** Gives the test's api these handlers instead; returns it. */
  serve(handlers: FakeHandlers): FakeLabApi
}

/**
 * Registers, per test, a fresh Pinia and a FakeLabApi built from `handlers` (called anew for
 * each test, so tests can change them), and resets the LabApi and every mock after it.
 */
export function useFakeLab(handlers: () => FakeHandlers = () => ({})): FakeLab {
  let api: FakeLabApi
  let pinia: Pinia
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    api = new FakeLabApi(handlers())
    setLabApi(api)
  })
  afterEach(() => {
    setLabApi(null)
    vi.restoreAllMocks()
  })
  // mount's overloads tie options to the component's props; this only adds the Pinia, so it
  // takes them as they come and is typed as mount itself for callers.
  const mountWithPinia = ((component: never, options: MountOptions = {}) =>
    mount(component, { ...options, global: { ...options.global, plugins: [...(options.global?.plugins ?? []), pinia] } } as never)) as unknown as typeof mount
  return {
    get api() {
      return api
    },
    get pinia() {
      return pinia
    },
    mount: mountWithPinia,
    serve(h) {
      api.handlers = h
      return api
    }
  }
}

/** What a test's page saved: the blobs made into object URLs and the download names of the links clicked. */
export interface Downloads {
  blobs: Blob[]
  clicked: { download: string }[]
}

/** Registers, per test, stand-ins for object URLs and link clicks that record downloads instead (emptied before each test). */
export function captureDownloads(): Downloads {
  const got: Downloads = { blobs: [], clicked: [] }
  beforeEach(() => {
    got.blobs.length = 0
    got.clicked.length = 0
    URL.createObjectURL = vi.fn((b: Blob) => {
      got.blobs.push(b)
      return `blob:test/${got.blobs.length}`
    })
    URL.revokeObjectURL = vi.fn()
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      got.clicked.push({ download: this.download })
    })
  })
  return got
}
