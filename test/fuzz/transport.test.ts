/**
 * Fuzzing every transport decoder and state machine: the four framings in both roles, the
 * server's detection (every configuration), obfuscated2, fake-TLS server and client, HTTP and
 * WebSocket. Inputs are random bytes and mutations of valid streams (see harness.ts for the
 * properties checked and for the longer run).
 */
import { describe, expect } from 'vitest'
import type { Crypto } from '../../src/crypto/index.js'
import { TransportError } from '../../src/errors.js'
import { ClientTransport } from '../../src/transport/client.js'
import { checkClientHello, parseClientHello, ReplayCache } from '../../src/transport/faketls.js'
import { createFraming, type FramingKind } from '../../src/transport/framing.js'
import { HttpClientCodec, HttpServerCodec } from '../../src/transport/http.js'
import { acceptObfuscated2 } from '../../src/transport/obfuscated2.js'
import { ServerTransport, type ServerTransportOptions } from '../../src/transport/server.js'
import { WebSocketClientHandshake, WebSocketFrameCodec, WebSocketServerHandshake } from '../../src/transport/websocket.js'
import { feed, mtprotoPacket, out, seededCrypto, sent, started } from '../transport/helpers.js'
import { concatAll, fuzz, memoryBound, mutate, reportCounts, sameEveryWay, type Rng } from './harness.js'

reportCounts('transport')

const crypto = seededCrypto(1)
const KINDS: FramingKind[] = ['abridged', 'intermediate', 'padded', 'full']
const MAX = 1 << 16
const TIME = 1_700_000_000
const EE = 'ee' + '42'.repeat(16) + Buffer.from('example.com').toString('hex')
const PLAIN = '17'.repeat(16)
const DD = 'dd' + '23'.repeat(16)

/** A fresh replay cache per server (each run of a stream must start from the same state), small to make. */
const small = () => new ReplayCache({ capacity: 1000 })

/** A few packets (encrypted- and unencrypted-shaped, some above the limit's reach) as `from` frames them. */
function framedStream(r: Rng, kind: FramingKind, from: 'client' | 'server'): Uint8Array {
  const enc = createFraming(kind, { role: from, randomBytes: (n) => r.bytes(n), maxPacketLength: MAX })
  for (let i = 0, n = 1 + r.int(5); i < n; i++) {
    const x = r.int(10)
    if (from === 'server' && kind !== 'full' && x === 0) enc.send({ type: 'quickAck', token: (0x80000000 | r.int(1 << 30)) >>> 0 })
    else if (from === 'server' && x === 1) enc.send({ type: 'transportError', status: [404, 429, 444][r.int(3)] })
    else enc.send({ type: 'packet', data: mtprotoPacket(r, r.int(x === 2 ? 600 : 40), x === 3), quickAck: from === 'client' && kind !== 'full' && r.next() < 0.3 })
  }
  return concatAll(enc.takeOutgoing())
}

/** Random bytes, or a valid stream from `valid` mutated. */
const input = (r: Rng, valid: () => Uint8Array): Uint8Array => (r.next() < 0.25 ? r.bytes(r.int(3000)) : mutate(r, valid()))

describe('fuzz: framings', () => {
  for (const kind of KINDS) {
    for (const role of ['client', 'server'] as const) {
      fuzz(`${kind} ${role}`, 150, (r) => {
        const bytes = input(r, () => framedStream(r, kind, role === 'client' ? 'server' : 'client'))
        const ev = sameEveryWay(() => feed(createFraming(kind, { role, maxPacketLength: MAX })), bytes, r)
        for (const e of ev) if (e.type === 'packet') expect(e.data.length).toBeLessThanOrEqual(MAX)
      })
    }
  }
  memoryBound('framings announcing 16 MiB packets', 300, 70 << 10, 4, (r, i, keep) => {
    const kind = KINDS[i % 4]
    const d = createFraming(kind, { role: 'server' })
    const h = kind === 'abridged' ? [0x7f, 0xff, 0xff, 0x3f] : kind === 'full' ? [0xf0, 0xff, 0xff, 0x00, 0, 0, 0, 0] : [0xf0, 0xff, 0xff, 0x00]
    const bytes = concatAll([new Uint8Array(h), r.bytes(r.int(2000))])
    expect(d.receive(bytes)).toEqual([])
    keep.push(d)
    return bytes.length
  })
})

