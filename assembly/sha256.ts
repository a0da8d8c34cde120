// SHA-256 (FIPS 180-4). State (8 words) at SHA_H, so a long input streams through the
// scratch region: sha256Init, sha256Blocks per chunk (whole 64-byte blocks), sha256Final.
import { DIGEST, SHA_H, SHA_PAD } from './layout'

// The 64 round constants live in the function as immediates via a switch-free unrolled table
// in memory would cost a data segment; instead they are written once at init (K256).
const K256: usize = 0x02c00 // 256 bytes, inside the fixed region (see layout.ts)

export function sha256TablesInit(): void {
  store<u64>(K256 + 0, 0x71374491428a2f98); store<u64>(K256 + 8, 0xe9b5dba5b5c0fbcf)
  store<u64>(K256 + 16, 0x59f111f13956c25b); store<u64>(K256 + 24, 0xab1c5ed5923f82a4)
  store<u64>(K256 + 32, 0x12835b01d807aa98); store<u64>(K256 + 40, 0x550c7dc3243185be)
  store<u64>(K256 + 48, 0x80deb1fe72be5d74); store<u64>(K256 + 56, 0xc19bf1749bdc06a7)
  store<u64>(K256 + 64, 0xefbe4786e49b69c1); store<u64>(K256 + 72, 0x240ca1cc0fc19dc6)
  store<u64>(K256 + 80, 0x4a7484aa2de92c6f); store<u64>(K256 + 88, 0x76f988da5cb0a9dc)
  store<u64>(K256 + 96, 0xa831c66d983e5152); store<u64>(K256 + 104, 0xbf597fc7b00327c8)
  store<u64>(K256 + 112, 0xd5a79147c6e00bf3); store<u64>(K256 + 120, 0x1429296706ca6351)
  store<u64>(K256 + 128, 0x2e1b213827b70a85); store<u64>(K256 + 136, 0x53380d134d2c6dfc)
  store<u64>(K256 + 144, 0x766a0abb650a7354); store<u64>(K256 + 152, 0x92722c8581c2c92e)
  store<u64>(K256 + 160, 0xa81a664ba2bfe8a1); store<u64>(K256 + 168, 0xc76c51a3c24b8b70)
  store<u64>(K256 + 176, 0xd6990624d192e819); store<u64>(K256 + 184, 0x106aa070f40e3585)
  store<u64>(K256 + 192, 0x1e376c0819a4c116); store<u64>(K256 + 200, 0x34b0bcb52748774c)
  store<u64>(K256 + 208, 0x4ed8aa4a391c0cb3); store<u64>(K256 + 216, 0x682e6ff35b9cca4f)
  store<u64>(K256 + 224, 0x78a5636f748f82ee); store<u64>(K256 + 232, 0x8cc7020884c87814)
  store<u64>(K256 + 240, 0xa4506ceb90befffa); store<u64>(K256 + 248, 0xc67178f2bef9a3f7)
}

const W: usize = 0x02d00 // 64-word message schedule (256 bytes)

export function sha256Init(): void {
  store<u32>(SHA_H, 0x6a09e667); store<u32>(SHA_H, 0xbb67ae85, 4)
  store<u32>(SHA_H, 0x3c6ef372, 8); store<u32>(SHA_H, 0xa54ff53a, 12)
  store<u32>(SHA_H, 0x510e527f, 16); store<u32>(SHA_H, 0x9b05688c, 20)
  store<u32>(SHA_H, 0x1f83d9ab, 24); store<u32>(SHA_H, 0x5be0cd19, 28)
}

/** Compresses `n` whole 64-byte blocks at `ptr` into the state. */
export function sha256Blocks(ptr: usize, n: usize): void {
  let h0 = load<u32>(SHA_H), h1 = load<u32>(SHA_H, 4), h2 = load<u32>(SHA_H, 8), h3 = load<u32>(SHA_H, 12)
  let h4 = load<u32>(SHA_H, 16), h5 = load<u32>(SHA_H, 20), h6 = load<u32>(SHA_H, 24), h7 = load<u32>(SHA_H, 28)
  for (let blk: usize = 0; blk < n; blk++, ptr += 64) {
    for (let i: usize = 0; i < 16; i++) store<u32>(W + (i << 2), bswap<u32>(load<u32>(ptr + (i << 2))))
    for (let i: usize = 16; i < 64; i++) {
      const w15 = load<u32>(W + ((i - 15) << 2))
      const w2 = load<u32>(W + ((i - 2) << 2))
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3)
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10)
      store<u32>(W + (i << 2), load<u32>(W + ((i - 16) << 2)) + s0 + load<u32>(W + ((i - 7) << 2)) + s1)
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
    for (let i: usize = 0; i < 256; i += 4) {
      const t1 = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + load<u32>(K256 + i) + load<u32>(W + i)
      const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
      h = g; g = f; f = e; e = d + t1
      d = c; c = b; b = a; a = t1 + t2
    }
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h
  }
  store<u32>(SHA_H, h0); store<u32>(SHA_H, h1, 4); store<u32>(SHA_H, h2, 8); store<u32>(SHA_H, h3, 12)
  store<u32>(SHA_H, h4, 16); store<u32>(SHA_H, h5, 20); store<u32>(SHA_H, h6, 24); store<u32>(SHA_H, h7, 28)
}

/**
 * Hashes the last `len` bytes at `ptr` (any length), pads with the total message length
 * `total` (bytes, including everything passed to sha256Blocks) and writes the digest at DIGEST.
 */
export function sha256Final(ptr: usize, len: usize, total: u64): void {
  const full = len >>> 6
  sha256Blocks(ptr, full)
  const rem = len & 63
  memory.fill(SHA_PAD, 0, 128)
  memory.copy(SHA_PAD, ptr + (full << 6), rem)
  store<u8>(SHA_PAD + rem, 0x80)
  const padLen: usize = rem < 56 ? 64 : 128
  store<u64>(SHA_PAD + padLen - 8, bswap<u64>(total << 3))
  sha256Blocks(SHA_PAD, padLen >>> 6)
  for (let i: usize = 0; i < 32; i += 4) store<u32>(DIGEST + i, bswap<u32>(load<u32>(SHA_H + i)))
  memory.fill(SHA_PAD, 0, 128)
  memory.fill(SHA_H, 0, 32)
  memory.fill(W, 0, 256)
}

/** One-shot SHA-256 of [ptr, ptr + len) into DIGEST. */
export function sha256(ptr: usize, len: usize): void {
  sha256Init()
  sha256Final(ptr, len, <u64>len)
}
