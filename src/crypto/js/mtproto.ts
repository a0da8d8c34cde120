/**
 * The MTProto 2.0 / 1.0 envelope composed from a core's own primitives (sha256, sha1,
 * igeEncrypt, igeDecrypt): the pure-TS path, and the default for any core without a fused
 * `encryptMessage` / `decryptMessage`. Mirrors assembly/mtproto.ts (the one-call WASM version).
 *
 * Wire format (core.telegram.org/mtproto/description):
 *   packet    = key_id(8) ‖ msg_key(16) ‖ AES-256-IGE(aes_key, aes_iv, inner ‖ padding)
 *   2.0:  msg_key = SHA-256(key[88+x .. 120+x] ‖ inner ‖ padding)[8 .. 24]
 *         a = SHA-256(msg_key ‖ key[x .. x+36]), b = SHA-256(key[40+x .. 76+x] ‖ msg_key)
 *         aes_key = a[0..8] ‖ b[8..24] ‖ a[24..32], aes_iv = b[0..8] ‖ a[8..24] ‖ b[24..32]
 *   1.0 (description_v1): msg_key = SHA-1(inner)[4 .. 20] (the plaintext WITHOUT padding)
 *         a = SHA-1(msg_key ‖ key[x..x+32]), b = SHA-1(key[32+x..48+x] ‖ msg_key ‖ key[48+x..64+x])
 *         c = SHA-1(key[64+x..96+x] ‖ msg_key), d = SHA-1(msg_key ‖ key[96+x..128+x])
 *         aes_key = a[0..8] ‖ b[8..20] ‖ c[4..16], aes_iv = a[8..20] ‖ b[0..8] ‖ c[16..20] ‖ d[0..8]
 *
 * Allocation: the scratch buffers below are reused, and the exact-length views the core ABI
 * needs are cached while lengths and buffers repeat, so per message what remains is what the
 * core's primitives allocate (a fresh digest per hash where the core has no sha*Into; a WASM
 * core may make views of its memory) and new views when sizes change.
 */
import { type AuthKeyState, V1_HOLES, v1Inputs } from '../authkey.js'
import { readU32LE } from '../../bytes.js'
import {
  ENV_E2E, ENV_FAIL_ALIGN, ENV_FAIL_KEY_ID, ENV_FAIL_LENGTH, ENV_FAIL_MSG_KEY, ENV_FAIL_PADDING, ENV_FAIL_SHAPE, ENV_TOKEN, ENV_V1,
} from '../flags.generated.js'
import type { CryptoCore, DecryptJob, EncryptJob } from '../types.js'

/** Header bytes before the message body, and the offset of the length field, per layout. */
export const envHeader = (flags: number): number => (flags & ENV_E2E ? 4 : 32)
/** Smallest valid plaintext (inner ‖ padding) in bytes: header + minimum padding, rounded up to 16. */
export const envMinPlain = (flags: number): number => (((envHeader(flags) + (flags & ENV_V1 ? 0 : 12)) + 15) & ~15)
/** Largest inner message a packet of `packetLength` bytes can hold: what `out` must have room for. */
export const envMaxInner = (packetLength: number, flags: number): number =>
  Math.max(0, packetLength - 24 - (flags & ENV_V1 ? 0 : 12))

/** Scratch at or below this size is kept between calls; larger messages get a temporary buffer. */
const KEEP = 64 * 1024

/** `a.subarray(from, to)`, reusing the view made by the previous call while the arguments repeat. */
class ViewCache {
  private a: Uint8Array | undefined
  private from = -1
  private to = -1
  private v: Uint8Array = new Uint8Array(0)

  get(a: Uint8Array, from: number, to: number): Uint8Array {
    if (a !== this.a || from !== this.from || to !== this.to) {
      this.v = a.subarray(from, to)
      this.a = a
      this.from = from
      this.to = to
    }
    return this.v
  }
}

