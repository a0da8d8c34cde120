/**
 * Fixtures for the secret-chat tests: Diffie–Hellman on node:crypto (independent of src/), a
 * BigInt modexp for independent checks, and a two-party harness that turns one chat's requests
 * into the other's updates the way the server would.
 */
import { createDiffieHellman, randomBytes } from 'node:crypto'
import { createCryptoSync } from '../../src/crypto/create.js'
import type { Crypto } from '../../src/crypto/types.js'
import { SecretChat, type SecretChatEvent, type SecretChatOptions, type SecretRequest } from '../../src/secret/chat.js'
import type { SecretDh } from '../../src/secret/dh.js'
import type { RawUpdateNewEncryptedMessage } from '../../src/tl/generated/api-secret.js'
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

const pad256 = (b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(256)
  out.set(b, 256 - b.length)
  return out
}

/**
 * SecretDh over node:crypto's DiffieHellman (OpenSSL), for these tests only. `privs` records
 * every private exponent it hands out, so a test can recompute keys on its own.
 */
export function nodeDh(): SecretDh & { privs: Uint8Array[] } {
  const privs: Uint8Array[] = []
  const P = big(PRIME)
  const margin = 1n << 1984n
  return {
    privs,
    checkConfig(p, g) {
      if (Buffer.compare(Buffer.from(p), Buffer.from(PRIME)) !== 0 || g !== G) throw new Error('unknown DH parameters')
    },
    checkPublic(v, p) {
      const x = big(v)
      return v.length <= 256 && x > 1n && x < big(p) - 1n && x >= margin && x <= P - margin
    },
    keyPair(p, g, serverRandom) {
      const priv = new Uint8Array(randomBytes(256))
      if (serverRandom) for (let i = 0; i < Math.min(256, serverRandom.length); i++) priv[i] ^= serverRandom[i]
      const dh = createDiffieHellman(Buffer.from(p), g)
      dh.setPrivateKey(Buffer.from(priv))
      dh.generateKeys()
      privs.push(priv.slice())
      return { priv, pub: pad256(dh.getPublicKey()) }
    },
    shared(pub, priv, p) {
      const dh = createDiffieHellman(Buffer.from(p), G)
      dh.setPrivateKey(Buffer.from(priv))
      return pad256(dh.computeSecret(Buffer.from(pub)))
    },
  }
}

let sharedCrypto: Crypto | undefined
export function crypto(): Crypto {
  return (sharedCrypto ??= createCryptoSync())
}

/** The update the server would push to the other side for one of a chat's send requests. */
export function toUpdate(r: SecretRequest, date = 1): RawUpdateNewEncryptedMessage | undefined {
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
  requests: SecretRequest[]
}

/**
 * Two parties with a completed key exchange (nothing delivered yet but the exchange itself: each
 * has its NotifyLayer in the other's inbox). `opts` go to both chats.
 */
export function pair(opts: Partial<SecretChatOptions> = {}, now = 0): { a: Party; b: Party; dh: ReturnType<typeof nodeDh> } {
  const dh = nodeDh()
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
  return { a, b, dh }
}

/** Sorts requests: sends become updates in `to`'s inbox, the rest are kept in `from.requests`. */
export function route(reqs: SecretRequest[], to: Party, from: Party, date = 1): void {
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
