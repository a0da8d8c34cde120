/**
 * The node:crypto provider (src/node/provider.ts): IGE-encrypt-as-CBC against the block-wise
 * reference (aligned and unaligned buffers), and envelopes built with the provider installed
 * byte-identical to those without, across its size thresholds, for plain and fused cores;
 * and the contract a fused core sees.
 */
import { createCipheriv } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { buildCrypto } from '../../src/crypto/api.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { ENV_FAIL_MSG_KEY, ENV_FAIL_PADDING, ENV_V1 } from '../../src/crypto/flags.generated.js'
import { jsCore } from '../../src/crypto/js/index.js'
import { ComposedEnvelope } from '../../src/crypto/js/mtproto.js'
import { setNativeProvider } from '../../src/crypto/route.js'
import type { CryptoCore } from '../../src/crypto/types.js'
import { igeEncryptViaCbc, nodeProvider } from '../../src/node/provider.js'
import { body, cloudInner, jsCoreNoInto, SAMPLE_KEY, seededRandom } from './helpers.js'
import { igeEncryptRef } from './reference.js'

afterEach(() => setNativeProvider(undefined))

describe('igeEncryptViaCbc', () => {
  it('equals the block-wise IGE reference for 1..300 blocks, aligned or not', () => {
    const key = body(32, 1), iv = body(32, 2)
    for (const blocks of [1, 2, 3, 4, 5, 17, 64, 300]) {
      const data = body(blocks * 16, blocks)
      const expected = igeEncryptRef(data, key, iv)
      for (const [din, dout] of [[0, 0], [1, 0], [0, 3], [5, 7], [4, 8]]) {
        const a = new Uint8Array(data.length + 8)
        a.set(data, din)
        const o = new Uint8Array(data.length + 8)
        igeEncryptViaCbc(a.subarray(din, din + data.length), key, iv, o.subarray(dout, dout + data.length))
        expect(Buffer.from(o.subarray(dout, dout + data.length))).toEqual(expected)
      }
    }
  })
})

describe('envelope with the node provider', () => {
  const key = createAuthKey(SAMPLE_KEY)
  const sizes = [0, 500, 960, 1000, 2000, 4040, 4100, 20000, 70000]

  function packets(core: CryptoCore): Uint8Array[] {
    const c = buildCrypto(core, seededRandom('native'))
    return sizes.flatMap((n) => [0, 8].map((x) => c.encryptMessage(key, cloudInner(body(n, n)), x as 0 | 8)))
  }

  it('gives the same packets as the pure core, and each decrypts with the other', () => {
    const plain = packets(jsCore)
    setNativeProvider(nodeProvider)
    const nat = packets(jsCore)
    expect(nat.map((p) => Buffer.from(p).toString('hex'))).toEqual(plain.map((p) => Buffer.from(p).toString('hex')))
    const c = buildCrypto(jsCore)
    nat.forEach((p, i) => expect(c.decryptMessage(key, p, (i % 2 ? 8 : 0) as 0 | 8)).toEqual(cloudInner(body(sizes[i >> 1], sizes[i >> 1]))))
  })

  it('keeps a core\'s allocation-free hashes below the threshold and stays byte-identical', () => {
    const plain = packets(jsCoreNoInto)
    setNativeProvider(nodeProvider)
    const nat = packets(jsCore)
    expect(nat.map((p) => Buffer.from(p).toString('hex'))).toEqual(plain.map((p) => Buffer.from(p).toString('hex')))
  })

  it('sends encryptions from the native IGE threshold up away from a fused core, and only those', () => {
    const enc: number[] = []
    const dec: number[] = []
    const inner = new ComposedEnvelope(jsCore)
    const fused: CryptoCore = {
      ...jsCore,
      fusedMax: 1 << 20,
      encryptMessage: (job) => {
        enc.push(job.inner.length + job.padLen)
        inner.encryptMessage(job)
      },
      decryptMessage: (job) => {
        dec.push(job.packet.length - 24)
        return inner.decryptMessage(job)
      },
    }
    const plain = packets(jsCore)
    setNativeProvider(nodeProvider)
    const routed = packets(fused)
    expect(routed.map((p) => Buffer.from(p).toString('hex'))).toEqual(plain.map((p) => Buffer.from(p).toString('hex')))
    const { igeEncrypt } = nodeProvider.thresholds
    expect(enc.length).toBe(plain.filter((p) => p.length - 24 < igeEncrypt).length)
    expect(enc.length).toBeGreaterThan(0)
    expect(enc.every((n) => n < igeEncrypt)).toBe(true)
    // IGE decryption has no native form: every decryption reaches the core
    const c = buildCrypto(fused)
    routed.forEach((p, i) => expect(c.decryptMessage(key, p, (i % 2 ? 8 : 0) as 0 | 8)).toEqual(cloudInner(body(sizes[i >> 1], sizes[i >> 1]))))
    expect(dec.length).toBe(plain.length)
  })
})

