/**
 * Every WASM core against node:crypto references, the pure-TS backend and each other, on
 * pseudo-random data: every length 0..4 KiB (IGE: every multiple of 16), a few MiB, and inputs
 * longer than the 256 KiB scratch region (which stream through it in chunks). CTR with random
 * chunkings and many concurrent streams interleaved.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { jsCore } from '../../src/crypto/js/index.js'
import { SCRATCH_SIZE } from '../../src/crypto/wasm/layout.generated.js'
import { refCtr, refIge } from '../crypto/reference.js'
import { toHex } from '../vectors/samples-auth-key.js'
import { prng, wasmCores } from './cores.js'

const cores = wasmCores()
const eq = (a: Uint8Array, b: Uint8Array): void => expect(toHex(a)).toBe(toHex(b))
const nodeHash = (alg: string, d: Uint8Array): string => createHash(alg).update(d).digest('hex')

// the long IGE inputs and their pure-TS encryption, computed once for all cores
const long = (() => {
  const rnd = prng(3)
  let cache: { data: Uint8Array; key: Uint8Array; iv: Uint8Array; enc: Uint8Array }[] | undefined
  return () =>
    (cache ??= [SCRATCH_SIZE - 16, SCRATCH_SIZE, SCRATCH_SIZE + 16, 2.5 * 1024 * 1024].map((n) => {
      const data = rnd(n), key = rnd(32), iv = rnd(32)
      const enc = new Uint8Array(n)
      jsCore.igeEncrypt(data, key, iv, enc)
      return { data, key, iv, enc }
    }))
})()

describe.each(cores.map((c) => [c.backend, c] as const))('%s', (_name, core) => {
  it('IGE: every multiple of 16 up to 4 KiB, both directions, = node:crypto reference', () => {
    const rnd = prng(1)
    for (let n = 0; n <= 4096; n += 16) {
      const data = rnd(n), key = rnd(32), iv = rnd(32)
      const enc = new Uint8Array(n)
      core.igeEncrypt(data, key, iv, enc)
      eq(enc, refIge(data, key, iv, true))
      const dec = new Uint8Array(n)
      core.igeDecrypt(enc, key, iv, dec)
      eq(dec, data)
    }
  })

  it('IGE in place (out === data)', () => {
    const rnd = prng(2)
    const data = rnd(1024), key = rnd(32), iv = rnd(32)
    const buf = data.slice()
    core.igeEncrypt(buf, key, iv, buf)
    eq(buf, refIge(data, key, iv, true))
    core.igeDecrypt(buf, key, iv, buf)
    eq(buf, data)
  })

  it('IGE across the scratch region (2.5 MiB and scratch ± 16), = pure TS', () => {
    for (const { data, key, iv, enc } of long()) {
      const a = new Uint8Array(data.length)
      core.igeEncrypt(data, key, iv, a)
      expect(Buffer.compare(a, enc)).toBe(0)
      core.igeDecrypt(a, key, iv, a)
      expect(Buffer.compare(a, data)).toBe(0)
    }
  })

  it('SHA-256 and SHA-1: every length up to 4 KiB = node:crypto', () => {
    const data = prng(4)(4096)
    for (let n = 0; n <= 4096; n++) {
      const d = data.subarray(0, n)
      expect(toHex(core.sha256(d))).toBe(nodeHash('sha256', d))
      expect(toHex(core.sha1(d))).toBe(nodeHash('sha1', d))
    }
  })

  it('SHA-256 and SHA-1 across the scratch region and at 3 MiB', () => {
    const rnd = prng(5)
    for (const n of [SCRATCH_SIZE - 1, SCRATCH_SIZE, SCRATCH_SIZE + 1, SCRATCH_SIZE + 64, 2 * SCRATCH_SIZE + 55, 3 * 1024 * 1024]) {
      const d = rnd(n)
      expect(toHex(core.sha256(d))).toBe(nodeHash('sha256', d))
      expect(toHex(core.sha1(d))).toBe(nodeHash('sha1', d))
    }
  })

  it('CTR: random chunkings (0..300 bytes and past the scratch size) = node:crypto', () => {
    const rnd = prng(6)
    for (let t = 0; t < 20; t++) {
      const n = t === 19 ? SCRATCH_SIZE * 2 + 77 : (rnd(2)[0] << 4) + rnd(1)[0]
      const data = rnd(n), key = rnd(32), iv = rnd(16)
      if (t === 0) iv.fill(0xff) // counter wraps around 2^128
      if (t === 1) iv.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], 8) // carry into the high half
      const s = core.ctrCreate(key, iv)
      const out = new Uint8Array(n)
      for (let off = 0; off < n; ) {
        const step = Math.min(n - off, t === 19 ? 100_003 : rnd(2)[0] % 300)
        s.process(data.subarray(off, off + step), out.subarray(off, off + step))
        off += step
      }
      s.dispose()
      eq(out, refCtr(data, key, iv))
    }
  })

  it('CTR: 3000 concurrent streams, interleaved, each = node:crypto', () => {
    const rnd = prng(7)
    const n = 3000
    const streams = Array.from({ length: n }, () => ({ key: rnd(32), iv: rnd(16), data: rnd(96) }))
    const live = streams.map((x) => core.ctrCreate(x.key, x.iv))
    const outs = streams.map(() => new Uint8Array(96))
    for (const [a, b] of [[0, 5], [5, 37], [37, 64], [64, 96]]) {
      for (let i = 0; i < n; i++) live[i].process(streams[i].data.subarray(a, b), outs[i].subarray(a, b))
    }
    for (let i = 0; i < n; i++) {
      eq(outs[i], refCtr(streams[i].data, streams[i].key, streams[i].iv))
      live[i].dispose()
    }
  })
})

it('all cores agree with each other and with pure TS on random IGE/CTR/SHA inputs', () => {
  const rnd = prng(8)
  for (let t = 0; t < 40; t++) {
    const n = (rnd(1)[0] % 64) * 16 + 16
    const data = rnd(n), key = rnd(32), iv = rnd(32)
    const results = [jsCore, ...cores].map((c) => {
      const e = new Uint8Array(n), d = new Uint8Array(n), k = new Uint8Array(n)
      c.igeEncrypt(data, key, iv, e)
      c.igeDecrypt(data, key, iv, d)
      c.ctrCreate(key, iv.subarray(0, 16)).process(data, k)
      return toHex(e) + toHex(d) + toHex(k) + toHex(c.sha256(data)) + toHex(c.sha1(data))
    })
    for (const r of results) expect(r).toBe(results[0])
  }
})
