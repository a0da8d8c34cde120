/**
 * A server for the client tests, in this process: `ServerTransport` (every framing, obfuscated2,
 * MTProxy secrets, fake-TLS, HTTP, WebSocket), the auth layer's `HandshakeServer`
 * for unencrypted packets and a `SessionServer` for the rest, sharing one key store. The
 * protocol side (`ServerSide`) has no socket and no timer, so the same server runs behind
 * node:net (`startServer`) and inside the in-memory network of the fault tests (net.ts), on
 * a clock the test moves. The handler records every API call, so tests check nothing ran twice.
 */
import * as net from 'node:net'
// the Node entry: node:crypto's WebCrypto for generateRsaKey where there is no global (Node 18)
import '../../src/node/index.js'
import { HandshakeServer } from '../../src/auth/server.js'
import { generateRsaKey, type GeneratedRsaKey } from '../../src/auth/rsa.js'
import { MemoryKeyStore } from '../../src/auth/keystore.js'
import type { Crypto } from '../../src/crypto/types.js'
import { type RpcCall, type ServerConnection, type ServerSession, SessionServer, type SessionServerOptions } from '../../src/session/server.js'
import { SecretRelay } from '../../src/secret/relay.js'
import { ServerTransport } from '../../src/transport/server.js'
import { ReplayCache } from '../../src/transport/faketls.js'

export interface ServerSideOptions {
  secrets?: string[]
  /** Relay secret chats (SecretRelay): each permanent key is a user; pushes go to its sessions. */
  relay?: boolean
  /** Answers API calls (after they are recorded in `calls`); default boolTrue. */
  handler?: (call: RpcCall) => unknown
  session?: Partial<SessionServerOptions>
  now?: () => number
}

/** Where a server connection writes (a socket, or the in-memory network). */
export interface Sink {
  write(bytes: Uint8Array): void
  /** Close after what was written. */
  end(): void
}

let cachedKey: GeneratedRsaKey | undefined

/** One RSA key per test process: generating one takes a while. */
export async function testKey(crypto: Crypto): Promise<GeneratedRsaKey> {
  return (cachedKey ??= await generateRsaKey(crypto))
}

export class ServerSide {
  readonly keys = new MemoryKeyStore()
  readonly handshakes: HandshakeServer
  readonly sessions: SessionServer
  /** API calls the handler ran. */
  readonly calls: RpcCall[] = []
  readonly relay: SecretRelay | undefined
  /** Sessions of each permanent key (a user), for the relay's pushes. */
  private readonly users = new Map<bigint, Set<ServerSession>>()
  private readonly replayCache = new ReplayCache()
  private readonly byConn = new Map<ServerConnection, ServerLink>()
  readonly now: () => number

  constructor(readonly crypto: Crypto, readonly key: GeneratedRsaKey, readonly options: ServerSideOptions = {}) {
    this.now = options.now ?? Date.now
    this.relay = options.relay ? new SecretRelay({ crypto }) : undefined
    this.handshakes = new HandshakeServer(crypto, { keys: [key.privateKey], keyStore: this.keys })
    this.sessions = new SessionServer({
      crypto,
      keys: this.keys,
      now: this.now,
      handler: (c) => {
        this.calls.push(c)
        if (this.relay) {
          // the relay knows users by permanent key: a bound temporary key stands for its permanent one
          const now = this.now()
          const perm = this.keys.bindingOfTemp(c.authKeyId, Math.floor(now / 1000))?.permId ?? c.authKeyId
          let set = this.users.get(perm)
          if (set === undefined) this.users.set(perm, (set = new Set()))
          set.add(c.session)
          const r = this.relay.handleBytes(perm, c.raw, now)
          if (r !== undefined) {
            for (const p of r.pushes) for (const s of this.users.get(p.authKeyId) ?? []) s.send(p.bytes)
            return r.bytes
          }
        }
        return options.handler ? options.handler(c) : true
      },
      ...options.session,
      onOutgoing: (conn) => this.byConn.get(conn)?.flush(),
    })
  }

  /** A new accepted connection writing to `sink`. */
  accept(sink: Sink, onTimer?: () => void): ServerLink {
    return new ServerLink(this, sink, onTimer)
  }

  /** @internal */
  track(c: ServerConnection, l: ServerLink | undefined): void {
    if (l) this.byConn.set(c, l)
    else this.byConn.delete(c)
  }

  /** @internal */
  transport(): ServerTransport {
    return new ServerTransport({ crypto: this.crypto, secrets: this.options.secrets, allowPlain: true, allowHttp: true, allowWebSocket: true, allowObfuscatedWithoutSecret: true, replayCache: this.replayCache, now: this.now })
  }
}

