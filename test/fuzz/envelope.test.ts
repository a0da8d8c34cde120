/**
 * The envelope's public entry points on bad arguments, and the shape and cost of its failure:
 * typed errors before any work; one fresh, identical SecurityError per failed packet, made
 * without a stack trace (capturing one cost more than decrypting 1 KiB: bench/failure-cost.mjs).
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/node/index.js' // node:crypto as the CSPRNG on Node 18 too
import { CryptoError, SecurityError } from '../../src/errors.js'
import type { EnvelopeOptions } from '../../src/crypto/types.js'
import { fuzz, mutate, reportCounts } from './harness.js'

reportCounts('envelope')

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

describe('fuzz: decryption', () => {
  const OPTIONS: EnvelopeOptions[] = [{}, { layout: 'e2e' }, { version: 1 }, { version: 1, layout: 'e2e' }]
  const e2eInner = new Uint8Array(36)
  e2eInner[0] = 32
  for (const backend of ['js', 'wasm'] as const) {
    const cb = createCryptoSync({ backend })
    fuzz(`decryptMessage, ${backend}`, 300, (r) => {
      const o = OPTIONS[r.int(4)]
      const x = r.next() < 0.5 ? 0 : 8
      const body = o.layout === 'e2e' ? e2eInner : inner
      const good = cb.encryptMessage(key, body, x, undefined, o)
      const p = r.next() < 0.2 ? r.bytes(r.int(300)) : mutate(r, good)
      if (r.next() < 0.3 && p.length >= 8) p.set(key.id) // the right auth_key_id: the later checks run
      let got: Uint8Array | undefined
      try {
        got = cb.decryptMessage(key, p, x, undefined, o)
      } catch (e) {
        expect(e).toBeInstanceOf(SecurityError)
        expect([(e as SecurityError).code, (e as SecurityError).message]).toEqual(['E_DECRYPT', 'message decryption failed'])
      }
      // a mutation that decrypts gave back exactly the message (it left the packet as it was)
      if (got) expect(Buffer.from(got).equals(Buffer.from(body))).toBe(true)
    })
    fuzz(`decryptMessages batches, ${backend}`, 100, (r) => {
      const good = cb.encryptMessage(key, inner, 0)
      const items = Array.from({ length: 1 + r.int(9) }, () => ({ authKey: key, packet: r.next() < 0.5 ? good : mutate(r, good), x: 0 as const }))
      const res = cb.decryptMessages(items)
      expect(res.length).toBe(items.length)
      res.forEach((v, i) => {
        if (v instanceof SecurityError) expect(v.code).toBe('E_DECRYPT')
        else expect(Buffer.from(v).equals(Buffer.from(inner))).toBe(true)
        if (items[i].packet === good) expect(v).not.toBeInstanceOf(SecurityError)
      })
    })
  }
})
