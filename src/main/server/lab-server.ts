// The lab server: the built renderer over HTTP and LabApi over a WebSocket, so the same UI
// runs in a browser against a headless machine. Loopback by default; every WebSocket must
// present the token and come from the server's own origin.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { TOKEN_PARAM, WS_PATH, type WsCall, type WsServerMessage } from '@shared/ws-protocol'
import { dispatch, isChannel } from '../services/dispatch'
import type { Lab } from '../services/lab'
import { CallLimiter, DEFAULT_CALL_LIMITS, EXPENSIVE_CHANNELS, type CallLimits } from './call-limiter'

export interface LabServerOptions {
  lab: Lab
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string
  host?: string
  port?: number
  token?: string
  log?: (message: string) => void
  /** WebSockets open at once (a browser tab holds one). */
  maxConnections?: number
  callLimits?: CallLimits
}

export interface RunningLabServer {
  url: string
  token: string
  port: number
  host: string
  close(): Promise<void>
}

const MAX_MESSAGE_BYTES = 1 << 20
/** Calls one connection may make per second; the UI makes a handful, a runaway client thousands. */
export const MAX_CALLS_PER_SECOND = 200
/** WebSockets at once: a few tabs and a script or two; 1,000 held sockets are an attack. */
export const MAX_CONNECTIONS = 32

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

/**
 * Sent with every HTTP answer. The renderer's own meta CSP says the same for Electron; the
 * header adds what a meta tag cannot (frame-ancestors), so no other page can frame the lab.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin'
} as const

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1'])

/**
 * A loopback server answers only requests addressed to a loopback name, so a web page whose
 * domain is re-pointed at 127.0.0.1 (DNS rebinding) cannot read the lab through the browser.
 */
function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (!LOOPBACK_HOSTS.has(boundHost)) return true
  if (!hostHeader) return false
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
  return allowed.includes(hostHeader.toLowerCase())
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function serveStatic(rendererDir: string, req: IncomingMessage, res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end()
    return
  }
  const url = new URL(req.url ?? '/', 'http://localhost')
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    res.writeHead(400).end('Bad path')
    return
  }
  const root = resolve(rendererDir)
  const file = resolve(join(root, normalize(path === '/' ? '/index.html' : path)))
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end('Forbidden')
    return
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
    return
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache'
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}

export async function startLabServer(opts: LabServerOptions): Promise<RunningLabServer> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const indexFile = join(opts.rendererDir, 'index.html')
  if (!existsSync(indexFile)) {
    throw new Error(`The renderer is not built: ${indexFile} is missing. Run \`npm run build\` first.`)
  }
  let port = 0
  const server: Server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, host, port)) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request: this lab server answers only to its loopback address')
      return
    }
    serveStatic(opts.rendererDir, req, res)
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const maxConnections = opts.maxConnections ?? MAX_CONNECTIONS
  // Plain HTTP sockets too (the renderer's files, idle keep-alives, upgrades under way).
  server.maxConnections = maxConnections * 4
  const limiter = new CallLimiter(opts.callLimits ?? DEFAULT_CALL_LIMITS)

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const given = url.searchParams.get(TOKEN_PARAM) ?? ''
    const origin = req.headers.origin
    const sameOrigin = origin === undefined || origin === `http://${req.headers.host}`
    if (url.pathname !== WS_PATH || !tokensEqual(given, token) || !sameOrigin || !hostAllowed(req.headers.host, host, port)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    if (wss.clients.size >= maxConnections) {
      socket.write(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nThe lab server already holds ${maxConnections} connections; close a tab or client first.`)
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    const send = (msg: WsServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg))
    }
    const unsubscribe = opts.lab.subscribe((e) => send({ kind: 'event', ...e }))
    ws.on('close', unsubscribe)
    // A protocol error (an oversized or malformed frame) is emitted here before ws closes the
    // socket itself; without a listener it would be an uncaught exception that ends the server.
    ws.on('error', (err) => opts.log?.(`WebSocket client error, connection closed: ${err.message}`))
    let windowStart = Date.now()
    let callsInWindow = 0
    ws.on('message', async (data) => {
      const now = Date.now()
      if (now - windowStart >= 1000) {
        windowStart = now
        callsInWindow = 0
      }
      if (++callsInWindow > MAX_CALLS_PER_SECOND) {
        ws.close(1008, `More than ${MAX_CALLS_PER_SECOND} calls per second`)
        return
      }
      let call: WsCall
      try {
        call = JSON.parse(data.toString()) as WsCall
        // 1e400 parses as Infinity, which a reply could not carry back (JSON writes it as null).
        if (typeof call !== 'object' || call === null || !Number.isSafeInteger(call.id)) throw new Error('no id')
      } catch {
        ws.close(1003, 'Messages must be JSON calls with a whole-number id')
        return
      }
      const answer = (): Promise<WsServerMessage> => dispatch(opts.lab.handlers, call.channel, call.req, opts.log).then((result) => ({ kind: 'reply', id: call.id, result }))
      if (!isChannel(call.channel) || !EXPENSIVE_CHANNELS.has(call.channel)) {
        send(await answer())
        return
      }
      const { perConnection } = opts.callLimits ?? DEFAULT_CALL_LIMITS
      const reply = await limiter.run(ws, answer)
      send(
        reply ?? {
          kind: 'reply',
          id: call.id,
          result: {
            ok: false,
            error: { code: 'CONFLICT', message: `${call.channel} refused: this connection already has ${perConnection} exports, imports or renders running or waiting; wait for one to finish` }
          }
        }
      )
    })
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 7777, host, () => resolveListen())
  })
  port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    opts.log?.(`WARNING: the lab server listens on ${host}, not only on this machine. Anyone who can reach it and knows the token can control the lab.`)
  }
  return {
    url: `http://${shownHost}:${port}/?${TOKEN_PARAM}=${token}`,
    token,
    port,
    host,
    close: () =>
      new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => done())
        server.closeAllConnections()
      })
  }
}
