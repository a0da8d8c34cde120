// The MTProto 2.0 / 1.0 envelope in one call per message (src/crypto/js/mtproto.ts is the
// composed reference this must match byte for byte; its header gives the wire formats).
//
// Data placement (host side: src/crypto/wasm/core.ts). A message's plaintext lives at `ptr`
// inside SCRATCH (ptr = SCRATCH for single messages); the 32 bytes before it are the message's
// own header room:
//   [ptr-32, ptr)    2.0: the msg_key salt key[88+x .. 120+x], so SHA-256(salt ‖ plaintext ‖
//                    padding) is one pass over [ptr-32, ptr+n) with no copy
//   [ptr-24, ptr)    the packet header key_id ‖ msg_key: the host writes a packet at ptr-24 for
//                    decryption (read before the salt overwrites it); encryption leaves its
//                    header there, so the packet is [ptr-24, ptr+n) and leaves in one copy.
// The auth key is cached at ENV_AUTH / ENV_ID by the host (kept across calls while it stays the
// same key; the host zeroes it when the key is disposed). Every other temporary (msg_key, KDF
// inputs and digests, AES key / IV / schedules, hash state) is zeroed before a call returns.
//
// Constant time: no branch or address depends on a secret. Public values choose: flags, x,
// lengths. The decryption checks are computed as masks, all of them every time, and only the
// final mask decides (at the end) whether the plaintext is wiped.
import { CT_CONST, DIGEST, ENV_AUTH, ENV_DA, ENV_ID, ENV_IV4, ENV_JOB4, ENV_KDF_A, ENV_KDF_B, ENV_MSGKEY, ENV_RK4, ENV_SHAK, ENV_SHAW, IV, KEY, RK_DEC, RK_ENC } from './layout'
import { sha256, sha256WriteK } from './sha256'
import { sha1 } from './sha1'
import { tabExpandDec, tabExpandEnc } from './aes'
import { tabIgeDecrypt, tabIgeEncrypt } from './ige'
import {
  ctDecrypt, ctEncrypt, ctExpandDec, ctExpandEnc, ctIgeDecrypt, ctIgeEncrypt, hi4, lin, lo4, swz, tb,
  INV, INVA, IPT_LO, IPT_HI, SBOU, SBOT, SB1U, SB1T, SB2U, SB2T, DIPT_LO, DIPT_HI, DSBOU, DSBOT, DSB9U, DSB9T, DSBDU, DSBDT, DSBBU, DSBBT, DSBEU, DSBET, SRP, EROT1, EROT2, DROT1,
} from './ct'

// flags and failure bits: the same values as src/crypto/types.ts
const ENV_V1: u32 = 1
const ENV_E2E: u32 = 2
const FAIL_KEY_ID: i32 = 1
const FAIL_SHAPE: i32 = 2
const FAIL_MSG_KEY: i32 = 4
const FAIL_LENGTH: i32 = 8
const FAIL_ALIGN: i32 = 16
const FAIL_PADDING: i32 = 32

/** Zeroes the per-call key material: KEY, IV, both schedules, DIGEST, hash state and pad (0x2800..0x2b40). */
// @ts-ignore: decorator
@inline function wipeKeys(): void {
  memory.fill(KEY, 0, 0x2b40 - KEY)
}

/** Zeroes msg_key and the KDF buffers. */
// @ts-ignore: decorator
@inline function wipeEnv(): void {
  memory.fill(ENV_MSGKEY, 0, ENV_DA + 32 - ENV_MSGKEY)
}

// ---- the two KDF hashes side by side (SIMD flavours) ----------------------------------------
//
// sha256_a and sha256_b are independent one-block hashes of 52-byte inputs. SHA-256 in scalar
// code is bound by the instructions it issues (~50 per round in V8's output); two messages in
// two lanes of i32x4 registers take one vector instruction per step for both, so the pair costs
// about what one scalar hash did.

/** Writes the SHA-256 round constants K at ENV_SHAK (for the 2-lane KDF and sha256Blocks' rolled rounds); once at instantiation. */
export function envInit(): void {
  sha256WriteK(ENV_SHAK)
}

// @ts-ignore: decorator
@inline function rotv(x: v128, n: i32): v128 { return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n)) }

// @ts-ignore: decorator
@inline function wordsAt(pa: usize, pb: usize, off: usize): v128 {
  return i32x4.replace_lane(i32x4.splat(bswap<u32>(load<u32>(pa + off))), 1, bswap<u32>(load<u32>(pb + off)))
}

