// AES-256 table core: T-tables generated at instantiation (they are not shipped in the
// binary). Fast, but NOT constant-time: table indices depend on secret data. Used by the
// no-SIMD flavour and on request (`aes: 'table'`).
// State and key words are little-endian (row 0 of a column in the low byte), loaded straight
// from memory: wasm has no byte-swap instruction (a bswap costs ~9 instructions), so the
// tables are laid out for that order instead.
// CTR uses 4 encryption tables of 256 words (TE) through tabEncryptBlock (aes-block.ts); IGE
// (ige.ts) runs its inner rounds on a 64-bit "spread" form of the encryption and decryption
// tables (TE64, TD64, see spread below).
import { INV_SBOX, RK64, RK_ENC, SB8, SBOX, TD64, TE, TE64 } from './layout'

// @ts-ignore: decorator
@inline function xtime(x: u32): u32 {
  return ((x << 1) ^ (((x >> 7) & 1) * 0x1b)) & 0xff
}

function gmul(a: u32, b: u32): u32 {
  let r: u32 = 0
  while (b) {
    if (b & 1) r ^= a
    a = xtime(a)
    b >>= 1
  }
  return r
}

/** Builds the S-boxes (from the multiplicative inverse and the affine map) and T-tables. */
export function aesTablesInit(): void {
  // walk the powers of the generator 3: p = 3^i, q = 3^-i
  let p: u32 = 1
  let q: u32 = 1
  store<u8>(SBOX, 0x63)
  do {
    p = p ^ xtime(p) // p *= 3
    q ^= q << 1 // q /= 3
    q ^= q << 2
    q ^= q << 4
    q &= 0xff
    if (q & 0x80) q ^= 0x09
    const x = q ^ rotl<u8>(<u8>q, 1) ^ rotl<u8>(<u8>q, 2) ^ rotl<u8>(<u8>q, 3) ^ rotl<u8>(<u8>q, 4)
    store<u8>(SBOX + p, (x ^ 0x63) & 0xff)
  } while (p != 1)
  for (let i: u32 = 0; i < 256; i++) store<u8>(INV_SBOX + load<u8>(SBOX + i), <u8>i)
  for (let i: u32 = 0; i < 256; i++) {
    const s = <u32>load<u8>(SBOX + i)
    const e = xtime(s) | (s << 8) | (s << 16) | ((xtime(s) ^ s) << 24)
    const v = <u32>load<u8>(INV_SBOX + i)
    const d = gmul(v, 14) | (gmul(v, 9) << 8) | (gmul(v, 13) << 16) | (gmul(v, 11) << 24)
    for (let t: u32 = 0; t < 4; t++) {
      store<u32>(TE + (t << 10) + (i << 2), rotl<u32>(e, t * 8))
      store<u64>(TE64 + (t << 11) + (i << 3), spread(rotl<u32>(e, t * 8)))
      store<u64>(TD64 + (t << 11) + (i << 3), spread(rotl<u32>(d, t * 8)))
    }
    store<u8>(SB8 + (i << 3), <u8>s)
    store<u8>(SB8 + (i << 3) + 1, <u8>v)
  }
}

// The spread form of a word: byte k, times 8, in bits 16k+3 .. 16k+10 of a u64. XOR acts on the
// fields independently, and a field is a ready table index (entries of 8 bytes): the low one
// is a zero-extension, the second a 32-bit shift, the third a shift and a zero-extension,
// the top one a shift.
// @ts-ignore: decorator
@inline function spread(w: u32): u64 {
  let x = <u64>w
  x = (x | (x << 16)) & 0x0000ffff0000ffff
  x = (x | (x << 8)) & 0x00ff00ff00ff00ff
  return x << 3
}

/** Round keys 1..13 of the encryption schedule at RK_ENC, spread, to RK64 (416 bytes). */
export function tabSpreadKeysEnc(): void {
  if (ASC_FEATURE_SIMD) {
    // the spread form is each byte zero-extended to 16 bits, times 8
    for (let i: usize = 16; i < 224; i += 16) {
      const k = v128.load(RK_ENC + i)
      v128.store(RK64 + (i << 1) - 32, i16x8.shl(i16x8.extend_low_i8x16_u(k), 3))
      v128.store(RK64 + (i << 1) - 16, i16x8.shl(i16x8.extend_high_i8x16_u(k), 3))
    }
    return
  }
  for (let i: usize = 16; i < 224; i += 8) {
    store<u64>(RK64 + (i << 1) - 32, spread(load<u32>(RK_ENC + i)))
    store<u64>(RK64 + (i << 1) - 24, spread(load<u32>(RK_ENC + i, 4)))
  }
}

