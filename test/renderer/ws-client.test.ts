// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WsCall, WsServerMessage } from '@shared/ws-protocol'
import { LabError } from '@shared/errors'
import { ConnectionLostError, createWsApi, type ConnectionInfo, type SocketLike } from '@renderer/api/client'
import { summary } from './helpers/fixtures'

class FakeWebSocket implements SocketLike {
  static instances: FakeWebSocket[] = []
  readyState = 0
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  readonly sent: WsCall[] = []

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send before open')
    this.sent.push(JSON.parse(data) as WsCall)
  }

  close(): void {
    this.drop()
  }

  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }

  drop(): void {
    this.readyState = 3
    this.onerror?.({})
    this.onclose?.({})
  }

  receive(msg: WsServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }
}

const WS_URL = 'ws://127.0.0.1:7777/ws?token=t'

function latest(): FakeWebSocket {
  return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]
}

beforeEach(() => {
  FakeWebSocket.instances = []
})

afterEach(() => {
  vi.useRealTimers()
})

describe('WebSocket client', () => {
  it('queues calls until the socket opens, then sends them in order', async () => {
    const api = createWsApi(WS_URL, { WebSocket: FakeWebSocket })
    const ws = latest()
    expect(ws.url).toBe(WS_URL)
    const list = api.call('runs:list', undefined)
    const get = api.call('runs:get', { id: 2 })
    expect(ws.sent).toEqual([])
    expect(api.connection().state).toBe('connecting')

    ws.open()
    expect(ws.sent.map((c) => [c.channel, c.req])).toEqual([
      ['runs:list', undefined],
      ['runs:get', { id: 2 }]
    ])
    ws.receive({ kind: 'reply', id: ws.sent[0].id, result: { ok: true, data: [] } })
    await expect(list).resolves.toEqual([])
    api.close()
    await expect(get).rejects.toBeInstanceOf(ConnectionLostError)
  })

  it('matches replies to calls by id, whatever their order', async () => {
    const api = createWsApi(WS_URL, { WebSocket: FakeWebSocket })
    const ws = latest()
    ws.open()
    const a = api.call('runs:get', { id: 1 })
    const b = api.call('runs:get', { id: 2 })
    const [callA, callB] = ws.sent
    expect(callA.id).not.toBe(callB.id)
    ws.receive({ kind: 'reply', id: callB.id, result: { ok: true, data: { summary: summary({ id: 2 }) } } })
    ws.receive({ kind: 'reply', id: callA.id, result: { ok: true, data: { summary: summary({ id: 1 }) } } })
    expect((await a).summary.id).toBe(1)
    expect((await b).summary.id).toBe(2)
    api.close()
  })

  it('turns an error reply into a LabError', async () => {
    const api = createWsApi(WS_URL, { WebSocket: FakeWebSocket })
    const ws = latest()
    ws.open()
    const call = api.call('runs:stop', { id: 9 })
    ws.receive({ kind: 'reply', id: ws.sent[0].id, result: { ok: false, error: { code: 'NOT_FOUND', message: 'No run 9' } } })
    const err = await call.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).code).toBe('NOT_FOUND')
    api.close()
  })

  it('dispatches events to the listeners of that event only', () => {
    const api = createWsApi(WS_URL, { WebSocket: FakeWebSocket })
    const ws = latest()
    ws.open()
    const changed: number[] = []
    const deleted: number[] = []
    const off = api.on('runs:changed', (s) => changed.push(s.id))
    api.on('runs:deleted', ({ id }) => deleted.push(id))
    ws.receive({ kind: 'event', event: 'runs:changed', payload: summary({ id: 5 }) })
    ws.receive({ kind: 'event', event: 'runs:deleted', payload: { id: 6 } })
    off()
    ws.receive({ kind: 'event', event: 'runs:changed', payload: summary({ id: 7 }) })
    expect(changed).toEqual([5])
    expect(deleted).toEqual([6])
    api.close()
  })

  it('reconnects with growing delays, failing calls that were in flight and resending queued ones', async () => {
    vi.useFakeTimers()
    const api = createWsApi(WS_URL, { WebSocket: FakeWebSocket, initialDelayMs: 100, maxDelayMs: 1000 })
    const states: ConnectionInfo['state'][] = []
    api.onConnectionChange((info) => states.push(info.state))
    const first = latest()
    first.open()
    const lost = api.call('runs:list', undefined)
    first.drop()
    await expect(lost).rejects.toBeInstanceOf(ConnectionLostError)
    expect(api.connection()).toMatchObject({ state: 'reconnecting', attempt: 1 })

    const queued = api.call('runs:list', undefined)
    vi.advanceTimersByTime(99)
    expect(FakeWebSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(2)

    latest().drop() // the second attempt fails too: the next wait doubles
    expect(api.connection().attempt).toBe(2)
    vi.advanceTimersByTime(199)
    expect(FakeWebSocket.instances).toHaveLength(2)
    vi.advanceTimersByTime(1)
    const third = latest()
    expect(FakeWebSocket.instances).toHaveLength(3)

    third.open()
    expect(third.sent).toHaveLength(1)
    third.receive({ kind: 'reply', id: third.sent[0].id, result: { ok: true, data: [] } })
    await expect(queued).resolves.toEqual([])
    expect(states).toEqual(['open', 'reconnecting', 'reconnecting', 'open'])
    expect(api.connection().attempt).toBe(0)
    api.close()
  })

  it('stops reconnecting once closed', () => {
    vi.useFakeTimers()
    const api = createWsApi(WS_URL, { WebSocket: FakeWebSocket, initialDelayMs: 10 })
    latest().drop()
    api.close()
    vi.advanceTimersByTime(10_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })
})
