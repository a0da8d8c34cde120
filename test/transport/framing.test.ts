import { describe, expect, it } from 'vitest'
import { TransportError } from '../../src/errors.js'
import { createFraming, type FrameEvent, type FramingKind } from '../../src/transport/framing.js'
import { TransportStatusError } from '../../src/transport/errors.js'
import { chunks, concatAll, hex, prng, seededCrypto } from './helpers.js'

const KINDS: FramingKind[] = ['abridged', 'intermediate', 'padded', 'full']
const crypto = seededCrypto(1)
const mk = (kind: FramingKind, role: 'client' | 'server', max?: number) =>
  createFraming(kind, { role, randomBytes: (n) => crypto.randomBytes(n), maxPacketLength: max })

function feed(dec: { decode(c: Uint8Array): FrameEvent[] }, parts: Uint8Array[]): FrameEvent[] {
  const out: FrameEvent[] = []
  for (const p of parts) out.push(...dec.decode(p))
  return out
}

describe.each(KINDS)('%s framing', (kind) => {
  it('round-trips random packets in random chunkings, both directions', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = prng(seed)
      for (const [from, to] of [['client', 'server'], ['server', 'client']] as const) {
        const enc = mk(kind, from)
        const dec = mk(kind, to)
        const packets: Uint8Array[] = []
        const acks: boolean[] = []
        for (let i = 0; i < 12; i++) {
          // lengths around the abridged 1-byte/4-byte boundary (127 words) and larger
          // MTProto packets are at least 24 bytes; shorter ones from a server are control packets
          // (a 4-byte error code; padded: quick ACKs), tested separately
          const words = r.next() < 0.3 ? 125 + r.int(5) : 6 + r.int(r.next() < 0.1 ? 5000 : 300)
          packets.push(r.bytes(words * 4))
          acks.push(from === 'client' && kind !== 'full' && r.next() < 0.5)
        }
        const wire = concatAll(packets.map((p, i) => enc.encode(p, acks[i])))
        const events = feed(dec, chunks(wire, r, seed % 2 ? 7 : 3000))
        expect(events.length).toBe(packets.length)
        events.forEach((e, i) => {
          expect(e.type).toBe('packet')
          if (e.type !== 'packet') return
          if (kind === 'padded') {
            // padded intermediate: the payload keeps its 0..15 padding bytes (the MTProto layer ignores them)
            expect(e.data.length - packets[i].length).toBeGreaterThanOrEqual(0)
            expect(e.data.length - packets[i].length).toBeLessThan(16)
            expect(e.data.subarray(0, packets[i].length)).toEqual(packets[i])
          } else {
            expect(e.data).toEqual(packets[i])
          }
          expect(e.quickAck).toBe(to === 'server' ? acks[i] : false)
        })
      }
    }
  })

  it('one byte at a time', () => {
    const r = prng(99)
    const enc = mk(kind, 'server')
    const dec = mk(kind, 'client')
    const p = [r.bytes(24), r.bytes(4 * 127), r.bytes(4 * 200)]
    const wire = concatAll(p.map((x) => enc.encode(x)))
    const out: FrameEvent[] = []
    for (let i = 0; i < wire.length; i++) out.push(...dec.decode(wire.subarray(i, i + 1)))
    expect(out.length).toBe(p.length)
    // padded keeps its trailing padding: compare the prefix
    out.forEach((e, i) => expect(e.type === 'packet' && e.data.subarray(0, p[i].length)).toEqual(p[i]))
  })

  if (kind !== 'full') {
    it('quick ACK tokens from the server reach the client between packets', () => {
      const r = prng(5)
      const server = mk(kind, 'server')
      const client = mk(kind, 'client')
      const tokens = [0x80000000, 0xffffffff, 0x8badf00d, 0xc0000001]
      const parts: Uint8Array[] = []
      for (const t of tokens) parts.push(server.encodeQuickAck(t), server.encode(r.bytes(40)))
      const ev = feed(client, chunks(concatAll(parts), r, 5))
      expect(ev.filter((e) => e.type === 'quickAck').map((e) => (e as { token: number }).token)).toEqual(tokens)
      expect(ev.filter((e) => e.type === 'packet').length).toBe(tokens.length)
    })
  } else {
    it('has no quick ACK', () => {
      expect(() => mk(kind, 'server').encodeQuickAck(0x80000001)).toThrow(TransportError)
    })
  }

  it.each([404, 429, 444, 500])('transport error -%d surfaces as a typed TransportError', (status) => {
    const server = mk(kind, 'server')
    const client = mk(kind, 'client')
    const wire = concatAll([server.encode(new Uint8Array(8).fill(1)), server.encodeError(status)])
    let caught: unknown
    const got: FrameEvent[] = []
    try {
      for (const c of chunks(wire, prng(status), 3)) got.push(...client.decode(c))
    } catch (e) {
      caught = e
    }
    expect(got.length).toBe(1)
    expect(caught).toBeInstanceOf(TransportStatusError)
    expect((caught as TransportStatusError).status).toBe(status)
    expect((caught as TransportError).code).toBe(status === 500 ? 'E_TRANSPORT_STATUS' : `E_TRANSPORT_${status}`)
    // a failed decoder stays failed
    expect(() => client.decode(new Uint8Array(1))).toThrow(TransportError)
  })

  it('rejects an oversized length right after the header, before allocating', () => {
    const dec = mk(kind, 'server', 1024)
    const enc = mk(kind, 'client', 1 << 20)
    const wire = enc.encode(new Uint8Array(2048))
    const headerLen = kind === 'abridged' ? 4 : kind === 'full' ? 8 : 4
    let err: unknown
    try {
      dec.decode(wire.subarray(0, headerLen)) // only the header: the check must fire here
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('E_PACKET_TOO_LONG')
    expect(() => enc.encode(new Uint8Array((1 << 20) + 4))).toThrow(/exceeds/)
  })

  it('default limit is 16 MiB: a 2 GiB claim is refused from its header alone', () => {
    const dec = mk(kind, 'server')
    const h = kind === 'abridged' ? [0x7f, 0xff, 0xff, 0xff] : kind === 'full' ? [0xf0, 0xff, 0xff, 0x7f, 0, 0, 0, 0] : [0xf0, 0xff, 0xff, 0x7f]
    expect(() => dec.decode(new Uint8Array(h))).toThrow(expect.objectContaining({ code: 'E_PACKET_TOO_LONG' }))
  })

  it('fuzz: random and mutated streams raise only TransportError, never hang or over-allocate', () => {
    const max = 1 << 16
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed * 7919)
      const role = seed % 2 ? 'client' : 'server'
      let wire: Uint8Array
      if (seed % 3 === 0) {
        wire = r.bytes(r.int(4000))
      } else {
        const enc = mk(kind, role === 'client' ? 'server' : 'client', max)
        wire = concatAll(Array.from({ length: 1 + r.int(6) }, () => enc.encode(r.bytes(4 * (1 + r.int(200))))))
        for (let k = 0; k < 1 + r.int(4); k++) wire[r.int(wire.length)] ^= 1 << r.int(8)
        if (r.next() < 0.3) wire = wire.subarray(0, r.int(wire.length))
      }
      const dec = mk(kind, role, max)
      try {
        for (const c of chunks(wire, r, 300)) {
          for (const e of dec.decode(c)) if (e.type === 'packet') expect(e.data.length).toBeLessThanOrEqual(max)
        }
      } catch (e) {
        expect(e).toBeInstanceOf(TransportError)
      }
    }
  })
})

