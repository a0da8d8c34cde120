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
import { DIGEST, ENV_AUTH, ENV_DA, ENV_ID, ENV_QACK, ENV_IV4, ENV_JOB4, ENV_KDF_A, ENV_KDF_B, ENV_MSGKEY, ENV_RK4, ENV_SHAK, ENV_SHAW, IV, KEY, KEYS_END, RK_DEC, RK_ENC } from './layout'
import { ENV_E2E, ENV_FAIL_ALIGN, ENV_FAIL_KEY_ID, ENV_FAIL_LENGTH, ENV_FAIL_MSG_KEY, ENV_FAIL_PADDING, ENV_FAIL_SHAPE, ENV_HOST_HASH, ENV_TOKEN, ENV_V1 } from './flags'
import { sha256, sha256WriteK } from './sha256'
import { sha1 } from './sha1'
import { tabExpandDec, tabExpandEnc } from './aes'
import { tabIgeDecrypt, tabIgeEncrypt } from './ige'
import { ctDecrypt, ctEncrypt, ctExpandDec, ctExpandEnc, ctFirst, ctIgeDecrypt, ctIgeEncrypt, ctLast, ctRound } from './ct'


/** Zeroes the per-call key material: KEY, IV, both schedules, DIGEST, hash state and pad. */
// @ts-ignore: decorator
@inline function wipeKeys(): void {
  memory.fill(KEY, 0, KEYS_END - KEY)
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

/**
 * AES-256-IGE in place over [ptr, ptr+n), key at KEY, chaining state at IV: the constant-time
 * core (`ct`, SIMD flavours) or the table core. `enc` is a constant at every call site.
 */
// @ts-ignore: decorator
@inline function ige(ptr: usize, n: usize, ct: bool, enc: bool): void {
  if (ASC_FEATURE_SIMD) {
    if (ct) {
      if (enc) {
        ctExpandEnc()
        ctIgeEncrypt(ptr, n)
      } else {
        ctExpandDec()
        ctIgeDecrypt(ptr, n)
      }
      return
    }
  }
  if (enc) {
    tabExpandEnc(KEY)
    tabIgeEncrypt(ptr, n)
  } else {
    tabExpandDec(KEY)
    tabIgeDecrypt(ptr, n)
  }
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
    if (!(flags & ENV_HOST_HASH)) {
      memory.copy(ptr - 32, ENV_AUTH + 88 + x, 32)
      sha256(ptr - 32, 32 + n)
    }
    memory.copy(ENV_MSGKEY, DIGEST + 8, 16)
  }
  if (flags & ENV_TOKEN) store<u32>(ENV_QACK, flags & ENV_V1 ? 0 : load<u32>(DIGEST))
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
  ige(ptr, n, ct, true)
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
  if (<i64>total < 24 + minPlain || ((total - 24) & 15) != 0) fail |= ENV_FAIL_SHAPE
  const d = load<u64>(ptr - 24) ^ load<u64>(ENV_ID)
  fail |= ENV_FAIL_KEY_ID & -<i32>(d != 0)
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
    if (!(flags & ENV_HOST_HASH)) {
      memory.copy(ptr - 32, ENV_AUTH + 88 + x, 32)
      sha256(ptr - 32, 32 + n)
    }
    memory.fill(ptr - 32, 0, 32)
    hoff = 8
  }
  const d = (load<u64>(DIGEST + hoff) ^ load<u64>(ENV_MSGKEY)) | (load<u64>(DIGEST + hoff + 8) ^ load<u64>(ENV_MSGKEY + 8))
  fail |= ENV_FAIL_MSG_KEY & -<i32>(d != 0)
  fail |= ENV_FAIL_LENGTH & -(<i32>(rem < 0) | <i32>(len > rem))
  fail |= ENV_FAIL_ALIGN & -<i32>((len & 3) != 0)
  const padLen = rem - len
  const badPad = flags & ENV_V1 ? <i32>(padLen < 0) | <i32>(padLen > 15) : <i32>(padLen < 12) | <i32>(padLen > 1024)
  fail |= ENV_FAIL_PADDING & -badPad
  // msg_key_large[0:4] for the quick-ACK token (ENV_TOKEN), kept only for a valid packet
  if (flags & ENV_TOKEN) store<u32>(ENV_QACK, flags & ENV_V1 ? 0 : load<u32>(DIGEST) & -<u32>(fail == 0))
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
  return decFinish(ptr, x, flags, total, decOpen(ptr, x, flags, total, ct))
}

/** decPrepare, then the decryption in place; returns decPrepare's partial failure mask. */
function decOpen(ptr: usize, x: usize, flags: u32, total: usize, ct: bool): i32 {
  const fail = decPrepare(ptr, x, flags, total)
  ige(ptr, bodyOf(total), ct, false)
  return fail
}

