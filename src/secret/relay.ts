/**
 * `SecretRelay`: the server side of secret chats, sans-IO. It answers the api.tl methods that
 * carry secret chats (the api-secret schema: messages.getDhConfig, requestEncryption,
 * acceptEncryption, discardEncryption, sendEncrypted, sendEncryptedService, sendEncryptedFile,
 * setEncryptedTyping, readEncryptedHistory, receivedQueue, updates.getState / getDifference,
 * upload.saveFilePart / saveBigFilePart / getFile) and says which updates to push to whom. It
 * relays bytes it cannot read: it never sees a chat key.
 *
 * Plugging it into a server takes one call per RPC. The server's session layer, once it has
 * decrypted a request on a session whose (permanent) auth key has id `authKeyId` and unwrapped
 * invokeWithLayer / initConnection / invokeAfterMsg(s) / invokeWithoutUpdates, calls
 *
 *     const reply = relay.handleBytes(authKeyId, body, now)   // body: the boxed request
 *
 * `undefined` means the method is not one of these (answer it elsewhere). Otherwise
 * `reply.bytes` is the result to put in rpc_result (the serialized result, or an rpc_error), and
 * every `reply.pushes[i]` is an `Updates` (`updateShort`) whose `bytes` go, as a server-initiated
 * message, to every session of `authKeyId` (the other participant of the chat). `handle()` is
 * the same for a request already decoded with `apiSecretCodec`.
 *
 * Users (minimal, for test servers): each permanent auth key is a user. Its id (52 bits, > 0)
 * and access_hash (64 bits) are HMAC-SHA256(secret, tag ‖ auth_key_id), with a random `secret`
 * per relay (pass one to keep them across restarts); `user(authKeyId)` registers a key and
 * returns them, for handing a peer's inputUser to a client out of band. A key is registered on
 * its first call too. inputUser must name a registered user with its access_hash.
 *
 * State lives in memory, bounded (`RelayLimits`): chats per user, the queued updates per user
 * (the qts box: acknowledged with messages.receivedQueue or updates.getDifference, dropped after
 * 7 days or beyond the cap, oldest first), stored file bytes in total, parts per upload. What
 * the spec leaves to the server, as chosen here: the access_hash of a chat is one per chat;
 * the outer random_id of a send is deduplicated per sender and chat (a repeat gets the first
 * answer and is not delivered again); updateEncryption is pushed live only (getDifference returns
 * the queued encrypted messages).
 *
 * Errors are rpc_errors with Telegram's names where Telegram documents one for the case
 * (CHAT_ID_INVALID, ENCRYPTION_ALREADY_ACCEPTED, ...); the relay's own limits answer
 * 400 FILE_STORAGE_FULL and 400 CHATS_TOO_MUCH.
 */
import { concatAll } from '../bytes.js'
import type { Crypto } from '../crypto/types.js'
import { SecretChatError, TlError } from '../errors.js'
import { mergeCodecs, ID_BOOL_FALSE, ID_BOOL_TRUE } from '../tl/codec.js'
import { TlDecodeError } from '../tl/errors.js'
import { TlReader } from '../tl/reader.js'
import { TlWriter } from '../tl/writer.js'
import { mtprotoCodec } from '../tl/generated/mtproto.js'
import {
  type ApiSecretMethods, apiSecretCodec, type TypeEncryptedChat, type TypeEncryptedFile, type TypeEncryptedMessage, type TypeInputEncryptedChat,
  type TypeInputEncryptedFile, type TypeInputUser, type TypeUpdate, type TypeUpdates,
} from '../tl/generated/api-secret.js'
import { TELEGRAM_DH_G, TELEGRAM_DH_PRIME } from '../auth/dh.js'
import { handshakeDh, type SecretDh } from './dh.js'