/** SHA-256 of [pa, pa+52) into [da, da+32) and of [pb, pb+52) into [db, db+32), in lanes 0 and 1. */
function sha256Pair52(pa: usize, pb: usize, da: usize, db: usize): void {
  if (ASC_FEATURE_SIMD) {
    // the padded block: 13 data words, 0x80 then zeros, the bit length 416 in the last word
    for (let i: usize = 0; i < 52; i += 4) v128.store(ENV_SHAW + (i << 2), wordsAt(pa, pb, i))
    v128.store(ENV_SHAW + 13 * 16, i32x4.splat(0x80000000))
    v128.store(ENV_SHAW + 14 * 16, i32x4.splat(0))
    v128.store(ENV_SHAW + 15 * 16, i32x4.splat(416))
    for (let q: usize = 16; q < 64; q++) {
      const wp = ENV_SHAW + ((q - 16) << 4)
      const w2 = v128.load(wp, 14 * 16)
      const w15 = v128.load(wp, 16)
      const s1 = v128.xor(v128.xor(rotv(w2, 17), rotv(w2, 19)), i32x4.shr_u(w2, 10))
      const s0 = v128.xor(v128.xor(rotv(w15, 7), rotv(w15, 18)), i32x4.shr_u(w15, 3))
      v128.store(wp, i32x4.add(i32x4.add(s1, v128.load(wp, 9 * 16)), i32x4.add(s0, v128.load(wp))), 16 * 16)
    }
    const a0 = i32x4.splat(0x6a09e667), b0 = i32x4.splat(0xbb67ae85), c0 = i32x4.splat(0x3c6ef372), d0 = i32x4.splat(0xa54ff53a)
    const e0 = i32x4.splat(0x510e527f), f0 = i32x4.splat(0x9b05688c), g0 = i32x4.splat(0x1f83d9ab), h0 = i32x4.splat(0x5be0cd19)
    let a = a0, b = b0, c = c0, d = d0, e = e0, f = f0, g = g0, h = h0
    for (let q: usize = 0; q < 64; q++) {
      const t1 = i32x4.add(
        i32x4.add(h, v128.xor(v128.xor(rotv(e, 6), rotv(e, 11)), rotv(e, 25))),
        i32x4.add(v128.bitselect(f, g, e), i32x4.add(v128.load32_splat(ENV_SHAK + (q << 2)), v128.load(ENV_SHAW + (q << 4)))),
      )
      const t2 = i32x4.add(v128.xor(v128.xor(rotv(a, 2), rotv(a, 13)), rotv(a, 22)), v128.bitselect(c, b, v128.xor(a, b)))
      h = g; g = f; f = e; e = i32x4.add(d, t1); d = c; c = b; b = a; a = i32x4.add(t1, t2)
    }
    putLane(da, db, 0, i32x4.add(a, a0)); putLane(da, db, 4, i32x4.add(b, b0))
    putLane(da, db, 8, i32x4.add(c, c0)); putLane(da, db, 12, i32x4.add(d, d0))
    putLane(da, db, 16, i32x4.add(e, e0)); putLane(da, db, 20, i32x4.add(f, f0))
    putLane(da, db, 24, i32x4.add(g, g0)); putLane(da, db, 28, i32x4.add(h, h0))
    memory.fill(ENV_SHAW, 0, 1024)
  }
}

// @ts-ignore: decorator
@inline function putLane(da: usize, db: usize, off: usize, v: v128): void {
  store<u32>(da + off, bswap<u32>(i32x4.extract_lane(v, 0)))
  store<u32>(db + off, bswap<u32>(i32x4.extract_lane(v, 1)))
}

/** aes_key / aes_iv into KEY / IV from the msg_key at ENV_MSGKEY and the cached auth key. */
function kdf(x: usize, flags: u32): void {
  const k = ENV_AUTH + x
  if (flags & ENV_V1) {
    // a = SHA-1(msg_key ‖ key[x..x+32]), b = SHA-1(key[32+x..48+x] ‖ msg_key ‖ key[48+x..64+x]),
    // c = SHA-1(key[64+x..96+x] ‖ msg_key), d = SHA-1(msg_key ‖ key[96+x..128+x])
    // aes_key = a[0..8] ‖ b[8..20] ‖ c[4..16], aes_iv = a[8..20] ‖ b[0..8] ‖ c[16..20] ‖ d[0..8]
    const t = ENV_KDF_A
    memory.copy(t, ENV_MSGKEY, 16)
    memory.copy(t + 16, k, 32)
    sha1(t, 48)
    memory.copy(KEY, DIGEST, 8)
    memory.copy(IV, DIGEST + 8, 12)
    memory.copy(t, k + 32, 16)
    memory.copy(t + 16, ENV_MSGKEY, 16)
    memory.copy(t + 32, k + 48, 16)
    sha1(t, 48)
    memory.copy(KEY + 8, DIGEST + 8, 12)
    memory.copy(IV + 12, DIGEST, 8)
    memory.copy(t, k + 64, 32)
    memory.copy(t + 32, ENV_MSGKEY, 16)
    sha1(t, 48)
    memory.copy(KEY + 20, DIGEST + 4, 12)
    memory.copy(IV + 20, DIGEST + 16, 4)
    memory.copy(t, ENV_MSGKEY, 16)
    memory.copy(t + 16, k + 96, 32)
    sha1(t, 48)
    memory.copy(IV + 24, DIGEST, 8)
  } else {
    // a = SHA-256(msg_key ‖ key[x .. x+36]), b = SHA-256(key[40+x .. 76+x] ‖ msg_key)
    // aes_key = a[0..8] ‖ b[8..24] ‖ a[24..32], aes_iv = b[0..8] ‖ a[8..24] ‖ b[24..32]
    memory.copy(ENV_KDF_A, ENV_MSGKEY, 16)
    memory.copy(ENV_KDF_A + 16, k, 36)
    memory.copy(ENV_KDF_B, k + 40, 36)
    memory.copy(ENV_KDF_B + 36, ENV_MSGKEY, 16)
    if (ASC_FEATURE_SIMD) {
      sha256Pair52(ENV_KDF_A, ENV_KDF_B, ENV_DA, DIGEST)
    } else {
      sha256(ENV_KDF_A, 52)
      memory.copy(ENV_DA, DIGEST, 32)
      sha256(ENV_KDF_B, 52)
    }
    const a = ENV_DA
    const b = DIGEST
    store<u64>(KEY, load<u64>(a))
    store<u64>(KEY + 8, load<u64>(b + 8))
    store<u64>(KEY + 16, load<u64>(b + 16))
    store<u64>(KEY + 24, load<u64>(a + 24))
    store<u64>(IV, load<u64>(b))
    store<u64>(IV + 8, load<u64>(a + 8))
    store<u64>(IV + 16, load<u64>(a + 16))
    store<u64>(IV + 24, load<u64>(b + 24))
  }
  memory.fill(DIGEST, 0, 32)
}

