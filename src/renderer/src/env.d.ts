/// <reference types="vite/client" />
// Globals the renderer relies on: the Electron preload exposes the LabApi transport here.
import type { LabBridge } from '@shared/api'

declare global {
  interface Window {
    labBridge?: LabBridge
  }
}

export {}
