/**
 * Obfuscated2 (core.telegram.org/mtproto/mtproto-transports#transport-obfuscation): a 64-byte
 * random init header, then AES-256-CTR both ways. The client encrypts with the key at bytes
 * 8..40 and the IV at 40..56 of the header and decrypts with those of the reversed header; with an
 * MTProxy secret each key becomes SHA-256(key ‖ secret). Bytes 56..64 travel encrypted: the
 * protocol tag at 56 and, for MTProxies, the DC id as int16 LE at 60.
 */
import type { AesCtr, Crypto } from '../crypto/index.js'
import { concat, copyBytes, readU32LE } from '../bytes.js'
import { checkBytes, checkCrypto, fail } from './errors.js'
import { OBFUSCATED_TAGS, type FramingKind } from './framing.js'

export type ObfuscatedFraming = Exclude<FramingKind, 'full'>

/** The two CTR streams of one obfuscated2 connection (one side's view). */
export interface Obfuscated2Cipher {
  /** Encrypts outgoing bytes (continues the stream). */
  encrypt(data: Uint8Array, out?: Uint8Array): Uint8Array
  /** Decrypts incoming bytes (continues the stream). */
  decrypt(data: Uint8Array, out?: Uint8Array): Uint8Array
  /** Zeroes both streams. */
  dispose(): void
}

export interface Obfuscated2ClientOptions {
  framing: ObfuscatedFraming
  /** DC id, written at offset 60 (MTProxy connections). */
  dcId?: number
  /** Test DC: +10000. */
  test?: boolean
  /** Media DC: negative. */
  media?: boolean
  /** The 16-byte MTProxy key (from `parseProxySecret`). */
  secret?: Uint8Array
  /**
   * The key and IV (32 + 16 bytes) the server is to encrypt with, instead of random ones: they
   * go reversed into header bytes 8..56, the bytes the server's key comes from. An MTProxy relay
   * gives the key it encrypts to its client with, so the DC's bytes pass through unchanged
   * (mtprotoproxy's FAST_MODE); the header then carries that key in the clear. Not with `secret`.
   */
  decryptKeyIv?: Uint8Array
}

/** First ints a header must not start with (LE): HTTP verbs, TLS, the plain tags (spec list + GramJS's PVrG). */
const FORBIDDEN_FIRST = new Set([
  0x44414548, // HEAD
  0x54534f50, // POST
  0x20544547, // GET
  0x4954504f, // OPTI(ONS)
  0x02010316, // TLS record 16 03 01 02
  0xdddddddd,
  0xeeeeeeee,
  0x47725650, // PVrG
])

/** Whether 64 random bytes may serve as a client init header. */
export function isValidInitHeader(h: Uint8Array): boolean {
  checkBytes(h, 'header')
  if (h.length !== 64) fail('E_BAD_HEADER', 'the obfuscated2 header is 64 bytes')
  return h[0] !== 0xef && !FORBIDDEN_FIRST.has(readU32LE(h, 0)) && readU32LE(h, 4) !== 0
}

/** The DC id as encoded at offset 60: +10000 for test DCs, negative for media DCs. */
export function encodeDcId(dcId: number, test = false, media = false): number {
  if (typeof test !== 'boolean' || typeof media !== 'boolean') fail('E_OPTION', 'test and media must be booleans')
  if (!Number.isInteger(dcId) || dcId < 1 || dcId > 9999) fail('E_OPTION', `dcId must be an integer in 1..9999, got ${String(dcId)}`)
  const v = test ? dcId + 10000 : dcId
  return media ? -v : v
}

/** The inverse of `encodeDcId`. */
export function decodeDcId(v: number): { dcId: number; test: boolean; media: boolean } {
  if (!Number.isInteger(v) || v < -32768 || v > 32767) fail('E_OPTION', 'the DC field is an int16')
  const media = v < 0
  const a = Math.abs(v)
  const test = a > 10000
  return { dcId: test ? a - 10000 : a, test, media }
}

function deriveKey(crypto: Crypto, key: Uint8Array, secret: Uint8Array | undefined): Uint8Array {
  return secret ? crypto.sha256(concat(key, secret)) : key.slice()
}

function checkSecret(secret: Uint8Array | undefined): void {
  if (secret !== undefined && (!(secret instanceof Uint8Array) || secret.length !== 16)) {
    fail('E_BAD_SECRET', 'the obfuscated2 secret must be the 16-byte MTProxy key')
  }
}

function cipher(enc: AesCtr, dec: AesCtr): Obfuscated2Cipher {
  return {
    encrypt: (d, o) => enc.process(d, o),
    decrypt: (d, o) => dec.process(d, o),
    dispose() {
      enc.dispose()
      dec.dispose()
    },
  }
}