/**
 * Round keys of the equivalent inverse cipher, spread, to RK64: round r (1..13) is
 * InvMixColumns of encryption round 14 - r, from the spread decryption tables (TD64 of the
 * S-box value gives InvMixColumns of the byte's column contribution).
 */
export function tabSpreadKeysDec(): void {
  for (let r: usize = 1; r < 14; r++) {
    const src = RK_ENC + ((14 - r) << 4)
    const dst = RK64 + ((r - 1) << 5)
    for (let c: usize = 0; c < 16; c += 4) {
      const w = load<u32>(src + c)
      store<u64>(dst + (c << 1),
        load<u64>(<usize>load<u8>(SBOX + (w & 0xff)) << 3, TD64) ^
        load<u64>(<usize>load<u8>(SBOX + ((w >>> 8) & 0xff)) << 3, TD64 + 0x800) ^
        load<u64>(<usize>load<u8>(SBOX + ((w >>> 16) & 0xff)) << 3, TD64 + 0x1000) ^
        load<u64>(<usize>load<u8>(SBOX + (w >>> 24)) << 3, TD64 + 0x1800))
    }
  }
}

// Table indices (byte k times 8) for the spread tables: n* from a plain word (the first
// round's input), f* from a spread word. (f3 from the high half that f2 shifts out too was
// ~2% slower: one more value live at a time.)
// @ts-ignore: decorator
@inline export function n0(w: u32): usize { return <usize>((w << 3) & 0x7f8) }
// @ts-ignore: decorator
@inline export function n1(w: u32): usize { return <usize>((w >>> 5) & 0x7f8) }
// @ts-ignore: decorator
@inline export function n2(w: u32): usize { return <usize>((w >>> 13) & 0x7f8) }
// @ts-ignore: decorator
@inline export function n3(w: u32): usize { return <usize>((w >>> 21) & 0x7f8) }
// @ts-ignore: decorator
@inline export function f0(x: u64): usize { return <usize>(<u32>x & 0xffff) }
// @ts-ignore: decorator
@inline export function f1(x: u64): usize { return <usize>(<u32>x >>> 16) }
// @ts-ignore: decorator
@inline export function f2(x: u64): usize { return <usize>(<u32>(x >>> 32) & 0xffff) }
// @ts-ignore: decorator
@inline export function f3(x: u64): usize { return <usize>(<u32>(x >>> 48)) }

// @ts-ignore: decorator
@inline function subWord(w: u32): u32 {
  return (
    (<u32>load<u8>(SBOX + (w >>> 24)) << 24) |
    (<u32>load<u8>(SBOX + ((w >>> 16) & 0xff)) << 16) |
    (<u32>load<u8>(SBOX + ((w >>> 8) & 0xff)) << 8) |
    <u32>load<u8>(SBOX + (w & 0xff))
  )
}

/** Expands the 32-byte key at `key` into 60 little-endian words at RK_ENC. */
export function tabExpandEnc(key: usize): void {
  // in groups of 8 words, the previous group in locals (rcon stays below 0x80: no reduction)
  let w0 = load<u32>(key), w1 = load<u32>(key, 4), w2 = load<u32>(key, 8), w3 = load<u32>(key, 12)
  let w4 = load<u32>(key, 16), w5 = load<u32>(key, 20), w6 = load<u32>(key, 24), w7 = load<u32>(key, 28)
  let rcon: u32 = 1
  let p = RK_ENC
  while (true) {
    store<u32>(p, w0); store<u32>(p, w1, 4); store<u32>(p, w2, 8); store<u32>(p, w3, 12)
    if (p == RK_ENC + 224) break
    store<u32>(p, w4, 16); store<u32>(p, w5, 20); store<u32>(p, w6, 24); store<u32>(p, w7, 28)
    w0 ^= subWord(rotr<u32>(w7, 8)) ^ rcon
    w1 ^= w0; w2 ^= w1; w3 ^= w2
    w4 ^= subWord(w3)
    w5 ^= w4; w6 ^= w5; w7 ^= w6
    rcon <<= 1
    p += 32
  }
}

/**
 * The decryption schedule: the same words, which tabIgeDecrypt reads from the end (its inner
 * round keys get InvMixColumns there, see tabSpreadKeysDec).
 */
export function tabExpandDec(key: usize): void {
  tabExpandEnc(key)
}

