/**
 * Key exchange, the E2E envelope and layers: every formula against an independent computation
 * (test/secret/reference.ts: node:crypto and BigInt, no src/ code), every failed check with the
 * error it must give.
 */
import { describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/create.js'
import { SecretChatError } from '../../src/errors.js'
import { SecretChat, type SecretChatState } from '../../src/secret/chat.js'
import { secretCodec } from '../../src/tl/generated/secret.js'
import { encodeTl } from '../../src/tl/api.js'
import {
  ACCESS_HASH, big, bytes256, CHAT_ID, crypto, forge, G, keyRef, modPow, ofType, pair, PRIME, recordingDh, route, settle, text, texts,
} from './helpers.js'
import { fingerprintRef, openE2e, readLayer, visualizationRef } from './reference.js'

const USER = { _: 'inputUser', user_id: 2n, access_hash: 5n } as const
const requested = (gA: Uint8Array) =>
  ({ _: 'encryptedChatRequested', id: CHAT_ID, access_hash: ACCESS_HASH, date: 1, admin_id: 1n, participant_id: 2n, g_a: gA }) as const
const accepted = (gB: Uint8Array, fp: bigint) => ({
  _: 'updateEncryption', date: 1,
  chat: { _: 'encryptedChat', id: CHAT_ID, access_hash: ACCESS_HASH, date: 1, admin_id: 1n, participant_id: 2n, g_a_or_b: gB, key_fingerprint: fp },
}) as const

describe('key exchange', () => {
  it('both sides derive the key g^ab mod p: fingerprint and visualization match an independent computation', () => {
    const { a, b, dh, key } = pair()
    const P = big(PRIME)
    // g_a = g^a mod p, g_b = g^b mod p, as BigInt computes them
    expect(dh.pairs[0].pub).toEqual(bytes256(modPow(BigInt(G), big(dh.pairs[0].priv), P)))
    expect(dh.pairs[1].pub).toEqual(bytes256(modPow(BigInt(G), big(dh.pairs[1].priv), P)))
    expect(keyRef(dh.pairs[1], dh.pairs[0])).toEqual(key) // (g^a)^b = (g^b)^a
    const ra = ofType(a.events, 'ready')[0]
    const rb = ofType(b.events, 'ready')[0]
    expect(ra.keyFingerprint).toBe(fingerprintRef(key))
    expect(rb.keyFingerprint).toBe(fingerprintRef(key))
    expect(Buffer.from(ra.visualization)).toEqual(visualizationRef(key))
    expect(Buffer.from(rb.visualization)).toEqual(visualizationRef(key))
    expect(a.chat.visualization).toEqual(b.chat.visualization)
    expect(a.chat.originator).toBe(true)
    expect(b.chat.originator).toBe(false)
  })

  it("mixes the server's random with local entropy (XOR), never uses it raw", () => {
    const c = createCryptoSync({ random: (buf) => buf.fill(0x11) })
    const dh = recordingDh(c)
    const serverRandom = new Uint8Array(256).fill(0x22)
    SecretChat.request({ crypto: c, dh, dhConfig: { p: PRIME, g: G, random: serverRandom }, userId: USER, now: 0 })
    const priv = dh.pairs[0].priv
    expect(priv).not.toEqual(serverRandom)
    expect(priv).toEqual(new Uint8Array(256).fill(0x33))
  })

  it('a key fingerprint that differs aborts the initiator, which discards the chat', () => {
    const dh = recordingDh()
    const a = SecretChat.request({ crypto: crypto(), dh, dhConfig: { p: PRIME, g: G }, userId: USER, now: 0 })
    const [req] = a.takeOutgoing()
    const b = SecretChat.accept({ crypto: crypto(), dh, dhConfig: { p: PRIME, g: G }, chat: requested((req as { g_a: Uint8Array }).g_a), now: 0 })
    const acc = b.takeOutgoing()[0] as { g_b: Uint8Array; key_fingerprint: bigint }
    const ev = a.receive(accepted(acc.g_b, acc.key_fingerprint ^ 1n), 0)
    expect(ev.map((e) => e.type)).toEqual(['aborted'])
    expect((ev[0] as { error: SecretChatError }).error.code).toBe('E_SECRET_FINGERPRINT')
    expect(a.takeOutgoing()).toEqual([{ _: 'messages.discardEncryption', chat_id: CHAT_ID }])
    expect(a.status).toBe('closed')
    expect(() => a.send({ message: 'x' })).toThrow(SecretChatError)
  })

  it.each([
    ['1', bytes256(1n)],
    ['2', bytes256(2n)],
    ['p - 1', bytes256(big(PRIME) - 1n)],
    ['below 2^1984', bytes256((1n << 1984n) - 1n)],
    ['above p - 2^1984', bytes256(big(PRIME) - (1n << 1984n) + 1n)],
  ])('g_b = %s fails the range checks: the initiator aborts', (_, gB) => {
    const a = SecretChat.request({ crypto: crypto(), dhConfig: { p: PRIME, g: G }, userId: USER, now: 0 })
    a.takeOutgoing()
    const ev = a.receive(accepted(gB, 1n), 0)
    expect(ev.map((e) => e.type)).toEqual(['aborted'])
    expect((ev[0] as { error: SecretChatError }).error.code).toBe('E_SECRET_DH')
  })

  it('an unusable g_a gives an already aborted chat on accept', () => {
    const b = SecretChat.accept({ crypto: crypto(), dhConfig: { p: PRIME, g: G }, chat: requested(bytes256(1n)), now: 0 })
    expect(b.status).toBe('closed')
    const ev = b.takeEvents()
    expect(ev.map((e) => e.type)).toEqual(['aborted'])
    expect(b.takeOutgoing()).toEqual([{ _: 'messages.discardEncryption', chat_id: CHAT_ID }])
  })

  it('DH parameters that fail the checks throw a typed error before anything is queued', () => {
    const bad = PRIME.slice()
    bad[255] ^= 2 // still odd, no longer the prime
    for (const [p, g] of [[bad, G], [PRIME, 2], [PRIME, 9], [PRIME.subarray(1), G]] as const) {
      try {
        SecretChat.request({ crypto: crypto(), dhConfig: { p, g }, userId: USER, now: 0 })
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(SecretChatError)
        expect((e as SecretChatError).code).toBe('E_SECRET_DH_CONFIG')
      }
    }
  })

  it("the peer's first messages, arriving before the acceptance update, are processed once ready", () => {
    const a = SecretChat.request({ crypto: crypto(), dhConfig: { p: PRIME, g: G }, userId: USER, now: 0 })
    const [req] = a.takeOutgoing()
    const b = SecretChat.accept({ crypto: crypto(), dhConfig: { p: PRIME, g: G }, chat: requested((req as { g_a: Uint8Array }).g_a), now: 0 })
    b.send({ message: 'early' })
    const [acc, ...sends] = b.takeOutgoing()
    const aParty = { chat: a, events: [] as ReturnType<SecretChat['receive']>, inbox: [], requests: [] }
    route(sends, aParty as never, aParty as never)
    for (const u of aParty.inbox) expect(a.receive(u, 0)).toEqual([])
    const ev = a.receive(accepted((acc as { g_b: Uint8Array }).g_b, (acc as { key_fingerprint: bigint }).key_fingerprint), 0)
    expect(ev.map((e) => e.type)).toEqual(['ready', 'layer', 'message'])
  })

  it('a discard from the peer closes the chat and erases the keys', () => {
    const { a } = pair()
    const ev = a.chat.receive({ _: 'updateEncryption', date: 2, chat: { _: 'encryptedChatDiscarded', history_deleted: true, id: CHAT_ID } }, 0)
    expect(ev).toEqual([{ type: 'discarded', historyDeleted: true }])
    expect(a.chat.status).toBe('closed')
    expect(a.chat.keyFingerprint).toBeUndefined()
    expect(() => a.chat.send({ message: 'x' })).toThrow(expect.objectContaining({ code: 'E_SECRET_STATE' }))
  })

  it('close() queues discardEncryption', () => {
    const { a } = pair()
    a.chat.takeOutgoing()
    a.chat.close(true)
    expect(a.chat.takeOutgoing()).toEqual([{ _: 'messages.discardEncryption', delete_history: true, chat_id: CHAT_ID }])
  })

  it('input for another chat id is an error event, not processed', () => {
    const { a } = pair()
    const ev = a.chat.receive({ _: 'updateEncryptedChatTyping', chat_id: CHAT_ID + 1 }, 0)
    expect(ev.map((e) => e.type)).toEqual(['error'])
    expect(a.chat.receive({ _: 'updateEncryptedChatTyping', chat_id: CHAT_ID }, 0)).toEqual([{ type: 'typing' }])
    expect(a.chat.receive({ _: 'updateEncryptedMessagesRead', chat_id: CHAT_ID, max_date: 5, date: 6 }, 0)).toEqual([{ type: 'read', maxDate: 5, date: 6 }])
  })
})

describe('E2E envelope', () => {
  it('sends MTProto 1.0 (x = 0) until the peer announced layer ≥ 73, then 2.0 with x = 0 from the initiator and 8 from the other side', () => {
    const { a, b, key } = pair()
    // the NotifyLayer each side sent right after the key exchange: 1.0, layer 46, decryptedMessageService
    const fromB = openE2e(key, a.inbox[0].message.bytes, 0, 1)
    const fromA = openE2e(key, b.inbox[0].message.bytes, 0, 1)
    expect(() => openE2e(key, a.inbox[0].message.bytes, 8, 2)).toThrow()
    for (const [o, inSeq, outSeq] of [[fromA, 0, 1], [fromB, 1, 0]] as const) {
      const l = readLayer(o.body)
      expect(l).toEqual({ randomBytes: 15, layer: 46, inSeq, outSeq, messageId: 0x73164160 })
    }
    settle(a, b)
    a.chat.send({ message: 'from a' })
    b.chat.send({ message: 'from b' })
    const blobA = (a.chat.takeOutgoing()[0] as { data: Uint8Array }).data
    const blobB = (b.chat.takeOutgoing()[0] as { data: Uint8Array }).data
    const oa = openE2e(key, blobA, 0, 2)
    const ob = openE2e(key, blobB, 8, 2)
    expect(() => openE2e(key, blobA, 8, 2)).toThrow()
    expect(() => openE2e(key, blobB, 0, 2)).toThrow()
    // seq_no: the initiator's out_seq_no odd and in_seq_no even, the other side the opposite
    expect(readLayer(oa.body)).toMatchObject({ layer: 144, inSeq: 2, outSeq: 3, messageId: 0x91cc4674 })
    expect(readLayer(ob.body)).toMatchObject({ layer: 144, inSeq: 3, outSeq: 2, messageId: 0x91cc4674 })
    // padded to a size bucket to hide the length (64, 128, 256, 512, 1024, then multiples of 512)
    for (const o of [oa, ob]) expect([64, 128, 256, 512, 1024]).toContain(4 + o.length + o.padding)
  })

  it('decrypts messages sealed by the independent reference, both versions', () => {
    const { a, b, key } = pair()
    settle(a, b)
    // B's next raw out is 1 (its NotifyLayer was 0); it has seen A's NotifyLayer (in = 1)
    const ev = a.chat.receive(forge(key, 'b', 3, 2, text('sealed by the reference')), 0)
    expect(ev.map((e) => e.type)).toEqual(['message'])
    expect(ev[0]).toMatchObject({ type: 'message', randomId: 1n, seq: 1, after: 1, layer: 144 })
    // A's side: B receives A's messages, a 1.0 one is accepted while nothing 2.0 came from A... but A's NotifyLayer
    // was 1.0 and layer 46, so 1.0 is still allowed for B until a 2.0 message (or layer ≥ 73) arrives
    const ev2 = b.chat.receive(forge(key, 'a', 2, 3, text('1.0 from a'), { version: 1, layer: 46 }), 0)
    expect(ev2.map((e) => e.type)).toEqual(['message'])
  })

  it('after a 2.0 message, a 1.0 one with a higher seq is rejected with the uniform error', () => {
    const { a, b, key } = pair()
    settle(a, b)
    expect(b.chat.receive(forge(key, 'a', 2, 3, text('2.0')), 0).map((e) => e.type)).toEqual(['message'])
    const ev = b.chat.receive(forge(key, 'a', 2, 5, text('1.0 again'), { version: 1, layer: 46 }), 0)
    expect(ev.map((e) => e.type)).toEqual(['error'])
    expect((ev[0] as { error: { code: string } }).error.code).toBe('E_DECRYPT')
  })

  it('messages sent before the peer announced its layer use layer-46 constructors', () => {
    const { a, b } = pair()
    a.chat.send({ message: 'early', silent: true }) // A has not seen B's NotifyLayer yet
    settle(a, b)
    const m = ofType(b.events, 'message')[0]
    expect(m.message._).toBe('decryptedMessage_layer45')
    expect(m.layer).toBe(46)
    a.chat.send({ message: 'later', silent: true })
    settle(a, b)
    expect(ofType(b.events, 'message')[1].message).toMatchObject({ _: 'decryptedMessage', silent: true, message: 'later' })
  })

  it('a peer layer above ours is reported as outdated', () => {
    const { a, b, key } = pair()
    settle(a, b)
    const ev = a.chat.receive(forge(key, 'b', 3, 2, { _: 'decryptedMessageService', random_id: 3n, action: { _: 'decryptedMessageActionNotifyLayer', layer: 999 } }, { layer: 999 }), 0)
    expect(ev).toEqual([{ type: 'layer', layer: 999, outdated: true }])
    expect(a.chat.remoteLayer).toBe(999)
  })

  it('a bare layer-8 NotifyLayer raises the layer; other bare messages are dropped', () => {
    const { a, b, key } = pair()
    settle(a, b)
    const bare = (m: object) => forge(key, 'b', 0, 0, text(''), { body: encodeTl(secretCodec, m as never) })
    const ev = a.chat.receive(bare({ _: 'decryptedMessageService_layer8', random_id: 1n, random_bytes: new Uint8Array(15), action: { _: 'decryptedMessageActionNotifyLayer', layer: 150 } }), 0)
    expect(ev).toEqual([{ type: 'layer', layer: 150, outdated: true }])
    const ev2 = a.chat.receive(bare({ _: 'decryptedMessage_layer8', random_id: 1n, random_bytes: new Uint8Array(15), message: 'x', media: { _: 'decryptedMessageMediaEmpty' } }), 0)
    expect(ev2.map((e) => e.type)).toEqual(['error'])
    expect((ev2[0] as { error: { code: string } }).error.code).toBe('E_SECRET_UNWRAPPED')
  })

  it('random_bytes shorter than 15 bytes: the message is ignored', () => {
    const { a, b, key } = pair()
    settle(a, b)
    const ev = a.chat.receive(forge(key, 'b', 3, 2, text('short'), { randomBytes: 14 }), 0)
    expect(ev.map((e) => e.type)).toEqual(['error'])
    expect((ev[0] as { error: { code: string } }).error.code).toBe('E_SECRET_RANDOM_BYTES')
    expect(a.chat.receive(forge(key, 'b', 3, 2, text('long enough'), { randomBytes: 15 }), 0).map((e) => e.type)).toEqual(['message'])
  })

  it('content this schema cannot decode keeps its place in the order', () => {
    const { a, b, key } = pair()
    settle(a, b)
    const unknown = Buffer.concat([
      encodeTl(secretCodec, { _: 'decryptedMessageLayer', random_bytes: new Uint8Array(15), layer: 200, in_seq_no: 3, out_seq_no: 2, message: text('x') }).subarray(0, 32),
      Buffer.from('efbeadde00000000', 'hex'),
    ])
    const ev = a.chat.receive(forge(key, 'b', 0, 0, text(''), { body: unknown }), 0)
    expect(ev.map((e) => e.type)).toEqual(['layer', 'unsupported'])
    expect(ev[1]).toMatchObject({ seq: 1, after: 1, layer: 200 })
    expect(a.chat.receive(forge(key, 'b', 3, 4, text('next')), 0).map((e) => e.type)).toEqual(['message'])
  })
})

describe('self-destruct timers', () => {
  it('ttl of messages and the chat TTL action reach the embedder as data', () => {
    const { a, b } = pair()
    settle(a, b)
    a.chat.send({ message: 'burn', ttl: 10 })
    a.chat.send({ action: { _: 'decryptedMessageActionSetMessageTTL', ttl_seconds: 5 } })
    a.chat.send({ message: 'default ttl' })
    settle(a, b)
    const msgs = ofType(b.events, 'message')
    expect(msgs.map((m) => m.ttl)).toEqual([10, 5])
    expect(ofType(b.events, 'action').map((e) => e.action)).toEqual([{ _: 'decryptedMessageActionSetMessageTTL', ttl_seconds: 5 }])
    expect(a.chat.ttl).toBe(5)
    expect(b.chat.ttl).toBe(5)
  })

  it('actions the chat handles itself cannot be sent by the embedder', () => {
    const { a } = pair()
    expect(() => a.chat.send({ action: { _: 'decryptedMessageActionNoop' } })).toThrow(expect.objectContaining({ code: 'E_SECRET_ARGUMENT' }))
  })
})

describe('state export', () => {
  it('a chat restored from JSON carries on, also with a gap open and messages held', () => {
    const { a, b } = pair()
    settle(a, b)
    for (let i = 0; i < 3; i++) a.chat.send({ message: `m${i}` })
    settle(a, b)
    a.chat.send({ message: 'lost' })
    a.chat.takeOutgoing() // lost on the way
    a.chat.send({ message: 'held' })
    const held = a.chat.takeOutgoing()
    route(held, b, a)
    for (const u of b.inbox.splice(0)) b.events.push(...b.chat.receive(u, 0))
    expect(ofType(b.events, 'gap')).toEqual([{ type: 'gap', from: 4, to: 4 }])
    const json = JSON.parse(JSON.stringify(b.chat.exportState())) as SecretChatState
    const pending = b.chat.takeOutgoing()
    const b2 = SecretChat.restore({ crypto: crypto() }, json)
    expect(b2.takeOutgoing()).toHaveLength(pending.length)
    const aj = SecretChat.restore({ crypto: crypto() }, JSON.parse(JSON.stringify(a.chat.exportState())))
    const A = { ...a, chat: aj, events: [] as typeof a.events }
    const B = { ...b, chat: b2, events: [] as typeof b.events }
    route(pending, A, B)
    settle(A, B)
    expect(texts(B)).toEqual(['lost', 'held'])
    A.chat.send({ message: 'after restore' })
    B.chat.send({ message: 'reply' })
    settle(A, B)
    expect(texts(B)).toEqual(['lost', 'held', 'after restore'])
    expect(texts(A)).toEqual(['reply'])
  })

  it('a malformed state is refused with a typed error', () => {
    const { a } = pair()
    const s = a.chat.exportState()
    expect(() => SecretChat.restore({ crypto: crypto() }, { ...s, version: 2 } as never)).toThrow(expect.objectContaining({ code: 'E_SECRET_STATE_INVALID' }))
    expect(() => SecretChat.restore({ crypto: crypto() }, { ...s, key: { ...s.key!, key: 'AAAA' } })).toThrow(expect.objectContaining({ code: 'E_SECRET_STATE_INVALID' }))
  })
})