/** Client side: builds the 64-byte init header to send first, and the cipher for the connection. */
export function createObfuscated2Client(crypto: Crypto, options: Obfuscated2ClientOptions): { header: Uint8Array; cipher: Obfuscated2Cipher } {
  checkCrypto(crypto)
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  const tag = Object.prototype.hasOwnProperty.call(OBFUSCATED_TAGS, options.framing) ? OBFUSCATED_TAGS[options.framing] : undefined
  if (tag === undefined) fail('E_OPTION', `obfuscated2 carries abridged, intermediate or padded, not ${String(options.framing)}`)
  checkSecret(options.secret)
  const fixed = options.decryptKeyIv
  if (fixed !== undefined && (!(fixed instanceof Uint8Array) || fixed.length !== 48 || options.secret !== undefined)) {
    fail('E_OPTION', 'decryptKeyIv is 48 bytes (key and IV), without a secret')
  }
  const dc = options.dcId === undefined ? undefined : encodeDcId(options.dcId, options.test, options.media)
  let h: Uint8Array | undefined
  // A CSPRNG passes on the first or second try; a broken injected RNG must not spin forever.
  for (let i = 0; i < 64 && !h; i++) {
    const r = crypto.randomBytes(64)
    if (fixed) r.set(copyBytes(fixed).reverse(), 8)
    r[56] = r[57] = r[58] = r[59] = tag & 255
    if (dc !== undefined) {
      r[60] = dc & 255
      r[61] = (dc >> 8) & 255
    }
    if (isValidInitHeader(r)) h = r
  }
  if (!h) return fail('E_RANDOM', 'the random source keeps producing forbidden init headers')
  const rev = copyBytes(h, 8, 56).reverse()
  const enc = crypto.createAesCtr(deriveKey(crypto, h.subarray(8, 40), options.secret), copyBytes(h, 40, 56))
  const dec = crypto.createAesCtr(deriveKey(crypto, rev.subarray(0, 32), options.secret), copyBytes(rev, 32, 48))
  const encrypted = enc.process(h)
  const header = h.slice()
  header.set(encrypted.subarray(56, 64), 56)
  return { header, cipher: cipher(enc, dec) }
}

export interface Obfuscated2ServerOptions {
  /** MTProxy keys to try (16 bytes each). */
  secrets?: readonly Uint8Array[]
  /** Also accept headers made without a secret, as Telegram's own DCs do. Default: true when no secrets are given. */
  allowNoSecret?: boolean
  /** Also return the key and IV we encrypt with (`encryptKeyIv`), for a relay's fast mode. */
  keepEncryptKey?: boolean
}

export interface Obfuscated2Accepted {
  framing: ObfuscatedFraming
  /** Decoded DC id fields (meaningful for MTProxy connections), and the raw int16. */
  dc: { dcId: number; test: boolean; media: boolean; raw: number }
  /** Index into `secrets` of the key that matched, or -1 for no secret. */
  secretIndex: number
  cipher: Obfuscated2Cipher
  /** With `keepEncryptKey`: the key and IV (32 + 16 bytes) of our outgoing stream. Zero it after use. */
  encryptKeyIv?: Uint8Array
}

const TAG_TO_FRAMING = new Map<number, ObfuscatedFraming>([
  [0xefefefef, 'abridged'],
  [0xeeeeeeee, 'intermediate'],
  [0xdddddddd, 'padded'],
])

/**
 * Server side: recovers the keys, the protocol and the DC from a client's 64-byte header.
 * Throws `TransportError('E_BAD_HEADER')` when no configured secret yields a known protocol tag.
 */
export function acceptObfuscated2(crypto: Crypto, header: Uint8Array, options: Obfuscated2ServerOptions = {}): Obfuscated2Accepted {
  checkCrypto(crypto)
  checkBytes(header, 'header')
  if (header.length !== 64) fail('E_BAD_HEADER', 'the obfuscated2 header is 64 bytes')
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  if (options.secrets !== undefined && !Array.isArray(options.secrets)) fail('E_OPTION', 'secrets must be an array')
  if (options.allowNoSecret !== undefined && typeof options.allowNoSecret !== 'boolean') fail('E_OPTION', 'allowNoSecret must be a boolean')
  const secrets = options.secrets ?? []
  for (const s of secrets) checkSecret(s)
  const candidates: (Uint8Array | undefined)[] = [...secrets]
  if (options.allowNoSecret ?? secrets.length === 0) candidates.push(undefined)
  const rev = copyBytes(header, 8, 56).reverse()
  // every candidate is tried whatever matched first, so that how long an answer takes does not
  // tell a prober whether (or with which secret) a recorded header was valid
  let found: Obfuscated2Accepted | undefined
  for (let i = 0; i < candidates.length; i++) {
    const s = candidates[i]
    // the client's encryption stream is our decryption stream, and vice versa
    const dec = crypto.createAesCtr(deriveKey(crypto, header.subarray(8, 40), s), copyBytes(header, 40, 56))
    const plain = dec.process(header)
    const framing = TAG_TO_FRAMING.get(readU32LE(plain, 56))
    if (!framing || found) {
      dec.dispose()
      continue
    }
    const raw = ((plain[60] | (plain[61] << 8)) << 16) >> 16
    const enc = crypto.createAesCtr(deriveKey(crypto, rev.subarray(0, 32), s), copyBytes(rev, 32, 48))
    found = { framing, dc: { ...decodeDcId(raw), raw }, secretIndex: s === undefined ? -1 : i, cipher: cipher(enc, dec) }
    if (options.keepEncryptKey) found.encryptKeyIv = concat(deriveKey(crypto, rev.subarray(0, 32), s), rev.subarray(32, 48))
  }
  return found ?? fail('E_BAD_HEADER', 'unknown obfuscated2 header (no secret gives a protocol tag)')
}
