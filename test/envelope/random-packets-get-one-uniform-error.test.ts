/**
 * Fuzzing decryptMessage: random packets of every length class and bit-flipped / truncated /
 * extended valid packets, under every version and layout. Only the uniform SecurityError may
 * come out; a mutation that leaves the packet intact must decrypt to the original.
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { SecurityError } from '../../src/errors.js'
import type { EnvelopeOptions } from '../../src/crypto/types.js'
import { backends, body, cloudInner, e2eInner, SAMPLE_KEY, seededRandom } from './helpers.js'

const OPTIONS: EnvelopeOptions[] = [{}, { layout: 'e2e' }, { version: 1 }, { version: 1, layout: 'e2e' }]

function onlySecurityError(fn: () => unknown): 'ok' | 'rejected' {
  try {
    fn()
    return 'ok'
  } catch (e) {
    expect(e).toBeInstanceOf(SecurityError)
    expect((e as SecurityError).code).toBe('E_DECRYPT')
    expect((e as SecurityError).message).toBe('message decryption failed')
    return 'rejected'
  }
}

for (const { name, make } of backends()) {
  describe(`fuzz decryptMessage (${name})`, () => {
    const key = createAuthKey(SAMPLE_KEY)
    const rnd = seededRandom(`fuzz-${name}`)
    const c = make(seededRandom('fuzz-pad'))

    it('random packets: every length 0..300, then some large ones', () => {
      const lengths = [...Array(301).keys(), 1024 + 24, 4096 + 24, 4096 + 25, 65536 + 24]
      for (const n of lengths) {
        const p = new Uint8Array(n)
        rnd(p)
        if (n >= 8 && n % 3 === 0) p.set(key.id) // right auth_key_id, so the later checks run too
        for (const o of OPTIONS) for (const x of [0, 8] as const) expect(onlySecurityError(() => c.decryptMessage(key, p, x, undefined, o))).toBe('rejected')
      }
    })

    it('bit flips, truncations and extensions of valid packets', () => {
      const r = new Uint8Array(4)
      for (const o of OPTIONS) {
        const e2e = o.layout === 'e2e'
        for (const n of [0, 4, 40, 400]) {
          const inner = e2e ? e2eInner(body(n, n)) : cloudInner(body(n, n))
          for (const x of [0, 8] as const) {
            const good = c.encryptMessage(key, inner, x, undefined, o)
            expect(c.decryptMessage(key, good, x, undefined, o)).toEqual(inner)
            for (let i = 0; i < 40; i++) {
              rnd(r)
              const p = good.slice()
              const bit = ((r[0] | (r[1] << 8)) >>> 0) % (p.length * 8)
              p[bit >> 3] ^= 1 << (bit & 7)
              expect(onlySecurityError(() => c.decryptMessage(key, p, x, undefined, o))).toBe('rejected')
              const cut = r[2] % good.length
              expect(onlySecurityError(() => c.decryptMessage(key, good.subarray(0, cut), x, undefined, o))).toBe('rejected')
              const longer = new Uint8Array(good.length + 1 + (r[3] % 40))
              longer.set(good)
              expect(onlySecurityError(() => c.decryptMessage(key, longer, x, undefined, o))).toBe('rejected')
            }
          }
        }
      }
    })

    it('batches of fuzzed packets never throw', () => {
      const items = Array.from({ length: 50 }, (_, i) => {
        const p = new Uint8Array(24 + 16 * (i % 8))
        rnd(p)
        return { authKey: key, packet: p, x: 0 as const }
      })
      const res = c.decryptMessages(items)
      expect(res.every((r) => r instanceof SecurityError)).toBe(true)
    })
  })
}
