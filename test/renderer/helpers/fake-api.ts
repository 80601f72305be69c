// A typed in-memory LabApi for renderer tests: per-channel handlers, a record of every call,
// and emit() to play back-end events to whatever the stores subscribed. Every request is
// checked against the channel's real request schema first, as the IPC handler and the lab
// server do, and refused: a test that leaves such a refusal untaken fails (useAppTestSetup), so
// a UI that sends what the back end would refuse fails its tests even where it shows the error.
import { requestSchemas, type Channel, type EventName, type LabApi, type LabCalls, type LabEvents } from '@shared/api'
import { describeIssues, formatIssues } from '@shared/config'
import { LabError } from '@shared/errors'

export type FakeHandler<C extends Channel> = (req: LabCalls[C]['req']) => LabCalls[C]['res'] | Promise<LabCalls[C]['res']>
export type FakeHandlers = { [C in Channel]?: FakeHandler<C> }

/** The fakes whose refusals no test has taken yet. */
const withUntaken = new Set<FakeLabApi>()

/** The refusals no test took (with takeRefused), of every fake; forgets them. */
export function untakenRefusals(): string[] {
  const messages = [...withUntaken].flatMap((api) => api.takeRefused())
  withUntaken.clear()
  return messages
}

export class FakeLabApi implements LabApi {
  readonly calls: { channel: Channel; req: unknown }[] = []
  /** Requests the real back end would have refused (and this fake refused the same way). */
  readonly refused: { channel: Channel; req: unknown; message: string }[] = []
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>()

  constructor(public handlers: FakeHandlers = {}) {}

  async call<C extends Channel>(channel: C, req: LabCalls[C]['req']): Promise<LabCalls[C]['res']> {
    this.calls.push({ channel, req })
    const parsed = requestSchemas[channel].safeParse(req)
    if (!parsed.success) {
      const issues = describeIssues(parsed.error)
      const message = `Invalid ${channel} request: ${formatIssues(issues)}`
      this.refused.push({ channel, req, message })
      withUntaken.add(this)
      throw new LabError(channel === 'runs:create' ? 'INVALID_CONFIG' : 'INVALID_REQUEST', message, issues)
    }
    // The mapped type loses the link between C and its handler; the index is by the same C.
    const handler = this.handlers[channel] as FakeHandler<C> | undefined
    if (!handler) throw new LabError('UNKNOWN_CHANNEL', `The fake API has no handler for ${channel}`)
    return handler(req)
  }

  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    const wrapped = (payload: unknown): void => listener(payload as LabEvents[E])
    set.add(wrapped)
    return () => {
      set.delete(wrapped)
    }
  }

  emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(payload)
  }

  /** The messages of the requests refused since the last take: a test that means to send them says so. */
  takeRefused(): string[] {
    withUntaken.delete(this)
    return this.refused.splice(0).map((r) => r.message)
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0
  }

  requestsTo<C extends Channel>(channel: C): LabCalls[C]['req'][] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.req as LabCalls[C]['req'])
  }
}
