// What ships is what counts: these checks run on the built bundles in out/ (test:e2e builds
// first), the files Electron will load, not on the sources.
import { readFileSync } from 'node:fs'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { CHANNELS, EVENT_NAMES, type LabBridge } from '@shared/channels'
import { built, requireGraph } from '../helpers/built'

/** The modules Electron gives a sandboxed preload (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts). */
const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url'])

describe('the built preload, loaded as a sandboxed renderer loads it', () => {
  it('requires nothing but what a sandbox gives, exposes labBridge, and round-trips a call and an event', async () => {
    const code = readFileSync(built('preload/index.js'), 'utf8')
    const exposed = new Map<string, unknown>()
    const invoked: { channel: string; req: unknown }[] = []
    const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>()
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: {
        invoke: async (channel: string, req: unknown) => {
          invoked.push({ channel, req })
          return { ok: true, data: { echoed: req } }
        },
        on: (event: string, listener: (event: unknown, payload: unknown) => void) => {
          if (!listeners.has(event)) listeners.set(event, new Set())
          listeners.get(event)!.add(listener)
        },
        removeListener: (event: string, listener: (event: unknown, payload: unknown) => void) => listeners.get(event)?.delete(listener)
      }
    }
    const required: string[] = []
    const sandboxRequire = (name: string): unknown => {
      required.push(name)
      if (!SANDBOX_MODULES.has(name)) throw new Error(`module not found: ${name} (a sandboxed preload may require only ${[...SANDBOX_MODULES].join(', ')})`)
      if (name === 'electron') return fakeElectron
      return {}
    }
    const module = { exports: {} }
    runInNewContext(`(function (exports, require, module) {${code}\n})`, { console }, { filename: 'out/preload/index.js' })(module.exports, sandboxRequire, module)

    expect(required.every((name) => SANDBOX_MODULES.has(name))).toBe(true)
    expect([...exposed.keys()]).toEqual(['labBridge'])
    const bridge = exposed.get('labBridge') as LabBridge

    await expect(bridge.invoke('runs:get', { id: 3 })).resolves.toEqual({ ok: true, data: { echoed: { id: 3 } } })
    expect(invoked).toEqual([{ channel: 'runs:get', req: { id: 3 } }])
    const refused = await bridge.invoke('fs:read' as never, { path: '/etc/passwd' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } })
    expect(invoked).toHaveLength(1)

    const received: unknown[] = []
    const off = bridge.on('runs:changed', (payload) => received.push(payload))
    for (const listener of listeners.get('runs:changed') ?? []) listener({ sender: 'main' }, { id: 3, status: 'running' })
    expect(received).toEqual([{ id: 3, status: 'running' }])
    off()
    expect(listeners.get('runs:changed')?.size).toBe(0)
    expect(() => bridge.on('ipc:anything' as never, () => undefined)).toThrow(/Unknown event/)
    // Every channel and event of the contract passes the bridge's own lists.
    expect(CHANNELS.length).toBeGreaterThan(30)
    expect(EVENT_NAMES).toContain('trainer:progress')
  })
})

describe('the built main process', () => {
  it('loads no tfjs and no worker threads: training and rendering live in trainer processes', () => {
    const graph = requireGraph(built('main/index.js'))
    const offending = [...graph].filter(([name]) => name.startsWith('@tensorflow/') || name === 'worker_threads' || name === 'node:worker_threads')
    expect(offending).toEqual([])
    expect(graph.has('electron')).toBe(true)
    expect(graph.has('better-sqlite3')).toBe(true)
  })

  it('builds a trainer entry that loads tfjs and never Electron', () => {
    const graph = requireGraph(built('main/trainer.js'))
    expect(graph.has('@tensorflow/tfjs')).toBe(true)
    expect(graph.has('electron')).toBe(false)
  })
})