/** One accepted connection: its transport (WebSocket upgrades included), its handshake, its session connection(s). */
export class ServerLink {
  private readonly hs
  private readonly t: ServerTransport
  private conn: ServerConnection | undefined
  private dead = false

  constructor(private readonly srv: ServerSide, private readonly sink: Sink, private readonly onTimer?: () => void) {
    this.hs = srv.handshakes.connection('127.0.0.1')
    this.t = srv.transport()
  }

  /** Writes what the transport queued. */
  private write(): void {
    if (this.dead) return
    for (const b of this.t.takeOutgoing()) this.sink.write(b)
  }

  private end(): void {
    if (this.dead) return
    this.write()
    this.dead = true
    this.sink.end()
  }

  input(chunk: Uint8Array): void {
    if (this.dead) return
    let ev
    try {
      ev = this.t.receive(chunk, this.srv.now())
    } catch {
      return this.end()
    }
    for (const e of ev) {
      if (e.type === 'close' || e.type === 'error' || e.type === 'fallback') return this.end()
      if (e.type === 'packet') this.packet(e.data, e.quickAck)
      if (this.dead) return
    }
    this.flush()
  }

  private packet(p: Uint8Array, quickAck: boolean): void {
    const now = this.srv.now()
    if (p.length >= 8 && p.subarray(0, 8).every((b) => b === 0)) {
      this.hs.receive(p, now)
      for (const o of this.hs.takeOutgoing()) {
        this.t.send(o)
        if (o.type === 'transportError') return this.end()
      }
      return this.write()
    }
    const http = this.t.connection?.transport === 'http'
    if (http || this.conn === undefined) {
      // HTTP: one session connection per request
      if (this.conn) this.retire()
      this.conn = this.srv.sessions.connection({ http })
      this.srv.track(this.conn, this)
    }
    for (const e of this.conn.receive(p, now, quickAck)) if (e.type === 'close') this.flushThenEnd()
  }

  private flushThenEnd(): void {
    this.flush()
    this.end()
  }

  private retire(): void {
    if (!this.conn) return
    this.srv.track(this.conn, undefined)
    this.conn.close()
    this.conn = undefined
  }

  flush(): void {
    const c = this.conn
    if (c === undefined || this.dead) return this.write()
    let end = false
    for (const o of c.takeOutgoing(this.srv.now())) {
      this.t.send(o)
      if (o.type === 'transportError') end = true
    }
    if (end) return this.end()
    this.write()
    this.onTimer?.()
  }

  nextDeadline(): number | undefined {
    return this.dead ? undefined : this.conn?.nextDeadline()
  }

  tick(now: number): void {
    const c = this.conn
    if (c === undefined || this.dead) return
    for (const e of c.tick(now)) if (e.type === 'close') return this.flushThenEnd()
    this.flush()
  }

  /** The socket closed. */
  closed(): void {
    this.dead = true
    this.retire()
    this.t.dispose()
  }
}

export interface TestServer {
  port: number
  key: GeneratedRsaKey
  side: ServerSide
  /** API calls the handler ran. */
  calls: RpcCall[]
  /** Sockets accepted. */
  accepted(): number
  /** Closes every connection (the clients see them drop) but keeps listening. */
  dropAll(): void
  close(): Promise<void>
}

/** `ServerSide` behind node:net on 127.0.0.1 (a free port). */
export async function startServer(crypto: Crypto, options: ServerSideOptions = {}): Promise<TestServer> {
  const side = new ServerSide(crypto, await testKey(crypto), options)
  const sockets = new Set<net.Socket>()
  let accepted = 0
  const tcp = net.createServer((sock) => {
    accepted++
    sockets.add(sock)
    sock.setNoDelay(true)
    let timer: ReturnType<typeof setTimeout> | undefined
    const l: ServerLink = side.accept(
      { write: (b) => void sock.write(b), end: () => void sock.end() },
      () => {
        clearTimeout(timer)
        const d = l.nextDeadline()
        if (d !== undefined) timer = setTimeout(() => l.tick(Date.now()), Math.max(0, d - Date.now()))
      },
    )
    sock.on('data', (b: Buffer) => l.input(new Uint8Array(b)))
    sock.on('error', () => {})
    sock.on('close', () => {
      clearTimeout(timer)
      sockets.delete(sock)
      l.closed()
    })
  })
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
  return {
    port: (tcp.address() as net.AddressInfo).port,
    key: side.key,
    side,
    calls: side.calls,
    accepted: () => accepted,
    dropAll() {
      for (const x of sockets) x.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const x of sockets) x.destroy()
        tcp.close(() => resolve())
      }),
  }
}
