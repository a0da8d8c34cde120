import { describe, expect, it } from 'vitest'
import { buildClientHello, checkClientHello, ReplayCache } from '../../src/transport/faketls.js'
import { ServerTransport } from '../../src/transport/server.js'
import { ClientTransport } from '../../src/transport/client.js'
import { isOnCurve25519, randomX25519Key } from '../../src/transport/x25519.js'
import { prng, seededCrypto, started } from './helpers.js'

const crypto = seededCrypto(5)

describe('replay cache', () => {
  const TIME = 1_700_000_000
  const SECRET = 'ee' + '5a'.repeat(16) + Buffer.from('example.com').toString('hex')
  const KEY = { key: new Uint8Array(16).fill(0x5a), domain: 'example.com' }

  it('a recorded hello replayed with any timestamp byte changed, or rewritten to the current time, is refused — also after many other hellos', () => {
    const cache = new ReplayCache({ capacity: 200_000 })
    const rec = buildClientHello(crypto, KEY.key, KEY.domain, TIME)
    const check = (r: Uint8Array, now: number) => checkClientHello(crypto, r, [KEY], { nowSec: now, skewSec: 120, replay: cache })
    expect(check(rec, TIME)).toMatchObject({ ok: true })
    const replays: [Uint8Array, number][] = []
    for (let byte = 28; byte < 32; byte++) {
      for (let v = 0; v < 256; v++) {
        const m = rec.slice()
        m[11 + byte] ^= v
        if (v) replays.push([m, TIME])
      }
    }
    // what a prober does a day later: recover the mask from the recording and write the current time
    const later = TIME + 86400
    const shifted = rec.slice()
    const mask = new DataView(rec.buffer, rec.byteOffset + 11 + 28, 4).getUint32(0, true) ^ TIME
    new DataView(shifted.buffer, 11 + 28, 4).setUint32(0, (mask ^ later) >>> 0, true)
    replays.push([shifted, later])
    for (const [m, now] of replays) expect(check(m, now)).toEqual({ ok: false, reason: 'replay' })
    // 150 000 other hellos later (cheaper as their digests: what the cache keys on)
    const r = prng(1)
    let refused = 0
    for (let i = 0; i < 150_000; i++) if (!cache.add(r.bytes(28), later + (i >> 10))) refused++
    expect(refused).toBeLessThanOrEqual(1) // false positives: at most 1e-6 each
    for (const [m] of replays) expect(check(m, later + 200)).toEqual({ ok: false, reason: 'replay' })
    // the rewritten one passes every other check: only the cache stands between it and a proxy reveal
    expect(checkClientHello(crypto, shifted, [KEY], { nowSec: later, skewSec: 120 })).toMatchObject({ ok: true })
  })

  it('a hello refused for its clock is remembered too, so a corrected replay of it is still a replay', () => {
    const cache = new ReplayCache()
    const rec = buildClientHello(crypto, KEY.key, KEY.domain, TIME - 3600) // a client with a bad clock
    expect(checkClientHello(crypto, rec, [KEY], { nowSec: TIME, skewSec: 120, replay: cache })).toEqual({ ok: false, reason: 'skew' })
    const fixed = rec.slice()
    const dv = new DataView(fixed.buffer, 11 + 28, 4)
    dv.setUint32(0, (dv.getUint32(0, true) ^ (TIME - 3600) ^ TIME) >>> 0, true)
    expect(checkClientHello(crypto, fixed, [KEY], { nowSec: TIME, skewSec: 120, replay: cache })).toEqual({ ok: false, reason: 'replay' })
  })

  it('remembers for its horizon, forgets after, stays within its memory bound, and rotates on count', () => {
    const c = new ReplayCache({ horizonSec: 300, capacity: 30 })
    const a = new Uint8Array(28).fill(1)
    expect(c.add(a, 1000)).toBe(true)
    expect(c.add(a, 1299)).toBe(false)
    expect(c.add(a, 1000 + 299)).toBe(false) // a clock going back rotates nothing
    expect(c.add(a, 950)).toBe(false)
    expect(c.add(a, 1000 + 400 + 1)).toBe(true) // four generations of 100 s later: forgotten
    // count: 10 per generation; the 30 hellos after `b` push it out of the ring, not fewer
    const r = prng(2)
    const b = r.bytes(28)
    expect(c.add(b, 2000)).toBe(true)
    for (let i = 0; i < 29; i++) c.add(r.bytes(28), 2000)
    expect(c.add(b, 2000)).toBe(false)
    for (let i = 0; i < 10; i++) c.add(r.bytes(28), 2000)
    expect(c.add(b, 2000)).toBe(true)
    expect(c.size).toBeLessThanOrEqual(40)
  })

  it('sizes its filters from the options: memory, hashes, false positives measured', () => {
    const d = new ReplayCache()
    expect(d.horizonSec).toBe(7 * 86400)
    expect(d.capacity).toBe(1_000_000)
    expect(d.memoryBytes).toBeLessThan(8 << 20)
    // measured false-positive rate of a full small cache: within the bound
    const small = new ReplayCache({ capacity: 30_000, falsePositiveRate: 1e-3 })
    const r = prng(3)
    for (let i = 0; i < 30_000; i++) small.add(r.bytes(8), 0)
    let fp = 0
    for (let i = 0; i < 100_000; i++) if (!small.add(r.bytes(8), 0)) fp++
    expect(fp / 100_000).toBeLessThan(1e-3)
    for (const bad of [{ horizonSec: 0 }, { capacity: 2 }, { capacity: 1.5 }, { falsePositiveRate: 0 }, { falsePositiveRate: 0.5 }, null]) {
      expect(() => new ReplayCache(bad as never)).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    }
    expect(() => d.add(new Uint8Array(4), 0)).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    expect(() => d.add('x' as never, 0)).toThrow(expect.objectContaining({ code: 'E_TYPE' }))
  })

  it('a server refuses a replay horizon shorter than twice the skew', () => {
    expect(() => new ServerTransport({ crypto, skewSec: 120, replayCache: new ReplayCache({ horizonSec: 100 }) })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
    void SECRET
  })
})

describe('fake-TLS refusals take the same path', () => {
  it('a wrong SNI computes every MAC, as a wrong MAC does (no faster refusal to reveal the domain)', () => {
    let macs = 0
    const counting = { ...crypto, hmacSha256: (k: Uint8Array, d: Uint8Array) => (macs++, crypto.hmacSha256(k, d)) } as typeof crypto
    const keys = [{ key: crypto.randomBytes(16), domain: 'a.example' }, { key: crypto.randomBytes(16), domain: 'b.example' }]
    const cases: [string, Uint8Array][] = [
      ['sni', buildClientHello(crypto, keys[0].key, 'other.example', 1)],
      ['mac', buildClientHello(crypto, crypto.randomBytes(16), 'a.example', 1)],
      ['malformed', new Uint8Array(517).fill(0x16)],
    ]
    // a replayed hello (valid MAC and SNI, seen before) goes the same way: every MAC, one lookup
    const replay = new ReplayCache()
    const valid = buildClientHello(crypto, keys[1].key, 'b.example', 1)
    expect(checkClientHello(crypto, valid, keys, { nowSec: 1, skewSec: 10, replay }).ok).toBe(true)
    cases.push(['replay', valid])
    let lookups = 0
    const has = replay.has.bind(replay)
    replay.has = (d, n) => (lookups++, has(d, n))
    for (const [reason, rec] of cases) {
      macs = 0
      lookups = 0
      expect(checkClientHello(counting, rec, keys, { nowSec: 1, skewSec: 10, replay })).toEqual({ ok: false, reason })
      expect([macs, lookups], reason).toEqual([keys.length, 1])
    }
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

describe('SNI comparison', () => {
  it('accepts the exact domain only: prefixes, extensions and other case are refused', () => {
    const key = crypto.randomBytes(16)
    for (const [sni, ok] of [['example.com', true], ['example.co', false], ['example.comm', false], ['xexample.com', false], ['Example.com', false], ['', false]] as const) {
      const rec = buildClientHello(crypto, key, sni || 'a', 1)
      const res = checkClientHello(crypto, sni ? rec : buildClientHello(crypto, key, 'a', 1), [{ key, domain: 'example.com' }], { nowSec: 1, skewSec: 5 })
      expect(res.ok, sni).toBe(ok)
      if (!ok) expect(res).toEqual({ ok: false, reason: 'sni' })
    }
  })
})

describe('options and state', () => {
  const bad = (f: () => unknown, code = 'E_OPTION') => expect(f).toThrow(expect.objectContaining({ code }))

  it('ClientTransport checks every option in the constructor, dcId included', () => {
    bad(() => new ClientTransport({ crypto, framing: 'full', obfuscated: true, dcId: 2 }))
    bad(() => new ClientTransport({ crypto, proxySecret: 'dd' + '00'.repeat(16), dcId: 2, framing: 'intermediate' }))
    bad(() => new ClientTransport({ crypto, maxPacketLength: 3 }))
    // obfuscated without a DC would write random DC bytes into the header (issue 18)
    bad(() => new ClientTransport({ crypto, obfuscated: true }))
    bad(() => new ClientTransport({ crypto, proxySecret: '00'.repeat(16) }))
    for (const dcId of [0, -2, 10000, 1.5, NaN, '2', null]) bad(() => new ClientTransport({ crypto, obfuscated: true, dcId: dcId as never }))
    bad(() => new ClientTransport({ crypto, framing: 'tcp' as never }))
    bad(() => new ClientTransport({ crypto, obfuscated: 'yes' as never, dcId: 2 }))
    bad(() => new ClientTransport({ crypto, obfuscated: true, dcId: 2, test: 1 as never }))
    bad(() => new ClientTransport({ crypto, obfuscated: true, dcId: 2, media: 'no' as never }))
    bad(() => new ClientTransport({ crypto, now: 5 as never }))
    bad(() => new ClientTransport({ crypto, tlsMaxFragment: 1000 })) // fake-TLS only
    bad(() => new ClientTransport({ crypto, proxySecret: 'ee' + '00'.repeat(16) + '6162', dcId: 2, tlsMaxFragment: 10 }))
    bad(() => new ClientTransport({ crypto, proxySecret: 'zz' }), 'E_BAD_SECRET')
    bad(() => new ClientTransport({ crypto: {} as never }))
    bad(() => new ClientTransport(null as never))
    bad(() => new ClientTransport(undefined as never))
    // what is right passes, and the header carries the DC
    expect(started(new ClientTransport({ crypto, obfuscated: true, dcId: 9999, test: true, media: true })).length).toBe(64)
  })

  it('ServerTransport checks every option in the constructor', () => {
    bad(() => new ServerTransport({ crypto, fallback: { host: '', port: 0 } }))
    bad(() => new ServerTransport({ crypto, fallback: 'h:1' as never }))
    bad(() => new ServerTransport({ crypto, maxPacketLength: 3 }))
    bad(() => new ServerTransport({ crypto, skewSec: -1 }))
    bad(() => new ServerTransport({ crypto, skewSec: NaN }))
    bad(() => new ServerTransport({ crypto, secrets: 'abc' as never }))
    bad(() => new ServerTransport({ crypto, secrets: ['zz'] }), 'E_BAD_SECRET')
    bad(() => new ServerTransport({ crypto, allowPlain: 1 as never }))
    bad(() => new ServerTransport({ crypto, allowHttp: 'no' as never }))
    bad(() => new ServerTransport({ crypto, allowObfuscatedWithoutSecret: null as never }))
    bad(() => new ServerTransport({ crypto, replayCache: {} as never }))
    bad(() => new ServerTransport({ crypto, noiseLength: 5 as never }))
    bad(() => new ServerTransport({ crypto, now: 'x' as never }))
    bad(() => new ServerTransport({ crypto, allowPlain: false, allowHttp: false, allowObfuscatedWithoutSecret: false }))
    bad(() => new ServerTransport({ crypto: null as never }))
    bad(() => new ServerTransport(null as never))
  })

  it('refuses out-of-order calls and wrong arguments with typed errors', () => {
    const c = new ClientTransport({ crypto })
    bad(() => c.send(new Uint8Array(8)), 'E_STATE')
    bad(() => c.receive(new Uint8Array(8)), 'E_STATE')
    c.start()
    bad(() => c.start(), 'E_STATE')
    bad(() => c.send(new Uint8Array(0)), 'E_BAD_LENGTH')
    bad(() => c.send('abcd' as never), 'E_TYPE')
    bad(() => c.receive([1, 2] as never), 'E_TYPE')
    const s = new ServerTransport({ crypto })
    bad(() => s.send(new Uint8Array(8)), 'E_STATE')
    bad(() => s.receive(null as never), 'E_TYPE')
  })

  it('disposing zeroes the streams: further use fails with a typed error', () => {
    const c = new ClientTransport({ crypto: seededCrypto(6), obfuscated: true, dcId: 2 })
    c.start()
    c.dispose()
    bad(() => c.send(new Uint8Array(8)), 'E_DISPOSED')
    bad(() => c.receive(new Uint8Array(8)), 'E_DISPOSED')
    const s = new ServerTransport({ crypto })
    s.receive(started(new ClientTransport({ crypto, obfuscated: true, dcId: 2 })))
    s.dispose()
    bad(() => s.send(new Uint8Array(8)), 'E_DISPOSED')
    bad(() => s.receive(new Uint8Array(8)), 'E_STATE')
  })
})
