/**
 * The Node server driver: `createServer(options)` on node:net, what `mtwire serve` runs. Thin
 * on purpose: every protocol decision stays in the sans-IO layers, and this file owns what
 * they cannot: sockets, timers, backpressure and limits.
 *
 * Per connection: a `ServerTransport` (every transport on one port, detected from the first
 * bytes: abridged, intermediate, padded, full, obfuscated2, MTProxy plain / `dd` / `ee` secrets
 * with the fake-TLS fallback, HTTP `POST /api`, WebSocket `/apiws`); unencrypted packets
 * (auth_key_id 0) go to the handshake (`HandshakeServer`), the others to the sessions
 * (`SessionServer`, which answers −404 for unknown keys); what each layer hands down goes into
 * the transport's `send()` as it is, and the transport's bytes to the socket. RPCs reach a
 * handler chain: the session's own service messages and `mtwire.echo` / `mtwire.sleep`, then the
 * embedder's handler (if any; `undefined` passes the call on), the secret-chat methods
 * (`SecretRelay`: two clients of one server can open a secret chat), `help.getNearestDc`, and
 * rpc_error for anything else.
 *
 * Timers: one heap of connections by their next deadline (the sessions' `nextDeadline()`, the
 * idle, handshake and stall limits) and one Node timer for its earliest: no timer object per
 * connection. Backpressure: input is fed to the layers in slices; when the socket's outgoing
 * queue passes `highWaterBytes` reading pauses until it drains, and a client that does not
 * drain it within `stallTimeoutMs`, or lets it pass `maxBufferedBytes`, is dropped.
 */
import * as net from 'node:net'
import { HandshakeServer, type HandshakeServerOptions, type ServerHandshake } from '../auth/server.js'
import { MemoryKeyStore, type KeyStore } from '../auth/keystore.js'
import type { ServerPrivateKey } from '../auth/rsa.js'
import type { Crypto } from '../crypto/types.js'
import { createCryptoSync } from '../crypto/index.js'
import type { MtwireError } from '../errors.js'
import { SecretRelay, type RelayLimits } from '../secret/relay.js'
import { RpcError } from '../session/errors.js'
import { type RpcCall, type RpcHandler, type ServerConnection, type ServerConnectionEvent, type ServerLimits, SessionServer } from '../session/server.js'
import { TimerHeap } from '../session/timers.js'
import { TlWriter } from '../tl/writer.js'
import { ReplayCache } from '../transport/faketls.js'
import { ServerTransport, type ConnectionInfo, type ServerTransportOptions } from '../transport/server.js'

/** The driver's limits (`limits` option); the layers have their own (`handshake`, `session`, `relay` options). */
export interface DriverLimits {
  /** Connections open at once; more are closed at once. Default 10 000. */
  maxConnections: number
  /** Connections open at once from one IP address. Default 256 (loopback exempt unless given). */
  maxConnectionsPerIp: number
  /** Handshakes in flight (the auth layer's `maxInFlight`: a new one drops the oldest). Default 10 000. */
  maxHandshakes: number
  /** Handshakes in flight per IP address (`maxInFlightPerAddress`). Default 16 (loopback exempt unless given). */
  maxHandshakesPerIp: number
  /** A connection with no encrypted message accepted this long after it opened is closed (ms). Default 30 000. */
  handshakeTimeoutMs: number
  /** A connection that sent nothing for this long is closed (ms). Default 300 000 (clients ping every 60 s). */
  idleTimeoutMs: number
  /** Reading pauses while more than this waits in the socket's outgoing queue (bytes). Default 256 KiB. */
  highWaterBytes: number
  /** A connection whose outgoing queue passes this is dropped (bytes). Default 4 MiB. */
  maxBufferedBytes: number
  /** A connection paused this long without draining its outgoing queue (a client that stopped reading) is dropped (ms). Default 30 000. */
  stallTimeoutMs: number
  /** Largest packet accepted, checked from its header (bytes). Default 2 MiB (an MTProto message is at most ~1 MiB). */
  maxPacketLength: number
  /** HTTP requests queued on one keep-alive connection behind the one being answered. Default 16. */
  maxHttpPipeline: number
  /**
   * A session whose client has had no connection for this long is forgotten (ms; the spec lets a
   * server do so: the client gets new_session_created when it comes back). Until then it keeps
   * the answers the client has not acknowledged, to re-send them on its next connection. Default 300 000.
   */
  sessionLingerMs: number
}

