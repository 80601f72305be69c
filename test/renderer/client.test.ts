// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import type { Channel, EventName, LabBridge } from '@shared/api'
import { LabError, type Result } from '@shared/errors'
import { createIpcApi, unwrapResult, wsUrlFor } from '@renderer/api/client'
import { summary } from './helpers/fixtures'

function fakeBridge(reply: (channel: Channel, req: unknown) => Result<unknown>): LabBridge & {
  fire(event: EventName, payload: unknown): void
} {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  return {
    invoke: vi.fn(async (channel: Channel, req: unknown) => reply(channel, req)),
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)!.delete(listener)
    },
    fire(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload)
    }
  }
}

describe('IPC client', () => {
  it('returns the data of an ok result and passes the request through', async () => {
    const run = summary({ id: 3 })
    const bridge = fakeBridge(() => ({ ok: true, data: run }))
    const api = createIpcApi(bridge)
    await expect(api.call('runs:get', { id: 3 })).resolves.toEqual(run)
    expect(bridge.invoke).toHaveBeenCalledWith('runs:get', { id: 3 })
  })

  it('throws a LabError with the code and field issues of an error result', async () => {
    const issues = [{ field: 'optimizerD.lr', message: 'must be greater than 0' }]
    const api = createIpcApi(fakeBridge(() => ({ ok: false, error: { code: 'INVALID_CONFIG', message: 'Invalid config', issues } })))
    const err = await api.call('runs:list', undefined).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).code).toBe('INVALID_CONFIG')
    expect((err as LabError).message).toBe('Invalid config')
    expect((err as LabError).issues).toEqual(issues)
  })

  it('refuses a reply that is not a Result', () => {
    expect(() => unwrapResult(null as unknown as Result<unknown>, 'runs:list')).toThrow(/Malformed reply to runs:list/)
    expect(() => unwrapResult({ ok: false } as unknown as Result<unknown>, 'runs:list')).toThrow(LabError)
  })

  it('forwards events and stops after unsubscribe', () => {
    const bridge = fakeBridge(() => ({ ok: true, data: null }))
    const api = createIpcApi(bridge)
    const seen: number[] = []
    const off = api.on('runs:deleted', ({ id }) => seen.push(id))
    bridge.fire('runs:deleted', { id: 4 })
    off()
    bridge.fire('runs:deleted', { id: 5 })
    expect(seen).toEqual([4])
    expect(api.connection().state).toBe('local')
  })
})

describe('wsUrlFor', () => {
  it('connects to /ws on the same host with the page token', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:7777', search: '?token=a+b/c' })).toBe('ws://127.0.0.1:7777/ws?token=a%20b%2Fc')
    expect(wsUrlFor({ protocol: 'https:', host: 'lab.example:443', search: '?token=t' })).toBe('wss://lab.example:443/ws?token=t')
  })
})
