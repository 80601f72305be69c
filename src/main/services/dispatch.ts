// Validates a request against its channel's schema and runs the handler, returning the
// Result envelope both transports send. Nothing unvalidated reaches a handler.
import { requestSchemas, type Channel, type LabHandlers } from '@shared/api'
import { LabError, toErrorInfo, type Result } from '@shared/errors'
import { parseOrThrow } from './validate'

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name)
}

export async function dispatch(handlers: LabHandlers, channel: unknown, raw: unknown): Promise<Result<unknown>> {
  try {
    if (!isChannel(channel)) throw new LabError('UNKNOWN_CHANNEL', `Unknown channel ${JSON.stringify(channel)}`)
    const request: unknown = parseOrThrow(requestSchemas[channel], raw ?? undefined, `Invalid ${channel} request`, {
      code: channel === 'runs:create' ? 'INVALID_CONFIG' : 'INVALID_REQUEST',
      issues: (issues) => issues.map((i) => ({ ...i, field: i.field.replace(/^config\./, '') }))
    })
    // The schema map and the handler map share keys; TypeScript cannot correlate them per key.
    const handler = handlers[channel] as (req: unknown) => unknown
    return { ok: true, data: await handler(request) }
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) }
  }
}
