import { describe, expect, it } from 'vitest'
import { ClientTransport } from '../../src/transport/client.js'
import { detectTransport } from '../../src/transport/detect.js'
import type { FramingKind } from '../../src/transport/framing.js'
import { HttpClientCodec, HttpServerCodec } from '../../src/transport/http.js'
import { ServerTransport } from '../../src/transport/server.js'
import { ReplayCache } from '../../src/transport/faketls.js'
import { createCryptoSync } from '../../src/crypto/index.js'
import { concatAll, decodeEveryWay, feed, hex, mtprotoPacket, out, prng, seededCrypto, sent, started } from './helpers.js'

const crypto = seededCrypto(11)
const utf8 = (s: string) => new TextEncoder().encode(s)

describe('server transport detection', () => {
  it('recognises each first-bytes pattern', () => {
    const u = (...b: number[]) => new Uint8Array(b)
    expect(detectTransport(u(0xef))).toBe('abridged')
    expect(detectTransport(u(0xee, 0xee, 0xee))).toBeUndefined()
    expect(detectTransport(u(0xee, 0xee, 0xee, 0xee))).toBe('intermediate')
    expect(detectTransport(u(0xdd, 0xdd, 0xdd, 0xdd))).toBe('padded')
    expect(detectTransport(utf8('POST /api'))).toBe('http')
    expect(detectTransport(utf8('GET /'))).toBe('websocket')
    expect(detectTransport(utf8('HEAD /'))).toBe('http')
    expect(detectTransport(u(0x28, 0, 0, 0, 0, 0, 0))).toBeUndefined()
    expect(detectTransport(u(0x28, 0, 0, 0, 0, 0, 0, 0))).toBe('full')
    expect(detectTransport(u(0x16, 3, 1, 2), { tls: true })).toBe('tls')
    expect(detectTransport(u(0x16, 3, 1, 2, 0, 1, 1, 1))).toBe('obfuscated2')
    // only 16 03 01 02 is never an obfuscated2 header: other ClientHellos wait for the header check
    expect(detectTransport(u(0x16, 3, 1, 6, 0xf4, 1, 0, 6), { tls: true })).toBe('obfuscated2')
    expect(detectTransport(u(0x16, 3, 1, 6, 0xf4, 1, 0), { tls: true })).toBeUndefined()
    // a whole TLS record shorter than 64 bytes is answered as TLS at once
    expect(detectTransport(u(0x16, 3, 1, 0, 9), { tls: true })).toBe('tls')
    expect(detectTransport(u(0x16, 3, 1, 0), { tls: true })).toBeUndefined()
    expect(detectTransport(u(1, 2, 3, 4, 5, 6, 7, 8))).toBe('obfuscated2')
  })

  const configs: { name: string; framing: FramingKind; obfuscated: boolean }[] = []
  for (const framing of ['abridged', 'intermediate', 'padded', 'full'] as const) {
    configs.push({ name: `plain ${framing}`, framing, obfuscated: false })
    if (framing !== 'full') configs.push({ name: `obfuscated ${framing}`, framing, obfuscated: true })
  }

  it.each(configs)('$name: client ↔ server, every chunking, exact packets, the error code as an event', ({ framing, obfuscated }) => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = prng(seed * 31)
      const mkClient = () => new ClientTransport({ crypto: seededCrypto(seed), framing, obfuscated, dcId: obfuscated ? 2 : undefined })
      const mkServer = () => new ServerTransport({ crypto: seededCrypto(50 + seed) })
      const client = mkClient()
      const packets = Array.from({ length: 5 }, (_, i) => mtprotoPacket(r, r.int(i === 4 ? 400 : 40), i === 0))
      const wire = concatAll([started(client), ...packets.map((p, i) => sent(client, { type: 'packet', data: p, quickAck: framing !== 'full' && i === 1 }))])
      const ev = decodeEveryWay(() => feed(mkServer()), wire, seed)
      expect(ev[0]).toEqual({ type: 'detected', info: expect.objectContaining({ transport: obfuscated ? 'obfuscated2' : 'plain', framing }) })
      expect(ev.slice(1)).toEqual(packets.map((data, i) => ({ type: 'packet', data, quickAck: framing !== 'full' && i === 1 })))
      const server = mkServer()
      server.receive(wire)
      const answers = [mtprotoPacket(r, 2), mtprotoPacket(r, 120)]
      for (const a of answers) server.send({ type: 'packet', data: a, quickAck: false })
      if (framing !== 'full') server.send({ type: 'quickAck', token: 0x8000abcd })
      server.send({ type: 'transportError', status: 429 })
      server.send(answers[0])
      const back = out(server)
      const cev = decodeEveryWay(() => { const c = mkClient(); started(c); return feed(c) }, back, seed)
      expect(cev).toEqual([
        ...answers.map((data) => ({ type: 'packet', data, quickAck: false })),
        ...(framing === 'full' ? [] : [{ type: 'quickAck', token: 0x8000abcd }]),
        // the transport error comes after what preceded it; nothing after it is delivered
        { type: 'error', error: expect.objectContaining({ code: 'E_TRANSPORT_429', status: 429 }) },
      ])
    }
  })

  it('an MTProxy refuses a recorded obfuscated2 header replayed (by a prober) on another connection; a DC without secrets does not care', () => {
    const secret = 'dd' + hex(crypto.randomBytes(16))
    const cache = new ReplayCache()
    const c = new ClientTransport({ crypto, proxySecret: secret, dcId: 2 })
    const recorded = concatAll([started(c), sent(c, mtprotoPacket(prng(9), 3))])
    const proxy = () => new ServerTransport({ crypto, secrets: [secret], replayCache: cache, fallback: { host: 'example.com', port: 443 } })
    expect(proxy().receive(recorded)[0]).toMatchObject({ type: 'detected' })
    const replayed = proxy().receive(recorded)
    expect(replayed).toEqual([{ type: 'fallback', host: 'example.com', port: 443, data: recorded, reason: 'replayed obfuscated2 header' }])
    // a fresh header from the same client software is accepted
    const c2 = new ClientTransport({ crypto, proxySecret: secret, dcId: 2 })
    expect(proxy().receive(started(c2))[0]).toMatchObject({ type: 'detected' })
    // Telegram's own DCs (no secret): obfuscation without hiding, nothing remembered
    const plain = started(new ClientTransport({ crypto, obfuscated: true, dcId: 2 }))
    for (let i = 0; i < 2; i++) expect(new ServerTransport({ crypto, replayCache: cache }).receive(plain)[0]).toMatchObject({ type: 'detected' })
  })

  it('a server with ee and plain secrets takes a valid obfuscated2 header that starts like a ClientHello for what it is', () => {
    const plain = crypto.randomBytes(16)
    const ee = 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex')
    // (only 16 03 01 02 is avoided by clients; a header read as a whole TLS record of less than
    // 64 bytes, 16 03 0x 00 00..3a, 1 in 2^40, is taken for TLS: see detect.ts)
    for (const first of [[0x16, 3, 1, 6, 0xf4], [0x16, 3, 1, 0, 0x40], [0x16, 3, 3, 0x40, 0]]) {
      // a client whose random header happens to start with these bytes (1 in 2^24 of them does)
      const r = prng(first[3])
      const rigged = createCryptoSync({ random: (b) => { b.set(r.bytes(b.length)); if (b.length === 64) b.set(first) } })
      const mkServer = () => new ServerTransport({ crypto: seededCrypto(3), secrets: [plain, ee], replayCache: new ReplayCache() })
      const c = new ClientTransport({ crypto: rigged, proxySecret: plain, dcId: 3, framing: 'intermediate' })
      const h = started(c)
      expect(Array.from(h.subarray(0, 5))).toEqual(first)
      const p = mtprotoPacket(r, 5)
      const ev = decodeEveryWay(() => feed(mkServer()), concatAll([h, sent(c, p)]), first[3])
      expect(ev).toEqual([
        { type: 'detected', info: { transport: 'obfuscated2', framing: 'intermediate', dc: { dcId: 3, test: false, media: false, raw: 3 }, secretIndex: 0 } },
        { type: 'packet', data: p, quickAck: false },
      ])
    }
  })

  it('MTProxy plain and dd secrets: the server reports which one and the DC', () => {
    const secrets = [crypto.randomBytes(16), 'dd' + hex(crypto.randomBytes(16))]
    const server = () => new ServerTransport({ crypto, secrets })
    const c1 = new ClientTransport({ crypto, proxySecret: secrets[0], dcId: 3, framing: 'abridged' })
    expect(server().receive(started(c1))[0]).toEqual({ type: 'detected', info: { transport: 'obfuscated2', framing: 'abridged', dc: { dcId: 3, test: false, media: false, raw: 3 }, secretIndex: 0 } })
    const c2 = new ClientTransport({ crypto, proxySecret: secrets[1], dcId: 2, test: true, media: true })
    expect(server().receive(started(c2))[0]).toMatchObject({ info: { framing: 'padded', dc: { raw: -10002 }, secretIndex: 1 } })
    // without a secret, or plain framing, an MTProxy server closes (no fallback configured)
    const c3 = new ClientTransport({ crypto, obfuscated: true, dcId: 1 })
    expect(server().receive(started(c3))[0]).toMatchObject({ type: 'close' })
    expect(server().receive(new Uint8Array([0xef, 1, 1, 1, 1]))[0]).toMatchObject({ type: 'close' })
    expect(() => new ClientTransport({ crypto, proxySecret: secrets[0] })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
  })

  it('HTTP: POST /api requests become packets, responses carry the answers', () => {
    const r = prng(4)
    const http = new HttpClientCodec('149.154.167.40:80')
    const p = [mtprotoPacket(r, 5), mtprotoPacket(r, 180)]
    const ev = decodeEveryWay(() => feed(new ServerTransport({ crypto })), concatAll(p.map((x) => http.frame(x))), 4)
    expect(ev).toEqual([{ type: 'detected', info: { transport: 'http', secretIndex: -1 } }, ...p.map((data) => ({ type: 'packet', data, quickAck: false }))])
    const server = new ServerTransport({ crypto })
    server.receive(http.frame(p[0]))
    const q = mtprotoPacket(r, 30)
    server.send(q)
    server.send({ type: 'packet', data: q, quickAck: false })
    server.send({ type: 'transportError', status: 404 })
    server.send(q)
    const back = out(server)
    const cev = decodeEveryWay(() => feed(new HttpClientCodec('a')), back, 5)
    expect(cev).toEqual([
      { type: 'packet', data: q, quickAck: false },
      { type: 'packet', data: q, quickAck: false },
      { type: 'error', error: expect.objectContaining({ code: 'E_TRANSPORT_404', status: 404 }) },
    ])
  })

  it('HTTP: wrong path, chunked bodies, huge or conflicting Content-Length and long headers are refused', () => {
    const bad = [
      ['HEAD /api HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd', 'E_HTTP_NOT_API'],
      ['GET /api HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd', 'E_HTTP_NOT_API'],
      ['POST /other HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd', 'E_HTTP_NOT_API'],
      ['POST /api HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 'E_HTTP_UNSUPPORTED'],
      ['POST /api HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n', 'E_HTTP_MALFORMED'],
      ['POST /api HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n', 'E_PACKET_TOO_LONG'],
      ['POST /api HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 8\r\n\r\nabcdabcd', 'E_HTTP_MALFORMED'],
      ['POST /api HTTP/1.1\r\n' + 'X: y\r\n'.repeat(2000), 'E_HTTP_HEADER'],
      ['POST /api HTTP/1.1\r\nno colon\r\n\r\n', 'E_HTTP_MALFORMED'],
    ] as const
    for (const [text, code] of bad) {
      const ev = decodeEveryWay(() => feed(new HttpServerCodec()), utf8(text), text.length, 1)
      expect(ev, text.slice(0, 40)).toEqual([{ type: 'error', error: expect.objectContaining({ code }) }])
    }
  })
})
