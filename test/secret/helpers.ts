/**
 * Fixtures for the secret-chat tests: the project's DH with the key pairs recorded, a BigInt
 * modexp for independent checks, and a two-party harness that turns one chat's requests into the
 * other's updates the way the server would.
 */
// the Node entry point, as Node users get it: node:crypto as the CSPRNG (Node 18 has no
// globalThis.crypto) and for large messages and modexp
import { createCryptoSync } from '../../src/node/index.js'
import type { Crypto } from '../../src/crypto/types.js'
import { SecretChat, type SecretChatEvent, type SecretChatOptions, type SecretChatRequest } from '../../src/secret/chat.js'
import { handshakeDh, type SecretDh } from '../../src/secret/dh.js'
import type { RawUpdateNewEncryptedMessage } from '../../src/tl/generated/api-secret.js'
import { secretCodec, type TypeDecryptedMessage } from '../../src/tl/generated/secret.js'
import { encodeTl } from '../../src/tl/api.js'
import { sealE2e } from './reference.js'
import { hex, samplesAuthKey } from '../vectors/samples-auth-key.js'

/** Telegram's 2048-bit DH prime (from the official auth-key sample) and its generator there. */
export const PRIME = hex(samplesAuthKey.dhPrime)
export const G = 3

export const big = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex')))
export function bytes256(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(512, '0'), 'hex'))
}
export function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n
  b %= m
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return r
}

/**
 * The project's DH (src/auth/dh.ts through `handshakeDh`) with every key pair recorded, so a
 * test can recompute each key on its own with BigInt.
 */
export function recordingDh(c: Crypto = crypto()): SecretDh & { pairs: { priv: Uint8Array; pub: Uint8Array }[] } {
  const inner = handshakeDh(c)
  const pairs: { priv: Uint8Array; pub: Uint8Array }[] = []
  return {
    pairs,
    checkConfig: (p, g) => inner.checkConfig(p, g),
    checkPublic: (v, p) => inner.checkPublic(v, p),
    keyPair(p, g, r) {
      const k = inner.keyPair(p, g, r)
      pairs.push({ priv: k.priv.slice(), pub: k.pub.slice() })
      return k
    },
    shared: (pub, priv, p) => inner.shared(pub, priv, p),
  }
}

/** The shared key of two recorded key pairs, computed here with BigInt: (g^b)^a mod p. */
export function keyRef(a: { priv: Uint8Array }, b: { pub: Uint8Array }): Uint8Array {
  return bytes256(modPow(big(b.pub), big(a.priv), big(PRIME)))
}

let sharedCrypto: Crypto | undefined
export function crypto(): Crypto {
  return (sharedCrypto ??= createCryptoSync())
}

/** The update the server would push to the other side for one of a chat's send requests. */
export function toUpdate(r: SecretChatRequest, date = 1): RawUpdateNewEncryptedMessage | undefined {
  switch (r._) {
    case 'messages.sendEncrypted':
    case 'messages.sendEncryptedFile':
      return {
        _: 'updateNewEncryptedMessage', qts: 0,
        message: {
          _: 'encryptedMessage', random_id: r.random_id, chat_id: r.peer.chat_id, date, bytes: r.data,
          file: r._ === 'messages.sendEncryptedFile' ? { _: 'encryptedFile', id: 1n, access_hash: 2n, size: 16n, dc_id: 2, key_fingerprint: 0 } : { _: 'encryptedFileEmpty' },
        },
      }
    case 'messages.sendEncryptedService':
      return { _: 'updateNewEncryptedMessage', qts: 0, message: { _: 'encryptedMessageService', random_id: r.random_id, chat_id: r.peer.chat_id, date, bytes: r.data } }
    default:
      return undefined
  }
}

export const CHAT_ID = 77
export const ACCESS_HASH = 991n

export interface Party {
  chat: SecretChat
  events: SecretChatEvent[]
  /** Updates on their way to this party. */
  inbox: RawUpdateNewEncryptedMessage[]
  /** Other requests it made (discardEncryption, ...). */
  requests: SecretChatRequest[]
}

/**
 * Two parties with a completed key exchange (nothing delivered yet but the exchange itself: each
 * has its NotifyLayer in the other's inbox). `opts` go to both chats.
 */
