/**
 * The server role of auth-key creation, for many connections at once. `HandshakeServer` holds
 * what connections share (keys, DH parameters, the key store, the handshakes in flight and their
 * remembered answers, the limits); `server.connection(address)` makes the per-connection
 * sans-IO object the driver feeds with unencrypted MTProto messages (auth_key_id 0 ‖ msg_id ‖
 * length ‖ body, straight from the framing) and drains of packets and transport errors.
 *
 * Spec rules implemented here (core.telegram.org/mtproto/auth_key):
 * - "If the query is incorrect, the server returns a -404 error and the handshake must be
 *   restarted (any subsequent request also returns -404, even if it is correct)": a step out of
 *   order, wrong nonces or a bad payload mark the handshake failed; −444 for a test/production
 *   DC mismatch.
 * - "If the server has already sent a response to this query (exactly the same request …) … the
 *   server will simply re-send the same response. The server remembers the response for up to 10
 *   minutes after having received the query in 1)": each handshake keeps its answers, keyed by
 *   the request bytes, until `answerTtlMs` after its req_pq; a different request at an answered
 *   step is refused. A finished run is forgotten sooner, when the driver reports the new key's
 *   first use (`keyUsed`): the client got dh_gen_ok, so it will not ask again.
 *
 * Cost under attack: a req_pq costs two random 31–32-bit primes and one entry; req_DH_params
 * costs one RSA private operation (whatever it carries) and, if it checks out, one modexp;
 * set_client_DH_params one more modexp. Each handshake runs each step at most once (repeats are
 * served from its remembered answers), handshakes in flight are bounded in total and per client
 * address (the oldest is dropped), and each one holds a bounded amount of memory.
 */
import type { Crypto } from '../crypto/types.js'
import type { BignumOptions } from '../crypto/bignum/index.js'
import { randomPrime32 } from '../crypto/bignum/prime.js'
import { decodeTl, encodeTl } from '../tl/api.js'
import { type MtprotoObject, type MtprotoRequest, mtprotoCodec } from '../tl/generated/mtproto.js'
import { HandshakeError } from '../errors.js'
import { firstServerSalt } from './derive.js'
import { DH_BYTES, TELEGRAM_DH_G, TELEGRAM_DH_PRIME } from './dh.js'
import { fail } from './errors.js'
import { MemoryKeyStore, type KeyStore } from './keystore.js'
import { decodePlainMessage, encodePlainMessage, HANDSHAKE_TL, MAX_HANDSHAKE_BODY, nextMsgId } from './plain.js'
import type { ServerPrivateKey } from './rsa.js'
import {
  serverStep1, serverStep2, serverStep3, serverStoreFailed,
  type NewAuthKey, type Refusal, type ServerDhConfig, type ServerStep1, type ServerStep2,
} from './server-steps.js'

export interface HandshakeServerOptions {
  /** The RSA keys clients may encrypt to (resPQ lists their fingerprints). At least one. */
  keys: readonly ServerPrivateKey[]
  /** Where new keys go, and where auth_key_id collisions are looked up. Default: a new MemoryKeyStore. */
  keyStore?: KeyStore
  /** This server is a test DC (clients name dc ≥ 10000); default false. A mismatch is answered −444. */
  test?: boolean
  /** DH parameters; default Telegram's 2048-bit prime and g = 3. Must pass checkDhConfig. */
  dhPrime?: Uint8Array
  g?: number
  /** Handshakes in flight at most (default 10 000); a new one drops the oldest. */
  maxInFlight?: number
  /** Handshakes in flight per client address at most (default 16); a new one drops that address's oldest. */
  maxInFlightPerAddress?: number
  /** How long a handshake and its answers are remembered after its req_pq (default 600 000 ms: the spec's 10 minutes). */
  answerTtlMs?: number
  /** Longest temporary key, in seconds (default 604 800, a week); a longer expires_in is shortened. */
  maxTemporaryExpiresIn?: number
  /** dh_gen_retry at most this many times per handshake (default 3), then dh_gen_fail. */
  maxRetries?: number
  bignum?: BignumOptions
}

