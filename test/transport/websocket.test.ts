import * as http from 'node:http'
import * as net from 'node:net'
import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { TransportError } from '../../src/errors.js'
import { ServerTransport } from '../../src/transport/server.js'
import {
  createWebSocketClientTransport,
  telegramWebSocketHost,
  webSocketAccept,
  WebSocketClientHandshake,
  WebSocketFrameCodec,
  WebSocketServerHandshake,
  webSocketUrl,
} from '../../src/transport/websocket.js'
import { chunks, concatAll, decodeEveryWay, feed, hex, mtprotoPacket, out, prng, seededCrypto, unhex, type Written } from './helpers.js'

const require = createRequire(import.meta.url)
/** A packet with the bytes after its auth_key_id reversed: still an MTProto-shaped packet. */
const flip = (p: Uint8Array) => concatAll([p.subarray(0, 8), p.slice(8).reverse()])
/** A ping frame as `from` sends it (masked from a client). */
const pingFrame = (from: 'client' | 'server') => (from === 'client' ? unhex('898011223344') : unhex('8900'))
const crypto = seededCrypto(21)
const utf8 = (s: string) => new TextEncoder().encode(s)

describe('WebSocket codec (RFC 6455)', () => {
  it('computes Sec-WebSocket-Accept as in RFC 6455 §1.3', () => {
    expect(webSocketAccept(crypto, 'dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  })

  it('decodes the RFC 6455 §5.7 example frames (opcode switched to binary), answers pings', () => {
    const client = () => new WebSocketFrameCodec({ role: 'client', crypto })
    const server = () => new WebSocketFrameCodec({ role: 'server', crypto })
    // single-frame unmasked "Hello" (0x81 → 0x82)
    expect(client().receive(unhex('820548656c6c6f'))).toEqual([{ type: 'message', data: utf8('Hello') }])
    // single-frame masked "Hello"
    expect(server().receive(unhex('828537fa213d7f9f4d5158'))).toEqual([{ type: 'message', data: utf8('Hello') }])
    // fragmented unmasked: 0x01 "Hel" then 0x80 "lo"
    expect(client().receive(unhex('020348656c80026c6f'))).toEqual([{ type: 'message', data: utf8('Hello') }])
    // unmasked ping → our (client) pong is masked, carrying "Hello"
    const c = client()
    expect(c.receive(unhex('890548656c6c6f'))).toEqual([])
    const pong = out(c)
    expect(pong.length).toBe(2 + 4 + 5)
    expect(server().receive(pong)).toEqual([])
    expect(out(c).length).toBe(0)
    // 256 bytes and 64 KiB binary, unmasked, 16- and 64-bit lengths
    expect((client().receive(concatAll([unhex('827e0100'), new Uint8Array(256)]))[0] as { data: Uint8Array }).data.length).toBe(256)
    expect((client().receive(concatAll([unhex('827f0000000000010000'), new Uint8Array(65536)]))[0] as { data: Uint8Array }).data.length).toBe(65536)
    // text is not MTProto
    expect(client().receive(unhex('810548656c6c6f'))).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_WS_TEXT' }) }])
  })

  it('round-trips random messages both ways, fragmented or not, every chunking, with pings and a close', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = prng(seed)
      for (const [from, to] of [['client', 'server'], ['server', 'client']] as const) {
        const enc = new WebSocketFrameCodec({ role: from, crypto: seededCrypto(seed) })
        // one over 64 KiB (a 64-bit length) in the first run
        const msgs = Array.from({ length: 6 }, (_, i) => r.bytes(seed === 1 && i === 0 ? 70000 : r.next() < 0.2 ? 3000 : r.int(300)))
        // message 2 as three fragments with a ping between them
        const frag = (m: Uint8Array) => {
          const a = enc.frameMessage(m.subarray(0, 10)), b = enc.frameMessage(m.subarray(10, 20)), c = enc.frameMessage(m.subarray(20))
          a[0] = 0x02 // binary, no FIN
          b[0] = 0x00 // continuation, no FIN
          c[0] = 0x80 // continuation, FIN
          return concatAll([a, b, pingFrame(from), c])
        }
        msgs[2] = r.bytes(50)
        const wire = concatAll([...msgs.map((m, i) => (i === 2 ? frag(m) : enc.frameMessage(m))), enc.closeFrame(1000), enc.frameMessage(r.bytes(9))])
        const ev = decodeEveryWay(() => feed(new WebSocketFrameCodec({ role: to, crypto: seededCrypto(9) })), wire, seed)
        expect(ev.filter((e) => e.type === 'message').map((e) => hex((e as { data: Uint8Array }).data))).toEqual(msgs.map(hex))
        expect(ev.at(-2)).toEqual({ type: 'close', code: 1000, reason: '' }) // nothing after the close
        // what it wrote: the pong (nothing for the peer to see) and the close answer
        expect(new WebSocketFrameCodec({ role: from, crypto }).receive((ev.at(-1) as Written).data)).toEqual([{ type: 'close', code: 1000, reason: '' }])
      }
    }
  })

  it('a flood of empty continuation frames holds no memory and is refused past the fragment bound (issue 15)', () => {
    // the attack: a data frame without FIN, then 300 000 empty continuation frames (2 bytes each
    // from a server, 6 from a client): a few MiB on the wire that used to hold hundreds of MiB.
    // What a codec holds is measured after a full collection: the garbage a decode leaves
    // (a few MiB here) depends on when the young generation was last collected
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const held = () => {
      gc()
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    for (const role of ['client', 'server'] as const) {
      const one = role === 'client' ? unhex('0000') : unhex('008011223344')
      const n = 300_000
      const wire = new Uint8Array(one.length * (n + 1))
      wire.set(role === 'client' ? unhex('0200') : unhex('028011223344'))
      for (let i = 1; i <= n; i++) wire.set(one, i * one.length)
      const before = held()
      const d = new WebSocketFrameCodec({ role, crypto })
      const ev = d.receive(wire)
      expect(held() - before).toBeLessThan(1 << 20)
      expect(ev).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_WS_FRAGMENTS' }) }])
      // with no bound on the count, the buffer still only holds what arrived: nothing
      const lax = new WebSocketFrameCodec({ role, crypto, maxFragments: 1e9 })
      const m0 = held()
      expect(lax.receive(wire)).toEqual([])
      expect(held() - m0).toBeLessThan(1 << 20)
      // and the final frame completes the (empty) message without a stack overflow
      expect(lax.receive(role === 'client' ? unhex('8000') : unhex('808011223344'))).toEqual([{ type: 'message', data: new Uint8Array(0) }])
    }
  })

  it('a fragmented message is bounded in total from each frame header', () => {
    const d = new WebSocketFrameCodec({ role: 'client', crypto, maxMessageLength: 100 })
    // 60 + 60 bytes: the second header alone already exceeds the bound
    expect(d.receive(concatAll([unhex('023c'), new Uint8Array(60), unhex('803c')]))).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_PACKET_TOO_LONG' }) }])
  })

  it('handshakes: our client ↔ our server, and refusals', () => {
    const ch = new WebSocketClientHandshake(crypto, 'venus.web.telegram.org')
    const sh = new WebSocketServerHandshake(crypto)
    const req = ch.request()
    let res = null
    for (const c of chunks(concatAll([req, unhex('8280aabbccdd')]), prng(1), 7)) res = res ?? sh.receive(c)
    expect(res!.ok).toBe(true)
    expect(res!.path).toBe('/apiws')
    expect(ch.receive(concatAll([res!.response, unhex('820548656c6c6f')]))).toEqual(unhex('820548656c6c6f'))
    const bad = (text: string) => new WebSocketServerHandshake(crypto).receive(utf8(text))!
    expect(bad('GET /other HTTP/1.1\r\nHost: a\r\n\r\n')).toMatchObject({ ok: false })
    expect(bad('GET /apiws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')).toMatchObject({ ok: false }) // no subprotocol
    expect(() => new WebSocketServerHandshake(crypto).receive(utf8('GET / HTTP/1.1\r\n' + 'X: y\r\n'.repeat(2000)))).toThrow(TransportError)
    expect(bad('GET /apiws HTTP/1.1\r\nno colon\r\n\r\n')).toMatchObject({ ok: false }) // a 400, not a throw
    const wrong = new WebSocketClientHandshake(crypto, 'h')
    wrong.request()
    expect(() => wrong.receive(utf8('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: xxx\r\n\r\n'))).toThrow(expect.objectContaining({ code: 'E_WS_HANDSHAKE' }))
    expect(webSocketUrl(telegramWebSocketHost(2, true))).toBe('wss://venus-1.web.telegram.org/apiws')
    expect(webSocketUrl('127.0.0.1', { secure: false, port: 8080, test: true })).toBe('ws://127.0.0.1:8080/apiws_test')
  })
})

describe('WebSocket interop with the `websocket` npm package (GramJS\'s WebSocket client), loopback', () => {
  it('its W3CWebSocket client (subprotocol binary, /apiws) ↔ our server handshake + frames + obfuscated2 server', async () => {
    const { w3cwebsocket: W3C } = require('websocket')
    // one ServerTransport per connection: it tells the WebSocket upgrade from the other transports
    const infos: unknown[] = []
    const srv = net.createServer((sock) => {
      const mt = new ServerTransport({ crypto })
      sock.on('data', (d: Buffer) => {
        let close = false
        for (const ev of mt.receive(new Uint8Array(d))) {
          // echo every packet back, its bytes after the auth_key_id reversed
          if (ev.type === 'packet') mt.send(flip(ev.data))
          else if (ev.type === 'detected') infos.push(ev.info)
          else if (ev.type === 'close' || ev.type === 'error') close = true
        }
        for (const b of mt.takeOutgoing()) sock.write(b)
        if (close) sock.end()
      })
    })
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res))
    const port = (srv.address() as net.AddressInfo).port
    try {
      const client = createWebSocketClientTransport({ crypto, dcId: 2 })
      const ws = new W3C(webSocketUrl('127.0.0.1', { secure: false, port }), 'binary')
      ws.binaryType = 'arraybuffer'
      const packets = [mtprotoPacket(prng(6), 3), mtprotoPacket(prng(7), 6000)]
      const got: Uint8Array[] = []
      await new Promise<void>((resolve, reject) => {
        ws.onerror = reject
        ws.onopen = () => {
          client.start()
          for (const p of packets) client.send(p)
          for (const b of client.takeOutgoing()) ws.send(b) // each chunk one message: the header, then a packet each
        }
        ws.onmessage = (m: { data: ArrayBuffer }) => {
          for (const e of client.receive(new Uint8Array(m.data))) if (e.type === 'packet') got.push(e.data)
          if (got.length === packets.length) resolve()
        }
      })
      ws.close()
      expect(got.map(hex)).toEqual(packets.map((p) => hex(flip(p))))
      expect(infos).toEqual([{ transport: 'obfuscated2', framing: 'intermediate', dc: { dcId: 2, test: false, media: false, raw: 2 }, secretIndex: -1, websocket: { path: '/apiws' } }])
    } finally {
      srv.close()
    }
  }, 10_000)

  it('its WebSocketServer ↔ our client handshake + masked frames', async () => {
    const { server: WsServer } = require('websocket')
    const httpServer = http.createServer()
    // its default frame limit is 64 KiB; our 70000-byte message is one frame
    const wss = new WsServer({ httpServer, autoAcceptConnections: false, maxReceivedFrameSize: 1 << 20 })
    wss.on('request', (req: any) => {
      const conn = req.accept('binary', req.origin)
      conn.on('message', (m: any) => conn.sendBytes(Buffer.from(m.binaryData).reverse()))
    })
    await new Promise<void>((res) => httpServer.listen(0, '127.0.0.1', res))
    const port = (httpServer.address() as net.AddressInfo).port
    try {
      const sock = net.connect(port, '127.0.0.1')
      const hs = new WebSocketClientHandshake(crypto, `127.0.0.1:${port}`)
      const frames = new WebSocketFrameCodec({ role: 'client', crypto })
      const msgs = [crypto.randomBytes(10), crypto.randomBytes(70000)]
      const got: Uint8Array[] = []
      await new Promise<void>((resolve, reject) => {
        sock.on('error', reject)
        let open = false
        const onFrames = (b: Uint8Array) => {
          for (const e of frames.receive(b)) {
            if (e.type === 'message') got.push(e.data)
            if (e.type === 'close') reject(new Error(`closed by the server: ${e.code} ${e.reason}`))
          }
          if (got.length === msgs.length) resolve()
        }
        sock.on('connect', () => sock.write(hs.request()))
        sock.on('data', (d: Buffer) => {
          if (open) return onFrames(new Uint8Array(d))
          const rest = hs.receive(new Uint8Array(d))
          if (!rest) return
          open = true
          for (const m of msgs) frames.send(m)
          for (const f of frames.takeOutgoing()) sock.write(f)
          if (rest.length) onFrames(rest)
        })
      })
      frames.sendClose()
      sock.end(out(frames))
      expect(got.map(hex)).toEqual(msgs.map((m) => hex(m.slice().reverse())))
    } finally {
      wss.shutDown()
      httpServer.close()
    }
  }, 10_000)
})