export interface RelayLimits {
  /** Registered users (auth keys). Default 100 000. */
  maxUsers: number
  /** Chats a user takes part in (not discarded). Default 1000. */
  maxChatsPerUser: number
  /** Queued (unacknowledged) encrypted messages per user; beyond, the oldest are dropped. Default 10 000. */
  maxQueue: number
  /** Queued messages older than this are dropped (ms). Default 7 days (end-to-end#working-with-an-update-box). */
  queueTtlMs: number
  /** Bytes of uploads and files held in total. Default 64 MiB. */
  maxStoredBytes: number
  /** Parts of one upload (Telegram: 4000). */
  maxParts: number
  /** Bytes of one encrypted message (sendEncrypted data). Default 1 MiB. */
  maxMessageBytes: number
  /** Unfinished uploads are dropped this long after their last part (ms). Default 1 hour. */
  uploadTtlMs: number
}

export interface RelayOptions {
  /** Random ids and access hashes, getDhConfig's `random`. */
  crypto: Crypto
  /** What messages.getDhConfig returns. Default: Telegram's prime and g = 3 (src/auth/dh.ts), version 1. */
  dhConfig?: { p: Uint8Array; g: number; version?: number }
  /** The range check on g_a and g_b (DH_G_A_INVALID / DH_G_B_INVALID). Default: the handshake's checkDhPublic. */
  dh?: Pick<SecretDh, 'checkPublic'>
  /** Keys user ids and access hashes derive from (default: random per relay). */
  secret?: Uint8Array
  /** encryptedFile.dc_id (default 2). */
  dcId?: number
  limits?: Partial<RelayLimits>
}

export interface RelayUser {
  authKeyId: bigint
  id: bigint
  accessHash: bigint
}

/** One push: `updates` (serialized in `bytes`) for every session of the auth key `authKeyId`. */
export interface RelayPush {
  authKeyId: bigint
  updates: TypeUpdates
  bytes: Uint8Array
}

export interface RelayReply {
  /** The result: a TL object, a boolean (Bool), a bigint[] (Vector<long>), or the rpc_error. */
  result: unknown
  /** `result` serialized, for rpc_result. */
  bytes: Uint8Array
  /** Set when the result is an rpc_error. */
  error: { code: number; message: string } | undefined
  pushes: RelayPush[]
}

const DEFAULT_LIMITS: RelayLimits = {
  maxUsers: 100_000,
  maxChatsPerUser: 1000,
  maxQueue: 10_000,
  queueTtlMs: 604_800_000, // 7 days
  maxStoredBytes: 67_108_864, // 64 MiB
  maxParts: 4000,
  maxMessageBytes: 1_048_576, // 1 MiB
  uploadTtlMs: 3_600_000, // 1 hour
}

/** upload.saveFilePart: "file_part ... from 0 to 3999"; parts of at most 512 KiB, a divisor of 512 KiB in 1 KiB steps. */
const MAX_PART = 524_288 // 512 KiB
/** upload.getFile: limit ≤ 1 MiB, offset and limit multiples of 1 KiB, within one 1 MiB window. */
const MIB = 1_048_576
/** Files at most this large may be uploaded with saveFilePart; bigger ones need saveBigFilePart (api/files). */
const SMALL_FILE = 10_485_760 // 10 MiB
const MAX_DISCARDED = 10_000

// computed at import, but pure to a bundler: a page that does not relay drops them (and the codec)
const CODEC = /* @__PURE__ */ mergeCodecs(mtprotoCodec, apiSecretCodec)
const METHODS = /* @__PURE__ */ (() => new Set(Object.keys(apiSecretCodec.ids).filter((n) => apiSecretCodec.results?.[n] !== undefined)))()
const METHOD_IDS = /* @__PURE__ */ (() => new Set([...METHODS].map((n) => apiSecretCodec.ids[n] >>> 0)))()

interface User extends RelayUser {
  key: string
  /** The qts of the last queued event (starts at a random value: "The initial value may not (and will not) be equal to 0"). */
  qts: number
  queue: { qts: number; message: TypeEncryptedMessage; at: number }[]
  chats: number
}

