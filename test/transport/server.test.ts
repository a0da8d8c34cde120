import { describe, expect, it } from 'vitest'
import { TransportError } from '../../src/errors.js'
import { ClientTransport, type ClientEvent } from '../../src/transport/client.js'
import { detectTransport } from '../../src/transport/detect.js'
import { TransportStatusError } from '../../src/transport/errors.js'
import type { FramingKind } from '../../src/transport/framing.js'
import { HttpClientCodec, HttpServerCodec } from '../../src/transport/http.js'
import { ServerTransport, type ServerEvent } from '../../src/transport/server.js'
import { chunks, concatAll, hex, prng, seededCrypto } from './helpers.js'

const crypto = seededCrypto(11)
const utf8 = (s: string) => new TextEncoder().encode(s)

function feedServer(s: ServerTransport, bytes: Uint8Array, r: ReturnType<typeof prng>): ServerEvent[] {
  const out: ServerEvent[] = []
  for (const c of chunks(bytes, r, 150)) out.push(...s.receive(c))
  return out
}

describe('server transport detection', () => {
  it('recognises each first-bytes pattern', () => {
    const u = (...b: number[]) => new Uint8Array(b)
    expect(detectTransport(u(0xef))).toBe('abridged')
    expect(detectTransport(u(0xee, 0xee, 0xee))).toBeUndefined()
    expect(detectTransport(u(0xee, 0xee, 0xee, 0xee))).toBe('intermediate')
    expect(detectTransport(u(0xdd, 0xdd, 0xdd, 0xdd))).toBe('padded')
    expect(detectTransport(utf8('POST /api'))).toBe('http')
    expect(detectTransport(utf8('GET /'))).toBe('http')
    expect(detectTransport(u(0x28, 0, 0, 0, 0, 0, 0))).toBeUndefined()
    expect(detectTransport(u(0x28, 0, 0, 0, 0, 0, 0, 0))).toBe('full')
    expect(detectTransport(u(0x16, 3, 1, 2, 0), { tls: true })).toBe('tls')
    expect(detectTransport(u(0x16, 3, 1, 2, 0, 1, 1, 1))).toBe('obfuscated2')
    expect(detectTransport(u(1, 2, 3, 4, 5, 6, 7, 8))).toBe('obfuscated2')
  })

  const configs: { name: string; framing: FramingKind; obfuscated: boolean }[] = []
  for (const framing of ['abridged', 'intermediate', 'padded', 'full'] as const) {
    configs.push({ name: `plain ${framing}`, framing, obfuscated: false })
    if (framing !== 'full') configs.push({ name: `obfuscated ${framing}`, framing, obfuscated: true })
  }

  it.each(configs)('$name: client ↔ server in random chunkings', ({ framing, obfuscated }) => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = prng(seed * 31)
      const client = new ClientTransport({ crypto, framing, obfuscated })
      const server = new ServerTransport({ crypto })
      const packets = Array.from({ length: 5 }, () => r.bytes(4 * (1 + r.int(600))))
      const wire = concatAll([client.start(), ...packets.map((p, i) => client.send(p, framing !== 'full' && i === 1))])
      const ev = feedServer(server, wire, r)
      expect(ev[0]).toEqual({ type: 'detected', info: expect.objectContaining({ transport: obfuscated ? 'obfuscated2' : 'plain', framing }) })
      const got = ev.slice(1) as { type: string; data: Uint8Array; quickAck: boolean }[]
      expect(got.map((g, i) => hex(g.data.subarray(0, packets[i].length)))).toEqual(packets.map(hex))
      expect(got.map((g) => g.quickAck)).toEqual(packets.map((_, i) => framing !== 'full' && i === 1))
      const answers = [r.bytes(64), r.bytes(2000)]
      const back = concatAll([...answers.map((a) => server.send(a)), ...(framing === 'full' ? [] : [server.sendQuickAck(0x8000abcd)])])
      const cev: ClientEvent[] = []
      for (const c of chunks(back, r, 100)) cev.push(...client.receive(c))
      expect(cev.slice(0, 2).map((e) => e.type === 'packet' && hex(e.data.subarray(0, answers[cev.indexOf(e)].length)))).toEqual(answers.map(hex))
      if (framing !== 'full') expect(cev[2]).toEqual({ type: 'quickAck', token: 0x8000abcd })
      // transport error from the server surfaces on the client
      expect(() => client.receive(server.sendError(429))).toThrow(TransportStatusError)
    }
  })

  it('MTProxy plain and dd secrets: the server reports which one and the DC', () => {
    const secrets = [crypto.randomBytes(16), 'dd' + hex(crypto.randomBytes(16))]
    const server = () => new ServerTransport({ crypto, secrets })
    const c1 = new ClientTransport({ crypto, proxySecret: secrets[0], dcId: 3, framing: 'abridged' })
    expect(server().receive(c1.start())[0]).toEqual({ type: 'detected', info: { transport: 'obfuscated2', framing: 'abridged', dc: { dcId: 3, test: false, media: false, raw: 3 }, secretIndex: 0 } })
    const c2 = new ClientTransport({ crypto, proxySecret: secrets[1], dcId: 2, test: true, media: true })
    expect(server().receive(c2.start())[0]).toMatchObject({ info: { framing: 'padded', dc: { raw: -10002 }, secretIndex: 1 } })
    // without a secret, or plain framing, an MTProxy server closes (no fallback configured)
    const c3 = new ClientTransport({ crypto, obfuscated: true })
    expect(server().receive(c3.start())[0]).toMatchObject({ type: 'close' })
    expect(server().receive(new Uint8Array([0xef, 1, 1, 1, 1]))[0]).toMatchObject({ type: 'close' })
    expect(() => new ClientTransport({ crypto, proxySecret: secrets[0] })).toThrow(expect.objectContaining({ code: 'E_OPTION' }))
  })

  it('HTTP: POST /api requests become packets, responses carry the answers', () => {
    const r = prng(4)
    const server = new ServerTransport({ crypto })
    const http = new HttpClientCodec('149.154.167.40:80')
    const p = [r.bytes(100), r.bytes(3000)]
    const ev = feedServer(server, concatAll(p.map((x) => http.encode(x))), r)
    expect(ev[0]).toEqual({ type: 'detected', info: { transport: 'http', secretIndex: -1 } })
    expect(ev.slice(1).map((e) => e.type === 'packet' && hex(e.data))).toEqual(p.map(hex))
    const q = r.bytes(500)
    const out: Uint8Array[] = []
    for (const c of chunks(concatAll([server.send(q), server.send(q)]), r, 40)) out.push(...http.decode(c))
    expect(out.map(hex)).toEqual([hex(q), hex(q)])
    expect(() => http.decode(server.sendError(404))).toThrow(expect.objectContaining({ code: 'E_TRANSPORT_404', status: 404 }))
  })

  it('HTTP: wrong path, chunked bodies, huge Content-Length and long headers are refused', () => {
    const bad = [
      ['GET /api HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd', 'E_HTTP_NOT_API'],
      ['POST /other HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd', 'E_HTTP_NOT_API'],
      ['POST /api HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 'E_HTTP_UNSUPPORTED'],
      ['POST /api HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n', 'E_HTTP_MALFORMED'],
      ['POST /api HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n', 'E_PACKET_TOO_LONG'],
      ['POST /api HTTP/1.1\r\n' + 'X: y\r\n'.repeat(2000), 'E_HTTP_HEADER'],
      ['POST /api HTTP/1.1\r\nno colon\r\n\r\n', 'E_HTTP_MALFORMED'],
    ] as const
    for (const [text, code] of bad) {
      expect(() => new HttpServerCodec().decode(utf8(text)), text.slice(0, 40)).toThrow(expect.objectContaining({ code }))
    }
  })

  it('fuzz: random and mutated streams into servers raise only TransportError, in bounded memory', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed * 104729)
      let bytes: Uint8Array
      if (seed % 4 === 0) bytes = r.bytes(r.int(5000))
      else {
        const kinds = ['abridged', 'intermediate', 'padded', 'full'] as const
        const framing = kinds[seed % 4]
        const c = seed % 3 === 0 ? new HttpClientCodec('a') : new ClientTransport({ crypto, framing, obfuscated: framing !== 'full' && seed % 2 === 0 })
        const parts = c instanceof HttpClientCodec ? [] : [c.start()]
        for (let i = 0; i < 3; i++) parts.push(c instanceof HttpClientCodec ? c.encode(r.bytes(4 * (1 + r.int(300)))) : c.send(r.bytes(4 * (1 + r.int(300)))))
        bytes = concatAll(parts)
        for (let k = 0; k < 1 + r.int(4); k++) bytes[r.int(bytes.length)] ^= 1 << r.int(8)
      }
      const s = new ServerTransport({ crypto, maxPacketLength: 1 << 16 })
      try {
        for (const c of chunks(bytes, r, 200)) {
          for (const e of s.receive(c)) if (e.type === 'packet') expect(e.data.length).toBeLessThanOrEqual((1 << 16) + 15)
        }
      } catch (e) {
        expect(e).toBeInstanceOf(TransportError)
      }
    }
  })
})
