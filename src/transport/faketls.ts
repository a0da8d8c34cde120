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
import { concat, copyBytes, readU16BE, timingSafeEqual, utf8, writeU16BE } from '../bytes.js'
import { fail } from './errors.js'
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
        if (kind === 0) serverNames.push(String.fromCharCode(...name))
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

/**
 * Server-side check of a ClientHello record against the configured keys: SNI, MAC (constant
 * time), clock skew and, if a cache is given, replay of the client random.
 */
export function checkClientHello(
  crypto: Crypto,
  record: Uint8Array,
  keys: readonly FakeTlsKey[],
  opts: { nowSec: number; skewSec: number; replay?: ReplayCache },
): ClientHelloCheck {
  let hello: ClientHelloInfo
  try {
    hello = parseClientHello(record)
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  const zeroed = copyBytes(record)
  zeroed.fill(0, RANDOM_OFFSET, RANDOM_OFFSET + 32)
  let reason: 'sni' | 'mac' | 'skew' = 'sni'
  for (let i = 0; i < keys.length; i++) {
    if (!hello.serverNames.includes(keys[i].domain)) continue
    const mac = crypto.hmacSha256(keys[i].key, zeroed)
    const x = new Uint8Array(32)
    for (let j = 0; j < 32; j++) x[j] = mac[j] ^ hello.random[j]
    if (!timingSafeEqual(x.subarray(0, 28), new Uint8Array(28))) {
      reason = 'mac'
      continue
    }
    const ts = (x[28] | (x[29] << 8) | (x[30] << 16) | (x[31] << 24)) >>> 0
    if (Math.abs(opts.nowSec - ts) > opts.skewSec) {
      reason = 'skew'
      continue
    }
    if (opts.replay && !opts.replay.add(hello.random, opts.nowSec)) return { ok: false, reason: 'replay' }
    return { ok: true, index: i, timestamp: ts, hello }
  }
  return { ok: false, reason }
}

/**
 * Builds the server's answer: ServerHello ‖ ChangeCipherSpec ‖ application data of
 * `noiseLength` random bytes, with the MAC in its random.
 */
export function buildServerHello(crypto: Crypto, key: Uint8Array, hello: ClientHelloInfo, noiseLength: number): Uint8Array {
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
  if (answer.length < RANDOM_OFFSET + 32) return false
  const zeroed = copyBytes(answer)
  zeroed.fill(0, RANDOM_OFFSET, RANDOM_OFFSET + 32)
  const mac = crypto.hmacSha256(key, concat(clientRandom, zeroed))
  return timingSafeEqual(mac, answer.subarray(RANDOM_OFFSET, RANDOM_OFFSET + 32))
}

/** Wraps bytes in application-data records of at most `maxFragment` bytes each. */
export function encodeAppData(data: Uint8Array, maxFragment = TLS_MAX_FRAGMENT): Uint8Array {
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

export interface TlsRecord {
  type: number
  /** The record's payload. */
  payload: Uint8Array
  /** The whole record as received (header included). */
  raw: Uint8Array
}

/**
 * Incremental TLS record splitter (any chunking). Checks the type, the version (`03 03`, or
 * `03 01` for a first ClientHello) and the length before allocating the record.
 */
export class TlsRecordDecoder {
  private readonly hdr = new Uint8Array(5)
  private hdrLen = 0
  private rec: Uint8Array | null = null
  private filled = 0
  private broken: unknown = null

  constructor(private readonly maxRecord = TLS_MAX_RECORD, private allowTls10 = false) {}

  decode(chunk: Uint8Array): TlsRecord[] {
    if (this.broken) throw this.broken
    const out: TlsRecord[] = []
    try {
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
          out.push({ type: this.rec[0], payload: this.rec.subarray(5), raw: this.rec })
          this.rec = null
          this.hdrLen = 0
          this.allowTls10 = false
        }
      }
    } catch (e) {
      this.broken = e
      throw e
    }
    return out
  }
}

/**
 * Remembers the client randoms of accepted ClientHellos for the skew window, so a recorded
 * hello replayed by a prober is refused. Bounded: at most `maxEntries`, oldest dropped first.
 * Share one cache between all connections of a server.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>()
  constructor(readonly windowSec = 600, readonly maxEntries = 100_000) {}

  /** Records `random` seen at `nowSec`; false if it was already seen within the window. */
  add(random: Uint8Array, nowSec: number): boolean {
    for (const [k, t] of this.seen) {
      if (t >= nowSec - this.windowSec && this.seen.size < this.maxEntries) break
      this.seen.delete(k)
    }
    let k = ''
    for (let i = 0; i < random.length; i++) k += String.fromCharCode(random[i])
    if (this.seen.has(k)) return false
    this.seen.set(k, nowSec)
    return true
  }

  get size(): number {
    return this.seen.size
  }
}