export function pair(opts: Partial<SecretChatOptions> = {}, now = 0): { a: Party; b: Party; dh: ReturnType<typeof recordingDh>; key: Uint8Array } {
  const dh = recordingDh()
  const base = { crypto: crypto(), dh, dhConfig: { p: PRIME, g: G }, ...opts }
  const achat = SecretChat.request({ ...base, userId: { _: 'inputUser', user_id: 2n, access_hash: 5n }, now })
  const [req] = achat.takeOutgoing()
  if (req._ !== 'messages.requestEncryption') throw new Error('expected requestEncryption')
  const bchat = SecretChat.accept({
    ...base, now,
    chat: { _: 'encryptedChatRequested', id: CHAT_ID, access_hash: ACCESS_HASH, date: 1, admin_id: 1n, participant_id: 2n, g_a: req.g_a },
  })
  const a: Party = { chat: achat, events: [], inbox: [], requests: [] }
  const b: Party = { chat: bchat, events: bchat.takeEvents(), inbox: [], requests: [] }
  const bout = bchat.takeOutgoing()
  const accept = bout.shift()!
  if (accept._ !== 'messages.acceptEncryption') throw new Error('expected acceptEncryption')
  a.events.push(...achat.receive({ _: 'encryptedChatWaiting', id: CHAT_ID, access_hash: ACCESS_HASH, date: 1, admin_id: 1n, participant_id: 2n }, now))
  a.events.push(...achat.receive({
    _: 'updateEncryption', date: 1,
    chat: { _: 'encryptedChat', id: CHAT_ID, access_hash: ACCESS_HASH, date: 1, admin_id: 1n, participant_id: 2n, g_a_or_b: accept.g_b, key_fingerprint: accept.key_fingerprint },
  }, now))
  route(bout, a, b)
  flush(a, b)
  // pairs[0] is A's (a, g_a), pairs[1] B's (b, g_b)
  return { a, b, dh, key: keyRef(dh.pairs[0], dh.pairs[1]) }
}

/** Sorts requests: sends become updates in `to`'s inbox, the rest are kept in `from.requests`. */
export function route(reqs: SecretChatRequest[], to: Party, from: Party, date = 1): void {
  for (const r of reqs) {
    const u = toUpdate(r, date)
    if (u) to.inbox.push(u)
    else from.requests.push(r)
  }
}

/** Moves both parties' outgoing requests to the other's inbox. */
export function flush(a: Party, b: Party): void {
  route(a.chat.takeOutgoing(), b, a)
  route(b.chat.takeOutgoing(), a, b)
}

/** Delivers everything in flight, both ways, in order, until nothing moves. */
export function settle(a: Party, b: Party, now = 0): void {
  for (let round = 0; round < 10_000; round++) {
    flush(a, b)
    if (a.inbox.length === 0 && b.inbox.length === 0) return
    for (const p of [a, b]) {
      const inbox = p.inbox.splice(0)
      for (const u of inbox) p.events.push(...p.chat.receive(u, now))
    }
  }
  throw new Error('settle: no quiescence')
}

/** Events of one type. */
export function ofType<T extends SecretChatEvent['type']>(events: SecretChatEvent[], type: T): Extract<SecretChatEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<SecretChatEvent, { type: T }>[]
}

/** The texts of received messages, in order. */
export const texts = (p: Party): string[] =>
  ofType(p.events, 'message').map((e) => (e.message as { message: string }).message)

/**
 * A message as the peer would send it, sealed with the independent reference envelope: `from`
 * 'a' (the initiator, x = 0) or 'b' (x = 8); wire sequence numbers given as they are.
 */
export function forge(
  key: Uint8Array, from: 'a' | 'b', inSeq: number, outSeq: number, message: TypeDecryptedMessage,
  opts: { layer?: number; randomBytes?: number; version?: 1 | 2; body?: Uint8Array } = {},
): RawUpdateNewEncryptedMessage {
  const body = opts.body ?? encodeTl(secretCodec, {
    _: 'decryptedMessageLayer', random_bytes: new Uint8Array(opts.randomBytes ?? 15).fill(7), layer: opts.layer ?? 144,
    in_seq_no: inSeq, out_seq_no: outSeq, message,
  })
  const blob = sealE2e(key, body, from === 'a' ? 0 : 8, opts.version ?? 2)
  return { _: 'updateNewEncryptedMessage', qts: 0, message: { _: 'encryptedMessageService', random_id: 5n, chat_id: CHAT_ID, date: 9, bytes: blob } }
}

export const text = (s: string, randomId = 1n): TypeDecryptedMessage => ({ _: 'decryptedMessage', random_id: randomId, ttl: 0, message: s })

/**
 * A message forged as `p`'s next one (its sequence numbers from p's exported state), sealed with
 * `key` (default: p's current key). p's own counters do not move: use it for a last message, or
 * for `p` that sends nothing more.
 */
export function forgeNext(p: Party, message: TypeDecryptedMessage, key?: Uint8Array): RawUpdateNewEncryptedMessage {
  const s = p.chat.exportState()
  const x = p.chat.originator ? 1 : 0
  const k = key ?? Uint8Array.from(Buffer.from(s.key!.key, 'base64'))
  return forge(k, p.chat.originator ? 'a' : 'b', 2 * s.inRaw + (1 - x), 2 * s.outRaw + x, message)
}