interface Chat {
  id: number
  accessHash: bigint
  date: number
  admin: User
  participant: User
  state: 'requested' | 'accepted' | 'discarded'
  gA: Uint8Array
  gB: Uint8Array | undefined
  fp: bigint
  /** (sender key) → outer random_id → the answer given */
  sent: Map<string, Map<bigint, SentAnswer>>
  requestRandomId: number
}

type SentAnswer = { _: 'messages.sentEncryptedMessage'; date: number } | { _: 'messages.sentEncryptedFile'; date: number; file: TypeEncryptedFile }

interface Upload {
  parts: Map<number, Uint8Array>
  bytes: number
  total: number | undefined
  at: number
}

interface StoredFile {
  id: bigint
  accessHash: bigint
  parts: Uint8Array[]
  size: number
  fingerprint: number
  /** Auth keys allowed to download it (sender and recipients). */
  readers: Set<string>
}

class RpcError extends Error {
  constructor(readonly code: number, readonly text: string) {
    super(text)
  }
}
const bad = (text: string): RpcError => new RpcError(400, text)

export class SecretRelay {
  private readonly crypto: Crypto
  private readonly limits: RelayLimits
  private readonly secret: Uint8Array
  private readonly dhConfig: { p: Uint8Array; g: number; version: number }
  private readonly dh: Pick<SecretDh, 'checkPublic'>
  private readonly dcId: number
  private readonly users = new Map<string, User>()
  private readonly byId = new Map<bigint, User>()
  private readonly chats = new Map<number, Chat>()
  private readonly uploads = new Map<string, Upload>()
  private readonly files = new Map<bigint, StoredFile>()
  private stored = 0
  /** Discarded chats, oldest first: kept (to answer ENCRYPTION_DECLINED) up to MAX_DISCARDED, then forgotten. */
  private readonly discarded: number[] = []
  private lastExpiry = -Infinity

  constructor(options: RelayOptions) {
    if (!options?.crypto || typeof options.crypto.randomBytes !== 'function') throw new SecretChatError('E_SECRET_ARGUMENT', 'SecretRelay needs a Crypto object')
    this.crypto = options.crypto
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.secret = options.secret ? new Uint8Array(options.secret) : this.crypto.randomBytes(32)
    const dc = options.dhConfig ?? { p: TELEGRAM_DH_PRIME, g: TELEGRAM_DH_G }
    this.dhConfig = { p: new Uint8Array(dc.p), g: dc.g, version: dc.version ?? 1 }
    this.dh = options.dh ?? handshakeDh(this.crypto)
    this.dcId = options.dcId ?? 2
  }

  /** Whether `method` (a TL method name) is one this relay answers. */
  handles(method: string): boolean {
    return METHODS.has(method)
  }

  /** The user of an auth key (registered now if new). */
  user(authKeyId: bigint): RelayUser {
    const u = this.register(authKeyId)
    return { authKeyId: u.authKeyId, id: u.id, accessHash: u.accessHash }
  }

  /**
   * Decodes a boxed request and handles it; `undefined` if its constructor is not one of this
   * relay's methods. A request that does not decode answers 400 INPUT_REQUEST_INVALID.
   */
  handleBytes(authKeyId: bigint, body: Uint8Array, now: number): RelayReply | undefined {
    if (body.length < 4) return undefined
    const id = (body[0] | (body[1] << 8) | (body[2] << 16) | (body[3] << 24)) >>> 0
    if (!METHOD_IDS.has(id)) return undefined
    let request: RelayRequest
    try {
      const r = new TlReader(apiSecretCodec, body, { maxGzipSize: 2 * MAX_PART })
      request = r.object()
      if (r.pos !== r.end) throw new TlDecodeError('E_TL_TRAILING', 'bytes after the request', r.pos)
    } catch (e) {
      if (!(e instanceof TlError)) throw e
      return this.reply(new RpcError(400, 'INPUT_REQUEST_INVALID'), [])
    }
    return this.handle(authKeyId, request, now)
  }

