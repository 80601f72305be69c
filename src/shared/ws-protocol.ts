// Wire format of LabApi over a WebSocket (the lab server). The page is opened as
// http://host:port/?token=T and connects to ws://host:port/ws?token=T.
import type { Channel, EventEnvelope } from './api'
import type { Result } from './errors'

export const WS_PATH = '/ws'
export const TOKEN_PARAM = 'token'

export interface WsCall {
  id: number
  channel: Channel
  req: unknown
}

export type WsServerMessage = { kind: 'reply'; id: number; result: Result<unknown> } | ({ kind: 'event' } & EventEnvelope)
