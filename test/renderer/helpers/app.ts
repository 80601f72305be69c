// The set-up every renderer test shares: a clean page per test (no saved settings, the URL at
// /, no canvas context) with a fresh Pinia, and after it no LabApi, spies or fake timers left;
// mounting the whole App against a FakeLabApi; for tests of one component, the same with a
// FakeLabApi per test, and downloads captured.
import { afterEach, beforeEach, expect, vi } from 'vitest'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { stubCanvasContext } from './dom'
import { FakeLabApi, untakenRefusals, type FakeHandlers } from './fake-api'

/**
 * Registers the per-test set-up: before each test the page is clean (localStorage empty, the
 * URL '/', getContext answering null: jsdom cannot draw) and a fresh Pinia is active; after it
 * the LabApi is unset, spies and timers are restored, and the test fails if a FakeLabApi refused
 * a request the test did not take (FakeLabApi.takeRefused). Returns the current test's Pinia.
 */
export function useAppTestSetup(): () => Pinia {
  let pinia: Pinia
  beforeEach(() => {
    localStorage.clear()
    history.replaceState(null, '', '/')
    stubCanvasContext(null)
    pinia = createPinia()
    setActivePinia(pinia)
  })
  afterEach(() => {
    setLabApi(null)
    vi.restoreAllMocks()
    vi.useRealTimers()
    expect(untakenRefusals(), 'requests the back end would refuse (a test that means to send one takes it: api.takeRefused())').toEqual([])
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
 * Registers useAppTestSetup and, per test, a FakeLabApi built from `handlers` (called anew for
 * each test, so tests can change them) as the LabApi.
 */
export function useFakeLab(handlers: () => FakeHandlers = () => ({})): FakeLab {
  const currentPinia = useAppTestSetup()
  let api: FakeLabApi
  beforeEach(() => {
    api = new FakeLabApi(handlers())
    setLabApi(api)
  })
  // mount's overloads tie options to the component's props; this only adds the Pinia, so it
  // takes them as they come and is typed as mount itself for callers.
  const mountWithPinia = ((component: never, options: MountOptions = {}) =>
    mount(component, { ...options, global: { ...options.global, plugins: [...(options.global?.plugins ?? []), currentPinia()] } } as never)) as unknown as typeof mount
  return {
    get api() {
      return api
    },
    get pinia() {
      return currentPinia()
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