export const DRIVER_LIMITS: Readonly<DriverLimits> = {
  maxConnections: 10_000,
  maxConnectionsPerIp: 256,
  maxHandshakes: 10_000,
  maxHandshakesPerIp: 16,
  handshakeTimeoutMs: 30_000,
  idleTimeoutMs: 300_000,
  highWaterBytes: 256 << 10,
  maxBufferedBytes: 4 << 20,
  stallTimeoutMs: 30_000,
  maxPacketLength: 2 << 20,
  maxHttpPipeline: 16,
  sessionLingerMs: 300_000,
}

/** One log line's worth: what happened, to which connection. `conn` numbers connections from 1. */
export type ServerLogEvent =
  | { event: 'listening'; host: string; port: number }
  | { event: 'open'; conn: number; remote: string }
  | { event: 'detected'; conn: number; transport: string; framing?: string; dc?: number; secret?: number; websocket?: string }
  | { event: 'auth-key'; conn: number; keyId: string; temporary: boolean; expiresAt?: number; dc?: number }
  | { event: 'session'; conn: number; keyId: string; sessionId: string; created: boolean }
  | { event: 'refused'; conn: number; status: number | string; reason: string }
  | { event: 'fallback'; conn: number; target: string; reason: string }
  | { event: 'error'; conn: number; code: string; message: string }
  | { event: 'limit'; conn?: number; remote: string; limit: keyof DriverLimits | 'maxHttpPipeline'; detail?: string }
  | { event: 'close'; conn: number; reason: string; bytesIn: number; bytesOut: number; ms: number }

export interface MtwireServerOptions {
  /** Default: `createCryptoSync()` (the best backend; node:crypto for the big numbers). */
  crypto?: Crypto
  /** The RSA keys clients encrypt to. Default: one generated at `listen()` (fingerprint's top byte ≥ 0x10). */
  rsaKeys?: readonly ServerPrivateKey[]
  /** Where auth keys live. Default: a `MemoryKeyStore`; `FileKeyStore` keeps permanent keys across restarts. */
  keyStore?: KeyStore
  /** MTProxy secrets (hex): with them, MTProxy connections with that plain, `dd` or `ee` secret, next to every other transport. */
  secrets?: readonly string[]
  /** Where fake-TLS (and other) connections that fail the checks are handed, byte for byte: a real site. */
  tlsFallback?: { host: string; port: number }
  /** A test DC (clients name dc + 10000; a mismatch is answered −444). Default false. */
  test?: boolean
  /** This server's DC id, for help.getNearestDc. Default 2. */
  dcId?: number
  /** The embedder's RPC handler, asked before the built-in ones; `undefined` (or a promise of it) passes the call on. */
  handler?: RpcHandler
  limits?: Partial<DriverLimits>
  /** Options of the handshake server (its limits). */
  handshake?: Omit<HandshakeServerOptions, 'keys' | 'keyStore' | 'test'>
  /** Limits of the session server. */
  session?: Partial<ServerLimits>
  /** The secret used to derive salts; keep it across restarts (with the keys) so clients keep theirs. Default: random. */
  saltSecret?: Uint8Array
  /** Secret-chat relay: its secret (user ids and access hashes derive from it) and limits; `false` turns it off. */
  relay?: false | { secret?: Uint8Array; limits?: Partial<RelayLimits> }
  /** One call per connection event (a log line). */
  log?: (e: ServerLogEvent) => void
  /** The clock (ms). Default `Date.now`. */
  now?: () => number
}

export interface MtwireServer {
  /** Starts listening; resolves with the address (port 0: the system's choice). */
  listen(port?: number, host?: string): Promise<net.AddressInfo>
  /** Stops accepting, closes every connection, resolves when all are gone. */
  close(): Promise<void>
  /** The address, once listening. */
  address(): net.AddressInfo | undefined
  /** The RSA keys in use (generated at `listen()` when none were given). */
  readonly rsaKeys: readonly ServerPrivateKey[]
  readonly keyStore: KeyStore
  readonly sessions: SessionServer
  readonly handshakes: HandshakeServer
  /** Undefined when turned off. */
  readonly relay: SecretRelay | undefined
  /** Open connections (and their IP addresses), sessions held, bytes in and out so far, bytes waiting in the sockets' outgoing queues now. */
  stats(): ServerStats
}

export interface ServerStats {
  connections: number
  ips: number
  sessions: number
  bytesIn: number
  bytesOut: number
  queuedBytes: number
}