// @ts-ignore: decorator
@inline function igeEnc(ptr: usize, n: usize, ct: bool): void {
  if (ASC_FEATURE_SIMD) {
    if (ct) {
      ctExpandEnc()
      ctIgeEncrypt(ptr, n)
      return
    }
  }
  tabExpandEnc(KEY)
  tabIgeEncrypt(ptr, n)
}

// @ts-ignore: decorator
@inline function igeDec(ptr: usize, n: usize, ct: bool): void {
  if (ASC_FEATURE_SIMD) {
    if (ct) {
      ctExpandDec()
      ctIgeDecrypt(ptr, n)
      return
    }
  }
  tabExpandDec(KEY)
  tabIgeDecrypt(ptr, n)
}

/**
 * Encryption up to the AES: msg_key over the plaintext [ptr, ptr+n) (inner is its first
 * innerLen bytes, padding follows), the packet header at ptr-24, aes_key / aes_iv at KEY / IV.
 */
function encPrepare(ptr: usize, x: usize, flags: u32, innerLen: usize, n: usize): void {
  if (flags & ENV_V1) {
    sha1(ptr, innerLen)
    memory.copy(ENV_MSGKEY, DIGEST + 4, 16)
  } else {
    memory.copy(ptr - 32, ENV_AUTH + 88 + x, 32)
    sha256(ptr - 32, 32 + n)
    memory.copy(ENV_MSGKEY, DIGEST + 8, 16)
  }
  kdf(x, flags)
  // header: key_id ‖ msg_key over the salt (whose first 8 bytes are zeroed)
  memory.fill(ptr - 32, 0, 8)
  memory.copy(ptr - 24, ENV_ID, 8)
  memory.copy(ptr - 16, ENV_MSGKEY, 16)
}

/**
 * Encrypts one message in place: the plaintext inner ‖ padding at [ptr, ptr+n) (the host wrote
 * both) becomes the packet key_id ‖ msg_key ‖ ciphertext at [ptr-24, ptr+n).
 */
export function envEncrypt(ptr: usize, x: usize, flags: u32, innerLen: usize, n: usize, ct: bool): void {
  encPrepare(ptr, x, flags, innerLen, n)
  igeEnc(ptr, n, ct)
  wipeKeys()
  wipeEnv()
}

/** Header of the layout: bytes before the body; the length field is its last 4 bytes. */
// @ts-ignore: decorator
@inline function hdrOf(flags: u32): i64 { return flags & ENV_E2E ? 4 : 32 }

/** The ciphertext length decryption processes: the 16-byte-aligned part after the header. */
// @ts-ignore: decorator
@inline function bodyOf(total: usize): usize { return total >= 24 ? (total - 24) & ~15 : 0 }

/**
 * Decryption up to the AES: the checks that need no plaintext (shape: public; auth_key_id: as a
 * mask), msg_key from the packet, aes_key / aes_iv at KEY / IV. The packet is at ptr-24, the
 * host zero-filled its missing bytes if it is shorter than 24.
 */
