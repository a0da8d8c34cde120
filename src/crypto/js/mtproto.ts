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
 * core's primitives allocate (each hash returns a fresh digest; @noble/hashes also builds a
 * hasher object; a WASM core may make views of its memory) and new views when sizes change.
 */
import { type AuthKeyState, V1_HOLES, v1Inputs } from '../authkey.js'
import {
  type CryptoCore, ENV_E2E, ENV_FAIL_ALIGN, ENV_FAIL_KEY_ID, ENV_FAIL_LENGTH, ENV_FAIL_MSG_KEY,
  ENV_FAIL_PADDING, ENV_FAIL_SHAPE, ENV_V1,
} from '../types.js'

/** Header bytes before the message body, and the offset of the length field, per layout. */
export const envHeader = (flags: number): number => (flags & ENV_E2E ? 4 : 32)
/** Smallest valid plaintext (inner ‖ padding) in bytes: header + minimum padding, rounded up to 16. */
export const envMinPlain = (flags: number): number => (((envHeader(flags) + (flags & ENV_V1 ? 0 : 12)) + 15) & ~15)
/** Largest inner message a packet of `packetLength` bytes can hold: what `out` must have room for. */
export const envMaxInner = (packetLength: number, flags: number): number =>
  Math.max(0, packetLength - 24 - (flags & ENV_V1 ? 0 : 12))

/** Scratch at or below this size is kept between calls; larger messages get a temporary buffer. */
const KEEP = 64 * 1024

type EnvelopeOps = Required<Pick<CryptoCore, 'encryptMessage' | 'decryptMessage'>>

