// The real lab server on port 0 with a real Lab (no run started): WebSocket access control,
// the request/reply protocol, malformed and oversized messages, and static files without
// path traversal.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { WsServerMessage } from '@shared/ws-protocol'
import { MAX_CALLS_PER_SECOND, MAX_CONNECTIONS, startLabServer, type RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

const INDEX_HTML = '<!doctype html><title>lab-server test</title><script src="/assets/app.js"></script>'
const APP_JS = 'console.log("lab-server test app")'
const SECRET = 'SECRET-OUTSIDE-THE-RENDERER-DIR'

let root: string
let lab: Lab
let server: RunningLabServer
const sockets: WebSocket[] = []
let logged: string[] = []

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'lab-server-'))
  const rendererDir = join(root, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), INDEX_HTML)
  writeFileSync(join(rendererDir, 'assets', 'app.js'), APP_JS)
  // Files a traversal would reach: next to the renderer dir.
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: SECRET }))
  writeFileSync(join(root, 'secret.txt'), SECRET)
  mkdirSync(join(root, 'data'))
  lab = new Lab({ dataDir: join(root, 'data'), launcher: forkLauncher(), version: 'test', transport: 'websocket' })
  logged = []
  server = await startLabServer({ lab, rendererDir, port: 0, log: (m) => logged.push(m) })
})

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await server?.close()
  lab?.close()
  rmSync(root, { recursive: true, force: true })
})

const base = (): string => `http://127.0.0.1:${server.port}`
const wsUrl = (token: string | null = server.token): string => `ws://127.0.0.1:${server.port}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`

function socket(url: string, options?: WebSocket.ClientOptions): WebSocket {
  const ws = new WebSocket(url, options)
  sockets.push(ws)
  return ws
}

/** Resolves with the HTTP status of a refused upgrade; rejects if the socket opens. */
function expectRefused(url: string, options?: WebSocket.ClientOptions): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const ws = socket(url, options)
    ws.on('open', () => reject(new Error(`WebSocket to ${url} was accepted`)))
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('error', (err) => resolve(err.message))
  })
}

function open(options?: WebSocket.ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = socket(wsUrl(), options)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket): Promise<WsServerMessage> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as WsServerMessage))
    ws.once('close', (code) => reject(new Error(`closed with ${code} before a message arrived`)))
  })
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve({ code: -1, reason: 'already closed' })
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
}

