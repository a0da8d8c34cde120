/**
 * `SecretChat`: one end-to-end encrypted chat as a sans-IO state machine (DESIGN.md's `Layer`
 * shape). It takes what the server relays for this chat (updateEncryption with the chat's
 * states, updateNewEncryptedMessage with the encrypted blobs, or the bare EncryptedChat /
 * EncryptedMessage objects, e.g. from updates.getDifference), the clock (`now`, ms) and the
 * crypto object's randomness; it returns events and the API requests to make
 * (`takeOutgoing()`: messages.requestEncryption, acceptEncryption, discardEncryption,
 * sendEncrypted, sendEncryptedService, sendEncryptedFile, as objects of the api-secret schema).
 * It never talks to a network and never reads a clock.
 *
 * Driving it (the whole contract):
 * - Initiator: `SecretChat.request({ crypto, dh, dhConfig, userId, now })`, where dhConfig is
 *   the result of messages.getDhConfig (cache p, g and version; dhConfigNotModified still brings
 *   fresh `random`). Responder, once its user accepted an encryptedChatRequested:
 *   `SecretChat.accept({ crypto, dh, dhConfig, chat, now })`.
 * - Make the requests from `takeOutgoing()` in the order given, each after the previous one
 *   (`invokeAfterMsg` chain: core.telegram.org/api/end-to-end/seq_no#preventing-gaps), and feed
 *   the results of requestEncryption / acceptEncryption and every update for this chat id to
 *   `receive`. `send()` a message; `tick(now)` at `nextDeadline()`.
 * - Nothing the peer or the server sends throws: failures are `error` events (one message
 *   dropped) or one `aborted` event (the chat is over and a discardEncryption is queued).
 *   Methods throw `SecretChatError` only for the caller's mistakes (sending before the chat is
 *   ready, a malformed argument; `TlEncodeError` for a message the schema cannot encode).
 *
 * Spec: core.telegram.org/api/end-to-end (key exchange, envelope, layers), /api/end-to-end/seq_no
 * (sequence numbers), /api/end-to-end/pfs (re-keying); rules as listed in
 * shared/notes/protocol-checklist.md A3. Where the spec leaves room, this module chooses:
 * - decryptedMessageLayer.layer is the layer the content is encoded for, min(ours, the peer's);
 *   our own layer travels in decryptedMessageActionNotifyLayer (sent wrapped, since the peer's
 *   layer starts at 46, which has the wrapper).
 * - Received messages are decrypted on arrival (the sequence numbers are inside), held if a gap
 *   precedes them, and interpreted in order; a hole whose resend request brought nothing within
 *   `resendTimeoutMs` is asked for again (the request or the answer may have been lost).
 * - Resent messages are the original blobs (under the key they were sent with) with a fresh
 *   outer random_id; our blobs are kept until the peer's in_seq_no confirms them (at most
 *   `maxHistory`).
 * - Re-keying: we start one only with no old key still kept; after switching, the responder
 *   always sends a noop (cheap, and it lets the initiator erase the old key); a peer's request
 *   while we keep old keys is accepted (at most 4 old keys at once, else the chat aborts).
 * - Old keys are erased once every message before the switch arrived; a late repeat under an
 *   erased key is dropped quietly (its fingerprint is remembered).
 */
import { type AuthKey, createAuthKey } from '../crypto/authkey.js'
import type { Crypto, EnvelopeOptions } from '../crypto/types.js'
import { type MtwireError, SecretChatError, type SecretChatErrorCode, SecurityError, TlError } from '../errors.js'
import { fromBase64, readU32LE, toBase64 } from '../bytes.js'
import { decodeTl, encodeTl } from '../tl/api.js'
import { SECRET_LAYER, type TypeDecryptedMessage, type TypeDecryptedMessageAction } from '../tl/generated/secret.js'
import {
  apiSecretCodec, type RawEncryptedChatRequested, type TypeEncryptedChat, type TypeEncryptedFile, type TypeEncryptedMessage,
  type TypeInputEncryptedChat, type TypeInputEncryptedFile, type TypeInputUser,
} from '../tl/generated/api-secret.js'
import { handshakeDh, type SecretDh } from './dh.js'
import { MIN_RANDOM_BYTES, messageForLayer, type ParsedPlaintext, parsePlaintext, PlaintextWriter } from './message.js'
import type {
  Placed, SecretChatEvent, SecretChatInput, SecretChatOptions, SecretChatState, SecretDhConfig, SecretKeyState, SecretMessageInput,
  SecretChatRequest,
} from './types.js'
import { keyVisualization } from './visualize.js'

export type {
  SecretChatEvent, SecretChatInput, SecretChatOptions, SecretChatState, SecretDhConfig, SecretKeyState, SecretMessageInput, SecretChatRequest,
} from './types.js'

const WEEK = 604_800_000 // 7 days in ms
/** Old keys kept at once for messages still missing (each re-keying adds one until the gaps close). */
const MAX_RETAINED = 4
const ACTION_NOT_FOR_EMBEDDER = new Set([
  'decryptedMessageActionResend', 'decryptedMessageActionNotifyLayer', 'decryptedMessageActionRequestKey',
  'decryptedMessageActionAcceptKey', 'decryptedMessageActionCommitKey', 'decryptedMessageActionAbortKey', 'decryptedMessageActionNoop',
])
// Envelope options, hoisted (read, never kept). Sending pads to size buckets to hide lengths.
const ENC_V2: EnvelopeOptions = { layout: 'e2e', padding: 'buckets' }
const ENC_V1: EnvelopeOptions = { layout: 'e2e', version: 1 }
const DEC_V2: EnvelopeOptions = { layout: 'e2e' }
const DEC_V1: EnvelopeOptions = { layout: 'e2e', version: 1 }
/** A secret message has no business carrying gzip_packed; if it does, it inflates to at most this much. */
const DECODE = { maxGzipSize: 1_048_576 }

interface KeySlot {
  /** A private copy of the 256 key bytes (for export); zeroed with the AuthKey. */
  bytes: Uint8Array
  key: AuthKey
  fp: bigint
  /** The fingerprint's two little-endian 32-bit halves, to match a message's first 8 bytes without a BigInt. */
  lo: number
  hi: number
  /** When it came into use (ms). */
  since: number
  /** Messages encrypted and decrypted with it. */
  used: number
  encrypted: number
}

/** An old key kept for messages still to come: erased once their messages up to raw `until` are in. */
interface Retained {
  slot: KeySlot
  /** undefined: not known yet (initiator waiting for the first message under the new key). */
  until: number | undefined
}

interface Held {
  parsed: ParsedPlaintext
  plain: Uint8Array
  date: number
  file: TypeEncryptedFile | undefined
  resendDone: boolean
}

type SendMethod = 'messages.sendEncrypted' | 'messages.sendEncryptedService' | 'messages.sendEncryptedFile'

interface Sent {
  seq: number
  /** The in_seq_no (raw) it was sent with. */
  inRaw: number
  randomId: bigint
  method: SendMethod
  data: Uint8Array
  file: TypeInputEncryptedFile | undefined
  silent: boolean
}

