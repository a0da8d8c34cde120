/**
 * A client's link to one server, sans-IO: the connections (through a `Carrier`), the handshake
 * that makes the permanent key when there is none, temporary keys and their binding (api/pfs),
 * the `ClientSession` that outlives every connection, and when to reconnect (`ReconnectPolicy`).
 * Every protocol decision of a client is here or below; a driver only opens the connections it
 * is told to, writes bytes, feeds back what arrives and calls `tick` at `nextDeadline()`.
 *
 * The Layer shape (DESIGN.md): `receive(input, now)` takes what the driver saw (a connection
 * opened, bytes, a connection closed) and returns events; `takeOutgoing()` gives what to do
 * (`connect`, `write`, `close`, each naming a connection); `nextDeadline()` / `tick(now)` run
 * the timers of every layer inside. Nothing the server sends throws.
 *
 *   const link = new ClientLink({ crypto, dcId: 2, rsaKeys: [key], transport: 'intermediate' })
 *   link.start(now)                       // → { type: 'connect', conn: 1 }
 *   // socket 1 connects:        link.receive({ type: 'open', conn: 1 }, now)
 *   // bytes arrive on it:       link.receive({ type: 'data', conn: 1, data }, now)
 *   // it closes:                link.receive({ type: 'closed', conn: 1 }, now)
 *   // after each: do what link.takeOutgoing() says; at link.nextDeadline(): link.tick(now)
 *   const pong = await link.invoke({ _: 'ping', ping_id: 1n })
 *
 * Reconnecting: a connection that fails (closed, a transport error, a message that fails
 * decryption, no pong) is dropped and, after the policy's delay, a new one opens; the session
 * re-sends what the server has not acknowledged with the same msg_ids, so the server runs each
 * request once and answers it once. The first connection is not retried: a client that never
 * got through fails at once with `E_CONNECT` (a wrong port should not hang `connect()`).
 */
import { ClientHandshake, type ClientHandshakeEvent, type ClientHandshakeOptions } from '../auth/client.js'
import type { ServerPublicKey } from '../auth/rsa.js'
import { createAuthKey } from '../crypto/authkey.js'
import type { Crypto } from '../crypto/types.js'
import { MtwireError, SessionError, TransportError } from '../errors.js'
import { none } from '../layer.js'
import type { TlObject } from '../tl/codec.js'
import { TransportStatusError } from '../transport/errors.js'
import type { FramingKind } from '../transport/framing.js'
import {
  type Carrier, type CarrierChange, createPipe, HttpCarrier, type LinkOutput, type PipeEvent, StreamCarrier, TRANSPORT_NAMES, type TransportName,
} from './carrier.js'
import { ClientSession, type ClientSessionEvent, type ClientSessionOptions, type ClientSessionState, type InvokeOptions } from './client.js'
import { ReconnectPolicy, type ReconnectOptions } from './reconnect.js'

export type { LinkOutput, TransportName } from './carrier.js'

/** What the driver saw. */
export type LinkInput =
  | { type: 'open'; conn: number }
  | { type: 'data'; conn: number; data: Uint8Array }
  /** The connection closed: by the peer, the network (`error`), or after a `close` we asked for. */
  | { type: 'closed'; conn: number; error?: unknown }

/** Where the link is: connecting, creating or binding keys, ready, waiting to reconnect, closed. */
export type LinkStatus = 'connecting' | 'handshake' | 'ready' | 'waiting' | 'closed'

export type ClientLinkEvent =
  /** The status changed. `waiting`: reconnecting in `delay` ms after `error`; `closed`: for good (`error` unless `close()` was called). */
  | { type: 'status'; status: LinkStatus; delay?: number; error?: MtwireError }
  /** A key was created: a permanent one (persist `exportState()` now) or a temporary one. `ms`: how long its handshake took. */
  | { type: 'authKey'; temporary: boolean; authKeyId: bigint; expiresAt?: number; ms: number }
  /** The session's events (update, newSession, bound, result, error, ...), and transport errors as `error` events. */
  | ClientSessionEvent

