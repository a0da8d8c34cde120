import { getPlatform } from '../platform.js'

/**
 * Base64 to bytes, for the embedded modules (~48 KB of text, decoded once per flavour while the
 * JIT is cold): `Uint8Array.fromBase64` where the runtime has it, else the platform's native
 * decoder (the Node entry's Buffer: ~0.05 ms where the atob loop below takes ~1.4 ms on x64),
 * else atob, else a plain decoder.
 */
export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64 ?? getPlatform().fromBase64
  if (native) return native(s)
  const atob_ = (globalThis as { atob?: (s: string) => string }).atob
  if (typeof atob_ === 'function') {
    // native decoding: several times faster than the loop below while the JIT is still cold
    const bin = atob_(s)
    const out = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out
  }
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