  /** Handles a decoded request (an object of `apiSecretCodec`'s methods). */
  handle(authKeyId: bigint, request: RelayRequest, now: number): RelayReply {
    const pushes: RelayPush[] = []
    try {
      if (typeof authKeyId !== 'bigint') throw new SecretChatError('E_SECRET_ARGUMENT', 'authKeyId must be a bigint')
      const user = this.register(authKeyId)
      this.expire(now)
      return this.reply(this.dispatch(user, request, now, pushes), pushes)
    } catch (e) {
      if (e instanceof RpcError) return this.reply(e, [])
      if (e instanceof SecretChatError && e.code === 'E_SECRET_USERS_FULL') return this.reply(new RpcError(400, 'AUTH_KEY_INVALID'), [])
      throw e
    }
  }

  private dispatch(me: User, q: RelayRequest, now: number, pushes: RelayPush[]): unknown {
    const date = Math.floor(now / 1000)
    switch (q._) {
      case 'messages.getDhConfig': {
        // end-to-end: "If the client needs additional entropy ... random_length (random_length > 0) so the server generates its own random sequence"
        if (!Number.isInteger(q.random_length) || q.random_length < 0 || q.random_length > 256) throw bad('RANDOM_LENGTH_INVALID')
        const random = this.crypto.randomBytes(q.random_length)
        if (q.version === this.dhConfig.version) return { _: 'messages.dhConfigNotModified', random }
        return { _: 'messages.dhConfig', g: this.dhConfig.g, p: this.dhConfig.p, version: this.dhConfig.version, random }
      }
      case 'messages.requestEncryption': {
        const peer = this.inputUser(me, q.user_id)
        if (peer === me) throw bad('USER_ID_INVALID')
        this.checkG(q.g_a, 'DH_G_A_INVALID')
        // a repeated request (same random_id, same peer) gets the same chat
        for (const c of this.chats.values()) {
          if (c.admin === me && c.participant === peer && c.requestRandomId === q.random_id && c.state !== 'discarded') return this.waiting(c)
        }
        if (me.chats >= this.limits.maxChatsPerUser || peer.chats >= this.limits.maxChatsPerUser) throw bad('CHATS_TOO_MUCH')
        const chat: Chat = {
          id: this.newChatId(), accessHash: this.randomLong(), date, admin: me, participant: peer, state: 'requested',
          gA: new Uint8Array(q.g_a), gB: undefined, fp: 0n, sent: new Map(), requestRandomId: q.random_id,
        }
        this.chats.set(chat.id, chat)
        me.chats++
        peer.chats++
        // end-to-end: "User B receives the update updateEncryption ... with the chat constructor encryptedChatRequested"
        this.push(pushes, peer, {
          _: 'updateEncryption', date,
          chat: { _: 'encryptedChatRequested', id: chat.id, access_hash: chat.accessHash, date, admin_id: me.id, participant_id: peer.id, g_a: chat.gA },
        }, date)
        return this.waiting(chat)
      }
      case 'messages.acceptEncryption': {
        const chat = this.chat(me, q.peer)
        if (chat.participant !== me) throw bad('CHAT_ID_INVALID')
        if (chat.state === 'accepted') throw bad('ENCRYPTION_ALREADY_ACCEPTED')
        if (chat.state === 'discarded') throw bad('ENCRYPTION_ALREADY_DECLINED')
        this.checkG(q.g_b, 'DH_G_B_INVALID')
        chat.state = 'accepted'
        chat.gB = new Uint8Array(q.g_b)
        chat.fp = q.key_fingerprint
        // "User A will be sent an updateEncryption update with the constructor encryptedChat"
        this.push(pushes, chat.admin, { _: 'updateEncryption', date, chat: this.encryptedChat(chat, chat.gB) }, date)
        return this.encryptedChat(chat, chat.gA)
      }
      case 'messages.discardEncryption': {
        const chat = this.chats.get(q.chat_id)
        if (!chat || (chat.admin !== me && chat.participant !== me)) throw bad('CHAT_ID_INVALID')
        if (chat.state === 'discarded') throw bad('ENCRYPTION_ALREADY_DECLINED')
        chat.state = 'discarded'
        chat.admin.chats--
        chat.participant.chats--
        chat.sent.clear()
        this.discarded.push(chat.id)
        if (this.discarded.length > MAX_DISCARDED) this.chats.delete(this.discarded.shift()!)
        const other = chat.admin === me ? chat.participant : chat.admin
        this.push(pushes, other, {
          _: 'updateEncryption', date, chat: { _: 'encryptedChatDiscarded', history_deleted: !!q.delete_history, id: chat.id },
        }, date)
        return true
      }
      case 'messages.setEncryptedTyping': {
        const chat = this.accepted(me, q.peer)
        if (q.typing) this.push(pushes, this.other(chat, me), { _: 'updateEncryptedChatTyping', chat_id: chat.id }, date)
        return true
      }
      case 'messages.readEncryptedHistory': {
        const chat = this.accepted(me, q.peer)
        this.push(pushes, this.other(chat, me), { _: 'updateEncryptedMessagesRead', chat_id: chat.id, max_date: q.max_date, date }, date)
        return true
      }
      case 'messages.sendEncrypted':
      case 'messages.sendEncryptedService':
      case 'messages.sendEncryptedFile': {
        const chat = this.accepted(me, q.peer)
        // the blob: key_fingerprint (8) ‖ msg_key (16) ‖ AES-IGE ciphertext (16k bytes, k ≥ 1)
        const data = q.data
        if (!(data instanceof Uint8Array) || data.length < 40 || (data.length - 24) % 16 !== 0) throw bad('DATA_INVALID')
        if (data.length > this.limits.maxMessageBytes) throw bad('DATA_TOO_LONG')
        let sent = chat.sent.get(me.key)
        if (!sent) chat.sent.set(me.key, (sent = new Map()))
        const repeat = sent.get(q.random_id)
        if (repeat) return repeat
        const other = this.other(chat, me)
        let message: TypeEncryptedMessage
        let answer: SentAnswer
        if (q._ === 'messages.sendEncryptedFile') {
          const file = this.attach(me, other, q.file)
          message = { _: 'encryptedMessage', random_id: q.random_id, chat_id: chat.id, date, bytes: new Uint8Array(data), file }
          answer = { _: 'messages.sentEncryptedFile', date, file }
        } else {
          message = q._ === 'messages.sendEncryptedService'
            ? { _: 'encryptedMessageService', random_id: q.random_id, chat_id: chat.id, date, bytes: new Uint8Array(data) }
            : { _: 'encryptedMessage', random_id: q.random_id, chat_id: chat.id, date, bytes: new Uint8Array(data), file: { _: 'encryptedFileEmpty' } }
          answer = { _: 'messages.sentEncryptedMessage', date }
        }
        sent.set(q.random_id, answer)
        if (sent.size > this.limits.maxQueue) sent.delete(sent.keys().next().value as bigint)
        // end-to-end#working-with-an-update-box: "the value of qts increases by 1 with each new event"
        other.qts++
        other.queue.push({ qts: other.qts, message, at: now })
        if (other.queue.length > this.limits.maxQueue) other.queue.shift()
        this.push(pushes, other, { _: 'updateNewEncryptedMessage', message, qts: other.qts }, date)
        return answer
      }
      case 'messages.receivedQueue': {
        // "acknowledged explicitly by a call to the messages.receivedQueue method"; returns the random_ids acknowledged
        const acked: bigint[] = []
        while (me.queue.length > 0 && me.queue[0].qts <= q.max_qts) acked.push(me.queue.shift()!.message.random_id)
        return acked
      }
      case 'updates.getState':
        return { _: 'updates.state', pts: 0, qts: me.qts, date, seq: 0, unread_count: 0 }
      case 'updates.getDifference': {
        // "or implicitly by a call to updates.getDifference (the value of qts passed, not the final state)"
        while (me.queue.length > 0 && me.queue[0].qts <= q.qts) me.queue.shift()
        if (me.queue.length === 0) return { _: 'updates.differenceEmpty', date, seq: 0 }
        return {
          _: 'updates.difference', new_messages: [], new_encrypted_messages: me.queue.map((e) => e.message), other_updates: [], chats: [], users: [],
          state: { _: 'updates.state', pts: 0, qts: me.qts, date, seq: 0, unread_count: 0 },
        }
      }
      case 'upload.saveFilePart':
      case 'upload.saveBigFilePart':
        this.savePart(me, q.file_id, q.file_part, q._ === 'upload.saveBigFilePart' ? q.file_total_parts : undefined, q.bytes, now)
        return true
      case 'upload.getFile': {
        const loc = q.location
        const f = loc?._ === 'inputEncryptedFileLocation' ? this.files.get(loc.id) : undefined
        if (!f || f.accessHash !== loc.access_hash || !f.readers.has(me.key)) throw bad('LOCATION_INVALID')
        const offset = typeof q.offset === 'bigint' ? Number(q.offset) : -1
        if (!Number.isSafeInteger(offset) || offset < 0 || offset % 1024 !== 0) throw bad('OFFSET_INVALID')
        if (!Number.isInteger(q.limit) || q.limit <= 0 || q.limit % 1024 !== 0 || q.limit > MIB || Math.floor(offset / MIB) !== Math.floor((offset + q.limit - 1) / MIB)) {
          throw bad('LIMIT_INVALID')
        }
        return { _: 'upload.file', type: { _: 'storage.filePartial' }, mtime: 0, bytes: readRange(f, offset, q.limit) }
      }
    }
    throw bad('METHOD_INVALID')
  }

