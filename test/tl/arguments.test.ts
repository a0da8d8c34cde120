/** Every public TL entry point checks its arguments: a typed `TlError` with a stable code, never a TypeError. */
import { describe, expect, it } from 'vitest'
import { TlError } from '../../src/errors.js'
import { constructorName, decodeTl, encodeTl, encodeTlInto, gunzipBounded, gzip, gzipPacked, mergeCodecs, mtprotoCodec, TlReader } from '../../src/tl/index.js'

const typed = (f: () => unknown, code: string) => {
  let e: unknown
  try {
    f()
  } catch (x) {
    e = x
  }
  expect(e).toBeInstanceOf(TlError)
  expect((e as TlError).code).toBe(code)
}
const ping = encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n })

describe('TL arguments', () => {
  it('decodeTl: data that is not a Uint8Array, a missing codec, bad options (the issue\'s cases)', () => {
    for (const data of ['abcd', new ArrayBuffer(12), [0xec, 0x77, 0xbe, 0x7a], null, undefined, 5, {}]) typed(() => decodeTl(mtprotoCodec, data as never), 'E_TYPE')
    // a missing codec was reported as an unknown constructor
    for (const codec of [null, undefined, {}, 'mtproto', { readers: {}, writers: {}, ids: {} }]) typed(() => decodeTl(codec as never, ping), 'E_TYPE')
    for (const options of [null, 5, 'x']) typed(() => decodeTl(mtprotoCodec, ping, options as never), 'E_OPTION')
    for (const o of [{ maxDepth: -1 }, { maxGzipSize: 1.5 }, { maxObjects: NaN }, { maxObjects: '9' }]) typed(() => decodeTl(mtprotoCodec, ping, o as never), 'E_OPTION')
    // a Node Buffer is a Uint8Array
    expect(decodeTl(mtprotoCodec, Buffer.from(ping))).toEqual({ _: 'ping', ping_id: 1n })
  })

  it('encodeTl, encodeTlInto, gzipPacked, gzip, gunzipBounded, mergeCodecs, constructorName, TlReader', () => {
    for (const obj of [null, undefined, 'ping', 5]) typed(() => encodeTl(mtprotoCodec, obj as never), 'E_TYPE')
    for (const obj of [{}, { _: 5 }]) typed(() => encodeTl(mtprotoCodec, obj as never), 'E_TL_UNKNOWN_CONSTRUCTOR')
    typed(() => encodeTl(null as never, { _: 'ping', ping_id: 1n } as never), 'E_TYPE')
    typed(() => encodeTlInto(mtprotoCodec, { _: 'ping', ping_id: 1n }, [] as never), 'E_TYPE')
    typed(() => encodeTlInto(mtprotoCodec, { _: 'ping', ping_id: 1n }, new Uint8Array(64), -1), 'E_OPTION')
    typed(() => encodeTlInto(mtprotoCodec, { _: 'ping', ping_id: 1n }, new Uint8Array(64), 65), 'E_OPTION')
    typed(() => gzipPacked('x' as never), 'E_TYPE')
    typed(() => gzipPacked(ping, NaN), 'E_OPTION')
    typed(() => gzip(null as never), 'E_TYPE')
    typed(() => gunzipBounded([1, 2] as never, 10), 'E_TYPE')
    typed(() => gunzipBounded(gzip(ping), -1), 'E_OPTION')
    typed(() => mergeCodecs(mtprotoCodec, null as never), 'E_TYPE')
    typed(() => constructorName(null as never, 1), 'E_TYPE')
    typed(() => constructorName(mtprotoCodec, 'x' as never), 'E_TYPE')
    typed(() => new TlReader(mtprotoCodec, 'x' as never), 'E_TYPE')
    typed(() => new TlReader(5 as never, ping), 'E_TYPE')
    typed(() => new TlReader(null, ping, undefined, 8, 4), 'E_OPTION')
    const r = new TlReader(mtprotoCodec, ping)
    typed(() => r.bareVector((x) => x.int(), 1e12), 'E_TL_VECTOR_COUNT')
    // a reader with no codec reads primitives
    expect(new TlReader(null, ping).uint()).toBe(mtprotoCodec.ids.ping >>> 0)
  })
})