/** What a connection hands the driver to send, in order. */
export type ServerOutgoing =
  | { readonly type: 'packet'; readonly data: Uint8Array }
  /** A transport's `send` takes it as it is (−status as a packet, or the HTTP status). */
  | { readonly type: 'transportError'; readonly status: 404 | 444 }

export type ServerHandshakeEvent =
  /** A key was created and stored. */
  | { readonly type: 'auth-key'; readonly key: NewAuthKey }
  /** A request was refused (−404/−444) or answered dh_gen_fail; `reason` is for local logs only. */
  | { readonly type: 'refused'; readonly status: 404 | 444 | 'dh_gen_fail'; readonly reason: string }

/** 'failed': answered dh_gen_fail (an identical resend gets it again); 'refused': −404 from now on. */
type Step = 'pq' | 'dh' | 'done' | 'failed' | 'refused'

/** One run of the protocol: "one run of the key generation protocol … that uses the same (nonce, server_nonce) pair". */
interface Entry {
  readonly id: string
  readonly address: string
  readonly createdAt: number
  step: Step
  s1: ServerStep1
  s2?: ServerStep2
  retryId: bigint
  retries: number
  /** Remembered answers: SHA-256 of the request body → answer packet; at most one per step and retry. */
  readonly answers: Map<string, Uint8Array>
  lastMsgId: bigint
  /** The key this run made (step 'done'), so that its first use can forget the run. */
  keyId?: bigint
}

/** req_pq_multi#be7e8ef1 or req_pq#60469778 (little-endian constructor ids). */
function isPqRequest(body: Uint8Array): boolean {
  const id = (body[0] | (body[1] << 8) | (body[2] << 16) | (body[3] << 24)) >>> 0
  return body.length === 20 && (id === 0xbe7e8ef1 || id === 0x60469778)
}

const hexOf = (b: Uint8Array): string => {
  let s = ''
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16)
  return s
}

export class HandshakeServer {
  readonly keyStore: KeyStore
  private readonly crypto: Crypto
  private readonly config: ServerDhConfig
  private readonly fingerprints: bigint[]
  private readonly maxInFlight: number
  private readonly maxPerAddress: number
  private readonly ttl: number
  private readonly maxRetries: number
  /** Handshakes by nonce ‖ server_nonce, oldest first. */
  private readonly entries = new Map<string, Entry>()
  private readonly byAddress = new Map<string, Set<string>>()
  /** Finished handshakes by the auth_key_id they made. */
  private readonly byKey = new Map<bigint, string>()

  constructor(crypto: Crypto, options: HandshakeServerOptions) {
    if (!options || !Array.isArray(options.keys) || options.keys.length === 0) fail('E_OPTION', 'options.keys must hold at least one RSA private key')
    const posInt = (v: number | undefined, d: number, name: string): number => {
      const x = v ?? d
      if (!Number.isSafeInteger(x) || x < 1) fail('E_OPTION', `${name} must be a positive integer`)
      return x
    }
    this.crypto = crypto
    this.keyStore = options.keyStore ?? new MemoryKeyStore()
    this.maxInFlight = posInt(options.maxInFlight, 10_000, 'maxInFlight')
    this.maxPerAddress = posInt(options.maxInFlightPerAddress, 16, 'maxInFlightPerAddress')
    this.ttl = posInt(options.answerTtlMs, 600_000, 'answerTtlMs')
    this.maxRetries = posInt((options.maxRetries ?? 3) + 1, 4, 'maxRetries') - 1
    const dhPrime = options.dhPrime ?? TELEGRAM_DH_PRIME
    this.config = {
      keys: options.keys,
      dhPrime,
      g: options.g ?? TELEGRAM_DH_G,
      test: options.test ?? false,
      maxExpiresIn: posInt(options.maxTemporaryExpiresIn, 604_800, 'maxTemporaryExpiresIn'),
      bignum: options.bignum,
    }
    this.fingerprints = options.keys.map((k) => k.fingerprint)
  }

