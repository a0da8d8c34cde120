import { describe, expect, it } from 'vitest'
import { TransportError } from '../../src/errors.js'
import { createFraming, type FrameEvent, type FramingKind } from '../../src/transport/framing.js'
import { TransportStatusError } from '../../src/transport/errors.js'
import { concatAll, decodeEveryWay, hex, mtprotoPacket, prng, seededCrypto } from './helpers.js'

const KINDS: FramingKind[] = ['abridged', 'intermediate', 'padded', 'full']
const crypto = seededCrypto(1)
const mk = (kind: FramingKind, role: 'client' | 'server', max?: number) =>
  createFraming(kind, { role, randomBytes: (n) => crypto.randomBytes(n), maxPacketLength: max })
const mkFeed = (kind: FramingKind, role: 'client' | 'server') => {
  const d = mk(kind, role)
  return (c: Uint8Array): FrameEvent[] => d.receive(c)
}

describe.each(KINDS)('%s framing', (kind) => {
  it('round-trips MTProto packets exactly, every way of chunking them, both directions', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = prng(seed)
      for (const [from, to] of [['client', 'server'], ['server', 'client']] as const) {
        const enc = mk(kind, from)
        const packets: Uint8Array[] = []
        const acks: boolean[] = []
        for (let i = 0; i < 10; i++) {
          // around the abridged 1-byte/4-byte length boundary (127 words) and larger; encrypted
          // (24 + 16k bytes) and unencrypted (20 + length) ones. The padded framing adds 0..15
          // random bytes, which the decoder strips: every framing gives the exact packet.
          const blocks = r.next() < 0.3 ? 29 + r.int(3) : r.int(r.next() < 0.1 ? 600 : 80)
          packets.push(mtprotoPacket(r, blocks, r.next() < 0.25))
          acks.push(from === 'client' && kind !== 'full' && r.next() < 0.5)
        }
        const wire = concatAll(packets.map((p, i) => enc.frame({ type: 'packet', data: p, quickAck: acks[i] })))
        const events = decodeEveryWay(() => mkFeed(kind, to), wire, seed)
        expect(events).toEqual(packets.map((p, i) => ({ type: 'packet', data: p, quickAck: to === 'server' ? acks[i] : false })))
      }
    }
  })

  if (kind !== 'full') {
    it('quick ACK tokens from the server reach the client between packets', () => {
      const r = prng(5)
      const server = mk(kind, 'server')
      const tokens = [0x80000000, 0xffffffff, 0x8badf00d, 0xc0000001]
      const parts: Uint8Array[] = []
      for (const t of tokens) parts.push(server.frame({ type: 'quickAck', token: t }), server.frame(mtprotoPacket(r, 1)))
      const ev = decodeEveryWay(() => mkFeed(kind, 'client'), concatAll(parts), 5)
      expect(ev.filter((e) => e.type === 'quickAck').map((e) => (e as { token: number }).token)).toEqual(tokens)
      expect(ev.filter((e) => e.type === 'packet').length).toBe(tokens.length)
    })
  } else {
    it('has no quick ACK', () => {
      expect(() => mk(kind, 'server').frame({ type: 'quickAck', token: 0x80000001 })).toThrow(TransportError)
    })
  }

  it.each([404, 429, 444, 500])('transport error -%d is an event after the packets before it; the decoder stays failed', (status) => {
    const server = mk(kind, 'server')
    const r = prng(status)
    const before = [mtprotoPacket(r, 2), mtprotoPacket(r, 0, true)]
    // a packet after the error code is never delivered
    const wire = concatAll([...before.map((p) => server.frame(p)), server.frame({ type: 'transportError', status: status }), server.frame(mtprotoPacket(r, 1))])
    const client = mk(kind, 'client')
    const got = client.receive(wire)
    expect(got.slice(0, 2)).toEqual(before.map((data) => ({ type: 'packet', data, quickAck: false })))
    expect(got.length).toBe(3)
    const err = got[2]
    expect(err.type).toBe('error')
    if (err.type !== 'error') return
    expect(err.error).toBeInstanceOf(TransportStatusError)
    expect((err.error as TransportStatusError).status).toBe(status)
    expect(err.error.code).toBe(status === 500 ? 'E_TRANSPORT_STATUS' : `E_TRANSPORT_${status}`)
    // a failed decoder stays failed: later input throws the same error
    expect(() => client.receive(new Uint8Array(1))).toThrow(err.error)
    // and the same events come out whatever the chunking
    decodeEveryWay(() => mkFeed(kind, 'client'), wire, status)
  })

  it('refuses an oversized length right after the header, before allocating', () => {
    const enc = mk(kind, 'client', 1 << 20)
    const wire = enc.frame(new Uint8Array(2048))
    const headerLen = kind === 'abridged' ? 4 : kind === 'full' ? 8 : 4
    // only the header: the check must fire here
    const ev = mk(kind, 'server', 1024).receive(wire.subarray(0, headerLen))
    expect(ev).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_PACKET_TOO_LONG' }) }])
    expect(() => enc.frame(new Uint8Array((1 << 20) + 4))).toThrow(/exceeds/)
  })

  it('default limit is 16 MiB: a 2 GiB claim is refused from its header alone', () => {
    const h = kind === 'abridged' ? [0x7f, 0xff, 0xff, 0xff] : kind === 'full' ? [0xf0, 0xff, 0xff, 0x7f, 0, 0, 0, 0] : [0xf0, 0xff, 0xff, 0x7f]
    expect(mk(kind, 'server').receive(new Uint8Array(h))).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_PACKET_TOO_LONG' }) }])
  })

  it('a chunk that is not bytes is the caller\'s mistake: a typed throw, the decoder still works', () => {
    const dec = mk(kind, 'server')
    for (const bad of ['abcd', null, [1, 2, 3], new ArrayBuffer(4), 7]) {
      expect(() => dec.receive(bad as never)).toThrow(expect.objectContaining({ code: 'E_TYPE' }))
    }
    const p = mtprotoPacket(prng(3), 1)
    expect(dec.receive(mk(kind, 'client').frame(p))).toEqual([{ type: 'packet', data: p, quickAck: false }])
  })
})