/** help.getNearestDc#1fb33026 (api/pfs: one of the methods an unbound temporary key may call). */
const HELP_GET_NEAREST_DC = 0x1fb33026
/** nearestDc#8e1a1775 country:string this_dc:int nearest_dc:int */
const NEAREST_DC = 0x8e1a1775
/** Input is fed to the layers at most this much at a time, so backpressure can stop between slices. */
const SLICE = 16 << 10
/** A connection being closed gets this long to take its last bytes before it is destroyed (ms). */
const LINGER_MS = 2000
/** Session errors logged per connection (a misbehaving client must not flood the log). */
const MAX_LOGGED_ERRORS = 8

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x. */
const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.')

const keyHex = (id: bigint): string => BigInt.asUintN(64, id).toString(16).padStart(16, '0')

export function createServer(options: MtwireServerOptions = {}): MtwireServer {
  return new Server(options)
}

class Server implements MtwireServer {
  readonly crypto: Crypto
  readonly keyStore: KeyStore
  readonly sessions: SessionServer
  readonly relay: SecretRelay | undefined
  readonly limits: DriverLimits
  readonly now: () => number
  readonly transportOptions: ServerTransportOptions
  readonly log: (e: ServerLogEvent) => void
  private hs: HandshakeServer | undefined
  private keys: readonly ServerPrivateKey[]
  private readonly opts: MtwireServerOptions
  private readonly tcp: net.Server
  readonly conns = new Set<Conn>()
  readonly perIp = new Map<string, number>()
  readonly timers = new TimerHeap<Conn | Global>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private readonly global = new Global()
  /** Sessions that made calls, by the permanent key they act for (secret-chat pushes go to them). */
  private readonly pushTargets = new Map<bigint, Map<string, [bigint, bigint]>>()
  private nextId = 1
  bytesIn = 0
  bytesOut = 0
  private listening: net.AddressInfo | undefined
  private closing = false