  /** Handshakes remembered now. */
  get inFlight(): number {
    return this.entries.size
  }

  /** A connection's handshake endpoint; `address` groups connections for the per-address limit. */
  connection(address = ''): ServerHandshake {
    return new ServerHandshake(this, address)
  }

  /** Forgets handshakes older than the answer TTL; returns when the next one expires. */
  expire(now: number): number | undefined {
    for (const e of this.entries.values()) {
      if (e.createdAt + this.ttl > now) return e.createdAt + this.ttl
      this.drop(e)
    }
    return undefined
  }

  /** @internal Handles one request; returns what to send and the events. */
  handle(address: string, body: Uint8Array, now: number): { out: ServerOutgoing; events: ServerHandshakeEvent[] } {
    this.expire(now)
    if (body.length > MAX_HANDSHAKE_BODY) return this.refuse(undefined, { type: 'refuse', status: 404, reason: `a ${body.length}-byte request is no handshake step` })
    let req: { _: string; nonce?: unknown; server_nonce?: unknown }
    try {
      req = decodeTl(mtprotoCodec, body, HANDSHAKE_TL)
    } catch {
      // a later step whose nonces still read: a bad payload of that run, which it does not survive
      const id = body.length >= 36 ? (body[0] | (body[1] << 8) | (body[2] << 16) | (body[3] << 24)) >>> 0 : 0
      const e = id === 0xd712e4be || id === 0xf5045f1f ? this.entries.get(hexOf(body.subarray(4, 20)) + hexOf(body.subarray(20, 36))) : undefined
      return this.refuse(e, { type: 'refuse', status: 404, reason: 'the request does not decode' })
    }
    if (req._ === 'req_pq_multi' || req._ === 'req_pq') return this.reqPq(address, req as never, now)
    if (req._ !== 'req_DH_params' && req._ !== 'set_client_DH_params') {
      return this.refuse(undefined, { type: 'refuse', status: 404, reason: `${req._} is not a handshake request` })
    }
    const e = this.entries.get(hexOf(req.nonce as Uint8Array) + hexOf(req.server_nonce as Uint8Array))
    if (!e) return this.refuse(undefined, { type: 'refuse', status: 404, reason: 'unknown (nonce, server_nonce): no such handshake, or forgotten' })
    // "any subsequent request also returns -404, even if it is correct"
    if (e.step === 'refused') return this.refuse(undefined, { type: 'refuse', status: 404, reason: 'this handshake was refused before' })
    const key = hexOf(this.crypto.sha256(body))
    const again = e.answers.get(key)
    if (again) return { out: { type: 'packet', data: again }, events: [] }
    if (req._ === 'req_DH_params') {
      if (e.step !== 'pq') return this.refuse(e, { type: 'refuse', status: 404, reason: 'req_DH_params at the wrong step or not identical to the one answered' })
      return this.reqDh(e, req as never, key, now)
    }
    if (e.step !== 'dh') return this.refuse(e, { type: 'refuse', status: 404, reason: 'set_client_DH_params at the wrong step or not identical to the one answered' })
    return this.setDh(e, req as never, key, now)
  }

  private reqPq(address: string, req: { _: 'req_pq_multi'; nonce: Uint8Array }, now: number): { out: ServerOutgoing; events: ServerHandshakeEvent[] } {
    this.makeRoom(address)
    const r = this.crypto.randomBytes(16 + 64)
    let at = 16
    const next32 = (): number => {
      if (at + 4 > r.length) {
        r.set(this.crypto.randomBytes(64), 16)
        at = 16
      }
      const v = ((r[at] << 24) | (r[at + 1] << 16) | (r[at + 2] << 8) | r[at + 3]) >>> 0
      at += 4
      return v
    }
    // two random primes with 31 or 32 bits and a product below 2^63, as Telegram's servers send
    let p = 0, q = 0
    do {
      p = randomPrime32(2 ** 30, 2 ** 32, next32)
      q = randomPrime32(2 ** 30, 2 ** 32, next32)
    } while (p === q || BigInt(p) * BigInt(q) >= 1n << 63n)
    const { answer, state } = serverStep1(req, { serverNonce: r.subarray(0, 16), p, q }, this.fingerprints)
    const id = hexOf(state.nonce) + hexOf(state.serverNonce)
    const e: Entry = { id, address, createdAt: now, step: 'pq', s1: state, retryId: 0n, retries: 0, answers: new Map(), lastMsgId: 0n }
    this.entries.set(id, e)
    let set = this.byAddress.get(address)
    if (!set) this.byAddress.set(address, (set = new Set()))
    set.add(id)
    return { out: { type: 'packet', data: this.packet(e, answer, now) }, events: [] }
  }

