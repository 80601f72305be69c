import { describe, expect, it, vi } from 'vitest'
import { CHANNELS, type LabHandlers } from '@shared/api'
import { PRESETS } from '@shared/config'
import { dispatch } from '../../src/main/services/dispatch'

function handlers(): LabHandlers {
  const fail = () => {
    throw new Error('not in this test')
  }
  // Every channel fails unless a test says otherwise, so new channels need no edit here.
  const all = Object.fromEntries(CHANNELS.map((c) => [c, fail])) as unknown as LabHandlers
  return {
    ...all,
    'app:info': () => ({ version: '1', dataDir: '/d', transport: 'ipc' }),
    'presets:list': () => [],
    'runs:list': () => [],
    'runs:create': vi.fn(fail)
  }
}

describe('dispatch', () => {
  it('runs a valid call and wraps the answer', async () => {
    expect(await dispatch(handlers(), 'app:info', undefined)).toEqual({ ok: true, data: { version: '1', dataDir: '/d', transport: 'ipc' } })
  })

  it('refuses an invalid config with the field at fault, without calling the handler', async () => {
    const h = handlers()
    const config = { ...PRESETS['mnist-mlp'].defaults, name: 'a', seed: 1, batchSize: 0 }
    const r = await dispatch(h, 'runs:create', { config })
    expect(r).toEqual({
      ok: false,
      error: { code: 'INVALID_CONFIG', message: 'Invalid runs:create request: batchSize: must be at least 1', issues: [{ field: 'batchSize', message: 'must be at least 1' }] }
    })
    expect(h['runs:create']).not.toHaveBeenCalled()
  })

  it('refuses unknown channels, wrong types and unknown fields', async () => {
    expect(await dispatch(handlers(), 'fs:read', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } })
    expect(await dispatch(handlers(), 'runs:get', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    expect(await dispatch(handlers(), 'runs:get', { id: 1, extra: true })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringContaining('unknown field extra') } })
  })

  it('turns a thrown error into an error result: a readable message for the client, the error itself in the log', async () => {
    const logged: string[] = []
    const result = await dispatch(handlers(), 'runs:get', { id: 1 }, (line) => logged.push(line))
    expect(result).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringMatching(/^runs:get failed: something unexpected went wrong in the lab\. The lab's log has the details under reference [0-9a-f]{8}\.$/) as unknown }
    })
    expect(logged).toEqual([expect.stringMatching(/^Internal error [0-9a-f]{8} while handling runs:get: Error: not in this test/)])
  })
})