  constructor(o: MtwireServerOptions) {
    this.opts = o
    this.crypto = o.crypto ?? createCryptoSync()
    this.now = o.now ?? Date.now
    this.log = o.log ?? (() => {})
    const limits = { ...DRIVER_LIMITS }
    for (const [k, v] of Object.entries(o.limits ?? {})) {
      if (!(k in limits)) throw new RangeError(`unknown limit ${k}`)
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`limits.${k} must be a positive integer`)
      ;(limits as Record<string, number>)[k] = v
    }
    this.limits = limits
    this.keyStore = o.keyStore ?? new MemoryKeyStore()
    this.keys = o.rsaKeys ?? []
    this.relay = o.relay === false ? undefined : new SecretRelay({ crypto: this.crypto, secret: o.relay?.secret, limits: o.relay?.limits, dcId: o.dcId })
    this.sessions = new SessionServer({
      crypto: this.crypto,
      keys: this.keyStore,
      now: this.now,
      limits: o.session,
      saltSecret: o.saltSecret,
      handler: (call) => this.handle(call),
      onOutgoing: (sc) => connOf.get(sc)?.flush(),
    })
    const secrets = o.secrets ?? []
    this.transportOptions = {
      crypto: this.crypto,
      secrets,
      // every transport, and with secrets the MTProxy ones too (a test server, not a hidden proxy)
      allowPlain: true,
      allowHttp: true,
      allowWebSocket: true,
      allowObfuscatedWithoutSecret: true,
      fallback: o.tlsFallback,
      // one cache per server: replayed hellos and headers of a secret are refused
      replayCache: secrets.length ? new ReplayCache() : undefined,
      maxPacketLength: limits.maxPacketLength,
    }
    // a wrong option fails here, not on the first connection
    new ServerTransport(this.transportOptions).dispose()
    if (this.keys.length) this.hs = this.makeHandshakes()
    this.tcp = net.createServer((sock) => this.accept(sock))
    this.tcp.on('error', () => {})
  }

  get rsaKeys(): readonly ServerPrivateKey[] {
    return this.keys
  }

  get handshakes(): HandshakeServer {
    if (!this.hs) throw new RangeError('no RSA key yet: call listen() first or pass rsaKeys')
    return this.hs
  }

  private makeHandshakes(): HandshakeServer {
    return new HandshakeServer(this.crypto, {
      maxInFlight: this.limits.maxHandshakes,
      maxInFlightPerAddress: this.limits.maxHandshakesPerIp,
      ...this.opts.handshake,
      keys: this.keys,
      keyStore: this.keyStore,
      test: this.opts.test,
    })
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<net.AddressInfo> {
    if (this.listening) return this.listening
    if (!this.hs) {
      const { generateRsaKey } = await import('../auth/rsa.js')
      this.keys = [(await generateRsaKey(this.crypto)).privateKey]
      this.hs = this.makeHandshakes()
    }
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject)
      this.tcp.listen(port, host, () => {
        this.tcp.off('error', reject)
        resolve()
      })
    })
    this.listening = this.tcp.address() as net.AddressInfo
    this.housekeepAt = this.now() + 60_000
    this.timers.set(this.global, this.housekeepAt)
    this.arm()
    this.log({ event: 'listening', host: this.listening.address, port: this.listening.port })
    return this.listening
  }

  address(): net.AddressInfo | undefined {
    return this.listening
  }

  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    const closed = new Promise<void>((r) => this.tcp.close(() => r()))
    for (const c of [...this.conns]) c.destroy('server closing')
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await closed
  }

  stats(): ServerStats {
    let queuedBytes = 0
    for (const c of this.conns) queuedBytes += c.sock.writableLength
    return { connections: this.conns.size, ips: this.perIp.size, sessions: this.sessions.sessionCount, bytesIn: this.bytesIn, bytesOut: this.bytesOut, queuedBytes }
  }

  private accept(sock: net.Socket): void {
    const ip = sock.remoteAddress ?? ''
    const remote = `${ip}:${sock.remotePort ?? 0}`
    const l = this.limits
    const refuse = (limit: keyof DriverLimits): void => {
      this.log({ event: 'limit', remote, limit })
      sock.on('error', () => {})
      sock.destroy()
    }
    if (this.closing) return void sock.destroy()
    if (this.conns.size >= l.maxConnections) return refuse('maxConnections')
    const n = this.perIp.get(ip) ?? 0
    if (n >= l.maxConnectionsPerIp && !this.local(ip)) return refuse('maxConnectionsPerIp')
    this.perIp.set(ip, n + 1)
    const c = new Conn(this, sock, this.nextId++, ip)
    this.conns.add(c)
    this.log({ event: 'open', conn: c.id, remote })
    c.schedule()
  }

  /** A connection is gone. */
  forget(c: Conn): void {
    this.conns.delete(c)
    this.timers.remove(c)
    const n = (this.perIp.get(c.ip) ?? 1) - 1
    if (n > 0) this.perIp.set(c.ip, n)
    else this.perIp.delete(c.ip)
  }

  /**
   * Loopback addresses are exempt from the default per-IP limits: a test's clients all come
   * from there (a load test's thousand of them), and they are the operator's own. Per-IP limits
   * given explicitly apply to them too.
   */
  local(ip: string): boolean {
    return !this.opts.limits?.maxConnectionsPerIp && !this.opts.limits?.maxHandshakesPerIp && isLoopback(ip)
  }

  /** The handshake endpoint of a new connection (loopback ones each count as an address of their own). */
  handshake(ip: string, id: number): ServerHandshake {
    return this.handshakes.connection(this.local(ip) ? `${ip}#${id}` : ip)
  }

  /** Sets the one Node timer to the earliest deadline (only ever earlier, or after it fired). */
  arm(): void {
    const at = this.timers.peek()
    if (at >= this.timerAt || this.closing) return
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.now()))
    // the server's listening socket keeps the process alive, not its timers
    this.timer.unref?.()
  }

  private fire(): void {
    this.timer = undefined
    this.timerAt = Infinity
    const now = this.now()
    const h = this.timers
    // each item is run once per firing: one whose next deadline is already due waits for the next firing
    const due: (Conn | Global)[] = []
    while (h.size && h.peek() <= now) {
      const x = h.first()
      h.remove(x)
      due.push(x)
    }
    for (const x of due) {
      if (x instanceof Global) this.tickGlobal(now)
      else x.tick(now)
    }
    this.arm()
  }

  /** Housekeeping: once a minute, expired handshakes and temporary keys; and sessions left without a connection. */
  private tickGlobal(now: number): void {
    if (now >= this.housekeepAt) {
      this.hs?.tick(now)
      this.keyStore.expire(Math.floor(now / 1000))
      this.housekeepAt = now + 60_000
    }
    const d = this.detached
    while (this.detachedHead < d.length && d[this.detachedHead].at <= now) {
      const { keyId, sessionId, at } = d[this.detachedHead++]
      const k = `${keyId}:${sessionId}`
      // a later connection of the same session closed after this one: its entry decides
      if (this.lastDetach.get(k) !== at) continue
      this.lastDetach.delete(k)
      const s = this.sessions.findSession(keyId, sessionId)
      // still without a connection (a client that came back has one): forgotten
      if (s !== undefined && s.conn === undefined) this.sessions.forget(s)
    }
    if (this.detachedHead > 1024 && this.detachedHead * 2 > d.length) {
      d.splice(0, this.detachedHead)
      this.detachedHead = 0
    }
    this.timers.set(this.global, Math.min(this.housekeepAt, this.detachedHead < d.length ? d[this.detachedHead].at : Infinity))
  }

  private housekeepAt = 0
  /** Sessions whose connection closed, by when to look at them again (in time order: one linger for all). */
  private readonly detached: { keyId: bigint; sessionId: bigint; at: number }[] = []
  private detachedHead = 0
  private readonly lastDetach = new Map<string, number>()

  /** A connection closed: the sessions it carried are forgotten after the linger unless their client comes back. */
  detach(sessions: Iterable<[bigint, bigint]>, now: number): void {
    const at = now + this.limits.sessionLingerMs
    let any = false
    for (const [keyId, sessionId] of sessions) {
      this.detached.push({ keyId, sessionId, at })
      this.lastDetach.set(`${keyId}:${sessionId}`, at)
      any = true
    }
    if (any && (this.global.heapAt > at || this.global.heapIx < 0)) {
      this.timers.set(this.global, Math.min(this.global.heapAt, at))
      this.arm()
    }
  }

  /**
   * The handler chain behind the session's own answers (service messages, mtwire.echo/sleep):
   * the embedder's handler, the secret-chat relay, help.getNearestDc, then rpc_error.
   */
  private handle(call: RpcCall): unknown {
    if (this.opts.handler) {
      const v = this.opts.handler(call)
      if (v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') {
        return (v as Promise<unknown>).then((x) => (x === undefined ? this.builtin(call) : x))
      }
      if (v !== undefined) return v
    }
    return this.builtin(call)
  }

  private builtin(call: RpcCall): unknown {
    const now = this.now()
    if (this.relay) {
      // "each permanent auth key is a user": a bound temporary key acts for its permanent one
      const perm = this.keyStore.bindingOfTemp(call.authKeyId, Math.floor(now / 1000))?.permId ?? call.authKeyId
      this.track(perm, call.authKeyId, call.sessionId)
      const reply = this.relay.handleBytes(perm, call.raw, now)
      if (reply) {
        for (const p of reply.pushes) this.push(p.authKeyId, p.bytes)
        return reply.bytes
      }
    }
    if (call.constructorId === HELP_GET_NEAREST_DC) {
      const dc = this.opts.dcId ?? 2
      const w = new TlWriter(null, 32)
      w.int(NEAREST_DC | 0)
      w.string('ZZ')
      w.int(dc)
      w.int(dc)
      return w.toBytes()
    }
    return new RpcError(400, `INPUT_METHOD_INVALID_${(call.constructorId >>> 0).toString(16)}`)
  }

  /** Remembers a session acting for `perm` (the last 16 per key), to push secret-chat updates to. */
  private track(perm: bigint, keyId: bigint, sessionId: bigint): void {
    let m = this.pushTargets.get(perm)
    if (!m) this.pushTargets.set(perm, (m = new Map()))
    const k = `${keyId}:${sessionId}`
    m.delete(k)
    m.set(k, [keyId, sessionId])
    if (m.size > 16) m.delete(m.keys().next().value!)
  }

  /** An update for every live session of a permanent key (sessions forgotten since are dropped from the list). */
  private push(perm: bigint, bytes: Uint8Array): void {
    const m = this.pushTargets.get(perm)
    if (!m) return
    for (const [k, [keyId, sessionId]] of m) {
      const s = this.sessions.findSession(keyId, sessionId)
      if (s) s.send(bytes)
      else m.delete(k)
    }
    if (m.size === 0) this.pushTargets.delete(perm)
  }
}