type Rekey =
  | { s: 'idle' }
  | { s: 'requested'; id: bigint; priv: Uint8Array; pub: Uint8Array }
  | { s: 'accepted'; id: bigint; slot: KeySlot }

const IDLE: Rekey = { s: 'idle' }

/** The little-endian signed 64-bit integer (TL long) at the start of `b`. */
const toLong = (b: Uint8Array): bigint =>
  BigInt.asIntN(64, (BigInt((b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0) << 32n) | BigInt((b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0))

/** A secret chat. See the module comment for how to drive it. */
export class SecretChat {
  /** The chat id (0 until the server assigned it, for the initiator). */
  get id(): number {
    return this.chatId
  }
  /** True for the chat's initiator (admin_id): it uses x = 0 and odd out_seq_no. */
  readonly originator: boolean
  /** 'requesting' until the key exchange completes, 'ready', then 'closed' (aborted or discarded). */
  get status(): 'requesting' | 'ready' | 'closed' {
    return this.state
  }
  /** The peer's layer as last learned (starts at 46). */
  get remoteLayer(): number {
    return this.peerLayer
  }
  /** The 288 key-visualization bits (36 bytes), once ready. */
  get visualization(): Uint8Array | undefined {
    return this.viz?.slice()
  }
  /** The fingerprint (key_fingerprint) of the key messages are sent under. */
  get keyFingerprint(): bigint | undefined {
    return this.cur?.fp
  }
  /** The chat's self-destruct timer as last set by either side (decryptedMessageActionSetMessageTTL), seconds. */
  get ttl(): number {
    return this.chatTtl
  }

  private readonly crypto: Crypto
  private readonly dh: SecretDh
  private readonly layer: number
  private readonly rekeyAfterMessages: number
  private readonly rekeyAfterMs: number
  private readonly resendTimeoutMs: number
  private readonly maxHeld: number
  private readonly maxHistory: number
  private state: 'requesting' | 'ready' | 'closed' = 'requesting'
  private chatId = 0
  private accessHash = 0n
  private readonly p: Uint8Array
  private readonly g: number
  /** Initiator before the key exchange: a and g_a. */
  private initPriv: Uint8Array | undefined
  private peerLayer = 46
  private chatTtl = 0
  private viz: Uint8Array | undefined
  private cur: KeySlot | undefined
  private retained: Retained[] = []
  /** Fingerprints of erased keys: a late duplicate under one is dropped quietly. */
  private erased: bigint[] = []
  private rekey: Rekey = IDLE
  /** Responder that switched on a message under the new key: the commit still to come. */
  private switchedEarly: { id: bigint; fp: bigint } | undefined
  // raw sequence counters (seq_no: "initialized with (out_seq_no, in_seq_no) := (0,0)")
  private outRaw = 0
  private inRaw = 0
  /** The peer's raw in_seq_no of the last message processed in order (non-decreasing). */
  private peerIn = 0
  /** Raw seq of the first message received with MTProto 2.0 or layer ≥ 73: later ones must be 2.0. */
  private v2From = Infinity
  private readonly held = new Map<number, Held>()
  /** Highest raw seq held (or inRaw − 1). */
  private top = -1
  /** Resend requests still open: their messages (raw from..to) not all in yet; asked again after resendTimeoutMs. */
  private asked: { from: number; to: number; at: number }[] = []
  private readonly history: Sent[] = []
  /** Whether the last `decrypt` took MTProto 2.0. */
  private decryptedV2 = true
  private outgoing: SecretChatRequest[] = []
  /** Inputs that arrived before the key (initiator), replayed once ready. */
  private early: SecretChatInput[] = []
  private readonly writer = new PlaintextWriter()
  private readonly pool = new Uint8Array(4096)
  private readonly poolView = new DataView(this.pool.buffer)
  private poolPos = 4096
  private events: SecretChatEvent[] = []
  private now = 0
  /** The request's peer, made once (requests are read, not changed, by the embedder). */
  private inputChat: TypeInputEncryptedChat | undefined

  private constructor(options: SecretChatOptions, originator: boolean, dhConfig: SecretDhConfig) {
    const { crypto } = options
    if (!crypto || typeof crypto.encryptMessage !== 'function') throw new SecretChatError('E_SECRET_ARGUMENT', 'options.crypto must be a Crypto object')
    const dh = options.dh ?? handshakeDh(crypto)
    if (typeof dh.shared !== 'function') throw new SecretChatError('E_SECRET_ARGUMENT', 'options.dh must implement SecretDh')
    this.crypto = crypto
    this.dh = dh
    this.layer = positive(options.layer ?? SECRET_LAYER, 'layer')
    if (this.layer < 73) throw new SecretChatError('E_SECRET_ARGUMENT', 'layer must be at least 73 (MTProto 2.0)')
    this.rekeyAfterMessages = positive(options.rekeyAfterMessages ?? 100, 'rekeyAfterMessages')
    this.rekeyAfterMs = positive(options.rekeyAfterMs ?? WEEK, 'rekeyAfterMs')
    this.resendTimeoutMs = positive(options.resendTimeoutMs ?? 30_000, 'resendTimeoutMs')
    this.maxHeld = positive(options.maxHeld ?? 1000, 'maxHeld')
    this.maxHistory = positive(options.maxHistory ?? 1000, 'maxHistory')
    this.originator = originator
    if (!dhConfig || !(dhConfig.p instanceof Uint8Array) || typeof dhConfig.g !== 'number') {
      throw new SecretChatError('E_SECRET_ARGUMENT', 'dhConfig must have p (bytes) and g (number)')
    }
    try {
      dh.checkConfig(dhConfig.p, dhConfig.g)
    } catch (e) {
      throw new SecretChatError('E_SECRET_DH_CONFIG', `the server's DH parameters failed the checks: ${(e as Error).message}`)
    }
    this.p = new Uint8Array(dhConfig.p)
    this.g = dhConfig.g
  }

  /**
   * Starts a chat with `userId`: queues messages.requestEncryption with a fresh g_a. Throws
   * `E_SECRET_DH_CONFIG` if the server's p and g fail the checks (nothing is sent then).
   */
  static request(options: SecretChatOptions & { dhConfig: SecretDhConfig; userId: TypeInputUser; now: number; randomId?: number }): SecretChat {
    const chat = new SecretChat(options, true, options.dhConfig)
    chat.now = options.now
    const { priv, pub } = chat.dh.keyPair(chat.p, chat.g, options.dhConfig.random)
    chat.initPriv = priv
    const randomId = options.randomId ?? new DataView(chat.crypto.randomBytes(4).buffer).getInt32(0, true)
    chat.outgoing.push({ _: 'messages.requestEncryption', user_id: options.userId, random_id: randomId, g_a: pub })
    return chat
  }

  /**
   * Accepts `chat` (an encryptedChatRequested the user agreed to): computes the key, queues
   * messages.acceptEncryption and, right after it, decryptedMessageActionNotifyLayer. The chat
   * is ready at once (the returned chat's first events, from `takeEvents()`, include `ready`);
   * an unusable g_a gives a chat that is already aborted, with a discardEncryption queued.
   */
  static accept(options: SecretChatOptions & { dhConfig: SecretDhConfig; chat: RawEncryptedChatRequested; now: number }): SecretChat {
    const req = options.chat
    if (!req || req._ !== 'encryptedChatRequested') throw new SecretChatError('E_SECRET_ARGUMENT', 'chat must be an encryptedChatRequested')
    const chat = new SecretChat(options, false, options.dhConfig)
    chat.now = options.now
    chat.chatId = req.id
    chat.accessHash = req.access_hash
    if (!chat.dh.checkPublic(req.g_a, chat.p)) {
      chat.abort('E_SECRET_DH', "the initiator's g_a failed the DH range checks")
      return chat
    }
    const { priv, pub } = chat.dh.keyPair(chat.p, chat.g, options.dhConfig.random)
    const key = chat.dh.shared(req.g_a, priv, chat.p)
    priv.fill(0)
    const slot = chat.slot(key)
    chat.outgoing.push({ _: 'messages.acceptEncryption', peer: chat.peer(), g_b: pub, key_fingerprint: slot.fp })
    chat.becomeReady(slot, key)
    return chat
  }

  /** Events produced outside `receive`/`tick` (by `accept`). */
  takeEvents(): SecretChatEvent[] {
    const e = this.events
    this.events = []
    return e
  }

  // ---- the Layer shape -------------------------------------------------------------------

  receive(input: SecretChatInput, now: number): SecretChatEvent[] {
    this.now = now
    if (this.state !== 'closed') {
      try {
        this.input(input)
      } catch (e) {
        // anything thrown below is a bug of ours or a broken invariant: never a stray exception
        this.abort('E_SECRET_INTERNAL', `internal error: ${(e as Error).message}`)
      }
    }
    return this.takeEvents()
  }

  /**
   * Encrypts and queues a message (or, with `action`, a service message); returns its random_id.
   * Throws `E_SECRET_STATE` unless the chat is ready.
   */
  send(input: SecretMessageInput): bigint {
    if (this.state !== 'ready') throw new SecretChatError('E_SECRET_STATE', `cannot send in a ${this.state} chat`)
    if (typeof input !== 'object' || input === null) throw new SecretChatError('E_SECRET_ARGUMENT', 'send() takes a message object')
    const randomId = input.randomId ?? this.randomLong()
    if (input.action !== undefined) {
      if (!input.action || typeof input.action._ !== 'string' || ACTION_NOT_FOR_EMBEDDER.has(input.action._)) {
        throw new SecretChatError('E_SECRET_ARGUMENT', `the chat sends ${String(input.action?._)} itself`)
      }
      this.sendService(input.action, randomId)
      if (input.action._ === 'decryptedMessageActionSetMessageTTL') this.chatTtl = input.action.ttl_seconds
    } else {
      const msg: TypeDecryptedMessage = {
        _: 'decryptedMessage',
        no_webpage: input.noWebpage || undefined,
        silent: input.silent || undefined,
        random_id: randomId,
        ttl: input.ttl ?? this.chatTtl,
        message: text(input.message ?? ''),
        media: input.media,
        entities: input.entities,
        via_bot_name: input.viaBotName,
        reply_to_random_id: input.replyToRandomId,
        grouped_id: input.groupedId,
      }
      this.enqueue(msg, randomId, input.file ? 'messages.sendEncryptedFile' : 'messages.sendEncrypted', input.file, !!input.silent)
    }
    this.maybeRekey()
    return randomId
  }

  takeOutgoing(): SecretChatRequest[] {
    const out = this.outgoing
    this.outgoing = []
    return out
  }

  nextDeadline(): number | undefined {
    if (this.state !== 'ready') return undefined
    let t: number | undefined
    for (const r of this.asked) t = t === undefined ? r.at + this.resendTimeoutMs : Math.min(t, r.at + this.resendTimeoutMs)
    if (this.cur && this.cur.encrypted > 0 && this.rekey.s === 'idle') {
      const r = this.cur.since + this.rekeyAfterMs
      t = t === undefined ? r : Math.min(t, r)
    }
    return t !== undefined && Number.isFinite(t) ? t : undefined
  }

  tick(now: number): SecretChatEvent[] {
    this.now = now
    if (this.state === 'ready') {
      // a hole whose resend request got no answer within resendTimeoutMs is asked for again (the request, or the
      // messages resent, may have been lost: "each hole normally requires only one request" assumes a reliable server)
      const due = this.asked.filter((r) => now >= r.at + this.resendTimeoutMs)
      if (due.length > 0) {
        this.asked = this.asked.filter((r) => now < r.at + this.resendTimeoutMs)
        for (const r of due) if (this.state === 'ready') this.requestResend(Math.max(r.from, this.inRaw), r.to, true)
      }
      this.maybeRekey()
    }
    return this.takeEvents()
  }

  // ---- other calls ------------------------------------------------------------------------

  /** Starts re-keying now if allowed (ready, no instance running, old keys gone); returns whether it did. */
  startRekey(): boolean {
    if (this.state !== 'ready' || this.rekey.s !== 'idle' || this.retained.length > 0 || this.switchedEarly) return false
    const { priv, pub } = this.dh.keyPair(this.p, this.g)
    const id = this.randomLong()
    this.rekey = { s: 'requested', id, priv, pub }
    this.sendService({ _: 'decryptedMessageActionRequestKey', exchange_id: id, g_a: pub }, this.randomLong())
    return true
  }

  /**
   * Deletes our own messages: a message the peer has not confirmed yet is replaced in our
   * resend history by a self-deleting service message at its sequence numbers, and one
   * decryptedMessageActionDeleteMessages for all of them is sent (seq_no "Deleting
   * unacknowledged messages").
   */
  deleteMessages(randomIds: bigint[]): bigint {
    if (this.state !== 'ready') throw new SecretChatError('E_SECRET_STATE', `cannot send in a ${this.state} chat`)
    for (const h of this.history) {
      if (!randomIds.includes(h.randomId)) continue
      const action: TypeDecryptedMessageAction = { _: 'decryptedMessageActionDeleteMessages', random_ids: [h.randomId] }
      const msg: TypeDecryptedMessage = { _: 'decryptedMessageService', random_id: h.randomId, action }
      // at the original's sequence numbers, so that it takes the original's place if the peer never got it
      const old = h.data
      h.data = this.encrypt(msg, h.inRaw, h.seq)
      h.method = 'messages.sendEncryptedService'
      h.file = undefined
      // not handed out yet: the self-deleting message goes instead of the original
      const i = this.outgoing.findIndex((q) => 'data' in q && q.data === old)
      if (i >= 0) this.outgoing[i] = this.request(h.method, h.randomId, h.data, undefined, false)
    }
    return this.send({ action: { _: 'decryptedMessageActionDeleteMessages', random_ids: randomIds } })
  }

  /** Ends the chat from our side: queues messages.discardEncryption and erases the keys. */
  close(deleteHistory = false): void {
    if (this.state === 'closed') return
    if (this.chatId !== 0) this.outgoing.push({ _: 'messages.discardEncryption', delete_history: deleteHistory || undefined, chat_id: this.chatId })
    this.shutdown()
  }

  /** The chat's whole state as plain JSON (see `SecretChatState`), to resume with `SecretChat.restore`. */
  exportState(): SecretChatState {
    const key = (k: KeySlot): SecretKeyState => ({ key: toBase64(k.bytes), since: k.since, used: k.used, encrypted: k.encrypted })
    const tl = (o: object): string => toBase64(encodeTl(apiSecretCodec, o as never))
    const r = this.rekey
    return {
      version: 1,
      originator: this.originator,
      chatId: this.chatId,
      accessHash: this.accessHash.toString(),
      status: this.state,
      p: toBase64(this.p),
      g: this.g,
      initPriv: this.initPriv ? toBase64(this.initPriv) : null,
      peerLayer: this.peerLayer,
      ttl: this.chatTtl,
      visualization: this.viz ? toBase64(this.viz) : null,
      key: this.cur ? key(this.cur) : null,
      retained: this.retained.map((x) => ({ key: key(x.slot), until: x.until ?? null })),
      erased: this.erased.map(String),
      rekey: r.s === 'idle' ? { s: 'idle' }
        : r.s === 'requested' ? { s: 'requested', id: r.id.toString(), priv: toBase64(r.priv), pub: toBase64(r.pub) }
        : { s: 'accepted', id: r.id.toString(), key: key(r.slot) },
      switchedEarly: this.switchedEarly ? { id: this.switchedEarly.id.toString(), fp: this.switchedEarly.fp.toString() } : null,
      outRaw: this.outRaw,
      inRaw: this.inRaw,
      peerIn: this.peerIn,
      v2From: this.v2From === Infinity ? null : this.v2From,
      top: this.top,
      asked: this.asked.map((r) => ({ ...r })),
      held: [...this.held.values()].map((h) => ({ plain: toBase64(h.plain), date: h.date, file: h.file ? tl(h.file) : null, resendDone: h.resendDone })),
      history: this.history.map((h) => ({
        seq: h.seq, inRaw: h.inRaw, randomId: h.randomId.toString(), method: h.method, data: toBase64(h.data), file: h.file ? tl(h.file) : null, silent: h.silent,
      })),
      outgoing: this.outgoing.map(tl),
      early: this.early.map(tl),
    }
  }

  /**
   * A chat from `exportState()`'s output. Throws `E_SECRET_STATE_INVALID` if the state is not
   * one `exportState` could have written.
   */
  static restore(options: SecretChatOptions, state: SecretChatState): SecretChat {
    const fail = (what: string): never => {
      throw new SecretChatError('E_SECRET_STATE_INVALID', `not a secret chat state: ${what}`)
    }
    if (!state || state.version !== 1) fail('version')
    const bytes = (v: string, n?: number): Uint8Array => {
      const b = typeof v === 'string' ? fromBase64(v) : null
      if (!b || (n !== undefined && b.length !== n)) return fail('bytes')
      return b
    }
    const tl = <T>(v: string): T => {
      try {
        return decodeTl(apiSecretCodec, bytes(v)) as unknown as T
      } catch {
        return fail('TL object')
      }
    }
    const chat = new SecretChat(options, !!state.originator, { p: bytes(state.p, 256), g: state.g })
    const slot = (k: SecretKeyState): KeySlot => {
      const s = chat.slot(bytes(k.key, 256))
      s.since = k.since
      s.used = k.used
      s.encrypted = k.encrypted
      return s
    }
    try {
      chat.chatId = state.chatId
      chat.accessHash = BigInt(state.accessHash)
      chat.state = state.status
      chat.initPriv = state.initPriv === null ? undefined : bytes(state.initPriv)
      chat.peerLayer = state.peerLayer
      chat.chatTtl = state.ttl
      chat.viz = state.visualization === null ? undefined : bytes(state.visualization, 36)
      chat.cur = state.key ? slot(state.key) : undefined
      chat.retained = state.retained.map((x) => ({ slot: slot(x.key), until: x.until ?? undefined }))
      chat.erased = state.erased.map((x) => BigInt(x))
      const r = state.rekey
      chat.rekey = r.s === 'idle' ? IDLE
        : r.s === 'requested' ? { s: 'requested', id: BigInt(r.id), priv: bytes(r.priv), pub: bytes(r.pub) }
        : { s: 'accepted', id: BigInt(r.id), slot: slot(r.key) }
      chat.switchedEarly = state.switchedEarly ? { id: BigInt(state.switchedEarly.id), fp: BigInt(state.switchedEarly.fp) } : undefined
      chat.outRaw = state.outRaw
      chat.inRaw = state.inRaw
      chat.peerIn = state.peerIn
      chat.v2From = state.v2From ?? Infinity
      chat.top = state.top
      chat.asked = state.asked.map((r) => ({ from: r.from, to: r.to, at: r.at }))
      for (const h of state.held) {
        const plain = bytes(h.plain)
        const parsed = parsePlaintext(plain, DECODE)
        chat.held.set(parsed.outSeq >>> 1, { parsed, plain, date: h.date, file: h.file === null ? undefined : tl(h.file), resendDone: h.resendDone })
      }
      for (const h of state.history) {
        chat.history.push({
          seq: h.seq, inRaw: h.inRaw, randomId: BigInt(h.randomId), method: h.method as SendMethod, data: bytes(h.data),
          file: h.file === null ? undefined : tl(h.file), silent: h.silent,
        })
      }
      chat.outgoing = state.outgoing.map((o) => tl<SecretChatRequest>(o))
      chat.early = state.early.map((o) => tl<SecretChatInput>(o))
    } catch (e) {
      chat.shutdown()
      if (e instanceof SecretChatError) throw e
      return fail((e as Error).message)
    }
    return chat
  }

  // ---- input ------------------------------------------------------------------------------

  private input(input: SecretChatInput): void {
    if (typeof input !== 'object' || input === null) return this.error('E_SECRET_INPUT', 'not a TL object')
    switch (input._) {
      case 'updateEncryption':
        return this.chatState(input.chat)
      case 'updateNewEncryptedMessage':
        return this.encrypted(input.message, input)
      case 'updateEncryptedMessagesRead':
        if (this.ours(input.chat_id)) this.events.push({ type: 'read', maxDate: input.max_date, date: input.date })
        return
      case 'updateEncryptedChatTyping':
        if (this.ours(input.chat_id)) this.events.push({ type: 'typing' })
        return
      case 'encryptedMessage':
      case 'encryptedMessageService':
        return this.encrypted(input, input)
      case 'encryptedChatEmpty':
      case 'encryptedChatWaiting':
      case 'encryptedChatRequested':
      case 'encryptedChat':
      case 'encryptedChatDiscarded':
        return this.chatState(input)
    }
    this.error('E_SECRET_INPUT', `not an input for a secret chat: ${String((input as { _: unknown })._)}`)
  }

  /** Whether `id` is this chat's (an error event otherwise: the embedder routed it here). */
  private ours(id: number): boolean {
    if (this.chatId !== 0 && id === this.chatId) return true
    this.error('E_SECRET_CHAT_ID', `input for chat ${id} given to chat ${this.chatId}`)
    return false
  }

  private chatState(c: TypeEncryptedChat): void {
    if (!c || typeof c !== 'object') return this.error('E_SECRET_INPUT', 'not an EncryptedChat')
    if (this.chatId === 0 && this.originator && c._ !== 'encryptedChatRequested') this.chatId = c.id
    if (c.id !== this.chatId) return this.error('E_SECRET_CHAT_ID', `input for chat ${c.id} given to chat ${this.chatId}`)
    switch (c._) {
      case 'encryptedChatEmpty':
      case 'encryptedChatDiscarded':
        this.events.push({ type: 'discarded', historyDeleted: c._ === 'encryptedChatDiscarded' && !!c.history_deleted })
        return this.shutdown()
      case 'encryptedChatWaiting':
        if (this.originator && this.state === 'requesting' && this.accessHash === 0n) {
          this.accessHash = c.access_hash
          this.events.push({ type: 'waiting', chatId: c.id })
        }
        return
      case 'encryptedChatRequested':
        return // our own request as the server shows it to the peer; nothing to do
      case 'encryptedChat':
        if (!this.originator || this.state !== 'requesting') return // the responder's accept result, or a repeat
        return this.accepted(c.g_a_or_b, c.key_fingerprint, c.access_hash)
    }
  }

  /** Initiator: the peer accepted with g_b and the key fingerprint it computed. */
  private accepted(gB: Uint8Array, fp: bigint, accessHash: bigint): void {
    if (this.accessHash === 0n) this.accessHash = accessHash
    const priv = this.initPriv!
    this.initPriv = undefined
    // end-to-end#sending-a-request: "Both clients are to check that g, g_a and g_b are greater than one and smaller than p-1"
    if (!(gB instanceof Uint8Array) || !this.dh.checkPublic(gB, this.p)) {
      priv.fill(0)
      return this.abort('E_SECRET_DH', "the peer's g_b failed the DH range checks")
    }
    const key = this.dh.shared(gB, priv, this.p)
    priv.fill(0)
    const slot = this.slot(key)
    // "If the fingerprint for the received key is identical to the one that was passed to encryptedChat, incoming messages
    // can be sent and processed. Otherwise, messages.discardEncryption must be executed and the user notified."
    if (slot.fp !== fp) {
      wipe(slot)
      key.fill(0)
      return this.abort('E_SECRET_FINGERPRINT', "the key fingerprint the peer computed differs from ours")
    }
    this.becomeReady(slot, key)
    const early = this.early
    this.early = []
    for (const e of early) if (this.state === 'ready') this.input(e)
  }

  private becomeReady(slot: KeySlot, key: Uint8Array): void {
    this.cur = slot
    // pfs#key-visualization: SHA-1 of the original key, SHA-256 of the key in use at layer 46 (the same key: we start at ≥ 46)
    this.viz = keyVisualization(this.crypto, key)
    key.fill(0)
    this.state = 'ready'
    this.events.push({ type: 'ready', chatId: this.chatId, keyFingerprint: slot.fp, visualization: this.viz.slice() })
    // end-to-end#notifying-the-remote-client-about-your-local-layer: "As soon as a new secret chat has been created,
    // immediately after the secret key has been successfully exchanged."
    this.sendService({ _: 'decryptedMessageActionNotifyLayer', layer: this.layer }, this.randomLong())
  }

  // ---- receiving messages ---------------------------------------------------------------------

  private encrypted(m: TypeEncryptedMessage, from: object): void {
    if (!m || (m._ !== 'encryptedMessage' && m._ !== 'encryptedMessageService') || !(m.bytes instanceof Uint8Array)) {
      return this.error('E_SECRET_INPUT', 'not an EncryptedMessage')
    }
    if (this.state === 'requesting') {
      // the peer's first messages may overtake the update that completes our key exchange
      if (this.early.length >= this.maxHeld) return this.abort('E_SECRET_QUEUE_FULL', `more than ${this.maxHeld} messages before the key exchange completed`)
      this.early.push(from as SecretChatInput)
      return
    }
    if (!this.ours(m.chat_id)) return
    const data = m.bytes
    // the key by the fingerprint in front of the message: current, a responder's new one (pfs step 4), or a kept old one
    const lo = data.length >= 8 ? readU32LE(data, 0) : -1
    const hi = data.length >= 8 ? readU32LE(data, 4) : -1
    let slot: KeySlot | undefined
    let isNew = false
    if (this.cur && this.cur.lo === lo && this.cur.hi === hi) slot = this.cur
    else if (this.rekey.s === 'accepted' && this.rekey.slot.lo === lo && this.rekey.slot.hi === hi) {
      slot = this.rekey.slot
      isNew = true
    } else slot = this.retained.find((r) => r.slot.lo === lo && r.slot.hi === hi)?.slot
    if (slot === undefined) {
      // a late repeat of a message under a key we erased once all of its messages were in: nothing to do
      if (data.length >= 8 && this.erased.includes(toLong(data))) return
      return this.fail(decryptError())
    }
    // decrypted straight into the array the message's fields will point into (no scratch copy); room for 1.0's padding too
    const plain = new Uint8Array(Math.max(0, data.length - 24))
    const len = this.decrypt(slot, data, plain)
    if (len < 0) return
    const v2 = this.decryptedV2
    let parsed: ParsedPlaintext
    try {
      parsed = parsePlaintext(plain, DECODE)
    } catch (e) {
      if (!(e instanceof TlError)) throw e
      return this.fail(e)
    }
    // constructor/decryptedMessageLayer: random_bytes "at least 15 bytes ... messages with fewer MUST be ignored"
    if (parsed.randomBytes < MIN_RANDOM_BYTES) return this.error('E_SECRET_RANDOM_BYTES', `random_bytes has ${parsed.randomBytes} bytes; at least 15 are required`)
    if (!parsed.wrapped) {
      // end-to-end#updating-to-new-layers: NotifyLayer may come "wrapped as if it were the decryptedMessageService constructor
      // of the obsolete layer 8"; every other message must carry sequence numbers
      const msg = parsed.message
      if (msg?._ === 'decryptedMessageService_layer8' && msg.action._ === 'decryptedMessageActionNotifyLayer') return this.peerLayerIs(msg.action.layer)
      return this.error('E_SECRET_UNWRAPPED', 'a message without decryptedMessageLayer (sequence numbers) was dropped')
    }
    // seq_no: "If any of the received in_seq_no or out_seq_no are not consistent in terms of parity ... abort"
    const inX = this.originator ? 1 : 0
    if (parsed.outSeq < 0 || parsed.inSeq < 0 || (parsed.outSeq & 1) !== 1 - inX || (parsed.inSeq & 1) !== inX) {
      return this.abort('E_SECRET_SEQ_PARITY', `sequence numbers (in ${parsed.inSeq}, out ${parsed.outSeq}) have the wrong parity`)
    }
    const seq = parsed.outSeq >>> 1
    const peerIn = parsed.inSeq >>> 1
    // seq_no: "if D is the out_seq_no of last message we sent, the received in_seq_no should not be greater than D + 1"
    if (peerIn > this.outRaw) return this.abort('E_SECRET_IN_SEQ', `in_seq_no ${parsed.inSeq} is beyond our last message`)
    // end-to-end#upgrading-to-mtproto-2-0: "After the first message encrypted with MTProto 2.0 (or the first message with
    // Layer 73 or higher) is received, all messages with higher sequence numbers must be encrypted with MTProto 2.0 as well."
    if (v2 || parsed.layer >= 73) this.v2From = Math.min(this.v2From, seq)
    else if (seq > this.v2From) return this.fail(decryptError())
    slot.used++
    if (isNew) this.switchEarly(slot, seq)
    else if (slot === this.cur && this.retained.length > 0) this.firstUnderNewKey(seq)
    if (parsed.layer >= 46) this.peerLayerIs(parsed.layer)
    const date = (m as { date?: number }).date ?? 0
    const file = m._ === 'encryptedMessage' ? m.file : undefined
    const held: Held = { parsed, plain, date, file, resendDone: false }
    // seq_no "Checking out_seq_no"
    if (seq < this.inRaw || this.held.has(seq)) return // "the local client must drop the message (repeated message)"
    if (seq === this.inRaw) {
      this.process(held)
      this.drain()
    } else {
      held.plain = plain.subarray(0, len) // kept (and exported) exactly
      this.hold(seq, held)
    }
    this.maybeRekey()
  }

  /**
   * Decrypts into `out` with 2.0, then with 1.0 where the spec still allows it (`decryptedV2` says
   * which): the plaintext's length, or -1 after an error event.
   */
  private decrypt(slot: KeySlot, data: Uint8Array, out: Uint8Array): number {
    const xIn = this.originator ? 8 : 0 // "x = 0 for messages from the originator of the secret chat, x = 8 for the messages in the opposite direction"
    try {
      const n = this.crypto.decryptMessageInto(slot.key, data, xIn, out, DEC_V2)
      this.decryptedV2 = true
      return n
    } catch (e) {
      if (!(e instanceof SecurityError)) throw e
    }
    // "As long as the current layer is lower than 73, each party should try to decrypt received messages with MTProto 1.0
    // ... there is no need to try MTProto 1.0 decryption for any of the further messages (unless the client is still
    // waiting for some gaps to be closed)". MTProto 1.0: x = 0 both ways (end-to-end_v1).
    if (this.v2From === Infinity || this.inRaw < this.v2From) {
      try {
        const n = this.crypto.decryptMessageInto(slot.key, data, 0, out, DEC_V1)
        this.decryptedV2 = false
        return n
      } catch (e) {
        if (!(e instanceof SecurityError)) throw e
      }
    }
    this.fail(decryptError())
    return -1
  }

  private peerLayerIs(layer: number): void {
    // end-to-end#updating-to-new-layers: store "the maximal layer that is known to be supported by the client on the other side"
    if (layer > this.peerLayer) {
      this.peerLayer = layer
      this.events.push({ type: 'layer', layer, outdated: layer > this.layer })
    }
  }

  /** Holds a message after a gap and asks for what is missing (seq_no "Proper handling of gaps"). */
  private hold(seq: number, h: Held): void {
    if (this.held.size >= this.maxHeld || seq - this.inRaw > this.maxHeld) {
      return this.abort('E_SECRET_QUEUE_FULL', `message ${seq} is too far ahead of ${this.inRaw}, or too many are waiting`)
    }
    this.held.set(seq, h)
    // "decryptedMessageActionResend must always be interpreted immediately upon receipt in all cases, even if its
    // out_seq_no>=C+1 ... each decryptedMessageActionResend must only be handled once"
    const msg = h.parsed.message
    if (msg?._ === 'decryptedMessageService' && msg.action._ === 'decryptedMessageActionResend') {
      h.resendDone = true
      this.resend(msg.action.start_seq_no, msg.action.end_seq_no)
      if (this.state !== 'ready') return
    }
    if (seq > this.top) {
      // one request per hole: only the part beyond what earlier requests covered is new
      const from = Math.max(this.top + 1, this.inRaw)
      this.top = seq
      if (from <= seq - 1) this.requestResend(from, seq - 1, false)
    }
  }

  /** Processes held messages that are next in order. */
  private drain(): void {
    for (let h = this.held.get(this.inRaw); h !== undefined && this.state === 'ready'; h = this.held.get(this.inRaw)) {
      this.held.delete(this.inRaw)
      this.process(h)
    }
    if (this.top < this.inRaw) this.top = this.inRaw - 1
    if (this.asked.length > 0) this.asked = this.asked.filter((r) => r.to >= this.inRaw)
    this.wipeOldKeys()
  }

  /** Interprets one message in order (its seq is `inRaw`). */
  private process(h: Held): void {
    const { parsed } = h
    const peerIn = parsed.inSeq >>> 1
    // seq_no: "in_seq_no must form a non-decreasing sequence of non-negative integer numbers"
    if (peerIn < this.peerIn) return this.abort('E_SECRET_IN_SEQ', `in_seq_no went down from ${2 * this.peerIn + 1} to ${parsed.inSeq}`)
    this.peerIn = peerIn
    this.inRaw++
    // our messages the peer has seen need no resend any more
    let drop = 0
    while (drop < this.history.length && this.history[drop].seq < peerIn) drop++
    if (drop > 0) this.history.splice(0, drop)
    this.wipeOldKeys()
    const placed: Placed = { seq: parsed.outSeq >>> 1, after: peerIn, layer: parsed.layer, date: h.date }
    const msg = parsed.message
    if (msg === undefined) {
      this.events.push({ type: 'unsupported', error: parsed.error!, seq: placed.seq, after: placed.after, layer: placed.layer, date: placed.date })
      return
    }
    switch (msg._) {
      case 'decryptedMessageService':
      case 'decryptedMessageService_layer8':
        return this.action(msg.random_id, msg.action, placed, h)
      default: {
        const ttl = 'ttl' in msg ? msg.ttl : 0
        this.events.push({ type: 'message', randomId: msg.random_id, message: msg, ttl, file: h.file, seq: placed.seq, after: placed.after, layer: placed.layer, date: placed.date })
      }
    }
  }

  private action(randomId: bigint, a: TypeDecryptedMessageAction, placed: Placed, h: Held): void {
    switch (a._) {
      case 'decryptedMessageActionNotifyLayer':
        return this.peerLayerIs(a.layer)
      case 'decryptedMessageActionResend':
        if (!h.resendDone) this.resend(a.start_seq_no, a.end_seq_no)
        return
      case 'decryptedMessageActionNoop':
        return
      case 'decryptedMessageActionRequestKey':
        return this.onRequestKey(a.exchange_id, a.g_a)
      case 'decryptedMessageActionAcceptKey':
        return this.onAcceptKey(a.exchange_id, a.g_b, a.key_fingerprint)
      case 'decryptedMessageActionCommitKey':
        return this.onCommitKey(a.exchange_id, a.key_fingerprint, placed.seq)
      case 'decryptedMessageActionAbortKey':
        return this.onAbortKey(a.exchange_id)
      case 'decryptedMessageActionSetMessageTTL':
        this.chatTtl = a.ttl_seconds
        break
    }
    this.events.push({ type: 'action', randomId, action: a, seq: placed.seq, after: placed.after, layer: placed.layer, date: placed.date })
  }

  /** Asks the peer to send their messages `from..to` (raw) again, one request per contiguous hole. */
  private requestResend(from: number, to: number, retry: boolean): void {
    for (let s = from; s <= to; s++) {
      if (this.held.has(s)) continue
      let e = s
      while (e + 1 <= to && !this.held.has(e + 1)) e++
      // "start_seq_no by adding 2 to the out_seq_no of the last message before the hole and the end_seq_no by
      // subtracting 2 from the out_seq_no of the received message" (the peer's wire numbers)
      const x = this.originator ? 0 : 1
      this.sendService({ _: 'decryptedMessageActionResend', start_seq_no: 2 * s + x, end_seq_no: 2 * e + x }, this.randomLong())
      if (!retry) this.events.push({ type: 'gap', from: s, to: e })
      this.asked.push({ from: s, to: e, at: this.now })
      s = e
    }
  }

  /** The peer asks for our messages start..end (wire numbers): re-send them, or abort if we cannot. */
  private resend(start: number, end: number): void {
    const x = this.originator ? 1 : 0
    if (start < 0 || end < start || (start & 1) !== x || (end & 1) !== x || end >>> 1 >= this.outRaw) {
      return this.abort('E_SECRET_RESEND', `cannot resend ${start}..${end}: not our sequence numbers`)
    }
    const from = start >>> 1
    const to = end >>> 1
    const first = this.history.findIndex((h) => h.seq === from)
    // seq_no: "If a local client receives decryptedMessageActionResend but is unable to satisfy the request, it must abort"
    if (first < 0 || first + (to - from) >= this.history.length) {
      return this.abort('E_SECRET_RESEND', `cannot resend ${start}..${end}: no longer kept`)
    }
    for (let i = first; i <= first + (to - from); i++) {
      const h = this.history[i]
      // a fresh outer random_id, so that a server that deduplicates by random_id delivers it again
      this.outgoing.push(this.request(h.method, this.randomLong(), h.data, h.file, h.silent))
    }
    this.events.push({ type: 'resent', from, to })
  }

  // ---- re-keying (PFS) ----------------------------------------------------------------------

  /** end-to-end#perfect-forward-secrecy: re-key "once a key has been used to decrypt and encrypt more than 100 messages,
   * or has been in use for more than one week, provided the key has been used to encrypt at least one message". */
  private maybeRekey(): void {
    const c = this.cur
    if (!c || c.encrypted === 0) return
    if (c.used > this.rekeyAfterMessages || this.now - c.since >= this.rekeyAfterMs) this.startRekey()
  }

  private onRequestKey(id: bigint, gA: Uint8Array): void {
    const r = this.rekey
    if (r.s === 'requested') {
      // pfs#concurrent-re-keying, compared "as a long, i.e. signed little-endian 64-bit integer"
      if (r.id > id) return // "abort the newly-suggested re-keying protocol instance without sending explicit AbortKey"
      r.priv.fill(0)
      this.rekey = IDLE
      this.events.push({ type: 'rekeyAborted', exchangeId: r.id, error: undefined })
      if (r.id === id) return // "abort both instances without sending an explicit decryptedMessageActionAbortKey"
      // ours was smaller: "participate only in the re-keying protocol instance initiated by the other side"
    } else if (r.s === 'accepted' || this.switchedEarly) {
      // pfs: "never start a new instance while one is unfinished": we accepted one and it is not committed yet
      return this.sendService({ _: 'decryptedMessageActionAbortKey', exchange_id: id }, this.randomLong())
    } else if (this.retained.length >= MAX_RETAINED) {
      // old keys pile up only if the peer re-keys again and again while our gaps stay open
      return this.abort('E_SECRET_REKEY', `the peer re-keyed while ${MAX_RETAINED} old keys were still needed`)
    }
    if (!(gA instanceof Uint8Array) || !this.dh.checkPublic(gA, this.p)) {
      // pfs#aborting-protocol: failed checks abort the exchange; "it might be advisable to abort the Secret Chat altogether"
      return this.abort('E_SECRET_DH', "the peer's re-keying g_a failed the DH range checks")
    }
    const { priv, pub } = this.dh.keyPair(this.p, this.g)
    const key = this.dh.shared(gA, priv, this.p)
    priv.fill(0)
    const slot = this.slot(key)
    key.fill(0)
    this.rekey = { s: 'accepted', id, slot }
    this.sendService({ _: 'decryptedMessageActionAcceptKey', exchange_id: id, g_b: pub, key_fingerprint: slot.fp }, this.randomLong())
  }

  private onAcceptKey(id: bigint, gB: Uint8Array, fp: bigint): void {
    const r = this.rekey
    if (r.s !== 'requested' || r.id !== id) return // an instance we abandoned or never started
    this.rekey = IDLE
    if (!(gB instanceof Uint8Array) || !this.dh.checkPublic(gB, this.p)) {
      r.priv.fill(0)
      return this.abort('E_SECRET_DH', "the peer's re-keying g_b failed the DH range checks")
    }
    const key = this.dh.shared(gB, r.priv, this.p)
    r.priv.fill(0)
    const slot = this.slot(key)
    key.fill(0)
    if (slot.fp !== fp) {
      wipe(slot)
      const error = new SecretChatError('E_SECRET_FINGERPRINT', "the new key's fingerprint differs from the peer's")
      this.sendService({ _: 'decryptedMessageActionAbortKey', exchange_id: id }, this.randomLong())
      this.events.push({ type: 'rekeyAborted', exchangeId: id, error })
      return
    }
    // pfs step 3: commit under the old key, then "A can (and must) encrypt all following messages with the new key"
    this.sendService({ _: 'decryptedMessageActionCommitKey', exchange_id: id, key_fingerprint: fp }, this.randomLong())
    // "A may only discard the previous key after a message encrypted with the new key has been received"
    this.retained.push({ slot: this.cur!, until: undefined })
    this.cur = slot
    this.events.push({ type: 'rekeyed', exchangeId: id, keyFingerprint: fp })
  }

  private onCommitKey(id: bigint, fp: bigint, seq: number): void {
    const r = this.rekey
    if (r.s === 'accepted' && r.id === id) {
      this.rekey = IDLE
      if (fp !== r.slot.fp) {
        wipe(r.slot)
        // after AcceptKey we may not abort the exchange, and the keys disagree: the chat cannot go on
        return this.abort('E_SECRET_REKEY', 'the committed key fingerprint differs from the accepted key')
      }
      this.switchTo(r.slot, id, seq)
      return
    }
    const early = this.switchedEarly
    if (early && early.id === id) {
      this.switchedEarly = undefined
      if (early.fp !== fp) return this.abort('E_SECRET_REKEY', 'the committed key fingerprint differs from the key already in use')
    }
  }

  private onAbortKey(id: bigint): void {
    const r = this.rekey
    if (r.s === 'requested' && r.id === id) r.priv.fill(0)
    else if (r.s === 'accepted' && r.id === id) wipe(r.slot)
    else return
    this.rekey = IDLE
    this.events.push({ type: 'rekeyAborted', exchangeId: id, error: undefined })
  }

  /** pfs step 4: "When B receives either a decryptedMessageActionCommitKey or a message encrypted by the new key ..." */
  private switchEarly(slot: KeySlot, seq: number): void {
    const r = this.rekey as Extract<Rekey, { s: 'accepted' }>
    this.rekey = IDLE
    this.switchedEarly = { id: r.id, fp: slot.fp }
    this.switchTo(slot, r.id, seq)
  }

  private switchTo(slot: KeySlot, id: bigint, seq: number): void {
    // "the previous key may be kept until there are no gaps in received messages up to the switch to the new key"
    this.retained.push({ slot: this.cur!, until: seq })
    slot.since = this.now
    this.cur = slot
    this.events.push({ type: 'rekeyed', exchangeId: id, keyFingerprint: slot.fp })
    // pfs#discarding-previous-keys: "If no ordinary messages are scheduled to be sent, a special no-op message should be sent by B"
    this.sendService({ _: 'decryptedMessageActionNoop' }, this.randomLong())
    this.wipeOldKeys()
  }

  /** Initiator: the first message under the current key fixes when the previous one may go. */
  private firstUnderNewKey(seq: number): void {
    for (const r of this.retained) if (r.until === undefined) r.until = seq
  }

  /** Erases kept keys whose messages have all been processed. */
  private wipeOldKeys(): void {
    if (this.retained.length === 0) return
    this.retained = this.retained.filter((r) => {
      if (r.until === undefined || this.inRaw <= r.until) return true
      this.erased.push(r.slot.fp)
      if (this.erased.length > 8) this.erased.shift()
      this.events.push({ type: 'keyDiscarded', keyFingerprint: r.slot.fp })
      wipe(r.slot)
      return false
    })
  }

  // ---- sending ---------------------------------------------------------------------------

  private sendService(action: TypeDecryptedMessageAction, randomId: bigint): void {
    this.enqueue({ _: 'decryptedMessageService', random_id: randomId, action }, randomId, 'messages.sendEncryptedService', undefined, false)
  }

  /** Assigns the next sequence numbers, encrypts, keeps the blob for resends, queues the request. */
  private enqueue(msg: TypeDecryptedMessage, randomId: bigint, method: SendMethod, file: TypeInputEncryptedFile | undefined, silent: boolean): void {
    // seq_no: "assign in_seq_no and out_seq_no to each message at the exact moment when the message is created"
    const seq = this.outRaw
    const data = this.encrypt(messageForLayer(msg, Math.min(this.layer, this.peerLayer)), this.inRaw, seq)
    this.outRaw++ // only once encoded: a message the caller got wrong must not leave a hole in the sequence
    this.history.push({ seq, inRaw: this.inRaw, randomId, method, data, file, silent })
    if (this.history.length > this.maxHistory) this.history.shift()
    this.outgoing.push(this.request(method, randomId, data, file, silent))
  }

  private encrypt(msg: TypeDecryptedMessage, inRaw: number, outRaw: number): Uint8Array {
    const slot = this.cur!
    const xo = this.originator ? 1 : 0 // seq_no: initiator sends out_seq_no 2n+1, in_seq_no 2n; the other side the opposite
    const layer = Math.min(this.layer, this.peerLayer)
    const inner = this.writer.encode(this.random(MIN_RANDOM_BYTES), layer, 2 * inRaw + (1 - xo), 2 * outRaw + xo, msg)
    // end-to-end#upgrading-to-mtproto-2-0: "As soon as both parties in a secret chat are using at least Layer 73, they should
    // only use MTProto 2.0 for all outgoing messages"; before that, 1.0 (x = 0)
    const data = this.peerLayer >= 73
      ? this.crypto.encryptMessage(slot.key, inner, this.originator ? 0 : 8, undefined, ENC_V2)
      : this.crypto.encryptMessage(slot.key, inner, 0, undefined, ENC_V1)
    inner.fill(0)
    slot.used++
    slot.encrypted++
    return data
  }

  private request(method: SendMethod, randomId: bigint, data: Uint8Array, file: TypeInputEncryptedFile | undefined, silent: boolean): SecretChatRequest {
    const peer = this.peer()
    if (method === 'messages.sendEncryptedService') return { _: method, peer, random_id: randomId, data }
    if (method === 'messages.sendEncryptedFile') return { _: method, silent: silent || undefined, peer, random_id: randomId, data, file: file! }
    return { _: method, silent: silent || undefined, peer, random_id: randomId, data }
  }

  private peer(): TypeInputEncryptedChat {
    const p = this.inputChat
    if (p && p.chat_id === this.chatId && p.access_hash === this.accessHash) return p
    return (this.inputChat = { _: 'inputEncryptedChat', chat_id: this.chatId, access_hash: this.accessHash })
  }

  // ---- helpers -----------------------------------------------------------------------------

  private slot(key: Uint8Array): KeySlot {
    const k = createAuthKey(key)
    return { bytes: new Uint8Array(key), key: k, fp: k.idLong, lo: readU32LE(k.id, 0), hi: readU32LE(k.id, 4), since: this.now, used: 0, encrypted: 0 }
  }

  /** `n` random bytes from a pool refilled in 4 KiB blocks (a view, used at once). */
  private random(n: number): Uint8Array {
    if (this.poolPos + n > this.pool.length) {
      this.pool.set(this.crypto.randomBytes(this.pool.length))
      this.poolPos = 0
    }
    const r = this.pool.subarray(this.poolPos, this.poolPos + n)
    this.poolPos += n
    return r
  }

  private randomLong(): bigint {
    this.random(8)
    const v = this.poolView.getBigInt64(this.poolPos - 8, true)
    return v === 0n ? 1n : v
  }

  private error(code: SecretChatErrorCode, message: string): void {
    this.fail(new SecretChatError(code, message))
  }

  private fail(error: MtwireError): void {
    this.events.push({ type: 'error', error })
  }

  /** Ends the chat after a broken rule: one `aborted` event, discardEncryption queued, keys erased. */
  private abort(code: SecretChatErrorCode, message: string): void {
    if (this.state === 'closed') return
    const error = new SecretChatError(code, message)
    if (this.chatId !== 0) this.outgoing.push({ _: 'messages.discardEncryption', chat_id: this.chatId })
    this.events.push({ type: 'aborted', error })
    this.shutdown()
  }

  private shutdown(): void {
    this.state = 'closed'
    if (this.cur) wipe(this.cur)
    for (const r of this.retained) wipe(r.slot)
    if (this.rekey.s === 'accepted') wipe(this.rekey.slot)
    if (this.rekey.s === 'requested') this.rekey.priv.fill(0)
    this.initPriv?.fill(0)
    this.initPriv = undefined
    this.cur = undefined
    this.retained = []
    this.rekey = IDLE
    this.held.clear()
    for (const h of this.history) h.data.fill(0)
    this.history.length = 0
    this.early = []
    this.pool.fill(0)
    this.poolPos = this.pool.length
  }
}

/** The message text, checked (the TL writer encodes it). */
function text(s: string): string {
  if (typeof s !== 'string') throw new SecretChatError('E_SECRET_ARGUMENT', 'message must be a string')
  return s
}

function positive(v: number, name: string): number {
  if (typeof v !== 'number' || !(v > 0)) throw new SecretChatError('E_SECRET_ARGUMENT', `${name} must be a positive number, got ${String(v)}`)
  return v
}

function wipe(s: KeySlot): void {
  s.bytes.fill(0)
  if (!s.key.disposed) s.key.dispose()
}

/** The envelope's uniform decryption error (same code and message whatever failed). */
function decryptError(): SecurityError {
  return new SecurityError('E_DECRYPT', 'message decryption failed')
}
