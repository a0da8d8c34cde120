/**
 * Fake-TLS (MTProxy `ee` secrets). Not on the spec site; follows TDLib and the MTProxy servers
 * (the Go MTProxy 9seconds/mtg is the reference used by the tests):
 *
 * - The client sends a TLS 1.3-looking ClientHello (one record, `16 03 01`) whose 32-byte random
 *   is HMAC-SHA256(key, record with the random zeroed) XOR (0…0 ‖ uint32 LE unix time).
 * - The server checks that MAC in constant time, the clock skew, replays and the SNI, then answers
 *   ServerHello ‖ ChangeCipherSpec ‖ one application-data record of noise; its random is
 *   HMAC-SHA256(key, client random ‖ that answer with its random zeroed).
 * - Then both sides send TLS application-data records (`17 03 03`, at most 16 KiB of payload
 *   each) around an obfuscated2 stream keyed with the same 16-byte secret.
 */
import type { Crypto } from '../crypto/index.js'
import { concat, copyBytes, readU16BE, readU32LE, timingSafeEqual, utf8, writeU16BE } from '../bytes.js'
import type { TransportError } from '../errors.js'
import { checkBytes, checkCrypto, decodeStep, fail, type ErrorEvent } from './errors.js'
import { MAX_SECRET_DOMAIN } from './secret.js'
import { randomX25519Key } from './x25519.js'

export const TLS_HANDSHAKE = 0x16
export const TLS_CHANGE_CIPHER_SPEC = 0x14
export const TLS_ALERT = 0x15
export const TLS_APPLICATION_DATA = 0x17
/** Largest TLS plaintext fragment (RFC 8446 §5.1); what we send per record. */
export const TLS_MAX_FRAGMENT = 16384
/** Largest record payload we accept (TLS 1.2 ciphertext bound, RFC 5246 §6.2.3). */
export const TLS_MAX_RECORD = 16384 + 2048
/** Offset of the random in a handshake record: type, version, length, msg type, uint24, version. */
export const RANDOM_OFFSET = 11

/** A fatal handshake_failure alert, what a TLS server sends when it refuses a ClientHello. */
export const TLS_HANDSHAKE_FAILURE_ALERT = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
/** The ChangeCipherSpec record a TLS 1.3 client sends in middlebox-compatibility mode. */
export const TLS_CLIENT_CCS = new Uint8Array([0x14, 0x03, 0x03, 0x00, 0x01, 0x01])

/** Byte writer with nested 16-/24-bit length scopes (the ClientHello template). */
class Writer {
  buf = new Uint8Array(4096)
  pos = 0
  private scopes: [number, number][] = []
  bytes(b: ArrayLike<number>): this {
    this.buf.set(b, this.pos)
    this.pos += b.length
    return this
  }
  begin(width: 1 | 2 | 3 = 2): this {
    this.scopes.push([this.pos, width])
    this.pos += width
    return this
  }
  end(): this {
    const [at, w] = this.scopes.pop()!
    const n = this.pos - at - w
    for (let i = 0; i < w; i++) this.buf[at + i] = (n >>> (8 * (w - 1 - i))) & 255
    return this
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }
}

/** GREASE values (RFC 8701): 0x?a?a, `count` distinct ones. */
function grease(randomBytes: (n: number) => Uint8Array, count: number): number[] {
  const r = randomBytes(count)
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    let v = r[i] & 0xf0
    while (out.includes(v | 0x0a)) v = (v + 0x10) & 0xf0
    out.push(v | 0x0a)
  }
  return out
}

/**
 * Builds the ClientHello record (Chrome-like: GREASE, SNI, X25519 key share, shuffled extensions,
 * padded to 517 bytes) with its MAC already in the random. `nowSec` is the unix time mixed in.
 */
