/**
 * The server side of MTProto sessions, sans-IO (core.telegram.org/mtproto/description,
 * /service_messages, /service_messages_about_messages, /security_guidelines), in three files:
 *
 * - here, `SessionServer`: the keys (the auth layer's `KeyStore`, which the handshake fills, or
 *   any Map-like store), the salts (derived per key and 30-minute window from a secret: nothing
 *   stored per key), the sessions by (auth_key_id, session_id), the limits and the RPC handler;
 * - connection.ts, `ServerConnection` (from `server.connection()`): the `Layer` a driver drives
 *   per socket: `receive(packet, now, quickAck)`, `takeOutgoing()`, `nextDeadline()`, `tick(now)`;
 * - server-session.ts, `ServerSession`: one client session; it answers on the connection it last
 *   heard from, and re-sends what the client has not acknowledged when it comes back on a new one.
 *
 * Every client check is mirrored, strictly: msg_id parity and time window (−300 s / +30 s on
 * the server's clock, always), duplicates and replays, seq_no consistency, the salt; each
 * failure answers the bad_msg_notification code the spec gives. Service queries are answered by
 * the session; API queries are unwrapped (invokeWithLayer, initConnection, invokeWithoutUpdates,
 * invokeAfterMsg(s)) and handed to the handler.
 */
import type { KeyStore, StoredKey } from '../auth/keystore.js'
import { type AuthKey, createAuthKey } from '../crypto/authkey.js'
import type { Crypto } from '../crypto/types.js'
import { type MtwireError, SessionError } from '../errors.js'
import { mergeCodecs, type TlCodec } from '../tl/codec.js'
import { TlWriter } from '../tl/writer.js'
import { mtprotoCodec } from '../tl/generated/mtproto.js'
import { mtwireCodec } from '../tl/generated/mtwire.js'
import { ServerConnection } from './connection.js'
import { RpcError } from './errors.js'
import { ServerSession } from './server-session.js'
import { ID_DESTROY_AUTH_KEY_FAIL, ID_DESTROY_AUTH_KEY_NONE, ID_DESTROY_AUTH_KEY_OK, SALT_PERIOD_S } from './wire.js'

export { ServerConnection } from './connection.js'
export { ServerSession, rpcErrorBody } from './server-session.js'

/** A key the server knows, with what it knows about it. */
export interface ServerKey {
  authKey: AuthKey
  /** A temporary key (api/pfs): unix seconds it expires. */
  expiresAt?: number
  /** Set when the temporary key is bound: the permanent key's id. */
  permKeyId?: bigint
  /** The handshake's first salt (new_nonce[0:8] ⊕ server_nonce[0:8]), accepted until `saltUntil` (unix s). */
  salt?: bigint
  saltUntil?: number
}

/**
 * Where the server finds keys by auth_key_id: the auth layer's `KeyStore` (permanent and
 * temporary keys, bindings; the handshake server writes into it), or a simple store such as a
 * `Map<bigint, AuthKey | ServerKey>`.
 */
export type ServerKeys = KeyStore | SimpleKeys

export interface SimpleKeys {
  get(authKeyId: bigint): AuthKey | ServerKey | undefined
  /** For destroy_auth_key; without it the server answers destroy_auth_key_fail. */
  delete?(authKeyId: bigint): boolean | void
}

const isKeyStore = (k: ServerKeys): k is KeyStore => typeof (k as KeyStore).bindingOfTemp === 'function'

/** What the RPC handler gets: the unwrapped query and where it came from. */
export interface RpcCall {
  /** The query decoded with the server's codec, or its raw bytes when the codec does not know it. */
  query: unknown
  /** The query's serialization (without the wrappers). */
  raw: Uint8Array
  /** The query's constructor id. */
  constructorId: number
  /** The message's msg_id. */
  msgId: bigint
  authKeyId: bigint
  sessionId: bigint
  /** invokeWithLayer's layer, if it was wrapped in one. */
  layer?: number
  /** initConnection's fields (without `query`), if it was wrapped in one. */
  initConnection?: Record<string, unknown>
  /** Wrapped in invokeWithoutUpdates. */
  withoutUpdates: boolean
  /** The session itself (`call.session.send(update)` pushes an update to the client). */
  session: ServerSession
}