function decPrepare(ptr: usize, x: usize, flags: u32, total: usize): i32 {
  const hdr = hdrOf(flags)
  const minPlain = (hdr + (flags & ENV_V1 ? 0 : 12) + 15) & ~15
  let fail: i32 = 0
  if (<i64>total < 24 + minPlain || ((total - 24) & 15) != 0) fail |= FAIL_SHAPE
  const d = load<u64>(ptr - 24) ^ load<u64>(ENV_ID)
  fail |= FAIL_KEY_ID & -<i32>(d != 0)
  memory.copy(ENV_MSGKEY, ptr - 16, 16)
  kdf(x, flags)
  return fail
}

/**
 * The checks on the plaintext at [ptr, ptr+n) (n = bodyOf(total)): recomputed msg_key compared
 * in constant time, length field ≤ remaining data and divisible by 4, padding 12..1024 (0..15
 * for 1.0), all evaluated. Returns the inner length, or -(failure mask) after zeroing the
 * plaintext. Zeroes every temporary either way; the host zeroes the plaintext after copying it.
 */
function decFinish(ptr: usize, x: usize, flags: u32, total: usize, fail: i32): i32 {
  const n = bodyOf(total)
  const hdr = hdrOf(flags)
  const len: i64 = <i64>n >= hdr ? <i64>load<u32>(ptr + <usize>hdr - 4) : 0
  const rem: i64 = <i64>n - hdr
  let hoff: usize
  if (flags & ENV_V1) {
    // 1.0 hashes inner without padding: its length comes from the (clamped) length field, as in
    // the composed path; this makes the hashing time depend on that field (inherent to 1.0)
    const m: i64 = rem < 0 ? 0 : len > rem ? rem : len
    sha1(ptr, rem < 0 ? n : <usize>(hdr + m))
    hoff = 4
  } else {
    memory.copy(ptr - 32, ENV_AUTH + 88 + x, 32)
    sha256(ptr - 32, 32 + n)
    memory.fill(ptr - 32, 0, 32)
    hoff = 8
  }
  const d = (load<u64>(DIGEST + hoff) ^ load<u64>(ENV_MSGKEY)) | (load<u64>(DIGEST + hoff + 8) ^ load<u64>(ENV_MSGKEY + 8))
  fail |= FAIL_MSG_KEY & -<i32>(d != 0)
  fail |= FAIL_LENGTH & -(<i32>(rem < 0) | <i32>(len > rem))
  fail |= FAIL_ALIGN & -<i32>((len & 3) != 0)
  const padLen = rem - len
  const badPad = flags & ENV_V1 ? <i32>(padLen < 0) | <i32>(padLen > 15) : <i32>(padLen < 12) | <i32>(padLen > 1024)
  fail |= FAIL_PADDING & -badPad
  wipeKeys()
  wipeEnv()
  if (fail != 0) {
    memory.fill(ptr, 0, n)
    return -fail
  }
  return <i32>(hdr + len)
}

/**
 * Decrypts and checks the packet the host wrote at [ptr-24, ptr-24+total): the inner message
 * (without padding) is left at ptr and its length returned, or -(ENV_FAIL_* mask) with the
 * plaintext zeroed.
 */
export function envDecrypt(ptr: usize, x: usize, flags: u32, total: usize, ct: bool): i32 {
  const fail = decPrepare(ptr, x, flags, total)
  igeDec(ptr, bodyOf(total), ct)
  return decFinish(ptr, x, flags, total, fail)
}

// ---- batches: up to 4 independent messages interleaved in the constant-time core ----------
//
// Per message one call prepares it (msg_key, KDF, schedule into slot i of ENV_RK4, chaining
// state into ENV_IV4, and for decryption the first checks), then one call runs the four IGE
// chains side by side (each chain is serial; the four are independent, so the CPU overlaps
// them), then (decryption) one call per message finishes the checks. Slot i's job descriptor
// (ptr, len) is at ENV_JOB4 + 8i.

function saveSlot(i: usize, rk: usize, ptr: usize, n: usize): void {
  memory.copy(ENV_RK4 + (i << 8), rk, 240)
  memory.copy(ENV_IV4 + (i << 5), IV, 32)
  store<u32>(ENV_JOB4 + (i << 3), <u32>ptr)
  store<u32>(ENV_JOB4 + (i << 3), <u32>n, 4)
  wipeKeys()
}

/** Prepares message i (0..3) of a constant-time batch encryption (see envEncrypt). */
export function envEncryptPrepare(i: usize, ptr: usize, x: usize, flags: u32, innerLen: usize, n: usize): void {
  encPrepare(ptr, x, flags, innerLen, n)
  wipeEnv()
  if (ASC_FEATURE_SIMD) ctExpandEnc()
  saveSlot(i, RK_ENC, ptr, n)
}

/** Prepares packet i (0..3) of a constant-time batch decryption; returns its partial failure mask. */
export function envDecryptPrepare(i: usize, ptr: usize, x: usize, flags: u32, total: usize): i32 {
  const fail = decPrepare(ptr, x, flags, total)
  memory.fill(ENV_MSGKEY, 0, 16)
  if (ASC_FEATURE_SIMD) ctExpandDec()
  saveSlot(i, RK_DEC, ptr, bodyOf(total))
  return fail
}