export function buildClientHello(crypto: Crypto, key: Uint8Array, domain: string, nowSec: number): Uint8Array {
  checkCrypto(crypto)
  checkBytes(key, 'key')
  if (typeof domain !== 'string' || !/^[A-Za-z0-9.-]+$/.test(domain) || domain.length > MAX_SECRET_DOMAIN) {
    fail('E_OPTION', 'domain must be a DNS name of at most 253 characters')
  }
  if (!Number.isFinite(nowSec)) fail('E_OPTION', 'nowSec must be a number')
  const rnd = (n: number): Uint8Array => crypto.randomBytes(n)
  const [g0, g1, g2, g3, g4] = grease(rnd, 5)
  const host = utf8(domain)
  const w = new Writer()
  w.bytes([TLS_HANDSHAKE, 3, 1]).begin()
  w.bytes([1]).begin(3)
  w.bytes([3, 3]).bytes(new Uint8Array(32)) // random, filled in below
  w.bytes([32]).bytes(rnd(32)) // session id
  w.begin().bytes([g0, g0, 0x13, 1, 0x13, 2, 0x13, 3, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35]).end()
  w.bytes([1, 0]) // compression: null only
  w.begin() // extensions
  w.bytes([g1, g1, 0, 0])
  const ext: ((x: Writer) => void)[] = [
    (x) => x.bytes([0, 0]).begin().begin().bytes([0]).begin().bytes(host).end().end().end(), // server_name
    (x) => x.bytes([0, 0x17, 0, 0]), // extended_master_secret
    (x) => x.bytes([0xff, 1, 0, 1, 0]), // renegotiation_info
    (x) => x.bytes([0, 0x0a]).begin().begin().bytes([g2, g2, 0, 0x1d, 0, 0x17, 0, 0x18]).end().end(), // supported_groups
    (x) => x.bytes([0, 0x0b, 0, 2, 1, 0]), // ec_point_formats
    (x) => x.bytes([0, 0x23, 0, 0]), // session_ticket
    (x) => x.bytes([0, 0x10, 0, 0x0e, 0, 0x0c, 2, 0x68, 0x32, 8, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31]), // ALPN h2, http/1.1
    (x) => x.bytes([0, 5, 0, 5, 1, 0, 0, 0, 0]), // status_request
    (x) => x.bytes([0, 0x0d, 0, 0x12, 0, 0x10, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1]), // signature_algorithms
    (x) => x.bytes([0, 0x12, 0, 0]), // signed_certificate_timestamp
    (x) => x.bytes([0, 0x33]).begin().begin().bytes([g2, g2, 0, 1, 0, 0, 0x1d, 0, 0x20]).bytes(randomX25519Key(rnd)).end().end(), // key_share
    (x) => x.bytes([0, 0x2d, 0, 2, 1, 1]), // psk_key_exchange_modes
    (x) => x.bytes([0, 0x2b]).begin().begin(1).bytes([g3, g3, 3, 4, 3, 3]).end().end(), // supported_versions
    (x) => x.bytes([0, 0x1b, 0, 3, 2, 0, 2]), // compress_certificate (brotli)
    (x) => x.bytes([0x44, 0x69, 0, 5, 0, 3, 2, 0x68, 0x32]), // application_settings
  ]
  // Chrome shuffles its extensions per connection (Fisher–Yates on CSPRNG bytes)
  const perm = rnd(ext.length * 2)
  for (let i = ext.length - 1; i > 0; i--) {
    const j = ((perm[2 * i] << 8) | perm[2 * i + 1]) % (i + 1)
    ;[ext[i], ext[j]] = [ext[j], ext[i]]
  }
  for (const e of ext) e(w)
  w.bytes([g4, g4, 0, 1, 0])
  // padding extension: the whole record becomes 517 bytes, as Chrome's
  if (w.pos < 513) {
    const n = 513 - w.pos
    w.bytes([0, 0x15]).begin().bytes(new Uint8Array(n)).end()
  }
  w.end().end().end()
  const hello = w.result()
  const mac = crypto.hmacSha256(key, hello)
  const t = nowSec >>> 0
  mac[28] ^= t & 255
  mac[29] ^= (t >>> 8) & 255
  mac[30] ^= (t >>> 16) & 255
  mac[31] ^= (t >>> 24) & 255
  hello.set(mac, RANDOM_OFFSET)
  return hello
}