/**
 * Answers an API query: a TL object (encoded with the server's codec), its serialization, a
 * boolean, an `RpcError` (or `{ _: 'rpc_error', error_code, error_message }`); may be async and
 * may throw (an `RpcError` is sent as such, anything else as 500 INTERNAL_SERVER_ERROR).
 */
export type RpcHandler = (call: RpcCall) => unknown


export interface ServerLimits {
  /** RPC queries running at once per session; more are answered 420 FLOOD_WAIT_1. Default 1024. */
  maxPendingPerSession: number
  /** Bytes queued for one connection and not yet taken by the driver; beyond it the connection is closed. Default 16 MiB. */
  maxBufferedBytes: number
  /** Sessions per auth key; the least recently used is forgotten (the spec lets the server do that). Default 64. */
  maxSessionsPerKey: number
  /** Received msg_ids remembered per session (duplicates, replays, msgs_state_req). Default 1024. */
  windowSize: number
  /** Content-related messages kept per session until the client acknowledges them (for re-sending); the oldest is forgotten. Default 1024. */
  maxUnacked: number
  /** Largest mtwire.sleep (ms). Default 60000. */
  maxSleep: number
}

export const SERVER_LIMITS: Readonly<ServerLimits> = {
  maxPendingPerSession: 1024,
  maxBufferedBytes: 16_777_216, // 16 MiB
  maxSessionsPerKey: 64,
  windowSize: 1024,
  maxUnacked: 1024,
  maxSleep: 60_000,
}

export interface SessionServerOptions {
  crypto: Crypto
  keys: ServerKeys
  /** API queries (everything but the service methods and mtwire.*). Default: rpc_error 400 INPUT_METHOD_INVALID. */
  handler?: RpcHandler
  /** For decoding queries and encoding results. Default: the MTProto service schema + mtwire.tl. */
  codec?: TlCodec
  /** The clock (ms). Default `Date.now`. */
  now?: () => number
  /** Secret the salts are derived from (≥ 16 bytes); share it between processes serving the same keys. Default: random. */
  saltSecret?: Uint8Array
  limits?: Partial<ServerLimits>
  /** Acknowledgments wait at most this long for an answer to ride with (ms). Default 500. */
  ackDelay?: number
  /** Results from this size up go as gzip_packed when smaller; false: never. Default 4096. */
  gzipMinSize?: number | false
  padding?: 'random' | 'buckets'
  /** Answer mtwire.echo / mtwire.sleep (mtwire.tl). Default true. */
  builtins?: boolean
  /** Called when a connection has output outside its own receive/tick (an async handler finished). */
  onOutgoing?: (conn: ServerConnection) => void
}

/** Events of a server connection. */
export type ServerConnectionEvent =
  /** A client session was created (new_session_created goes out) or attached to this connection. */
  | { type: 'session'; authKeyId: bigint; sessionId: bigint; created: boolean }
  /** auth.bindTempAuthKey went through: the temporary key acts for the permanent one until expiresAt (unix seconds). */
  | { type: 'bound'; tempAuthKeyId: bigint; permAuthKeyId: bigint; expiresAt: number }
  /** Close the connection (after writing what `takeOutgoing()` returns). */
  | { type: 'close'; reason: string }
  /** Something the client sent was dropped or answered with an error; for logs. */
  | { type: 'error'; error: MtwireError }

/** One auth key's sessions and salts (what a ServerSession reads of its key). */
export class KeyEntry {
  readonly sessions = new Map<bigint, ServerSession>()
  saltWindow = -1
  cur = 0n
  prev = 0n
  constructor(readonly id: bigint, readonly key: ServerKey, readonly stored: StoredKey | undefined) {}
}


const defaultCodec = /* @__PURE__ */ mergeCodecs(mtprotoCodec, mtwireCodec)

export class SessionServer {
  readonly crypto: Crypto
  readonly codec: TlCodec
  readonly limits: Readonly<ServerLimits>
  readonly now: () => number
  readonly handler: RpcHandler
  readonly builtins: boolean
  readonly ackDelay: number
  readonly gzipMinSize: number | false
  readonly padding: 'random' | 'buckets'
  readonly onOutgoing: ((conn: ServerConnection) => void) | undefined
  /** Serializes results (one for all sessions: encoding is synchronous). */
  writer: TlWriter
  private readonly keys: ServerKeys
  private readonly entries = new Map<bigint, KeyEntry>()
  private readonly secret: Uint8Array

