/**
 * The envelope's public entry points on bad arguments, and the shape and cost of its failure:
 * typed errors before any work; one fresh, identical SecurityError per failed packet, made
 * without a stack trace (capturing one cost more than decrypting 1 KiB: bench/failure-cost.mjs).
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/index.js'
import { CryptoError, SecurityError } from '../../src/errors.js'

const c = createCryptoSync()
const key = createAuthKey(c.randomBytes(256))
const inner = new Uint8Array(64)
inner[28] = 32

describe('envelope arguments', () => {
  it('encryptMessages([null]) and decryptMessages([null]) are typed errors, before any work (the issue\'s case)', () => {
    for (const items of [[null], [undefined], [5], ['x'], [{ authKey: key, inner, x: 0 }, null]]) {
      expect(() => c.encryptMessages(items as never)).toThrow(CryptoError)
      expect(() => c.decryptMessages(items as never)).toThrow(CryptoError)
    }
    expect(() => c.encryptMessages([null] as never)).toThrow(expect.objectContaining({ code: 'E_TYPE', message: expect.stringContaining('items[0]') }))
    // a bad item anywhere fails the batch before anything is encrypted
    let drawn = 0
    const counting = createCryptoSync({ random: (b) => ((drawn += b.length), b.fill(1)) })
    drawn = 0
    expect(() => counting.encryptMessages([{ authKey: key, inner, x: 0 }, { authKey: key, inner: new Uint8Array(8), x: 0 }])).toThrow(expect.objectContaining({ code: 'E_INNER_LAYOUT' }))
    expect(drawn).toBe(0)
    for (const bad of [{ authKey: null, inner, x: 0 }, { authKey: key, inner: 'x', x: 0 }, { authKey: key, inner, x: 4 }, { authKey: key, inner, x: 0, options: 5 }]) {
      expect(() => c.encryptMessages([bad] as never)).toThrow(CryptoError)
    }
  })

  it('every failure is a fresh SecurityError with the same code and message and no stack frames', () => {
    const good = c.encryptMessage(key, inner, 0)
    const errors: SecurityError[] = []
    for (let i = 0; i < good.length; i += 7) {
      const bad = good.slice()
      bad[i] ^= 1
      try {
        c.decryptMessage(key, bad, 0)
      } catch (e) {
        errors.push(e as SecurityError)
      }
    }
    expect(errors.length).toBe(Math.ceil(good.length / 7))
    expect(new Set(errors).size).toBe(errors.length)
    for (const e of errors) {
      expect(e).toBeInstanceOf(SecurityError)
      expect([e.code, e.message, e.name]).toEqual(['E_DECRYPT', 'message decryption failed', 'SecurityError'])
      expect(e.stack).toBe('SecurityError: message decryption failed')
    }
    // the process's stack trace limit is left as it was
    expect(Error.stackTraceLimit).toBeGreaterThan(0)
    expect(new Error('x').stack).toContain('\n    at ')
    const batch = c.decryptMessages([{ authKey: key, packet: good.slice(0, 40), x: 0 }, { authKey: key, packet: good, x: 0 }])
    expect(batch[0]).toMatchObject({ code: 'E_DECRYPT', stack: 'SecurityError: message decryption failed' })
    expect(batch[1]).toEqual(inner)
  })
})
