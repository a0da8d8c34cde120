import { createCryptoSync } from '../../src/crypto/index.js'
import type { Crypto } from '../../src/crypto/index.js'

/** A seeded xorshift128+ style PRNG so every random test is reproducible from its seed. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0 || 1
  let b = (seed * 2654435761) >>> 0 || 2
  const next = (): number => {
    let t = a ^ (a << 11)
    a = b
    b = b ^ (b >>> 19) ^ (t ^ (t >>> 8))
    t = b >>> 0
    return t / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    bytes(n) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256)
      return out
    },
  }
}

/** A Crypto whose randomness comes from a seeded PRNG (for reproducible tests). */
export function seededCrypto(seed: number): Crypto {
  const r = prng(seed)
  return createCryptoSync({ random: (buf) => buf.set(r.bytes(buf.length)) })
}

/** Splits `data` into random chunks (1-byte chunks included). */
export function chunks(data: Uint8Array, r: ReturnType<typeof prng>, maxChunk = 97): Uint8Array[] {
  const out: Uint8Array[] = []
  let i = 0
  while (i < data.length) {
    const n = r.next() < 0.3 ? 1 : 1 + r.int(maxChunk)
    out.push(data.subarray(i, i + n))
    i += n
  }
  return out
}

export function concatAll(parts: Uint8Array[]): Uint8Array {
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

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
/** mtg's snapshots use unpadded base64 (std or url alphabet). */
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64'))