  // ---- users, chats --------------------------------------------------------------------------

  private register(authKeyId: bigint): User {
    const key = authKeyId.toString()
    let u = this.users.get(key)
    if (u) return u
    if (this.users.size >= this.limits.maxUsers) throw new SecretChatError('E_SECRET_USERS_FULL', 'the relay holds its maximum of users')
    const kid = new Uint8Array(8)
    new DataView(kid.buffer).setBigInt64(0, authKeyId, true)
    const derive = (tag: number): bigint => {
      const h = this.crypto.hmacSha256(this.secret, new Uint8Array([tag, ...kid]))
      return new DataView(h.buffer, h.byteOffset).getBigUint64(0, true)
    }
    // 52 bits, so that clients keeping ids in JS numbers are safe; never 0
    let id = (derive(1) & ((1n << 52n) - 1n)) || 1n
    while (this.byId.has(id)) id = (id % ((1n << 52n) - 1n)) + 1n
    const qts = 1 + (new DataView(this.crypto.randomBytes(4).buffer).getUint32(0, true) % 1_000_000)
    u = { key, authKeyId, id, accessHash: BigInt.asIntN(64, derive(2)), qts, queue: [], chats: 0 }
    this.users.set(key, u)
    this.byId.set(id, u)
    return u
  }