/** The once-a-minute housekeeping, as an item of the timer heap. */
class Global {
  heapAt = Infinity
  heapIx = -1
}

const connOf = new WeakMap<ServerConnection, Conn>()

/** One socket: its transport, its handshake and session endpoints, its deadlines. */
class Conn {
  heapAt = Infinity
  heapIx = -1
  private readonly t: ServerTransport
  private hs: ServerHandshake | undefined
  private sc: ServerConnection | undefined
  private http = false
  private httpQueue: { data: Uint8Array; quickAck: boolean }[] | undefined
  /** HTTP: a request is being answered. */
  private httpBusy = false
  private readonly openedAt: number
  private lastInput: number
  private authed = false
  /** Input held while reading is paused (at most one slice-able chunk). */
  private held: Uint8Array | undefined
  private pausedAt = Infinity
  private closingAt = Infinity
  private closed = false
  private upstream: net.Socket | undefined
  private errors = 0
  private tickedAt = -1
  /** The sessions this connection carried (to forget after the linger once it closes). */
  private seen: Map<string, [bigint, bigint]> | undefined
  private bytesIn = 0
  private bytesOut = 0

  constructor(readonly server: Server, readonly sock: net.Socket, readonly id: number, readonly ip: string) {
    this.t = new ServerTransport(server.transportOptions)
    this.openedAt = this.lastInput = server.now()
    sock.setNoDelay(true)
    sock.on('data', (d: Buffer) => this.onData(d))
    sock.on('drain', () => this.onDrain())
    sock.on('error', () => {})
    sock.on('end', () => this.onEnd())
    sock.on('close', () => this.onClose())
  }

