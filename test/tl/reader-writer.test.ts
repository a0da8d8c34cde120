// The binary primitives of core.telegram.org/mtproto/serialize: layout, limits, errors.
import { describe, expect, it } from 'vitest'
import { TlError } from '../../src/errors.js'
import { TlDecodeError, TlReader, TlWriter, mtprotoCodec, decodeTl, encodeTl, type RawMsg_container } from '../../src/tl/index.js'
import { hex, toHex } from '../vectors/samples-auth-key.js'

const w = () => new TlWriter(null, 16)
const decodeErr = (f: () => unknown): TlDecodeError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(TlDecodeError)
    return e as TlDecodeError
  }
  throw new Error('did not throw')
}

describe('primitives', () => {
  it('int, long, double are little-endian', () => {
    const x = w()
    x.int(-2)
    x.uint(0xfffffffe)
    x.long(-(1n << 63n))
    x.long((1n << 64n) - 1n) // unsigned range accepted, read back as signed
    x.double(1.5)
    expect(toHex(x.result())).toBe('feffffff' + 'feffffff' + '0000000000000080' + 'ffffffffffffffff' + '000000000000f83f')
    const r = new TlReader(null, x.result())
    expect([r.int(), r.uint(), r.long(), r.long(), r.double()]).toEqual([-2, 0xfffffffe, -(1n << 63n), -1n, 1.5])
    expect(r.remaining).toBe(0)
  })

  it('rejects values that do not fit', () => {
    for (const [f, v] of [['int', 2 ** 32], ['int', 1.5], ['int', '1'], ['long', 1n << 64n], ['long', 5], ['double', 1n], ['int128', new Uint8Array(15)], ['bytes', 'x'], ['bool', 1]] as const) {
      const x = w() as any
      expect(() => x[f](v), `${f}(${String(v)})`).toThrow(TlError)
    }
  })

  it('bytes: 1-byte prefix up to 253, 4-byte prefix from 254, padded to 4', () => {
    for (const len of [0, 1, 2, 3, 4, 253, 254, 255, 1000, 70000]) {
      const data = Uint8Array.from({ length: len }, (_, i) => i * 7)
      const x = w()
      x.bytes(data)
      const out = x.result()
      const head = len < 254 ? 1 : 4
      expect(out.length).toBe(Math.ceil((head + len) / 4) * 4)
      if (len < 254) expect(out[0]).toBe(len)
      else expect([...out.subarray(0, 4)]).toEqual([254, len & 255, (len >> 8) & 255, len >> 16])
      expect(out.subarray(head + len).every((b) => b === 0)).toBe(true)
      const r = new TlReader(null, out)
      const back = r.bytes()
      expect(Buffer.compare(back, data)).toBe(0)
      expect(back.buffer).toBe(out.buffer) // zero-copy view
      expect(r.remaining).toBe(0)
    }
  })

  it('strings are UTF-8 (short, long, non-ASCII, astral)', () => {
    for (const s of ['', 'a', 'héllo', '日本語テキスト', '😀 emoji', 'x'.repeat(300), 'ü'.repeat(200), '\u{1F600}'.repeat(100)]) {
      const x = w()
      x.string(s)
      expect(x.result().length % 4).toBe(0)
      expect(new TlReader(null, x.result()).string()).toBe(s)
      expect(new TlReader(null, x.result()).bytes()).toEqual(new TextEncoder().encode(s))
    }
  })

  it('Bool and its errors', () => {
    const x = w()
    x.bool(true)
    x.bool(false)
    expect(toHex(x.result())).toBe('b5757299' + '379779bc')
    const r = new TlReader(null, x.result())
    expect([r.bool(), r.bool()]).toEqual([true, false])
    expect(decodeErr(() => new TlReader(null, hex('01000000')).bool()).code).toBe('E_TL_BAD_BOOL')
  })

  it('boxed and bare vectors', () => {
    const x = w()
    x.vector((ww, v: bigint) => ww.long(v), [1n, 2n])
    x.bareVector((ww, v: number) => ww.int(v), [7])
    expect(toHex(x.result())).toBe('15c4b51c' + '02000000' + '0100000000000000' + '0200000000000000' + '01000000' + '07000000')
    const r = new TlReader(null, x.result())
    expect(r.vector((rr) => rr.long(), 8)).toEqual([1n, 2n])
    expect(r.bareVector((rr) => rr.int(), r.count(4))).toEqual([7])
  })
})

