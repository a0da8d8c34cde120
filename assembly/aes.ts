// AES-256 table core: 4 encryption and 4 decryption tables of 256 words, generated at
// instantiation (they are not shipped in the binary). Fast, but NOT constant-time: table
// indices depend on secret data. Used by the no-SIMD flavour and on request (`aes: 'table'`).
// State and key words are little-endian (row 0 of a column in the low byte), loaded straight
// from memory: wasm has no byte-swap instruction (a bswap costs ~9 instructions), so the
// tables are laid out for that order instead.
import { INV_SBOX, RK_DEC, RK_ENC, SBOX, TD, TE } from './layout'

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
      store<u32>(TD + (t << 10) + (i << 2), rotl<u32>(d, t * 8))
    }
  }
}

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
  memory.copy(RK_ENC, key, 32)
  let rcon: u32 = 1
  for (let i: usize = 8; i < 60; i++) {
    let t = load<u32>(RK_ENC + ((i - 1) << 2))
    if ((i & 7) == 0) {
      t = subWord(rotr<u32>(t, 8)) ^ rcon
      rcon = xtime(rcon)
    } else if ((i & 7) == 4) {
      t = subWord(t)
    }
    store<u32>(RK_ENC + (i << 2), load<u32>(RK_ENC + ((i - 8) << 2)) ^ t)
  }
}

/** The equivalent inverse cipher's schedule at RK_DEC (needs RK_ENC from tabExpandEnc). */
export function tabExpandDec(key: usize): void {
  tabExpandEnc(key)
  for (let r: usize = 0; r <= 14; r++) {
    for (let c: usize = 0; c < 4; c++) {
      let w = load<u32>(RK_ENC + (((14 - r) * 4 + c) << 2))
      if (r != 0 && r != 14) {
        w =
          load<u32>(TD + ((<usize>load<u8>(SBOX + (w & 0xff))) << 2)) ^
          load<u32>(TD + 0x400 + ((<usize>load<u8>(SBOX + ((w >>> 8) & 0xff))) << 2)) ^
          load<u32>(TD + 0x800 + ((<usize>load<u8>(SBOX + ((w >>> 16) & 0xff))) << 2)) ^
          load<u32>(TD + 0xc00 + ((<usize>load<u8>(SBOX + (w >>> 24))) << 2))
      }
      store<u32>(RK_DEC + ((r * 4 + c) << 2), w)
    }
  }
}

// Block state passed between the block functions and the modes (wasm has no multi-value
// return in AssemblyScript; globals are cheap and keep the modes readable).
export let s0: u32 = 0
export let s1: u32 = 0
export let s2: u32 = 0
export let s3: u32 = 0

// Index of byte k of w (0 = least significant), pre-scaled by 4: ((w >>> 8k) & 0xff) << 2.
// @ts-ignore: decorator
@inline function b3(w: u32): usize { return <usize>((w >>> 22) & 0x3fc) }
// @ts-ignore: decorator
@inline function b2(w: u32): usize { return <usize>((w >>> 14) & 0x3fc) }
// @ts-ignore: decorator
@inline function b1(w: u32): usize { return <usize>((w >>> 6) & 0x3fc) }
// @ts-ignore: decorator
@inline function b0(w: u32): usize { return <usize>((w << 2) & 0x3fc) }

