/**
 * The allocation-free SHA-256 / SHA-1 of the pure-TS envelope path against node:crypto, at
 * every length around the padding boundaries (55/56/63/64 bytes...) and a few large inputs,
 * plus the FIPS 180 "abc" examples.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sha1Into } from '../../src/crypto/js/sha1.js'
import { sha256Into } from '../../src/crypto/js/sha256.js'
import { body } from './helpers.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('sha256Into / sha1Into', () => {
  it('FIPS 180 "abc"', () => {
    const o = new Uint8Array(32)
    sha256Into(new TextEncoder().encode('abc'), o)
    expect(hex(o)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    sha1Into(new TextEncoder().encode('abc'), o)
    expect(hex(o.subarray(0, 20))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
  })
  it('equal node:crypto for lengths 0..300 and large inputs, at any offset', () => {
    const big = body(70000, 5)
    const o256 = new Uint8Array(32)
    const o1 = new Uint8Array(20)
    for (const n of [...Array(301).keys(), 1000, 4096, 65535, 65536, 65537, 69999]) {
      const d = big.subarray(n % 7, (n % 7) + n)
      sha256Into(d, o256)
      sha1Into(d, o1)
      expect(hex(o256)).toBe(createHash('sha256').update(d).digest('hex'))
      expect(hex(o1)).toBe(createHash('sha1').update(d).digest('hex'))
    }
  })
})
