import { describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/index.js'
import { ReplayCache } from '../../src/transport/faketls.js'
import { ServerTransport } from '../../src/transport/server.js'
import { ClientTransport } from '../../src/transport/client.js'
import { isOnCurve25519, randomX25519Key } from '../../src/transport/x25519.js'
import { prng, seededCrypto } from './helpers.js'

const crypto = seededCrypto(5)

describe('replay cache', () => {
  it('refuses a random seen within the window, forgets it after, and stays bounded', () => {
    const c = new ReplayCache(100, 3)
    const a = new Uint8Array(32).fill(1)
    expect(c.add(a, 1000)).toBe(true)
    expect(c.add(a, 1050)).toBe(false)
    expect(c.add(new Uint8Array(32).fill(2), 1060)).toBe(true)
    expect(c.add(new Uint8Array(32).fill(3), 1101)).toBe(true) // evicts `a` (older than 100 s)
    expect(c.add(a, 1101)).toBe(true)
    for (let i = 0; i < 50; i++) c.add(new Uint8Array(32).fill(10 + i), 1101)
    expect(c.size).toBeLessThanOrEqual(3)
  })

  it('a server refuses a replay window shorter than twice the skew', () => {
    expect(() => new ServerTransport({ crypto, skewSec: 120, replayCache: new ReplayCache(100) })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
  })
})

describe('x25519 key share', () => {
  it('is a point of Curve25519 with the top bit clear, and a broken RNG cannot spin it forever', () => {
    const r = prng(9)
    for (let i = 0; i < 20; i++) {
      const k = randomX25519Key((n) => r.bytes(n))
      expect(k.length).toBe(32)
      expect(k[31] & 128).toBe(0)
      expect(isOnCurve25519(k)).toBe(true)
    }
    expect(randomX25519Key((n) => new Uint8Array(n)).length).toBe(32)
  })
})

describe('options and state', () => {
  it('refuses bad options and out-of-order calls with typed errors', () => {
    expect(() => new ClientTransport({ crypto, framing: 'full', obfuscated: true })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    expect(() => new ClientTransport({ crypto, proxySecret: 'dd' + '00'.repeat(16), dcId: 2, framing: 'intermediate' })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    expect(() => new ClientTransport({ crypto, maxPacketLength: 3 })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    const c = new ClientTransport({ crypto })
    expect(() => c.send(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'E_STATE' }))
    c.start()
    expect(() => c.start()).toThrow(expect.objectContaining({ code: 'E_STATE' }))
    expect(() => c.send(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'E_BAD_LENGTH' }))
    expect(() => new ServerTransport({ crypto, fallback: { host: '', port: 0 } })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    const s = new ServerTransport({ crypto })
    expect(() => s.send(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'E_STATE' }))
  })

  it('disposing zeroes the streams: further use fails with a typed error', () => {
    const c = new ClientTransport({ crypto: createCryptoSync(), obfuscated: true })
    c.start()
    c.dispose()
    expect(() => c.send(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }))
    expect(() => c.receive(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }))
    const s = new ServerTransport({ crypto })
    s.receive(new ClientTransport({ crypto, obfuscated: true }).start())
    s.dispose()
    expect(() => s.send(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }))
    expect(() => s.receive(new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'E_STATE' }))
  })
})
