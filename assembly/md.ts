// The Merkle–Damgård tail shared by SHA-1 and SHA-256 (FIPS 180-4 padding): mirrors
// src/crypto/js/md.ts. Inlined into each hash's Final, so no indirect call. Copies and zeroing
// are plain stores, not memory.copy / memory.fill: V8 (11.3) compiles those to calls into C,
// which cost a per-call overhead comparable to a compression of a block, repeated 5 times per hash.
import { SHA_PAD } from './layout'

/** Zeroes `n` bytes at `ptr` (n a multiple of 16, ptr 8-aligned) with 16- or 8-byte stores. */
// @ts-ignore: decorator
@inline export function mdZero(ptr: usize, n: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let i: usize = 0; i < n; i += 16) v128.store(ptr + i, i64x2.splat(0))
  } else {
    for (let i: usize = 0; i < n; i += 8) store<u64>(ptr + i, 0)
  }
}

/**
 * Copies the last `rem` (< 64) bytes at `tail` into SHA_PAD, appends 0x80, zeros and the
 * message bit length `total * 8` (big-endian 64-bit); returns how many pad blocks (1 or 2) to hash.
 * Branches depend only on the (public) length.
 */
// @ts-ignore: decorator
@inline export function mdPad(tail: usize, rem: usize, total: u64): usize {
  mdZero(SHA_PAD, 128)
  let i: usize = 0
  for (; i + 8 <= rem; i += 8) store<u64>(SHA_PAD + i, load<u64>(tail + i))
  for (; i < rem; i++) store<u8>(SHA_PAD + i, load<u8>(tail + i))
  store<u8>(SHA_PAD + rem, 0x80)
  const padLen: usize = rem < 56 ? 64 : 128
  store<u64>(SHA_PAD + padLen - 8, bswap<u64>(total << 3))
  return padLen >>> 6
}
