// gzip_packed: transparent on read, bounded, and used on write only when it saves space.
import { randomBytes } from 'node:crypto'
import { gunzipSync, gzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { TlError } from '../../src/errors.js'
import { decodeTl, encodeTl, gunzipBounded, gzipPacked, mtprotoCodec, TlReader, TlWriter, ID_GZIP_PACKED, type RawFuture_salts } from '../../src/tl/index.js'

const packed = (inner: Uint8Array, level = 6) => {
  const w = new TlWriter(null)
  w.int(ID_GZIP_PACKED)
  w.bytes(gzipSync(inner, { level: level as 6 }))
  return w.toBytes()
}
const codeOf = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(TlError)
    return (e as TlError).code
  }
  return 'no error'
}

describe('gzip_packed', () => {
  const salts: RawFuture_salts = {
    _: 'future_salts',
    req_msg_id: 1n,
    now: 2,
    salts: Array.from({ length: 64 }, (_, i) => ({ _: 'future_salt', valid_since: i, valid_until: i + 1, salt: 7n })),
  }

  it('is inflated transparently, at the top and inside rpc_result', () => {
    const inner = encodeTl(mtprotoCodec, salts)
    expect(decodeTl(mtprotoCodec, packed(inner))).toEqual(salts)
    const w = new TlWriter(mtprotoCodec)
    w.int(0xf35c6d01)
    w.long(99n)
    w.raw(packed(inner))
    expect(decodeTl(mtprotoCodec, w.result())).toEqual({ _: 'rpc_result', req_msg_id: 99n, result: salts })
  })

  it('rpc_result with a gzipped vector of primitives gives the inflated raw bytes', () => {
    const v = new TlWriter(null)
    v.longs(Array.from({ length: 100 }, (_, i) => BigInt(i)))
    const w = new TlWriter(mtprotoCodec)
    w.int(0xf35c6d01)
    w.long(5n)
    w.raw(packed(v.result()))
    const o = decodeTl(mtprotoCodec, w.result())
    if (o._ !== 'rpc_result' || !(o.result instanceof Uint8Array)) throw new Error('expected an rpc_result with raw bytes')
    expect(o.result).toEqual(v.result())
    expect(new TlReader(mtprotoCodec, o.result).longs()).toHaveLength(100)
  })

  it('is used on write only when it is smaller', () => {
    const inner = encodeTl(mtprotoCodec, salts)
    const out = gzipPacked(inner)
    expect(out.length).toBeLessThan(inner.length)
    expect(new TlReader(null, out).uint()).toBe(ID_GZIP_PACKED)
    expect(decodeTl(mtprotoCodec, out)).toEqual(salts)
    const small = encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n })
    expect(gzipPacked(small)).toBe(small)
    const random = new Uint8Array(randomBytes(4096))
    expect(gzipPacked(random)).toBe(random) // incompressible: sent as is
    expect(gunzipSync(gzip6(inner))).toEqual(inner)
  })

  it('stops a decompression bomb at the bound, without inflating it all', () => {
    // 20 MiB of zeros squeezes into ~20 KiB
    const bomb = gzipSync(new Uint8Array(20 << 20), { level: 6 })
    expect(bomb.length).toBeLessThan(40_000)
    expect(codeOf(() => gunzipBounded(bomb, 1 << 20))).toBe('E_TL_GZIP_TOO_LARGE')
    const w = new TlWriter(null)
    w.int(ID_GZIP_PACKED)
    w.bytes(bomb)
    expect(codeOf(() => decodeTl(mtprotoCodec, w.result(), { maxGzipSize: 1 << 20 }))).toBe('E_TL_GZIP_TOO_LARGE')
    expect(codeOf(() => decodeTl(mtprotoCodec, w.result()))).toBe('E_TL_GZIP_TOO_LARGE') // default 16 MiB
  })

  it('the bound is shared by nested gzip_packed', () => {
    const inner = encodeTl(mtprotoCodec, salts) // 1300+ bytes
    const twice = packed(packed(inner))
    expect(decodeTl(mtprotoCodec, twice)).toEqual(salts)
    expect(codeOf(() => decodeTl(mtprotoCodec, twice, { maxGzipSize: inner.length + 10 }))).toBe('E_TL_GZIP_TOO_LARGE')
  })

  it('malformed or truncated gzip gives E_TL_GZIP with the offset', () => {
    const good = packed(encodeTl(mtprotoCodec, salts))
    const cut = new TlWriter(null)
    cut.int(ID_GZIP_PACKED)
    cut.bytes(gzip6(encodeTl(mtprotoCodec, salts)).subarray(0, 40))
    expect(codeOf(() => decodeTl(mtprotoCodec, cut.result()))).toBe('E_TL_GZIP')
    const junk = good.slice()
    junk.fill(0x41, 12, 40)
    expect(['E_TL_GZIP', 'E_TL_TRUNCATED', 'E_TL_UNKNOWN_CONSTRUCTOR']).toContain(codeOf(() => decodeTl(mtprotoCodec, junk)))
    const empty = new TlWriter(null)
    empty.int(ID_GZIP_PACKED)
    empty.bytes(new Uint8Array(0))
    expect(codeOf(() => decodeTl(mtprotoCodec, empty.result()))).toBe('E_TL_GZIP')
  })
})

function gzip6(b: Uint8Array) {
  return gzipSync(b, { level: 6 })
}
