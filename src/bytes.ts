/** Small byte helpers shared by the layers (no Node built-ins). */

const toStr = Object.prototype.toString

/** Whether `v` is a Uint8Array: Node Buffers and other realms' arrays count. */
export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array || toStr.call(v) === '[object Uint8Array]'
}

/**
 * A copy of `b[start, end)` as a plain Uint8Array. Not `b.slice()`: on a Node Buffer that is a
 * view of the same memory, so writing to the "copy" (zeroing, reversing) would change the caller's bytes.
 */
export function copyBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  return new Uint8Array(b.subarray(start, end))
}

/** Sizes `allocBytes` carves from a slab, and the slab's size. */
const SMALL = 1024
const SLAB = 16384
let slab = /* @__PURE__ */ new Uint8Array(0)
const NO_BYTES = /* @__PURE__ */ new Uint8Array(0)
let slabPos = 0

/**
 * `n` fresh zero bytes. Up to 1 KiB they are a view of a shared 16 KiB slab, as Node pools its
 * small Buffers: V8 gives a typed array of more than 64 bytes a backing store of its own
 * (an allocator call and a GC-tracked extension), the dearest step of a small packet's way
 * through the layers. Each view is handed out once, so nothing is ever overwritten; a view keeps
 * its slab alive, so this is for bytes on their way (a packet in or out), not for what is kept.
 * Views start at multiples of 8 bytes.
 */
export function allocBytes(n: number): Uint8Array {
  // nothing can be written to an empty array: one serves every caller (a flood of empty
  // WebSocket frames would otherwise make a view per frame)
  if (n === 0) return NO_BYTES
  if (n > SMALL) return new Uint8Array(n)
  if (slabPos + n > slab.length) {
    slab = new Uint8Array(SLAB)
    slabPos = 0
  }
  const v = slab.subarray(slabPos, slabPos + n)
  slabPos = (slabPos + n + 7) & ~7
  return v
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts)
}

/** `concat` for a list of any length (a spread of many thousands of arguments can overflow the stack). */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export function readU32LE(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
}

export function writeU32LE(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 255
  b[o + 1] = (v >>> 8) & 255
  b[o + 2] = (v >>> 16) & 255
  b[o + 3] = (v >>> 24) & 255
}

/** A big-endian 32-bit word as a signed int32 (the word form of the pure-TS AES and hashes). */
export function readI32BE(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]
}

export function writeU32BE(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24
  b[o + 1] = v >>> 16
  b[o + 2] = v >>> 8
  b[o + 3] = v
}

export function readU16BE(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1]
}

export function writeU16BE(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 255
  b[o + 1] = v & 255
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Constant-time comparison of equal-length secrets (MACs): no early exit on the first difference. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]
  return d === 0
}

const enc = /* @__PURE__ */ new TextEncoder()
export function utf8(s: string): Uint8Array {
  return enc.encode(s)
}

export function fromHex(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16)
  return out
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Standard or URL-safe base64, padding optional; null when malformed. */
export function fromBase64(s: string): Uint8Array | null {
  const t = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  if (!/^[A-Za-z0-9+/]*$/.test(t) || t.length % 4 === 1) return null
  const out = new Uint8Array(Math.floor((t.length * 3) / 4))
  let bits = 0
  let acc = 0
  let o = 0
  for (let i = 0; i < t.length; i++) {
    acc = (acc << 6) | B64.indexOf(t[i])
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >>> bits) & 255
    }
  }
  return out
}

export function toBase64(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)
    s += B64[(n >>> 18) & 63] + B64[(n >>> 12) & 63]
    s += i + 1 < b.length ? B64[(n >>> 6) & 63] : '='
    s += i + 2 < b.length ? B64[n & 63] : '='
  }
  return s
}

/**
 * A buffer for a body whose length was announced and checked, filled as bytes arrive. It
 * starts at 64 KiB at most and doubles as data comes, so a peer that announces a large packet
 * and sends nothing costs little memory: what is held stays proportional to what was received.
 */
export class BodyBuffer {
  private buf: Uint8Array
  private n = 0
  constructor(readonly length: number) {
    this.buf = allocBytes(Math.min(length, 65536))
  }
  /** Copies from `src[i..]` up to the missing bytes; returns how many were taken. */
  fill(src: Uint8Array, i: number): number {
    const take = Math.min(this.length - this.n, src.length - i)
    if (this.n + take > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.length, Math.max(this.buf.length * 2, this.n + take)))
      grown.set(this.buf.subarray(0, this.n))
      this.buf = grown
    }
    this.buf.set(i === 0 && take === src.length ? src : src.subarray(i, i + take), this.n)
    this.n += take
    return take
  }
  get done(): boolean {
    return this.n === this.length
  }
  /** The whole body (only once `done`; capacity never exceeds `length`, so no copy). */
  result(): Uint8Array {
    return this.buf
  }
}
