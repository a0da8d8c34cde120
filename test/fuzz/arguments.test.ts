/**
 * Every public entry point of the transports, TL and the envelope with a wrong value in each
 * argument position (the others valid, so the wrong one is reached): it returns or throws an
 * `MtwireError` subclass with a code, never a TypeError, RangeError or a hang. A sweep rather
 * than a list of cases, so that a new entry point or a new kind of wrong value is covered too.
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { MtwireError } from '../../src/errors.js'
import * as tl from '../../src/tl/index.js'
import * as transport from '../../src/transport/index.js'
import { seededCrypto } from '../transport/helpers.js'

const crypto = seededCrypto(3)
const key = createAuthKey(crypto.randomBytes(256))

/** Values of every type a caller might pass by mistake. */
const WRONG: unknown[] = [
  undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 53, 10n, true, '', 'abcd', Symbol('s'), () => 1,
  {}, [], [1, 2, 3], new ArrayBuffer(8), new Uint8Array(0), new Uint8Array(3), new Uint16Array(4), new DataView(new ArrayBuffer(4)),
  { _: 'ping' }, { length: 5 }, new Map(),
]

const inner = new Uint8Array(64)
inner[28] = 32
const EE = 'ee' + '42'.repeat(16) + Buffer.from('example.com').toString('hex')
const hello = transport.buildClientHello(crypto, new Uint8Array(16).fill(0x42), 'example.com', 1_700_000_000)
const ping = tl.encodeTl(tl.mtprotoCodec, { _: 'ping', ping_id: 1n })

type Call = [name: string, fn: (...a: any[]) => unknown, valid: () => unknown[]]

/** Fresh objects per call, so one wrong call cannot break the next. */
const framing = () => transport.createFraming('padded', { role: 'server', randomBytes: (n) => crypto.randomBytes(n) })
const client = () => {
  const c = new transport.ClientTransport({ crypto, obfuscated: true, dcId: 2 })
  c.start()
  return c
}
const server = () => {
  const s = new transport.ServerTransport({ crypto })
  s.receive(new Uint8Array([0xee, 0xee, 0xee, 0xee]))
  return s
}

