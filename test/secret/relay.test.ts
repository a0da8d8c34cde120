/**
 * SecretRelay, the server side: two SecretChats open a chat, talk, re-key and send a file
 * through it byte for byte (requests encoded with the api-secret codec, replies and pushes
 * decoded from their bytes), the update queue (qts, receivedQueue, getDifference), and every
 * error and limit.
 */
import { describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { TELEGRAM_DH_G, TELEGRAM_DH_PRIME } from '../../src/auth/dh.js'
import { SecretChat, type SecretChatEvent, type SecretChatRequest } from '../../src/secret/chat.js'
import { FILE_PART_SIZE, FileDecryptor, FileEncryptor } from '../../src/secret/file.js'
import { SecretRelay, type RelayLimits, type RelayReply } from '../../src/secret/relay.js'
import { decodeTl, encodeTl } from '../../src/tl/api.js'
import { mergeCodecs } from '../../src/tl/codec.js'
import { apiSecretCodec, type TypeEncryptedChat, type TypeUpdates } from '../../src/tl/generated/api-secret.js'
import { mtprotoCodec } from '../../src/tl/generated/mtproto.js'
import { crypto, ofType } from './helpers.js'

const CODEC = mergeCodecs(mtprotoCodec, apiSecretCodec)
const KEY_A = 0x1111n
const KEY_B = -0x2222n
const KEY_C = 0x3333n

interface Client {
  key: bigint
  chat: SecretChat | undefined
  events: SecretChatEvent[]
  pushes: TypeUpdates[]
  /** Requests whose replies were errors. */
  errors: string[]
}

class World {
  now = 1_000_000
  readonly relay: SecretRelay
  readonly clients = new Map<bigint, Client>()
  constructor(limits: Partial<RelayLimits> = {}) {
    this.relay = new SecretRelay({ crypto: crypto(), limits })
    for (const key of [KEY_A, KEY_B, KEY_C]) this.clients.set(key, { key, chat: undefined, events: [], pushes: [], errors: [] })
  }

  /** One request from `key`, as bytes both ways; pushes delivered to their clients. */
  call(key: bigint, request: { _: string; [field: string]: unknown }): RelayReply {
    const reply = this.relay.handleBytes(key, encodeTl(apiSecretCodec, request as never), this.now)!
    expect(reply).toBeDefined()
    if (typeof reply.result === 'object' && reply.result !== null && !Array.isArray(reply.result)) {
      // the bytes are the result: they decode, and re-encode to themselves
      same(encodeTl(CODEC, decodeTl(CODEC, reply.bytes) as never), reply.bytes)
      same(encodeTl(CODEC, reply.result as never), reply.bytes)
    }
    for (const p of reply.pushes) {
      const c = this.clients.get(p.authKeyId)!
      const updates = decodeTl(CODEC, p.bytes) as unknown as TypeUpdates // what a client receives: the bytes
      same(encodeTl(CODEC, p.updates as never), p.bytes)
      c.pushes.push(updates)
    }
    return reply
  }

  /** Makes every client's chat requests and feeds results and pushes back, until nothing moves. */
  pump(): void {
    for (let round = 0; round < 10_000; round++) {
      let moved = false
      for (const c of this.clients.values()) {
        if (!c.chat) continue
        for (const q of c.chat.takeOutgoing()) {
          moved = true
          const reply = this.call(c.key, q as SecretChatRequest & { [field: string]: unknown })
          if (reply.error) c.errors.push(`${q._}: ${reply.error.message}`)
          else if (q._ === 'messages.requestEncryption' || q._ === 'messages.acceptEncryption') {
            c.events.push(...c.chat.receive(reply.result as TypeEncryptedChat, this.now))
          }
        }
      }
      for (const c of this.clients.values()) {
        for (const u of c.pushes.splice(0)) {
          moved = true
          if (u._ !== 'updateShort') throw new Error('expected updateShort')
          if (u.update._ === 'updateEncryption' && u.update.chat._ === 'encryptedChatRequested') {
            // the user agrees: accept with the DH config the relay hands out
            const cfg = this.call(c.key, { _: 'messages.getDhConfig', version: 0, random_length: 256 }).result as { g: number; p: Uint8Array; random: Uint8Array }
            c.chat = SecretChat.accept({ crypto: crypto(), dhConfig: cfg, chat: u.update.chat, now: this.now })
            c.events.push(...c.chat.takeEvents())
          } else c.events.push(...c.chat!.receive(u.update, this.now))
        }
      }
      if (!moved) return
    }
    throw new Error('pump: no quiescence')
  }

  client(key: bigint): Client {
    return this.clients.get(key)!
  }

  /** A asks B for a chat; both ready. */
  open(): { a: Client; b: Client } {
    const a = this.client(KEY_A)
    const b = this.client(KEY_B)
    this.relay.user(KEY_B)
    const cfg = this.call(KEY_A, { _: 'messages.getDhConfig', version: 0, random_length: 256 }).result as { g: number; p: Uint8Array; random: Uint8Array }
    const peer = this.relay.user(KEY_B)
    a.chat = SecretChat.request({ crypto: crypto(), dhConfig: cfg, userId: { _: 'inputUser', user_id: peer.id, access_hash: peer.accessHash }, now: this.now })
    this.pump()
    return { a, b }
  }
}

const same = (a: Uint8Array, b: Uint8Array): void => expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0)
const texts = (c: Client): string[] => ofType(c.events, 'message').map((e) => (e.message as { message: string }).message)
const err = (r: RelayReply): string | undefined => r.error?.message