/**
 * envDecrypt in two calls for a host with a faster SHA-256 (MTProto 2.0 only): this one decrypts
 * and puts the key slice before the plaintext, so that the host hashes [ptr-32, ptr+n) straight
 * from memory (n = (total-24) & ~15) and writes the digest at DIGEST; envDecryptClose then does
 * every check. Returns the partial failure mask for envDecryptClose.
 */
export function envDecryptOpen(ptr: usize, x: usize, flags: u32, total: usize, ct: bool): i32 {
  const fail = decOpen(ptr, x, flags, total, ct)
  if (!(flags & ENV_V1)) memory.copy(ptr - 32, ENV_AUTH + 88 + x, 32)
  return fail
}
/** The checks of envDecrypt with the host's digest (see envDecryptOpen); same result and wipes. */
export function envDecryptClose(ptr: usize, x: usize, flags: u32, total: usize, fail: i32): i32 {
  return decFinish(ptr, x, flags | ENV_HOST_HASH, total, fail)
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


/**
 * Four IGE chains side by side, encryption or decryption (`enc` is a constant): the blocks
 * [0, len) of the messages in slots 0..3, chaining state in ENV_IV4. Each of the ct core's
 * rounds is applied to the four states in turn; the four dependency chains are independent,
 * so the CPU overlaps them. As in ct.ts's IGE loop, y = F(x ^ a) ^ b, then a = y, b = x, with
 * (a, b) = (c, m) encrypting and (m, c) decrypting; a slot's ENV_IV4 entry is c ‖ m.
 */
// @ts-ignore: decorator
@inline function ige4Lanes(len: usize, enc: bool): void {
  if (ASC_FEATURE_SIMD) {
    const p0 = jobPtr(0), rk0 = ENV_RK4 + 0
    const p1 = jobPtr(1), rk1 = ENV_RK4 + 256
    const p2 = jobPtr(2), rk2 = ENV_RK4 + 512
    const p3 = jobPtr(3), rk3 = ENV_RK4 + 768
    const ivA: usize = enc ? 0 : 16
    const ivB: usize = 16 - ivA
    let a0 = v128.load(ENV_IV4 + ivA), b0 = v128.load(ENV_IV4 + ivB)
    let a1 = v128.load(ENV_IV4 + 32 + ivA), b1 = v128.load(ENV_IV4 + 32 + ivB)
    let a2 = v128.load(ENV_IV4 + 64 + ivA), b2 = v128.load(ENV_IV4 + 64 + ivB)
    let a3 = v128.load(ENV_IV4 + 96 + ivA), b3 = v128.load(ENV_IV4 + 96 + ivB)
    for (let off: usize = 0; off < len; off += 16) {
      const x0 = v128.load(p0 + off)
      const x1 = v128.load(p1 + off)
      const x2 = v128.load(p2 + off)
      const x3 = v128.load(p3 + off)
      let s0 = ctFirst(v128.xor(x0, a0), rk0, enc)
      let s1 = ctFirst(v128.xor(x1, a1), rk1, enc)
      let s2 = ctFirst(v128.xor(x2, a2), rk2, enc)
      let s3 = ctFirst(v128.xor(x3, a3), rk3, enc)
      for (let r: usize = 1; r < 14; r++) {
        const o = r << 4
        const q: usize = (r & 3) << 4
        s0 = ctRound(s0, rk0 + o, q, enc)
        s1 = ctRound(s1, rk1 + o, q, enc)
        s2 = ctRound(s2, rk2 + o, q, enc)
        s3 = ctRound(s3, rk3 + o, q, enc)
      }
      a0 = v128.xor(ctLast(s0, rk0, enc), b0)
      a1 = v128.xor(ctLast(s1, rk1, enc), b1)
      a2 = v128.xor(ctLast(s2, rk2, enc), b2)
      a3 = v128.xor(ctLast(s3, rk3, enc), b3)
      v128.store(p0 + off, a0)
      v128.store(p1 + off, a1)
      v128.store(p2 + off, a2)
      v128.store(p3 + off, a3)
      b0 = x0
      b1 = x1
      b2 = x2
      b3 = x3
    }
    v128.store(ENV_IV4 + ivA, a0); v128.store(ENV_IV4 + ivB, b0)
    v128.store(ENV_IV4 + 32 + ivA, a1); v128.store(ENV_IV4 + 32 + ivB, b1)
    v128.store(ENV_IV4 + 64 + ivA, a2); v128.store(ENV_IV4 + 64 + ivB, b2)
    v128.store(ENV_IV4 + 96 + ivA, a3); v128.store(ENV_IV4 + 96 + ivB, b3)
  }
}
// Two functions, not both copies inlined into ige4: one function holding both loops compiled
// 7% (relaxed SIMD) to 60% (baseline SIMD, encryption) slower in V8 (4 x 4 KiB and 4 x 64 KiB).
function ige4Enc(len: usize): void { ige4Lanes(len, true) }
function ige4Dec(len: usize): void { ige4Lanes(len, false) }
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