  private onData(chunk: Buffer): void {
    const n = chunk.length
    this.bytesIn += n
    this.server.bytesIn += n
    this.lastInput = this.server.now()
    if (this.upstream) return this.forward(chunk)
    if (this.ending) return
    this.feed(new Uint8Array(chunk.buffer, chunk.byteOffset, n))
  }

  /** Feeds input slice by slice; stops (and holds the rest) when reading had to pause. */
  private feed(bytes: Uint8Array): void {
    let i = 0
    while (i < bytes.length) {
      if (this.pausedAt !== Infinity) {
        // a view into Node's pooled buffer: copy what waits
        this.held = bytes.slice(i)
        return
      }
      const end = Math.min(bytes.length, i + SLICE)
      this.input(bytes.subarray(i, end))
      i = end
      if (this.closed || this.ending || this.upstream) return
    }
  }

  private input(bytes: Uint8Array): void {
    const now = this.server.now()
    let evs
    try {
      evs = this.t.receive(bytes, now)
    } catch (e) {
      // receive() after the transport failed or closed: the connection is over
      return this.destroy(`transport: ${e instanceof Error ? e.message : String(e)}`)
    }
    let close: string | undefined
    // the transport closed in this chunk (a WebSocket close frame after a request, say): it takes
    // nothing more, so what the layers answer now is not sent (the session keeps its answers for
    // the client's next connection)
    if (evs.some((ev) => ev.type === 'close')) this.transportClosed = true
    for (const ev of evs) {
      switch (ev.type) {
        case 'detected':
          this.detected(ev.info)
          break
        case 'packet':
          if (this.http) this.httpRequest(ev.data, ev.quickAck, now)
          else if (!this.packet(ev.data, ev.quickAck, now)) close ??= 'transport error sent'
          break
        case 'fallback':
          this.fallback(ev.host, ev.port, ev.data, ev.reason)
          return
        case 'forward':
          this.upstream?.write(ev.data)
          break
        case 'close':
          close ??= ev.reason
          break
        case 'error':
          this.logError(ev.error)
          close ??= `${ev.error.code}: ${ev.error.message}`
          break
        case 'quickAck':
          break // only clients receive quick ACKs
      }
    }
    this.flush(now)
    if (close !== undefined) this.end(close)
  }

  private detected(info: ConnectionInfo): void {
    this.http = info.transport === 'http'
    this.server.log({
      event: 'detected',
      conn: this.id,
      transport: info.transport,
      ...(info.framing ? { framing: info.framing } : {}),
      ...(info.dc ? { dc: info.dc.raw } : {}),
      ...(info.secretIndex >= 0 ? { secret: info.secretIndex } : {}),
      ...(info.websocket ? { websocket: info.websocket.path } : {}),
    })
  }

