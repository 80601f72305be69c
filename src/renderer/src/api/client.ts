// The two transports behind LabApi: Electron IPC through window.labBridge, and a WebSocket
// to the lab server. Both turn an error Result into a LabError, so stores see one kind of failure.
import type { Channel, EventName, LabApi, LabBridge, LabCalls, LabEvents } from '@shared/api'
import { LabError, type ErrorInfo, type Result } from '@shared/errors'
import { TOKEN_PARAM, WS_PATH, type WsCall, type WsServerMessage } from '@shared/ws-protocol'

/** 'local': IPC, always up. The other three describe the WebSocket. */
export type ConnectionState = 'local' | 'connecting' | 'open' | 'reconnecting'

export interface ConnectionInfo {
  state: ConnectionState
  /** Failed connection attempts since the socket was last open. */
  attempt: number
  /** When the next attempt starts (epoch ms), while reconnecting. */
  retryAt: number | null
}

/** A LabApi that can also say whether it is connected. */
export interface LabClient extends LabApi {
  readonly transport: 'ipc' | 'websocket'
  connection(): ConnectionInfo
  onConnectionChange(listener: (info: ConnectionInfo) => void): () => void
  /** Stops reconnecting and closes the transport. */
  close(): void
}

export function isLabClient(api: LabApi): api is LabClient {
  return typeof (api as Partial<LabClient>).onConnectionChange === 'function'
}

/** A call that was sent but whose reply can no longer arrive. */
export class ConnectionLostError extends Error {
  constructor(channel: Channel) {
    super(`The connection to the lab server was lost before ${channel} answered; try again once it is back.`)
    this.name = 'ConnectionLostError'
  }
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null && typeof (value as ErrorInfo).code === 'string' && typeof (value as ErrorInfo).message === 'string'
}

/** Returns the data of an ok Result, or throws its error as a LabError. */
export function unwrapResult<T>(result: Result<unknown>, channel: Channel): T {
  if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') {
    throw new LabError('INTERNAL', `Malformed reply to ${channel}`)
  }
  if (result.ok) return result.data as T
  if (!isErrorInfo(result.error)) throw new LabError('INTERNAL', `Malformed error reply to ${channel}`)
  throw LabError.fromInfo(result.error)
}

class EventHub {
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>()

  add(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  emit(event: EventName, payload: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(payload)
      } catch (err) {
        // One faulty listener must not starve the others of the event.
        console.error(`Listener for ${event} failed`, err)
      }
    }
  }
}

export function createIpcApi(bridge: LabBridge): LabClient {
  const info: ConnectionInfo = { state: 'local', attempt: 0, retryAt: null }
  return {
    transport: 'ipc',
    async call<C extends Channel>(channel: C, req: LabCalls[C]['req']): Promise<LabCalls[C]['res']> {
      const result = await bridge.invoke(channel, req)
      return unwrapResult<LabCalls[C]['res']>(result, channel)
    },
    on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as LabEvents[E]))
    },
    connection: () => ({ ...info }),
    onConnectionChange: () => () => {},
    close: () => {}
  }
}

/** The part of the browser WebSocket the client uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface WsApiOptions {
  WebSocket?: new (url: string) => SocketLike
  /** First reconnect delay; doubles per failed attempt up to maxDelayMs. */
  initialDelayMs?: number
  maxDelayMs?: number
}

const SOCKET_OPEN = 1

interface PendingCall {
  channel: Channel
  resolve: (data: unknown) => void
  reject: (err: Error) => void
}

