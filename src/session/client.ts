/**
 * The client side of an MTProto session, sans-IO (core.telegram.org/mtproto/description,
 * /service_messages, /service_messages_about_messages, /security_guidelines).
 *
 * The driver feeds it whole encrypted packets (`receive`) and clock ticks (`tick`), and writes
 * what `takeOutgoing` returns through a transport. `invoke()` returns a promise; its timeout is
 * a deadline the driver's `tick(now)` fires (`nextDeadline()` says when): the session never
 * sets a timer. Nothing the server sends makes it throw: failures are `error` events.
 *
 *   const s = new ClientSession({ crypto, authKey, salt })
 *   const pong = s.invoke({ _: 'ping', ping_id: 1n })
 *   for (const o of s.takeOutgoing()) transport.send(o)   // then write transport.takeOutgoing() to the socket
 *   // on each packet from transport.receive(chunk): s.receive(packet); then takeOutgoing() again
 */
import { buildBindTempAuthKey } from '../auth/bind.js'
import { type AuthKey, authKeyState, createAuthKey } from '../crypto/authkey.js'
import { decryptError } from '../crypto/envelope.js'
import type { Crypto } from '../crypto/types.js'
import { type ErrorCode, type MtwireError, SessionError, TlError } from '../errors.js'
import { fromBase64, toBase64 } from '../bytes.js'
import { none } from '../layer.js'
import { mergeCodecs, type TlCodec, type TlObject, type TlReadFn } from '../tl/codec.js'
import { gunzipBounded } from '../tl/gzip.js'
import { TlReader } from '../tl/reader.js'
import { TlWriter } from '../tl/writer.js'
import { mtprotoCodec } from '../tl/generated/mtproto.js'
import { mtwireCodec } from '../tl/generated/mtwire.js'
import {
  checkContainer, decryptInPlace, K_ACK, K_BIND, K_CONTAINER, K_DESTROY_AUTH_KEY, K_DESTROY_SESSION, K_DROP_ANSWER, K_FUTURE_SALTS,
  K_HTTP_WAIT, K_PING, K_RESEND_REQ, K_RPC, K_SERVICE, K_STATE_REQ, OutMsg, type Outgoing, SessionCore,
} from './core.js'
import { AbortError, RpcError, TimeoutError } from './errors.js'
import { CLIENT, halvesOf, idOf, keyOf } from '../auth/msgid.js'
import { TimerHeap } from './timers.js'
import { ADDED, F_ACKED, F_CONTAINER, F_CONTENT, TOO_OLD } from './window.js'
import {
  ID_BAD_MSG_NOTIFICATION, ID_BAD_SERVER_SALT, ID_BIND_TEMP_AUTH_KEY, ID_DESTROY_AUTH_KEY_FAIL, ID_DESTROY_AUTH_KEY_NONE,
  ID_DESTROY_AUTH_KEY_OK, ID_DESTROY_SESSION_NONE, ID_DESTROY_SESSION_OK, ID_FUTURE_SALTS, ID_GZIP_PACKED, ID_HTTP_WAIT,
  ID_MSG_CONTAINER, ID_MSG_COPY, ID_MSG_DETAILED_INFO, ID_MSG_NEW_DETAILED_INFO, ID_MSG_RESEND_REQ, ID_MSGS_ACK,
  ID_MSGS_ALL_INFO, ID_MSGS_STATE_INFO, ID_MSGS_STATE_REQ, ID_NEW_SESSION_CREATED, ID_PING, ID_PING_DELAY_DISCONNECT,
  ID_PONG, ID_RPC_ERROR, ID_RPC_RESULT, ID_VECTOR, MAX_CONTAINER_BYTES, MAX_IDS, TIME_FUTURE_MS, TIME_PAST_MS,
  i32, put32, u32,
} from './wire.js'

/** Events of a client session; `switch (e.type)` covers them. */
export type ClientSessionEvent =
  /** A content message from the server that answers no request (an update). */
  | { type: 'update'; msgId: bigint; body: unknown }
  /**
   * The server created a new session for us (service_messages#new-session-creation-notification):
   * it may have forgotten an older one, so updates may have been missed (fetch the difference).
   */
  | { type: 'newSession'; firstMsgId: bigint; uniqueId: bigint; salt: bigint }
  /** We started a new session (seqno errors 32/33, or `resetSession()`); pending requests were re-sent in it. */
  | { type: 'sessionReset'; reason: string; oldSessionId: bigint; sessionId: bigint }
  /** The server's transport-level quick ACK of the packet carrying these messages. */
  | { type: 'quickAck'; msgIds: bigint[] }
  /** The outcome of a request queued with `send()` (the promise of `invoke()`, as an event). */
  | { type: 'result'; tag: unknown; result: unknown }
  | { type: 'result'; tag: unknown; error: Error }
  /** A temporary key was bound (`useTempKey`): re-send initConnection (api/pfs). */
  | { type: 'bound'; tempKeyId: bigint; expiresAt: number }
  /**
   * Create a temporary key and call `useTempKey()`: the current one expires soon (refresh with
   * jitter), or the server rejected the binding and the permanent key is young (retry).
   */
  | { type: 'tempKeyNeeded'; reason: 'expiring' | 'expired' | 'rejected' }
  /** The server says the permanent key is invalid (api/pfs: ENCRYPTED_MESSAGE_INVALID with a key older than 60 s): create new keys. */
  | { type: 'authKeyInvalid'; reason: string }
  /**
   * Something the server sent was dropped, or a check failed. `reconnect`: the security
   * guidelines recommend closing this connection and opening a new one (failed decryption,
   * no pong).
   */
  | { type: 'error'; error: MtwireError; reconnect: boolean }

export interface InvokeOptions {
  /** Reject with `TimeoutError` after this many ms (fired by `tick`). Default: the session's `requestTimeout`. */
  timeout?: number
  /** Abort: rejects with `AbortError` and asks the server to drop the answer (rpc_drop_answer). */
  signal?: AbortSignal
  /** Ask the transport for a quick ACK of the packet carrying it (the `quickAck` event). */
  quickAck?: boolean
  /** Requests with the same chain run in order on the server: each is sent as invokeAfterMsg(previous). */
  chain?: string
  /** For a pre-serialized request (a Uint8Array): its method name, to pick the result reader. */
  method?: string
}

export interface ClientSessionOptions {
  crypto: Crypto
  /** The permanent authorization key (256 bytes, `createAuthKey`). */
  authKey: AuthKey
  /** First server salt: new_nonce[0:8] ⊕ server_nonce[0:8] from the handshake. Default 0 (the server answers bad_server_salt). */
  salt?: bigint
  /** The server's clock minus ours in ms (the handshake's server_time·1000 − now): the clock then counts as synced. */
  timeOffset?: number
  /** Session id. Default: random. */
  sessionId?: bigint
  /** Codec for requests, results and updates. Default: the MTProto service schema + mtwire.tl; merge your api codec in. */
  codec?: TlCodec
  /** The clock (ms) used where no `now` is given. Default `Date.now`. */
  now?: () => number
  /** Received msg_ids remembered (duplicates, replays). Default 1024. */
  windowSize?: number
  /** Requests from this size up go as gzip_packed when that is smaller; `false`: never. Default 1024. */
  gzipMinSize?: number | false
  /** Envelope padding: `'random'` (default, 12..27 bytes) or `'buckets'` (hides lengths). */
  padding?: 'random' | 'buckets'
  /** An acknowledgment waits at most this long for a message to ride with (ms). Default 1000. */
  ackDelay?: number
  /** More unacknowledged server messages than this are acknowledged at once. Default 16. */
  maxPendingAcks?: number
  /** Default timeout of `invoke` in ms (0: none). Default 0. */
  requestTimeout?: number
  /** An unanswered request is checked with msgs_state_req this long after it was sent (ms). Default 5000. */
  stateRequestAfter?: number
  /** Keepalive: ping_delay_disconnect this often (ms); 0 turns it off. Default 60000. */
  pingInterval?: number
  /** The ping's disconnect_delay in seconds (the server closes the connection after it). Default 75. */
  pingDisconnectDelay?: number
  /** Future salts to ask for (get_future_salts, 1..64); 0 turns it off. Default 32. */
  futureSalts?: number
  /** Ask for a quick ACK of every packet carrying a request. Default false. */
  quickAck?: boolean
  /** A message is re-sent with a new msg_id at most this often before its request fails. Default 5. */
  maxResends?: number
  /** Largest gzip_packed inflation accepted (bytes). Default 16 MiB. */
  maxGzipSize?: number
  /** Called when `takeOutgoing()` has something new outside a receive/tick call (after `invoke`). */
  onOutgoing?: () => void
  /** Temporary keys: how `useTempKey` builds auth.bindTempAuthKey. Default: the auth layer's `buildBindTempAuthKey`. */
  bind?: BindBuilder
  /** When the permanent key was created (unix seconds), for the ENCRYPTED_MESSAGE_INVALID rule. Default: unknown (treated as old). */
  permKeyCreatedAt?: number
  /** Temporary key refresh: this many seconds before expiry, minus up to `tempKeyJitter` random seconds. Defaults 3600, 600. */
  tempKeyMargin?: number
  tempKeyJitter?: number
}

