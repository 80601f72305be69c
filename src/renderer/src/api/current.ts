// The one LabApi the stores talk to. The app picks the transport on first use; tests put a
// fake in its place with setLabApi before creating a store.
import type { LabApi } from '@shared/api'
import { getApi } from './client'

let current: LabApi | null = null

export function useLabApi(): LabApi {
  current ??= getApi()
  return current
}

export function setLabApi(api: LabApi | null): void {
  current = api
}
