/**
 * MD5 (RFC 1321), for the places MTProto still names it (secret-chat file key fingerprints,
 * file checksums); never for anything that needs collision resistance. Off the hot path.
 */
import { frame } from './frame.js'

/** T[i] = floor(2^32 · |sin(i + 1)|) (section 3.4), written out rather than computed. */
const T = Int32Array.from([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
])
/** Per-round shift amounts: round r, step i uses SHIFT[4r + (i & 3)]. */
const SHIFT = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
const M = new Int32Array(16)
const S = new Int32Array(4)

function block(v: DataView, p: number): void {
  for (let i = 0; i < 16; i++) M[i] = v.getInt32(p + 4 * i, true)
  let a = S[0], b = S[1], c = S[2], d = S[3]
  for (let i = 0; i < 64; i++) {
    let f: number, g: number
    if (i < 16) (f = (b & c) | (~b & d)), (g = i) // F
    else if (i < 32) (f = (d & b) | (~d & c)), (g = (5 * i + 1) & 15) // G
    else if (i < 48) (f = b ^ c ^ d), (g = (3 * i + 5) & 15) // H
    else (f = c ^ (b | ~d)), (g = (7 * i) & 15) // I
    const x = (a + f + T[i] + M[g]) | 0
    const s = SHIFT[((i >> 4) << 2) | (i & 3)]
    a = d
    d = c
    c = b
    b = (b + ((x << s) | (x >>> (32 - s)))) | 0
  }
  S[0] += a
  S[1] += b
  S[2] += c
  S[3] += d
}

export function md5(data: Uint8Array): Uint8Array {
  S.set([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476])
  frame(data, 64, true, block)
  const out = new Uint8Array(16)
  const v = new DataView(out.buffer)
  for (let i = 0; i < 4; i++) v.setInt32(4 * i, S[i], true)
  S.fill(0)
  M.fill(0)
  return out
}
