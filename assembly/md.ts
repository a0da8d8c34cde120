// The Merkle–Damgård tail shared by SHA-1 and SHA-256 (FIPS 180-4 padding): mirrors
// src/crypto/js/md.ts. Inlined into each hash's Final, so no indirect call.
import { SHA_PAD } from './layout'

/**
 * Copies the last `rem` (< 64) bytes at `tail` into SHA_PAD, appends 0x80, zeros and the
 * message bit length `total * 8` (big-endian 64-bit); returns how many pad blocks (1 or 2) to hash.
 */
// @ts-ignore: decorator
@inline export function mdPad(tail: usize, rem: usize, total: u64): usize {
  memory.fill(SHA_PAD, 0, 128)
  memory.copy(SHA_PAD, tail, rem)
  store<u8>(SHA_PAD + rem, 0x80)
  const padLen: usize = rem < 56 ? 64 : 128
  store<u64>(SHA_PAD + padLen - 8, bswap<u64>(total << 3))
  return padLen >>> 6
}