  private reqDh(e: Entry, req: Parameters<typeof serverStep2>[2], key: string, now: number): { out: ServerOutgoing; events: ServerHandshakeEvent[] } {
    let res: ReturnType<typeof serverStep2>
    for (let attempt = 0; ; attempt++) {
      try {
        res = serverStep2(this.crypto, e.s1, req, { a: this.crypto.randomBytes(DH_BYTES), padding: this.crypto.randomBytes(16) }, Math.floor(now / 1000), this.config)
        break
      } catch (err) {
        // g^a out of the recommended range (~2^-63): draw another a
        if (err instanceof HandshakeError && err.code === 'E_DH_RANGE' && attempt < 8) continue
        throw err
      }
    }
    if (res.type === 'refuse') return this.refuse(e, res)
    e.s2 = res.state
    e.step = 'dh'
    return this.answer(e, key, res.answer, now, [])
  }

  private setDh(e: Entry, req: Parameters<typeof serverStep3>[2], key: string, now: number): { out: ServerOutgoing; events: ServerHandshakeEvent[] } {
    const s2 = e.s2!
    const nowSec = Math.floor(now / 1000)
    let res = serverStep3(this.crypto, s2, req, e.retryId, (id) => this.keyStore.has(id, nowSec), e.retries < this.maxRetries, this.config)
    if (res.type === 'refuse') return this.refuse(e, res)
    if (res.type === 'retry') {
      e.retries++
      e.retryId = res.retryId
      return this.answer(e, key, res.answer, now, [])
    }
    if (res.type === 'ok') {
      const k = res.key
      try {
        // auth_key: "server_salt := substr(new_nonce, 0, 8) XOR substr(server_nonce, 0, 8)", the session's first salt
        const salt = firstServerSalt(s2.newNonce, s2.serverNonce)
        this.keyStore.put({ id: k.id, key: k.authKey, temporary: k.temporary, createdAt: nowSec, expiresAt: k.expiresAt, dc: k.dc, salt })
      } catch (err) {
        res = serverStoreFailed(this.crypto, s2, k, `the key store refused the key: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    if (res.type === 'ok') {
      e.step = 'done'
      e.keyId = res.key.id
      this.byKey.set(e.keyId, e.id)
      this.forgetSecrets(e)
      return this.answer(e, key, res.answer, now, [{ type: 'auth-key', key: res.key }])
    }
    if (res.type !== 'fail') throw new Error('unreachable')
    e.step = 'failed'
    this.forgetSecrets(e)
    return this.answer(e, key, res.answer, now, [{ type: 'refused', status: 'dh_gen_fail', reason: res.reason }])
  }

  private answer(e: Entry, key: string, obj: MtprotoObject | MtprotoRequest, now: number, events: ServerHandshakeEvent[]): { out: ServerOutgoing; events: ServerHandshakeEvent[] } {
    const data = this.packet(e, obj, now)
    e.answers.set(key, data)
    return { out: { type: 'packet', data }, events }
  }

  private packet(e: Entry, obj: MtprotoObject | MtprotoRequest, now: number): Uint8Array {
    // server messages answering a request: msg_id ≡ 1 mod 4
    e.lastMsgId = nextMsgId(now, e.lastMsgId, 'server')
    return encodePlainMessage(e.lastMsgId, encodeTl(mtprotoCodec, obj))
  }

  private refuse(e: Entry | undefined, r: Refusal): { out: ServerOutgoing; events: ServerHandshakeEvent[] } {
    if (e) {
      e.step = 'refused'
      this.forgetSecrets(e)
    }
    return { out: { type: 'transportError', status: r.status }, events: [{ type: 'refused', status: r.status, reason: r.reason }] }
  }

  /** Zeroes the exponent and the temporary AES key of a finished or failed run (its answers stay). */
  private forgetSecrets(e: Entry): void {
    if (e.s2) {
      e.s2.a.fill(0)
      e.s2.tmpAesKey.fill(0)
      e.s2.tmpAesIv.fill(0)
      e.s2 = undefined
    }
  }

  private makeRoom(address: string): void {
    const mine = this.byAddress.get(address)
    if (mine && mine.size >= this.maxPerAddress) this.drop(this.entries.get(mine.values().next().value!)!)
    if (this.entries.size >= this.maxInFlight) this.drop(this.entries.values().next().value!)
  }

  /**
   * The key `authKeyId` carried a message that decrypted: its handshake, if this server made it
   * and still remembers it, is forgotten (its answers, ~4 KiB, would otherwise stay for the TTL).
   */
  keyUsed(authKeyId: bigint): void {
    const id = this.byKey.get(authKeyId)
    if (id !== undefined) this.drop(this.entries.get(id)!)
  }

  private drop(e: Entry): void {
    this.forgetSecrets(e)
    if (e.keyId !== undefined) this.byKey.delete(e.keyId)
    this.entries.delete(e.id)
    const set = this.byAddress.get(e.address)
    set?.delete(e.id)
    if (set && set.size === 0) this.byAddress.delete(e.address)
  }

  /** When `tick` must run next: the next remembered handshake to forget. */
  nextDeadline(): number | undefined {
    return this.expire(-Infinity)
  }

  tick(now: number): void {
    this.expire(now)
  }
}

/**
 * One connection's handshake endpoint (DESIGN.md's Layer shape): `receive(packet, now)` with an
 * unencrypted message, `takeOutgoing()` for packets and transport errors, `nextDeadline()` /
 * `tick(now)` for the expiry of remembered handshakes. Never throws for what the peer sent.
 */
export class ServerHandshake {
  private readonly out: ServerOutgoing[] = []
  /**
   * resPQ answers given on this connection, by request bytes: a req_pq_multi resent here gets the
   * same resPQ. The same request on another connection starts a new run (a new server_nonce), so
   * a third party repeating a client's nonce never joins that client's run.
   */
  private readonly pqAnswers = new Map<string, Uint8Array>()

  constructor(private readonly server: HandshakeServer, readonly address: string) {}

  receive(packet: Uint8Array, now: number): ServerHandshakeEvent[] {
    let msg
    try {
      msg = decodePlainMessage(packet)
    } catch (err) {
      this.out.push({ type: 'transportError', status: 404 })
      return [{ type: 'refused', status: 404, reason: err instanceof Error ? err.message : String(err) }]
    }
    const key = msg.body.length <= 64 ? hexOf(msg.body) : ''
    const again = key && this.pqAnswers.get(key)
    if (again) {
      this.out.push({ type: 'packet', data: again })
      return []
    }
    const r = this.server.handle(this.address, msg.body, now)
    this.out.push(r.out)
    // a req_pq is at most 20 bytes (id + nonce); remember the last few of this connection's
    if (key && r.out.type === 'packet' && isPqRequest(msg.body)) {
      this.pqAnswers.set(key, r.out.data)
      if (this.pqAnswers.size > 4) this.pqAnswers.delete(this.pqAnswers.keys().next().value!)
    }
    return r.events
  }

  /** Packets and transport errors to send, in order. */
  takeOutgoing(): ServerOutgoing[] {
    return this.out.splice(0)
  }

  /** The shared server's next expiry (handshakes are remembered across connections). */
  nextDeadline(): number | undefined {
    return this.server.nextDeadline()
  }

  tick(now: number): ServerHandshakeEvent[] {
    this.server.tick(now)
    return []
  }
}
