/**
 * UTF-8 for TL strings. Most TL strings are short (names, error messages, language codes),
 * where a plain loop beats TextDecoder/TextEncoder's per-call overhead; longer strings go to
 * the platform codec.
 */
const decoder = new TextDecoder()
const encoder = new TextEncoder()
const SHORT = 48

/** Decodes `b[start, end)`; invalid sequences become U+FFFD (as TextDecoder does). */
export function utf8Decode(b: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT) return decoder.decode(b.subarray(start, end))
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return decoder.decode(b.subarray(start, end))
  // ASCII: four characters per call, so a short string costs few intermediate strings
  let s = ''
  let i = start
  for (; i + 4 <= end; i += 4) s += String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3])
  for (; i < end; i++) s += String.fromCharCode(b[i])
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