describe('padded intermediate delivers exact packets', () => {
  it('strips 0..15 padding bytes from encrypted (24 + 16k) and unencrypted (20 + length) packets', async () => {
    const { exactLength } = await import('../../src/transport/framing.js')
    const r = prng(8)
    for (let i = 0; i < 200; i++) {
      const p = mtprotoPacket(r, r.int(40), i % 2 === 0)
      for (let pad = 0; pad < 16; pad++) expect(exactLength(concatAll([p, r.bytes(pad)]))).toBe(p.length)
    }
    // where the packet does not say, nothing is cut
    expect(exactLength(new Uint8Array(10).fill(1))).toBe(10)
    const liar = mtprotoPacket(r, 2, true)
    new DataView(liar.buffer).setUint32(16, 1000, true) // claims more than there is
    expect(exactLength(liar)).toBe(liar.length)
  })

  it('sends 0..3 padding bytes, each length seen, so that `length mod 4` stripping (MTProxy, Telethon) gives the packet', () => {
    const r = prng(21)
    for (const role of ['client', 'server'] as const) {
      const enc = mk('padded', role)
      const seen = new Set<number>()
      for (let i = 0; i < 400; i++) {
        const p = mtprotoPacket(r, r.int(40), i % 2 === 0)
        const f = enc.frame(p)
        const len = new DataView(f.buffer, f.byteOffset).getUint32(0, true)
        const pad = len - p.length
        expect(pad).toBeGreaterThanOrEqual(0)
        expect(pad).toBeLessThan(4)
        expect(hex(f.subarray(4, 4 + len - (len % 4)))).toBe(hex(p))
        seen.add(pad)
      }
      expect([...seen].sort()).toEqual([0, 1, 2, 3])
    }
  })

  it('every framing, both directions, end to end with encryptMessage/decryptMessage and an unencrypted message', async () => {
    const { createAuthKey } = await import('../../src/crypto/authkey.js')
    const { decodeTl, encodeTl, mtprotoCodec } = await import('../../src/tl/index.js')
    const key = createAuthKey(crypto.randomBytes(256))
    const r = prng(12)
    for (const kind of KINDS) {
      for (const [from, to, x] of [['client', 'server', 0], ['server', 'client', 8]] as const) {
        const inners = Array.from({ length: 6 }, (_, i) => {
          const body = r.bytes(4 * (1 + r.int(i === 5 ? 1000 : 60)))
          const m = new Uint8Array(32 + body.length)
          m.set(r.bytes(24))
          new DataView(m.buffer).setUint32(28, body.length, true)
          m.set(body, 32)
          return m
        })
        const req = encodeTl(mtprotoCodec, { _: 'req_pq_multi', nonce: r.bytes(16) })
        const plain = new Uint8Array(20 + req.length)
        plain.set(r.bytes(8), 8)
        new DataView(plain.buffer).setUint32(16, req.length, true)
        plain.set(req, 20)
        const enc = mk(kind, from)
        const wire = concatAll([plain, ...inners.map((m) => crypto.encryptMessage(key, m, x))].map((p) => enc.frame(p)))
        const ev = decodeEveryWay(() => mkFeed(kind, to), wire, x + 1)
        expect(ev.length).toBe(inners.length + 1)
        const [first, ...rest] = ev.map((e) => (e as { data: Uint8Array }).data)
        expect(first).toEqual(plain)
        expect(decodeTl(mtprotoCodec, first.subarray(20))).toMatchObject({ _: 'req_pq_multi' })
        expect(rest.map((p) => crypto.decryptMessage(key, p, x))).toEqual(inners)
      }
    }
  })
})