/** The envelope over `core`'s primitives. Each object owns its scratch (single-threaded use). */
export class ComposedEnvelope {
  private scratch = new Uint8Array(32 + 1024)
  private readonly aesKey = new Uint8Array(32)
  private readonly aesIv = new Uint8Array(32)
  private readonly msgKey = new Uint8Array(16)
  // digests land in fixed buffers: with sha*Into nothing is allocated per hash
  private readonly dM = new Uint8Array(32)
  private readonly dA = new Uint8Array(32)
  private readonly dB = new Uint8Array(32)
  private readonly d1 = [new Uint8Array(20), new Uint8Array(20), new Uint8Array(20), new Uint8Array(20)]
  // aes_key / aes_iv pieces of the 2.0 KDF, as views made once: memcpy rather than byte loops
  private readonly a0 = this.dA.subarray(0, 8)
  private readonly a1 = this.dA.subarray(8, 24)
  private readonly a2 = this.dA.subarray(24, 32)
  private readonly b0 = this.dB.subarray(0, 8)
  private readonly b1 = this.dB.subarray(8, 24)
  private readonly b2 = this.dB.subarray(24, 32)
  // exact-length views the core's calls take, per call site
  private readonly vHash = new ViewCache()
  private readonly vPlain = new ViewCache()
  private readonly vIn = new ViewCache()
  private readonly vOut = new ViewCache()
  private readonly vInner = new ViewCache()
  private readonly sha256: (d: Uint8Array, o: Uint8Array) => void
  private readonly sha1: (d: Uint8Array, o: Uint8Array) => void

  constructor(private readonly core: CryptoCore) {
    this.sha256 = core.sha256Into ? core.sha256Into.bind(core) : intoFrom(core.sha256.bind(core))
    this.sha1 = core.sha1Into ? core.sha1Into.bind(core) : intoFrom(core.sha1.bind(core))
  }

  /** A buffer of ≥ n bytes: the kept scratch, grown up to KEEP, or a temporary one. */
  private work(n: number): Uint8Array {
    if (n <= this.scratch.length) return this.scratch
    if (n > KEEP) return new Uint8Array(n)
    this.scratch = new Uint8Array(Math.min(KEEP, Math.max(n, this.scratch.length * 2)))
    return this.scratch
  }

  /** Derives aes_key / aes_iv from `msgKey` into the fixed buffers. */
  private kdf(s: AuthKeyState, x: number, flags: number): void {
    const { aesKey, aesIv, msgKey } = this
    if (flags & ENV_V1) {
      const inp = v1Inputs(s)
      const base = x >> 1
      const d1 = this.d1
      for (let i = 0; i < 4; i++) {
        inp[base + i].set(msgKey, V1_HOLES[i])
        this.sha1(inp[base + i], d1[i])
      }
      const [a, b, c, d] = d1
      for (let i = 0; i < 8; i++) {
        aesKey[i] = a[i]
        aesIv[12 + i] = b[i]
        aesIv[24 + i] = d[i]
      }
      for (let i = 0; i < 12; i++) {
        aesKey[8 + i] = b[8 + i]
        aesKey[20 + i] = c[4 + i]
        aesIv[i] = a[8 + i]
      }
      for (let i = 0; i < 4; i++) aesIv[20 + i] = c[16 + i]
      for (const t of d1) t.fill(0)
      return
    }
    const ia = s.kdfA[x >> 3]
    const ib = s.kdfB[x >> 3]
    ia.set(msgKey, 0)
    ib.set(msgKey, 36)
    this.sha256(ia, this.dA)
    this.sha256(ib, this.dB)
    // aes_key = a[0..8] ‖ b[8..24] ‖ a[24..32], aes_iv = b[0..8] ‖ a[8..24] ‖ b[24..32]
    aesKey.set(this.a0, 0)
    aesKey.set(this.b1, 8)
    aesKey.set(this.a2, 24)
    aesIv.set(this.b0, 0)
    aesIv.set(this.a1, 8)
    aesIv.set(this.b2, 24)
    this.dA.fill(0)
    this.dB.fill(0)
  }

