import * as http from 'node:http'
import * as net from 'node:net'
import { createRequire } from 'node:module'
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
import { chunks, concatAll, hex, prng, seededCrypto, unhex } from './helpers.js'

const require = createRequire(import.meta.url)
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
    expect(client().decode(unhex('820548656c6c6f'))).toEqual([{ type: 'message', data: utf8('Hello') }])
    // single-frame masked "Hello"
    expect(server().decode(unhex('828537fa213d7f9f4d5158'))).toEqual([{ type: 'message', data: utf8('Hello') }])
    // fragmented unmasked: 0x01 "Hel" then 0x80 "lo"
    expect(client().decode(unhex('020348656c80026c6f'))).toEqual([{ type: 'message', data: utf8('Hello') }])
    // unmasked ping → our (client) pong is masked, carrying "Hello"
    const pong = client().decode(unhex('890548656c6c6f'))
    expect(pong.length).toBe(1)
    expect(server().decode((pong[0] as { data: Uint8Array }).data)).toEqual([])
    // 256 bytes and 64 KiB binary, unmasked, 16- and 64-bit lengths
    expect((client().decode(concatAll([unhex('827e0100'), new Uint8Array(256)]))[0] as { data: Uint8Array }).data.length).toBe(256)
    expect((client().decode(concatAll([unhex('827f0000000000010000'), new Uint8Array(65536)]))[0] as { data: Uint8Array }).data.length).toBe(65536)
    // text is not MTProto
    expect(() => client().decode(unhex('810548656c6c6f'))).toThrow(expect.objectContaining({ code: 'E_WS_TEXT' }))
  })

  it('round-trips random messages both ways in random chunkings, with pings and a close', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = prng(seed)
      for (const [from, to] of [['client', 'server'], ['server', 'client']] as const) {
        const enc = new WebSocketFrameCodec({ role: from, crypto })
        const dec = new WebSocketFrameCodec({ role: to, crypto })
        const msgs = Array.from({ length: 6 }, () => r.bytes(r.next() < 0.2 ? 70000 : r.int(300)))
        const wire = concatAll([...msgs.map((m) => enc.encode(m)), enc.encodeClose(1000)])
        const ev = []
        for (const c of chunks(wire, r, 500)) ev.push(...dec.decode(c))
        const got = ev.filter((e) => e.type === 'message').map((e) => hex((e as { data: Uint8Array }).data))
        expect(got).toEqual(msgs.map(hex))
        expect(ev.at(-1)).toEqual({ type: 'close', code: 1000, reason: '' })
        expect(dec.decode(new Uint8Array([1, 2, 3]))).toEqual([]) // closed: nothing more
      }
    }
  })

  it('refuses protocol violations and oversized messages from the header', () => {
    const c = () => new WebSocketFrameCodec({ role: 'client', crypto, maxMessageLength: 1000 })
    const s = () => new WebSocketFrameCodec({ role: 'server', crypto })
    const cases: [() => WebSocketFrameCodec, string, string][] = [
      [s, '820548656c6c6f', 'E_WS_PROTOCOL'], // unmasked from a client
      [c, '828537fa213d7f9f4d5158', 'E_WS_PROTOCOL'], // masked from a server
      [c, 'c20548656c6c6f', 'E_WS_PROTOCOL'], // RSV1
      [c, '830548656c6c6f', 'E_WS_PROTOCOL'], // opcode 3
      [c, '0903aaaaaa', 'E_WS_PROTOCOL'], // fragmented ping
      [c, '8003aaaaaa', 'E_WS_PROTOCOL'], // continuation without a message
      [c, '0201aa0201aa', 'E_WS_PROTOCOL'], // new message inside a fragmented one
      [c, '827f8000000000000000', 'E_WS_PROTOCOL'], // 64-bit length with the top bit
      [c, '827f00000000ffffffff', 'E_PACKET_TOO_LONG'], // 4 GiB claim: refused before allocating
      [c, '827e03e9', 'E_PACKET_TOO_LONG'], // 1001 > 1000
    ]
    for (const [mk, frame, code] of cases) expect(() => mk().decode(unhex(frame)), frame).toThrow(expect.objectContaining({ code }))
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
    const wrong = new WebSocketClientHandshake(crypto, 'h')
    wrong.request()
    expect(() => wrong.receive(utf8('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: xxx\r\n\r\n'))).toThrow(expect.objectContaining({ code: 'E_WS_HANDSHAKE' }))
    expect(webSocketUrl(telegramWebSocketHost(2, true))).toBe('wss://venus-1.web.telegram.org/apiws')
    expect(webSocketUrl('127.0.0.1', { secure: false, port: 8080, test: true })).toBe('ws://127.0.0.1:8080/apiws_test')
  })

  it('fuzz: random and mutated frame streams raise only TransportError', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed * 13)
      const role = seed % 2 ? 'client' : 'server'
      let bytes: Uint8Array
      if (seed % 3 === 0) bytes = r.bytes(r.int(2000))
      else {
        const enc = new WebSocketFrameCodec({ role: role === 'client' ? 'server' : 'client', crypto })
        bytes = concatAll(Array.from({ length: 3 }, () => enc.encode(r.bytes(r.int(400)))))
        for (let k = 0; k < 1 + r.int(3); k++) bytes[r.int(bytes.length)] ^= 1 << r.int(8)
      }
      const dec = new WebSocketFrameCodec({ role, crypto, maxMessageLength: 1 << 16 })
      try {
        for (const c of chunks(bytes, r, 100)) dec.decode(c)
      } catch (e) {
        expect(e).toBeInstanceOf(TransportError)
      }
    }
  })
})