/** Builds the `auth.bindTempAuthKey` request (api/pfs, method/auth.bindTempAuthKey). */
export type BindBuilder = (
  crypto: Crypto,
  params: { permKey: AuthKey; tempKey: AuthKey; nonce: bigint; expiresAt: number; msgId: bigint; tempSessionId: bigint },
) => { perm_auth_key_id: bigint; nonce: bigint; expires_at: number; encrypted_message: Uint8Array } | Uint8Array

/** A restored request's promise (`ClientSession.restored`). */
export interface RestoredRequest {
  msgId: bigint
  method: string
  promise: Promise<unknown>
}

/** The JSON-serialisable state of a client session (`exportState` / `ClientSession.fromState`). */
export interface ClientSessionState {
  version: 1
  /** The permanent key, base64. */
  authKey: string
  sessionId: string
  salt: string
  futureSalts: { validSince: number; validUntil: number; salt: string }[]
  /** Server clock minus ours, ms. */
  timeOffset: number
  synced: boolean
  /** The last msg_id issued (the floor of the next one). */
  lastMsgId: string
  /** The highest msg_id of ours the server accepted (the floor after a clock correction). */
  acceptedMsgId: string
  seq: number
  /** Requests not answered yet: re-sent (same msg_id, in a container) after the import. */
  pending: { msgId: string; seqNo: number; body: string; method: string; acked: boolean }[]
  /** Only with `exportState({ includeTempKey: true })` (api/pfs recommends keeping temporary keys in memory only). */
  tempKey?: { authKey: string; expiresAt: number; bound: boolean }
}

const DEFAULTS = {
  windowSize: 1024,
  gzipMinSize: 1024,
  ackDelay: 1000,
  maxPendingAcks: 16,
  requestTimeout: 0,
  stateRequestAfter: 5000,
  pingInterval: 60_000,
  pingDisconnectDelay: 75,
  futureSalts: 32,
  maxResends: 5,
  maxGzipSize: 16_777_216, // 16 MiB
  tempKeyMargin: 3600,
  tempKeyJitter: 600,
}
/** Sent messages remembered for bad_msg_notification and msg_resend_req. */
const MAX_RECENT = 1024
/** Quick-ACK tokens remembered. */
const MAX_TOKENS = 256
/** How long an internal query (state request, future salts, ...) waits for its answer (ms). */
const INTERNAL_TIMEOUT = 30_000
/** A message older than this (by its msg_id) is re-sent with a new msg_id rather than its own (the server accepts ids up to 300 s old). */
const KEEP_ID_MAX_AGE = 240
/** resend() modes. */
const NEW_ID = false
const SAME_ID = true

const defaultCodec = /* @__PURE__ */ mergeCodecs(mtprotoCodec, mtwireCodec)
const EMPTY = /* @__PURE__ */ new Uint8Array(0)
/** invoke(): no `result` event. */
const NO_TAG = Symbol('no tag')

/** Method names whose answers the session itself reads (besides handing them to the caller). */
function kindOf(method: string): number {
  switch (method) {
    case 'ping':
    case 'ping_delay_disconnect':
      return K_PING
    case 'get_future_salts':
      return K_FUTURE_SALTS
    case 'destroy_session':
      return K_DESTROY_SESSION
    case 'destroy_auth_key':
      return K_DESTROY_AUTH_KEY
    case 'rpc_drop_answer':
      return K_DROP_ANSWER
  }
  return K_RPC
}

interface Salt {
  since: number
  until: number
  salt: bigint
}

interface TempKeyState {
  key: AuthKey
  expiresAt: number
  bound: boolean
  bind: OutMsg | undefined
  nonce: bigint
  /** Bindings refused with ENCRYPTED_MESSAGE_INVALID (retried up to maxResends). */
  refused: number
}

export class ClientSession extends SessionCore {
  readonly codec: TlCodec
  private readonly results: Readonly<Record<string, TlReadFn>>
  private readonly now: () => number
  private readonly o: typeof DEFAULTS & { quickAck: boolean }
  private readonly onOutgoing: (() => void) | undefined
  private readonly permKey: AuthKey
  private readonly readerOpts: { maxGzipSize: number }
  private writer: TlWriter
  /** Sent messages awaiting an answer, by msg_id key (auth/msgid.ts keyOf). */
  private readonly pending = new Map<number, OutMsg>()
  /**
   * The last MAX_RECENT messages sent (containers and acks too) with the key each went out
   * under, for bad_msg_notification and msg_resend_req (rare: searched linearly).
   */
  private readonly recent: (OutMsg | undefined)[] = []
  private readonly recentKeys: number[] = []
  private recentPos = 0
  private readonly timers = new TimerHeap<OutMsg>()
  private readonly chains = new Map<string, OutMsg>()
  private readonly tokens = new Map<number, OutMsg>()
  private ev: ClientSessionEvent[] = []
  /** When the oldest queued ack was queued (Infinity: none). */
  private ackSince = Infinity
  private salts: Salt[] = []
  private saltsRequested = false
  /** Peer unix time from which the salt list must be looked at again. */
  private saltCheck = 0
  /** A message has been answered in this session: the keys and salt work. */
  private established = false
  private pingAt = Infinity
  private ping: OutMsg | undefined
  private temp: TempKeyState | undefined
  /** Requests held while a temporary key is being bound. */
  private held: OutMsg[] = []
  private tempRefreshAt = Infinity
  private closed = false
  private restoredList: RestoredRequest[] = []

