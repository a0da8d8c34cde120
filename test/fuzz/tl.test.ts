/**
 * Fuzzing the TL decoder with the three codecs mtwire ships or compiles (MTProto service,
 * secret chats, the full api.tl of layer 198): random bytes, mutated valid objects and mutated
 * gzip_packed. Properties: only `TlError`s; within `maxObjects` whenever a decode succeeds;
 * memory bounded by the input, not by the counts and lengths it claims.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TlError } from '../../src/errors.js'
import { compileCodec, decodeTl, encodeTl, gzipPacked, mergeCodecs, mtprotoCodec, parseSchema, secretCodec, TlReader, TlWriter, ID_GZIP_PACKED, ID_VECTOR, type TlCodec } from '../../src/tl/index.js'
import { RandomValues, type Rng as TlRng } from '../tl/random.js'
import { fuzz, memoryBound, mutate, reportCounts, type Rng } from './harness.js'

reportCounts('tl')

const require = createRequire(import.meta.url)
const apiText = require('telegram/tl/apiTl.js') as string
const apiCodec = mergeCodecs(mtprotoCodec, compileCodec(apiText))

const schemas: [string, TlCodec, string][] = [
  ['mtproto', mtprotoCodec, readFileSync(join(__dirname, '../../src/tl/schema/mtproto.tl'), 'utf8')],
  ['secret', secretCodec, readFileSync(join(__dirname, '../../src/tl/schema/secret.tl'), 'utf8')],
  ['api (layer 198)', apiCodec, apiText],
]

/** Decodes with a random budget; only TlErrors; a success stays within the budget. */
function decodeOnly(codec: TlCodec, data: Uint8Array, r: Rng): void {
  const maxObjects = r.next() < 0.3 ? r.int(50) : undefined
  try {
    const v = decodeTl(codec, data, { maxGzipSize: 1 << 20, maxObjects, allowTrailing: r.next() < 0.3 })
    if (maxObjects !== undefined) {
      const reader = new TlReader(codec, data, { maxGzipSize: 1 << 20, maxObjects: 1 << 30 })
      reader.object()
      expect(reader.objectCount).toBeLessThanOrEqual(maxObjects)
    }
    void v
  } catch (e) {
    if (!(e instanceof TlError)) throw new Error(`not a TlError: ${String(e)} on ${Buffer.from(data).toString('hex').slice(0, 200)}`)
  }
}

describe('fuzz: TL decode', () => {
  for (const [name, codec, text] of schemas) {
    const ids = Object.values(codec.ids)
    let gen: RandomValues | undefined
    let all: ReturnType<RandomValues['byName']['get']>[] = []
    let current: Rng | undefined // the case's generator: a seed alone reproduces its object
    let encoded = 0

    fuzz(`${name}: random bytes`, 600, (r) => {
      const b = r.bytes(r.int(128))
      // half the time a real constructor id first, so its field readers run
      if (b.length >= 4 && r.next() < 0.5) new DataView(b.buffer).setUint32(0, ids[r.int(ids.length)], true)
      decodeOnly(codec, b, r)
    })

    fuzz(`${name}: mutated valid objects`, name.startsWith('api') ? 600 : 800, (r) => {
      current = r
      if (!gen) {
        const tlr: TlRng = () => current!.next()
        gen = new RandomValues(parseSchema(text), tlr, () => ({ _: 'ping', ping_id: 1n }) as { _: string })
        all = [...gen.byName.values()].filter((c) => c!.kind === 'constructor')
      }
      let bytes: Uint8Array
      try {
        bytes = encodeTl(codec, gen.object(all[r.int(all.length)]!) as never)
        encoded++
      } catch {
        return // a random value the writer refuses (e.g. an Object field's stand-in): not this target
      }
      if (r.next() < 0.2) bytes = gzipPacked(bytes, 0)
      decodeOnly(codec, mutate(r, bytes), r)
    })
    it(`${name}: most random objects encode (the mutations start from valid bytes)`, () => {
      expect(encoded).toBeGreaterThan(0.8 * (name.startsWith('api') ? 600 : 800))
    })
  }

  fuzz('gzip_packed of random and mutated data', 400, (r) => {
    const w = new TlWriter(null)
    w.int(ID_GZIP_PACKED)
    const inner = encodeTl(mtprotoCodec, { _: 'msgs_ack', msg_ids: Array.from({ length: r.int(50) }, (_, i) => BigInt(i)) })
    w.bytes(r.next() < 0.5 ? r.bytes(r.int(200)) : mutate(r, gzipPacked(inner, 0).subarray(8)))
    decodeOnly(mtprotoCodec, w.toBytes(), r)
  })

  memoryBound('decodes of hostile counts and lengths', 400, 1024, 16, (r, i, keep) => {
    const w = new TlWriter(null)
    if (i % 2) {
      w.int(mtprotoCodec.ids.msgs_ack)
      w.int(ID_VECTOR)
      w.int(0x7fffffff - r.int(1000)) // billions of longs claimed
    } else {
      w.int(mtprotoCodec.ids.rpc_error)
      w.int(1)
      w.int(0xfffffffe) // a 16 MiB string claimed
    }
    w.raw(r.bytes(r.int(64)))
    const data = w.toBytes()
    try {
      keep.push(decodeTl(mtprotoCodec, data))
    } catch (e) {
      expect(e).toBeInstanceOf(TlError)
      keep.push(e)
    }
    return data.length
  })
})
