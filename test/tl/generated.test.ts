// The committed generated code is what the committed .tl files give, and every generated
// type survives encode -> decode with random values.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILTIN_SCHEMAS, renderBuiltin } from '../../src/tl/builtin-schemas.js'
import { decodeTl, encodeTl, mtprotoCodec, parseSchema, secretCodec, uniqueNames, type TlCodec } from '../../src/tl/index.js'
import { RandomValues, rng } from './random.js'

const root = join(__dirname, '../..')
const read = (p: string) => readFileSync(join(root, p), 'utf8')

/** `message.bytes` is filled in by decoding; drop it to compare with what was encoded */
function dropComputed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropComputed)
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (!((v as any)._ === 'message' && k === 'bytes')) o[k] = dropComputed(x)
    return o
  }
  return v
}

describe('generated code', () => {
  for (const b of BUILTIN_SCHEMAS) {
    it(`${b.out} is what ${b.tl} generates (run: node scripts/tl-gen.mjs)`, () => {
      expect(renderBuiltin(b, read(b.tl)) === read(b.out)).toBe(true)
    })
  }

  const cases: [string, TlCodec, string][] = [
    ['mtproto', mtprotoCodec, 'src/tl/schema/mtproto.tl'],
    ['secret', secretCodec, 'src/tl/schema/secret.tl'],
  ]
  for (const [name, codec, tl] of cases) {
    it(`every ${name} combinator round-trips with random values`, () => {
      const schema = parseSchema(read(tl))
      const all = uniqueNames(schema)
      const gen = new RandomValues(schema, rng(0x5eed + name.length), () => ({ _: 'ping', ping_id: 42n }))
      let n = 0
      for (const c of all) {
        // gzip_packed is inflated on read, never returned as such: test/tl/gzip.test.ts covers it
        if (c.name === 'gzip_packed') {
          n += 10
          continue
        }
        for (let i = 0; i < 10; i++) {
          const obj = gen.object(c)
          const bytes = encodeTl(codec, obj as any)
          const back = decodeTl(codec, bytes)
          expect(dropComputed(back), c.name).toEqual(obj)
          expect(encodeTl(codec, back)).toEqual(bytes)
          n++
        }
      }
      expect(n).toBe(all.length * 10)
      // every constructor and method has a reader, a writer and its id
      for (const c of all) {
        expect(codec.ids[c.name]).toBe(c.id)
        expect(codec.readers.get(c.id)).toBeTypeOf('function')
      }
    })
  }

  it('secret layers keep every version: the newest under the plain name', () => {
    expect(secretCodec.ids.decryptedMessage).toBe(0x91cc4674)
    expect(secretCodec.ids.decryptedMessage_layer8).toBe(0x1f814f1f)
    expect(secretCodec.ids.decryptedMessage_layer17).toBe(0x204d3878)
    expect(secretCodec.ids.decryptedMessage_layer45).toBe(0x36b091de)
    for (const a of ['decryptedMessageActionRequestKey', 'decryptedMessageActionAcceptKey', 'decryptedMessageActionAbortKey', 'decryptedMessageActionCommitKey', 'decryptedMessageActionNoop', 'decryptedMessageLayer']) {
      expect(secretCodec.ids[a], a).toBeTypeOf('number')
    }
    const layer = {
      _: 'decryptedMessageLayer',
      random_bytes: new Uint8Array(15).fill(1),
      layer: 144,
      in_seq_no: 2,
      out_seq_no: 3,
      message: { _: 'decryptedMessageService', random_id: 7n, action: { _: 'decryptedMessageActionRequestKey', exchange_id: 9n, g_a: new Uint8Array(256).fill(5) } },
    }
    expect(decodeTl(secretCodec, encodeTl(secretCodec, layer as any))).toEqual(layer)
  })
})