/** Builds the envelope for `core` from its primitives. Each call owns its scratch (single-threaded use). */
export function composeEnvelope(core: CryptoCore): EnvelopeOps {
  let scratch = new Uint8Array(32 + 1024)
  const aesKey = new Uint8Array(32)
  const aesIv = new Uint8Array(32)
  const msgKey = new Uint8Array(16)

  /** A buffer of ≥ n bytes: the kept scratch, grown up to KEEP, or a temporary one. */
  function work(n: number): Uint8Array {
    if (n <= scratch.length) return scratch
    if (n > KEEP) return new Uint8Array(n)
    scratch = new Uint8Array(Math.min(KEEP, Math.max(n, scratch.length * 2)))
    return scratch
  }

  /** `a.subarray(from, to)`, reusing the view made by the previous call at this call site. */
  function viewCache(): (a: Uint8Array, from: number, to: number) => Uint8Array {
    let arr: Uint8Array | undefined
    let f = -1
    let t = -1
    let v: Uint8Array = scratch
    return (a, from, to) => {
      if (a !== arr || from !== f || to !== t) {
        v = a.subarray(from, to)
        arr = a
        f = from
        t = to
      }
      return v
    }
  }
  const vHash = viewCache()
  const vPlain = viewCache()
  const vIn = viewCache()
  const vOut = viewCache()
  const vInner = viewCache()

  // digests land in fixed buffers: with sha*Into nothing is allocated per hash
  const dM = new Uint8Array(32)
  const dA = new Uint8Array(32)
  const dB = new Uint8Array(32)
  const d1 = [new Uint8Array(20), new Uint8Array(20), new Uint8Array(20), new Uint8Array(20)]
  const [a0, a1, a2] = [dA.subarray(0, 8), dA.subarray(8, 24), dA.subarray(24, 32)]
  const [b0, b1, b2] = [dB.subarray(0, 8), dB.subarray(8, 24), dB.subarray(24, 32)]
  const sha256: (d: Uint8Array, o: Uint8Array) => void = core.sha256Into
    ? core.sha256Into.bind(core)
    : (d, o) => {
        const h = core.sha256(d)
        o.set(h)
        h.fill(0)
      }
  const sha1: (d: Uint8Array, o: Uint8Array) => void = core.sha1Into
    ? core.sha1Into.bind(core)
    : (d, o) => {
        const h = core.sha1(d)
        o.set(h)
        h.fill(0)
      }

  /** Derives aes_key / aes_iv from `msgKey` into the fixed buffers. */
  function kdf(s: AuthKeyState, x: number, flags: number): void {
    if (flags & ENV_V1) {
      const inp = v1Inputs(s)
      const base = x >> 1
      for (let i = 0; i < 4; i++) {
        inp[base + i].set(msgKey, V1_HOLES[i])
        sha1(inp[base + i], d1[i])
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
    sha256(ia, dA)
    sha256(ib, dB)
    // aes_key = a[0..8] ‖ b[8..24] ‖ a[24..32], aes_iv = b[0..8] ‖ a[8..24] ‖ b[24..32]:
    // memcpy through views made once
    aesKey.set(a0, 0)
    aesKey.set(b1, 8)
    aesKey.set(a2, 24)
    aesIv.set(b0, 0)
    aesIv.set(a1, 8)
    aesIv.set(b2, 24)
    dA.fill(0)
    dB.fill(0)
  }

  return {
    encryptMessage(s, inner, pad, padOff, padLen, x, flags, out) {
      const n = inner.length + padLen
      // plaintext at w[32 .. 32+n], preceded by the msg_key salt key[88+x .. 120+x] (2.0)
      const w = work(32 + n)
      w.set(inner, 32)
      for (let i = 0; i < padLen; i++) w[32 + inner.length + i] = pad[padOff + i]
      let ho: number
      if (flags & ENV_V1) {
        sha1(w.subarray(32, 32 + inner.length), dM)
        ho = 4
      } else {
        w.set(s.msgKeySalt[x >> 3], 0)
        sha256(vHash(w, 0, 32 + n), dM)
        ho = 8
      }
      for (let i = 0; i < 16; i++) msgKey[i] = dM[ho + i]
      dM.fill(0)
      kdf(s, x, flags)
      core.igeEncrypt(vPlain(w, 32, 32 + n), aesKey, aesIv, vOut(out, 24, 24 + n))
      // Header last: `out` never overlaps `inner`, but writing it after the data is harmless.
      for (let i = 0; i < 8; i++) out[i] = s.id[i]
      for (let i = 0; i < 16; i++) out[8 + i] = msgKey[i]
      w.fill(0, 0, 32 + n)
      aesKey.fill(0)
      aesIv.fill(0)
    },

    decryptMessage(s, packet, x, flags, out) {
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

      kdf(s, x, flags)
      const w = work(32 + n)
      core.igeDecrypt(vIn(packet, 24, 24 + n), aesKey, aesIv, vPlain(w, 32, 32 + n))
      aesKey.fill(0)
      aesIv.fill(0)

      // length field, read from the plaintext (zero if the plaintext is too short to hold it)
      const lo = 32 + hdr - 4
      const len = n >= hdr ? (w[lo] | (w[lo + 1] << 8) | (w[lo + 2] << 16) | (w[lo + 3] << 24)) >>> 0 : 0
      const rem = n - hdr // may be negative for a short packet
      let hoff: number
      if (flags & ENV_V1) {
        // 1.0 hashes only inner (without padding), so its length comes from the unauthenticated
        // length field: clamp it into the plaintext. The hashing time then depends on that
        // field, a weakness of MTProto 1.0 itself (deprecated; see envelope.ts).
        const m = rem < 0 ? 0 : len > rem ? rem : len
        sha1(w.subarray(32, 32 + (rem < 0 ? n : hdr + m)), dM)
        hoff = 4
      } else {
        w.set(s.msgKeySalt[x >> 3], 0)
        sha256(vHash(w, 0, 32 + n), dM)
        hoff = 8
      }
      // constant-time msg_key comparison
      d = 0
      for (let i = 0; i < 16; i++) d |= dM[hoff + i] ^ msgKey[i]
      dM.fill(0)
      if (d !== 0) fail |= ENV_FAIL_MSG_KEY
      // The checks below read authenticated data once msg_key matched; they run regardless.
      if (rem < 0 || len > rem) fail |= ENV_FAIL_LENGTH
      if (len % 4 !== 0) fail |= ENV_FAIL_ALIGN
      const padLen = rem - len
      if (flags & ENV_V1 ? padLen < 0 || padLen > 15 : padLen < 12 || padLen > 1024) fail |= ENV_FAIL_PADDING

      if (fail === 0) {
        const m = hdr + len
        out.set(vInner(w, 32, 32 + m))
      }
      w.fill(0, 0, 32 + n)
      return fail === 0 ? hdr + len : -fail
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Allocation-free SHA-256 and SHA-1 (FIPS 180-4) for the pure-TS path: `CryptoCore.sha256Into`
// / `sha1Into`. The working state lives in module scratch and is zeroed after each digest (it
// holds auth-key bytes while hashing the KDF inputs).

const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
const IV256 = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
const IV1 = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0])
const W = new Int32Array(80)
const H = new Int32Array(8)
const tail = new Uint8Array(128)

const tailView: DataView<ArrayBufferLike> = new DataView(tail.buffer)
/**
 * A DataView of the last buffer whose full blocks were hashed: DataView loads are the fastest
 * big-endian reads in V8, and caching the view keeps steady-state hashing allocation-free (the
 * envelope hashes its own scratch buffer; short inputs such as the KDF's 52 bytes never get here).
 */
let dvBuf: ArrayBufferLike = tail.buffer
let dv: DataView<ArrayBufferLike> = tailView
function view(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b.buffer !== dvBuf) {
    dvBuf = b.buffer
    dv = new DataView(b.buffer)
  }
  return dv
}

function put32(b: Uint8Array, p: number, w: number): void {
  b[p] = w >>> 24
  b[p + 1] = w >>> 16
  b[p + 2] = w >>> 8
  b[p + 3] = w
}

/** One block at byte `p` of `v`'s buffer. */
function block256(v: DataView<ArrayBufferLike>, p: number): void {
  for (let i = 0; i < 16; i++) W[i] = v.getInt32(p + 4 * i)
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]
    const y = W[i - 2]
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0
  }
  let a = H[0], b1 = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7]
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K256[i] + W[i]) | 0
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b1
    b1 = a
    a = (t1 + t2) | 0
  }
  H[0] = (H[0] + a) | 0
  H[1] = (H[1] + b1) | 0
  H[2] = (H[2] + c) | 0
  H[3] = (H[3] + d) | 0
  H[4] = (H[4] + e) | 0
  H[5] = (H[5] + f) | 0
  H[6] = (H[6] + g) | 0
  H[7] = (H[7] + h) | 0
}