  private inputUser(me: User, input: TypeInputUser): User {
    if (input?._ === 'inputUserSelf') return me
    if (input?._ !== 'inputUser') throw bad('USER_ID_INVALID')
    const u = this.byId.get(input.user_id)
    if (!u || u.accessHash !== input.access_hash) throw bad('USER_ID_INVALID')
    return u
  }

  private chat(me: User, peer: TypeInputEncryptedChat): Chat {
    const c = peer?._ === 'inputEncryptedChat' ? this.chats.get(peer.chat_id) : undefined
    if (!c || c.accessHash !== peer.access_hash || (c.admin !== me && c.participant !== me)) throw bad('CHAT_ID_INVALID')
    return c
  }

  private accepted(me: User, peer: TypeInputEncryptedChat): Chat {
    const c = this.chat(me, peer)
    if (c.state === 'discarded') throw bad('ENCRYPTION_DECLINED')
    if (c.state !== 'accepted') throw bad('CHAT_ID_INVALID')
    return c
  }

  private other(c: Chat, me: User): User {
    return c.admin === me ? c.participant : c.admin
  }

  private waiting(c: Chat): TypeEncryptedChat {
    return { _: 'encryptedChatWaiting', id: c.id, access_hash: c.accessHash, date: c.date, admin_id: c.admin.id, participant_id: c.participant.id }
  }

