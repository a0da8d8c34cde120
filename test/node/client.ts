/**
 * A test client for the server driver, built from our sans-IO layers over node:net, in the
 * test only (the real client driver is branch `client`'s): a link (one socket and its
 * transport: any framing, obfuscated2, an MTProxy secret, fake-TLS, WebSocket; or HTTP, a new
 * socket per request), a handshake over it (permanent or temporary key), and a ClientSession
 * on it with its timers. Bounded: every wait has a timeout.
 */
import * as net from 'node:net'
import { ClientHandshake } from '../../src/auth/client.js'
import type { AuthKeyResult } from '../../src/auth/client-steps.js'
import type { ServerPublicKey } from '../../src/auth/rsa.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import type { Crypto } from '../../src/crypto/types.js'
import type { TransportItem } from '../../src/layer.js'
import { ClientSession, type ClientSessionEvent, type ClientSessionOptions } from '../../src/session/client.js'
import type { TlCodec } from '../../src/tl/codec.js'
import { ClientTransport, type ClientEvent, type ClientTransportOptions } from '../../src/transport/client.js'
import { HttpClientCodec } from '../../src/transport/http.js'
import { WebSocketClientTransport } from '../../src/transport/websocket.js'

export type LinkSpec =
  | { kind: 'tcp'; options: Omit<ClientTransportOptions, 'crypto'> }
  | { kind: 'ws'; framing?: 'intermediate' | 'padded' }
  | { kind: 'http' }

/** The transports a test runs over, by name. */
export function linkSpecs(secrets: { plain: string; dd: string; ee: string }): [string, LinkSpec][] {
  return [
    ['abridged', { kind: 'tcp', options: { framing: 'abridged' } }],
    ['intermediate', { kind: 'tcp', options: { framing: 'intermediate' } }],
    ['padded', { kind: 'tcp', options: { framing: 'padded' } }],
    ['full', { kind: 'tcp', options: { framing: 'full' } }],
    ['obfuscated2', { kind: 'tcp', options: { framing: 'intermediate', obfuscated: true, dcId: 2 } }],
    ['MTProxy plain secret', { kind: 'tcp', options: { proxySecret: secrets.plain, framing: 'abridged', dcId: 2 } }],
    ['MTProxy dd secret', { kind: 'tcp', options: { proxySecret: secrets.dd, dcId: 2 } }],
    ['MTProxy ee secret (fake-TLS)', { kind: 'tcp', options: { proxySecret: secrets.ee, dcId: 2 } }],
    ['WebSocket', { kind: 'ws' }],
    ['HTTP', { kind: 'http' }],
  ]
}

/** Events of a link: packets, and how it ended. */
export interface Link {
  send(item: Uint8Array | TransportItem): void
  onPacket: (p: Uint8Array) => void
  onEvent: (e: ClientEvent) => void
  /** Resolves when the server closed the connection (or it failed). */
  readonly closed: Promise<string>
  /** The socket (not for HTTP, whose requests each have one). */
  readonly sock?: net.Socket
  close(): void
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms)))]).finally(() => clearTimeout(timer))
}

export function connectSocket(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return withTimeout(
    new Promise<net.Socket>((res, rej) => {
      const s = net.connect(port, host, () => res(s))
      s.once('error', rej)
    }),
    5000,
    'connect',
  )
}

/** One connection with its transport; for HTTP, a new connection per request (a browser's way). */
export async function openLink(crypto: Crypto, port: number, spec: LinkSpec): Promise<Link> {
  if (spec.kind === 'http') return httpLink(port)
  const sock = await connectSocket(port)
  const t = spec.kind === 'ws'
    ? new WebSocketClientTransport({ crypto, host: `127.0.0.1:${port}`, dcId: 2, framing: spec.framing })
    : new ClientTransport({ crypto, ...spec.options })
  let closedWith: (r: string) => void = () => {}
  const closed = new Promise<string>((r) => (closedWith = r))
  const link: Link = {
    onPacket: () => {},
    onEvent: () => {},
    closed,
    sock,
    send(item) {
      if (sock.destroyed) return
      t.send(item)
      for (const b of t.takeOutgoing()) sock.write(b)
    },
    close: () => sock.destroy(),
  }
  sock.on('data', (d: Buffer) => {
    let evs: ClientEvent[]
    try {
      evs = t.receive(new Uint8Array(d))
    } catch (e) {
      closedWith(`transport: ${String(e)}`)
      return void sock.destroy()
    }
    for (const e of evs) {
      link.onEvent(e)
      if (e.type === 'packet') link.onPacket(e.data)
      if (e.type === 'error') {
        closedWith(e.error.code)
        sock.destroy()
      }
    }
    if (!sock.destroyed) for (const b of t.takeOutgoing()) sock.write(b)
  })
  sock.on('error', () => {})
  sock.on('close', () => closedWith('closed'))
  t.start(Date.now())
  for (const b of t.takeOutgoing()) sock.write(b)
  return link
}

