/**
 * The one Layer shape (src/layer.ts) across the transports, and the plugging it exists for: the
 * auth and session layers' `takeOutgoing()` items go into a transport's `send()` as they are.
 * Also the server's detection of HTTP and WebSocket on one port, and the WebSocket client
 * transport against it, every chunking.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Layer, TransportItem } from '../../src/layer.js'
import { HandshakeServer, type ServerHandshake } from '../../src/auth/server.js'
import type { ServerConnection } from '../../src/session/server.js'
import { ClientTransport, type ClientEvent } from '../../src/transport/client.js'
import { createFraming, type FrameEvent, type Framing } from '../../src/transport/framing.js'
import { HttpClientCodec, HttpServerCodec } from '../../src/transport/http.js'
import { ServerTransport, type ServerEvent } from '../../src/transport/server.js'
import { WebSocketClientTransport, WebSocketFrameCodec, WebSocketServerHandshake, type WebSocketEvent } from '../../src/transport/websocket.js'
import { generateRsaKey } from '../../src/auth/rsa.js'
import { concatAll, decodeEveryWay, feed, hex, mtprotoPacket, out, prng, seededCrypto, sent, started, type Written } from './helpers.js'

const crypto = seededCrypto(41)
const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('one Layer shape', () => {
  it('every transport, codec and framing implements Layer, and takes the items the layers above hand down', () => {
    type Bytes = Uint8Array | TransportItem
    expectTypeOf<Framing>().toMatchTypeOf<Layer<Uint8Array, Bytes, FrameEvent>>()
    expectTypeOf<ClientTransport>().toMatchTypeOf<Layer<Uint8Array, Bytes, ClientEvent>>()
    expectTypeOf<ServerTransport>().toMatchTypeOf<Layer<Uint8Array, Bytes, ServerEvent>>()
    expectTypeOf<HttpServerCodec>().toMatchTypeOf<Layer<Uint8Array, Bytes, FrameEvent>>()
    expectTypeOf<HttpClientCodec>().toMatchTypeOf<Layer<Uint8Array, Bytes, FrameEvent>>()
    expectTypeOf<WebSocketFrameCodec>().toMatchTypeOf<Layer<Uint8Array, Uint8Array, WebSocketEvent>>()
    expectTypeOf<WebSocketClientTransport>().toMatchTypeOf<Layer<Uint8Array, Bytes, ClientEvent>>()
    // what the session and the handshake hand down is what a transport's send() takes
    expectTypeOf<ReturnType<ServerConnection['takeOutgoing']>[number]>().toMatchTypeOf<TransportItem>()
    expectTypeOf<ReturnType<ServerHandshake['takeOutgoing']>[number]>().toMatchTypeOf<TransportItem>()
    // and nothing keeps a timer in a transport
    for (const l of [createFraming('full', { role: 'server' }), new ClientTransport({ crypto }), new ServerTransport({ crypto }), new HttpServerCodec(), new WebSocketFrameCodec({ role: 'server', crypto })]) {
      expect(l.nextDeadline()).toBeUndefined()
      expect(l.tick(0)).toEqual([])
      expect(l.takeOutgoing()).toEqual([])
    }
  })

  it('a handshake server plugs into a ServerTransport with no adapter: its −404 is framed as the framing says', async () => {
    const key = await generateRsaKey(crypto)
    const hs = new HandshakeServer(crypto, { keys: [key.privateKey] }).connection('test')
    for (const framing of ['abridged', 'intermediate', 'padded', 'full'] as const) {
      const c = new ClientTransport({ crypto, framing })
      const s = new ServerTransport({ crypto })
      s.receive(concatAll([started(c), sent(c, mtprotoPacket(prng(1), 2, true))]))
      hs.receive(new Uint8Array(24), 0) // not a handshake message: −404
      const items = hs.takeOutgoing()
      expect(items).toEqual([{ type: 'transportError', status: 404 }])
      for (const o of items) s.send(o)
      expect(c.receive(out(s))).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_TRANSPORT_404', status: 404 }) }])
      // after its error a transport takes nothing more: the same error, thrown
      expect(() => c.receive(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'E_TRANSPORT_404' }))
      // a packet and the error in one chunk: the packet, then the error; in two chunks, the same
      const packet = mtprotoPacket(prng(2), 2, true)
      for (const [split, obfuscated] of [[false, false], [true, false], [false, true], [true, true]]) {
        if (obfuscated && framing === 'full') continue // obfuscated2 carries abridged, intermediate or padded
        const c2 = new ClientTransport({ crypto, framing, obfuscated, dcId: 2 })
        const s2 = new ServerTransport({ crypto })
        s2.receive(concatAll([started(c2), sent(c2, mtprotoPacket(prng(3), 2, true))]))
        s2.send(packet)
        const first = out(s2)
        s2.send({ type: 'transportError', status: 404 })
        const second = out(s2)
        const events = split ? [...c2.receive(first), ...c2.receive(second)] : c2.receive(concatAll([first, second]))
        expect(events).toEqual([{ type: 'packet', data: packet, quickAck: false }, { type: 'error', error: expect.objectContaining({ code: 'E_TRANSPORT_404' }) }])
        expect(() => c2.receive(first)).toThrow(expect.objectContaining({ code: 'E_TRANSPORT_404' }))
      }
    }
  })

  it('items a layer cannot send are typed errors: a client sending a quick ACK, HTTP quick ACKs, unknown items', () => {
    const c = new ClientTransport({ crypto })
    c.start()
    expect(() => c.send({ type: 'quickAck', token: 0x80000001 })).toThrow(expect.objectContaining({ code: 'E_ROLE' }))
    expect(() => c.send({ type: 'transportError', status: 404 })).toThrow(expect.objectContaining({ code: 'E_ROLE' }))
    expect(() => c.send({ type: 'what' } as never)).toThrow(expect.objectContaining({ code: 'E_TYPE' }))
    expect(() => new HttpServerCodec().send({ type: 'quickAck', token: 0x80000001 })).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }))
    expect(() => new HttpClientCodec('a').send({ type: 'transportError', status: 404 })).toThrow(expect.objectContaining({ code: 'E_ROLE' }))
    expect(() => createFraming('intermediate', { role: 'client' }).send({ type: 'quickAck', token: 0x80000001 })).toThrow(expect.objectContaining({ code: 'E_ROLE' }))
    // a packet item's quick-ACK flag from a server is not a request: servers never set it
    const f = createFraming('intermediate', { role: 'server' })
    expect(hex(f.frame({ type: 'packet', data: new Uint8Array(8), quickAck: true }))).toBe(hex(f.frame(new Uint8Array(8))))
  })

  it('takeOutgoing gives every byte once, in the order sent', () => {
    const f = createFraming('abridged', { role: 'client' })
    const ps = [new Uint8Array(4).fill(1), new Uint8Array(8).fill(2), new Uint8Array(4).fill(3)]
    for (const p of ps) f.send(p)
    expect(f.takeOutgoing().map(hex)).toEqual(ps.map((p) => hex(createFraming('abridged', { role: 'client' }).frame(p))))
    expect(f.takeOutgoing()).toEqual([])
  })
})

/** A browser's upgrade request for `path`. */
const upgrade = (path: string, extra = '') =>
  utf8(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n${extra}\r\n`)

describe('HTTP and WebSocket on one port', () => {
  it('POST /api is HTTP, GET /apiws with an Upgrade header is WebSocket, on the same ServerTransport configuration', () => {
    const mk = () => new ServerTransport({ crypto: seededCrypto(5) })
    const post = new HttpClientCodec('127.0.0.1').frame(mtprotoPacket(prng(2), 3))
    expect(decodeEveryWay(() => feed(mk()), post)[0]).toEqual({ type: 'detected', info: { transport: 'http', secretIndex: -1 } })
    const ws = decodeEveryWay(() => feed(mk()), upgrade('/apiws'))
    expect(ws).toHaveLength(1) // the 101 answer; detection waits for the stream inside
    expect(text((ws[0] as Written).data)).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n[\s\S]*Sec-WebSocket-Protocol: binary\r\n\r\n$/)
    expect(text((decodeEveryWay(() => feed(mk()), upgrade('/apiws_test'))[0] as Written).data)).toMatch(/^HTTP\/1\.1 101 /)
  })

  it('a GET that is not an MTProto upgrade is refused as a failed detection: its HTTP error and a close, or the fallback', () => {
    const cases: [string, Uint8Array, string][] = [
      ['GET / (a browser)', utf8('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'), '404'],
      ['GET /apiws without Upgrade', utf8('GET /apiws HTTP/1.1\r\nHost: a\r\n\r\n'), '400'],
      ['another subprotocol', utf8(text(upgrade('/apiws')).replace('binary', 'chat')), '400'],
      ['HTTP/1.0', utf8(text(upgrade('/apiws')).replace('HTTP/1.1', 'HTTP/1.0')), '400'],
    ]
    for (const [name, bytes, status] of cases) {
      const ev = decodeEveryWay(() => feed(new ServerTransport({ crypto })), bytes)
      expect(ev, name).toEqual([{ type: 'close', reason: expect.stringContaining('WebSocket upgrade refused') }, { type: 'write', data: expect.any(Uint8Array) }])
      expect(text((ev[1] as Written).data), name).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
      const fb = decodeEveryWay(() => feed(new ServerTransport({ crypto, fallback: { host: 'site', port: 80 } })), bytes)
      expect(fb, name).toEqual([{ type: 'fallback', host: 'site', port: 80, data: bytes, reason: expect.any(String) }])
    }
    // an endless header: refused at 8 KiB, not buffered
    const long = utf8('GET /apiws HTTP/1.1\r\n' + 'X: y\r\n'.repeat(3000))
    expect(new ServerTransport({ crypto }).receive(long)).toEqual([{ type: 'close', reason: expect.stringContaining('malformed WebSocket upgrade') }])
    // a server that does not take WebSocket refuses the upgrade like any unknown first bytes
    expect(new ServerTransport({ crypto, allowWebSocket: false }).receive(upgrade('/apiws'))).toEqual([{ type: 'close', reason: 'WebSocket transport not allowed' }])
  })

  it('WebSocketClientTransport ↔ ServerTransport: packets and quick ACKs both ways, every chunking, intermediate and padded inside', () => {
    for (const framing of ['intermediate', 'padded'] as const) {
      for (let seed = 1; seed <= 2; seed++) {
        const r = prng(seed)
        const mkClient = () => new WebSocketClientTransport({ crypto: seededCrypto(seed), host: '127.0.0.1:443', dcId: 2, framing })
        const mkServer = () => new ServerTransport({ crypto: seededCrypto(100 + seed) })
        const client = mkClient()
        const request = started(client)
        expect(text(request)).toMatch(/^GET \/apiws HTTP\/1\.1\r\n/)
        const packets = [mtprotoPacket(r, 3), mtprotoPacket(r, 300), mtprotoPacket(r, 1, true)]
        client.send(packets[0]) // before the 101: held
        expect(client.takeOutgoing()).toEqual([])
        // the server's side of the handshake (seeded, so every run answers the same)
        const server = mkServer()
        server.receive(request)
        const answer = out(server)
        expect(client.receive(answer)).toEqual([])
        const wire = concatAll([request, out(client), sent(client, packets[1]), sent(client, { type: 'packet', data: packets[2], quickAck: true })])
        const ev = decodeEveryWay(() => feed(mkServer()), wire, seed)
        expect(ev[0]).toEqual({ type: 'detected', info: { transport: 'obfuscated2', framing, dc: { dcId: 2, test: false, media: false, raw: 2 }, secretIndex: -1, websocket: { path: '/apiws' } } })
        expect(ev.slice(1, -1)).toEqual(packets.map((data, i) => ({ type: 'packet', data, quickAck: i === 2 })))
        // back: the answers, a quick ACK and a transport error, in server-masked-free frames
        const s = mkServer()
        s.receive(wire)
        out(s)
        const answers = [mtprotoPacket(r, 2), mtprotoPacket(r, 500)]
        for (const a of answers) s.send({ type: 'packet', data: a, quickAck: false })
        s.send({ type: 'quickAck', token: 0x80000abc })
        s.send({ type: 'transportError', status: 444 })
        const back = concatAll([answer, out(s)])
        const cev = decodeEveryWay(() => { const c = mkClient(); started(c); return feed(c) }, back, seed)
        expect(cev.filter((e) => e.type !== 'write')).toEqual([
          ...answers.map((data) => ({ type: 'packet', data, quickAck: false })),
          { type: 'quickAck', token: 0x80000abc },
          { type: 'error', error: expect.objectContaining({ code: 'E_TRANSPORT_444', status: 444 }) },
        ])
      }
    }
  })

  it('a WebSocket close is answered and ends the connection; a refused stream inside is closed with 1008', () => {
    const c = new WebSocketClientTransport({ crypto, host: 'h', dcId: 2 })
    const s = new ServerTransport({ crypto })
    s.receive(started(c))
    c.receive(out(s))
    s.receive(out(c)) // the obfuscated2 header
    const frames = new WebSocketFrameCodec({ role: 'client', crypto })
    expect(s.receive(frames.closeFrame(1000))).toEqual([{ type: 'close', reason: 'the client closed the WebSocket (1000)' }])
    expect(new WebSocketFrameCodec({ role: 'client', crypto }).receive(out(s))).toEqual([{ type: 'close', code: 1000, reason: '' }])
    // plain intermediate inside WebSocket is fine for an open server, refused by an MTProxy
    const refusing = new ServerTransport({ crypto, secrets: ['dd' + '11'.repeat(16)], allowWebSocket: true })
    refusing.receive(upgrade('/apiws'))
    out(refusing)
    expect(refusing.receive(frames.frameMessage(new Uint8Array([0xee, 0xee, 0xee, 0xee, 4, 0, 0, 0])))).toEqual([{ type: 'close', reason: 'plain intermediate transport not allowed' }])
    expect(new WebSocketFrameCodec({ role: 'client', crypto }).receive(out(refusing))).toEqual([{ type: 'close', code: 1008, reason: '' }])
    // the client transport reports a server's close as a typed error, after answering it
    const c2 = new WebSocketClientTransport({ crypto, host: 'h', dcId: 2 })
    const s2 = new ServerTransport({ crypto })
    s2.receive(started(c2))
    c2.receive(out(s2))
    out(c2)
    const serverFrames = new WebSocketFrameCodec({ role: 'server', crypto })
    expect(c2.receive(serverFrames.closeFrame(1001))).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_WS_CLOSED' }) }])
    expect(serverFrames.receive(out(c2))).toEqual([{ type: 'close', code: 1001, reason: '' }])
    // a server handshake helper still answers on its own, for drivers that frame themselves
    expect(new WebSocketServerHandshake(crypto).receive(upgrade('/apiws'))).toMatchObject({ ok: true, path: '/apiws' })
  })
})