describe('writer buffers', () => {
  it('grows by doubling from a tiny start', () => {
    const x = new TlWriter(null, 1)
    const caps = new Set<number>()
    for (let i = 0; i < 10000; i++) {
      x.int(i)
      caps.add(x.buf.length)
    }
    expect(x.pos).toBe(40000)
    expect(caps.size).toBeLessThan(16) // log2 growth, not one copy per write
    expect(new TlReader(null, x.result(), undefined, 4 * 9999).int()).toBe(9999)
  })

  it('encodeTlInto writes an object at an offset of a caller\'s buffer', async () => {
    const { encodeTlInto } = await import('../../src/tl/index.js')
    const frame = new Uint8Array(64).fill(0xaa)
    const n = encodeTlInto(mtprotoCodec, { _: 'ping', ping_id: 3n }, frame, 8)
    expect(n).toBe(12)
    expect(toHex(frame.subarray(0, 24))).toBe('aa'.repeat(8) + 'ec77be7a' + '0300000000000000' + 'aa'.repeat(4))
    expect(() => encodeTlInto(mtprotoCodec, { _: 'ping', ping_id: 3n }, frame, 56)).toThrow(TlError)
  })

  it("writes into a caller's buffer, and fails cleanly when it is full", () => {
    const mine = new Uint8Array(12)
    const x = new TlWriter(null, mine)
    x.int(1)
    x.long(2n)
    expect(x.buf).toBe(mine)
    expect(toHex(mine)).toBe('01000000' + '0200000000000000')
    let err: unknown
    try {
      x.int(3)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TlError)
    expect((err as TlError).code).toBe('E_TL_OVERFLOW')
    const sub = new Uint8Array(32).subarray(8, 16) // a view with an offset
    const y = new TlWriter(null, sub)
    y.long(-1n)
    expect(toHex(sub)).toBe('ffffffffffffffff')
  })
})

describe('bad input', () => {
  it('truncated buffers give E_TL_TRUNCATED with the offset', () => {
    const e = decodeErr(() => {
      const r = new TlReader(null, hex('0100000002'))
      r.int()
      r.int()
    })
    expect(e.code).toBe('E_TL_TRUNCATED')
    expect(e.offset).toBe(4)
  })

  it('a length prefix beyond the buffer gives E_TL_LENGTH, before any allocation', () => {
    expect(decodeErr(() => new TlReader(null, hex('05616263')).bytes()).code).toBe('E_TL_LENGTH')
    expect(decodeErr(() => new TlReader(null, hex('feffffff')).bytes()).code).toBe('E_TL_LENGTH')
    expect(decodeErr(() => new TlReader(null, hex('ff000000')).bytes()).code).toBe('E_TL_LENGTH')
    // within the buffer but past a sub-reader's end
    const r = new TlReader(null, hex('0461626300000000'), undefined, 0, 4)
    expect(decodeErr(() => r.bytes()).code).toBe('E_TL_LENGTH')
  })

  it('an absurd vector count gives E_TL_VECTOR_COUNT', () => {
    const e = decodeErr(() => decodeTl(mtprotoCodec, hex('59b4d662' + '15c4b51c' + 'ffffff7f' + '00000000')))
    expect(e.code).toBe('E_TL_VECTOR_COUNT')
    expect(e.offset).toBe(8)
  })

  it('an unknown constructor gives E_TL_UNKNOWN_CONSTRUCTOR', () => {
    const e = decodeErr(() => decodeTl(mtprotoCodec, hex('efbeadde')))
    expect(e.code).toBe('E_TL_UNKNOWN_CONSTRUCTOR')
    expect(e.message).toContain('0xdeadbeef')
  })

  it('nesting too deep gives E_TL_DEPTH', () => {
    // msg_copy#e06046b2 orig_message:Message, where message's body is again a msg_copy... the
    // simplest deep chain in mtproto.tl is jsonArray[jsonArray[...]]
    let inner = hex('687b6d3f') // jsonNull
    for (let i = 0; i < 100; i++) {
      const x = new TlWriter(null)
      x.int(0xf7444763)
      x.int(0x1cb5c415)
      x.int(1)
      x.raw(inner)
      inner = x.toBytes()
    }
    expect(decodeErr(() => decodeTl(mtprotoCodec, inner)).code).toBe('E_TL_DEPTH')
    expect(() => decodeTl(mtprotoCodec, inner, { maxDepth: 500 })).not.toThrow()
  })

  it('trailing bytes are refused unless allowed', () => {
    const ping = encodeTl(mtprotoCodec, { _: 'ping', ping_id: 5n } as any)
    const more = new Uint8Array([...ping, 0, 0, 0, 0])
    expect(decodeErr(() => decodeTl(mtprotoCodec, more)).code).toBe('E_TL_TRAILING')
    expect(decodeTl(mtprotoCodec, more, { allowTrailing: true })).toEqual({ _: 'ping', ping_id: 5n })
  })

  it('encoding an unknown constructor or a bad field value throws TlError', () => {
    // @ts-expect-error not a constructor of the schema: does not compile, and throws from JavaScript
    expect(() => encodeTl(mtprotoCodec, { _: 'nope' })).toThrow(TlError)
    expect(() => encodeTl(mtprotoCodec, { _: 'ping', ping_id: 5 } as any)).toThrow(TlError)
    expect(() => encodeTl(mtprotoCodec, { _: 'req_pq_multi', nonce: new Uint8Array(8) } as any)).toThrow(TlError)
  })
})