describe('WebSocket interop with the `websocket` npm package (GramJS\'s WebSocket client), loopback', () => {
  it('its W3CWebSocket client (subprotocol binary, /apiws) ↔ our server handshake + frames + obfuscated2 server', async () => {
    const { w3cwebsocket: W3C } = require('websocket')
    const srv = net.createServer((sock) => {
      const hs = new WebSocketServerHandshake(crypto)
      const frames = new WebSocketFrameCodec({ role: 'server', crypto })
      const mt = new ServerTransport({ crypto })
      let open = false
      const onFrames = (bytes: Uint8Array) => {
        for (const e of frames.decode(bytes)) {
          if (e.type === 'write') sock.write(e.data)
          if (e.type === 'close') sock.end()
          if (e.type !== 'message') continue
          // echo every packet back, reversed
          for (const ev of mt.receive(e.data)) if (ev.type === 'packet') sock.write(frames.encode(mt.send(ev.data.slice().reverse())))
        }
      }
      sock.on('data', (d: Buffer) => {
        const b = new Uint8Array(d)
        if (open) return onFrames(b)
        const r = hs.receive(b)
        if (!r) return
        sock.write(r.response)
        if (!r.ok) return sock.end()
        open = true
        if (r.rest.length) onFrames(r.rest)
      })
    })
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res))
    const port = (srv.address() as net.AddressInfo).port
    try {
      const client = createWebSocketClientTransport({ crypto })
      const ws = new W3C(webSocketUrl('127.0.0.1', { secure: false, port }), 'binary')
      ws.binaryType = 'arraybuffer'
      const packets = [crypto.randomBytes(64), crypto.randomBytes(100000)]
      const got: Uint8Array[] = []
      await new Promise<void>((resolve, reject) => {
        ws.onerror = reject
        ws.onopen = () => {
          ws.send(client.start())
          for (const p of packets) ws.send(client.send(p))
        }
        ws.onmessage = (m: { data: ArrayBuffer }) => {
          for (const e of client.receive(new Uint8Array(m.data))) if (e.type === 'packet') got.push(e.data)
          if (got.length === packets.length) resolve()
        }
      })
      ws.close()
      expect(got.map(hex)).toEqual(packets.map((p) => hex(p.slice().reverse())))
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
          for (const e of frames.decode(b)) {
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
          for (const m of msgs) sock.write(frames.encode(m))
          if (rest.length) onFrames(rest)
        })
      })
      sock.end(frames.encodeClose())
      expect(got.map(hex)).toEqual(msgs.map((m) => hex(m.slice().reverse())))
    } finally {
      wss.shutDown()
      httpServer.close()
    }
  }, 10_000)
})
