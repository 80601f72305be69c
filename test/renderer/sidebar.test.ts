// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises, mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import SidebarResizer from '@renderer/components/SidebarResizer.vue'
import { clampSidebarWidth, defaultSidebarWidth, SIDEBAR_MAX, SIDEBAR_MIN, useSidebarStore } from '@renderer/stores/sidebar'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

describe('sidebar width', () => {
  it('takes at most ~30% of a 1024 px window by default and stays within its bounds', () => {
    expect(window.innerWidth).toBe(1024)
    expect(defaultSidebarWidth(1024)).toBeLessThanOrEqual(Math.round(1024 * 0.3))
    expect(defaultSidebarWidth(1024)).toBeGreaterThanOrEqual(SIDEBAR_MIN)
    expect(clampSidebarWidth(10, 1024)).toBe(SIDEBAR_MIN)
    expect(clampSidebarWidth(5000, 1024)).toBe(Math.round(1024 * 0.8))
    expect(clampSidebarWidth(5000, 3000)).toBe(SIDEBAR_MAX)
    expect(useSidebarStore().width).toBe(defaultSidebarWidth(1024))
  })

  it('remembers the width and the columns in localStorage, and ignores a stored value out of bounds', async () => {
    const store = useSidebarStore()
    store.setWidth(480)
    store.toggleColumn('seed')
    store.toggleColumn('preset')
    await nextTick()
    setActivePinia(createPinia())
    const again = useSidebarStore()
    expect(again.width).toBe(480)
    expect(again.columns).toEqual(['optimizer', 'seed'])

    localStorage.setItem('gw.sidebar.width', '99999')
    localStorage.setItem('gw.sidebar.columns', '{"not":"a list"}')
    setActivePinia(createPinia())
    const clamped = useSidebarStore()
    expect(clamped.width).toBe(clampSidebarWidth(99999, 1024))
    expect(clamped.columns).toEqual(['preset', 'optimizer'])
  })
})

describe('SidebarResizer', () => {
  it('moves with the arrow keys (Shift for bigger steps) and jumps to its bounds with Home and End', async () => {
    const w = mount(SidebarResizer, { props: { width: 400, min: 300, max: 800 } })
    const handle = w.get('[data-testid="sidebar-resizer"]')
    expect(handle.attributes()).toMatchObject({ role: 'separator', tabindex: '0', 'aria-valuenow': '400', 'aria-valuemin': '300', 'aria-valuemax': '800' })
    await handle.trigger('keydown', { key: 'ArrowRight' })
    await handle.trigger('keydown', { key: 'ArrowLeft', shiftKey: true })
    await handle.trigger('keydown', { key: 'Home' })
    await handle.trigger('keydown', { key: 'End' })
    await handle.trigger('keydown', { key: 'a' })
    expect(w.emitted('resize')).toEqual([[416], [336], [300], [800]])
    await handle.trigger('dblclick')
    expect(w.emitted('reset')).toHaveLength(1)
  })

  it('follows a pointer dragged from its edge until the button is released', async () => {
    const w = mount(SidebarResizer, { props: { width: 400, min: 300, max: 800 } })
    await w.get('[data-testid="sidebar-resizer"]').trigger('pointerdown', { button: 0, clientX: 400 })
    window.dispatchEvent(new MouseEvent('pointermove', { clientX: 470 }))
    window.dispatchEvent(new MouseEvent('pointermove', { clientX: 380 }))
    window.dispatchEvent(new MouseEvent('pointerup', { clientX: 380 }))
    window.dispatchEvent(new MouseEvent('pointermove', { clientX: 900 }))
    expect(w.emitted('resize')).toEqual([[470], [380]])
  })
})

describe('App sidebar', () => {
  it('lays the sidebar out at the stored width and resizes it from the keyboard, bounded', async () => {
    localStorage.setItem('gw.sidebar.width', '420')
    setLabApi(new FakeLabApi({ 'runs:list': () => [summary({ id: 1, name: 'sweep opt · kind=adam · lr=0.0002 · seed=3' })], 'presets:list': () => [] }))
    const w = mount(App, { global: { plugins: [pinia()] }, attachTo: document.body })
    await flushPromises()
    const body = w.get('.body')
    expect(body.attributes('style')).toContain('--sidebar-width: 420px')
    const handle = w.get('[data-testid="sidebar-resizer"]')
    await handle.trigger('keydown', { key: 'ArrowRight', shiftKey: true })
    expect(body.attributes('style')).toContain('--sidebar-width: 484px')
    expect(localStorage.getItem('gw.sidebar.width')).toBe('484')
    await handle.trigger('keydown', { key: 'Home' })
    expect(body.attributes('style')).toContain(`--sidebar-width: ${SIDEBAR_MIN}px`)
    const name = w.get('[data-testid="run-row-1"] td.name')
    expect(name.attributes('title')).toMatch(/^sweep opt · kind=adam · lr=0\.0002 · seed=3\n#1, created /)
    w.unmount()
  })
})