  constructor(options: ClientSessionOptions) {
    if (!options || typeof options !== 'object') throw new SessionError('E_OPTION', 'options are required')
    const o = { ...DEFAULTS, quickAck: false }
    for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const v = (options as unknown as Record<string, unknown>)[k]
      if (v === undefined) continue
      if (k === 'gzipMinSize' && v === false) {
        ;(o as Record<string, unknown>)[k] = false
        continue
      }
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new SessionError('E_OPTION', `${k} must be a non-negative number, got ${String(v)}`)
      ;(o as Record<string, unknown>)[k] = v
    }
    if (o.futureSalts > 64) throw new SessionError('E_OPTION', 'futureSalts must be 0..64')
    if (o.windowSize < 1) throw new SessionError('E_OPTION', 'windowSize must be at least 1')
    super({ crypto: options.crypto, windowSize: o.windowSize, gzipMinSize: o.gzipMinSize, padding: options.padding ?? 'random' })
    authKeyState(options.authKey) // a wrong key is a programming mistake: throw now
    o.quickAck = options.quickAck === true
    this.o = o
    this.permKey = options.authKey
    this.codec = options.codec ?? defaultCodec
    this.results = this.codec.results ?? {}
    this.now = options.now ?? Date.now
    this.onOutgoing = options.onOutgoing
    this.bindBuilder = options.bind ?? buildBindTempAuthKey
    this.permKeyCreatedAt = options.permKeyCreatedAt
    this.readerOpts = Object.freeze({ maxGzipSize: o.maxGzipSize })
    this.writer = new TlWriter(this.codec, 256)
    this.setSessionId(options.sessionId ?? this.randomLong())
    this.setSalt(options.salt ?? 0n)
    if (options.timeOffset !== undefined) {
      this.clock.offset = Math.round(options.timeOffset)
      this.clock.synced = true
    }
    const now = this.now()
    if (o.pingInterval > 0) this.pingAt = now + o.pingInterval
  }

  private readonly bindBuilder: BindBuilder
  private readonly permKeyCreatedAt: number | undefined

  private randomLong(): bigint {
    const b = this.crypto.randomBytes(8)
    return new DataView(b.buffer).getBigInt64(0, true)
  }

  /** The key messages are encrypted with: the temporary key once one is in use, else the permanent key. */
  get authKey(): AuthKey {
    return this.temp?.key ?? this.permKey
  }

  /** Requests sent or queued and not answered yet. */
  get pendingCount(): number {
    let n = this.held.length
    for (const m of this.queue) if (m.resolve !== undefined && m.key === 0) n++
    for (const m of this.pending.values()) if (m.resolve !== undefined) n++
    return n
  }

  // ------------------------------------------------------------------ requests

  /**
   * Sends an RPC query (a TL object the codec knows, or its serialization) and resolves with
   * the decoded result, or rejects with `RpcError` (the server's rpc_error), `TimeoutError`,
   * `AbortError` or `SessionError`. The request is queued: call `takeOutgoing()` (the
   * `onOutgoing` option says when).
   */
  invoke<T = unknown>(request: TlObject | Uint8Array, options?: InvokeOptions): Promise<T> {
    return this.invokeAs<T>(request, options ?? NO_OPTIONS, NO_TAG)
  }

  private invokeAs<T>(request: TlObject | Uint8Array, options: InvokeOptions, tag: unknown): Promise<T> {
    let body: Uint8Array
    let method: string
    if (request instanceof Uint8Array) {
      if (request.length < 4 || request.length % 4 !== 0) throw new SessionError('E_TYPE', 'a serialized request is a non-empty multiple of 4 bytes')
      body = request.slice()
      method = options.method ?? ''
    } else {
      if (request === null || typeof request !== 'object' || typeof request._ !== 'string') throw new SessionError('E_TYPE', 'request must be a TL object ({ _: name, ... }) or its serialization')
      const w = this.writer.reset()
      w.object(request)
      body = w.toBytes()
      method = request._
      if (w.buf.length > 1 << 20) this.writer = new TlWriter(this.codec, 256)
    }
    if (body.length > MAX_CONTAINER_BYTES) {
      return Promise.reject(new SessionError('E_TOO_LARGE', `a request of ${body.length} bytes exceeds the ${MAX_CONTAINER_BYTES}-byte message limit`))
    }
    const kind = kindOf(method)
    if (options.chain === undefined) body = this.maybeGzip(body, true)
    const m = new OutMsg(body, true, kind)
    m.method = method
    m.quickAck = options.quickAck ?? this.o.quickAck
    const timeout = options.timeout ?? this.o.requestTimeout
    if (!(timeout >= 0)) throw new SessionError('E_OPTION', `timeout must be a non-negative number of ms, got ${String(timeout)}`)
    if (kind === K_DESTROY_SESSION) m.data = (request as { session_id?: bigint }).session_id ?? readLong(body, 4)
    const p = new Promise<T>((resolve, reject) => {
      m.resolve = resolve as (v: unknown) => void
      m.reject = reject
    })
    if (tag !== NO_TAG) {
      // send(): the outcome as an event too
      m.tag = tag
      m.evented = true
    }
    if (this.closed) {
      this.fail(m, new SessionError('E_CLOSED', 'the session is closed'))
      return p
    }
    if (timeout > 0) {
      m.timeout = timeout
      m.deadline = this.now() + timeout
      this.schedule(m)
    }
    const signal = options.signal
    if (signal !== undefined) {
      if (signal.aborted) {
        this.fail(m, new AbortError(signal.reason))
        return p
      }
      const onAbort = (): void => this.abort(m, signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      m.cleanup = () => signal.removeEventListener('abort', onAbort)
    }
    if (options.chain !== undefined) {
      const prev = this.chains.get(options.chain)
      if (prev !== undefined && !prev.done) m.after = prev
      this.chains.set(options.chain, m)
      m.data = options.chain
    }
    this.enqueue(m)
    return p
  }

  /**
   * The Layer's `send`: queues a request like `invoke()`, and its outcome comes as a `result`
   * event carrying `options.tag` (for drivers that keep no promises).
   */
  send(request: TlObject | Uint8Array, options: InvokeOptions & { tag?: unknown } = {}): void {
    const tag = options.tag
    void this.invokeAs(request, options, tag).catch(() => {})
  }

  /** Queues a message (held back while a temporary key is being bound). */
  private enqueue(m: OutMsg): void {
    if (this.temp !== undefined && !this.temp.bound && m.kind !== K_BIND && m.kind !== K_ACK) this.held.push(m)
    else this.queue.push(m)
    this.onOutgoing?.()
  }

  /** Rejects a pending request with AbortError and asks the server to drop its answer. */
  private abort(m: OutMsg, reason: unknown): void {
    if (m.done) return
    const sent = m.key !== 0 && m.sentAt >= 0
    const hi = m.hi
    const lo = m.lo
    this.fail(m, new AbortError(reason))
    if (sent) {
      // rpc_drop_answer#58e4a740 req_msg_id:long (service_messages#cancellation-of-an-rpc-query)
      const b = new Uint8Array(12)
      put32(b, 0, 0x58e4a740)
      put32(b, 4, lo)
      put32(b, 8, hi)
      this.enqueue(new OutMsg(b, true, K_DROP_ANSWER))
    }
  }

  /** Sends http_wait (HTTP transport only: lets the server hold its answer, service_messages#http-wait-long-poll). */
  httpWait(maxDelay = 0, waitAfter = 0, maxWait = 25_000): void {
    const b = new Uint8Array(16)
    put32(b, 0, ID_HTTP_WAIT)
    put32(b, 4, maxDelay)
    put32(b, 8, waitAfter)
    put32(b, 12, maxWait)
    this.enqueue(new OutMsg(b, false, K_HTTP_WAIT))
  }

  // ------------------------------------------------------------------ output

  /**
   * Packets to frame and write, in order: queued requests, due acknowledgments, service
   * messages. Each `{ type: 'packet', data, quickAck }` goes to `transport.send(item)` as it is.
   */
  takeOutgoing(now: number = this.now()): Outgoing[] {
    this.rotateSalt(now)
    const acks = this.acksDue(now)
    let out = none<Outgoing>()
    if (this.queue.length > 0 || acks) this.pack(now, this.authKey, 0, (out = []), acks)
    if (this.ackHi.length === 0) this.ackSince = Infinity
    return out
  }

  /**
   * Whether `takeOutgoing(now)` would give a packet: queued messages, or acknowledgments due.
   * For HTTP drivers, which add `httpWait()` to a request only when there is one to make.
   */
  hasOutgoing(now: number = this.now()): boolean {
    this.rotateSalt(now)
    return this.queue.length > 0 || this.acksDue(now)
  }

  private acksDue(now: number): boolean {
    return this.ackHi.length > 0 && (this.closed || this.ackHi.length > this.o.maxPendingAcks || now >= this.ackSince + this.o.ackDelay)
  }

  protected parityOf(): number {
    return CLIENT
  }

  protected onSent(m: OutMsg, now: number): void {
    // a ring of MAX_RECENT, grown as needed (an idle session holds little)
    const p = this.recentPos
    if (p === this.recent.length) {
      this.recent.push(m)
      this.recentKeys.push(m.key)
    } else {
      this.recent[p] = m
      this.recentKeys[p] = m.key
    }
    this.recentPos = p + 1 === MAX_RECENT ? 0 : p + 1
    const k = m.kind
    if (k === K_ACK || k === K_CONTAINER || k === K_HTTP_WAIT || k === K_SERVICE) return
    if (k === K_RESEND_REQ && m.reject === undefined) return
    this.pending.set(m.key, m)
    if (m.resolve === undefined && k !== K_BIND) {
      // an internal query: given up on (and asked again when needed) if no answer comes
      if (m.deadline === Infinity) {
        m.deadline = now + INTERNAL_TIMEOUT
        this.schedule(m)
      }
    } else if (k !== K_PING && this.o.stateRequestAfter > 0) {
      m.checkAt = now + this.o.stateRequestAfter
      this.schedule(m)
    }
  }

  /** Keeps a message's place in the timer heap at its earliest time (timeout or state check). */
  private schedule(m: OutMsg): void {
    this.timers.set(m, m.deadline < m.checkAt ? m.deadline : m.checkAt)
  }

  protected override onQuickAckToken(token: number, top: OutMsg): void {
    if (token === 0) return
    this.tokens.set(token, top)
    if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as number)
  }

  // ------------------------------------------------------------------ input

  /**
   * Feeds one whole packet from the transport (`{ type: 'packet' }` events). Decrypts in place:
   * `packet` is overwritten with the plaintext (results may keep views of it).
   */
  receive(packet: Uint8Array, now: number = this.now()): ClientSessionEvent[] {
    if (!(packet instanceof Uint8Array)) throw new SessionError('E_TYPE', 'packet must be a Uint8Array')
    this.input(packet, now)
    return this.takeEvents()
  }

  private input(packet: Uint8Array, now: number): void {
    const key = this.keyFor(packet)
    if (key === undefined) return this.error('E_AUTH_KEY_ID', 'a packet for an auth key this session does not use', true)
    const n = decryptInPlace(this.crypto, key, packet, 8)
    if (n < 0) {
      // security_guidelines: discard it completely; reconnecting is recommended
      this.ev.push({ type: 'error', error: decryptError(), reconnect: true })
      return
    }
    const sb = this.sessionBytes
    for (let i = 0; i < 8; i++) {
      // description: "never deliver a message of one session into another"
      if (packet[8 + i] !== sb[i]) return this.error('E_SESSION_ID', 'a message for another session was dropped', false)
    }
    this.top(u32(packet, 20), u32(packet, 16), u32(packet, 24), packet, 32, n, now)
  }

  /** The events gathered since the last receive/tick (including those of calls in between). */
  private takeEvents(): ClientSessionEvent[] {
    const ev = this.ev
    if (ev.length === 0) return none()
    this.ev = []
    return ev
  }

  /** Feeds the transport's quick ACK (`{ type: 'quickAck', token }` from the client transport). */
  receiveQuickAck(token: number): ClientSessionEvent[] {
    const m = this.tokens.get(token)
    if (m === undefined) return this.takeEvents()
    this.tokens.delete(token)
    const ids: bigint[] = []
    for (const x of m.items ?? [m]) {
      if (x.kind === K_ACK) continue
      x.acked = true
      this.clock.accepted(x.hi, x.lo)
      ids.push(x.msgId)
    }
    this.ev.push({ type: 'quickAck', msgIds: ids })
    return this.takeEvents()
  }

  /** The key a packet names (auth_key_id is public: a plain comparison). */
  private keyFor(packet: Uint8Array): AuthKey | undefined {
    if (packet.length < 8) return this.authKey // the decryption fails uniformly
    if (sameId(this.permKey.id, packet)) return this.permKey
    const t = this.temp
    return t !== undefined && sameId(t.key.id, packet) ? t.key : undefined
  }

  /** The message awaiting an answer with this msg_id. */
  private lookup(hi: number, lo: number): OutMsg | undefined {
    const m = this.pending.get(keyOf(hi, lo))
    return m !== undefined && m.hi === hi && m.lo === lo ? m : undefined
  }

  private lookupId(id: bigint): OutMsg | undefined {
    halvesOf(id, HALVES)
    return this.lookup(HALVES[0], HALVES[1])
  }

  /** The message (or container) we sent recently with this msg_id. */
  private findRecent(hi: number, lo: number): OutMsg | undefined {
    const key = keyOf(hi, lo)
    const keys = this.recentKeys
    const n = keys.length
    for (let i = 0, p = this.recentPos; i < n; i++) {
      p = p === 0 ? n - 1 : p - 1
      if (keys[p] === key) return this.recent[p]
    }
    return undefined
  }

  private error(code: ErrorCode<'SessionError'>, message: string, reconnect: boolean): void {
    this.ev.push({ type: 'error', error: new SessionError(code, message), reconnect })
  }

  /** The outer message of a packet: msg_id checks, then the message or the container's. */
  private top(hi: number, lo: number, seq: number, buf: Uint8Array, s: number, e: number, now: number): void {
    // description: server msg_ids are odd
    if ((lo & 1) === 0) return this.error('E_MSG_ID', 'a server message with an even msg_id', false)
    const id = e - s >= 4 ? u32(buf, s) : 0
    const clock = this.clock
    if (clock.synced) {
      // security_guidelines: server salt changes and bad-time notices may be processed even if their time looks wrong
      if (id !== ID_BAD_SERVER_SALT && id !== ID_BAD_MSG_NOTIFICATION) {
        const t = hi * 1000 + lo / 4294967.296
        const peer = clock.peerTime(now)
        if (t < peer - TIME_PAST_MS || t > peer + TIME_FUTURE_MS) {
          return this.error('E_MSG_ID_TIME', `a message ${t < peer ? 'more than 300 s old' : 'more than 30 s in the future'} was dropped`, false)
        }
      }
    } else {
      // the first authenticated message tells the server's time
      clock.correct(hi * 1000 + lo / 4294967.296, now)
    }
    if (id !== ID_MSG_CONTAINER) return this.one(hi, lo, seq, buf, s, e, now)
    const err = checkContainer(buf, s, e, hi, lo)
    if (err !== '') return this.error('E_BAD_CONTAINER', err, false)
    const r = this.window.add(hi, lo, seq, F_CONTAINER)
    if (r !== ADDED) return this.error(r === TOO_OLD ? 'E_MSG_ID_TOO_OLD' : 'E_MSG_ID_DUPLICATE', 'a container was already received or is too old', false)
    const count = u32(buf, s + 4)
    let o = s + 8
    for (let i = 0; i < count; i++) {
      const mlo = u32(buf, o)
      const mhi = u32(buf, o + 4)
      const mseq = u32(buf, o + 8)
      const len = u32(buf, o + 12)
      if ((mlo & 1) === 0) this.error('E_MSG_ID', 'a server message with an even msg_id', false)
      else this.one(mhi, mlo, mseq, buf, o + 16, o + 16 + len, now)
      o += 16 + len
    }
  }

  /** One message: the window (duplicates, replays), its acknowledgment, then what it says. */
  private one(hi: number, lo: number, seq: number, buf: Uint8Array, s: number, e: number, now: number): void {
    const content = (seq & 1) === 1
    const r = this.window.add(hi, lo, seq, content ? F_CONTENT | F_ACKED : 0)
    if (content) {
      // a duplicate is acknowledged again: the server re-sends what it thinks we missed
      if (this.ackHi.length === 0) this.ackSince = now
      this.queueAck(hi, lo)
    }
    if (r === ADDED) this.process(hi, lo, buf, s, e, now, 0)
    else if (r === TOO_OLD) this.error('E_MSG_ID_TOO_OLD', 'a message older than every id remembered was dropped', false)
  }

  private process(hi: number, lo: number, buf: Uint8Array, s: number, e: number, now: number, depth: number): void {
    if (e - s < 4) return this.error('E_TL', 'an empty message body', false)
    const id = u32(buf, s)
    switch (id) {
      case ID_RPC_RESULT:
        return this.onRpcResult(buf, s, e, now)
      case ID_MSGS_ACK:
        return this.onAcks(buf, s, e)
      case ID_PONG: {
        // pong#347773c5 msg_id:long ping_id:long, read here as the codec would: a TlReader
        // costs more than everything else this answer needs (counted: ~5k instructions of a
        // ping's ~90k, bench/load/insns.mjs)
        if (e - s < 20) return this.error('E_TL', 'truncated pong', false)
        const mhi = u32(buf, s + 8)
        const mlo = u32(buf, s + 4)
        const m = this.lookup(mhi, mlo)
        if (m !== undefined && m.kind === K_PING) this.answered(m, { _: 'pong', msg_id: idOf(mhi, mlo), ping_id: readLong(buf, s + 12) }, now)
        return
      }
      case ID_BAD_MSG_NOTIFICATION:
      case ID_BAD_SERVER_SALT:
        return this.onBadMsg(id, hi, lo, buf, s, e, now)
      case ID_NEW_SESSION_CREATED:
        return this.onNewSession(buf, s, e, now)
      case ID_FUTURE_SALTS: {
        const v = this.decode(buf, s, e) as { req_msg_id: bigint } | undefined
        const m = v && this.lookupId(v.req_msg_id)
        // service_messages: "The client must check to see that the response's req_msg_id in fact coincides with msg_id of the query"
        if (m !== undefined && m.kind === K_FUTURE_SALTS) this.answered(m, v, now)
        else if (v) this.error('E_UNEXPECTED', 'future_salts answering no get_future_salts of ours', false)
        return
      }
      case ID_MSGS_STATE_INFO: {
        const v = this.decode(buf, s, e) as { req_msg_id: bigint; info: Uint8Array } | undefined
        const m = v && this.lookupId(v.req_msg_id)
        if (m !== undefined && m.kind === K_STATE_REQ) {
          this.finish(m)
          const asked = m.data as OutMsg[]
          for (let i = 0; i < asked.length && i < v!.info.length; i++) this.onState(asked[i], v!.info[i], now)
          if (m.resolve) m.resolve(v)
        }
        return
      }
      case ID_MSGS_ALL_INFO: {
        const v = this.decode(buf, s, e) as { msg_ids: bigint[]; info: Uint8Array } | undefined
        if (v) for (let i = 0; i < v.msg_ids.length && i < v.info.length; i++) {
          const m = this.lookupId(v.msg_ids[i])
          if (m !== undefined) this.onState(m, v.info[i], now)
        }
        return
      }
      case ID_MSG_DETAILED_INFO:
      case ID_MSG_NEW_DETAILED_INFO:
        return this.onDetailedInfo(id, buf, s, e)
      case ID_MSGS_STATE_REQ:
      case ID_MSG_RESEND_REQ:
        return this.onPeerStateReq(id, hi, lo, buf, s, e)
      case ID_DESTROY_SESSION_OK:
      case ID_DESTROY_SESSION_NONE: {
        const v = this.decode(buf, s, e) as { session_id: bigint } | undefined
        if (v) for (const m of this.pending.values()) if (m.kind === K_DESTROY_SESSION && m.data === v.session_id) return this.answered(m, v, now)
        return
      }
      case ID_DESTROY_AUTH_KEY_OK:
      case ID_DESTROY_AUTH_KEY_NONE:
      case ID_DESTROY_AUTH_KEY_FAIL: {
        const v = this.decode(buf, s, e)
        for (const m of this.pending.values()) if (m.kind === K_DESTROY_AUTH_KEY) return this.answered(m, v, now)
        return
      }
      case ID_PING:
      case ID_PING_DELAY_DISCONNECT: {
        // "a ping can be initiated by either side": pong#347773c5 msg_id:long ping_id:long
        if (e - s < 12) return this.error('E_TL', 'truncated ping', false)
        const b = new Uint8Array(20)
        put32(b, 0, ID_PONG)
        put32(b, 4, lo)
        put32(b, 8, hi)
        b.set(buf.subarray(s + 4, s + 12), 12)
        this.queue.push(new OutMsg(b, false, K_SERVICE))
        return
      }
      case ID_HTTP_WAIT:
        return
      case ID_GZIP_PACKED: {
        if (depth > 0) return this.error('E_TL', 'gzip_packed inside gzip_packed', false)
        let plain: Uint8Array
        try {
          const r = new TlReader(null, buf, undefined, s + 4, e)
          plain = gunzipBounded(r.bytes(), this.o.maxGzipSize)
        } catch (err) {
          return this.tlError(err)
        }
        return this.process(hi, lo, plain, 0, plain.length, now, depth + 1)
      }
      case ID_MSG_COPY: {
        // msg_copy#e06046b2 orig_message:Message: processed as if unwrapped, unless already received
        if (e - s < 20) return this.error('E_TL', 'truncated msg_copy', false)
        const olo = u32(buf, s + 4)
        const ohi = u32(buf, s + 8)
        const oseq = u32(buf, s + 12)
        const len = u32(buf, s + 16)
        if (len > e - s - 20 || (olo & 1) === 0 || ohi > hi || (ohi === hi && olo >= lo)) return this.error('E_TL', 'a malformed msg_copy', false)
        return this.one(ohi, olo, oseq, buf, s + 20, s + 20 + len, now)
      }
    }
    // anything else is an update (or a service message we do not act on)
    const body = this.decode(buf, s, e, true)
    if (body !== undefined) this.ev.push({ type: 'update', msgId: idOf(hi, lo), body })
  }

  /** Decodes one boxed object of `buf[s, e)`; a TL error becomes an error event (undefined). */
  private decode(buf: Uint8Array, s: number, e: number, raw = false): unknown {
    try {
      const r = new TlReader(this.codec, buf, this.readerOpts, s, e)
      return raw ? r.objectOrRaw() : r.object()
    } catch (err) {
      this.tlError(err)
      return undefined
    }
  }

  private tlError(err: unknown): void {
    if (!(err instanceof TlError)) throw err
    this.ev.push({ type: 'error', error: err, reconnect: false })
  }

  // rpc_result#f35c6d01 req_msg_id:long result:Object
  private onRpcResult(buf: Uint8Array, s: number, e: number, now: number): void {
    if (e - s < 16) return this.error('E_TL', 'truncated rpc_result', false)
    const reqLo = u32(buf, s + 4)
    const reqHi = u32(buf, s + 8)
    const m = this.lookup(reqHi, reqLo)
    // an answer to nothing pending (answered already, dropped, forgotten): acknowledged, ignored
    if (m === undefined || m.kind === K_STATE_REQ) return
    m.acked = true
    this.clock.accepted(reqHi, reqLo)
    const rs = s + 12
    if (u32(buf, rs) === ID_RPC_ERROR) {
      // rpc_error#2144ca19 error_code:int error_message:string
      let message = ''
      try {
        message = new TlReader(null, buf, undefined, rs + 8, e).string()
      } catch (err) {
        return this.tlError(err)
      }
      return this.onRpcError(m, e - rs >= 8 ? i32(buf, rs + 4) : 0, message, now)
    }
    let value: unknown
    try {
      const r = new TlReader(this.codec, buf, this.readerOpts, rs, e)
      const f = m.method !== '' ? this.results[m.method] : undefined
      value = f !== undefined ? f(r) : r.objectOrRaw()
    } catch (err) {
      if (!(err instanceof TlError)) throw err
      this.fail(m, err)
      return
    }
    this.answered(m, value, now)
  }

  private onRpcError(m: OutMsg, code: number, message: string, now: number): void {
    const t = this.temp
    if (m.kind === K_BIND) return this.onBindError(m, code, message, now)
    if (message === 'AUTH_KEY_PERM_EMPTY' && t !== undefined) {
      // api/pfs: the temporary key is not bound (any more): bind it again, then re-send
      this.pending.delete(m.key)
      m.clearId()
      t.bound = false
      this.held.push(m)
      this.startBind(now)
      return
    }
    this.fail(m, new RpcError(code, message))
  }

  /** A request (or internal query) got its answer. */
  private answered(m: OutMsg, value: unknown, now: number): void {
    this.clock.accepted(m.hi, m.lo)
    if (!this.established) {
      this.established = true
      this.saltCheck = 0
    }
    switch (m.kind) {
      case K_PING:
        if (m === this.ping) this.ping = undefined
        break
      case K_FUTURE_SALTS:
        this.storeSalts(value as { salts: { valid_since: number; valid_until: number; salt: bigint }[] }, now)
        break
      case K_BIND:
        return this.onBound(m, value, now)
    }
    const resolve = m.resolve
    if (m.evented) this.ev.push({ type: 'result', tag: m.tag, result: value })
    this.finish(m)
    resolve?.(value)
  }

  /** Marks a message done and drops what it holds. */
  private finish(m: OutMsg): void {
    m.done = true
    if (this.pending.get(m.key) === m) this.pending.delete(m.key)
    m.body = EMPTY
    m.resolve = undefined
    m.reject = undefined
    m.deadline = Infinity
    m.checkAt = Infinity
    this.timers.remove(m)
    if (m.cleanup !== undefined) {
      m.cleanup()
      m.cleanup = undefined
    }
    if (typeof m.data === 'string' && this.chains.get(m.data) === m) this.chains.delete(m.data)
    m.after = undefined
  }

  private fail(m: OutMsg, err: Error): void {
    const reject = m.reject
    if (m.evented) this.ev.push({ type: 'result', tag: m.tag, error: err })
    this.finish(m)
    reject?.(err)
  }

  // msgs_ack#62d6b459 msg_ids:Vector<long>
  private onAcks(buf: Uint8Array, s: number, e: number): void {
    if (e - s < 12 || u32(buf, s + 4) !== ID_VECTOR) return this.error('E_TL', 'malformed msgs_ack', false)
    const n = u32(buf, s + 8)
    if (n > (e - s - 12) / 8) return this.error('E_TL', 'malformed msgs_ack', false)
    if (this.pending.size === 0) return
    for (let i = 0, o = s + 12; i < n; i++, o += 8) {
      const m = this.lookup(u32(buf, o + 4), u32(buf, o))
      if (m !== undefined) {
        m.acked = true
        this.clock.accepted(m.hi, m.lo)
      }
    }
  }

  // bad_msg_notification#a7eff811 bad_msg_id:long bad_msg_seqno:int error_code:int
  // bad_server_salt#edab447b bad_msg_id:long bad_msg_seqno:int error_code:int new_server_salt:long
  private onBadMsg(id: number, hi: number, lo: number, buf: Uint8Array, s: number, e: number, now: number): void {
    const salt = id === ID_BAD_SERVER_SALT
    if (e - s < (salt ? 28 : 20)) return this.error('E_TL', 'truncated bad_msg_notification', false)
    const bhi = u32(buf, s + 8)
    const blo = u32(buf, s + 4)
    const bad = keyOf(bhi, blo)
    const code = i32(buf, s + 16)
    // service_messages_about_messages: "The client must check that it has, in fact, recently sent a message with the specified msg_id"
    const m = this.findRecent(bhi, blo)
    if (m === undefined) return this.error('E_BAD_MSG_UNKNOWN', `bad_msg_notification ${code} for a msg_id we did not send recently`, false)
    // the messages that went out under that id and have not been sent again since
    const list = m.kind === K_CONTAINER ? m.items!.filter((x) => x.container === bad && !x.done) : m.key === bad && !m.done ? [m] : []
    if (list.length === 0) return // re-sent meanwhile: this notice is stale
    switch (code) {
      case 16:
      case 17:
        // msg_id too low / too high: synchronize with the notification's own msg_id, re-send
        this.clock.correct(hi * 1000 + lo / 4294967.296, now)
        return this.resend(list, now, `bad_msg_notification ${code}`, NEW_ID)
      case 48:
        if (!salt) break
        // bad_server_salt: "the message is to be re-sent with" the new salt
        this.setSalt(readLong(buf, s + 20))
        this.salts = []
        this.saltCheck = 0
        return this.resend(list, now, 'bad_server_salt', NEW_ID)
      case 19:
        // the container's id was taken ("must never happen"): its messages were not looked at;
        // again with their own ids in a new container, so nothing can run twice
        return this.resend(list, now, 'bad_msg_notification 19', SAME_ID)
      case 18:
      case 20:
        // 18: our ids (cannot happen: the clock issues ≡ 0 mod 4); 20: too old to tell whether
        // it arrived. Re-send with a new msg_id (the resend limit ends a loop).
        return this.resend(list, now, `bad_msg_notification ${code}`, NEW_ID)
      case 32:
      case 33:
        // seqno too low / too high: this session's numbering disagrees with the server's (a
        // session used twice, a stale restore). Start a new session; everything pending goes again.
        return this.resetSession(`bad_msg_notification ${code}`)
      case 34:
      case 35:
        // an even seqno expected but odd received, or the reverse: send it the other way
        for (const x of list) if (x.kind !== K_ACK) x.content = code === 35
        return this.resend(list, now, `bad_msg_notification ${code}`, NEW_ID)
    }
    // 64 (invalid container) and anything unknown: nothing to fix by re-sending
    for (const x of list) {
      if (x.kind === K_ACK) continue
      if (x.reject !== undefined) this.fail(x, new SessionError('E_BAD_MSG', `the server rejected the message (bad_msg_notification ${code})`))
      else this.finish(x)
    }
    this.error('E_BAD_MSG', `bad_msg_notification ${code}`, false)
  }

  /**
   * Sends messages again, in front of the queue: with new msg_ids (the server ignored them), or
   * with their own ids in a container (service_messages_about_messages: a message the peer seems
   * to have missed "must not be re-sent on its own with the same msg_id ... it can be wrapped in
   * a container"): the server then deduplicates a copy that arrives late, so nothing runs twice.
   * An id too old for the server's window goes new anyway.
   */
  private resend(list: OutMsg[], now: number, why: string, sameId: boolean): void {
    const again: OutMsg[] = []
    const peerSec = this.clock.peerTime(now) / 1000
    for (const m of list) {
      if (m.done || this.queue.includes(m)) continue
      if (m.kind === K_PING && m === this.ping) {
        // a keepalive is not worth re-sending
        this.finish(m)
        this.ping = undefined
        continue
      }
      if (++m.resends > this.o.maxResends) {
        this.fail(m, new SessionError('E_RESEND_LIMIT', `re-sent ${this.o.maxResends} times (${why})`))
        continue
      }
      if (sameId && m.key !== 0 && peerSec - m.hi < KEEP_ID_MAX_AGE) {
        m.keepId = true
      } else {
        if (this.pending.get(m.key) === m) this.pending.delete(m.key)
        m.clearId()
        m.keepId = false
      }
      again.push(m)
    }
    if (again.length) this.queue.unshift(...again)
  }

  // new_session_created#9ec20908 first_msg_id:long unique_id:long server_salt:long
  private onNewSession(buf: Uint8Array, s: number, e: number, now: number): void {
    if (e - s < 28) return this.error('E_TL', 'truncated new_session_created', false)
    const flo = u32(buf, s + 4)
    const fhi = u32(buf, s + 8)
    const first = idOf(fhi, flo)
    const salt = readLong(buf, s + 20)
    this.setSalt(salt)
    this.established = true
    this.saltCheck = 0
    this.ev.push({ type: 'newSession', firstMsgId: first, uniqueId: readLong(buf, s + 12), salt })
    // what we sent before first_msg_id went to a session the server no longer has, or is still
    // on its way: send it again with its own msg_id (in a container), so that a copy arriving
    // late is recognized as a duplicate and runs once
    const lost: OutMsg[] = []
    for (const m of this.pending.values()) {
      if (!m.done && m.kind !== K_STATE_REQ && (m.hi < fhi || (m.hi === fhi && m.lo < flo))) lost.push(m)
    }
    if (lost.length) this.resend(lost, now, 'new session', SAME_ID)
  }

  // msg_detailed_info#276d3ec6 msg_id:long answer_msg_id:long bytes:int status:int
  // msg_new_detailed_info#809db6df answer_msg_id:long bytes:int status:int
  private onDetailedInfo(id: number, buf: Uint8Array, s: number, e: number): void {
    const off = id === ID_MSG_DETAILED_INFO ? 12 : 4
    if (e - s < off + 16) return this.error('E_TL', 'truncated msg_detailed_info', false)
    const ahi = u32(buf, s + off + 4)
    const alo = u32(buf, s + off)
    // the answer (or the server's message) exists: if we have it, acknowledge it, else ask for it
    const waiting = id === ID_MSG_DETAILED_INFO ? this.lookup(u32(buf, s + 8), u32(buf, s + 4)) !== undefined : this.window.find(ahi, alo) < 0
    if (waiting) this.queueIds(ID_MSG_RESEND_REQ, K_RESEND_REQ, [ahi], [alo], undefined)
    else {
      if (this.ackHi.length === 0) this.ackSince = -Infinity
      this.queueAck(ahi, alo)
    }
  }

  /** The server asks about messages it sent (msgs_state_req), or for ours again (msg_resend_req). */
  private onPeerStateReq(id: number, hi: number, lo: number, buf: Uint8Array, s: number, e: number): void {
    const v = this.decode(buf, s, e) as { msg_ids: bigint[] } | undefined
    if (!v) return
    const ids = v.msg_ids.slice(0, MAX_IDS)
    if (id === ID_MSG_RESEND_REQ) {
      // service_messages_about_messages: re-send them at once; if one is unknown or was sent by
      // the requester, answer msgs_state_info for all instead
      const found: OutMsg[] = []
      for (const x of ids) {
        halvesOf(x, HALVES)
        const m = this.findRecent(HALVES[0], HALVES[1])
        if (m === undefined || m.kind === K_CONTAINER || m.body.length === 0 || m.key !== keyOf(HALVES[0], HALVES[1])) break
        found.push(m)
      }
      if (found.length === ids.length) {
        for (const m of found) m.keepId = true
        this.queue.unshift(...found)
        return
      }
    }
    this.queue.push(this.stateInfo(hi, lo, ids))
  }

  /** msgs_state_info#04deb57d req_msg_id:long info:string, one status byte per id from our window. */
  private stateInfo(hi: number, lo: number, ids: bigint[]): OutMsg {
    const w = new TlWriter(null, 24 + ids.length)
    w.int(ID_MSGS_STATE_INFO)
    w.int(lo | 0)
    w.int(hi | 0)
    const info = new Uint8Array(ids.length)
    for (let i = 0; i < ids.length; i++) {
      halvesOf(ids[i], HALVES)
      info[i] = this.window.status(HALVES[0], HALVES[1])
    }
    w.bytes(info)
    return new OutMsg(w.toBytes(), false, K_SERVICE)
  }

  /** What msgs_state_info / msgs_all_info says about one of our messages. */
  private onState(m: OutMsg, status: number, now: number): void {
    if (m.done || m.kind === K_ACK || m.kind === K_CONTAINER) return
    const s = status & 7
    if (s === 1 || s === 2 || s === 3) {
      // not received: sent again with its own msg_id in a container while the server still
      // accepts that id, so that the first copy, if it only arrives late, is not run twice
      return this.resend([m], now, 'not received', SAME_ID)
    }
    if (s !== 4) return
    m.acked = true
    this.clock.accepted(m.hi, m.lo)
    // the answer exists but has not reached us: the same msg_id again, in a container; the
    // server answers a duplicate with the answer (or msg_detailed_info)
    if (status & 64) this.resend([m], now, 'answer missing', SAME_ID)
    else this.recheck(m, now)
  }

  private recheck(m: OutMsg, now: number): void {
    if (this.o.stateRequestAfter > 0) {
      m.checkAt = now + this.o.stateRequestAfter
      this.schedule(m)
    }
  }

  /** Queues msgs_state_req or msg_resend_req (≤ 8192 ids each). */
  private queueIds(ctor: number, kind: number, hi: number[], lo: number[], asked: OutMsg[] | undefined): void {
    const n = hi.length
    const b = new Uint8Array(12 + 8 * n)
    put32(b, 0, ctor)
    put32(b, 4, ID_VECTOR)
    put32(b, 8, n)
    for (let i = 0; i < n; i++) {
      put32(b, 12 + 8 * i, lo[i])
      put32(b, 16 + 8 * i, hi[i])
    }
    const m = new OutMsg(b, true, kind)
    m.data = asked
    this.queue.push(m)
  }

  // ------------------------------------------------------------------ salts

  private storeSalts(v: { salts: { valid_since: number; valid_until: number; salt: bigint }[] } | undefined, now: number): void {
    this.saltsRequested = false
    this.saltCheck = 0
    if (!v || !Array.isArray(v.salts)) return
    for (const x of v.salts) this.salts.push({ since: x.valid_since, until: x.valid_until, salt: x.salt })
    this.salts.sort((a, b) => a.since - b.since)
    this.rotateSalt(now)
  }

  /** Moves to the future salt valid now, drops expired ones, asks for more when few are left. */
  private rotateSalt(now: number): void {
    const t = Math.floor(this.clock.peerTime(now) / 1000)
    if (t < this.saltCheck) return
    const list = this.salts
    let i = 0
    while (i < list.length && list[i].until <= t) i++
    if (i) list.splice(0, i)
    // the newest salt already valid
    let cur: Salt | undefined
    let next = Infinity
    for (const x of list) {
      if (x.since <= t) cur = x
      else next = Math.min(next, x.since)
    }
    if (cur !== undefined && cur.salt !== this.salt) this.setSalt(cur.salt)
    if (list.length) next = Math.min(next, list[0].until)
    // service_messages: future salts let messages go out after the current salt expires; ask
    // for more while fewer than two stay valid for the next half hour
    const want = this.o.futureSalts
    if (want > 0 && !this.closed) {
      let lasting = 0
      for (const x of list) if (x.until > t + 1800) lasting++
      if (lasting < 2) {
        if (this.established && !this.saltsRequested) {
          this.saltsRequested = true
          const b = new Uint8Array(8)
          put32(b, 0, 0xb921bd04) // get_future_salts#b921bd04 num:int
          put32(b, 4, want)
          const m = new OutMsg(b, true, K_FUTURE_SALTS)
          m.method = 'get_future_salts'
          this.queue.push(m)
        }
        next = t + 60 // look again when the answer may have come
      } else {
        // when the second-to-last lasting salt gets within 30 minutes of its end
        const ends = list.map((x) => x.until).sort((a, b) => a - b)
        next = Math.min(next, ends[ends.length - 2] - 1800)
      }
    }
    this.saltCheck = next
  }

  // ------------------------------------------------------------------ timers

  /** When `tick` must run next (ms on the session's clock), or undefined when nothing waits. */
  nextDeadline(): number | undefined {
    let t = this.timers.peek()
    if (this.ackHi.length) t = Math.min(t, this.ackHi.length > this.o.maxPendingAcks ? -Infinity : this.ackSince + this.o.ackDelay)
    t = Math.min(t, this.pingAt, this.tempRefreshAt)
    return t === Infinity ? undefined : t < 0 ? 0 : t
  }

  /** Runs what is due at `now`: timeouts, state checks, keepalive, key refresh. Then call `takeOutgoing()`. */
  tick(now: number = this.now()): ClientSessionEvent[] {
    const heap = this.timers
    let checkHi: number[] | undefined
    let checkLo: number[] | undefined
    let asked: OutMsg[] | undefined
    while (heap.size && heap.peek() <= now) {
      const m = heap.first()
      if (m.deadline <= now) {
        m.deadline = Infinity
        if (m.resolve !== undefined) this.fail(m, new TimeoutError(m.timeout))
        else {
          if (m.kind === K_FUTURE_SALTS) this.saltsRequested = false
          if (m !== this.ping) this.finish(m) // the keepalive decides about its ping
        }
        this.schedule(m)
        continue
      }
      if (m.key !== 0 && !this.queue.includes(m)) {
        // service_messages_about_messages: ask about an answer that is overdue (again later if
        // the state request or its answer is lost)
        ;(checkHi ??= []).push(m.hi)
        ;(checkLo ??= []).push(m.lo)
        ;(asked ??= []).push(m)
        if (asked.length === MAX_IDS) {
          this.queueIds(ID_MSGS_STATE_REQ, K_STATE_REQ, checkHi, checkLo!, asked)
          checkHi = checkLo = asked = undefined
        }
      }
      m.checkAt = now + this.o.stateRequestAfter
      this.schedule(m)
    }
    if (asked) this.queueIds(ID_MSGS_STATE_REQ, K_STATE_REQ, checkHi!, checkLo!, asked)
    if (now >= this.pingAt) this.keepalive(now)
    if (now >= this.tempRefreshAt) {
      this.tempRefreshAt = Infinity
      const t = this.temp
      this.ev.push({ type: 'tempKeyNeeded', reason: t !== undefined && Math.floor(this.clock.peerTime(now) / 1000) >= t.expiresAt ? 'expired' : 'expiring' })
    }
    return this.takeEvents()
  }

  private keepalive(now: number): void {
    const o = this.o
    this.pingAt = now + o.pingInterval
    if (this.ping !== undefined && !this.ping.done) {
      // no pong for a whole interval: the connection is dead
      this.finish(this.ping)
      this.ping = undefined
      this.error('E_PING_TIMEOUT', `no pong within ${o.pingInterval} ms`, true)
      return
    }
    // ping_delay_disconnect#f3427b8c ping_id:long disconnect_delay:int
    const b = new Uint8Array(16)
    put32(b, 0, ID_PING_DELAY_DISCONNECT)
    b.set(this.crypto.randomBytes(8), 4)
    put32(b, 12, o.pingDisconnectDelay)
    const m = new OutMsg(b, true, K_PING)
    m.method = 'ping_delay_disconnect'
    this.ping = m
    this.queue.push(m)
  }

  // ------------------------------------------------------------------ connection and session

  /**
   * Call when the driver has opened a new connection for this session (after a disconnect):
   * requests the server has not acknowledged go again with their msg_ids in a container (it
   * deduplicates them; it re-sends the answers it has), quick-ACK tokens are forgotten.
   */
  reconnected(now: number = this.now()): void {
    this.tokens.clear()
    if (this.ping !== undefined) {
      this.finish(this.ping)
      this.ping = undefined
    }
    if (this.o.pingInterval > 0) this.pingAt = now + this.o.pingInterval
    const again: OutMsg[] = []
    const peerSec = this.clock.peerTime(now) / 1000
    for (const m of this.pending.values()) {
      if (m.done || m.acked || this.queue.includes(m)) continue
      if (m.kind !== K_RPC && m.kind !== K_BIND && m.resolve === undefined) {
        // internal queries are asked again when needed
        this.finish(m)
        continue
      }
      // the same msg_id in a container: the server runs it once, and re-sends its answer
      if (peerSec - m.hi < KEEP_ID_MAX_AGE) m.keepId = true
      else {
        this.pending.delete(m.key)
        m.clearId()
      }
      again.push(m)
    }
    if (again.length) this.queue.unshift(...again)
    this.saltsRequested = false
    this.onOutgoing?.()
  }

  /**
   * Starts a new session (new session_id, seq_no from 0, empty window): for seqno errors, or to
   * leave a session the server may hold stale state for. Pending requests are re-sent in it.
   */
  resetSession(reason = 'reset'): void {
    const old = this.sessionId
    this.setSessionId(this.randomLong())
    this.seq = 0
    this.window.clear()
    this.ackHi.length = 0
    this.ackLo.length = 0
    this.ackSince = Infinity
    this.tokens.clear()
    const again: OutMsg[] = []
    for (const m of [...this.pending.values(), ...this.queue]) {
      if (m.done || m.kind === K_ACK || m.kind === K_CONTAINER || again.includes(m)) continue
      if (m.resolve === undefined && m.kind !== K_RPC && m.kind !== K_BIND) {
        this.finish(m)
        continue
      }
      m.clearId()
      m.keepId = false
      again.push(m)
    }
    if (this.ping !== undefined && this.ping.done) this.ping = undefined
    this.pending.clear()
    this.recent.length = 0
    this.recentKeys.length = 0
    this.recentPos = 0
    this.queue.length = 0
    this.queue.push(...again)
    this.saltsRequested = false
    this.ev.push({ type: 'sessionReset', reason, oldSessionId: old, sessionId: this.sessionId })
  }

  /**
   * Graceful close: pending requests reject with `SessionError` `E_CLOSED`, and the next
   * `takeOutgoing()` carries the acknowledgments still owed. Later `invoke` calls reject.
   */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const m of [...this.pending.values(), ...this.queue, ...this.held]) {
      if (m.done || m.reject === undefined) continue
      this.fail(m, new SessionError('E_CLOSED', 'the session was closed'))
    }
    this.queue.length = 0
    this.held = []
    this.pingAt = Infinity
    this.tempRefreshAt = Infinity
  }

  // ------------------------------------------------------------------ temporary keys (api/pfs)

  /**
   * Switches to a temporary key (created by the driver with the temp-key handshake): the next
   * message is auth.bindTempAuthKey, sent with that key, and other requests wait until it is
   * bound (`bound` event: re-send initConnection then). A `tempKeyNeeded` event comes
   * `tempKeyMargin` − jitter seconds before `expiresAt` (unix seconds).
   */
  useTempKey(tempKey: AuthKey, expiresAt: number, now: number = this.now()): void {
    authKeyState(tempKey)
    if (!Number.isInteger(expiresAt)) throw new SessionError('E_OPTION', 'expiresAt must be unix seconds')
    // api/pfs: the binding goes in the session the temporary key will be used in
    const prev = this.temp
    this.temp = { key: tempKey, expiresAt, bound: false, bind: undefined, nonce: this.randomLong(), refused: 0 }
    if (prev?.bind && !prev.bind.done) this.finish(prev.bind)
    this.resetSession('temporary key')
    // requests wait for the binding
    for (const m of this.queue) if (m.kind !== K_ACK) this.held.push(m)
    this.queue.length = 0
    this.startBind(now)
    const jitter = this.o.tempKeyJitter > 0 ? (u32(this.crypto.randomBytes(4), 0) % (this.o.tempKeyJitter * 1000)) : 0
    const peerNow = this.clock.peerTime(now)
    this.tempRefreshAt = now + Math.max(0, expiresAt * 1000 - peerNow - this.o.tempKeyMargin * 1000 - jitter)
  }

  /** The permanent key again (drops the temporary one). */
  dropTempKey(): void {
    if (this.temp === undefined) return
    this.temp = undefined
    this.tempRefreshAt = Infinity
    this.resetSession('temporary key dropped')
    this.queue.push(...this.held)
    this.held = []
  }

  private startBind(_now: number): void {
    const t = this.temp!
    if (t.bind !== undefined && !t.bind.done) return
    const build = this.bindBuilder
    // fixed size: id, perm_auth_key_id, nonce, expires_at, encrypted_message (MTProto 1.0 of the 40-byte inner)
    const m = new OutMsg(new Uint8Array(BIND_BODY), true, K_BIND)
    m.method = 'auth.bindTempAuthKey'
    m.late = (msgId) => {
      const r = build(this.crypto, { permKey: this.permKey, tempKey: t.key, nonce: t.nonce, expiresAt: t.expiresAt, msgId, tempSessionId: this.sessionId })
      return r instanceof Uint8Array ? r : encodeBind(r)
    }
    t.bind = m
    this.queue.unshift(m)
    this.onOutgoing?.()
  }

  private onBound(m: OutMsg, value: unknown, _now: number): void {
    const t = this.temp
    this.finish(m)
    if (t === undefined || t.bind !== m) return
    if (value !== true) {
      this.error('E_BIND', 'auth.bindTempAuthKey did not answer boolTrue', false)
      this.ev.push({ type: 'tempKeyNeeded', reason: 'rejected' })
      return
    }
    t.bound = true
    this.ev.push({ type: 'bound', tempKeyId: t.key.idLong, expiresAt: t.expiresAt })
    this.queue.push(...this.held)
    this.held = []
  }

  private onBindError(m: OutMsg, code: number, message: string, now: number): void {
    this.finish(m)
    const t = this.temp
    if (t === undefined || t.bind !== m) return
    t.bind = undefined
    if (message === 'ENCRYPTED_MESSAGE_INVALID') {
      // api/pfs: "if the permanent key is more than 60 seconds old, drop both keys and create
      // new ones; otherwise just retry the binding"
      const age = this.permKeyCreatedAt === undefined ? Infinity : Math.floor(this.clock.peerTime(now) / 1000) - this.permKeyCreatedAt
      if (age > 60) {
        this.ev.push({ type: 'authKeyInvalid', reason: 'ENCRYPTED_MESSAGE_INVALID' })
        for (const x of this.held) this.fail(x, new RpcError(code, message))
        this.held = []
        return
      }
      if (++t.refused <= this.o.maxResends) return this.startBind(now)
      // refused again and again: a new temporary key may do better
    }
    this.error('E_BIND', `auth.bindTempAuthKey failed: ${code} ${message}`, false)
    this.ev.push({ type: 'tempKeyNeeded', reason: 'rejected' })
  }

  // ------------------------------------------------------------------ state

  /**
   * Everything needed to continue this session in another process, as plain JSON data: the
   * permanent key, salts, clock offset, counters and unanswered requests. The temporary key
   * only with `includeTempKey` (api/pfs recommends keeping it in memory only).
   */
  exportState(options: { includeTempKey?: boolean } = {}): ClientSessionState {
    const pending: ClientSessionState['pending'] = []
    const seen = new Set<OutMsg>()
    for (const m of [...this.pending.values(), ...this.queue, ...this.held]) {
      if (seen.has(m) || m.done || m.kind !== K_RPC || m.resolve === undefined) continue
      seen.add(m)
      pending.push({ msgId: m.msgId.toString(), seqNo: m.seqNo, body: toBase64(m.body), method: m.method, acked: m.acked })
    }
    const c = this.clock.save()
    const st: ClientSessionState = {
      version: 1,
      authKey: toBase64(authKeyState(this.permKey).key),
      sessionId: this.sessionId.toString(),
      salt: this.salt.toString(),
      futureSalts: this.salts.map((x) => ({ validSince: x.since, validUntil: x.until, salt: x.salt.toString() })),
      timeOffset: c.offset,
      synced: c.synced,
      lastMsgId: idOf(c.hi, c.lo).toString(),
      acceptedMsgId: idOf(c.accHi, c.accLo).toString(),
      seq: this.seq,
      pending,
    }
    if (options.includeTempKey && this.temp) {
      st.tempKey = { authKey: toBase64(authKeyState(this.temp.key).key), expiresAt: this.temp.expiresAt, bound: this.temp.bound }
    }
    return st
  }

  /**
   * A session continued from `exportState()` output (no new handshake). Requests that were
   * pending are sent again with their msg_ids (the server deduplicates them); their promises
   * are in `restored`.
   */
  static fromState(state: ClientSessionState, options: Omit<ClientSessionOptions, 'authKey' | 'salt' | 'sessionId' | 'timeOffset'>): ClientSession {
    if (!state || state.version !== 1) throw new SessionError('E_STATE', 'not a version 1 session state')
    const key = fromBase64(state.authKey)
    if (key === null || key.length !== 256) throw new SessionError('E_STATE', 'state.authKey must be 256 bytes of base64')
    let s: ClientSession
    try {
      s = new ClientSession({ ...options, authKey: createAuthKey(key), salt: BigInt(state.salt), sessionId: BigInt(state.sessionId) })
      s.salts = state.futureSalts.map((x) => ({ since: x.validSince, until: x.validUntil, salt: BigInt(x.salt) }))
      halvesOf(BigInt(state.lastMsgId), HALVES)
      const [hi, lo] = HALVES
      halvesOf(BigInt(state.acceptedMsgId ?? '0'), HALVES)
      s.clock.restore({ offset: state.timeOffset, synced: state.synced, hi, lo, accHi: HALVES[0], accLo: HALVES[1] })
      s.seq = state.seq
      for (const p of state.pending) {
        const body = fromBase64(p.body)
        if (body === null || body.length < 4) throw new SessionError('E_STATE', 'a pending request body is not base64')
        const m = new OutMsg(body, true, K_RPC)
        m.method = p.method
        const id = BigInt(p.msgId)
        if (id !== 0n) {
          halvesOf(id, HALVES)
          m.hi = HALVES[0]
          m.lo = HALVES[1]
          m.key = keyOf(m.hi, m.lo)
        }
        m.seqNo = p.seqNo
        m.acked = p.acked
        m.keepId = m.key !== 0
        const promise = new Promise<unknown>((resolve, reject) => {
          m.resolve = resolve
          m.reject = reject
        })
        promise.catch(() => {}) // the caller may never look at it
        s.restoredList.push({ msgId: m.msgId, method: m.method, promise })
        if (m.key !== 0) s.pending.set(m.key, m)
        if (!m.acked || m.key === 0) s.queue.push(m)
        else s.recheck(m, s.now())
      }
    } catch (e) {
      if (e instanceof SessionError) throw e
      throw new SessionError('E_STATE', `malformed session state: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (state.tempKey) {
      const tk = fromBase64(state.tempKey.authKey)
      if (tk === null || tk.length !== 256) throw new SessionError('E_STATE', 'state.tempKey.authKey must be 256 bytes of base64')
      s.temp = { key: createAuthKey(tk), expiresAt: state.tempKey.expiresAt, bound: state.tempKey.bound, bind: undefined, nonce: s.randomLong(), refused: 0 }
    }
    return s
  }

  /** The requests a `fromState` session continued, with their promises. */
  get restored(): readonly RestoredRequest[] {
    return this.restoredList
  }
}

const HALVES = [0, 0]

function sameId(id: Uint8Array, packet: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (id[i] !== packet[i]) return false
  return true
}

/**
 * auth.bindTempAuthKey's usual length: id, perm_auth_key_id, nonce, expires_at, then encrypted_message
 * as bytes: 8 + 16 + 80 (MTProto 1.0 of 16 random + msg_id + seqno + length + the 40-byte inner,
 * padded to 16) with its length byte and padding = 108. Only a placeholder until the msg_id is known.
 */
const BIND_BODY = 132 // 4 + 8 + 8 + 4 + 108

/** auth.bindTempAuthKey#cdd42a05 perm_auth_key_id:long nonce:long expires_at:int encrypted_message:bytes */
function encodeBind(o: { perm_auth_key_id: bigint; nonce: bigint; expires_at: number; encrypted_message: Uint8Array }): Uint8Array {
  const w = new TlWriter(null, BIND_BODY)
  w.int(ID_BIND_TEMP_AUTH_KEY | 0)
  w.long(o.perm_auth_key_id)
  w.long(o.nonce)
  w.int(o.expires_at)
  w.bytes(o.encrypted_message)
  return w.toBytes()
}

function readLong(b: Uint8Array, o: number): bigint {
  return idOf(u32(b, o + 4), u32(b, o))
}

/** `invoke()` without options (a shared object: no allocation per request). */
const NO_OPTIONS: InvokeOptions = /* @__PURE__ */ Object.freeze({})
