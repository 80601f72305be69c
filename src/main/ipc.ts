// The only main-side module that touches ipcMain: registers one handler per LabApi
// channel, checks that the sender is the app's own window, and validates every request.
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import type { LabHandlers } from '@shared/api'
import { CHANNELS } from '@shared/channels'
import { dispatch } from './services/dispatch'

export function registerLabHandlers(handlers: LabHandlers, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, req: unknown) => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'INVALID_REQUEST', message: 'Request from an untrusted frame refused' } }
      }
      return dispatch(handlers, channel, req)
    })
  }
  return () => CHANNELS.forEach((c) => ipcMain.removeHandler(c))
}
