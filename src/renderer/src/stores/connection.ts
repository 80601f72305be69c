// Whether the back end is reachable. IPC is always local; the WebSocket can drop, and when it
// comes back the runs are resynchronised, since events sent meanwhile were lost.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { isLabClient, type ConnectionInfo } from '@renderer/api/client'
import { useLabApi } from '@renderer/api/current'
import { useCompareStore } from './compare'
import { useRunsStore } from './runs'

export const useConnectionStore = defineStore('connection', () => {
  const transport = ref<'ipc' | 'websocket' | 'other'>('other')
  const info = ref<ConnectionInfo>({ state: 'local', attempt: 0, retryAt: null })
  let unsubscribe: (() => void) | null = null

  function start(): void {
    if (unsubscribe) return
    const api = useLabApi()
    if (!isLabClient(api)) {
      unsubscribe = () => {}
      return
    }
    transport.value = api.transport
    info.value = api.connection()
    unsubscribe = api.onConnectionChange((next) => {
      const wasDown = info.value.state === 'reconnecting'
      info.value = next
      if (wasDown && next.state === 'open') {
        void useRunsStore().resync()
        void useCompareStore().resync()
      }
    })
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return { transport, info, start, stop }
})