  private encryptedChat(c: Chat, gAOrB: Uint8Array): TypeEncryptedChat {
    return {
      _: 'encryptedChat', id: c.id, access_hash: c.accessHash, date: c.date, admin_id: c.admin.id, participant_id: c.participant.id,
      g_a_or_b: gAOrB, key_fingerprint: c.fp,
    }
  }

  private checkG(g: Uint8Array, error: string): void {
    if (!(g instanceof Uint8Array) || g.length !== 256 || !this.dh.checkPublic(g, this.dhConfig.p)) throw bad(error)
  }

  private newChatId(): number {
    for (;;) {
      const id = new DataView(this.crypto.randomBytes(4).buffer).getInt32(0, true) & 0x7fffffff
      if (id !== 0 && !this.chats.has(id)) return id
    }
  }

  private randomLong(): bigint {
    return new DataView(this.crypto.randomBytes(8).buffer).getBigInt64(0, true)
  }

  // ---- files ---------------------------------------------------------------------------------

  private savePart(me: User, fileId: bigint, part: number, total: number | undefined, bytes: Uint8Array, now: number): void {
    if (!Number.isInteger(part) || part < 0 || part >= this.limits.maxParts) throw bad('FILE_PART_INVALID')
    if (total !== undefined && (!Number.isInteger(total) || total <= 0 || total > this.limits.maxParts || part >= total)) throw bad('FILE_PARTS_INVALID')
    if (!(bytes instanceof Uint8Array) || bytes.length > MAX_PART) throw bad('FILE_PART_TOO_BIG')
    if (bytes.length === 0) throw bad('FILE_PART_EMPTY')
    const key = `${me.key}:${fileId}`
    let up = this.uploads.get(key)
    if (!up) this.uploads.set(key, (up = { parts: new Map(), bytes: 0, total, at: now }))
    if (total !== undefined) {
      if (up.total !== undefined && up.total !== total) throw bad('FILE_PARTS_INVALID')
      up.total = total
    }
    const old = up.parts.get(part)
    const grow = bytes.length - (old?.length ?? 0)
    if (this.stored + grow > this.limits.maxStoredBytes) throw bad('FILE_STORAGE_FULL')
    up.parts.set(part, new Uint8Array(bytes))
    up.bytes += grow
    up.at = now
    this.stored += grow
  }

