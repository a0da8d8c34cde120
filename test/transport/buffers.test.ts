/**
 * Node Buffers in, as sockets deliver them: a Buffer's slice() is a view, not a copy, so code
 * that copies with slice() and then zeroes or reverses the "copy" would change the caller's bytes
 * (and, for the obfuscated2 header, what it decrypts next). Every entry point must leave its
 * inputs as they were and give the same results as for plain Uint8Arrays.
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { acceptObfuscated2, createObfuscated2Client } from '../../src/transport/obfuscated2.js'
import { buildClientHello, checkClientHello, parseClientHello } from '../../src/transport/faketls.js'
import { parseProxySecret } from '../../src/transport/secret.js'
import { hex, seededCrypto } from './helpers.js'

const crypto = seededCrypto(5)

describe('Buffer inputs are not modified', () => {
  it('createAuthKey copies: dispose() leaves the caller\'s Buffer alone', () => {
    const bytes = Buffer.from(crypto.randomBytes(256))
    const before = hex(bytes)
    createAuthKey(bytes).dispose()
    expect(hex(bytes)).toBe(before)
  })

  it('acceptObfuscated2 with a Buffer header: same result, header unchanged', () => {
    const secret = crypto.randomBytes(16)
    const { header } = createObfuscated2Client(crypto, { framing: 'intermediate', dcId: 2, secret })
    const buf = Buffer.from(header)
    const got = acceptObfuscated2(crypto, buf, { secrets: [secret] })
    expect(hex(buf)).toBe(hex(header))
    expect(got.framing).toBe('intermediate')
    expect(got.dc.dcId).toBe(2)
  })

  it('fake-TLS ClientHello checks with a Buffer record: accepted, record unchanged', () => {
    const key = crypto.randomBytes(16)
    const now = 1_700_000_000
    const rec = buildClientHello(crypto, key, 'example.org', now)
    const buf = Buffer.from(rec)
    const hello = parseClientHello(buf)
    expect(hello.serverNames).toEqual(['example.org'])
    expect(hex(hello.random)).toBe(hex(rec.subarray(11, 43)))
    expect(checkClientHello(crypto, buf, [{ key, domain: 'example.org' }], { nowSec: now, skewSec: 120 })).toMatchObject({ ok: true })
    expect(hex(buf)).toBe(hex(rec))
  })

  it('parseProxySecret from a Buffer: every mode\'s key is a copy, not a view of the caller\'s bytes', () => {
    const k = crypto.randomBytes(16)
    for (const [prefix, mode] of [[[], 'plain'], [[0xdd], 'padded'], [[0xee], 'fake-tls']] as const) {
      const buf = Buffer.from([...prefix, ...k, ...(mode === 'fake-tls' ? Buffer.from('example.org') : [])])
      const before = hex(buf)
      const s = parseProxySecret(buf)
      expect(s.mode).toBe(mode)
      expect(hex(s.key)).toBe(hex(k))
      s.key.fill(0) // e.g. a caller wiping the parsed secret
      expect(hex(buf)).toBe(before)
    }
  })
})

describe('allocBytes (small packets from shared slabs)', () => {
  it('gives zeroed, disjoint, 8-byte aligned views up to 1 KiB, and own buffers above', async () => {
    const { allocBytes } = await import('../../src/bytes.js')
    const views: Uint8Array[] = []
    for (let i = 0; i < 200; i++) {
      const n = (i * 37) % 1100
      const v = allocBytes(n)
      expect(v.length).toBe(n)
      expect(v.every((x) => x === 0)).toBe(true)
      if (n > 1024) expect(v.byteOffset === 0 && v.buffer.byteLength === n).toBe(true)
      else expect(v.byteOffset % 8).toBe(0)
      v.fill(i & 255)
      views.push(v)
    }
    // nothing written later landed in an earlier view
    views.forEach((v, i) => expect(v.every((x) => x === (i & 255))).toBe(true))
  })
})