/** HTTP: each packet a `POST /api` on its own connection, its response's body the packet back. */
function httpLink(port: number): Link {
  const socks = new Set<net.Socket>()
  const link: Link = {
    onPacket: () => {},
    onEvent: () => {},
    closed: new Promise<string>(() => {}),
    send(item) {
      const h = new HttpClientCodec(`127.0.0.1:${port}`)
      h.send(item)
      const sock = net.connect(port, '127.0.0.1')
      socks.add(sock)
      sock.on('connect', () => {
        for (const b of h.takeOutgoing()) sock.write(b)
      })
      sock.on('data', (d: Buffer) => {
        for (const e of h.receive(new Uint8Array(d))) {
          link.onEvent(e)
          if (e.type === 'packet') link.onPacket(e.data)
          sock.destroy() // one response per request
        }
      })
      sock.on('error', () => {})
      sock.on('close', () => socks.delete(sock))
    },
    close() {
      for (const s of socks) s.destroy()
    },
  }
  return link
}

/** A handshake over `link`; the key (permanent, or temporary with `expiresIn`). */
export function handshake(crypto: Crypto, link: Link, key: ServerPublicKey, options: { expiresIn?: number; dcId?: number } = {}): Promise<AuthKeyResult> {
  const hs = new ClientHandshake(crypto, { dcId: options.dcId ?? 2, keys: [key], expiresIn: options.expiresIn })
  const done = new Promise<AuthKeyResult>((resolve, reject) => {
    link.onPacket = (p) => {
      for (const e of hs.receive(p, Date.now())) {
        if (e.type === 'done') resolve(e.result)
        if (e.type === 'error') reject(e.error)
      }
      for (const o of hs.takeOutgoing()) link.send(o)
    }
    link.onEvent = (e) => {
      if (e.type === 'error') reject(e.error)
    }
  })
  hs.start(Date.now())
  for (const o of hs.takeOutgoing()) link.send(o)
  return withTimeout(done, 20_000, 'handshake')
}

/** A ClientSession driven over `link`: its output flushed, its timers run, its events collected. */
export class TestSession {
  readonly session: ClientSession
  readonly events: ClientSessionEvent[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private link: Link

  constructor(crypto: Crypto, link: Link, key: AuthKeyResult, options: Partial<ClientSessionOptions> & { codec?: TlCodec } = {}) {
    this.link = link
    this.session = new ClientSession({
      crypto,
      authKey: createAuthKey(key.authKey),
      salt: key.serverSalt,
      timeOffset: key.timeOffset * 1000,
      pingInterval: 0,
      futureSalts: 0,
      ...options,
      onOutgoing: () => this.flush(),
    })
    this.attach(link)
  }

  /** Moves the session to a new link (after a reconnect). */
  attach(link: Link): void {
    this.link = link
    link.onPacket = (p) => {
      this.events.push(...this.session.receive(p))
      this.flush()
    }
    link.onEvent = (e) => {
      if (e.type === 'quickAck') this.events.push(...this.session.receiveQuickAck(e.token))
    }
  }

  flush(): void {
    for (const o of this.session.takeOutgoing()) this.link.send(o)
    if (this.timer) clearTimeout(this.timer)
    const d = this.session.nextDeadline()
    if (d !== undefined) {
      this.timer = setTimeout(() => {
        this.events.push(...this.session.tick())
        this.flush()
      }, Math.max(0, d - Date.now()))
    }
  }

  invoke<T = unknown>(request: unknown, timeoutMs = 10_000): Promise<T> {
    const p = this.session.invoke(request as never)
    this.flush()
    return withTimeout(p as Promise<T>, timeoutMs, `invoke ${(request as { _?: string })._ ?? 'bytes'}`)
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.session.close()
    this.link.close()
  }
}

/** Waits until `check()` holds (polling), or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export { withTimeout }