export function createWsApi(url: string, options: WsApiOptions = {}): LabClient {
  const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as new (url: string) => SocketLike)
  const initialDelayMs = options.initialDelayMs ?? 500
  const maxDelayMs = options.maxDelayMs ?? 10_000

  const events = new EventHub()
  const connectionListeners = new Set<(info: ConnectionInfo) => void>()
  /** Calls written to the current socket, waiting for their reply. */
  const inFlight = new Map<number, PendingCall>()
  /** Calls made while no socket was open; sent in order once one opens. */
  const queue: { message: WsCall; pending: PendingCall }[] = []
  let nextId = 1
  let socket: SocketLike | null = null
  let info: ConnectionInfo = { state: 'connecting', attempt: 0, retryAt: null }
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let closed = false

  function setInfo(next: ConnectionInfo): void {
    info = next
    for (const listener of [...connectionListeners]) listener({ ...info })
  }

  function flushQueue(): void {
    while (socket && socket.readyState === SOCKET_OPEN && queue.length > 0) {
      const { message, pending } = queue.shift()!
      inFlight.set(message.id, pending)
      socket.send(JSON.stringify(message))
    }
  }

  function handleMessage(data: unknown): void {
    let msg: WsServerMessage
    try {
      msg = JSON.parse(String(data)) as WsServerMessage
    } catch {
      console.warn('Ignoring a message from the lab server that is not JSON')
      return
    }
    if (msg.kind === 'reply') {
      const pending = inFlight.get(msg.id)
      if (!pending) return
      inFlight.delete(msg.id)
      try {
        pending.resolve(unwrapResult(msg.result, pending.channel))
      } catch (err) {
        pending.reject(err as Error)
      }
    } else if (msg.kind === 'event') {
      events.emit(msg.event, msg.payload)
    }
  }

  function connect(): void {
    if (closed) return
    const ws = new Socket(url)
    socket = ws
    ws.onopen = () => {
      if (socket !== ws) return
      setInfo({ state: 'open', attempt: 0, retryAt: null })
      flushQueue()
    }
    ws.onmessage = (ev) => {
      if (socket === ws) handleMessage(ev.data)
    }
    // A failed connect fires error then close; close alone drives the reconnect.
    ws.onerror = () => {}
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      for (const [id, pending] of inFlight) {
        inFlight.delete(id)
        pending.reject(new ConnectionLostError(pending.channel))
      }
      if (closed) return
      const attempt = info.attempt + 1
      const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1))
      setInfo({ state: 'reconnecting', attempt, retryAt: Date.now() + delay })
      retryTimer = setTimeout(() => {
        retryTimer = null
        connect()
      }, delay)
    }
  }

  connect()

  return {
    transport: 'websocket',
    call<C extends Channel>(channel: C, req: LabCalls[C]['req']): Promise<LabCalls[C]['res']> {
      if (closed) return Promise.reject(new LabError('INTERNAL', 'The lab client is closed'))
      return new Promise<LabCalls[C]['res']>((resolve, reject) => {
        const pending: PendingCall = { channel, resolve: (data) => resolve(data as LabCalls[C]['res']), reject }
        queue.push({ message: { id: nextId++, channel, req }, pending })
        flushQueue()
      })
    },
    on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
      return events.add(event, (payload) => listener(payload as LabEvents[E]))
    },
    connection: () => ({ ...info }),
    onConnectionChange(listener) {
      connectionListeners.add(listener)
      return () => {
        connectionListeners.delete(listener)
      }
    },
    close() {
      closed = true
      if (retryTimer) clearTimeout(retryTimer)
      const ws = socket
      socket = null
      ws?.close()
      for (const { pending } of queue.splice(0)) pending.reject(new LabError('INTERNAL', 'The lab client is closed'))
      for (const pending of inFlight.values()) pending.reject(new ConnectionLostError(pending.channel))
      inFlight.clear()
    }
  }
}

/** The WebSocket address for a page served by the lab server at http://host:port/?token=T. */
export function wsUrlFor(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? ''
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`
}

/** IPC inside Electron, otherwise the lab server that served this page. */
export function getApi(): LabClient {
  if (window.labBridge) return createIpcApi(window.labBridge)
  return createWsApi(wsUrlFor(window.location))
}
