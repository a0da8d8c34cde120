/**
 * Big-endian byte strings ↔ BigInt, and comparisons of public big numbers. MTProto writes
 * every big number (pq, p, q, dh_prime, g_a, g_b, RSA blocks) as a big-endian byte string.
 */

const HEX: string[] = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** The unsigned big-endian integer `b` (empty = 0). */
export function toBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n
  let s = '0x'
  for (let i = 0; i < b.length; i++) s += HEX[b[i]]
  return BigInt(s)
}

/**
 * `n` (≥ 0) as exactly `length` big-endian bytes, left-padded with zeros; without `length`,
 * the minimal encoding (0 → one zero byte, as MTProto encodes p and q). Throws RangeError if
 * `n` does not fit: callers check their ranges first, so this is a programming mistake.
 */
export function fromBigInt(n: bigint, length?: number): Uint8Array {
  if (n < 0n) throw new RangeError('negative big number')
  let h = n.toString(16)
  if (h.length & 1) h = '0' + h
  const len = length ?? h.length / 2
  if (h.length / 2 > len) throw new RangeError(`big number does not fit in ${len} bytes`)
  const out = new Uint8Array(len)
  const off = len - h.length / 2
  for (let i = 0; i < h.length / 2; i++) out[off + i] = parseInt(h.substr(2 * i, 2), 16)
  return out
}

/** `b` without its leading zero bytes (a view; at least one byte is kept). */
export function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  return b.subarray(i)
}

/** `b` left-padded with zeros to `length` bytes (a copy), or null when its value needs more. */
export function leftPad(b: Uint8Array, length: number): Uint8Array | null {
  const s = stripLeadingZeros(b)
  const out = new Uint8Array(length)
  if (s.length === 1 && s[0] === 0) return out
  if (s.length > length) return null
  out.set(s, length - s.length)
  return out
}

/** Sign of a − b for unsigned big-endian numbers of any lengths. Public values only: exits early. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const x = stripLeadingZeros(a), y = stripLeadingZeros(b)
  if (x.length !== y.length) return x.length < y.length ? -1 : 1
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  return 0
}

/** Bit length of an unsigned big-endian number (0 for zero). */
export function bitLength(b: Uint8Array): number {
  const s = stripLeadingZeros(b)
  if (s.length === 0 || s[0] === 0) return 0
  return (s.length - 1) * 8 + (32 - Math.clz32(s[0]))
}