export interface ClientHelloInfo {
  random: Uint8Array
  sessionId: Uint8Array
  cipherSuites: number[]
  /** DNS host names of the server_name extension. */
  serverNames: string[]
}

/** Strict bounds-checked reader over one record; every overrun is `E_TLS_MALFORMED`. */
class Reader {
  constructor(private readonly b: Uint8Array, public pos = 0, private readonly end = b.length) {}
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) fail('E_TLS_MALFORMED', 'truncated TLS ClientHello')
  }
  u8(): number {
    this.need(1)
    return this.b[this.pos++]
  }
  u16(): number {
    this.need(2)
    const v = readU16BE(this.b, this.pos)
    this.pos += 2
    return v
  }
  take(n: number): Uint8Array {
    this.need(n)
    const v = this.b.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }
  sub(n: number): Reader {
    this.need(n)
    const r = new Reader(this.b, this.pos, this.pos + n)
    this.pos += n
    return r
  }
  get left(): number {
    return this.end - this.pos
  }
}

/** Parses a ClientHello record (`16 03 01` header included). Throws `TransportError` when malformed. */
export function parseClientHello(record: Uint8Array): ClientHelloInfo {
  checkBytes(record, 'record')
  const r = new Reader(record)
  if (r.u8() !== TLS_HANDSHAKE || r.u8() !== 3 || r.u8() !== 1) fail('E_TLS_MALFORMED', 'not a TLS handshake record')
  const body = r.sub(r.u16())
  if (body.u8() !== 1) fail('E_TLS_MALFORMED', 'not a ClientHello')
  const len = (body.u8() << 16) | body.u16()
  const h = body.sub(len)
  if (h.u16() !== 0x0303) fail('E_TLS_MALFORMED', 'unexpected ClientHello version')
  const random = copyBytes(h.take(32))
  const sidLen = h.u8()
  if (sidLen > 32) fail('E_TLS_MALFORMED', 'session id longer than 32 bytes')
  const sessionId = copyBytes(h.take(sidLen))
  const csLen = h.u16()
  if (csLen < 2 || csLen % 2) fail('E_TLS_MALFORMED', 'bad cipher suite list')
  const cs = h.sub(csLen)
  const cipherSuites: number[] = []
  while (cs.left) cipherSuites.push(cs.u16())
  h.take(h.u8()) // compression methods
  const serverNames: string[] = []
  if (h.left) {
    const exts = h.sub(h.u16())
    while (exts.left) {
      const type = exts.u16()
      const e = exts.sub(exts.u16())
      if (type !== 0) continue
      const list = e.sub(e.u16())
      while (list.left) {
        const kind = list.u8()
        const name = list.take(list.u16())
        if (kind === 0) {
          let s = ''
          for (let i = 0; i < name.length; i++) s += String.fromCharCode(name[i])
          serverNames.push(s)
        }
      }
    }
  }
  return { random, sessionId, cipherSuites, serverNames }
}

export interface FakeTlsKey {
  /** The 16-byte key of the `ee` secret. */
  key: Uint8Array
  /** The SNI domain of the secret. */
  domain: string
}

export type ClientHelloCheck =
  | { ok: true; index: number; timestamp: number; hello: ClientHelloInfo }
  | { ok: false; reason: 'malformed' | 'sni' | 'mac' | 'skew' | 'replay' }

/** How many bytes of the ClientHello random the MAC binds: the last 4 are the masked timestamp. */
export const RANDOM_MAC_BYTES = 28

