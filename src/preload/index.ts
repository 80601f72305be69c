// Exposes the LabApi transport to the renderer as window.labBridge: two functions over a
// fixed list of channels, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron'
import { CHANNELS, EVENT_NAMES, type LabBridge } from '@shared/channels'
import type { Result } from '@shared/errors'

const channels = new Set<string>(CHANNELS)
const events = new Set<string>(EVENT_NAMES)

const bridge: LabBridge = {
  async invoke(channel, req) {
    if (!channels.has(channel)) {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${String(channel)}` } }
    }
    return (await ipcRenderer.invoke(channel, req)) as Result<unknown>
  },
  on(event, listener) {
    if (!events.has(event)) throw new Error(`Unknown event ${String(event)}`)
    const wrapped = (_e: unknown, payload: unknown): void => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => {
      ipcRenderer.removeListener(event, wrapped)
    }
  }
}

contextBridge.exposeInMainWorld('labBridge', bridge)