/** Finishes packet i of a batch decryption (see envDecrypt); `fail` is what the prepare call returned. */
export function envDecryptFinish(ptr: usize, x: usize, flags: u32, total: usize, fail: i32): i32 {
  // msg_key again from the packet header (the prepare call zeroed its copy)
  memory.copy(ENV_MSGKEY, ptr - 16, 16)
  return decFinish(ptr, x, flags, total, fail)
}

// @ts-ignore: decorator
@inline function jobPtr(i: usize): usize { return <usize>load<u32>(ENV_JOB4 + (i << 3)) }
// @ts-ignore: decorator
@inline function jobLen(i: usize): usize { return <usize>load<u32>(ENV_JOB4 + (i << 3), 4) }

/** One IGE chain of slot i over blocks [from, to) of its message (the tail beyond the common part). */
function igeSlot(i: usize, from: usize, to: usize, enc: bool): void {
  if (ASC_FEATURE_SIMD) {
    const rk = ENV_RK4 + (i << 8)
    const ivp = ENV_IV4 + (i << 5)
    let c = v128.load(ivp)
    let m = v128.load(ivp, 16)
    const base = jobPtr(i)
    for (let p = base + from; p < base + to; p += 16) {
      const x = v128.load(p)
      if (enc) {
        c = v128.xor(ctEncrypt(v128.xor(x, c), rk), m)
        v128.store(p, c)
        m = x
      } else {
        m = v128.xor(ctDecrypt(v128.xor(x, m), rk), c)
        v128.store(p, m)
        c = x
      }
    }
    v128.store(ivp, c)
    v128.store(ivp, m, 16)
  }
}

/**
 * Runs the IGE chains of slots 0..count-1 (count 1..4): the blocks all of them have, four (or
 * count) chains per loop iteration; then each longer message's rest alone. Zeroes the slots.
 */
function ige4(count: usize, enc: bool): void {
  if (ASC_FEATURE_SIMD) {
    let common = jobLen(0)
    for (let i: usize = 1; i < count; i++) common = min(common, jobLen(i))
    if (count == 4) {
      if (enc) ige4Enc(common)
      else ige4Dec(common)
      for (let i: usize = 0; i < 4; i++) igeSlot(i, common, jobLen(i), enc)
    } else {
      for (let i: usize = 0; i < count; i++) igeSlot(i, 0, jobLen(i), enc)
    }
  }
}


// The ct core's constants and shuffle helpers come from ct.ts (it writes them at CT_CONST in ctInit).

/**
 * Four AES-256 encryptions in lockstep (the ct core's rounds, as in ct.ts's
 * ctEncrypt, each step done for the four states before the next, so the four
 * independent dependency chains overlap in the CPU): the IGE blocks [0, len) of the four
 * messages in slots 0..3, chaining state in ENV_IV4.
 */