/**
 * Server-side check of a ClientHello record against the configured keys: MAC (constant time),
 * SNI, then, for a hello that carries a key's MAC, replay (if a cache is given) and clock skew.
 *
 * A prober without a key must not learn anything from how long a refusal takes: every key's MAC
 * is computed and compared whatever else is wrong (a refusal on the SNI alone would answer
 * measurably sooner and tell the prober the configured domain), so a malformed record, a wrong
 * SNI and a wrong MAC all cost the same. Only a hello with a valid MAC gets further.
 *
 * The replay cache is keyed on what the MAC binds, the random's first 28 bytes: its last 4 are
 * the timestamp, XOR-masked with MAC bytes a prober can recover from a recording, so a recorded
 * hello replayed with those bytes rewritten (to pass the skew check) is still the same hello.
 * Every hello with a valid MAC is recorded, the ones refused for skew too: a prober replaying a
 * refused hello with a corrected timestamp would otherwise be the first to use it.
 */
export function checkClientHello(
  crypto: Crypto,
  record: Uint8Array,
  keys: readonly FakeTlsKey[],
  opts: { nowSec: number; skewSec: number; replay?: ReplayCache },
): ClientHelloCheck {
  checkCrypto(crypto)
  checkBytes(record, 'record')
  if (!Array.isArray(keys)) fail('E_OPTION', 'keys must be an array of { key, domain }')
  for (const k of keys) {
    if (typeof k !== 'object' || k === null || typeof k.domain !== 'string') fail('E_OPTION', 'keys must be an array of { key, domain }')
    checkBytes(k.key, 'key')
  }
  if (typeof opts !== 'object' || opts === null || !Number.isFinite(opts.nowSec) || !Number.isFinite(opts.skewSec) || opts.skewSec < 0) {
    fail('E_OPTION', 'opts must be { nowSec, skewSec >= 0, replay? }')
  }
  if (opts.replay !== undefined && !(opts.replay instanceof ReplayCache)) fail('E_OPTION', 'opts.replay must be a ReplayCache')
  let hello: ClientHelloInfo | null = null
  try {
    hello = parseClientHello(record)
  } catch {
    // still computes every MAC below
  }
  const zeroed = copyBytes(record)
  const random = new Uint8Array(32)
  if (record.length >= RANDOM_OFFSET + 32) {
    random.set(record.subarray(RANDOM_OFFSET, RANDOM_OFFSET + 32))
    zeroed.fill(0, RANDOM_OFFSET, RANDOM_OFFSET + 32)
  }
  let found = -1
  let macs = 0
  let timestamp = 0
  for (let i = 0; i < keys.length; i++) {
    const mac = crypto.hmacSha256(keys[i].key, zeroed)
    let d = 0
    for (let j = 0; j < RANDOM_MAC_BYTES; j++) d |= mac[j] ^ random[j]
    const sni = hello !== null && hasName(hello.serverNames, keys[i].domain)
    if (d === 0) macs++
    if (d === 0 && sni && found < 0) {
      found = i
      for (let j = 28; j < 32; j++) mac[j] ^= random[j]
      timestamp = readU32LE(mac, 28)
    }
  }
  // looked up for every hello, so a replayed one is refused after the same work as a forged one
  const digest = random.subarray(0, RANDOM_MAC_BYTES)
  const seen = opts.replay !== undefined && opts.replay.has(digest, opts.nowSec)
  if (hello === null) return { ok: false, reason: 'malformed' }
  if (found < 0) return { ok: false, reason: macs > 0 ? 'sni' : 'mac' }
  if (seen || (opts.replay !== undefined && !opts.replay.add(digest, opts.nowSec))) return { ok: false, reason: 'replay' }
  if (Math.abs(opts.nowSec - timestamp) > opts.skewSec) return { ok: false, reason: 'skew' }
  return { ok: true, index: found, timestamp, hello }
}

/**
 * Whether `names` holds `domain`, compared without an early exit on the first different
 * character, so the time taken does not tell a prober how much of the domain it guessed.
 */