describe('SecretRelay: two clients through the relay', () => {
  it('open a chat, exchange a few hundred messages, re-key, and agree on the key and its visualization', () => {
    const w = new World()
    const { a, b } = w.open()
    expect(ofType(a.events, 'ready')).toHaveLength(1)
    expect(ofType(b.events, 'ready')).toHaveLength(1)
    const sentA: string[] = []
    const sentB: string[] = []
    for (let i = 0; i < 300; i++) {
      const [c, list] = i % 3 === 0 ? [b, sentB] : [a, sentA]
      list.push(`message ${i}`)
      c.chat!.send({ message: list[list.length - 1] })
      if (i % 7 === 0) w.pump()
      w.now += 1000
    }
    w.pump()
    expect(texts(b)).toEqual(sentA)
    expect(texts(a)).toEqual(sentB)
    expect(ofType(a.events, 'rekeyed').length).toBeGreaterThanOrEqual(2) // every ~100 messages
    expect(ofType(b.events, 'rekeyed').length).toBe(ofType(a.events, 'rekeyed').length)
    expect(a.chat!.keyFingerprint).toBe(b.chat!.keyFingerprint)
    expect(a.chat!.visualization).toEqual(b.chat!.visualization)
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('an encrypted file in 512 KiB parts: uploaded, announced, downloaded and decrypted with its checks', () => {
    const w = new World()
    const { a, b } = w.open()
    const file = new Uint8Array(randomBytes(2 * FILE_PART_SIZE + 12345))
    const enc = new FileEncryptor(crypto())
    const md5 = createHash('md5') // of the ciphertext, for inputEncryptedFileUploaded.md5_checksum (the relay checks it)
    const fileId = 0x5eedn
    let part = 0
    for (let off = 0; off < file.length; off += FILE_PART_SIZE, part++) {
      const chunk = file.subarray(off, Math.min(file.length, off + FILE_PART_SIZE))
      const ct = off + FILE_PART_SIZE >= file.length ? enc.final(chunk) : enc.update(chunk)
      md5.update(ct)
      expect(w.call(KEY_A, { _: 'upload.saveFilePart', file_id: fileId, file_part: part, bytes: ct }).result).toBe(true)
    }
    a.chat!.send({
      message: 'a file',
      media: {
        _: 'decryptedMessageMediaDocument', thumb: new Uint8Array(0), thumb_w: 0, thumb_h: 0, mime_type: 'application/octet-stream',
        size: BigInt(file.length), key: enc.key, iv: enc.iv, attributes: [{ _: 'documentAttributeFilename', file_name: 'x.bin' }], caption: '',
      },
      file: { _: 'inputEncryptedFileUploaded', id: fileId, parts: part, md5_checksum: md5.digest('hex'), key_fingerprint: enc.fingerprint },
    })
    w.pump()
    expect(a.errors).toEqual([])
    const m = ofType(b.events, 'message').at(-1)!
    const media = (m.message as { media: { key: Uint8Array; iv: Uint8Array; size: bigint } }).media
    const f = m.file!
    if (f._ !== 'encryptedFile') throw new Error('no file')
    expect(f.size).toBe(BigInt(Math.ceil(file.length / 16) * 16))
    const dec = new FileDecryptor(crypto(), { key: media.key, iv: media.iv, size: media.size, fingerprint: f.key_fingerprint, encryptedSize: f.size })
    const got: Uint8Array[] = []
    for (let off = 0; off < Number(f.size); off += FILE_PART_SIZE) {
      const r = w.call(KEY_B, { _: 'upload.getFile', location: { _: 'inputEncryptedFileLocation', id: f.id, access_hash: f.access_hash }, offset: BigInt(off), limit: FILE_PART_SIZE })
      got.push(dec.update((r.result as { bytes: Uint8Array }).bytes).slice())
    }
    dec.final()
    expect(Buffer.compare(Buffer.concat(got), Buffer.from(file))).toBe(0)
    // a third user may not download it; the file can be forwarded by its owners
    expect(err(w.call(KEY_C, { _: 'upload.getFile', location: { _: 'inputEncryptedFileLocation', id: f.id, access_hash: f.access_hash }, offset: 0n, limit: 1024 }))).toBe('LOCATION_INVALID')
    b.chat!.send({ message: 'forwarded', media: m.message._ === 'decryptedMessage' ? m.message.media : undefined, file: { _: 'inputEncryptedFile', id: f.id, access_hash: f.access_hash } })
    w.pump()
    expect(b.errors).toEqual([])
    expect(ofType(a.events, 'message').at(-1)!.file).toEqual(f)
  })

  it('the update queue: qts +1 per message, receivedQueue and getDifference acknowledge, getDifference returns the rest', () => {
    const w = new World()
    const { a, b } = w.open()
    const state0 = w.call(KEY_B, { _: 'updates.getState' }).result as { qts: number }
    const qtsSeen: number[] = []
    const orig = w.call.bind(w)
    w.call = (key, req) => {
      const r = orig(key, req)
      for (const p of r.pushes) if (p.updates._ === 'updateShort' && p.updates.update._ === 'updateNewEncryptedMessage' && p.authKeyId === KEY_B) qtsSeen.push(p.updates.update.qts)
      return r
    }
    for (let i = 0; i < 5; i++) a.chat!.send({ message: `q${i}` })
    w.pump()
    expect(qtsSeen).toEqual([1, 2, 3, 4, 5].map((i) => state0.qts + i))
    const diff = w.call(KEY_B, { _: 'updates.getDifference', pts: 0, date: 0, qts: state0.qts + 2 }).result as { _: string; new_encrypted_messages: { random_id: bigint }[]; state: { qts: number } }
    expect(diff._).toBe('updates.difference')
    expect(diff.new_encrypted_messages).toHaveLength(3)
    expect(diff.state.qts).toBe(state0.qts + 5)
    const acked = w.call(KEY_B, { _: 'messages.receivedQueue', max_qts: state0.qts + 4 })
    expect((acked.result as bigint[]).length).toBe(2)
    expect(acked.bytes.subarray(0, 4)).toEqual(Uint8Array.of(0x15, 0xc4, 0xb5, 0x1c)) // Vector<long>
    expect((w.call(KEY_B, { _: 'updates.getDifference', pts: 0, date: 0, qts: state0.qts + 5 }).result as { _: string })._).toBe('updates.differenceEmpty')
    void b
  })

  it('read receipts, typing and discard reach the other side', () => {
    const w = new World()
    const { a, b } = w.open()
    const peer = { _: 'inputEncryptedChat', chat_id: a.chat!.id, access_hash: a.chat!.exportState().accessHash } as const
    const input = { ...peer, access_hash: BigInt(peer.access_hash) }
    expect(w.call(KEY_B, { _: 'messages.readEncryptedHistory', peer: input, max_date: 77 }).result).toBe(true)
    expect(w.call(KEY_B, { _: 'messages.setEncryptedTyping', peer: input, typing: true }).result).toBe(true)
    w.pump()
    expect(a.events.slice(-2).map((e) => e.type)).toEqual(['read', 'typing'])
    b.chat!.close()
    w.pump()
    expect(a.events.at(-1)).toEqual({ type: 'discarded', historyDeleted: false })
    expect(err(w.call(KEY_A, { _: 'messages.sendEncrypted', peer: input, random_id: 1n, data: new Uint8Array(40) }))).toBe('ENCRYPTION_DECLINED')
  })
})

describe('SecretRelay: users, errors and limits', () => {
  it('users: derived from the auth key with the relay secret, stable, 52-bit ids', () => {
    const secret = new Uint8Array(32).fill(9)
    const r1 = new SecretRelay({ crypto: crypto(), secret })
    const r2 = new SecretRelay({ crypto: crypto(), secret })
    const r3 = new SecretRelay({ crypto: crypto() })
    const u = r1.user(KEY_A)
    expect(r1.user(KEY_A)).toEqual(u)
    expect(r2.user(KEY_A)).toEqual(u)
    expect(r3.user(KEY_A).id).not.toBe(u.id)
    expect(u.id > 0n && u.id < 1n << 52n).toBe(true)
    expect(r1.user(KEY_B).id).not.toBe(u.id)
  })

  it('getDhConfig: the prime, g, a fresh random; dhConfigNotModified for the current version', () => {
    const w = new World()
    const c = w.call(KEY_A, { _: 'messages.getDhConfig', version: 0, random_length: 100 }).result as { _: string; p: Uint8Array; g: number; random: Uint8Array; version: number }
    expect(c._).toBe('messages.dhConfig')
    expect(c.p).toEqual(TELEGRAM_DH_PRIME)
    expect(c.g).toBe(TELEGRAM_DH_G)
    expect(c.random).toHaveLength(100)
    const n = w.call(KEY_A, { _: 'messages.getDhConfig', version: c.version, random_length: 16 }).result as { _: string; random: Uint8Array }
    expect(n._).toBe('messages.dhConfigNotModified')
    expect(n.random).toHaveLength(16)
    expect(err(w.call(KEY_A, { _: 'messages.getDhConfig', version: 0, random_length: 100_000 }))).toBe('RANDOM_LENGTH_INVALID')
  })

  it('every refused request is an rpc_error with the documented name', () => {
    const w = new World()
    const ub = w.relay.user(KEY_B)
    const good = new Uint8Array(256).fill(0x5a)
    const req = (user: object, gA = good, id = 1) => ({ _: 'messages.requestEncryption', user_id: user, random_id: id, g_a: gA })
    expect(err(w.call(KEY_A, req({ _: 'inputUser', user_id: ub.id, access_hash: ub.accessHash ^ 1n })))).toBe('USER_ID_INVALID')
    expect(err(w.call(KEY_A, req({ _: 'inputUser', user_id: 12345n, access_hash: 0n })))).toBe('USER_ID_INVALID')
    expect(err(w.call(KEY_A, req({ _: 'inputUserSelf' })))).toBe('USER_ID_INVALID')
    expect(err(w.call(KEY_A, req({ _: 'inputUser', user_id: ub.id, access_hash: ub.accessHash }, new Uint8Array(256))))).toBe('DH_G_A_INVALID')
    const waiting = w.call(KEY_A, req({ _: 'inputUser', user_id: ub.id, access_hash: ub.accessHash })).result as { id: number; access_hash: bigint }
    // the same request again (same random_id): the same chat, no second push
    const again = w.call(KEY_A, req({ _: 'inputUser', user_id: ub.id, access_hash: ub.accessHash }))
    expect((again.result as { id: number }).id).toBe(waiting.id)
    expect(again.pushes).toEqual([])
    const peer = { _: 'inputEncryptedChat', chat_id: waiting.id, access_hash: waiting.access_hash } as const
    const send = (key: bigint, data = new Uint8Array(40), randomId = 1n, p: object = peer) => w.call(key, { _: 'messages.sendEncrypted', peer: p, random_id: randomId, data })
    expect(err(send(KEY_A))).toBe('CHAT_ID_INVALID') // not accepted yet
    const accept = (key: bigint, gB = good) => w.call(key, { _: 'messages.acceptEncryption', peer, g_b: gB, key_fingerprint: 5n })
    expect(err(accept(KEY_A))).toBe('CHAT_ID_INVALID') // the initiator cannot accept
    expect(err(accept(KEY_C))).toBe('CHAT_ID_INVALID')
    expect(err(accept(KEY_B, new Uint8Array(255)))).toBe('DH_G_B_INVALID')
    expect(err(accept(KEY_B))).toBeUndefined()
    expect(err(accept(KEY_B))).toBe('ENCRYPTION_ALREADY_ACCEPTED')
    expect(err(send(KEY_C))).toBe('CHAT_ID_INVALID') // not a participant
    expect(err(send(KEY_A, new Uint8Array(40), 1n, { ...peer, access_hash: 0n }))).toBe('CHAT_ID_INVALID')
    for (const n of [0, 39, 41, 50]) expect(err(send(KEY_A, new Uint8Array(n)))).toBe('DATA_INVALID') // 8 + 16 + 16k, k ≥ 1
    const first = send(KEY_A, new Uint8Array(40), 77n)
    expect(first.pushes).toHaveLength(1)
    const dup = send(KEY_A, new Uint8Array(72), 77n) // a repeated random_id: the first answer, not delivered again
    expect(dup.result).toEqual(first.result)
    expect(dup.pushes).toEqual([])
    const file = (f: object) => w.call(KEY_A, { _: 'messages.sendEncryptedFile', peer, random_id: 9n, data: new Uint8Array(40), file: f })
    expect(err(file({ _: 'inputEncryptedFileEmpty' }))).toBe('FILE_EMPTY')
    expect(err(file({ _: 'inputEncryptedFile', id: 1n, access_hash: 1n }))).toBe('FILE_ID_INVALID')
    expect(err(file({ _: 'inputEncryptedFileUploaded', id: 5n, parts: 1, md5_checksum: '', key_fingerprint: 0 }))).toBe('FILE_PART_0_MISSING')
    const save = (id: bigint, part: number, bytes: Uint8Array) => w.call(KEY_A, { _: 'upload.saveFilePart', file_id: id, file_part: part, bytes })
    expect(err(save(5n, 0, new Uint8Array(1024)))).toBeUndefined()
    expect(err(file({ _: 'inputEncryptedFileUploaded', id: 5n, parts: 2, md5_checksum: '', key_fingerprint: 0 }))).toBe('FILE_PART_1_MISSING')
    expect(err(file({ _: 'inputEncryptedFileUploaded', id: 5n, parts: 1, md5_checksum: '00'.repeat(16), key_fingerprint: 0 }))).toBe('MD5_CHECKSUM_INVALID')
    expect(err(save(6n, 0, new Uint8Array(FILE_PART_SIZE + 16)))).toBe('FILE_PART_TOO_BIG')
    expect(err(save(6n, 4000, new Uint8Array(16)))).toBe('FILE_PART_INVALID')
    expect(err(save(6n, -1, new Uint8Array(16)))).toBe('FILE_PART_INVALID')
    expect(err(save(6n, 0, new Uint8Array(1000)))).toBeUndefined()
    expect(err(save(6n, 1, new Uint8Array(16)))).toBeUndefined()
    expect(err(file({ _: 'inputEncryptedFileUploaded', id: 6n, parts: 2, md5_checksum: '', key_fingerprint: 0 }))).toBe('FILE_PART_SIZE_INVALID')
    const get = (limit: number, offset = 0n) => w.call(KEY_A, { _: 'upload.getFile', location: { _: 'inputEncryptedFileLocation', id: 1n, access_hash: 1n }, offset, limit })
    expect(err(get(1024))).toBe('LOCATION_INVALID')
    expect(err(w.call(KEY_A, { _: 'messages.discardEncryption', chat_id: waiting.id + 1 }))).toBe('CHAT_ID_INVALID')
    expect(w.call(KEY_B, { _: 'messages.discardEncryption', chat_id: waiting.id }).result).toBe(true)
    expect(err(w.call(KEY_A, { _: 'messages.discardEncryption', chat_id: waiting.id }))).toBe('ENCRYPTION_ALREADY_DECLINED')
    // bytes that are not a request of this schema, and a request that does not decode
    expect(w.relay.handleBytes(KEY_A, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), w.now)).toBeUndefined()
    expect(w.relay.handleBytes(KEY_A, encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n }), w.now)).toBeUndefined()
    const truncated = encodeTl(apiSecretCodec, { _: 'messages.sendEncrypted', peer, random_id: 1n, data: new Uint8Array(40) }).subarray(0, 20)
    expect(err(w.relay.handleBytes(KEY_A, truncated, w.now)!)).toBe('INPUT_REQUEST_INVALID')
    expect(w.relay.handles('messages.sendEncrypted')).toBe(true)
    expect(w.relay.handles('messages.sendMessage')).toBe(false)
  })

  it('big files: saveBigFilePart with the total, inputEncryptedFileBigUploaded (no MD5)', () => {
    const w = new World()
    const { a, b } = w.open()
    const big = (part: number, total: number, bytes: Uint8Array) => w.call(KEY_A, { _: 'upload.saveBigFilePart', file_id: 7n, file_part: part, file_total_parts: total, bytes })
    expect(err(big(0, 3, new Uint8Array(FILE_PART_SIZE)))).toBeUndefined()
    expect(err(big(1, 4, new Uint8Array(FILE_PART_SIZE)))).toBe('FILE_PARTS_INVALID') // the total changed
    expect(err(big(3, 3, new Uint8Array(16)))).toBe('FILE_PARTS_INVALID') // beyond the total
    expect(err(big(1, 3, new Uint8Array(FILE_PART_SIZE)))).toBeUndefined()
    expect(err(big(2, 3, new Uint8Array(32)))).toBeUndefined()
    a.chat!.send({ message: 'big', file: { _: 'inputEncryptedFileBigUploaded', id: 7n, parts: 3, key_fingerprint: 5 } })
    w.pump()
    expect(a.errors).toEqual([])
    expect(ofType(b.events, 'message').at(-1)!.file).toMatchObject({ _: 'encryptedFile', size: BigInt(2 * FILE_PART_SIZE + 32), key_fingerprint: 5 })
  })

  it('getFile checks offset and limit as upload.getFile does', () => {
    const w = new World()
    const { a, b } = w.open()
    w.call(KEY_A, { _: 'upload.saveFilePart', file_id: 1n, file_part: 0, bytes: new Uint8Array(2048) })
    a.chat!.send({ message: 'f', file: { _: 'inputEncryptedFileUploaded', id: 1n, parts: 1, md5_checksum: '', key_fingerprint: 0 } })
    w.pump()
    const f = ofType(b.events, 'message').at(-1)!.file as { id: bigint; access_hash: bigint }
    const get = (offset: bigint, limit: number) => w.call(KEY_B, { _: 'upload.getFile', location: { _: 'inputEncryptedFileLocation', id: f.id, access_hash: f.access_hash }, offset, limit })
    expect((get(0n, 1024).result as { bytes: Uint8Array }).bytes).toHaveLength(1024)
    expect((get(1024n, 4096).result as { bytes: Uint8Array }).bytes).toHaveLength(1024)
    expect((get(4096n, 4096).result as { bytes: Uint8Array }).bytes).toHaveLength(0)
    expect(err(get(1n, 1024))).toBe('OFFSET_INVALID')
    expect(err(get(-1024n, 1024))).toBe('OFFSET_INVALID')
    expect(err(get(0n, 1000))).toBe('LIMIT_INVALID')
    expect(err(get(0n, 2 << 20))).toBe('LIMIT_INVALID')
    expect(err(get(BigInt(1 << 20) - 1024n, 4096))).toBe('LIMIT_INVALID') // crosses a 1 MiB boundary
  })

  it('bounded: stored file bytes, chats per user, queued updates (count and age)', () => {
    const w = new World({ maxStoredBytes: 4096, maxChatsPerUser: 1, maxQueue: 3, queueTtlMs: 60_000 })
    expect(err(w.call(KEY_A, { _: 'upload.saveFilePart', file_id: 1n, file_part: 0, bytes: new Uint8Array(4096) }))).toBeUndefined()
    expect(err(w.call(KEY_A, { _: 'upload.saveFilePart', file_id: 2n, file_part: 0, bytes: new Uint8Array(16) }))).toBe('FILE_STORAGE_FULL')
    const { a } = w.open()
    const uc = w.relay.user(KEY_C)
    expect(err(w.call(KEY_A, { _: 'messages.requestEncryption', user_id: { _: 'inputUser', user_id: uc.id, access_hash: uc.accessHash }, random_id: 5, g_a: new Uint8Array(256).fill(0x5a) }))).toBe('CHATS_TOO_MUCH')
    const q0 = (w.call(KEY_B, { _: 'updates.getState' }).result as { qts: number }).qts
    for (let i = 0; i < 5; i++) a.chat!.send({ message: `${i}` })
    w.pump()
    const d = w.call(KEY_B, { _: 'updates.getDifference', pts: 0, date: 0, qts: 0 }).result as { new_encrypted_messages: unknown[] }
    expect(d.new_encrypted_messages).toHaveLength(3) // the oldest dropped
    w.now += 60_001
    expect((w.call(KEY_B, { _: 'updates.getDifference', pts: 0, date: 0, qts: q0 }).result as { _: string })._).toBe('updates.differenceEmpty')
    // an unfinished upload is dropped after uploadTtlMs (default 1 h), freeing its bytes
    w.now += 3600_001
    expect(err(w.call(KEY_A, { _: 'upload.saveFilePart', file_id: 2n, file_part: 0, bytes: new Uint8Array(16) }))).toBeUndefined()
  })
})
