/**
 * Every backend this build has (pure TS, each WASM flavour and AES core) gives byte-identical
 * packets for the same injected randomness, on random messages of 0..64 KiB, in every version
 * and layout, and each decrypts the others' packets.
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { CryptoError } from '../../src/errors.js'
import type { Crypto, CryptoOptions, EnvelopeOptions } from '../../src/crypto/types.js'
import { buildCrypto } from '../../src/crypto/api.js'
import { body, cloudInner, e2eInner, jsCoreNoInto, seededRandom } from './helpers.js'

function all(seed: string): Crypto[] {
  const combos: CryptoOptions[] = [{ backend: 'js' }]
  for (const simd of ['relaxed', 'baseline', 'none'] as const) for (const aes of ['constant-time', 'table'] as const) combos.push({ backend: 'wasm', simd, aes })
  const out: Crypto[] = [buildCrypto(jsCoreNoInto, seededRandom(seed))]
  for (const o of combos) {
    try {
      out.push(createCryptoSync({ ...o, random: seededRandom(seed) }))
    } catch (e) {
      if (!(e instanceof CryptoError) || e.code !== 'E_BACKEND_UNAVAILABLE') throw e
    }
  }
  return out
}

const OPTIONS: EnvelopeOptions[] = [{}, { padding: 'buckets' }, { layout: 'e2e' }, { version: 1 }, { version: 1, layout: 'e2e' }]

describe('backends agree byte for byte', () => {
  it(`on random messages of 0..64 KiB (${all('x').map((c) => c.backend).join(', ')})`, () => {
    const cs = all('agree')
    const key = createAuthKey(body(256, 42))
    const lens = seededRandom('lens')
    const r = new Uint8Array(3)
    for (let i = 0; i < 40; i++) {
      lens(r)
      // mostly small, some up to 64 KiB
      const n = i % 5 === 4 ? ((r[0] | (r[1] << 8)) & 0xfffc) : (r[0] & 0xfc)
      const o = OPTIONS[i % OPTIONS.length]
      const inner = o.layout === 'e2e' ? e2eInner(body(n, i)) : cloudInner(body(n, i))
      const x = (r[2] & 1 ? 8 : 0) as 0 | 8
      const packets = cs.map((c) => Buffer.from(c.encryptMessage(key, inner, x, undefined, o)).toString('hex'))
      expect(new Set(packets).size).toBe(1)
      for (const c of cs) expect(c.decryptMessage(key, Buffer.from(packets[0], 'hex'), x, undefined, o)).toEqual(inner)
    }
  })
})
