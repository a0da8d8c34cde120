// SHA-1 (FIPS 180-4), same streaming shape as sha256.ts, sharing SHA_H / SHA_PAD / DIGEST.
import { DIGEST, SHA_H, SHA_PAD, SHA_W } from './layout'
import { mdPad } from './md'

const W = SHA_W // 80-word schedule (320 bytes; shared with SHA-256's 256-byte one)

export function sha1Init(): void {
  store<u32>(SHA_H, 0x67452301); store<u32>(SHA_H, 0xefcdab89, 4); store<u32>(SHA_H, 0x98badcfe, 8)
  store<u32>(SHA_H, 0x10325476, 12); store<u32>(SHA_H, 0xc3d2e1f0, 16)
}

export function sha1Blocks(ptr: usize, n: usize): void {
  let h0 = load<u32>(SHA_H), h1 = load<u32>(SHA_H, 4), h2 = load<u32>(SHA_H, 8), h3 = load<u32>(SHA_H, 12), h4 = load<u32>(SHA_H, 16)
  for (let blk: usize = 0; blk < n; blk++, ptr += 64) {
    for (let i: usize = 0; i < 16; i++) store<u32>(W + (i << 2), bswap<u32>(load<u32>(ptr + (i << 2))))
    for (let i: usize = 16; i < 80; i++) {
      const x = load<u32>(W + ((i - 3) << 2)) ^ load<u32>(W + ((i - 8) << 2)) ^ load<u32>(W + ((i - 14) << 2)) ^ load<u32>(W + ((i - 16) << 2))
      store<u32>(W + (i << 2), rotl<u32>(x, 1))
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4
    for (let i: usize = 0; i < 20; i++) {
      const t = rotl<u32>(a, 5) + ((b & c) | (~b & d)) + e + 0x5a827999 + load<u32>(W + (i << 2))
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t
    }
    for (let i: usize = 20; i < 40; i++) {
      const t = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0x6ed9eba1 + load<u32>(W + (i << 2))
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t
    }
    for (let i: usize = 40; i < 60; i++) {
      const t = rotl<u32>(a, 5) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + load<u32>(W + (i << 2))
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t
    }
    for (let i: usize = 60; i < 80; i++) {
      const t = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0xca62c1d6 + load<u32>(W + (i << 2))
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t
    }
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e
  }
  store<u32>(SHA_H, h0); store<u32>(SHA_H, h1, 4); store<u32>(SHA_H, h2, 8); store<u32>(SHA_H, h3, 12); store<u32>(SHA_H, h4, 16)
}

export function sha1Final(ptr: usize, len: usize, total: u64): void {
  const full = len >>> 6
  sha1Blocks(ptr, full)
  sha1Blocks(SHA_PAD, mdPad(ptr + (full << 6), len & 63, total))
  for (let i: usize = 0; i < 20; i += 4) store<u32>(DIGEST + i, bswap<u32>(load<u32>(SHA_H + i)))
  memory.fill(SHA_PAD, 0, 128)
  memory.fill(SHA_H, 0, 32)
  memory.fill(W, 0, 320)
}

export function sha1(ptr: usize, len: usize): void {
  sha1Init()
  sha1Final(ptr, len, <u64>len)
}
