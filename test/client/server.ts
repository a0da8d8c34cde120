/**
 * Servers for the client tests, in this process.
 * - `startServer`: our server driver itself (src/node/server.ts, what `mtwire serve` runs) on
 *   loopback TCP.
 * - `ServerSide`: the same layers with no socket and no timer (`ServerTransport` for every
 *   transport, the auth layer's `HandshakeServer` for unencrypted packets, a `SessionServer` for
 *   the rest, one key store), for the in-memory network of the link and fault tests (net.ts),
 *   on a clock the test moves.
 * Both record the API calls their handler sees, so tests check that nothing ran twice.
 */
// the Node entry: node:crypto's WebCrypto for generateRsaKey where there is no global (Node 18)
import { createServer, type MtwireServer } from '../../src/node/index.js'
import { HandshakeServer } from '../../src/auth/server.js'
import { generateRsaKey, type GeneratedRsaKey } from '../../src/auth/rsa.js'
import { MemoryKeyStore } from '../../src/auth/keystore.js'
import type { Crypto } from '../../src/crypto/types.js'
import { type RpcCall, type ServerConnection, SessionServer, type SessionServerOptions } from '../../src/session/server.js'
import { ServerTransport } from '../../src/transport/server.js'
import { ReplayCache } from '../../src/transport/faketls.js'

export interface ServerSideOptions {
  secrets?: string[]
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
  private readonly replayCache = new ReplayCache()
  private readonly byConn = new Map<ServerConnection, ServerLink>()
  readonly now: () => number

  constructor(readonly crypto: Crypto, readonly key: GeneratedRsaKey, readonly options: ServerSideOptions = {}) {
    this.now = options.now ?? Date.now
    this.handshakes = new HandshakeServer(crypto, { keys: [key.privateKey], keyStore: this.keys })
    this.sessions = new SessionServer({
      crypto,
      keys: this.keys,
      now: this.now,
      handler: (c) => {
        this.calls.push(c)
        return options.handler?.(c) ?? true
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
  /** The server driver (src/node/server.ts) as `mtwire serve` runs it. */
  server: MtwireServer
  keys: MemoryKeyStore
  /** API calls that reached the handler (numbered calls answered by `options.handler`). */
  calls: RpcCall[]
  /** Drops every connection, as a restart that keeps the keys (mtwire serve --state) would. */
  dropAll(): Promise<void>
  close(): Promise<void>
}

/**
 * Our server driver (`createServer`, what `mtwire serve` runs) on 127.0.0.1, in this process:
 * every transport, `secrets`, the relay; `handler` answers first and records what it sees
 * (`undefined` passes a call on to the built-in ones).
 */
export async function startServer(crypto: Crypto, options: { secrets?: string[]; handler?: (call: RpcCall) => unknown } = {}): Promise<TestServer> {
  const key = await testKey(crypto)
  const keys = new MemoryKeyStore()
  const calls: RpcCall[] = []
  const saltSecret = crypto.randomBytes(32)
  const relay = { secret: crypto.randomBytes(32) }
  const make = (): MtwireServer =>
    createServer({
      crypto, rsaKeys: [key.privateKey], keyStore: keys, secrets: options.secrets, saltSecret, relay,
      handler: (c) => {
        calls.push(c)
        return options.handler?.(c)
      },
    })
  let server = make()
  const port = (await server.listen(0, '127.0.0.1')).port
  const t: TestServer = {
    port, key, keys, calls,
    get server() {
      return server
    },
    async dropAll() {
      await server.close()
      server = make()
      await server.listen(port, '127.0.0.1')
    },
    close: () => server.close(),
  }
  return t
}