  constructor(o: SessionServerOptions) {
    if (!o || typeof o !== 'object' || !o.crypto || !o.keys || typeof o.keys.get !== 'function') {
      throw new SessionError('E_OPTION', 'SessionServer needs { crypto, keys }')
    }
    this.crypto = o.crypto
    this.keys = o.keys
    this.codec = o.codec ?? defaultCodec
    this.writer = new TlWriter(this.codec, 1024)
    this.now = o.now ?? Date.now
    this.handler = o.handler ?? defaultHandler
    this.builtins = o.builtins ?? true
    this.ackDelay = o.ackDelay ?? 500
    this.gzipMinSize = o.gzipMinSize ?? 4096
    this.padding = o.padding ?? 'random'
    this.onOutgoing = o.onOutgoing
    const limits = { ...SERVER_LIMITS }
    for (const [k, v] of Object.entries(o.limits ?? {})) {
      if (!(k in limits)) throw new SessionError('E_OPTION', `unknown limit ${k}`)
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SessionError('E_OPTION', `limits.${k} must be a positive integer`)
      ;(limits as Record<string, number>)[k] = v
    }
    this.limits = limits
    if (o.saltSecret !== undefined && (!(o.saltSecret instanceof Uint8Array) || o.saltSecret.length < 16)) {
      throw new SessionError('E_OPTION', 'saltSecret must be at least 16 bytes')
    }
    this.secret = o.saltSecret ?? o.crypto.randomBytes(32)
  }

  /** A new connection (one per socket, or per HTTP request with `{ http: true }`). */
  connection(options: { http?: boolean } = {}): ServerConnection {
    return new ServerConnection(this, options.http === true)
  }

  /** The key entry for an auth_key_id, or undefined when the store does not know it (or no longer). */
  entry(id: bigint, now: number): KeyEntry | undefined {
    const keys = this.keys
    const sec = Math.floor(now / 1000)
    let e = this.entries.get(id)
    if (e !== undefined) {
      // the store decides: a deleted or expired key is gone
      if (e.stored === undefined ? (e.key.expiresAt === undefined || sec < e.key.expiresAt) && keys.get(id, sec) !== undefined : keys.get(id, sec) === e.stored) return e
      this.forgetKey(e)
      return undefined
    }
    let key: ServerKey
    let stored: StoredKey | undefined
    if (isKeyStore(keys)) {
      stored = keys.get(id, sec)
      if (stored === undefined) return undefined
      key = { authKey: this.authKeyOf(stored) }
      if (stored.temporary) key.expiresAt = stored.expiresAt ?? 0
      // the handshake's salt, for the first salt window after the key was made (as the Map form's `saltUntil`)
      if (stored.salt !== undefined) {
        key.salt = stored.salt
        key.saltUntil = stored.createdAt + SALT_PERIOD_S
      }
    } else {
      const k = keys.get(id)
      if (k === undefined) return undefined
      key = 'authKey' in k ? k : { authKey: k }
      if (key.expiresAt !== undefined && sec >= key.expiresAt) return undefined
    }
    e = new KeyEntry(id, key, stored)
    this.entries.set(id, e)
    return e
  }

  private readonly made = new WeakMap<StoredKey, AuthKey>()

  private authKeyOf(k: StoredKey): AuthKey {
    let a = this.made.get(k)
    if (a === undefined) {
      a = createAuthKey(k.key)
      this.made.set(k, a)
    }
    return a
  }

  /** A permanent key by id (for auth.bindTempAuthKey). */
  permKey(id: bigint, now: number): AuthKey | undefined {
    const keys = this.keys
    if (isKeyStore(keys)) {
      const k = keys.get(id, Math.floor(now / 1000))
      return k !== undefined && !k.temporary ? this.authKeyOf(k) : undefined
    }
    const k = keys.get(id)
    if (k === undefined) return undefined
    if ('authKey' in k) return k.expiresAt === undefined ? k.authKey : undefined
    return k
  }

