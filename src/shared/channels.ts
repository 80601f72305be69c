// The names of every LabApi call and event, and the preload bridge's shape. This module
// imports nothing but types: the sandboxed preload bundles it, and a sandboxed preload may
// require only `electron` (a test on the built bundle checks that it does).
import type { Result } from './errors'

/** Every call the renderer may make, `domain:verb`; api.ts gives each one its request schema. */
export const CHANNELS = [
  'app:info',
  'presets:list',
  'runs:list',
  'runs:get',
  'runs:create',
  'runs:stop',
  'runs:resume',
  'runs:delete',
  'runs:metrics',
  'runs:grid',
  'explorer:grid',
  'runs:update',
  'runs:export-metrics',
  'explorer:interpolate',
  'explorer:arithmetic',
  'runs:export-bundle',
  'runs:import-bundle',
  'runs:create-pair',
  'sweeps:create',
  'sweeps:list',
  'settings:get',
  'settings:set',
  'comparisons:list',
  'comparisons:save',
  'comparisons:delete',
  'figures:export',
  'runs:export-generator',
  'latent-views:list',
  'latent-views:save',
  'latent-views:delete',
  'datasets:list',
  'datasets:choose',
  'datasets:preview',
  'datasets:import',
  'datasets:delete',
  'runs:samples',
  'runs:export-samples',
  'runs:sample-rows',
  'runs:fidelity',
  'classifier:status',
  'classifier:train',
  'eval:scores',
  'eval:run',
  'explorer:scatter',
  'timing:estimate',
  'explorer:open',
  'explorer:close',
  'explorer:sample',
  'runs:field'
] as const
export type Channel = (typeof CHANNELS)[number]

/** Every event the renderer may receive; api.ts gives each one its payload type. */
export const EVENT_NAMES = [
  'runs:changed',
  'runs:deleted',
  'trainer:backend',
  'trainer:progress',
  'trainer:steps',
  'trainer:epoch',
  'trainer:field',
  'trainer:log',
  'explorer:progress',
  'classifier:progress',
  'classifier:changed',
  'eval:scores',
  'sweeps:changed',
  'settings:changed'
] as const
export type EventName = (typeof EVENT_NAMES)[number]

/**
 * What the Electron preload exposes as window.labBridge. It returns the raw Result, since
 * contextBridge would strip an Error's code; the renderer's client turns it into a LabError.
 */
export interface LabBridge {
  invoke(channel: Channel, req: unknown): Promise<Result<unknown>>
  on(event: EventName, listener: (payload: unknown) => void): () => void
}