function hasName(names: readonly string[], domain: string): boolean {
  let found = 0
  for (const n of names) {
    let d = n.length ^ domain.length
    // past its end, charCodeAt gives NaN, which `| 0` turns into 0
    for (let i = 0; i < domain.length; i++) d |= (n.charCodeAt(i) | 0) ^ domain.charCodeAt(i)
    found |= +(d === 0)
  }
  return found !== 0
}

/**
 * Builds the server's answer: ServerHello ‖ ChangeCipherSpec ‖ application data of
 * `noiseLength` random bytes, with the MAC in its random.
 */
export function buildServerHello(crypto: Crypto, key: Uint8Array, hello: ClientHelloInfo, noiseLength: number): Uint8Array {
  checkCrypto(crypto)
  checkBytes(key, 'key')
  if (typeof hello !== 'object' || hello === null || !Array.isArray(hello.cipherSuites)) fail('E_OPTION', 'hello must come from parseClientHello')
  checkBytes(hello.random, 'hello.random')
  checkBytes(hello.sessionId, 'hello.sessionId')
  if (hello.random.length !== 32 || hello.sessionId.length > 32) fail('E_OPTION', 'hello must come from parseClientHello')
  if (!Number.isInteger(noiseLength) || noiseLength < 1 || noiseLength > TLS_MAX_FRAGMENT) fail('E_OPTION', 'noiseLength must be in 1..16384')
  // answer with a TLS 1.3 suite the client offered (never a GREASE value)
  const suite = hello.cipherSuites.find((c) => c >= 0x1301 && c <= 0x1303) ?? 0x1301
  const w = new Writer()
  w.bytes([TLS_HANDSHAKE, 3, 3]).begin()
  w.bytes([2]).begin(3)
  w.bytes([3, 3]).bytes(new Uint8Array(32))
  w.bytes([hello.sessionId.length]).bytes(hello.sessionId)
  w.bytes([suite >> 8, suite & 255, 0])
  w.begin()
  w.bytes([0, 0x33, 0, 0x24, 0, 0x1d, 0, 0x20]).bytes(randomX25519Key((n) => crypto.randomBytes(n))) // key_share
  w.bytes([0, 0x2b, 0, 2, 3, 4]) // supported_versions: TLS 1.3
  w.end().end().end()
  const sh = w.result()
  const noise = new Uint8Array(5 + noiseLength)
  noise.set([TLS_APPLICATION_DATA, 3, 3])
  writeU16BE(noise, 3, noiseLength)
  noise.set(crypto.randomBytes(noiseLength), 5)
  const out = concat(sh, new Uint8Array([TLS_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1]), noise)
  out.set(crypto.hmacSha256(key, concat(hello.random, out)), RANDOM_OFFSET)
  return out
}

/** Client-side check of the server's answer (all of its records, raw), in constant time. */
export function checkServerHello(crypto: Crypto, key: Uint8Array, clientRandom: Uint8Array, answer: Uint8Array): boolean {
  checkCrypto(crypto)
  checkBytes(key, 'key')
  checkBytes(clientRandom, 'clientRandom')
  checkBytes(answer, 'answer')
  if (answer.length < RANDOM_OFFSET + 32) return false
  const zeroed = copyBytes(answer)
  zeroed.fill(0, RANDOM_OFFSET, RANDOM_OFFSET + 32)
  const mac = crypto.hmacSha256(key, concat(clientRandom, zeroed))
  return timingSafeEqual(mac, answer.subarray(RANDOM_OFFSET, RANDOM_OFFSET + 32))
}