  /** The permanent key a temporary key is bound to now, if any. */
  boundPerm(e: KeyEntry, now: number): bigint | undefined {
    const keys = this.keys
    if (isKeyStore(keys)) return keys.bindingOfTemp(e.id, Math.floor(now / 1000))?.permId
    return e.key.permKeyId
  }

  /** Records a binding (one temporary key per permanent key: a new one replaces the old). */
  bindKey(e: KeyEntry, permId: bigint, expiresAt: number): void {
    const keys = this.keys
    if (isKeyStore(keys)) keys.bind({ permId, tempId: e.id, expiresAt })
    else e.key.permKeyId = permId
  }

  /** The salt of 30-minute window `w` for a key: SHA-256(secret ‖ auth_key_id ‖ w)[0:8]. */
  saltOf(keyId: bigint, w: number): bigint {
    const b = new Uint8Array(this.secret.length + 12)
    b.set(this.secret)
    const dv = new DataView(b.buffer)
    dv.setBigInt64(this.secret.length, keyId, true)
    dv.setUint32(this.secret.length + 8, w >>> 0, true)
    const h = this.crypto.sha256(b)
    return new DataView(h.buffer, h.byteOffset).getBigInt64(0, true)
  }

  /** The salts valid now for a key: [current, previous (still accepted 1800 s)]. */
  salts(e: KeyEntry, now: number): KeyEntry {
    const w = Math.floor(now / 1000 / SALT_PERIOD_S)
    if (e.saltWindow !== w) {
      e.prev = e.saltWindow === w - 1 ? e.cur : this.saltOf(e.id, w - 1)
      e.cur = this.saltOf(e.id, w)
      e.saltWindow = w
    }
    return e
  }

  validSalt(e: KeyEntry, salt: bigint, now: number): boolean {
    this.salts(e, now)
    if (salt === e.cur || salt === e.prev) return true
    const k = e.key
    return k.salt !== undefined && salt === k.salt && now / 1000 < (k.saltUntil ?? 0)
  }

  /** The session (created on first sight; the least recently used one beyond the limit is forgotten). */
  session(e: KeyEntry, id: bigint, now: number): { s: ServerSession; created: boolean } {
    let s = e.sessions.get(id)
    if (s !== undefined) {
      // most recently used last
      e.sessions.delete(id)
      e.sessions.set(id, s)
      return { s, created: false }
    }
    if (e.sessions.size >= this.limits.maxSessionsPerKey) {
      const oldest = e.sessions.values().next().value as ServerSession
      this.forget(oldest)
    }
    s = new ServerSession(this, e, id, now)
    e.sessions.set(id, s)
    return { s, created: true }
  }

  /** Forgets a session (service_messages: "the server may unilaterally destroy ... any existing client sessions"). */
  forget(s: ServerSession): void {
    s.entry.sessions.delete(s.sessionId)
    s.dispose()
  }

  /** destroy_auth_key: deletes the key from the store; ok, none or fail (a store without `delete`). */
  deleteKey(e: KeyEntry): number {
    if (typeof this.keys.delete !== 'function') return ID_DESTROY_AUTH_KEY_FAIL
    const r = this.keys.delete(e.id)
    return r === false ? ID_DESTROY_AUTH_KEY_NONE : ID_DESTROY_AUTH_KEY_OK
  }

  /** Forgets a key and every session under it. */
  forgetKey(e: KeyEntry): void {
    for (const s of [...e.sessions.values()]) this.forget(s)
    this.entries.delete(e.id)
  }

  /** Sessions held, for all keys (for tests and monitoring). */
  get sessionCount(): number {
    let n = 0
    for (const e of this.entries.values()) n += e.sessions.size
    return n
  }

  /** A session by ids, if held. */
  findSession(authKeyId: bigint, sessionId: bigint): ServerSession | undefined {
    return this.entries.get(authKeyId)?.sessions.get(sessionId)
  }
}

/** The default handler: mtwire.* are answered before it; everything else is an unknown method. */
function defaultHandler(call: RpcCall): unknown {
  return new RpcError(400, `INPUT_METHOD_INVALID_${(call.constructorId >>> 0).toString(16)}`)
}