describe('full framing checks', () => {
  it('detects a bad CRC and a bad seq_no', () => {
    const enc = mk('full', 'client')
    const a = enc.frame(new Uint8Array(16).fill(7))
    const bad = a.slice()
    bad[10] ^= 1
    const err = (code: string) => [{ type: 'error', error: expect.objectContaining({ code }) }]
    expect(mk('full', 'server').receive(bad)).toEqual(err('E_BAD_CRC'))
    const b = enc.frame(new Uint8Array(16)) // seq 1
    expect(mk('full', 'server').receive(b)).toEqual(err('E_BAD_SEQNO'))
  })

  it('matches the spec layout: len includes itself, seq from 0, CRC32 over len+seq+payload', () => {
    const w = mk('full', 'client').frame(new Uint8Array([1, 2, 3, 4]))
    expect(Array.from(w.subarray(0, 12))).toEqual([16, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
    // zlib crc32 of 10000000 00000000 01020304, computed independently by node:zlib
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return import('node:zlib').then((z) => {
      const want = (z as unknown as { crc32?: (b: Uint8Array) => number }).crc32
      if (want) expect(Buffer.from(w.subarray(12)).readUInt32LE(0)).toBe(want(w.subarray(0, 12)))
    })
  })
})

describe('abridged layout', () => {
  it('uses 1 byte below 127 words and 0x7f + 3 bytes LE above, MSB for quick ACK', () => {
    const c = mk('abridged', 'client')
    expect(Array.from(c.frame(new Uint8Array(8)).subarray(0, 1))).toEqual([2])
    expect(Array.from(c.frame({ type: 'packet', data: new Uint8Array(8), quickAck: true }).subarray(0, 1))).toEqual([0x82])
    expect(Array.from(c.frame(new Uint8Array(127 * 4)).subarray(0, 4))).toEqual([0x7f, 127, 0, 0])
    expect(Array.from(c.frame({ type: 'packet', data: new Uint8Array(127 * 4), quickAck: true }).subarray(0, 4))).toEqual([0xff, 127, 0, 0])
    // server answers quick ACKs bswapped: token 0x8badf00d as 8b ad f0 0d
    expect(Array.from(mk('abridged', 'server').frame({ type: 'quickAck', token: 0x8badf00d }))).toEqual([0x8b, 0xad, 0xf0, 0x0d])
    expect(Array.from(mk('intermediate', 'server').frame({ type: 'quickAck', token: 0x8badf00d }))).toEqual([0x0d, 0xf0, 0xad, 0x8b])
  })
})

describe('framings against independent encoders (GramJS, mtcute)', () => {
  it('GramJS AbridgedPacketCodec and FullPacketCodec produce exactly our bytes', async () => {
    const { createRequire } = await import('node:module')
    const require = createRequire(import.meta.url)
    require('telegram') // load the package root first: its connection modules import each other in a cycle
    const { AbridgedPacketCodec } = require('telegram/network/connection/TCPAbridged')
    const { FullPacketCodec } = require('telegram/network/connection/TCPFull')
    const r = prng(77)
    const ga = new AbridgedPacketCodec({})
    const gf = new FullPacketCodec({})
    const oa = mk('abridged', 'client')
    const of = mk('full', 'client')
    for (let i = 0; i < 50; i++) {
      const p = r.bytes(4 * (1 + r.int(i % 5 === 0 ? 3000 : 200)))
      expect(Buffer.from(oa.frame(p)).equals(ga.encodePacket(Buffer.from(p)))).toBe(true)
      expect(Buffer.from(of.frame(p)).equals(gf.encodePacket(Buffer.from(p)))).toBe(true)
    }
  })

  it('mtcute IntermediatePacketCodec and PaddedIntermediatePacketCodec output decodes in ours', async () => {
    const { Bytes } = await import('@fuman/io')
    const { IntermediatePacketCodec, PaddedIntermediatePacketCodec } = await import('@mtcute/core')
    const { mtcuteCrypto } = await import('./peers.js')
    const r = prng(78)
    const mi = new IntermediatePacketCodec()
    const mp = new PaddedIntermediatePacketCodec()
    mp.setup!(mtcuteCrypto())
    const oi = mk('intermediate', 'server')
    const op = mk('padded', 'server')
    const ref = mk('intermediate', 'client')
    for (let i = 0; i < 30; i++) {
      const p = mtprotoPacket(r, r.int(120), i % 3 === 0)
      const a = Bytes.alloc(0)
      mi.encode(p, a)
      expect(hex(a.result())).toBe(hex(ref.frame(p)))
      expect(oi.receive(a.result())).toEqual([{ type: 'packet', data: p, quickAck: false }])
      const b = Bytes.alloc(0)
      mp.encode(p, b)
      // its 0..15 padding bytes are stripped: the exact packet
      expect(op.receive(b.result())).toEqual([{ type: 'packet', data: p, quickAck: false }])
    }
  })

  it('full: a bare negative length from the server is its transport error (Telethon issue 4042)', () => {
    const b = new Uint8Array(12)
    new DataView(b.buffer).setInt32(0, -429, true)
    new DataView(b.buffer).setInt32(4, -429, true)
    new DataView(b.buffer).setInt32(8, -429, true)
    expect(mk('full', 'client').receive(b)).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'E_TRANSPORT_429', status: 429 }) }])
  })
})