/** Wraps bytes in application-data records of at most `maxFragment` bytes each. */
export function encodeAppData(data: Uint8Array, maxFragment = TLS_MAX_FRAGMENT): Uint8Array {
  checkBytes(data, 'data')
  if (!Number.isInteger(maxFragment) || maxFragment < 1 || maxFragment > TLS_MAX_FRAGMENT) fail('E_OPTION', 'maxFragment must be an integer in 1..16384')
  const n = data.length
  const records = Math.max(1, Math.ceil(n / maxFragment))
  const out = new Uint8Array(n + 5 * records)
  let o = 0
  for (let i = 0; i < n || (i === 0 && n === 0); i += maxFragment) {
    const len = Math.min(maxFragment, n - i)
    out[o] = TLS_APPLICATION_DATA
    out[o + 1] = 3
    out[o + 2] = 3
    writeU16BE(out, o + 3, len)
    out.set(data.subarray(i, i + len), o + 5)
    o += 5 + len
    if (n === 0) break
  }
  return out
}

/** One complete TLS record. */
export interface TlsRecord {
  type: 'record'
  /** The record's content type: 0x14 ChangeCipherSpec, 0x15 alert, 0x16 handshake, 0x17 application data. */
  contentType: number
  /** The record's payload. */
  payload: Uint8Array
  /** The whole record as received (header included). */
  raw: Uint8Array
}

/**
 * Incremental TLS record splitter (any chunking). Checks the type, the version (`03 03`, or
 * `03 01` for a first ClientHello) and the length before allocating the record. A malformed
 * record is an `error` event after the records before it; the decoder stays failed.
 */
export class TlsRecordDecoder {
  private readonly hdr = new Uint8Array(5)
  private hdrLen = 0
  private rec: Uint8Array | null = null
  private filled = 0
  private broken: TransportError | null = null
  private readonly maxRecord: number
  private allowTls10: boolean

  constructor(maxRecord = TLS_MAX_RECORD, allowTls10 = false) {
    if (!Number.isInteger(maxRecord) || maxRecord < 1 || maxRecord > 0xffff) fail('E_OPTION', 'maxRecord must be an integer in 1..65535')
    this.maxRecord = maxRecord
    this.allowTls10 = allowTls10 === true
  }

  decode(chunk: Uint8Array): (TlsRecord | ErrorEvent)[] {
    checkBytes(chunk, 'chunk')
    const out: (TlsRecord | ErrorEvent)[] = []
    this.broken = decodeStep(this.broken, out, () => {
      let i = 0
      while (i < chunk.length) {
        if (!this.rec) {
          const take = Math.min(5 - this.hdrLen, chunk.length - i)
          this.hdr.set(chunk.subarray(i, i + take), this.hdrLen)
          this.hdrLen += take
          i += take
          if (this.hdrLen < 5) continue
          const [type, major, minor] = this.hdr
          if (type < TLS_CHANGE_CIPHER_SPEC || type > TLS_APPLICATION_DATA) fail('E_TLS_RECORD', `unexpected TLS record type 0x${type.toString(16)}`)
          if (major !== 3 || (minor !== 3 && !(minor === 1 && this.allowTls10))) fail('E_TLS_RECORD', 'unexpected TLS record version')
          const len = readU16BE(this.hdr, 3)
          if (len > this.maxRecord) fail('E_TLS_RECORD', `TLS record of ${len} bytes exceeds ${this.maxRecord}`)
          this.rec = new Uint8Array(5 + len)
          this.rec.set(this.hdr)
          this.filled = 5
        }
        const take = Math.min(this.rec.length - this.filled, chunk.length - i)
        this.rec.set(chunk.subarray(i, i + take), this.filled)
        this.filled += take
        i += take
        if (this.filled === this.rec.length) {
          out.push({ type: 'record', contentType: this.rec[0], payload: this.rec.subarray(5), raw: this.rec })
          this.rec = null
          this.hdrLen = 0
          this.allowTls10 = false
        }
      }
    })
    return out
  }
}

export interface ReplayCacheOptions {
  /** Seconds a hello is remembered at least (unless `capacity` more arrive first). Default 7 days. */
  horizonSec?: number
  /** Hellos remembered at least, within the horizon. Default 1 000 000. */
  capacity?: number
  /** Bound on the chance that a new hello is taken for a replay. Default 1e-6. */
  falsePositiveRate?: number
}