function block1(v: DataView<ArrayBufferLike>, p: number): void {
  for (let i = 0; i < 16; i++) W[i] = v.getInt32(p + 4 * i)
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16]
    W[i] = (x << 1) | (x >>> 31)
  }
  let a = H[0], b1 = H[1], c = H[2], d = H[3], e = H[4]
  for (let i = 0; i < 80; i++) {
    const f = i < 20 ? (b1 & c) | (~b1 & d) : i < 40 ? b1 ^ c ^ d : i < 60 ? (b1 & c) | (b1 & d) | (c & d) : b1 ^ c ^ d
    const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6
    const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]) | 0
    e = d
    d = c
    c = (b1 << 30) | (b1 >>> 2)
    b1 = a
    a = t
  }
  H[0] = (H[0] + a) | 0
  H[1] = (H[1] + b1) | 0
  H[2] = (H[2] + c) | 0
  H[3] = (H[3] + d) | 0
  H[4] = (H[4] + e) | 0
}

/** Merkle–Damgård over `data` with the given block function; digest (iv.length words) to `out`. */
function md(data: Uint8Array, out: Uint8Array, iv: Int32Array, block: (v: DataView<ArrayBufferLike>, p: number) => void): void {
  H.set(iv)
  const n = data.length
  const full = n - (n & 63)
  if (full > 0) {
    const v = view(data)
    for (let p = data.byteOffset, e = p + full; p < e; p += 64) block(v, p)
  }
  const rem = n - full
  for (let i = 0; i < rem; i++) tail[i] = data[full + i]
  tail[rem] = 0x80
  const end = rem < 56 ? 64 : 128
  tail.fill(0, rem + 1, end - 8)
  put32(tail, end - 8, Math.floor(n / 0x20000000)) // bit length, big-endian 64-bit
  put32(tail, end - 4, (n * 8) >>> 0)
  block(tailView, 0)
  if (end === 128) block(tailView, 64)
  for (let i = 0; i < iv.length; i++) put32(out, 4 * i, H[i])
  H.fill(0)
  W.fill(0)
  tail.fill(0, 0, end)
}

/** SHA-256 of `data` into `out[0..32]`, allocating nothing. */
export function sha256Into(data: Uint8Array, out: Uint8Array): void {
  md(data, out, IV256, block256)
}

/** SHA-1 of `data` into `out[0..20]`, allocating nothing. */
export function sha1Into(data: Uint8Array, out: Uint8Array): void {
  md(data, out, IV1, block1)
}
