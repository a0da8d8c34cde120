/**
 * SHA-1 (FIPS 180-4) for the pure-TS backend, allocation-free with `sha1Into`; mirrors
 * assembly/sha1.ts. (SHA-1 is what MTProto uses for auth_key_id, the handshake and MTProto 1.0.)
 */
import { H, W, md } from './md.js'

const IV1 = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0])

function block1(v: DataView<ArrayBufferLike>, p: number): void {
  // module scratch in locals: one map check each per block, not one per access (V8 10 checks
  // every access of a module-level typed array once its map is not known stable, ~+50% here)
  const w = W, hs = H
  for (let i = 0; i < 16; i++) w[i] = v.getInt32(p + 4 * i)
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
    w[i] = (x << 1) | (x >>> 31)
  }
  let a = hs[0], b1 = hs[1], c = hs[2], d = hs[3], e = hs[4]
  for (let i = 0; i < 80; i++) {
    const f = i < 20 ? (b1 & c) | (~b1 & d) : i < 40 ? b1 ^ c ^ d : i < 60 ? (b1 & c) | (b1 & d) | (c & d) : b1 ^ c ^ d
    const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0
    e = d
    d = c
    c = (b1 << 30) | (b1 >>> 2)
    b1 = a
    a = t
  }
  hs[0] = (hs[0] + a) | 0
  hs[1] = (hs[1] + b1) | 0
  hs[2] = (hs[2] + c) | 0
  hs[3] = (hs[3] + d) | 0
  hs[4] = (hs[4] + e) | 0
}

/** SHA-1 of `data` into `out[0..20]`, allocating nothing. */
export function sha1Into(data: Uint8Array, out: Uint8Array): void {
  md(data, out, IV1, block1)
}

export function sha1(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(20)
  sha1Into(data, out)
  return out
}