/** Bloom filters in the ring: one fills while the others remember. */
const GENERATIONS = 4
/** Bits of one filter block: a 64-byte cache line, where all of a hello's bits go. */
const BLOCK_BITS = 512

/**
 * Bits per hello and bits set per hello for a blocked Bloom filter that is wrong at most `p` of
 * the time when full: the fewest bits per hello for which some k meets `p`, with the false
 * positive rate of a 512-bit block holding a Poisson number of hellos (blocks fill unevenly,
 * so a blocked filter needs more bits than a classic one). Memoized: servers make many caches.
 */
const sizing = new Map<number, { bitsPerItem: number; hashes: number }>()
function blockedSizing(p: number): { bitsPerItem: number; hashes: number } {
  const known = sizing.get(p)
  if (known) return known
  for (let bpe = 4; bpe <= 256; bpe++) {
    const lambda = BLOCK_BITS / bpe
    const top = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 20)
    for (let k = 1; k <= 32; k++) {
      let rate = 0
      let poisson = Math.exp(-lambda)
      for (let i = 0; i <= top; i++) {
        if (i > 0) poisson *= lambda / i
        rate += poisson * (1 - (1 - 1 / BLOCK_BITS) ** (k * i)) ** k
      }
      if (rate <= p) {
        const s = { bitsPerItem: bpe, hashes: k }
        sizing.set(p, s)
        return s
      }
    }
  }
  return fail('E_OPTION', 'falsePositiveRate too small to reach')
}

/**
 * Remembers the hellos a fake-TLS server accepted, so that one replayed by a prober is refused.
 * The skew check cannot bound a replay's age (the timestamp is outside the MAC), so this memory
 * has to outlast the skew window by far: time-bucketed Bloom filters, as mtg does with its
 * stable Bloom filter. Four generations, each a Bloom filter sized for a third of `capacity`;
 * a hello goes into the newest, a lookup asks all four, and the oldest is cleared for reuse
 * when the newest has been filling for `horizonSec / 3` or holds `capacity / 3` hellos. So a
 * hello is remembered for at least `horizonSec`, unless `capacity` more hellos came first.
 * Memory is fixed (`memoryBytes`, allocated a generation at a time as they fill). The filters
 * are blocked: all bits of a hello lie in one 64-byte block of each generation, so a lookup
 * costs four cache misses however full the cache is, and an insertion one more. A new hello is
 * taken for a replay with probability at most `falsePositiveRate` (each full generation a
 * quarter of it). Only hellos that carry a valid MAC are recorded, so only a holder of a secret
 * can fill it. Share one cache between all connections of a server.
 */
export class ReplayCache {
  readonly horizonSec: number
  readonly capacity: number
  readonly falsePositiveRate: number
  /** Bytes the four filters take when all are in use. */
  readonly memoryBytes: number
  /** Bits per filter (m) and bits set per hello (k). */
  readonly bits: number
  readonly hashes: number
  private readonly blocks: number
  private readonly perGeneration: number
  private readonly period: number
  private readonly gens: (Uint32Array | null)[] = []
  private readonly counts: number[] = []
  private cur = 0
  private start = Number.NaN