describe('quick-ACK token', () => {
  it('is msg_key_large[0:4] as LE uint32 with the MSB set, and survives every framing round trip', async () => {
    const { quickAckToken } = await import('../../src/transport/framing.js')
    expect(quickAckToken(new Uint8Array([0x01, 0x02, 0x03, 0x04, 0xff]))).toBe(0x84030201)
    expect(quickAckToken(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(0xffffffff)
    expect(() => quickAckToken(new Uint8Array(3))).toThrow(TransportError)
    for (const kind of ['abridged', 'intermediate', 'padded'] as const) {
      const t = quickAckToken(crypto.randomBytes(32))
      expect(mk(kind, 'client').receive(mk(kind, 'server').frame({ type: 'quickAck', token: t }))).toEqual([{ type: 'quickAck', token: t }])
    }
  })
})

describe('memory held by announced lengths', () => {
  it('200 connections announcing 16 MiB packets and sending 100 bytes hold far less than 200 × 16 MiB', () => {
    const before = process.memoryUsage().arrayBuffers
    const decoders = []
    for (let i = 0; i < 200; i++) {
      const d = mk('intermediate', 'server')
      const h = new Uint8Array(104)
      new DataView(h.buffer).setUint32(0, 16 * 1024 * 1024 - 16, true)
      expect(d.receive(h)).toEqual([])
      decoders.push(d)
    }
    const held = process.memoryUsage().arrayBuffers - before
    expect(held).toBeLessThan(64 * 1024 * 1024) // 200 × 64 KiB initial buffers ≈ 13 MB
    expect(decoders.length).toBe(200)
  })
})
