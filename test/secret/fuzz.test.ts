/**
 * Anything the peer or the server sends is an event, never an exception: tampered bytes
 * anywhere in a blob, replays, random and mutated inputs, and random authenticated content
 * (sealed with the real key, so that it gets past decryption). Bounded in time: no hang.
 */
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { SecurityError } from '../../src/errors.js'
import { SecretChat, type SecretChatEvent, type SecretChatInput } from '../../src/secret/chat.js'
import { encodeTl, gzipPacked } from '../../src/tl/api.js'
import { secretCodec, type TypeDecryptedMessageAction } from '../../src/tl/generated/secret.js'
import { CHAT_ID, crypto, ofType, pair, type Party, route, settle, text, texts } from './helpers.js'
import { sealE2e } from './reference.js'

/** mulberry32 */
function rng(seed: number): () => number {
  let t = seed >>> 0
  return () => {
    t = (t + 0x6d2b79f5) >>> 0
    let x = Math.imul(t ^ (t >>> 15), 1 | t)
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const ALLOWED = new Set<SecretChatEvent['type']>(['error', 'aborted', 'unsupported', 'message', 'action', 'layer', 'gap', 'resent', 'rekeyAborted', 'rekeyed', 'keyDiscarded', 'read', 'typing', 'discarded'])

/** Feeds `input` and checks that only events come out (never an exception) within a time bound. */
function feed(chat: SecretChat, input: unknown): SecretChatEvent[] {
  const t = performance.now()
  const ev = chat.receive(input as SecretChatInput, 0)
  expect(performance.now() - t).toBeLessThan(1000)
  for (const e of ev) expect(ALLOWED.has(e.type)).toBe(true)
  return ev
}

function settled(): { a: Party; b: Party; key: Uint8Array } {
  const p = pair()
  settle(p.a, p.b)
  return p
}

describe('tampering and replay', () => {
  it('a tampered byte anywhere in a blob: the uniform SecurityError, nothing else, and the chat goes on', () => {
    const { a, b } = settled()
    b.chat.send({ message: 'x'.repeat(200) })
    const [req] = b.chat.takeOutgoing() as { data: Uint8Array; random_id: bigint }[]
    const messages: string[] = []
    for (let i = 0; i < req.data.length; i++) {
      const data = req.data.slice()
      data[i] ^= 1 + (i % 255)
      const ev = feed(a.chat, { _: 'encryptedMessage', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes: data, file: { _: 'encryptedFileEmpty' } })
      expect(ev).toHaveLength(1)
      expect(ev[0].type).toBe('error')
      const err = (ev[0] as { error: SecurityError }).error
      expect(err).toBeInstanceOf(SecurityError)
      messages.push(`${err.code}: ${err.message}`)
    }
    expect(new Set(messages)).toEqual(new Set(['E_DECRYPT: message decryption failed'])) // no oracle
    for (const cut of [0, 8, 23, 24, 39, req.data.length - 1]) {
      const ev = feed(a.chat, { _: 'encryptedMessage', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes: req.data.subarray(0, cut), file: { _: 'encryptedFileEmpty' } })
      expect(ev.map((e) => e.type)).toEqual(['error'])
    }
    expect(a.chat.status).toBe('ready')
    expect(feed(a.chat, { _: 'encryptedMessage', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes: req.data, file: { _: 'encryptedFileEmpty' } }).map((e) => e.type)).toEqual(['message'])
  })

  it('a replayed message is dropped, even long after and across a re-keying', () => {
    const { a, b } = settled()
    b.chat.send({ message: 'first' })
    route(b.chat.takeOutgoing(), a, b)
    const old = a.inbox[0]
    settle(a, b)
    for (let i = 0; i < 20; i++) {
      ;(i % 2 ? a : b).chat.send({ message: `m${i}` })
      settle(a, b)
    }
    a.chat.startRekey()
    settle(a, b)
    for (let i = 0; i < 4; i++) {
      ;(i % 2 ? a : b).chat.send({ message: `n${i}` })
      settle(a, b)
    }
    expect(ofType(a.events, 'keyDiscarded')).toHaveLength(1)
    const before = texts(a).length
    expect(feed(a.chat, old)).toEqual([]) // under the erased key: dropped quietly as the repeat it is
    expect(texts(a)).toHaveLength(before)
  })
})

describe('fuzz', () => {
  it('random and malformed inputs: error events only, the chat stays usable', () => {
    const { a, b } = settled()
    const r = rng(7)
    const inputs: unknown[] = [
      null, undefined, 42, 'x', [], {}, { _: 'nope' }, { _: 'updateNewEncryptedMessage' }, { _: 'updateNewEncryptedMessage', message: null },
      { _: 'encryptedMessage', chat_id: CHAT_ID, bytes: 'not bytes' }, { _: 'updateEncryption' }, { _: 'updateEncryption', chat: 5 },
      { _: 'encryptedChat', id: CHAT_ID + 1 }, { _: 'encryptedMessageService', chat_id: CHAT_ID + 1, bytes: new Uint8Array(64) },
    ]
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(r() * 300)
      const bytes = new Uint8Array(randomBytes(n))
      if (r() < 0.3 && n >= 8) new DataView(bytes.buffer).setBigInt64(0, a.chat.keyFingerprint!, true) // our fingerprint in front
      inputs.push({ _: r() < 0.5 ? 'encryptedMessage' : 'encryptedMessageService', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes, file: { _: 'encryptedFileEmpty' } })
    }
    for (const input of inputs) {
      for (const e of feed(a.chat, input)) expect(e.type).toBe('error')
    }
    expect(a.chat.status).toBe('ready')
    b.chat.send({ message: 'still fine' })
    settle(a, b)
    expect(texts(a)).toEqual(['still fine'])
  })

  it('random authenticated content (sealed with the real key): only events, at most one abort', () => {
    const { a, key } = settled()
    const snapshot = JSON.stringify(a.chat.exportState())
    const r = rng(11)
    const valid = encodeTl(secretCodec, {
      _: 'decryptedMessageLayer', random_bytes: new Uint8Array(15), layer: 144, in_seq_no: 3, out_seq_no: 2,
      message: { _: 'decryptedMessage', random_id: 5n, ttl: 0, message: 'hello', entities: [{ _: 'messageEntityBold', offset: 0, length: 5 }] },
    })
    const counts: Record<string, number> = {}
    for (let i = 0; i < 1500; i++) {
      const chat = SecretChat.restore({ crypto: crypto() }, JSON.parse(snapshot))
      let body: Uint8Array
      const kind = r()
      if (kind < 0.3) body = new Uint8Array(randomBytes(Math.floor(r() * 200)))
      else if (kind < 0.8) {
        body = Uint8Array.from(valid)
        const flips = 1 + Math.floor(r() * 4)
        for (let f = 0; f < flips; f++) body[Math.floor(r() * body.length)] = Math.floor(r() * 256)
        if (r() < 0.2) body = body.subarray(0, Math.floor(r() * body.length))
      } else {
        // valid wrappers around random seq numbers, layers and actions
        const seq = (): number => Math.floor(r() * 12) - 2
        const actions: TypeDecryptedMessageAction[] = [
          { _: 'decryptedMessageActionResend', start_seq_no: seq(), end_seq_no: seq() },
          { _: 'decryptedMessageActionNotifyLayer', layer: Math.floor(r() * 300) - 10 },
          { _: 'decryptedMessageActionCommitKey', exchange_id: 5n, key_fingerprint: 6n },
          { _: 'decryptedMessageActionAcceptKey', exchange_id: 5n, g_b: new Uint8Array(randomBytes(256)), key_fingerprint: 6n },
          { _: 'decryptedMessageActionRequestKey', exchange_id: BigInt(Math.floor(r() * 1e9)), g_a: new Uint8Array(randomBytes(256)) },
          { _: 'decryptedMessageActionAbortKey', exchange_id: 5n },
          { _: 'decryptedMessageActionNoop' },
        ]
        body = encodeTl(secretCodec, {
          _: 'decryptedMessageLayer', random_bytes: new Uint8Array(15 + Math.floor(r() * 3) - 1), layer: Math.floor(r() * 200),
          in_seq_no: seq(), out_seq_no: seq(),
          message: { _: 'decryptedMessageService', random_id: 9n, action: actions[Math.floor(r() * actions.length)] },
        })
      }
      const blob = sealE2e(key, body, 8, r() < 0.8 ? 2 : 1)
      const ev = feed(chat, { _: 'encryptedMessageService', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes: blob })
      for (const e of ev) counts[e.type] = (counts[e.type] ?? 0) + 1
      expect(ev.filter((e) => e.type === 'aborted').length).toBeLessThanOrEqual(1)
      // after an abort the chat is closed and takes nothing more
      if (chat.status === 'closed') expect(chat.receive({ _: 'encryptedMessageService', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes: blob }, 0)).toEqual([])
    }
    // the generator reached each kind of outcome
    for (const t of ['error', 'aborted', 'message', 'unsupported']) expect(counts[t] ?? 0).toBeGreaterThan(0)
  })

  it('a gzip bomb inside authenticated content is bounded: the message is unsupported, not inflated', () => {
    const { a, key } = settled()
    const huge = new Uint8Array(8 << 20) // 8 MiB of zeros: ~8 KiB packed
    const packed = gzipPacked(encodeTl(secretCodec, { _: 'decryptedMessage', random_id: 1n, ttl: 0, message: Buffer.from(huge).toString('latin1').slice(0, 4 << 20) }), 0)
    const body = Buffer.concat([
      encodeTl(secretCodec, { _: 'decryptedMessageLayer', random_bytes: new Uint8Array(15), layer: 144, in_seq_no: 3, out_seq_no: 2, message: text('') }).subarray(0, 32),
      packed,
    ])
    const ev = feed(a.chat, { _: 'encryptedMessageService', random_id: 1n, chat_id: CHAT_ID, date: 1, bytes: sealE2e(key, body, 8, 2) })
    expect(ev.map((e) => e.type)).toEqual(['unsupported'])
    expect((ev[0] as { error: { code: string } }).error.code).toBe('E_TL_GZIP_TOO_LARGE')
    expect(a.chat.status).toBe('ready')
  })
})