describe('messages and containers', () => {
  it('msg_container of messages, with a computed bytes field and bodies of any type', () => {
    const c: RawMsg_container = {
      _: 'msg_container',
      messages: [
        { _: 'message', msg_id: 1n, seqno: 1, body: { _: 'ping', ping_id: 9n } },
        { _: 'message', msg_id: 2n, seqno: 3, body: { _: 'msgs_ack', msg_ids: [1n, 2n] } },
        { _: 'message', msg_id: 3n, seqno: 5, body: { _: 'rpc_result', req_msg_id: 7n, result: { _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_3' } } },
      ],
    }
    const b = encodeTl(mtprotoCodec, c)
    expect(toHex(b.subarray(0, 24))).toBe('dcf8f173' + '03000000' + '0100000000000000' + '01000000' + '0c000000')
    const o = decodeTl(mtprotoCodec, b)
    if (o._ !== 'msg_container') throw new Error(o._)
    expect(o.messages.map((m) => m.bytes)).toEqual([12, 28, 36])
    for (const m of o.messages) delete m.bytes
    expect(o).toEqual(c)
  })

  it('a message whose bytes disagree with its body is refused', () => {
    const b = encodeTl(mtprotoCodec, { _: 'msg_container', messages: [{ _: 'message', msg_id: 1n, seqno: 1, body: { _: 'ping', ping_id: 9n } }] } as any)
    const bad = b.slice()
    bad[20] = 16 // bytes: 12 -> 16 (past the end)
    expect(decodeErr(() => decodeTl(mtprotoCodec, bad)).code).toBe('E_TL_LENGTH')
    const bad2 = new Uint8Array([...b, 0, 0, 0, 0])
    bad2[20] = 16 // the body is 12 bytes, 4 left unread inside the message
    expect(decodeErr(() => decodeTl(mtprotoCodec, bad2)).code).toBe('E_TL_LENGTH')
  })

  it('rpc_result with a result of a type the codec cannot know keeps the raw bytes', () => {
    // rpc_result for a method returning Vector<long>
    const x = new TlWriter(mtprotoCodec)
    x.int(0xf35c6d01)
    x.long(77n)
    x.vector((ww, v: bigint) => ww.long(v), [5n, 6n])
    const o = decodeTl(mtprotoCodec, x.result())
    if (o._ !== 'rpc_result' || !(o.result instanceof Uint8Array)) throw new Error('expected an rpc_result with raw bytes')
    expect(o.req_msg_id).toBe(77n)
    expect(new TlReader(mtprotoCodec, o.result).vector((r) => r.long(), 8)).toEqual([5n, 6n])
    // the codec's result readers decode it by method
    expect(mtprotoCodec.results!.invokeAfterMsgs).toBeTypeOf('function')
  })

  it('generic !X queries nest requests, and take pre-serialized bytes', () => {
    const inner = { _: 'ping', ping_id: 1n }
    const req = { _: 'invokeWithLayer', layer: 198, query: { _: 'invokeWithoutUpdates', query: inner } }
    const b = encodeTl(mtprotoCodec, req as any)
    expect(decodeTl(mtprotoCodec, b)).toEqual(req)
    const pre = encodeTl(mtprotoCodec, { _: 'invokeWithLayer', layer: 198, query: encodeTl(mtprotoCodec, { _: 'invokeWithoutUpdates', query: inner } as any) } as any)
    expect(pre).toEqual(b)
  })

  it('initConnection flags follow the optional fields', () => {
    const base = { _: 'initConnection', api_id: 1, device_model: 'd', system_version: 's', app_version: 'a', system_lang_code: 'en', lang_pack: '', lang_code: 'en', query: { _: 'ping', ping_id: 1n } }
    const plain = encodeTl(mtprotoCodec, base as any)
    expect(toHex(plain.subarray(4, 8))).toBe('00000000')
    const withProxy = { ...base, proxy: { _: 'inputClientProxy', address: 'h', port: 443 }, params: { _: 'jsonObject', value: [{ _: 'jsonObjectValue', key: 'k', value: { _: 'jsonBool', value: true } }] } }
    const b = encodeTl(mtprotoCodec, withProxy as any)
    expect(toHex(b.subarray(4, 8))).toBe('03000000')
    expect(decodeTl(mtprotoCodec, b)).toEqual(withProxy)
    expect(decodeTl(mtprotoCodec, plain)).toEqual({ ...base, proxy: undefined, params: undefined })
  })
})

describe('UTF-8', () => {
  it('short strings decode exactly as TextDecoder does, malformed ones included', async () => {
    const { utf8Decode } = await import('../../src/tl/utf8.js')
    const td = new TextDecoder()
    const { rng } = await import('./random.js')
    const r = rng(99)
    const pieces = [[0x41], [0xc3, 0xa9], [0xe6, 0x97, 0xa5], [0xf0, 0x9f, 0x98, 0x80], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe6, 0x97], [0xff], [0x7f]]
    for (let n = 0; n < 20000; n++) {
      const bytes: number[] = []
      const k = Math.floor(r() * 12)
      for (let j = 0; j < k; j++) bytes.push(...(r() < 0.2 ? [Math.floor(r() * 256)] : pieces[Math.floor(r() * pieces.length)]))
      const u = Uint8Array.from(bytes)
      expect(utf8Decode(u, 0, u.length)).toBe(td.decode(u))
    }
  })
})

describe('strings, encoded', () => {
  // the reference: TL string = length prefix (1 byte below 254, else 254 + 3 bytes), UTF-8 as
  // TextEncoder makes it (lone surrogates as U+FFFD), zero padding to a multiple of 4
  const reference = (s: string): Uint8Array => {
    const u = new TextEncoder().encode(s)
    const head = u.length < 254 ? [u.length] : [254, u.length & 255, (u.length >> 8) & 255, u.length >> 16]
    const out = new Uint8Array((head.length + u.length + 3) & ~3)
    out.set(head)
    out.set(u, head.length)
    return out
  }
  const pieces = ['a', 'Z', '~', 'é', 'ж', '日', '😀', '\ud800', '\udfff', '\u0000', '\u07ff', '\u0800', '\uffff']
  const make = (r: () => number, units: number, only?: string): string => {
    let s = ''
    while (s.length < units) s += only ?? pieces[Math.floor(r() * pieces.length)]
    return s.slice(0, units) // may cut a pair in half: a lone surrogate, as a caller may pass
  }

  it('match TextEncoder at every length around the short/long switch and the 254-byte prefix', async () => {
    const { rng } = await import('./random.js')
    const r = rng(7)
    const lengths = [...Array(100).keys(), 126, 127, 128, 252, 253, 254, 255, 256, 1000, 65535, 65536, 100_000]
    for (const n of lengths) {
      for (const only of ['a', 'ж', '😀', undefined]) {
        const s = make(r, n, only)
        // a growing writer from a tiny start, one that starts large, and a caller's buffer of exactly the size
        const want = reference(s)
        for (const x of [new TlWriter(null, 16), new TlWriter(null, 1 << 20)]) {
          x.int(7)
          x.string(s)
          expect(toHex(x.result().subarray(4)), `${n} units of ${only ?? 'a mix'}`).toBe(toHex(want))
        }
        const exact = new TlWriter(null, new Uint8Array(want.length))
        exact.string(s)
        expect(exact.pos).toBe(want.length)
        expect(toHex(exact.result())).toBe(toHex(want))
        // and it reads back (lone surrogates read back as U+FFFD)
        expect(new TlReader(null, want).string()).toBe(new TextDecoder().decode(new TextEncoder().encode(s)))
      }
    }
  })

  it("a long string that does not fit a caller's buffer is E_TL_OVERFLOW, with nothing written past it", () => {
    for (const s of ['a'.repeat(100), 'ж'.repeat(100), '😀'.repeat(100), 'a'.repeat(300)]) {
      const need = reference(s).length
      for (const room of [need - 1, need - 3, need - 4, Math.floor(need / 2)]) {
        const target = new Uint8Array(room + 8).fill(0xee)
        const x = new TlWriter(null, target.subarray(0, room))
        expect(() => x.string(s)).toThrow(expect.objectContaining({ code: 'E_TL_OVERFLOW' }))
        expect(x.pos).toBe(0)
        expect([...target.subarray(room)].every((b) => b === 0xee)).toBe(true)
      }
    }
  })

  it('a string over the TL limit (2^24 - 1 bytes) is E_TL_ENCODE, before a huge allocation', () => {
    const x = new TlWriter(null, 16)
    expect(() => x.string('a'.repeat(0x1000000))).toThrow(expect.objectContaining({ code: 'E_TL_ENCODE' }))
    expect(() => x.string('ж'.repeat(0x800000))).toThrow(expect.objectContaining({ code: 'E_TL_ENCODE' }))
    expect(x.pos).toBe(0)
    x.string('a'.repeat(0xffffff)) // the largest that fits
    expect(x.pos).toBe(0x1000000 + 4 - 1 + 1)
  })
})