function ige4Enc(len: usize): void {
  if (ASC_FEATURE_SIMD) {
    const p0 = jobPtr(0), rk0 = ENV_RK4 + 0
    const p1 = jobPtr(1), rk1 = ENV_RK4 + 256
    const p2 = jobPtr(2), rk2 = ENV_RK4 + 512
    const p3 = jobPtr(3), rk3 = ENV_RK4 + 768
    let c0 = v128.load(ENV_IV4 + 0), m0 = v128.load(ENV_IV4 + 16)
    let c1 = v128.load(ENV_IV4 + 32), m1 = v128.load(ENV_IV4 + 48)
    let c2 = v128.load(ENV_IV4 + 64), m2 = v128.load(ENV_IV4 + 80)
    let c3 = v128.load(ENV_IV4 + 96), m3 = v128.load(ENV_IV4 + 112)
    for (let off: usize = 0; off < len; off += 16) {
      const x0 = v128.load(p0 + off)
      const x1 = v128.load(p1 + off)
      const x2 = v128.load(p2 + off)
      const x3 = v128.load(p3 + off)
      let s0 = v128.xor(x0, c0)
      let s1 = v128.xor(x1, c1)
      let s2 = v128.xor(x2, c2)
      let s3 = v128.xor(x3, c3)
      s0 = v128.xor(lin(s0, IPT_LO, IPT_HI), v128.load(rk0))
      s1 = v128.xor(lin(s1, IPT_LO, IPT_HI), v128.load(rk1))
      s2 = v128.xor(lin(s2, IPT_LO, IPT_HI), v128.load(rk2))
      s3 = v128.xor(lin(s3, IPT_LO, IPT_HI), v128.load(rk3))
      for (let r: usize = 1; r < 14; r++) {
        const o = r << 4
        const q: usize = (r & 3) << 4
        const r1 = tb(EROT1 + q)
        const r2 = tb(EROT2 + q)
        const k0 = lo4(s0)
        const k1 = lo4(s1)
        const k2 = lo4(s2)
        const k3 = lo4(s3)
        const i0 = hi4(s0)
        const i1 = hi4(s1)
        const i2 = hi4(s2)
        const i3 = hi4(s3)
        const j0 = v128.xor(i0, k0)
        const j1 = v128.xor(i1, k1)
        const j2 = v128.xor(i2, k2)
        const j3 = v128.xor(i3, k3)
        const ak0 = swz(tb(INVA), k0)
        const ak1 = swz(tb(INVA), k1)
        const ak2 = swz(tb(INVA), k2)
        const ak3 = swz(tb(INVA), k3)
        const io0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i0), ak0)), j0)
        const io1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i1), ak1)), j1)
        const io2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i2), ak2)), j2)
        const io3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i3), ak3)), j3)
        const jo0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j0), ak0)), i0)
        const jo1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j1), ak1)), i1)
        const jo2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j2), ak2)), i2)
        const jo3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j3), ak3)), i3)
        const a0 = v128.xor(swz(tb(SB1U), io0), swz(tb(SB1T), jo0))
        const a1 = v128.xor(swz(tb(SB1U), io1), swz(tb(SB1T), jo1))
        const a2 = v128.xor(swz(tb(SB1U), io2), swz(tb(SB1T), jo2))
        const a3 = v128.xor(swz(tb(SB1U), io3), swz(tb(SB1T), jo3))
        const b0 = v128.xor(swz(tb(SB2U), io0), swz(tb(SB2T), jo0))
        const b1 = v128.xor(swz(tb(SB2U), io1), swz(tb(SB2T), jo1))
        const b2 = v128.xor(swz(tb(SB2U), io2), swz(tb(SB2T), jo2))
        const b3 = v128.xor(swz(tb(SB2U), io3), swz(tb(SB2T), jo3))
        // MixColumns with two shuffles, as ct.ts's emix: (b ^ rk ^ t) ^ rot1(b ^ a ^ t), t = rot2(a)
        const t0 = swz(a0, r2)
        const t1 = swz(a1, r2)
        const t2 = swz(a2, r2)
        const t3 = swz(a3, r2)
        s0 = v128.xor(v128.xor(v128.xor(b0, v128.load(rk0 + o)), t0), swz(v128.xor(v128.xor(b0, a0), t0), r1))
        s1 = v128.xor(v128.xor(v128.xor(b1, v128.load(rk1 + o)), t1), swz(v128.xor(v128.xor(b1, a1), t1), r1))
        s2 = v128.xor(v128.xor(v128.xor(b2, v128.load(rk2 + o)), t2), swz(v128.xor(v128.xor(b2, a2), t2), r1))
        s3 = v128.xor(v128.xor(v128.xor(b3, v128.load(rk3 + o)), t3), swz(v128.xor(v128.xor(b3, a3), t3), r1))
      }
      {
        const k0 = lo4(s0)
        const k1 = lo4(s1)
        const k2 = lo4(s2)
        const k3 = lo4(s3)
        const i0 = hi4(s0)
        const i1 = hi4(s1)
        const i2 = hi4(s2)
        const i3 = hi4(s3)
        const j0 = v128.xor(i0, k0)
        const j1 = v128.xor(i1, k1)
        const j2 = v128.xor(i2, k2)
        const j3 = v128.xor(i3, k3)
        const ak0 = swz(tb(INVA), k0)
        const ak1 = swz(tb(INVA), k1)
        const ak2 = swz(tb(INVA), k2)
        const ak3 = swz(tb(INVA), k3)
        const io0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i0), ak0)), j0)
        const io1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i1), ak1)), j1)
        const io2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i2), ak2)), j2)
        const io3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i3), ak3)), j3)
        const jo0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j0), ak0)), i0)
        const jo1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j1), ak1)), i1)
        const jo2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j2), ak2)), i2)
        const jo3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j3), ak3)), i3)
        s0 = v128.xor(swz(v128.xor(swz(tb(SBOU), io0), swz(tb(SBOT), jo0)), tb(SRP + 32)), v128.load(rk0 + 224))
        s1 = v128.xor(swz(v128.xor(swz(tb(SBOU), io1), swz(tb(SBOT), jo1)), tb(SRP + 32)), v128.load(rk1 + 224))
        s2 = v128.xor(swz(v128.xor(swz(tb(SBOU), io2), swz(tb(SBOT), jo2)), tb(SRP + 32)), v128.load(rk2 + 224))
        s3 = v128.xor(swz(v128.xor(swz(tb(SBOU), io3), swz(tb(SBOT), jo3)), tb(SRP + 32)), v128.load(rk3 + 224))
      }
      c0 = v128.xor(s0, m0)
      c1 = v128.xor(s1, m1)
      c2 = v128.xor(s2, m2)
      c3 = v128.xor(s3, m3)
      v128.store(p0 + off, c0)
      v128.store(p1 + off, c1)
      v128.store(p2 + off, c2)
      v128.store(p3 + off, c3)
      m0 = x0
      m1 = x1
      m2 = x2
      m3 = x3
    }
    v128.store(ENV_IV4 + 0, c0); v128.store(ENV_IV4 + 16, m0)
    v128.store(ENV_IV4 + 32, c1); v128.store(ENV_IV4 + 48, m1)
    v128.store(ENV_IV4 + 64, c2); v128.store(ENV_IV4 + 80, m2)
    v128.store(ENV_IV4 + 96, c3); v128.store(ENV_IV4 + 112, m3)
  }
}
/**
 * Four AES-256 decryptions in lockstep (the ct core's rounds, as in ct.ts's
 * ctDecrypt, each step done for the four states before the next, so the four
 * independent dependency chains overlap in the CPU): the IGE blocks [0, len) of the four
 * messages in slots 0..3, chaining state in ENV_IV4.
 */