  encryptMessage(job: EncryptJob): void {
    const { key: s, inner, pad, padOff, padLen, x, flags, out } = job
    const { dM, msgKey } = this
    const n = inner.length + padLen
    // plaintext at w[32 .. 32+n], preceded by the msg_key salt key[88+x .. 120+x] (2.0)
    const w = this.work(32 + n)
    w.set(inner, 32)
    for (let i = 0; i < padLen; i++) w[32 + inner.length + i] = pad[padOff + i]
    let ho: number
    if (flags & ENV_V1) {
      this.sha1(w.subarray(32, 32 + inner.length), dM)
      ho = 4
    } else {
      w.set(s.msgKeySalt[x >> 3], 0)
      this.sha256(this.vHash.get(w, 0, 32 + n), dM)
      ho = 8
    }
    if (flags & ENV_TOKEN) job.msgKeyHead = flags & ENV_V1 ? 0 : readU32LE(dM, 0)
    for (let i = 0; i < 16; i++) msgKey[i] = dM[ho + i]
    dM.fill(0)
    this.kdf(s, x, flags)
    this.core.igeEncrypt(this.vPlain.get(w, 32, 32 + n), this.aesKey, this.aesIv, this.vOut.get(out, 24, 24 + n))
    // Header last: `out` never overlaps `inner`, but writing it after the data is harmless.
    for (let i = 0; i < 8; i++) out[i] = s.id[i]
    for (let i = 0; i < 16; i++) out[8 + i] = msgKey[i]
    w.fill(0, 0, 32 + n)
    this.aesKey.fill(0)
    this.aesIv.fill(0)
  }

  decryptMessage(job: DecryptJob): number {
    const { key: s, packet, x, flags, out } = job
    const { dM, msgKey } = this
    const total = packet.length
    const hdr = envHeader(flags)
    // Length shape. Whatever it is, the rest runs on what is there (the 16-byte-aligned part
    // after the header; a missing msg_key reads as zeros), so a malformed packet costs the
    // same work as one whose msg_key does not match.
    const n = total >= 24 ? (total - 24) & ~15 : 0
    let fail = 0
    if (total < 24 + envMinPlain(flags) || ((total - 24) & 15) !== 0) fail |= ENV_FAIL_SHAPE
    let d = 0
    for (let i = 0; i < 8; i++) d |= (i < total ? packet[i] : 0) ^ s.id[i]
    for (let i = 0; i < 16; i++) msgKey[i] = 8 + i < total ? packet[8 + i] : 0
    if (d !== 0) fail |= ENV_FAIL_KEY_ID

    this.kdf(s, x, flags)
    const w = this.work(32 + n)
    this.core.igeDecrypt(this.vIn.get(packet, 24, 24 + n), this.aesKey, this.aesIv, this.vPlain.get(w, 32, 32 + n))
    this.aesKey.fill(0)
    this.aesIv.fill(0)

    // length field, read from the plaintext (zero if the plaintext is too short to hold it)
    const len = n >= hdr ? readU32LE(w, 32 + hdr - 4) : 0
    const rem = n - hdr // may be negative for a short packet
    let hoff: number
    if (flags & ENV_V1) {
      // 1.0 hashes only inner (without padding), so its length comes from the unauthenticated
      // length field: clamp it into the plaintext. The hashing time then depends on that
      // field, a weakness of MTProto 1.0 itself (deprecated; see envelope.ts).
      const m = rem < 0 ? 0 : len > rem ? rem : len
      this.sha1(w.subarray(32, 32 + (rem < 0 ? n : hdr + m)), dM)
      hoff = 4
    } else {
      w.set(s.msgKeySalt[x >> 3], 0)
      this.sha256(this.vHash.get(w, 0, 32 + n), dM)
      hoff = 8
    }
    // constant-time msg_key comparison
    d = 0
    for (let i = 0; i < 16; i++) d |= dM[hoff + i] ^ msgKey[i]
    const h = flags & ENV_TOKEN && !(flags & ENV_V1) ? readU32LE(dM, 0) : 0
    dM.fill(0)
    if (d !== 0) fail |= ENV_FAIL_MSG_KEY
    // The checks below read authenticated data once msg_key matched; they run regardless.
    if (rem < 0 || len > rem) fail |= ENV_FAIL_LENGTH
    if (len % 4 !== 0) fail |= ENV_FAIL_ALIGN
    const padLen = rem - len
    if (flags & ENV_V1 ? padLen < 0 || padLen > 15 : padLen < 12 || padLen > 1024) fail |= ENV_FAIL_PADDING

    if (fail === 0) out.set(this.vInner.get(w, 32, 32 + hdr + len))
    if (flags & ENV_TOKEN) job.msgKeyHead = fail === 0 ? h : 0
    w.fill(0, 0, 32 + n)
    return fail === 0 ? hdr + len : -fail
  }
}

/** An `Into` hash over one that returns a fresh digest (which it zeroes after copying). */
function intoFrom(hash: (d: Uint8Array) => Uint8Array): (d: Uint8Array, o: Uint8Array) => void {
  return (d, o) => {
    const h = hash(d)
    o.set(h)
    h.fill(0)
  }
}