const CALLS: Call[] = [
  ['createFraming', transport.createFraming, () => ['abridged', { role: 'client' }]],
  ['Framing.send', (i) => framing().send(i), () => [new Uint8Array(24)]],
  ['Framing.send packet', (p, q) => framing().send({ type: 'packet', data: p, quickAck: q }), () => [new Uint8Array(24), false]],
  ['Framing.send quickAck', (t) => framing().send({ type: 'quickAck', token: t }), () => [0x80000001]],
  ['Framing.send transportError', (s) => framing().send({ type: 'transportError', status: s }), () => [404]],
  ['Framing.frame', (i) => framing().frame(i), () => [{ type: 'transportError', status: 404 }]],
  ['Framing.receive', (c, n) => framing().receive(c, n), () => [new Uint8Array([4, 0, 0, 0, 1, 2, 3, 4]), 0]],
  ['Framing.tick', (n) => framing().tick(n), () => [0]],
  ['quickAckToken', transport.quickAckToken, () => [new Uint8Array(32)]],
  ['acceptObfuscated2', transport.acceptObfuscated2, () => [crypto, transport.createObfuscated2Client(crypto, { framing: 'padded', dcId: 2 }).header, {}]],
  ['createObfuscated2Client', transport.createObfuscated2Client, () => [crypto, { framing: 'intermediate', dcId: 2 }]],
  ['encodeDcId', transport.encodeDcId, () => [2, false, false]],
  ['decodeDcId', transport.decodeDcId, () => [-10002]],
  ['isValidInitHeader', transport.isValidInitHeader, () => [crypto.randomBytes(64)]],
  ['parseProxySecret', transport.parseProxySecret, () => [EE]],
  ['buildClientHello', transport.buildClientHello, () => [crypto, new Uint8Array(16), 'example.com', 1]],
  ['buildServerHello', transport.buildServerHello, () => [crypto, new Uint8Array(16), transport.parseClientHello(hello), 100]],
  ['checkClientHello', transport.checkClientHello, () => [crypto, hello, [{ key: new Uint8Array(16).fill(0x42), domain: 'example.com' }], { nowSec: 1_700_000_000, skewSec: 5 }]],
  ['checkServerHello', transport.checkServerHello, () => [crypto, new Uint8Array(16), new Uint8Array(32), new Uint8Array(100)]],
  ['encodeAppData', transport.encodeAppData, () => [new Uint8Array(100), 16384]],
  ['parseClientHello', transport.parseClientHello, () => [hello]],
  ['new ReplayCache', (o) => new transport.ReplayCache(o), () => [{ capacity: 10 }]],
  ['ReplayCache.add', (d, n) => new transport.ReplayCache({ capacity: 10 }).add(d, n), () => [new Uint8Array(28), 1]],
  ['new TlsRecordDecoder', (m, t) => new transport.TlsRecordDecoder(m, t), () => [100, false]],
  ['TlsRecordDecoder.decode', (c) => new transport.TlsRecordDecoder().decode(c), () => [new Uint8Array([0x17, 3, 3, 0, 1, 9])]],
  ['detectTransport', transport.detectTransport, () => [new Uint8Array([0xef]), { tls: true }]],
  ['new HttpClientCodec', (h, o) => new transport.HttpClientCodec(h, o), () => ['example.com', {}]],
  ['HttpClientCodec.send', (p) => new transport.HttpClientCodec('a').send(p), () => [new Uint8Array(8)]],
  ['HttpClientCodec.receive', (c) => new transport.HttpClientCodec('a').receive(c), () => [new Uint8Array(8)]],
  ['new HttpServerCodec', (o) => new transport.HttpServerCodec(o), () => [{}]],
  ['HttpServerCodec.send', (p) => new transport.HttpServerCodec().send(p), () => [new Uint8Array(8)]],
  ['HttpServerCodec.send transportError', (s) => new transport.HttpServerCodec().send({ type: 'transportError', status: s }), () => [404]],
  ['HttpServerCodec.receive', (c) => new transport.HttpServerCodec().receive(c), () => [new Uint8Array(8)]],
  ['new ClientTransport', (o) => new transport.ClientTransport(o), () => [{ crypto, proxySecret: EE, dcId: 2 }]],
  ['ClientTransport.start', (n) => new transport.ClientTransport({ crypto, proxySecret: EE, dcId: 2 }).start(n), () => [1_700_000_000_000]],
  ['ClientTransport.send', (p, q) => client().send({ type: 'packet', data: p, quickAck: q }), () => [new Uint8Array(24), false]],
  ['ClientTransport.receive', (c, n) => client().receive(c, n), () => [new Uint8Array(8), 0]],
  ['new ServerTransport', (o) => new transport.ServerTransport(o), () => [{ crypto, secrets: [EE], fallback: { host: 'a', port: 1 } }]],
  ['ServerTransport.receive', (c, n) => new transport.ServerTransport({ crypto }).receive(c, n), () => [new Uint8Array([0xef, 1]), 0]],
  ['ServerTransport.send', (p) => server().send(p), () => [new Uint8Array(24)]],
  ['ServerTransport.send quickAck', (t) => server().send({ type: 'quickAck', token: t }), () => [0x80000001]],
  ['ServerTransport.send transportError', (s) => server().send({ type: 'transportError', status: s }), () => [404]],
  ['new WebSocketClientTransport', (o) => new transport.WebSocketClientTransport(o), () => [{ crypto, host: 'example.com', dcId: 2 }]],
  ['WebSocketClientTransport.receive', (c) => new transport.WebSocketClientTransport({ crypto, host: 'a', dcId: 2 }).receive(c), () => [new Uint8Array(8)]],
  ['createWebSocketClientTransport', transport.createWebSocketClientTransport, () => [{ crypto, dcId: 2 }]],
  ['telegramWebSocketHost', transport.telegramWebSocketHost, () => [2, false]],
  ['webSocketAccept', transport.webSocketAccept, () => [crypto, 'dGhlIHNhbXBsZSBub25jZQ==']],
  ['webSocketUrl', transport.webSocketUrl, () => ['example.com', { port: 443 }]],
  ['new WebSocketClientHandshake', (c, h, p) => new transport.WebSocketClientHandshake(c, h, p), () => [crypto, 'example.com', '/apiws']],
  ['WebSocketClientHandshake.receive', (c) => new transport.WebSocketClientHandshake(crypto, 'a').receive(c), () => [new Uint8Array(8)]],
  ['new WebSocketServerHandshake', (c, p) => new transport.WebSocketServerHandshake(c, p), () => [crypto, ['/apiws']]],
  ['WebSocketServerHandshake.receive', (c) => new transport.WebSocketServerHandshake(crypto).receive(c), () => [new Uint8Array(8)]],
  ['new WebSocketFrameCodec', (o) => new transport.WebSocketFrameCodec(o), () => [{ role: 'client', crypto }]],
  ['WebSocketFrameCodec.send', (d) => new transport.WebSocketFrameCodec({ role: 'client', crypto }).send(d), () => [new Uint8Array(8)]],
  ['WebSocketFrameCodec.sendClose', (c) => new transport.WebSocketFrameCodec({ role: 'client', crypto }).sendClose(c), () => [1000]],
  ['WebSocketFrameCodec.receive', (c) => new transport.WebSocketFrameCodec({ role: 'client', crypto }).receive(c), () => [new Uint8Array([0x82, 0])]],
  // TL
  ['decodeTl', tl.decodeTl, () => [tl.mtprotoCodec, ping, {}]],
  ['encodeTl', tl.encodeTl, () => [tl.mtprotoCodec, { _: 'ping', ping_id: 1n }]],
  ['encodeTlInto', tl.encodeTlInto, () => [tl.mtprotoCodec, { _: 'ping', ping_id: 1n }, new Uint8Array(64), 0]],
  ['gzipPacked', tl.gzipPacked, () => [ping, 0]],
  ['gzip', tl.gzip, () => [ping]],
  ['gunzipBounded', tl.gunzipBounded, () => [tl.gzip(ping), 100]],
  ['mergeCodecs', tl.mergeCodecs, () => [tl.mtprotoCodec, tl.secretCodec]],
  ['constructorName', tl.constructorName, () => [tl.mtprotoCodec, 0x7abe77ec]],
  ['new TlReader', (c, d, o) => new tl.TlReader(c, d, o), () => [tl.mtprotoCodec, ping, {}]],
  ['TlReader.raw', (n) => new tl.TlReader(null, ping).raw(n), () => [4]],
  ['TlReader.sub', (n) => new tl.TlReader(null, ping).sub(n), () => [4]],
  ['TlReader.sized', (n, f) => new tl.TlReader(null, ping).sized(n, f), () => [4, (r: tl.TlReader) => r.int()]],
  ['TlReader.bareVector', (f, n) => new tl.TlReader(null, ping).bareVector(f, n), () => [(r: tl.TlReader) => r.int(), 1]],
  ['TlReader.count', (m) => new tl.TlReader(null, new Uint8Array(8)).count(m), () => [4]],
  // the envelope
  ['encryptMessage', (...a) => crypto.encryptMessage(...(a as Parameters<typeof crypto.encryptMessage>)), () => [key, inner, 0, undefined, {}]],
  ['encryptMessageInto', (...a) => crypto.encryptMessageInto(...(a as Parameters<typeof crypto.encryptMessageInto>)), () => [key, inner, 0, new Uint8Array(200), {}]],
  ['decryptMessage', (...a) => crypto.decryptMessage(...(a as Parameters<typeof crypto.decryptMessage>)), () => [key, crypto.encryptMessage(key, inner, 0), 0, undefined, {}]],
  ['decryptMessageInto', (...a) => crypto.decryptMessageInto(...(a as Parameters<typeof crypto.decryptMessageInto>)), () => [key, crypto.encryptMessage(key, inner, 0), 0, new Uint8Array(200), {}]],
  ['encryptMessages', (i) => crypto.encryptMessages(i), () => [[{ authKey: key, inner, x: 0 }]]],
  // the rest of the Crypto object (src/crypto/api.ts)
  ['randomBytes', (n) => crypto.randomBytes(n), () => [16]],
  ['pbkdf2Sha512', (p, salt, i) => crypto.pbkdf2Sha512(p, salt, i), () => [inner, inner, 2]],
  ['sha1', (d) => crypto.sha1(d), () => [inner]],
  ['sha256', (d) => crypto.sha256(d), () => [inner]],
  ['sha512', (d) => crypto.sha512(d), () => [inner]],
  ['md5', (d) => crypto.md5(d), () => [inner]],
  ['crc32', (d) => crypto.crc32(d), () => [inner]],
  ['hmacSha256', (k, d) => crypto.hmacSha256(k, d), () => [inner, inner]],
  ['aesIgeEncrypt', (d, k, iv, o) => crypto.aesIgeEncrypt(d, k, iv, o), () => [inner, new Uint8Array(32), new Uint8Array(32), undefined]],
  ['aesIgeDecrypt', (d, k, iv, o) => crypto.aesIgeDecrypt(d, k, iv, o), () => [inner, new Uint8Array(32), new Uint8Array(32), new Uint8Array(64)]],
  ['createAesCtr', (k, iv) => crypto.createAesCtr(k, iv), () => [new Uint8Array(32), new Uint8Array(16)]],
  ['AesCtr.process', (d, o) => crypto.createAesCtr(new Uint8Array(32), new Uint8Array(16)).process(d, o), () => [inner, undefined]],
  ['createAuthKey', createAuthKey, () => [new Uint8Array(256)]],
  ['decryptMessages', (i) => crypto.decryptMessages(i), () => [[{ authKey: key, packet: crypto.encryptMessage(key, inner, 0), x: 0 }]]],
]

describe('every entry point with a wrong value in each argument position', () => {
  it.each(CALLS.map((c) => [c[0], c] as const))('%s', async (_, [name, fn, valid]) => {
    // the valid call works (so the sweep below tests the wrong values, not a broken baseline)
    await fn(...valid())
    let calls = 0
    for (let pos = 0; pos < valid().length; pos++) {
      for (const w of WRONG) {
        const args = valid()
        args[pos] = w
        calls++
        try {
          await fn(...args) // an async entry point must reject the same way
        } catch (e) {
          if (!(e instanceof MtwireError) || typeof e.code !== 'string' || !/^E_[A-Z0-9_]+$/.test(e.code)) {
            throw new Error(`${name}: argument ${pos} = ${show(w)} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
          }
        }
      }
    }
    expect(calls).toBe(valid().length * WRONG.length)
  })
})

function show(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function') return String(v)
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return `${v.constructor.name}(${v.byteLength})`
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}
