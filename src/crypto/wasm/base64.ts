/** Base64 to bytes without Buffer or atob (neither exists everywhere the WASM core runs). */
export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const map = new Uint8Array(128)
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  for (let i = 0; i < 64; i++) map[abc.charCodeAt(i)] = i
  let n = s.length
  while (n > 0 && s.charCodeAt(n - 1) === 61 /* = */) n--
  const out = new Uint8Array((n * 3) >> 2)
  let o = 0
  for (let i = 0; i < n; i += 4) {
    const a = map[s.charCodeAt(i)], b = map[s.charCodeAt(i + 1)]
    const c = i + 2 < n ? map[s.charCodeAt(i + 2)] : 0, d = i + 3 < n ? map[s.charCodeAt(i + 3)] : 0
    const w = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = w >> 16
    if (o < out.length) out[o++] = (w >> 8) & 255
    if (o < out.length) out[o++] = w & 255
  }
  return out
}