  /** The file a sendEncryptedFile refers to: assembled from an upload, or an existing one forwarded. */
  private attach(me: User, to: User, input: TypeInputEncryptedFile): TypeEncryptedFile {
    let f: StoredFile | undefined
    switch (input?._) {
      case 'inputEncryptedFile':
        f = this.files.get(input.id)
        if (!f || f.accessHash !== input.access_hash || !f.readers.has(me.key)) throw bad('FILE_ID_INVALID')
        break
      case 'inputEncryptedFileUploaded':
      case 'inputEncryptedFileBigUploaded': {
        const key = `${me.key}:${input.id}`
        const up = this.uploads.get(key)
        if (!up) throw bad('FILE_PART_0_MISSING')
        const n = input.parts
        if (!Number.isInteger(n) || n <= 0 || n > this.limits.maxParts || (up.total !== undefined && up.total !== n)) throw bad('FILE_PARTS_INVALID')
        const parts: Uint8Array[] = []
        let size = 0
        for (let i = 0; i < n; i++) {
          const p = up.parts.get(i)
          if (!p) throw bad(`FILE_PART_${i}_MISSING`)
          // api/files: every part but the last the same size, a multiple of 1 KiB dividing 512 KiB
          if (i < n - 1 && (p.length % 1024 !== 0 || MAX_PART % p.length !== 0 || p.length !== up.parts.get(0)!.length)) throw bad('FILE_PART_SIZE_INVALID')
          parts.push(p)
          size += p.length
        }
        if (up.parts.size !== n) throw bad('FILE_PARTS_INVALID')
        if (size % 16 !== 0) throw bad('FILE_PARTS_INVALID') // AES-IGE ciphertext
        if (input._ === 'inputEncryptedFileUploaded') {
          if (size > SMALL_FILE) throw bad('FILE_TOO_BIG') // big files are uploaded with saveBigFilePart
          if (input.md5_checksum !== '') {
            // at most SMALL_FILE bytes: one temporary copy
            const hex = Array.from(this.crypto.md5(concatAll(parts)), (b) => b.toString(16).padStart(2, '0')).join('')
            if (hex !== input.md5_checksum.toLowerCase()) throw bad('MD5_CHECKSUM_INVALID')
          }
        }
        this.uploads.delete(key)
        f = { id: this.newFileId(), accessHash: this.randomLong(), parts, size, fingerprint: input.key_fingerprint, readers: new Set([me.key]) }
        this.files.set(f.id, f)
        break
      }
      default:
        throw bad('FILE_EMPTY')
    }
    f.readers.add(to.key)
    return { _: 'encryptedFile', id: f.id, access_hash: f.accessHash, size: BigInt(f.size), dc_id: this.dcId, key_fingerprint: f.fingerprint }
  }

  private newFileId(): bigint {
    for (;;) {
      const id = this.randomLong()
      if (id !== 0n && !this.files.has(id)) return id
    }
  }

  /** Drops stale queued messages and uploads (at most once a second: it walks every user). */
  private expire(now: number): void {
    if (now - this.lastExpiry < 1000) return
    this.lastExpiry = now
    for (const [k, up] of this.uploads) {
      if (now - up.at > this.limits.uploadTtlMs) {
        this.stored -= up.bytes
        this.uploads.delete(k)
      }
    }
    for (const u of this.users.values()) {
      while (u.queue.length > 0 && now - u.queue[0].at > this.limits.queueTtlMs) u.queue.shift()
    }
  }

  // ---- replies -------------------------------------------------------------------------------

  private push(pushes: RelayPush[], to: User, update: TypeUpdate, date: number): void {
    const updates: TypeUpdates = { _: 'updateShort', update, date }
    pushes.push({ authKeyId: to.authKeyId, updates, bytes: serialize(updates) })
  }

  private reply(result: unknown, pushes: RelayPush[]): RelayReply {
    if (result instanceof RpcError) {
      const err = { _: 'rpc_error', error_code: result.code, error_message: result.text }
      return { result: err, bytes: serialize(err), error: { code: result.code, message: result.text }, pushes }
    }
    return { result, bytes: serialize(result), error: undefined, pushes }
  }
}

/** A request the relay answers: the methods of the api-secret schema. */
export type RelayRequest = { [K in keyof ApiSecretMethods]: ApiSecretMethods[K]['params'] }[keyof ApiSecretMethods]

function serialize(v: unknown): Uint8Array {
  const w = new TlWriter(CODEC, 256)
  if (typeof v === 'boolean') w.int(v ? ID_BOOL_TRUE : ID_BOOL_FALSE)
  else if (Array.isArray(v)) w.longs(v as bigint[])
  else w.object(v)
  return w.toBytes()
}

function readRange(f: StoredFile, offset: number, limit: number): Uint8Array {
  const end = Math.min(f.size, offset + limit)
  if (offset >= end) return new Uint8Array(0)
  const out = new Uint8Array(end - offset)
  let pos = 0
  for (const p of f.parts) {
    const s = Math.max(offset, pos)
    const e = Math.min(end, pos + p.length)
    if (s < e) out.set(p.subarray(s - pos, e - pos), s - offset)
    pos += p.length
    if (pos >= end) break
  }
  return out
}