  /**
   * One packet: unencrypted (auth_key_id 0) to the handshake, the rest to the sessions. Returns
   * false when a layer answered with a transport error (the connection then closes).
   */
  private packet(data: Uint8Array, quickAck: boolean, now: number): boolean {
    const s = this.server
    if (data.length >= 8 && (data[0] | data[1] | data[2] | data[3] | data[4] | data[5] | data[6] | data[7]) === 0) {
      this.hs ??= s.handshake(this.ip, this.id)
      let made = false
      for (const e of this.hs.receive(data, now)) {
        if (e.type === 'auth-key') {
          made = true
          const k = e.key
          s.log({ event: 'auth-key', conn: this.id, keyId: keyHex(k.id), temporary: k.temporary, ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}), ...(k.dc !== undefined ? { dc: k.dc } : {}) })
        } else s.log({ event: 'refused', conn: this.id, status: e.status, reason: e.reason })
      }
      let ok = true
      for (const o of this.hs.takeOutgoing()) {
        this.send(o)
        if (o.type === 'transportError') ok = false
      }
      // a key was made: the endpoint (its resPQ answers kept for a resent req_pq) is not needed by
      // an idle connection; another handshake on it (a temporary key) gets a new one. The shared
      // server still answers a resent last step (it keeps runs by nonce, not by endpoint).
      if (made) this.hs = undefined
      return ok
    }
    if (!this.sc) {
      this.sc = s.sessions.connection({ http: this.http })
      connOf.set(this.sc, this)
    }
    this.events(this.sc.receive(data, now, quickAck))
    return true
  }

  private events(evs: ServerConnectionEvent[]): void {
    for (const e of evs) {
      if (e.type === 'session') {
        this.authed = true
        // a key's first message opens a session: its handshake's remembered answers can go
        if (e.created) this.server.handshakes.keyUsed(e.authKeyId)
        ;(this.seen ??= new Map()).set(`${e.authKeyId}:${e.sessionId}`, [e.authKeyId, e.sessionId])
        this.server.log({ event: 'session', conn: this.id, keyId: keyHex(e.authKeyId), sessionId: keyHex(e.sessionId), created: e.created })
      } else if (e.type === 'close') {
        this.closeAfterFlush(e.reason)
      } else if (e.type === 'bound') {
        // the bind proved the client holds the permanent key: its handshake can go too
        this.server.handshakes.keyUsed(e.permAuthKeyId)
      } else this.logError(e.error)
    }
  }

  private logError(err: MtwireError): void {
    if (++this.errors > MAX_LOGGED_ERRORS) return
    this.server.log({ event: 'error', conn: this.id, code: err.code, message: err.message })
  }

  /**
   * HTTP: one request at a time on a keep-alive connection, each with its own session endpoint
   * (the session layer holds the answer per http_wait and then gives it); requests pipelined
   * behind wait, at most `maxHttpPipeline`.
   */
  private httpRequest(data: Uint8Array, quickAck: boolean, now: number): void {
    const q = (this.httpQueue ??= [])
    if (q.length >= this.server.limits.maxHttpPipeline) {
      this.server.log({ event: 'limit', conn: this.id, remote: this.ip, limit: 'maxHttpPipeline' })
      return this.closeAfterFlush('too many pipelined HTTP requests')
    }
    q.push({ data, quickAck })
    if (!this.httpBusy) this.nextHttp(now)
  }

  private nextHttp(now: number): void {
    while (!this.httpBusy && this.httpQueue?.length) {
      const r = this.httpQueue.shift()!
      this.httpBusy = true
      if (!this.packet(r.data, r.quickAck, now)) return this.closeAfterFlush('transport error sent')
      // a handshake answers at once: its response is queued, the next request may come
      if (!this.sc) this.httpBusy = false
    }
  }

  /** The current HTTP request got its response: its session endpoint goes, the next request comes. */
  private httpAnswered(now: number): void {
    this.httpBusy = false
    if (this.sc) {
      connOf.delete(this.sc)
      this.sc.close()
      this.sc = undefined
    }
    this.nextHttp(now)
  }

  /** Into the transport, unless it closed. */
  private send(o: Parameters<ServerTransport['send']>[0]): void {
    if (!this.transportClosed) this.t.send(o)
  }

  /** Writes what the layers have to send; then the deadlines. */
  flush(now = this.server.now()): void {
    if (this.closed) return
    for (let sc = this.transportClosed ? undefined : this.sc; sc; sc = this.sc) {
      let answered = false
      for (const o of sc.takeOutgoing(now)) {
        this.send(o)
        if (o.type === 'transportError') this.closeAfterFlush('transport error sent')
        answered = true
      }
      // HTTP: that was the response to the pending request; the next one may have its answer already
      if (!(this.http && answered)) break
      this.httpAnswered(now)
    }
    const out = this.t.takeOutgoing()
    if (out.length) {
      const s = this.sock
      if (out.length > 1) s.cork()
      for (const b of out) {
        this.bytesOut += b.length
        this.server.bytesOut += b.length
        s.write(b)
      }
      if (out.length > 1) s.uncork()
      this.backpressure(now)
    }
    if (this.ending && this.closingAt === Infinity && !this.closed) {
      // everything queued is written: half-close, and destroy after a linger
      this.closingAt = now + LINGER_MS
      this.sock.end()
    }
    this.schedule(now)
  }

  /** Pauses reading above the high-water mark; drops a client past the hard bound. */
  private backpressure(now: number): void {
    const queued = this.sock.writableLength
    const l = this.server.limits
    if (queued > l.maxBufferedBytes) {
      this.server.log({ event: 'limit', conn: this.id, remote: this.ip, limit: 'maxBufferedBytes', detail: `${queued} bytes queued` })
      return this.destroy('the client does not read: outgoing queue over maxBufferedBytes')
    }
    if (queued > l.highWaterBytes && this.pausedAt === Infinity) {
      this.pausedAt = now
      this.sock.pause()
    }
  }

  private onDrain(): void {
    if (this.pausedAt === Infinity || this.closed) return
    this.pausedAt = Infinity
    const held = this.held
    this.held = undefined
    if (held) this.feed(held)
    if (this.pausedAt === Infinity && !this.closed) this.sock.resume()
    this.schedule()
  }

  /** The next deadline of this connection into the server's heap. */
  schedule(now = this.server.now()): void {
    if (this.closed) return
    if (this.ending && this.closingAt !== Infinity) {
      // closing: only the linger is left
      this.server.timers.set(this, this.closingAt)
      return this.server.arm()
    }
    const l = this.server.limits
    let t = Math.min(this.lastInput + l.idleTimeoutMs, this.closingAt)
    if (!this.authed) t = Math.min(t, this.openedAt + l.handshakeTimeoutMs)
    if (this.pausedAt !== Infinity) t = Math.min(t, this.pausedAt + l.stallTimeoutMs)
    // a deadline still due right after its tick (a layer that cannot progress) waits a little: no hot loop
    const d = this.sc?.nextDeadline()
    if (d !== undefined) t = Math.min(t, Math.max(d, this.tickedAt === now ? now + 10 : now))
    this.server.timers.set(this, t)
    this.server.arm()
  }

  tick(now: number): void {
    if (this.closed) return
    this.tickedAt = now
    const l = this.server.limits
    if (now >= this.closingAt) return this.destroy('closed (linger expired)')
    if (this.pausedAt !== Infinity && now >= this.pausedAt + l.stallTimeoutMs) {
      this.server.log({ event: 'limit', conn: this.id, remote: this.ip, limit: 'stallTimeoutMs' })
      return this.destroy('the client does not read: stalled')
    }
    if (now >= this.lastInput + l.idleTimeoutMs) return this.end('idle')
    if (!this.authed && now >= this.openedAt + l.handshakeTimeoutMs) {
      this.server.log({ event: 'limit', conn: this.id, remote: this.ip, limit: 'handshakeTimeoutMs' })
      return this.end('no encrypted message in time (handshake timeout)')
    }
    if (this.sc) this.events(this.sc.tick(now))
    this.flush(now)
  }

  /** Ends the connection at the next flush, once what is queued was written (a last answer, a transport error, a TLS alert). */
  private closeAfterFlush(reason: string): void {
    if (this.ending || this.closed) return
    this.ending = true
    this.closeReason = reason
  }

  private ending = false
  private closeReason = ''
  private transportClosed = false

  /** Flushes, half-closes, and destroys after a linger if the client does not close its side. */
  end(reason: string): void {
    if (this.closed) return
    this.closeAfterFlush(reason)
    this.flush()
  }

  destroy(reason: string): void {
    if (this.closed) return
    this.closeReason ||= reason
    this.sock.destroy()
    this.onClose()
  }

  private onEnd(): void {
    // the client half-closed: answer what is queued, then close
    if (!this.upstream) this.end('the client closed')
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.upstream?.destroy()
    if (this.sc) {
      connOf.delete(this.sc)
      this.sc.close()
      this.sc = undefined
    }
    this.t.dispose()
    this.server.forget(this)
    if (this.seen) this.server.detach(this.seen.values(), this.server.now())
    this.server.log({
      event: 'close', conn: this.id, reason: this.closeReason || 'the client closed', bytesIn: this.bytesIn, bytesOut: this.bytesOut, ms: this.server.now() - this.openedAt,
    })
  }

  /**
   * The transport refused the client (a failed fake-TLS check, an unknown header): from now on
   * this connection is a pipe to the fallback host, every byte received so far first, and
   * each later byte once, in order, with backpressure both ways.
   */
  private fallback(host: string, port: number, data: Uint8Array, reason: string): void {
    this.server.log({ event: 'fallback', conn: this.id, target: `${host}:${port}`, reason })
    this.authed = true // no handshake timeout: it is the fallback's connection now
    const up = net.connect(port, host)
    this.upstream = up
    up.on('error', () => this.destroy('fallback connection failed'))
    up.on('close', () => this.end('fallback closed'))
    up.on('data', (d: Buffer) => {
      this.bytesOut += d.length
      this.server.bytesOut += d.length
      if (!this.sock.write(d)) {
        up.pause()
        this.sock.once('drain', () => up.resume())
      }
    })
    up.on('end', () => this.sock.end())
    this.sock.on('end', () => up.end())
    this.forward(data)
  }

  private forward(d: Uint8Array): void {
    const up = this.upstream!
    if (!up.write(d) && !this.sock.isPaused()) {
      this.sock.pause()
      up.once('drain', () => this.sock.resume())
    }
  }
}