/** What a client of each kind sends first: the stream a server detects from. */
function clientStream(r: Rng, c: Crypto): Uint8Array {
  const x = r.int(10)
  if (x === 8) {
    const h = new HttpClientCodec('example.com')
    return concatAll(Array.from({ length: 1 + r.int(3) }, () => h.frame(mtprotoPacket(r, r.int(30)))))
  }
  const secret = x === 9 ? undefined : [undefined, PLAIN, DD, EE][r.int(4)]
  const framing = secret === DD || secret === EE ? 'padded' : KINDS[x % (secret || x === 9 ? 3 : 4)]
  const t = new ClientTransport({ crypto: c, framing, proxySecret: secret, obfuscated: x === 9 || (secret ? undefined : framing !== 'full' && r.next() < 0.5), dcId: 2, now: () => TIME * 1000 })
  t.start(TIME * 1000)
  for (let i = 0, n = r.int(4); i < n; i++) t.send(mtprotoPacket(r, r.int(60), i === 0))
  if (x !== 9) return concatAll(t.takeOutgoing())
  // WebSocket: the upgrade request, then the obfuscated2 stream in masked binary messages
  const ws = new WebSocketFrameCodec({ role: 'client', crypto: c })
  for (const b of t.takeOutgoing()) ws.send(b)
  return concatAll([new WebSocketClientHandshake(c, 'example.com').request(), ...ws.takeOutgoing()])
}

const SERVER_CONFIGS: Omit<ServerTransportOptions, 'crypto'>[] = [
  {},
  { secrets: [PLAIN, DD, EE], fallback: { host: 'example.com', port: 443 } },
  { secrets: [EE] },
  { secrets: [PLAIN], allowPlain: true, allowHttp: true },
]

describe('fuzz: server detection and handshakes', () => {
  SERVER_CONFIGS.forEach((config, k) => {
    fuzz(`server transport, config ${k}`, 150, (r, seed) => {
      const bytes = input(r, () => clientStream(r, seededCrypto(seed)))
      // the same state every run: seeded crypto, fixed clock, a fresh replay cache
      sameEveryWay(() => feed(new ServerTransport({ crypto: seededCrypto(7), now: () => TIME * 1000, replayCache: small(), maxPacketLength: MAX, ...config })), bytes, r)
    })
  })
  memoryBound('servers holding partial first bytes and claims', 200, 100 << 10, 6, (r, i, keep) => {
    const s = new ServerTransport({ crypto, now: () => TIME * 1000, replayCache: small(), ...SERVER_CONFIGS[i % 4] })
    const start = [[0xef, 0x7f, 0xff, 0xff, 0x3f], [0xee, 0xee, 0xee, 0xee, 0xf0, 0xff, 0xff, 0], [0x16, 3, 1, 2, 0, 1]][i % 3]
    const bytes = concatAll([new Uint8Array(start), r.bytes(r.int(400))])
    s.receive(bytes)
    keep.push(s)
    return bytes.length
  })

  fuzz('obfuscated2 header', 400, (r) => {
    const h = r.next() < 0.5 ? r.bytes(64) : mutate(r, started(new ClientTransport({ crypto, obfuscated: true, proxySecret: r.next() < 0.5 ? PLAIN : undefined, dcId: 1 + r.int(5) })))
    try {
      acceptObfuscated2(crypto, h, { secrets: [new Uint8Array(16).fill(0x17)], allowNoSecret: true })
    } catch (e) {
      expect(e).toBeInstanceOf(TransportError)
      expect((e as TransportError).code).toBe('E_BAD_HEADER')
    }
  })

  fuzz('obfuscated2 client receiving', 150, (r) => {
    const framing = KINDS[r.int(3)]
    const bytes = input(r, () => framedStream(r, framing, 'server'))
    sameEveryWay(() => {
      const c = new ClientTransport({ crypto: seededCrypto(3), framing, obfuscated: true, dcId: 2, maxPacketLength: MAX })
      started(c)
      return feed(c)
    }, bytes, r)
  })

  fuzz('fake-TLS ClientHello check', 200, (r) => {
    const key = { key: new Uint8Array(16).fill(0x42), domain: 'example.com' }
    const hello = started(new ClientTransport({ crypto, proxySecret: EE, dcId: 2, now: () => TIME * 1000 }))
    const rec = r.next() < 0.2 ? r.bytes(r.int(600)) : mutate(r, hello)
    const res = checkClientHello(crypto, rec, [key], { nowSec: TIME, skewSec: 120, replay: small() })
    expect(res.ok === true || ['malformed', 'sni', 'mac', 'skew', 'replay'].includes(res.reason)).toBe(true)
    try {
      parseClientHello(rec)
    } catch (e) {
      expect((e as TransportError).code).toBe('E_TLS_MALFORMED')
    }
  })

  fuzz('fake-TLS server, after a valid hello', 100, (r, seed) => {
    const c = new ClientTransport({ crypto: seededCrypto(seed), proxySecret: EE, dcId: 2, now: () => TIME * 1000 })
    const hello = started(c)
    for (let i = 0, n = 1 + r.int(3); i < n; i++) c.send(mtprotoPacket(r, r.int(50)))
    const s0 = new ServerTransport({ crypto: seededCrypto(7), secrets: [EE], now: () => TIME * 1000, replayCache: small() })
    s0.receive(hello)
    c.receive(out(s0))
    const flush = out(c)
    const bytes = concatAll([hello, r.next() < 0.8 ? mutate(r, flush) : r.bytes(r.int(500))])
    sameEveryWay(() => feed(new ServerTransport({ crypto: seededCrypto(7), secrets: [EE], now: () => TIME * 1000, replayCache: small(), maxPacketLength: MAX })), bytes, r)
  })

  fuzz('fake-TLS client receiving', 100, (r, seed) => {
    const mk = () => new ClientTransport({ crypto: seededCrypto(seed), proxySecret: EE, dcId: 2, now: () => TIME * 1000, maxPacketLength: MAX })
    const c = mk()
    const hello = started(c)
    const s = new ServerTransport({ crypto: seededCrypto(7), secrets: [EE], now: () => TIME * 1000, replayCache: small() })
    s.receive(hello)
    const answer = out(s)
    const valid = () => concatAll([answer, ...Array.from({ length: r.int(3) }, () => sent(s, mtprotoPacket(r, r.int(40))))])
    // the server's sends need its obfuscated2 header first: feed it the client's flush
    c.receive(answer)
    s.receive(out(c))
    const bytes = input(r, valid)
    sameEveryWay(() => {
      const t = mk()
      started(t)
      return feed(t)
    }, bytes, r)
  })
})