/** Encrypts (s0..s3) in place with the schedule at `rk`. */
// @ts-ignore: decorator
@inline export function tabEncryptBlock(rk: usize): void {
  // 13 rounds unrolled: round keys at constant offsets, two alternating sets of 4 locals
  let y0: u32, y1: u32, y2: u32, y3: u32
  let x0 = s0 ^ load<u32>(rk, 0)
  let x1 = s1 ^ load<u32>(rk, 4)
  let x2 = s2 ^ load<u32>(rk, 8)
  let x3 = s3 ^ load<u32>(rk, 12)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 16)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 20)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 24)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 28)
  x0 = load<u32>(b0(y0), TE) ^ load<u32>(b1(y1), TE + 0x400) ^ load<u32>(b2(y2), TE + 0x800) ^ load<u32>(b3(y3), TE + 0xc00) ^ load<u32>(rk, 32)
  x1 = load<u32>(b0(y1), TE) ^ load<u32>(b1(y2), TE + 0x400) ^ load<u32>(b2(y3), TE + 0x800) ^ load<u32>(b3(y0), TE + 0xc00) ^ load<u32>(rk, 36)
  x2 = load<u32>(b0(y2), TE) ^ load<u32>(b1(y3), TE + 0x400) ^ load<u32>(b2(y0), TE + 0x800) ^ load<u32>(b3(y1), TE + 0xc00) ^ load<u32>(rk, 40)
  x3 = load<u32>(b0(y3), TE) ^ load<u32>(b1(y0), TE + 0x400) ^ load<u32>(b2(y1), TE + 0x800) ^ load<u32>(b3(y2), TE + 0xc00) ^ load<u32>(rk, 44)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 48)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 52)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 56)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 60)
  x0 = load<u32>(b0(y0), TE) ^ load<u32>(b1(y1), TE + 0x400) ^ load<u32>(b2(y2), TE + 0x800) ^ load<u32>(b3(y3), TE + 0xc00) ^ load<u32>(rk, 64)
  x1 = load<u32>(b0(y1), TE) ^ load<u32>(b1(y2), TE + 0x400) ^ load<u32>(b2(y3), TE + 0x800) ^ load<u32>(b3(y0), TE + 0xc00) ^ load<u32>(rk, 68)
  x2 = load<u32>(b0(y2), TE) ^ load<u32>(b1(y3), TE + 0x400) ^ load<u32>(b2(y0), TE + 0x800) ^ load<u32>(b3(y1), TE + 0xc00) ^ load<u32>(rk, 72)
  x3 = load<u32>(b0(y3), TE) ^ load<u32>(b1(y0), TE + 0x400) ^ load<u32>(b2(y1), TE + 0x800) ^ load<u32>(b3(y2), TE + 0xc00) ^ load<u32>(rk, 76)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 80)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 84)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 88)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 92)
  x0 = load<u32>(b0(y0), TE) ^ load<u32>(b1(y1), TE + 0x400) ^ load<u32>(b2(y2), TE + 0x800) ^ load<u32>(b3(y3), TE + 0xc00) ^ load<u32>(rk, 96)
  x1 = load<u32>(b0(y1), TE) ^ load<u32>(b1(y2), TE + 0x400) ^ load<u32>(b2(y3), TE + 0x800) ^ load<u32>(b3(y0), TE + 0xc00) ^ load<u32>(rk, 100)
  x2 = load<u32>(b0(y2), TE) ^ load<u32>(b1(y3), TE + 0x400) ^ load<u32>(b2(y0), TE + 0x800) ^ load<u32>(b3(y1), TE + 0xc00) ^ load<u32>(rk, 104)
  x3 = load<u32>(b0(y3), TE) ^ load<u32>(b1(y0), TE + 0x400) ^ load<u32>(b2(y1), TE + 0x800) ^ load<u32>(b3(y2), TE + 0xc00) ^ load<u32>(rk, 108)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 112)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 116)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 120)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 124)
  x0 = load<u32>(b0(y0), TE) ^ load<u32>(b1(y1), TE + 0x400) ^ load<u32>(b2(y2), TE + 0x800) ^ load<u32>(b3(y3), TE + 0xc00) ^ load<u32>(rk, 128)
  x1 = load<u32>(b0(y1), TE) ^ load<u32>(b1(y2), TE + 0x400) ^ load<u32>(b2(y3), TE + 0x800) ^ load<u32>(b3(y0), TE + 0xc00) ^ load<u32>(rk, 132)
  x2 = load<u32>(b0(y2), TE) ^ load<u32>(b1(y3), TE + 0x400) ^ load<u32>(b2(y0), TE + 0x800) ^ load<u32>(b3(y1), TE + 0xc00) ^ load<u32>(rk, 136)
  x3 = load<u32>(b0(y3), TE) ^ load<u32>(b1(y0), TE + 0x400) ^ load<u32>(b2(y1), TE + 0x800) ^ load<u32>(b3(y2), TE + 0xc00) ^ load<u32>(rk, 140)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 144)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 148)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 152)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 156)
  x0 = load<u32>(b0(y0), TE) ^ load<u32>(b1(y1), TE + 0x400) ^ load<u32>(b2(y2), TE + 0x800) ^ load<u32>(b3(y3), TE + 0xc00) ^ load<u32>(rk, 160)
  x1 = load<u32>(b0(y1), TE) ^ load<u32>(b1(y2), TE + 0x400) ^ load<u32>(b2(y3), TE + 0x800) ^ load<u32>(b3(y0), TE + 0xc00) ^ load<u32>(rk, 164)
  x2 = load<u32>(b0(y2), TE) ^ load<u32>(b1(y3), TE + 0x400) ^ load<u32>(b2(y0), TE + 0x800) ^ load<u32>(b3(y1), TE + 0xc00) ^ load<u32>(rk, 168)
  x3 = load<u32>(b0(y3), TE) ^ load<u32>(b1(y0), TE + 0x400) ^ load<u32>(b2(y1), TE + 0x800) ^ load<u32>(b3(y2), TE + 0xc00) ^ load<u32>(rk, 172)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 176)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 180)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 184)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 188)
  x0 = load<u32>(b0(y0), TE) ^ load<u32>(b1(y1), TE + 0x400) ^ load<u32>(b2(y2), TE + 0x800) ^ load<u32>(b3(y3), TE + 0xc00) ^ load<u32>(rk, 192)
  x1 = load<u32>(b0(y1), TE) ^ load<u32>(b1(y2), TE + 0x400) ^ load<u32>(b2(y3), TE + 0x800) ^ load<u32>(b3(y0), TE + 0xc00) ^ load<u32>(rk, 196)
  x2 = load<u32>(b0(y2), TE) ^ load<u32>(b1(y3), TE + 0x400) ^ load<u32>(b2(y0), TE + 0x800) ^ load<u32>(b3(y1), TE + 0xc00) ^ load<u32>(rk, 200)
  x3 = load<u32>(b0(y3), TE) ^ load<u32>(b1(y0), TE + 0x400) ^ load<u32>(b2(y1), TE + 0x800) ^ load<u32>(b3(y2), TE + 0xc00) ^ load<u32>(rk, 204)
  y0 = load<u32>(b0(x0), TE) ^ load<u32>(b1(x1), TE + 0x400) ^ load<u32>(b2(x2), TE + 0x800) ^ load<u32>(b3(x3), TE + 0xc00) ^ load<u32>(rk, 208)
  y1 = load<u32>(b0(x1), TE) ^ load<u32>(b1(x2), TE + 0x400) ^ load<u32>(b2(x3), TE + 0x800) ^ load<u32>(b3(x0), TE + 0xc00) ^ load<u32>(rk, 212)
  y2 = load<u32>(b0(x2), TE) ^ load<u32>(b1(x3), TE + 0x400) ^ load<u32>(b2(x0), TE + 0x800) ^ load<u32>(b3(x1), TE + 0xc00) ^ load<u32>(rk, 216)
  y3 = load<u32>(b0(x3), TE) ^ load<u32>(b1(x0), TE + 0x400) ^ load<u32>(b2(x1), TE + 0x800) ^ load<u32>(b3(x2), TE + 0xc00) ^ load<u32>(rk, 220)
  s0 = last(SBOX, y0, y1, y2, y3) ^ load<u32>(rk, 224)
  s1 = last(SBOX, y1, y2, y3, y0) ^ load<u32>(rk, 228)
  s2 = last(SBOX, y2, y3, y0, y1) ^ load<u32>(rk, 232)
  s3 = last(SBOX, y3, y0, y1, y2) ^ load<u32>(rk, 236)
}

