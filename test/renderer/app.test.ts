// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import type { WsServerMessage, WsCall } from '@shared/ws-protocol'
import { createWsApi, type SocketLike } from '@renderer/api/client'
import { setLabApi } from '@renderer/api/current'
import App from '@renderer/App.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { detail, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

describe('App', () => {
  it('opens the form when there are no runs, and shows the new run once created', async () => {
    const created = summary({ id: 5, name: 'first', status: 'queued' })
    const api = new FakeLabApi({
      'runs:list': () => [],
      'presets:list': () => [],
      'runs:create': () => created,
      'runs:get': () => detail(created),
      'runs:metrics': () => series(1, 0)
    })
    setLabApi(api)
    const w = mount(App, { global: { plugins: [pinia()] } })
    await flushPromises()
    expect(w.find('[data-testid="new-run-form"]').exists()).toBe(true)
    expect(w.get('[data-testid="connection-status"]').text()).toBe('connected')

    await w.get('[data-testid="new-run-form"]').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid="new-run-form"]').exists()).toBe(false)
    expect(w.get('[data-testid="run-view"]').text()).toContain('first')
    expect(w.find('[data-testid="run-row-5"]').exists()).toBe(true)
  })

  it('shows a dropped lab server connection and resynchronises when it returns', async () => {
    vi.useFakeTimers()
    const sockets: FakeSocket[] = []
    let listed = 0
    class FakeSocket implements SocketLike {
      readyState = 0
      onopen: ((ev: unknown) => void) | null = null
      onclose: ((ev: unknown) => void) | null = null
      onerror: ((ev: unknown) => void) | null = null
      onmessage: ((ev: { data: unknown }) => void) | null = null
      constructor() {
        sockets.push(this)
      }
      send(data: string): void {
        // A tiny lab server: every run list holds one more run than the last.
        const call = JSON.parse(data) as WsCall
        const reply = (result: unknown): void => {
          const msg: WsServerMessage = { kind: 'reply', id: call.id, result: { ok: true, data: result } }
          queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(msg) }))
        }
        if (call.channel === 'runs:list') {
          listed++
          reply(Array.from({ length: listed }, (_, i) => summary({ id: i + 1, createdAt: i })))
        } else reply([])
      }
      close(): void {}
      open(): void {
        this.readyState = 1
        this.onopen?.({})
      }
    }
    const api = createWsApi('ws://lab/ws?token=t', { WebSocket: FakeSocket, initialDelayMs: 50 })
    setLabApi(api)
    const w = mount(App, { global: { plugins: [pinia()] } })
    const status = (): string => w.get('[data-testid="connection-status"]').attributes('data-state') ?? ''
    await nextTick()
    expect(status()).toBe('connecting')

    sockets[0].open()
    await flushPromises()
    expect(status()).toBe('open')
    expect(w.findAll('[data-testid^="run-row-"]')).toHaveLength(1)

    sockets[0].readyState = 3
    sockets[0].onclose?.({})
    await flushPromises()
    expect(status()).toBe('reconnecting')
    expect(w.get('[data-testid="connection-status"]').text()).toContain('disconnected')

    await vi.advanceTimersByTimeAsync(50)
    sockets[1].open()
    await flushPromises()
    expect(status()).toBe('open')
    expect(w.findAll('[data-testid^="run-row-"]')).toHaveLength(2)
    api.close()
  })
})