describe('fuzz: HTTP and WebSocket', () => {
  fuzz('HTTP server codec', 200, (r) => {
    const h = new HttpClientCodec('example.com')
    const bytes = input(r, () => concatAll(Array.from({ length: 1 + r.int(3) }, () => h.frame(mtprotoPacket(r, r.int(30))))))
    sameEveryWay(() => feed(new HttpServerCodec({ maxPacketLength: MAX })), bytes, r)
  })

  fuzz('HTTP client codec', 200, (r) => {
    const s = new HttpServerCodec()
    const bytes = input(r, () => concatAll(Array.from({ length: 1 + r.int(3) }, () => s.frame(r.next() < 0.2 ? { type: 'transportError', status: 404 } : mtprotoPacket(r, r.int(30))))))
    sameEveryWay(() => feed(new HttpClientCodec('example.com', { maxPacketLength: MAX })), bytes, r)
  })

  for (const role of ['client', 'server'] as const) {
    fuzz(`WebSocket frames, ${role}`, 200, (r, seed) => {
      const enc = new WebSocketFrameCodec({ role: role === 'client' ? 'server' : 'client', crypto: seededCrypto(seed) })
      const valid = () => {
        const parts: Uint8Array[] = []
        for (let i = 0, n = 1 + r.int(5); i < n; i++) {
          const f = enc.frameMessage(r.bytes(r.int(r.next() < 0.05 ? 70000 : 200)))
          if (r.next() < 0.2) f[0] &= 0x7f // not FIN: a fragmented message
          else if (r.next() < 0.1) f[0] = (f[0] & 0xf0) | [0, 8, 9, 10][r.int(4)]
          parts.push(f)
        }
        return concatAll(parts)
      }
      sameEveryWay(() => feed(new WebSocketFrameCodec({ role, crypto: seededCrypto(9), maxMessageLength: MAX, maxFragments: 64 })), input(r, valid), r)
    })
  }
  memoryBound('WebSocket codecs holding fragments and claims', 200, 70 << 10, 4, (r, i, keep) => {
    const d = new WebSocketFrameCodec({ role: 'client', crypto, maxFragments: 1e9 })
    // a message opened without FIN, then empty continuations, then a 2^40-byte claim's header
    const n = 1 + r.int(2000)
    const bytes = new Uint8Array(2 + 2 * n + 10)
    bytes.set([0x02, 0x00])
    bytes.set([0x00, 0x7f, 0, 0, 0, 0xff, 0, 0, 0, 0], 2 + 2 * n)
    const ev = d.receive(bytes)
    expect(ev.length).toBeLessThanOrEqual(1) // the claim is refused from its header (E_PACKET_TOO_LONG)
    keep.push(d)
    return bytes.length
  })

  fuzz('WebSocket handshakes', 300, (r, seed) => {
    const ch = new WebSocketClientHandshake(seededCrypto(seed), 'venus.web.telegram.org')
    const sh = new WebSocketServerHandshake(crypto)
    const req = r.next() < 0.2 ? r.bytes(r.int(400)) : mutate(r, ch.request())
    try {
      const res = sh.receive(req)
      if (res) {
        const back = r.next() < 0.3 ? res.response : mutate(r, res.response)
        ch.receive(back)
      }
    } catch (e) {
      expect(e).toBeInstanceOf(TransportError)
      expect((e as TransportError).code).toMatch(/^E_WS_HANDSHAKE$/)
    }
  })
})