// Final round: byte r of the output from byte r of the r-th argument, through the S-box `box`.
// @ts-ignore: decorator
@inline function last(box: usize, a: u32, b: u32, c: u32, d: u32): u32 {
  return (
    <u32>load<u8>(box + (a & 0xff)) |
    (<u32>load<u8>(box + ((b >>> 8) & 0xff)) << 8) |
    (<u32>load<u8>(box + ((c >>> 16) & 0xff)) << 16) |
    (<u32>load<u8>(box + (d >>> 24)) << 24)
  )
}

/** Decrypts (s0..s3) in place with the equivalent-inverse schedule at `rk`. */
// @ts-ignore: decorator
@inline export function tabDecryptBlock(rk: usize): void {
  // 13 rounds unrolled: round keys at constant offsets, two alternating sets of 4 locals
  let y0: u32, y1: u32, y2: u32, y3: u32
  let x0 = s0 ^ load<u32>(rk, 0)
  let x1 = s1 ^ load<u32>(rk, 4)
  let x2 = s2 ^ load<u32>(rk, 8)
  let x3 = s3 ^ load<u32>(rk, 12)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 16)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 20)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 24)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 28)
  x0 = load<u32>(b0(y0), TD) ^ load<u32>(b1(y3), TD + 0x400) ^ load<u32>(b2(y2), TD + 0x800) ^ load<u32>(b3(y1), TD + 0xc00) ^ load<u32>(rk, 32)
  x1 = load<u32>(b0(y1), TD) ^ load<u32>(b1(y0), TD + 0x400) ^ load<u32>(b2(y3), TD + 0x800) ^ load<u32>(b3(y2), TD + 0xc00) ^ load<u32>(rk, 36)
  x2 = load<u32>(b0(y2), TD) ^ load<u32>(b1(y1), TD + 0x400) ^ load<u32>(b2(y0), TD + 0x800) ^ load<u32>(b3(y3), TD + 0xc00) ^ load<u32>(rk, 40)
  x3 = load<u32>(b0(y3), TD) ^ load<u32>(b1(y2), TD + 0x400) ^ load<u32>(b2(y1), TD + 0x800) ^ load<u32>(b3(y0), TD + 0xc00) ^ load<u32>(rk, 44)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 48)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 52)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 56)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 60)
  x0 = load<u32>(b0(y0), TD) ^ load<u32>(b1(y3), TD + 0x400) ^ load<u32>(b2(y2), TD + 0x800) ^ load<u32>(b3(y1), TD + 0xc00) ^ load<u32>(rk, 64)
  x1 = load<u32>(b0(y1), TD) ^ load<u32>(b1(y0), TD + 0x400) ^ load<u32>(b2(y3), TD + 0x800) ^ load<u32>(b3(y2), TD + 0xc00) ^ load<u32>(rk, 68)
  x2 = load<u32>(b0(y2), TD) ^ load<u32>(b1(y1), TD + 0x400) ^ load<u32>(b2(y0), TD + 0x800) ^ load<u32>(b3(y3), TD + 0xc00) ^ load<u32>(rk, 72)
  x3 = load<u32>(b0(y3), TD) ^ load<u32>(b1(y2), TD + 0x400) ^ load<u32>(b2(y1), TD + 0x800) ^ load<u32>(b3(y0), TD + 0xc00) ^ load<u32>(rk, 76)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 80)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 84)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 88)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 92)
  x0 = load<u32>(b0(y0), TD) ^ load<u32>(b1(y3), TD + 0x400) ^ load<u32>(b2(y2), TD + 0x800) ^ load<u32>(b3(y1), TD + 0xc00) ^ load<u32>(rk, 96)
  x1 = load<u32>(b0(y1), TD) ^ load<u32>(b1(y0), TD + 0x400) ^ load<u32>(b2(y3), TD + 0x800) ^ load<u32>(b3(y2), TD + 0xc00) ^ load<u32>(rk, 100)
  x2 = load<u32>(b0(y2), TD) ^ load<u32>(b1(y1), TD + 0x400) ^ load<u32>(b2(y0), TD + 0x800) ^ load<u32>(b3(y3), TD + 0xc00) ^ load<u32>(rk, 104)
  x3 = load<u32>(b0(y3), TD) ^ load<u32>(b1(y2), TD + 0x400) ^ load<u32>(b2(y1), TD + 0x800) ^ load<u32>(b3(y0), TD + 0xc00) ^ load<u32>(rk, 108)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 112)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 116)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 120)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 124)
  x0 = load<u32>(b0(y0), TD) ^ load<u32>(b1(y3), TD + 0x400) ^ load<u32>(b2(y2), TD + 0x800) ^ load<u32>(b3(y1), TD + 0xc00) ^ load<u32>(rk, 128)
  x1 = load<u32>(b0(y1), TD) ^ load<u32>(b1(y0), TD + 0x400) ^ load<u32>(b2(y3), TD + 0x800) ^ load<u32>(b3(y2), TD + 0xc00) ^ load<u32>(rk, 132)
  x2 = load<u32>(b0(y2), TD) ^ load<u32>(b1(y1), TD + 0x400) ^ load<u32>(b2(y0), TD + 0x800) ^ load<u32>(b3(y3), TD + 0xc00) ^ load<u32>(rk, 136)
  x3 = load<u32>(b0(y3), TD) ^ load<u32>(b1(y2), TD + 0x400) ^ load<u32>(b2(y1), TD + 0x800) ^ load<u32>(b3(y0), TD + 0xc00) ^ load<u32>(rk, 140)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 144)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 148)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 152)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 156)
  x0 = load<u32>(b0(y0), TD) ^ load<u32>(b1(y3), TD + 0x400) ^ load<u32>(b2(y2), TD + 0x800) ^ load<u32>(b3(y1), TD + 0xc00) ^ load<u32>(rk, 160)
  x1 = load<u32>(b0(y1), TD) ^ load<u32>(b1(y0), TD + 0x400) ^ load<u32>(b2(y3), TD + 0x800) ^ load<u32>(b3(y2), TD + 0xc00) ^ load<u32>(rk, 164)
  x2 = load<u32>(b0(y2), TD) ^ load<u32>(b1(y1), TD + 0x400) ^ load<u32>(b2(y0), TD + 0x800) ^ load<u32>(b3(y3), TD + 0xc00) ^ load<u32>(rk, 168)
  x3 = load<u32>(b0(y3), TD) ^ load<u32>(b1(y2), TD + 0x400) ^ load<u32>(b2(y1), TD + 0x800) ^ load<u32>(b3(y0), TD + 0xc00) ^ load<u32>(rk, 172)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 176)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 180)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 184)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 188)
  x0 = load<u32>(b0(y0), TD) ^ load<u32>(b1(y3), TD + 0x400) ^ load<u32>(b2(y2), TD + 0x800) ^ load<u32>(b3(y1), TD + 0xc00) ^ load<u32>(rk, 192)
  x1 = load<u32>(b0(y1), TD) ^ load<u32>(b1(y0), TD + 0x400) ^ load<u32>(b2(y3), TD + 0x800) ^ load<u32>(b3(y2), TD + 0xc00) ^ load<u32>(rk, 196)
  x2 = load<u32>(b0(y2), TD) ^ load<u32>(b1(y1), TD + 0x400) ^ load<u32>(b2(y0), TD + 0x800) ^ load<u32>(b3(y3), TD + 0xc00) ^ load<u32>(rk, 200)
  x3 = load<u32>(b0(y3), TD) ^ load<u32>(b1(y2), TD + 0x400) ^ load<u32>(b2(y1), TD + 0x800) ^ load<u32>(b3(y0), TD + 0xc00) ^ load<u32>(rk, 204)
  y0 = load<u32>(b0(x0), TD) ^ load<u32>(b1(x3), TD + 0x400) ^ load<u32>(b2(x2), TD + 0x800) ^ load<u32>(b3(x1), TD + 0xc00) ^ load<u32>(rk, 208)
  y1 = load<u32>(b0(x1), TD) ^ load<u32>(b1(x0), TD + 0x400) ^ load<u32>(b2(x3), TD + 0x800) ^ load<u32>(b3(x2), TD + 0xc00) ^ load<u32>(rk, 212)
  y2 = load<u32>(b0(x2), TD) ^ load<u32>(b1(x1), TD + 0x400) ^ load<u32>(b2(x0), TD + 0x800) ^ load<u32>(b3(x3), TD + 0xc00) ^ load<u32>(rk, 216)
  y3 = load<u32>(b0(x3), TD) ^ load<u32>(b1(x2), TD + 0x400) ^ load<u32>(b2(x1), TD + 0x800) ^ load<u32>(b3(x0), TD + 0xc00) ^ load<u32>(rk, 220)
  s0 = last(INV_SBOX, y0, y3, y2, y1) ^ load<u32>(rk, 224)
  s1 = last(INV_SBOX, y1, y0, y3, y2) ^ load<u32>(rk, 228)
  s2 = last(INV_SBOX, y2, y1, y0, y3) ^ load<u32>(rk, 232)
  s3 = last(INV_SBOX, y3, y2, y1, y0) ^ load<u32>(rk, 236)
}