/** Everything a client needs to continue in another process (plain JSON data). */
export interface ClientState {
  version: 1
  dcId: number
  /** When the permanent key was created (unix seconds, server clock), for api/pfs' ENCRYPTED_MESSAGE_INVALID rule. */
  createdAt?: number
  /** The session: the permanent key, salts, clock offset, counters, unanswered requests. */
  session: ClientSessionState
}

export interface ClientLinkOptions {
  crypto: Crypto
  /** The server's DC id (1..9999): sent in the handshake and in obfuscated2 headers. */
  dcId: number
  testMode?: boolean
  media?: boolean
  /** Default `intermediate`; `obfuscated2` when a `secret` is given. */
  transport?: TransportName
  /** MTProxy secret (hex or bytes): plain, `dd` (padded) or `ee` (fake-TLS). obfuscated2 and WebSocket only. */
  secret?: string | Uint8Array
  /** The framing inside obfuscated2 / WebSocket (default intermediate, padded with dd/ee secrets). */
  framing?: FramingKind
  /** Host name for the HTTP `Host` header and the WebSocket request line. */
  host?: string
  /** WebSocket: `'rfc6455'` (default) when the driver's connection is a byte stream, `'native'` when it is a WebSocket. */
  webSocketFrames?: 'rfc6455' | 'native'
  /** The server's RSA keys (default: Telegram's). */
  rsaKeys?: readonly ServerPublicKey[]
  /** Continue from `exportState()`: no handshake. */
  state?: ClientState
  /** Perfect forward secrecy: messages go under temporary keys bound to the permanent one (api/pfs). */
  pfs?: boolean | { expiresIn?: number }
  /** Passed to the ClientSession (ping interval, timeouts, codec, ...). */
  session?: Omit<ClientSessionOptions, 'crypto' | 'authKey' | 'salt' | 'sessionId' | 'timeOffset' | 'now' | 'onOutgoing' | 'permKeyCreatedAt'>
  /** Passed to each ClientHandshake. */
  handshake?: Pick<ClientHandshakeOptions, 'timeoutMs' | 'resendMs' | 'innerData' | 'encoding' | 'maxRetries' | 'bignum'>
  /** Backoff between reconnections; `false`: a lost connection closes the link. */
  reconnect?: ReconnectOptions | false
  /** A connection must open within this many ms. Default 10 000. */
  connectTimeout?: number
  /** HTTP long polling: http_wait's max_delay, wait_after and max_wait (defaults 0, 0, 25 000 ms). */
  httpWait?: { maxDelay?: number; waitAfter?: number; maxWait?: number }
  maxPacketLength?: number
  /** The clock (ms). Default `Date.now`. */
  now?: () => number
  /** Called when `takeOutgoing()` has something new outside receive/tick (after `invoke`). */
  onOutgoing?: () => void
}

/** Bytes, connections and handshake times, for logs and benchmarks. */
export interface LinkStats {
  bytesSent: number
  bytesReceived: number
  connections: number
  /** Handshake times (ms) of the keys this link created. */
  handshakes: { temporary: boolean; ms: number }[]
}

interface Early {
  request: TlObject | Uint8Array
  options: InvokeOptions & { tag?: unknown }
  evented: boolean
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}

/** -404s on session traffic, with no message decrypting in between, that mean the key is gone (temporary, permanent). */
const STRIKES_TEMP = 2
const STRIKES_PERM = 3
/** Temporary keys last this long unless `pfs.expiresIn` says otherwise (mtcute and Telethon use a day too). */
const TEMP_EXPIRES_IN = 86_400
/** Extra time an HTTP request may take beyond what its http_wait allows. */
const HTTP_GRACE = 10_000

function withCause<E extends Error>(e: E, cause: unknown): E {
  if (cause !== undefined) Object.defineProperty(e, 'cause', { value: cause, enumerable: false, configurable: true })
  return e
}

function asMtwire(e: unknown, fallback: string): MtwireError {
  if (e instanceof MtwireError) return e
  return withCause(new SessionError('E_CONNECT', e instanceof Error && e.message ? `${fallback}: ${e.message}` : fallback), e)
}