describe('full framing checks', () => {
  it('detects a bad CRC and a bad seq_no', () => {
    const enc = mk('full', 'client')
    const a = enc.encode(new Uint8Array(16).fill(7))
    const bad = a.slice()
    bad[10] ^= 1
    expect(() => mk('full', 'server').decode(bad)).toThrow(expect.objectContaining({ code: 'E_BAD_CRC' }))
    const b = enc.encode(new Uint8Array(16)) // seq 1
    expect(() => mk('full', 'server').decode(b)).toThrow(expect.objectContaining({ code: 'E_BAD_SEQNO' }))
  })

  it('matches the spec layout: len includes itself, seq from 0, CRC32 over len+seq+payload', () => {
    const w = mk('full', 'client').encode(new Uint8Array([1, 2, 3, 4]))
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
    expect(Array.from(c.encode(new Uint8Array(8)).subarray(0, 1))).toEqual([2])
    expect(Array.from(c.encode(new Uint8Array(8), true).subarray(0, 1))).toEqual([0x82])
    expect(Array.from(c.encode(new Uint8Array(127 * 4)).subarray(0, 4))).toEqual([0x7f, 127, 0, 0])
    expect(Array.from(c.encode(new Uint8Array(127 * 4), true).subarray(0, 4))).toEqual([0xff, 127, 0, 0])
    // server answers quick ACKs bswapped: token 0x8badf00d as 8b ad f0 0d
    expect(Array.from(mk('abridged', 'server').encodeQuickAck(0x8badf00d))).toEqual([0x8b, 0xad, 0xf0, 0x0d])
    expect(Array.from(mk('intermediate', 'server').encodeQuickAck(0x8badf00d))).toEqual([0x0d, 0xf0, 0xad, 0x8b])
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
      expect(Buffer.from(oa.encode(p)).equals(ga.encodePacket(Buffer.from(p)))).toBe(true)
      expect(Buffer.from(of.encode(p)).equals(gf.encodePacket(Buffer.from(p)))).toBe(true)
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
      const p = r.bytes(4 * (6 + r.int(500)))
      const a = Bytes.alloc(0)
      mi.encode(p, a)
      expect(hex(a.result())).toBe(hex(ref.encode(p)))
      expect(oi.decode(a.result())).toEqual([{ type: 'packet', data: p, quickAck: false }])
      const b = Bytes.alloc(0)
      mp.encode(p, b)
      const ev = op.decode(b.result())
      expect(ev.length).toBe(1)
      expect(ev[0].type === 'packet' && hex(ev[0].data.subarray(0, p.length))).toBe(hex(p))
    }
  })

  it('full: a bare negative length from the server is its transport error (Telethon issue 4042)', () => {
    const b = new Uint8Array(12)
    new DataView(b.buffer).setInt32(0, -429, true)
    new DataView(b.buffer).setInt32(4, -429, true)
    new DataView(b.buffer).setInt32(8, -429, true)
    expect(() => mk('full', 'client').decode(b)).toThrow(expect.objectContaining({ code: 'E_TRANSPORT_429' }))
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
      expect(mk(kind, 'client').decode(mk(kind, 'server').encodeQuickAck(t))).toEqual([{ type: 'quickAck', token: t }])
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
      expect(d.decode(h)).toEqual([])
      decoders.push(d)
    }
    const held = process.memoryUsage().arrayBuffers - before
    expect(held).toBeLessThan(64 * 1024 * 1024) // 200 × 64 KiB initial buffers ≈ 13 MB
    expect(decoders.length).toBe(200)
  })
})
