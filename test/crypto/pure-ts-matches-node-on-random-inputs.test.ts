import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCrypto } from '../../src/node/index.js'
import { refCtr, refIge } from './reference.js'

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n))

describe('js backend against node:crypto', async () => {
  const c = await createCrypto({ backend: 'js' })

  it('IGE, every length 0..4 KiB (multiples of 16), both directions', () => {
    for (let n = 0; n <= 4096; n += 16) {
      const d = rnd(n), k = rnd(32), iv = rnd(32)
      const ct = c.aesIgeEncrypt(d, k, iv)
      expect(ct).toEqual(refIge(d, k, iv, true))
      expect(c.aesIgeDecrypt(ct, k, iv)).toEqual(d)
      expect(c.aesIgeDecrypt(d, k, iv)).toEqual(refIge(d, k, iv, false))
    }
  })

  it('IGE, a few MiB', () => {
    const d = rnd(3 * 1024 * 1024 + 48), k = rnd(32), iv = rnd(32)
    const ct = c.aesIgeEncrypt(d, k, iv)
    expect(Buffer.from(ct).equals(Buffer.from(refIge(d, k, iv, true)))).toBe(true)
    expect(Buffer.from(c.aesIgeDecrypt(ct, k, iv)).equals(Buffer.from(d))).toBe(true)
  })

  it('IGE with out: in place, exact-size out returned as is, larger out gives a view', () => {
    const d = rnd(256), k = rnd(32), iv = rnd(32)
    const expected = refIge(d, k, iv, true)
    const same = d.slice()
    expect(c.aesIgeEncrypt(same, k, iv, same)).toBe(same)
    expect(same).toEqual(expected)
    const out = new Uint8Array(256)
    expect(c.aesIgeEncrypt(d, k, iv, out)).toBe(out)
    expect(out).toEqual(expected)
    const big = new Uint8Array(300).fill(7)
    const r = c.aesIgeEncrypt(d, k, iv, big)
    expect(r.length).toBe(256)
    expect(r.buffer).toBe(big.buffer)
    expect(r).toEqual(expected)
    expect(big[299]).toBe(7) // nothing written past the output
    // Node Buffers and views at an offset are ordinary inputs
    const backing = rnd(256 + 3)
    const view = backing.subarray(3)
    expect(c.aesIgeDecrypt(Buffer.from(expected), k, iv)).toEqual(d)
    expect(c.aesIgeEncrypt(view, k, iv)).toEqual(refIge(view, k, iv, true))
  })

  it('CTR, every length 0..4 KiB in random chunkings, and a few MiB', () => {
    for (let n = 0; n <= 4096; n += n < 64 ? 1 : 61) {
      const d = rnd(n), k = rnd(32), iv = rnd(16)
      const s = c.createAesCtr(k, iv)
      const out = new Uint8Array(n)
      for (let p = 0; p < n; ) {
        const step = Math.min(n - p, 1 + Math.floor(Math.random() * 40))
        out.set(s.process(d.subarray(p, p + step)), p)
        p += step
      }
      expect(out).toEqual(refCtr(d, k, iv))
      s.dispose()
    }
    const d = rnd(2 * 1024 * 1024 + 5), k = rnd(32), iv = rnd(16)
    expect(Buffer.from(c.createAesCtr(k, iv).process(d)).equals(Buffer.from(refCtr(d, k, iv)))).toBe(true)
  })

  it('CTR carries across the full 128-bit counter', () => {
    const k = rnd(32)
    for (const ivHex of ['ffffffffffffffffffffffffffffffff', '0000000000000000fffffffffffffffe', '00000000fffffffffffffffffffffffe']) {
      const iv = Buffer.from(ivHex, 'hex')
      const d = rnd(100)
      expect(c.createAesCtr(k, iv).process(d)).toEqual(refCtr(d, k, iv))
    }
  })

  it('CTR streams are independent: many interleaved streams', () => {
    const streams = Array.from({ length: 1000 }, () => ({ k: rnd(32), iv: rnd(16), got: [] as number[], data: rnd(50) }))
    const live = streams.map((s) => c.createAesCtr(s.k, s.iv))
    for (let p = 0; p < 50; p += 10) {
      streams.forEach((s, i) => s.got.push(...live[i].process(s.data.subarray(p, p + 10))))
    }
    streams.forEach((s, i) => {
      expect(Uint8Array.from(s.got)).toEqual(refCtr(s.data, s.k, s.iv))
      live[i].dispose()
    })
  })
})