/** A GET with the path sent exactly as written (fetch would normalise dot segments away). */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('lab server WebSocket', () => {
  it('refuses a socket without a token, with a wrong token, or on another path', async () => {
    expect(await expectRefused(wsUrl(null))).toBe(401)
    expect(await expectRefused(wsUrl('wrong'))).toBe(401)
    expect(await expectRefused(wsUrl(server.token + 'x'))).toBe(401)
    expect(await expectRefused(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toBe(401)
  })

  it('refuses a socket from a foreign Origin, accepts its own origin', async () => {
    expect(await expectRefused(wsUrl(), { origin: 'http://evil.example' })).toBe(401)
    expect(await expectRefused(wsUrl(), { origin: `http://localhost:${server.port}` })).toBe(401)
    const ws = await open({ origin: base() })
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('answers runs:list with an empty list and an invalid runs:get with INVALID_REQUEST', async () => {
    const ws = await open()
    ws.send(JSON.stringify({ id: 1, channel: 'runs:list' }))
    expect(await nextMessage(ws)).toEqual({ kind: 'reply', id: 1, result: { ok: true, data: [] } })

    ws.send(JSON.stringify({ id: 2, channel: 'runs:get', req: { id: 'x' } }))
    const reply = await nextMessage(ws)
    expect(reply).toMatchObject({ kind: 'reply', id: 2, result: { ok: false, error: { code: 'INVALID_REQUEST' } } })

    ws.send(JSON.stringify({ id: 3, channel: 'no:such', req: {} }))
    expect(await nextMessage(ws)).toMatchObject({ kind: 'reply', id: 3, result: { ok: false, error: { code: 'UNKNOWN_CHANNEL' } } })
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('closes the socket with 1003 on a message that is not JSON or has no numeric id', async () => {
    const a = await open()
    const aClosed = closed(a)
    a.send('this is not json')
    expect((await aClosed).code).toBe(1003)

    const b = await open()
    const bClosed = closed(b)
    b.send(JSON.stringify({ id: 'one', channel: 'runs:list' }))
    expect((await bClosed).code).toBe(1003)
  })

  it('closes the socket on a message larger than 1 MiB and keeps serving others', async () => {
    // Before lab-server.ts listened for 'error' on each socket, this was an uncaught
    // RangeError (Max payload size exceeded) that ended the whole server process.
    const ws = await open()
    const wsClosed = closed(ws)
    ws.on('error', () => undefined) // the server may reset the connection; the close is what counts
    ws.send(JSON.stringify({ id: 1, channel: 'runs:list', req: { pad: 'x'.repeat(1 << 20) } }))
    expect((await wsClosed).code).toBe(1009)
    expect(logged.some((m) => m.includes('Max payload size exceeded'))).toBe(true)
    const other = await open()
    other.send(JSON.stringify({ id: 7, channel: 'runs:list' }))
    expect(await nextMessage(other)).toMatchObject({ id: 7, result: { ok: true } })
  })
})

describe('lab server static files', () => {
  it('serves index.html at / and assets by path', async () => {
    const index = await fetch(`${base()}/`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(await index.text()).toBe(INDEX_HTML)
    const app = await fetch(`${base()}/assets/app.js`)
    expect(app.status).toBe(200)
    expect(app.headers.get('content-type')).toContain('text/javascript')
    expect(await app.text()).toBe(APP_JS)
    expect((await fetch(`${base()}/missing.js`)).status).toBe(404)
  })

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..\\secret.txt'
  ])('never serves a file outside the renderer dir: %s', async (path) => {
    const res = await rawGet(path)
    expect([400, 403, 404]).toContain(res.status)
    expect(res.body).not.toContain(SECRET)
  })

  it('treats //secret.txt as a host-relative URL for / and serves index.html, not the file', async () => {
    const res = await rawGet('//secret.txt')
    expect(res.body).not.toContain(SECRET)
    if (res.status === 200) expect(res.body).toBe(INDEX_HTML)
    else expect([400, 403, 404]).toContain(res.status)
  })

  it('sends a Content-Security-Policy that forbids framing and foreign scripts on every answer', async () => {
    for (const path of ['/', '/assets/app.js', '/missing.js']) {
      const res = await fetch(`${base()}${path}`)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-eval')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
    }
  })

  it('answers only to its loopback name: a rebound foreign Host header is refused (421), localhost is served', async () => {
    const foreign = await rawGet('/', { host: `evil.example:${server.port}` })
    expect(foreign.status).toBe(421)
    expect(foreign.body).not.toContain(INDEX_HTML)
    expect((await rawGet('/', { host: `localhost:${server.port}` })).status).toBe(200)
    expect(await expectRefused(wsUrl(), { headers: { host: `evil.example:${server.port}`, origin: `http://evil.example:${server.port}` } })).toBe(401)
  })

  it('answers 400 to a path that does not decode and 405 to a POST', async () => {
    expect((await rawGet('/%E0%A4%A')).status).toBe(400)
    expect((await fetch(`${base()}/`, { method: 'POST' })).status).toBe(405)
  })

  it('answers an unexpected error with a readable message and a reference, never its paths or SQLite text; the log has them', async () => {
    const handlers = lab.handlers as unknown as Record<string, () => never>
    handlers['runs:list'] = () => {
      throw Object.assign(new Error(`SqliteError: disk I/O error reading ${root}/data/workbench.sqlite near "SELECT"`), { code: 'SQLITE_IOERR' })
    }
    handlers['app:info'] = () => {
      throw new TypeError(`Cannot read properties of undefined (reading 'x') at ${root}/src/main/x.ts:1:1`)
    }
    const ws = await open()
    ws.send(JSON.stringify({ id: 1, channel: 'runs:list' }))
    const reply = await nextMessage(ws)
    expect(reply).toMatchObject({ id: 1, result: { ok: false, error: { code: 'INTERNAL' } } })
    const message = (reply as { result: { error: { message: string } } }).result.error.message
    expect(message).toMatch(/^runs:list failed: the lab's database reported a problem \(SQLITE_IOERR\)\. The lab's log has the details under reference [0-9a-f]{8}\.$/)
    expect(message).not.toContain(root)
    const reference = /reference ([0-9a-f]{8})/.exec(message)![1]
    expect(logged.find((line) => line.includes(reference))).toContain(`${root}/data/workbench.sqlite`)
    ws.send(JSON.stringify({ id: 2, channel: 'app:info' }))
    const other = (await nextMessage(ws)) as { result: { error: { message: string } } }
    expect(other.result.error.message).toMatch(/^app:info failed: something unexpected went wrong in the lab\. /)
    expect(other.result.error.message).not.toContain(root)
  })

  it('repeats at most 60 characters of an unknown channel name', async () => {
    const ws = await open()
    ws.send(JSON.stringify({ id: 1, channel: 'x'.repeat(900_000) }))
    const reply = (await nextMessage(ws)) as { result: { error: { code: string; message: string } } }
    expect(reply.result.error.code).toBe('UNKNOWN_CHANNEL')
    expect(reply.result.error.message).toBe(`Unknown channel "${'x'.repeat(60)}..." (900000 characters)`)
  })

  it('closes the socket (1003) on an id that is not a whole number, such as 1e400', async () => {
    for (const raw of ['{"id":1e400,"channel":"runs:list"}', '{"id":1.5,"channel":"runs:list"}', '{"id":-1e300,"channel":"runs:list"}']) {
      const ws = await open()
      const wsClosed = closed(ws)
      ws.send(raw)
      expect(await wsClosed).toMatchObject({ code: 1003, reason: expect.stringMatching(/whole-number id/) as unknown })
    }
  })

  it('sends the security headers with a 421 too', async () => {
    const foreign = await rawGet('/', { host: `evil.example:${server.port}` })
    expect(foreign.status).toBe(421)
    expect(foreign.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(foreign.headers['x-content-type-options']).toBe('nosniff')
  })

  it('runs two expensive calls at a time, refuses a fifth waiting on one connection, and keeps answering others', async () => {
    const started: (() => void)[] = []
    ;(lab.handlers as unknown as Record<string, () => Promise<unknown>>)['runs:export-metrics'] = () =>
      new Promise((resolve) => started.push(() => resolve({ filename: 'x.csv', mime: 'text/csv', content: '' })))
    const ws = await open()
    const replies: WsServerMessage[] = []
    ws.on('message', (data) => replies.push(JSON.parse(data.toString()) as WsServerMessage))
    const fifthRefused = new Promise<void>((resolve) => ws.on('message', () => replies.some((r) => r.kind === 'reply' && r.id === 5) && resolve()))
    for (let id = 1; id <= 6; id++) ws.send(JSON.stringify({ id, channel: 'runs:export-metrics', req: { ids: [1], format: 'csv' } }))
    await fifthRefused
    expect(replies.filter((r) => r.kind === 'reply').map((r) => [r.kind === 'reply' && r.id, r.kind === 'reply' && r.result.ok])).toEqual([
      [5, false],
      [6, false]
    ])
    expect(replies[0]).toMatchObject({ result: { error: { code: 'CONFLICT', message: expect.stringMatching(/already has 4 exports, imports or renders running or waiting/) as unknown } } })
    expect(started).toHaveLength(2)
    // Another client's cheap call does not wait behind them.
    const other = await open()
    other.send(JSON.stringify({ id: 1, channel: 'runs:list' }))
    expect(await nextMessage(other)).toMatchObject({ id: 1, result: { ok: true, data: [] } })
    // As each finishes, the next waiting one starts; all four are answered.
    const allAnswered = new Promise<void>((resolve) => ws.on('message', () => replies.filter((r) => r.kind === 'reply').length === 6 && resolve()))
    for (let i = 0; i < 4; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      started[i]()
    }
    await allAnswered
    expect(started).toHaveLength(4)
    expect(replies.filter((r) => r.kind === 'reply' && r.result.ok).map((r) => r.kind === 'reply' && r.id).sort()).toEqual([1, 2, 3, 4])
  })

  it(`holds at most ${MAX_CONNECTIONS} WebSockets and refuses the next with 503`, async () => {
    for (let i = 0; i < MAX_CONNECTIONS; i++) await open()
    expect(await expectRefused(wsUrl())).toBe(503)
    // The ones held still answer.
    sockets[0].send(JSON.stringify({ id: 1, channel: 'runs:list' }))
    expect(await nextMessage(sockets[0])).toMatchObject({ id: 1, result: { ok: true } })
  })

  it('closes a socket that floods the server with calls (1008) and keeps serving others', async () => {
    const ws = await open()
    const wsClosed = closed(ws)
    for (let i = 0; i < MAX_CALLS_PER_SECOND * 3; i++) ws.send(JSON.stringify({ id: i, channel: 'app:info' }))
    expect((await wsClosed).code).toBe(1008)
    const other = await open()
    other.send(JSON.stringify({ id: 1, channel: 'runs:list' }))
    expect(await nextMessage(other)).toMatchObject({ id: 1, result: { ok: true } })
  })
})
