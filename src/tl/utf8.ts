/**
 * UTF-8 for TL strings. Most TL strings are short (names, error messages, language codes),
 * where a plain loop beats TextDecoder/TextEncoder's per-call overhead; longer strings go to
 * the platform codec.
 */
const decoder = /* @__PURE__ */ new TextDecoder()
const encoder = /* @__PURE__ */ new TextEncoder()
const SHORT = 48

/** Decodes `b[start, end)`; invalid sequences become U+FFFD (as TextDecoder does). */
export function utf8Decode(b: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    const s = decodeShort(b, start, end)
    if (s !== null) return s
  }
  return decoder.decode(b.subarray(start, end))
}

/**
 * Well-formed UTF-8 decoded by hand (ASCII four characters per call); null on anything
 * malformed, which the caller hands to TextDecoder for its exact replacement behaviour.
 */
function decodeShort(b: Uint8Array, start: number, end: number): string | null {
  let or = 0
  for (let j = start; j < end; j++) or |= b[j]
  if (or < 0x80) {
    // ASCII: whole 16-character pieces, each one call with the exact number of arguments
    let s = ''
    let i = start
    for (; end - i >= 16; i += 16) s += ascii(b, i, 16)
    return i < end ? s + ascii(b, i, end - i) : s
  }
  let s = ''
  let i = start
  while (i < end) {
    const c = b[i]
    if (c < 0x80) {
      if (i + 4 <= end && (b[i + 1] | b[i + 2] | b[i + 3]) < 0x80) {
        s += String.fromCharCode(c, b[i + 1], b[i + 2], b[i + 3])
        i += 4
      } else {
        s += String.fromCharCode(c)
        i++
      }
    } else if (c >= 0xc2 && c < 0xe0) {
      if (i + 1 >= end) return null
      const c1 = b[i + 1]
      if ((c1 & 0xc0) !== 0x80) return null
      s += String.fromCharCode(((c & 0x1f) << 6) | (c1 & 0x3f))
      i += 2
    } else if (c >= 0xe0 && c < 0xf0) {
      if (i + 2 >= end) return null
      const c1 = b[i + 1]
      const c2 = b[i + 2]
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) return null
      const cp = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f)
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return null // overlong, surrogate
      s += String.fromCharCode(cp)
      i += 3
    } else if (c >= 0xf0 && c < 0xf5) {
      if (i + 3 >= end) return null
      const c1 = b[i + 1]
      const c2 = b[i + 2]
      const c3 = b[i + 3]
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return null
      const cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)
      if (cp < 0x10000 || cp > 0x10ffff) return null
      const u = cp - 0x10000
      s += String.fromCharCode(0xd800 | (u >> 10), 0xdc00 | (u & 0x3ff))
      i += 4
    } else return null
  }
  return s
}

/** Number of UTF-8 bytes of `s` (lone surrogates count as U+FFFD, 3 bytes, like TextEncoder). */
export function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2 // a pair: 2 UTF-16 units -> 4 bytes
      i++
    } else n += 2
  }
  return n
}

/** Writes `s` (whose UTF-8 length is `len`) into `b` at `pos`. */
export function utf8Write(s: string, len: number, b: Uint8Array, pos: number): void {
  if (len === s.length) {
    for (let i = 0; i < len; i++) b[pos + i] = s.charCodeAt(i)
    return
  }
  encoder.encodeInto(s, b.subarray(pos, pos + len))
}

/** TextEncoder.encodeInto `b` from `pos` to its end: UTF-16 units read, bytes written (whole characters only). */
export function utf8EncodeInto(s: string, b: Uint8Array, pos: number): { read: number; written: number } {
  const r = encoder.encodeInto(s, b.subarray(pos))
  return { read: r.read ?? 0, written: r.written ?? 0 }
}

const f = String.fromCharCode

/** `n` (1..16) ASCII bytes from `i` as a string, in one call. */
function ascii(b: Uint8Array, i: number, n: number): string {
  switch (n) {
    case 1: return f(b[i])
    case 2: return f(b[i], b[i + 1])
    case 3: return f(b[i], b[i + 1], b[i + 2])
    case 4: return f(b[i], b[i + 1], b[i + 2], b[i + 3])
    case 5: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4])
    case 6: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5])
    case 7: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6])
    case 8: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7])
    case 9: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8])
    case 10: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9])
    case 11: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10])
    case 12: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11])
    case 13: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12])
    case 14: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13])
    case 15: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14])
    default: return f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14], b[i + 15])
  }
}