describe('the node provider and a core that takes a host hash', () => {
  it("gets MTProto 2.0 messages from the in-place threshold up to fusedMax (encryption: below the native IGE's threshold) with the provider's SHA-256; the rest fused or composed as route.ts says", () => {
    const key = createAuthKey(SAMPLE_KEY)
    const inner = new ComposedEnvelope(jsCore)
    const seen: string[] = []
    const core: CryptoCore = {
      ...jsCore,
      fusedMax: 8192,
      encryptMessage: (job, sha256) => {
        seen.push(`${sha256 ? 'hashed' : 'fused'} enc ${job.inner.length + job.padLen}`)
        if (sha256) expect(sha256(body(100, 1))).toEqual(nodeProvider.sha256(body(100, 1)))
        inner.encryptMessage(job)
      },
      decryptMessage: (job, sha256) => {
        seen.push(`${sha256 ? 'hashed' : 'fused'} ${job.packet.length - 24}`)
        if (sha256) expect(sha256(body(100, 1))).toEqual(nodeProvider.sha256(body(100, 1)))
        return inner.decryptMessage(job)
      },
    }
    const ref = buildCrypto(jsCore, seededRandom('hashed'))
    const c = buildCrypto(core, seededRandom('hashed'), nodeProvider)
    const expected: string[] = []
    const { sha256InPlace, igeEncrypt } = nodeProvider.thresholds
    for (const version of [2, 1] as const) {
      for (const n of [400, 600, 900, 1000, 1012, 4000, 8000, 8200, 20000]) {
        const m = cloudInner(body(n, n))
        const p = ref.encryptMessage(key, m, 8, undefined, { version })
        expect(c.encryptMessage(key, m, 8, undefined, { version })).toEqual(p)
        const len = p.length - 24
        if (len < igeEncrypt && len <= 8192) expected.push(`${version === 2 && len >= sha256InPlace ? 'hashed' : 'fused'} enc ${len}`)
        expect(c.decryptMessage(key, p, 8, undefined, { version })).toEqual(m)
        if (len <= 8192) expected.push(`${version === 2 && len >= sha256InPlace ? 'hashed' : 'fused'} ${len}`)
      }
    }
    expect(seen).toEqual(expected)
    expect(seen.filter((x) => x.startsWith('hashed enc')).length).toBe(5)
    expect(seen.filter((x) => x.startsWith('hashed ') && !x.includes('enc')).length).toBe(6)
    expect(seen.filter((x) => x.startsWith('fused')).length).toBe(15)
  })
})

describe('a fused core', () => {
  it("gets validated inputs, and its failure mask becomes the uniform error with the hook's names", () => {
    const key = createAuthKey(SAMPLE_KEY)
    const calls: number[][] = []
    const fused: CryptoCore = {
      ...jsCore,
      fusedMax: 1 << 20,
      encryptMessage: (job) => void calls.push([job.inner.length, job.padLen, job.x, job.flags]),
      decryptMessage: () => -(ENV_FAIL_MSG_KEY | ENV_FAIL_PADDING),
    }
    const c = buildCrypto(fused)
    c.encryptMessage(key, cloudInner(body(4)), 8, undefined, { layout: 'cloud', version: 1 })
    expect(calls).toEqual([[36, 12, 8, ENV_V1]])
    let names: readonly string[] = []
    expect(() => c.decryptMessage(key, new Uint8Array(72), 0, undefined, { onFailure: (n) => (names = n) })).toThrow(
      expect.objectContaining({ code: 'E_DECRYPT', message: 'message decryption failed' }),
    )
    expect(names).toEqual(['msg_key', 'padding'])
  })
})

describe('AES-CTR streams with the node provider (src/crypto/ctr.ts)', () => {
  const ref = (d: Uint8Array, k: Uint8Array, iv: Uint8Array): Uint8Array => new Uint8Array(createCipheriv('aes-256-ctr', k, iv).update(d))
  const rng = seededRandom('ctr-chunks')
  const chunkSizes = (total: number): number[] => {
    const out: number[] = []
    const b = new Uint8Array(2)
    for (let left = total; left > 0; ) {
      rng(b)
      // around the threshold (ctr = 128) and across block boundaries, with some empty calls
      const n = Math.min(left, [0, 1, 15, 16, 17, 127, 128, 129, 300, 1000, 4097][b[0] % 11] + (b[1] % 3))
      out.push(n)
      left -= n
    }
    return out
  }

  it('switches engines by call size and stays on the one keystream (TS and WASM cores, in place or not)', () => {
    expect(nodeProvider.thresholds.ctr).toBe(128)
    for (const [ivHex, total] of [['00'.repeat(16), 20000], ['ff'.repeat(15) + 'f0', 5000], ['00'.repeat(8) + 'ff'.repeat(7) + 'fe', 9000]] as const) {
      const key = body(32, total), iv = Uint8Array.from(Buffer.from(ivHex, 'hex'))
      const data = body(total, 7)
      const expected = ref(data, key, iv)
      for (const [inPlace, c] of [
        [false, buildCrypto(jsCore, undefined, nodeProvider)],
        [true, buildCrypto(jsCore, undefined, nodeProvider)],
        [false, createCryptoSync({ backend: 'wasm', native: nodeProvider })],
        [true, createCryptoSync({ backend: 'wasm', native: nodeProvider })],
      ] as const) {
        const s = c.createAesCtr(key, iv)
        const got = new Uint8Array(total)
        let p = 0
        for (const n of chunkSizes(total)) {
          const chunk = data.slice(p, p + n)
          if (inPlace) {
            s.process(chunk, chunk)
            got.set(chunk, p)
          } else got.set(s.process(chunk), p)
          p += n
        }
        s.dispose()
        expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true)
        expect(() => s.process(data)).toThrow(/disposed/)
      }
    }
  })

  it('is used only when installed or passed, never with native: false', () => {
    let created = 0
    const spy = { ...nodeProvider, ctrCreate: (k: Uint8Array, iv: Uint8Array) => (created++, nodeProvider.ctrCreate!(k, iv)) }
    const key = body(32, 1), iv = body(16, 2), data = body(4096, 3)
    buildCrypto(jsCore, undefined, false).createAesCtr(key, iv).process(data)
    buildCrypto(jsCore).createAesCtr(key, iv).process(data)
    expect(created).toBe(0)
    buildCrypto(jsCore, undefined, spy).createAesCtr(key, iv).process(data)
    expect(created).toBe(1)
    setNativeProvider(spy)
    buildCrypto(jsCore).createAesCtr(key, iv).process(data)
    expect(created).toBe(2)
  })
})
