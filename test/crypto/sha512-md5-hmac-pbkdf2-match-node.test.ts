/**
 * The hashes off the hot path (SHA-512, MD5: src/crypto/js/; HMAC-SHA-256 over each backend's
 * SHA-256; PBKDF2-SHA512 on WebCrypto, or noble's when there is none) against node:crypto on
 * random inputs of every length around the block and padding boundaries, at odd offsets, for
 * every backend. The published vectors run in test/crypto/vectors.test.ts.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/create.js'
import { getPlatform, setPlatform } from '../../src/crypto/platform.js'
import type { Crypto } from '../../src/crypto/types.js'

const cryptos: Crypto[] = [createCryptoSync({ backend: 'js' }), createCryptoSync({ aes: 'table' }), createCryptoSync({ native: false })]
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
/** `n` random bytes at an odd offset of a larger buffer (a view, as callers pass subarrays). */
const at = (n: number, off = 3) => {
  const b = new Uint8Array(n + off + 5).subarray(off, off + n)
  b.set(randomBytes(n))
  return b
}

describe('SHA-512 and MD5', () => {
  it('equal node:crypto on every length 0..300 and around 1 KiB, 64 KiB', () => {
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1023, 1024, 1025, 65535, 65536, 65537]
    for (const c of cryptos) {
      for (const n of lengths) {
        const d = at(n)
        expect(hex(c.sha512(d)), `${c.backend} sha512 ${n}`).toBe(createHash('sha512').update(d).digest('hex'))
        expect(hex(c.md5(d)), `${c.backend} md5 ${n}`).toBe(createHash('md5').update(d).digest('hex'))
      }
    }
  })

  it('leave the input alone and return fresh arrays', () => {
    const c = cryptos[0]
    const d = at(200)
    const copy = d.slice()
    const a = c.sha512(d), b = c.sha512(d)
    expect(a).not.toBe(b)
    expect(a).toEqual(b)
    expect(d).toEqual(copy)
  })
})

describe('HMAC-SHA-256 over the backend SHA-256', () => {
  it('equals node:crypto for keys of 0..200 bytes (longer than a block: hashed first) and data of many lengths', () => {
    for (const c of cryptos) {
      for (let k = 0; k <= 200; k += 7) {
        for (const n of [0, 1, 31, 32, 55, 56, 63, 64, 65, 300]) {
          const key = at(k), d = at(n, 1)
          expect(hex(c.hmacSha256(key, d)), `${c.backend} key ${k} data ${n}`).toBe(createHmac('sha256', key).update(d).digest('hex'))
        }
      }
    }
  })
})

describe('PBKDF2-HMAC-SHA512', () => {
  const subtle = getPlatform().subtle
  afterEach(() => setPlatform({ subtle }))

  it('gives the same bytes on WebCrypto and, without it, on noble (loaded on demand)', async () => {
    const c = cryptos[1]
    const cases = [[randomBytes(12), randomBytes(32), 1], [randomBytes(0), randomBytes(16), 3], [randomBytes(80), randomBytes(8), 1000]] as const
    for (const withSubtle of [true, false]) {
      setPlatform({ subtle: withSubtle ? subtle : undefined })
      for (const [p, s, i] of cases) {
        expect(hex(await c.pbkdf2Sha512(p, s, i)), `subtle ${withSubtle}`).toBe(pbkdf2Sync(p, s, i, 64, 'sha512').toString('hex'))
      }
    }
  })
})