function ige4Dec(len: usize): void {
  if (ASC_FEATURE_SIMD) {
    const p0 = jobPtr(0), rk0 = ENV_RK4 + 0
    const p1 = jobPtr(1), rk1 = ENV_RK4 + 256
    const p2 = jobPtr(2), rk2 = ENV_RK4 + 512
    const p3 = jobPtr(3), rk3 = ENV_RK4 + 768
    let c0 = v128.load(ENV_IV4 + 0), m0 = v128.load(ENV_IV4 + 16)
    let c1 = v128.load(ENV_IV4 + 32), m1 = v128.load(ENV_IV4 + 48)
    let c2 = v128.load(ENV_IV4 + 64), m2 = v128.load(ENV_IV4 + 80)
    let c3 = v128.load(ENV_IV4 + 96), m3 = v128.load(ENV_IV4 + 112)
    for (let off: usize = 0; off < len; off += 16) {
      const x0 = v128.load(p0 + off)
      const x1 = v128.load(p1 + off)
      const x2 = v128.load(p2 + off)
      const x3 = v128.load(p3 + off)
      let s0 = v128.xor(x0, m0)
      let s1 = v128.xor(x1, m1)
      let s2 = v128.xor(x2, m2)
      let s3 = v128.xor(x3, m3)
      s0 = v128.xor(lin(s0, DIPT_LO, DIPT_HI), v128.load(rk0))
      s1 = v128.xor(lin(s1, DIPT_LO, DIPT_HI), v128.load(rk1))
      s2 = v128.xor(lin(s2, DIPT_LO, DIPT_HI), v128.load(rk2))
      s3 = v128.xor(lin(s3, DIPT_LO, DIPT_HI), v128.load(rk3))
      for (let r: usize = 1; r < 14; r++) {
        const o = r << 4
        const q: usize = (r & 3) << 4
        const r1 = tb(DROT1 + q)
        const k0 = lo4(s0)
        const k1 = lo4(s1)
        const k2 = lo4(s2)
        const k3 = lo4(s3)
        const i0 = hi4(s0)
        const i1 = hi4(s1)
        const i2 = hi4(s2)
        const i3 = hi4(s3)
        const j0 = v128.xor(i0, k0)
        const j1 = v128.xor(i1, k1)
        const j2 = v128.xor(i2, k2)
        const j3 = v128.xor(i3, k3)
        const ak0 = swz(tb(INVA), k0)
        const ak1 = swz(tb(INVA), k1)
        const ak2 = swz(tb(INVA), k2)
        const ak3 = swz(tb(INVA), k3)
        const io0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i0), ak0)), j0)
        const io1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i1), ak1)), j1)
        const io2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i2), ak2)), j2)
        const io3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i3), ak3)), j3)
        const jo0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j0), ak0)), i0)
        const jo1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j1), ak1)), i1)
        const jo2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j2), ak2)), i2)
        const jo3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j3), ak3)), i3)
        let m0 = v128.xor(swz(tb(DSB9U), io0), swz(tb(DSB9T), jo0))
        let m1 = v128.xor(swz(tb(DSB9U), io1), swz(tb(DSB9T), jo1))
        let m2 = v128.xor(swz(tb(DSB9U), io2), swz(tb(DSB9T), jo2))
        let m3 = v128.xor(swz(tb(DSB9U), io3), swz(tb(DSB9T), jo3))
        m0 = v128.xor(v128.xor(swz(tb(DSBDU), io0), swz(tb(DSBDT), jo0)), swz(m0, r1))
        m1 = v128.xor(v128.xor(swz(tb(DSBDU), io1), swz(tb(DSBDT), jo1)), swz(m1, r1))
        m2 = v128.xor(v128.xor(swz(tb(DSBDU), io2), swz(tb(DSBDT), jo2)), swz(m2, r1))
        m3 = v128.xor(v128.xor(swz(tb(DSBDU), io3), swz(tb(DSBDT), jo3)), swz(m3, r1))
        m0 = v128.xor(v128.xor(swz(tb(DSBBU), io0), swz(tb(DSBBT), jo0)), swz(m0, r1))
        m1 = v128.xor(v128.xor(swz(tb(DSBBU), io1), swz(tb(DSBBT), jo1)), swz(m1, r1))
        m2 = v128.xor(v128.xor(swz(tb(DSBBU), io2), swz(tb(DSBBT), jo2)), swz(m2, r1))
        m3 = v128.xor(v128.xor(swz(tb(DSBBU), io3), swz(tb(DSBBT), jo3)), swz(m3, r1))
        m0 = v128.xor(v128.xor(swz(tb(DSBEU), io0), swz(tb(DSBET), jo0)), swz(m0, r1))
        m1 = v128.xor(v128.xor(swz(tb(DSBEU), io1), swz(tb(DSBET), jo1)), swz(m1, r1))
        m2 = v128.xor(v128.xor(swz(tb(DSBEU), io2), swz(tb(DSBET), jo2)), swz(m2, r1))
        m3 = v128.xor(v128.xor(swz(tb(DSBEU), io3), swz(tb(DSBET), jo3)), swz(m3, r1))
        s0 = v128.xor(m0, v128.load(rk0 + o))
        s1 = v128.xor(m1, v128.load(rk1 + o))
        s2 = v128.xor(m2, v128.load(rk2 + o))
        s3 = v128.xor(m3, v128.load(rk3 + o))
      }
      {
        const k0 = lo4(s0)
        const k1 = lo4(s1)
        const k2 = lo4(s2)
        const k3 = lo4(s3)
        const i0 = hi4(s0)
        const i1 = hi4(s1)
        const i2 = hi4(s2)
        const i3 = hi4(s3)
        const j0 = v128.xor(i0, k0)
        const j1 = v128.xor(i1, k1)
        const j2 = v128.xor(i2, k2)
        const j3 = v128.xor(i3, k3)
        const ak0 = swz(tb(INVA), k0)
        const ak1 = swz(tb(INVA), k1)
        const ak2 = swz(tb(INVA), k2)
        const ak3 = swz(tb(INVA), k3)
        const io0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i0), ak0)), j0)
        const io1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i1), ak1)), j1)
        const io2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i2), ak2)), j2)
        const io3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i3), ak3)), j3)
        const jo0 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j0), ak0)), i0)
        const jo1 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j1), ak1)), i1)
        const jo2 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j2), ak2)), i2)
        const jo3 = v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j3), ak3)), i3)
        s0 = v128.xor(swz(v128.xor(swz(tb(DSBOU), io0), swz(tb(DSBOT), jo0)), tb(SRP + 32)), v128.load(rk0 + 224))
        s1 = v128.xor(swz(v128.xor(swz(tb(DSBOU), io1), swz(tb(DSBOT), jo1)), tb(SRP + 32)), v128.load(rk1 + 224))
        s2 = v128.xor(swz(v128.xor(swz(tb(DSBOU), io2), swz(tb(DSBOT), jo2)), tb(SRP + 32)), v128.load(rk2 + 224))
        s3 = v128.xor(swz(v128.xor(swz(tb(DSBOU), io3), swz(tb(DSBOT), jo3)), tb(SRP + 32)), v128.load(rk3 + 224))
      }
      m0 = v128.xor(s0, c0)
      m1 = v128.xor(s1, c1)
      m2 = v128.xor(s2, c2)
      m3 = v128.xor(s3, c3)
      v128.store(p0 + off, m0)
      v128.store(p1 + off, m1)
      v128.store(p2 + off, m2)
      v128.store(p3 + off, m3)
      c0 = x0
      c1 = x1
      c2 = x2
      c3 = x3
    }
    v128.store(ENV_IV4 + 0, c0); v128.store(ENV_IV4 + 16, m0)
    v128.store(ENV_IV4 + 32, c1); v128.store(ENV_IV4 + 48, m1)
    v128.store(ENV_IV4 + 64, c2); v128.store(ENV_IV4 + 80, m2)
    v128.store(ENV_IV4 + 96, c3); v128.store(ENV_IV4 + 112, m3)
  }
}
/** The batch's IGE over the prepared slots; zeroes the slots (schedules, chaining, jobs). */
export function envEncryptBatch(count: usize): void {
  ige4(count, true)
  memory.fill(ENV_RK4, 0, ENV_JOB4 + 32 - ENV_RK4)
}
export function envDecryptBatch(count: usize): void {
  ige4(count, false)
  memory.fill(ENV_RK4, 0, ENV_JOB4 + 32 - ENV_RK4)
}

/**
 * For benchmarks: the batch IGE alone over slots prepared once (no wipe; chaining continues
 * from call to call). Call envBatchWipe() afterwards.
 */
export function envBatchIge(count: usize, enc: bool): void { ige4(count, enc) }
export function envBatchWipe(): void { memory.fill(ENV_RK4, 0, ENV_JOB4 + 32 - ENV_RK4) }