export class ClientLink {
  readonly crypto: Crypto
  private readonly o: ClientLinkOptions
  /** The link's clock (ms): `options.now` or `Date.now`. */
  readonly now: () => number
  private readonly carrier: Carrier & { bytesSent: number; bytesReceived: number; connections: number }
  private readonly http: boolean
  private readonly policy: ReconnectPolicy | undefined
  private readonly pfs: boolean
  private readonly expiresIn: number
  private readonly httpWaitOpts: { maxDelay: number; waitAfter: number; maxWait: number }
  private session_: ClientSession | undefined
  private hs: ClientHandshake | undefined
  private hsTemp = false
  private hsStartedAt = 0
  /** A temporary key was handed to the session; `tempDead`: the server no longer knows it. */
  private usingTemp = false
  private tempDead = false
  private tempWanted = false
  private bound = false
  private phase: 'idle' | 'connecting' | 'open' | 'waiting' | 'closed' = 'idle'
  private waitUntil = Infinity
  private lastStatus: LinkStatus | undefined
  private everReady = false
  private strikes = 0
  private createdAt: number | undefined
  private ev: ClientLinkEvent[] = []
  private early: Early[] = []
  private readonly handshakes: { temporary: boolean; ms: number }[] = []

  constructor(options: ClientLinkOptions) {
    if (!options || typeof options !== 'object') throw new SessionError('E_OPTION', 'ClientLink options are required')
    const o = options
    if (!Number.isInteger(o.dcId) || o.dcId < 1 || o.dcId > 9999) throw new SessionError('E_OPTION', 'dcId must be an integer in 1..9999')
    const transport = o.transport ?? (o.secret !== undefined ? 'obfuscated2' : 'intermediate')
    if (!TRANSPORT_NAMES.includes(transport)) throw new SessionError('E_OPTION', `transport must be one of ${TRANSPORT_NAMES.join(', ')}`)
    if (o.secret !== undefined && transport !== 'obfuscated2' && transport !== 'websocket') throw new SessionError('E_OPTION', 'an MTProxy secret needs the obfuscated2 transport')
    if (o.state !== undefined && (typeof o.state !== 'object' || o.state === null || o.state.version !== 1 || typeof o.state.session !== 'object')) {
      throw new SessionError('E_STATE', 'state must be what exportState() returned')
    }
    if (o.state !== undefined && o.state.dcId !== o.dcId) throw new SessionError('E_STATE', `state is for DC ${String(o.state.dcId)}, not ${o.dcId}`)
    const ct = o.connectTimeout ?? 10_000
    if (!(ct > 0)) throw new SessionError('E_OPTION', 'connectTimeout must be a positive number of ms')
    this.o = o
    this.crypto = o.crypto
    this.now = o.now ?? Date.now
    this.pfs = o.pfs !== undefined && o.pfs !== false
    this.expiresIn = typeof o.pfs === 'object' ? o.pfs.expiresIn ?? TEMP_EXPIRES_IN : TEMP_EXPIRES_IN
    if (!Number.isInteger(this.expiresIn) || this.expiresIn < 60) throw new SessionError('E_OPTION', 'pfs.expiresIn must be an integer of at least 60 seconds')
    const w = o.httpWait ?? {}
    this.httpWaitOpts = { maxDelay: w.maxDelay ?? 0, waitAfter: w.waitAfter ?? 0, maxWait: w.maxWait ?? 25_000 }
    for (const [k, v] of Object.entries(this.httpWaitOpts)) {
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) throw new SessionError('E_OPTION', `httpWait.${k} must be an integer of ms`)
    }
    // a wrong transport option throws here, not on the first connection
    const pipeOptions = {
      crypto: o.crypto, transport, dcId: o.dcId, test: o.testMode, media: o.media, secret: o.secret, framing: o.framing,
      host: o.host, webSocketFrames: o.webSocketFrames, maxPacketLength: o.maxPacketLength, now: this.now,
    }
    const make = (): ReturnType<typeof createPipe> => {
      try {
        return createPipe(pipeOptions)
      } catch (e) {
        throw e instanceof TransportError ? new SessionError('E_OPTION', e.message) : e
      }
    }
    make().dispose?.()
    this.http = transport === 'http'
    this.carrier = this.http
      ? new HttpCarrier(make, ct, (poll) => (poll ? this.httpWaitOpts.maxWait : 0) + HTTP_GRACE)
      : new StreamCarrier(make, ct)
    this.policy = o.reconnect === false ? undefined : new ReconnectPolicy(o.crypto, o.reconnect ?? {})
    if (o.state !== undefined) {
      this.createdAt = o.state.createdAt
      this.session_ = ClientSession.fromState(o.state.session, this.sessionOptions())
    }
  }

  private sessionOptions(): Omit<ClientSessionOptions, 'authKey'> {
    // HTTP: the long poll already tells whether the server is there
    const ping = this.http ? { pingInterval: 0 } : {}
    return { ...ping, ...this.o.session, crypto: this.crypto, now: this.now, onOutgoing: this.o.onOutgoing, permKeyCreatedAt: this.createdAt }
  }

  /** The session, once there is a permanent key. */
  get session(): ClientSession | undefined {
    return this.session_
  }

  get status(): LinkStatus {
    if (this.phase === 'closed') return 'closed'
    if (this.phase === 'waiting') return 'waiting'
    if (this.phase !== 'open' || !this.carrier.isOpen) return 'connecting'
    if (this.hs !== undefined && !this.hsTemp) return 'handshake'
    if (this.session_ === undefined || (this.pfs && (!this.usingTemp || this.tempDead || !this.bound))) return 'handshake'
    return 'ready'
  }

  get stats(): LinkStats {
    const c = this.carrier
    return { bytesSent: c.bytesSent, bytesReceived: c.bytesReceived, connections: c.connections, handshakes: this.handshakes.slice() }
  }

  /** Opens the first connection. */
  start(now: number = this.now()): ClientLinkEvent[] {
    if (this.phase !== 'idle') throw new SessionError('E_STATE', 'the link was already started')
    this.phase = 'connecting'
    this.carrier.dial(now)
    this.updateStatus()
    return this.takeEvents()
  }

  receive(input: LinkInput, now: number = this.now()): ClientLinkEvent[] {
    if (this.phase === 'closed' || this.phase === 'idle') return this.takeEvents()
    switch (input.type) {
      case 'open':
        if (this.carrier.opened(input.conn, now)) this.onOpen(now)
        break
      case 'data': {
        const events = this.carrier.data(input.conn, input.data, now)
        for (let i = 0; i < events.length; i++) {
          this.onPipeEvent(events[i], now)
          if (this.phase !== 'open') break
        }
        break
      }
      case 'closed':
        this.onChange(this.carrier.closed(input.conn, now), now, input.error)
        break
    }
    this.flush(now)
    this.updateStatus()
    return this.takeEvents()
  }

  /** What to do now: connections to open, bytes to write, connections to close. Takes what the session queued since. */
  takeOutgoing(now: number = this.now()): LinkOutput[] {
    this.flush(now)
    return this.carrier.takeOut()
  }

  /**
   * `takeOutgoing()` without taking from the session first: for right after `receive()` or
   * `tick()`, which end by doing that (the runner's path for each packet: one trip through the
   * session instead of two).
   */
  takeQueued(): LinkOutput[] {
    return this.carrier.takeOut()
  }

  nextDeadline(): number | undefined {
    if (this.phase === 'closed' || this.phase === 'idle') return undefined
    let t = this.phase === 'waiting' ? this.waitUntil : Infinity
    t = earlier(t, this.carrier.nextDeadline())
    if (this.hs !== undefined) t = earlier(t, this.hs.nextDeadline())
    if (this.session_ !== undefined) t = earlier(t, this.session_.nextDeadline())
    return t === Infinity ? undefined : t
  }

  tick(now: number = this.now()): ClientLinkEvent[] {
    if (this.phase === 'closed' || this.phase === 'idle') return this.takeEvents()
    if (this.phase === 'waiting' && now >= this.waitUntil) {
      this.phase = 'connecting'
      this.waitUntil = Infinity
      this.carrier.dial(now)
    }
    this.onChange(this.carrier.tick(now), now, new SessionError('E_CONNECT', 'no connection within connectTimeout'))
    if (this.hs !== undefined) this.onHandshake(this.hs.tick(now), now)
    if (this.session_ !== undefined && this.status !== 'closed') this.onSession(this.session_.tick(now), now)
    this.flush(now)
    this.updateStatus()
    return this.takeEvents()
  }

  // ------------------------------------------------------------------ requests

  /**
   * Sends an RPC query through the session (see `ClientSession.invoke`). Before the first
   * permanent key exists, the request waits for it (its timeout starts then).
   */
  invoke<T = unknown>(request: TlObject | Uint8Array, options?: InvokeOptions): Promise<T> {
    if (this.phase === 'closed') return Promise.reject(new SessionError('E_CLOSED', 'the client is closed'))
    if (this.session_ !== undefined) return this.session_.invoke<T>(request, options)
    return new Promise<T>((resolve, reject) => this.early.push({ request, options: options ?? {}, evented: false, resolve: resolve as (v: unknown) => void, reject }))
  }

  /** The Layer's `send`: like `invoke`, the outcome as a `result` event carrying `options.tag`. */
  send(request: TlObject | Uint8Array, options: InvokeOptions & { tag?: unknown } = {}): void {
    if (this.session_ !== undefined) return this.session_.send(request, options)
    if (this.phase === 'closed') {
      this.ev.push({ type: 'result', tag: options.tag, error: new SessionError('E_CLOSED', 'the client is closed') })
      return
    }
    this.early.push({ request, options, evented: true, resolve: () => {}, reject: () => {} })
  }

  /**
   * Graceful close: pending requests reject with `E_CLOSED`, the acknowledgments still owed are
   * written, then every connection closes.
   */
  close(now: number = this.now()): ClientLinkEvent[] {
    if (this.phase === 'closed') return this.takeEvents()
    this.session_?.close()
    // the acknowledgments still owed go out (a closed session packs them at once)
    if (this.phase === 'open') this.flush(now)
    this.shutdown(undefined, true)
    return this.takeEvents()
  }

  /** The state to persist (undefined until there is a permanent key). Temporary keys only with `includeTempKey`. */
  exportState(options: { includeTempKey?: boolean } = {}): ClientState | undefined {
    if (this.session_ === undefined) return undefined
    return { version: 1, dcId: this.o.dcId, createdAt: this.createdAt, session: this.session_.exportState(options) }
  }

  // ------------------------------------------------------------------ connections

  private onOpen(now: number): void {
    this.phase = 'open'
    this.policy?.opened(now)
    const s = this.session_
    if (s === undefined) return this.startHandshake(false, now)
    // the server re-sends what we did not acknowledge; we re-send what it did not answer
    s.reconnected(now)
    if (this.pfs && (!this.usingTemp || this.tempDead || this.tempWanted)) this.startHandshake(true, now)
  }

  private onPipeEvent(e: PipeEvent, now: number): void {
    switch (e.type) {
      case 'packet': {
        const p = e.data
        // auth_key_id 0: an unencrypted message, the handshake's
        if (p.length >= 8 && p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 && p[6] === 0 && p[7] === 0) {
          if (this.hs === undefined) this.ev.push({ type: 'error', error: new SessionError('E_UNENCRYPTED', 'an unencrypted message outside a handshake was dropped'), reconnect: false })
          else this.onHandshake(this.hs.receive(p, now), now)
          return
        }
        if (this.session_ === undefined) {
          this.ev.push({ type: 'error', error: new SessionError('E_AUTH_KEY_ID', 'an encrypted message before there is a key was dropped'), reconnect: false })
          return
        }
        this.onSession(this.session_.receive(p, now), now, true)
        return
      }
      case 'quickAck':
        if (this.session_ !== undefined) this.onSession(this.session_.receiveQuickAck(e.token), now)
        return
      case 'error':
        return this.onTransportError(e.error, now)
    }
  }

  private onTransportError(error: TransportError, now: number): void {
    const status = error instanceof TransportStatusError ? error.status : 0
    // −444: this DC id is wrong for this server; no reconnection changes that
    if (status === 444) return this.shutdown(error)
    if (status === 404 && this.hs !== undefined) {
      // the handshake must be restarted (auth_key): on the next connection
      this.onHandshake(this.hs.receive({ type: 'transportError', status }, now), now)
      return
    }
    this.ev.push({ type: 'error', error, reconnect: true })
    if (status === 404 && this.session_ !== undefined) {
      // the server does not know the key the session uses, or one packet failed its checks (a
      // bit flipped on the way): only -404s on connection after connection mean the key is gone
      this.strikes++
      if (this.usingTemp && this.strikes >= STRIKES_TEMP) {
        this.tempDead = true
        this.strikes = 0
      } else if (!this.usingTemp && this.strikes >= STRIKES_PERM) {
        return this.shutdown(withCause(new SessionError('E_AUTH_KEY_UNKNOWN', 'the server does not know our permanent auth key (-404 on every connection)'), error))
      }
    }
    this.fail(error, now)
  }

  /** A carrier change: a connection closed or timed out. */
  private onChange(change: CarrierChange, now: number, cause: unknown): void {
    if (change === 'failed') this.fail(asMtwire(cause, 'the connection closed'), now)
    else if (change === 'lost') this.session_?.reconnected(now)
  }

  /** The connection failed: drop it and reconnect after the policy's delay (or close the link). */
  private fail(error: MtwireError, now: number): void {
    if (this.phase === 'closed') return
    this.carrier.drop(false)
    if (this.hs !== undefined) {
      // a handshake restarts from scratch on the next connection
      if (this.hsTemp) this.tempWanted = true
      this.hs = undefined
    }
    if (!this.everReady) return this.shutdown(withCause(new SessionError('E_CONNECT', `could not connect: ${error.message}`), error))
    const delay = this.policy?.failed(now)
    if (delay === undefined) return this.shutdown(withCause(new SessionError('E_CONNECT', `connection lost: ${error.message}`), error))
    this.phase = 'waiting'
    this.waitUntil = now + delay
    this.ev.push({ type: 'status', status: 'waiting', delay, error })
    this.lastStatus = 'waiting'
  }

  /** Closes for good: every connection, the session, requests still waiting for a key. */
  private shutdown(error: MtwireError | undefined, graceful = false): void {
    if (this.phase === 'closed') return
    this.phase = 'closed'
    this.carrier.drop(graceful)
    this.hs = undefined
    const s = this.session_
    if (s !== undefined) {
      s.close()
      // the outcomes of send() requests it just failed (a closed session's tick runs nothing else)
      for (const e of s.tick(this.now())) this.ev.push(e)
    }
    const err = new SessionError('E_CLOSED', error ? `the client closed: ${error.message}` : 'the client was closed')
    for (const x of this.early.splice(0)) {
      if (x.evented) this.ev.push({ type: 'result', tag: x.options.tag, error: err })
      else x.reject(err)
    }
    this.ev.push(error ? { type: 'status', status: 'closed', error } : { type: 'status', status: 'closed' })
    this.lastStatus = 'closed'
  }

  private updateStatus(): void {
    const s = this.status
    if (s === this.lastStatus) return
    this.lastStatus = s
    if (s === 'ready') this.everReady = true
    this.ev.push({ type: 'status', status: s })
  }

  // ------------------------------------------------------------------ keys

  private startHandshake(temporary: boolean, now: number): void {
    const o = this.o
    this.hs = new ClientHandshake(this.crypto, {
      ...o.handshake, dcId: o.dcId, testMode: o.testMode, media: o.media, keys: o.rsaKeys, expiresIn: temporary ? this.expiresIn : undefined,
    })
    this.hsTemp = temporary
    this.hsStartedAt = now
    this.hs.start(now)
  }

  private onHandshake(events: ClientHandshakeEvent[], now: number): void {
    for (const e of events) {
      if (e.type === 'error') {
        this.hs = undefined
        if (this.hsTemp) this.tempWanted = true
        // a timeout or a −404 (restart) may go better on a new connection; a failed check will not
        const transient = e.error.code === 'E_TIMEOUT' || e.error.code === 'E_TRANSPORT'
        if (transient) this.fail(e.error, now)
        else this.shutdown(e.error)
        return
      }
      if (e.type !== 'done') continue
      const r = e.result
      const ms = now - this.hsStartedAt
      const temporary = this.hsTemp
      this.hs = undefined
      this.handshakes.push({ temporary, ms })
      this.policy?.proven(now)
      if (!temporary) {
        // the key's birth on the server's clock (api/pfs' 60-second rule)
        this.createdAt = Math.floor(now / 1000) + r.timeOffset
        this.session_ = new ClientSession({ ...this.sessionOptions(), authKey: createAuthKey(r.authKey), salt: r.serverSalt, timeOffset: r.timeOffset * 1000 })
        r.authKey.fill(0)
        this.ev.push({ type: 'authKey', temporary: false, authKeyId: r.authKeyId, ms })
        for (const x of this.early.splice(0)) {
          if (x.evented) this.session_.send(x.request, x.options)
          else this.session_.invoke(x.request, x.options).then(x.resolve, x.reject)
        }
        if (this.pfs) this.startHandshake(true, now)
      } else {
        this.session_!.useTempKey(createAuthKey(r.authKey), r.expiresAt!, now)
        r.authKey.fill(0)
        this.usingTemp = true
        this.tempDead = false
        this.tempWanted = false
        this.bound = false
        this.ev.push({ type: 'authKey', temporary: true, authKeyId: r.authKeyId, expiresAt: r.expiresAt, ms })
      }
    }
  }

  private onSession(events: ClientSessionEvent[], now: number, packet = false): void {
    let proven = packet
    for (let i = 0; i < events.length; i++) {
      const e = events[i]
      switch (e.type) {
        case 'error':
          if (e.error.code === 'E_DECRYPT' || e.error.code === 'E_AUTH_KEY_ID') proven = false
          this.ev.push(e)
          // security_guidelines: after a message that fails its checks, a new connection
          if (e.reconnect && this.phase === 'open') this.fail(e.error, now)
          continue
        case 'bound':
          this.bound = true
          break
        case 'tempKeyNeeded':
          if (e.reason !== 'expiring') this.tempDead = true
          this.tempWanted = true
          if (this.phase === 'open' && this.hs === undefined) this.startHandshake(true, now)
          break
        case 'authKeyInvalid':
          this.ev.push(e)
          this.shutdown(new SessionError('E_AUTH_KEY_UNKNOWN', `the server refused our permanent key (${e.reason})`))
          return
      }
      this.ev.push(e)
    }
    if (proven && this.phase === 'open') {
      this.strikes = 0
      this.policy?.proven(now)
    }
  }

  // ------------------------------------------------------------------ output

  private flush(now: number): void {
    if (this.phase !== 'open' || !this.carrier.isOpen) return
    const c = this.carrier
    if (this.hs !== undefined) for (const p of this.hs.takeOutgoing()) c.send(p, false, now)
    const s = this.session_
    // with PFS nothing goes under the permanent key, nor under a temporary key the server lost
    if (s === undefined || (this.hs !== undefined && !this.hsTemp) || (this.pfs && (!this.usingTemp || this.tempDead))) return
    if (!this.http) {
      const out = s.takeOutgoing(now)
      for (let i = 0; i < out.length; i++) {
        const o = out[i]
        if (o.type === 'packet') c.send(o.data, o.quickAck, now)
      }
      return
    }
    if (!c.ready()) return
    let poll = false
    if (s.hasOutgoing(now)) {
      // answered at once: the server holds only the poll
      s.httpWait(0, 0, 0)
    } else if (c.wantsPoll()) {
      // service_messages#http-wait-long-poll: the server answers this when it has something
      const w = this.httpWaitOpts
      s.httpWait(w.maxDelay, w.waitAfter, w.maxWait)
      poll = true
    } else return
    for (const o of s.takeOutgoing(now)) if (o.type === 'packet') c.send(o.data, false, now, poll)
  }

  private takeEvents(): ClientLinkEvent[] {
    const ev = this.ev
    if (ev.length === 0) return none()
    this.ev = []
    return ev
  }
}

const earlier = (t: number, d: number | undefined): number => (d !== undefined && d < t ? d : t)
