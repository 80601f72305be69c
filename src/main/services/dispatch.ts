// Validates a request against its channel's schema and runs the handler, returning the
// Result envelope both transports send. Nothing unvalidated reaches a handler, and nothing
// unexpected leaves: an error that is not a LabError is logged in full and answered in words.
import { randomBytes } from 'node:crypto'
import { requestSchemas, type Channel, type LabHandlers } from '@shared/api'
import { LabError, type ErrorInfo, type Result } from '@shared/errors'
import { parseOrThrow } from './validate'

/** How much of an unknown channel's name a reply repeats. */
const SHOWN_NAME = 60

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name)
}

function shownName(name: unknown): string {
  if (typeof name !== 'string') return `(a ${name === null ? 'null' : typeof name}, not a name)`
  const text = JSON.stringify(name.slice(0, SHOWN_NAME))
  return name.length > SHOWN_NAME ? `${text.slice(0, -1)}..." (${name.length} characters)` : text
}

function codeOf(err: unknown): string {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : ''
}

/**
 * An unexpected error: its message may hold absolute paths, SQL or a stack, which are the
 * lab's business, not the client's. The log gets all of it under a reference the reply names.
 */
function internalError(channel: string, err: unknown, log: (message: string) => void): ErrorInfo {
  const reference = randomBytes(4).toString('hex')
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err)
  log(`Internal error ${reference} while handling ${channel}: ${detail}`)
  const code = codeOf(err)
  const what = code.startsWith('SQLITE')
    ? `the lab's database reported a problem (${code})`
    : /^E[A-Z]+$/.test(code)
      ? `a file operation failed (${code})`
      : 'something unexpected went wrong in the lab'
  return { code: 'INTERNAL', message: `${channel} failed: ${what}. The lab's log has the details under reference ${reference}.` }
}

export async function dispatch(
  handlers: LabHandlers,
  channel: unknown,
  raw: unknown,
  log: (message: string) => void = (message) => console.error(message)
): Promise<Result<unknown>> {
  try {
    if (!isChannel(channel)) throw new LabError('UNKNOWN_CHANNEL', `Unknown channel ${shownName(channel)}`)
    const request: unknown = parseOrThrow(requestSchemas[channel], raw ?? undefined, `Invalid ${channel} request`, {
      code: channel === 'runs:create' ? 'INVALID_CONFIG' : 'INVALID_REQUEST',
      issues: (issues) => issues.map((i) => ({ ...i, field: i.field.replace(/^config\./, '') }))
    })
    // The schema map and the handler map share keys; TypeScript cannot correlate them per key.
    const handler = handlers[channel] as (req: unknown) => unknown
    return { ok: true, data: await handler(request) }
  } catch (err) {
    if (err instanceof LabError) return { ok: false, error: err.toInfo() }
    return { ok: false, error: internalError(isChannel(channel) ? channel : 'a call', err, log) }
  }
}