  constructor(options: ReplayCacheOptions = {}) {
    if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
    const horizon = options.horizonSec ?? 7 * 86400
    const capacity = options.capacity ?? 1_000_000
    const fp = options.falsePositiveRate ?? 1e-6
    if (!Number.isFinite(horizon) || horizon < 1) fail('E_OPTION', 'horizonSec must be a number of at least 1')
    if (!Number.isInteger(capacity) || capacity < GENERATIONS - 1 || capacity > 1e9) fail('E_OPTION', 'capacity must be an integer in 3..1e9')
    if (!Number.isFinite(fp) || fp < 1e-12 || fp > 0.1) fail('E_OPTION', 'falsePositiveRate must be in 1e-12..0.1')
    this.horizonSec = horizon
    this.capacity = capacity
    this.falsePositiveRate = fp
    this.perGeneration = Math.ceil(capacity / (GENERATIONS - 1))
    this.period = horizon / (GENERATIONS - 1)
    // a fifth of margin under the model's estimate (measured rates came within a few % of it)
    const { bitsPerItem, hashes } = blockedSizing((0.8 * fp) / GENERATIONS)
    this.blocks = Math.ceil((this.perGeneration * bitsPerItem) / BLOCK_BITS)
    this.bits = this.blocks * BLOCK_BITS
    this.hashes = hashes
    this.memoryBytes = (GENERATIONS * this.bits) / 8
    for (let g = 0; g < GENERATIONS; g++) {
      this.gens.push(null)
      this.counts.push(0)
    }
  }

  /**
   * Records a hello seen at `nowSec`; false if it was seen before (or, rarely, is a false
   * positive). `digest` identifies the hello: the bytes its MAC binds (the random's first 28);
   * its first 8 bytes, uniformly random, choose the block and the bits.
   */
  add(digest: Uint8Array, nowSec: number): boolean {
    if (this.has(digest, nowSec)) return false
    let f = this.gens[this.cur]
    if (f === null) f = this.gens[this.cur] = new Uint32Array(this.blocks * (BLOCK_BITS / 32))
    const base = (readU32LE(digest, 0) % this.blocks) * (BLOCK_BITS / 32)
    // the bits: a xorshift32 stream seeded from the digest (2^32 patterns per block)
    let x = readU32LE(digest, 4) | 1
    for (let i = 0; i < this.hashes; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      const b = x >>> 23
      f[base + (b >>> 5)] |= 1 << (b & 31)
    }
    if (++this.counts[this.cur] >= this.perGeneration) this.next(nowSec)
    return true
  }

  /**
   * Whether a hello was seen (recording nothing). Reads every one of its bits in every
   * generation whatever it finds, so that a refusal takes as long for a replayed hello as for a
   * forged one.
   */
  has(digest: Uint8Array, nowSec: number): boolean {
    checkBytes(digest, 'digest')
    if (digest.length < 8) fail('E_OPTION', 'digest must hold at least 8 bytes')
    if (!Number.isFinite(nowSec)) fail('E_OPTION', 'nowSec must be a number')
    this.rotate(nowSec)
    const base = (readU32LE(digest, 0) % this.blocks) * (BLOCK_BITS / 32)
    const seed = readU32LE(digest, 4) | 1
    let seen = 0
    for (const f of this.gens) {
      if (f === null) continue
      let all = 1
      let x = seed
      for (let i = 0; i < this.hashes; i++) {
        x ^= x << 13
        x ^= x >>> 17
        x ^= x << 5
        const b = x >>> 23
        all &= f[base + (b >>> 5)] >>> (b & 31)
      }
      seen |= all & 1
    }
    return seen !== 0
  }

  /** Hellos remembered now. */
  get size(): number {
    let n = 0
    for (const c of this.counts) n += c
    return n
  }

  /** Starts as many generations as whole periods went by since the current one started. */
  private rotate(now: number): void {
    if (Number.isNaN(this.start)) {
      this.start = now
      return
    }
    const steps = Math.floor((now - this.start) / this.period) // a clock going back rotates nothing
    if (steps <= 0) return
    const start = this.start
    for (let s = 0; s < Math.min(steps, GENERATIONS); s++) this.next(now)
    this.start = steps < GENERATIONS ? start + steps * this.period : now
  }

  private next(now: number): void {
    this.cur = (this.cur + 1) % GENERATIONS
    this.gens[this.cur]?.fill(0)
    this.counts[this.cur] = 0
    this.start = now
  }
}
