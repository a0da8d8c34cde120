// The schema parser on the full api.tl shipped by the `telegram` devDependency (GramJS keeps
// it as a template string in telegram/tl/apiTl.js), on our .tl files, and on broken input.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { compileCodec, decodeTl, encodeTl, generateTs, normalize, parseSchema, TlReader, TlSchemaError, TlWriter, uniqueNames } from '../../src/tl/index.js'
import { crc32 } from '../../src/crypto/crc32.js'
import { RandomValues, rng } from './random.js'

const require = createRequire(import.meta.url)
const API_TL: string = require('telegram/tl/apiTl.js')
const GRAMJS_MTPROTO_TL: string = require('telegram/tl/schemaTl.js')

const schemaError = (text: string): TlSchemaError => {
  try {
    parseSchema(text)
  } catch (e) {
    expect(e).toBeInstanceOf(TlSchemaError)
    return e as TlSchemaError
  }
  throw new Error('parsed')
}

describe('api.tl (telegram devDependency)', () => {
  const schema = parseSchema(API_TL, { allowIdMismatch: [] })

  it('parses all of it', () => {
    const lines = API_TL.split('\n').filter((l) => /^\w[\w.]*#[0-9a-f]+ /.test(l) && !/^(boolFalse|boolTrue|true|vector)#/.test(l))
    expect(schema.constructors.length + schema.methods.length).toBe(lines.length)
    expect(schema.constructors.length).toBeGreaterThan(1000)
    expect(schema.methods.length).toBeGreaterThan(500)
    expect(schema.builtins).toEqual(['boolFalse', 'boolTrue', 'true', 'vector'])
  })

  it('CRC32 of every normalized declaration equals its explicit id', () => {
    let checked = 0
    for (const c of [...schema.constructors, ...schema.methods]) {
      expect(c.explicitId, c.name).toBeDefined()
      expect(c.computedId, c.name).toBe(c.explicitId)
      checked++
    }
    expect(checked).toBeGreaterThan(2000)
    expect(schema.warnings).toEqual([])
  })

  it('compiles to a codec where every combinator round-trips with random values', () => {
    const codec = compileCodec(schema)
    const gen = new RandomValues(schema, rng(7), () => ({ _: 'help.getConfig' }))
    for (const c of uniqueNames(schema)) {
      for (let i = 0; i < 3; i++) {
        const obj = gen.object(c)
        const bytes = encodeTl(codec, obj as any)
        expect(decodeTl(codec, bytes), c.name).toEqual(obj)
      }
    }
  })
})

describe('generated TypeScript for api.tl', () => {
  it('has an interface per combinator, a union per type, the method map and typed result readers', () => {
    const schema = parseSchema(API_TL)
    const ts = generateTs(schema, { name: 'api', runtimeImport: 'mtwire' })
    expect(ts).toContain('export interface RawInputPeerUser {\n  _: "inputPeerUser"\n  user_id: bigint\n  access_hash: bigint\n}')
    expect(ts).toContain('export type TypeInputPeer = RawInputPeerEmpty | RawInputPeerSelf | RawInputPeerChat | RawInputPeerUser')
    expect(ts).toMatch(/ {2}"messages.getHistory": \{ params: RawMessages_getHistoryRequest; result: TypeMessages_Messages \}/)
    expect(ts).toContain("from 'mtwire'")
    for (const c of uniqueNames(schema)) expect(ts.includes(`  ${/^[A-Za-z_$][\w$]*$/.test(c.name) ? c.name : JSON.stringify(c.name)}: 0x`), c.name).toBe(true)
  })

  it('method results of primitive vectors decode through codec.results', () => {
    const codec = compileCodec(API_TL)
    // contacts.getContactIDs returns Vector<int>, photos.deletePhotos Vector<long>
    const w = new TlWriter(null)
    w.ints([5, 6, 7])
    expect(codec.results!['contacts.getContactIDs'](new TlReader(codec, w.result()))).toEqual([5, 6, 7])
    const l = new TlWriter(null)
    l.longs([1n, -2n])
    expect(codec.results!['photos.deletePhotos'](new TlReader(codec, l.result()))).toEqual([1n, -2n])
  })
})

describe('mtproto.tl', () => {
  it("GramJS's copy parses; its known exceptions are warnings", () => {
    const s = parseSchema(GRAMJS_MTPROTO_TL)
    expect(s.warnings.map((w) => w.message.split(':')[0])).toEqual(['ipPortSecret', 'accessPointRule', 'help.configSimple'])
    expect(() => parseSchema(GRAMJS_MTPROTO_TL, { allowIdMismatch: [] })).toThrow(TlSchemaError)
  })

  it('normalizes as core.telegram.org/mtproto/TL-abstract-types describes', () => {
    const s = parseSchema('vector {t:Type} # [ t ] = Vector t;\n' + 'foo#0 {X:Type} flags:# a:flags.0?true b:flags.1?bytes c:Vector<bytes> q:!X = X;', { allowIdMismatch: ['foo'] })
    const c = s.methods[0] ?? s.constructors[0]
    const text = normalize(c.name, c.generics, c.params, c.result)
    expect(text).toBe('foo X:Type flags:# b:flags.1?string c:Vector bytes q:!X = X')
    expect(c.computedId).toBe(crc32(new TextEncoder().encode(text)))
    expect(s.warnings).toHaveLength(1)
  })
})

describe('the language', () => {
  it('sections, layers, comments, several flag fields, multi-line declarations', () => {
    const s = parseSchema(`
// LAYER 42
/* a block
   comment */
a#00000001 = A; // trailing
b flags:# x:flags.0?int flags2:# y:flags2.31?long
  z:flags.3?true = B;
===7===
c v:vector<%A> w:Vector<b> = C;
---functions---
f {X:Type} q:!X = X;
---types---
d = D;
`, { allowIdMismatch: ['a'] })
    expect(s.layer).toBe(7)
    expect(s.constructors.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd'])
    expect(s.methods.map((c) => c.name)).toEqual(['f'])
    expect(s.constructors[2].layer).toBe(7)
    expect(s.constructors[1].params.map((p) => p.flag)).toEqual([undefined, { field: 'flags', bit: 0 }, undefined, { field: 'flags2', bit: 31 }, { field: 'flags', bit: 3 }])
    expect(s.constructors[2].params.map((p) => p.type)).toEqual([
      { kind: 'vector', boxed: false, of: { kind: 'bare', name: 'A' } },
      { kind: 'vector', boxed: true, of: { kind: 'bare', name: 'b' } },
    ])
    const codec = compileCodec(s)
    const v: any = { _: 'b', x: 5, y: -1n, z: true }
    expect(decodeTl(codec, encodeTl(codec, v))).toEqual(v)
    expect(decodeTl(codec, encodeTl(codec, { _: 'b', z: false }))).toEqual({ _: 'b', x: undefined, y: undefined, z: false })
  })

  it('a `// LAYER N` comment sets the layer', () => {
    expect(parseSchema('// LAYER 198\nx = X;').layer).toBe(198)
  })

  it('errors give line and column', () => {
    let e = schemaError('a = A;\nb x:int\n  y:Vector<> = B;')
    expect([e.line, e.column, e.code]).toEqual([3, 3, 'E_TL_SCHEMA'])
    e = schemaError('a = A;\n  b flags.0?int = B;')
    expect([e.line, e.column]).toEqual([2, 5])
    e = schemaError('x a:flags.0?int = X;')
    expect(e.message).toContain("'flags' is not an earlier '#' field")
    e = schemaError('x flags:# a:flags.32?int = X;')
    expect(e.message).toContain('out of range')
    e = schemaError('x a:int')
    expect(e.message).toContain("not terminated by ';'")
    e = schemaError('x a:int;')
    expect(e.message).toContain("missing '='")
    e = schemaError('ping#7abe77ed ping_id:long = Pong;')
    expect(e.code).toBe('E_TL_ID_MISMATCH')
    expect(e.line).toBe(1)
    e = schemaError('x#1 q:!Y = X;')
    expect(e.message).toContain('generic')
    e = schemaError('x a:int a:int = X;')
    expect(e.message).toContain('duplicate')
    e = schemaError('/* never closed')
    expect(e.message).toContain('unterminated')
  })
})
