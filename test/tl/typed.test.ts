/**
 * Typed TL. At compile time (this file is type-checked by `npm run typecheck`; each
 * `@ts-expect-error` must meet an error): encodeTl with a generated codec takes only its schema's
 * objects, decodeTl returns its schema's union. At run time: a field the constructor lacks is
 * E_TL_UNKNOWN_FIELD, never silently dropped. And `mtwire gen-tl` on the full Telegram api.tl
 * (layer 198, the `telegram` devDependency) gives code that compiles under `tsc --strict`, with
 * the same typing on a 2000-member union.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it, vi } from 'vitest'
import { runCommand } from '../../src/node/cli-args.js'
import { genTlCommand } from '../../src/node/cli-tl.js'
import {
  compileCodec, decodeTl, encodeTl, generateTs, mergeCodecs, mtprotoCodec, parseSchema, secretCodec, TlEncodeError,
  type MtprotoObject, type MtprotoRequest, type RawMsg_container, type TlObject,
} from '../../src/tl/index.js'

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

describe('typed encodeTl / decodeTl (compile-time checks in this file)', () => {
  it('takes only the schema: constructors, field names, field types', () => {
    encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n })
    // @ts-expect-error misspelled constructor
    expect(codeOf(() => encodeTl(mtprotoCodec, { _: 'pingg', ping_id: 1n }))).toBe('E_TL_UNKNOWN_CONSTRUCTOR')
    // @ts-expect-error misspelled field (an excess property of the discriminated member)
    expect(codeOf(() => encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n, pingid: 2n }))).toBe('E_TL_UNKNOWN_FIELD')
    // @ts-expect-error a long is a bigint
    expect(codeOf(() => encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1 }))).toBe('E_TL_ENCODE')
    // @ts-expect-error a required field missing
    expect(codeOf(() => encodeTl(mtprotoCodec, { _: 'ping' }))).toBe('E_TL_ENCODE')
    // @ts-expect-error a secret-chat constructor is not in the MTProto schema
    expect(codeOf(() => encodeTl(mtprotoCodec, { _: 'decryptedMessageActionNoop' }))).toBe('E_TL_UNKNOWN_CONSTRUCTOR')
    // a merged codec takes either schema
    encodeTl(mergeCodecs(mtprotoCodec, secretCodec), { _: 'decryptedMessageActionNoop' })
  })

  it('decodeTl returns the union, narrowed on `_`', () => {
    const o = decodeTl(mtprotoCodec, encodeTl(mtprotoCodec, { _: 'pong', msg_id: 5n, ping_id: 6n }))
    const union: MtprotoObject | MtprotoRequest = o
    // @ts-expect-error not every member has ping_id: narrow first
    expect(o.ping_id).toBe(6n)
    if (o._ !== 'pong') throw new Error(o._)
    const id: bigint = o.ping_id
    expect([id, union._]).toEqual([6n, 'pong'])
    // @ts-expect-error the union's members only
    const wrong: { _: 'pong'; extra: number } = o
    expect(wrong).toBe(o)
  })

  it('a codec compiled at run time takes and gives TlObjects', () => {
    const codec = compileCodec('point x:int y:int = Point;')
    const p = decodeTl(codec, encodeTl(codec, { _: 'point', x: 1, y: 2 }))
    const t: TlObject = p
    expect(t).toEqual({ _: 'point', x: 1, y: 2 })
    // @ts-expect-error a TlObject needs its constructor name
    expect(codeOf(() => encodeTl(codec, { x: 1 }))).toBe('E_TL_UNKNOWN_CONSTRUCTOR')
  })
})

describe('unknown fields at run time', () => {
  const cases: [string, () => unknown][] = [
    ['top level', () => encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n, pingId: 1n } as never)],
    ['an optional field misspelled', () => encodeTl(secretCodec, { _: 'decryptedMessage', random_id: 1n, ttl: 0, message: 'hi', entites: [] } as never)],
    ['a flags field given by hand', () => encodeTl(secretCodec, { _: 'decryptedMessage', flags: 0, random_id: 1n, ttl: 0, message: 'hi' } as never)],
    ['a nested object', () => encodeTl(mtprotoCodec, { _: 'msg_container', messages: [{ _: 'message', msg_id: 1n, seqno: 1, body: { _: 'ping', ping_id: 1n, x: 0 } }] } satisfies RawMsg_container)],
    ['a key whose value is undefined', () => encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n, pingId: undefined } as never)],
    ['a compiled codec', () => encodeTl(compileCodec('point x:int y:int = Point;'), { _: 'point', x: 1, y: 2, z: 3 })],
  ]
  for (const [name, f] of cases) {
    it(`${name}: E_TL_UNKNOWN_FIELD`, () => {
      expect(f).toThrow(TlEncodeError)
      expect(codeOf(f)).toBe('E_TL_UNKNOWN_FIELD')
    })
  }

  it('names the constructor and the field, and explains flags', () => {
    expect(cases[0][1]).toThrow('ping has no field "pingId"')
    expect(cases[2][1]).toThrow(/decryptedMessage has no field "flags" \(flags:# fields are computed/)
  })

  it('a Bool or Vector at the top is not an object of the schema', () => {
    expect(codeOf(() => decodeTl(mtprotoCodec, new Uint8Array([0xb5, 0x75, 0x72, 0x99])))).toBe('E_TL_NOT_OBJECT')
    expect(codeOf(() => decodeTl(mtprotoCodec, new Uint8Array([0x15, 0xc4, 0xb5, 0x1c, 0, 0, 0, 0])))).toBe('E_TL_NOT_OBJECT')
  })
})

describe('gen-tl on the full Telegram api.tl', () => {
  it('compiles under tsc --strict, and is typed as the MTProto codec is', async () => {
    const require = createRequire(import.meta.url)
    const API_TL: string = require('telegram/tl/apiTl.js')
    const dir = mkdtempSync(join(tmpdir(), 'mtwire-api-'))
    try {
      expect(require('telegram/tl/AllTLObjects.js').LAYER).toBeGreaterThanOrEqual(198)
      // as a user runs it: `mtwire gen-tl api.tl --out api.ts` (importing its types from 'mtwire')
      writeFileSync(join(dir, 'api.tl'), API_TL)
      const err = vi.spyOn(console, 'error').mockImplementation(() => {})
      expect(await runCommand('gen-tl', genTlCommand, [join(dir, 'api.tl'), '--out', join(dir, 'api.ts')])).toBe(0)
      err.mockRestore()
      const code = readFileSync(join(dir, 'api.ts'), 'utf8')
      expect(code).toContain("from 'mtwire'")
      expect(generateTs(parseSchema(API_TL), { name: 'api', runtimeImport: 'mtwire', header: code.split('\n')[0].slice(3).split('\n') })).toBe(code) // deterministic
      writeFileSync(
        join(dir, 'use.ts'),
        [
          "import { decodeTl, encodeTl } from 'mtwire'",
          "import { apiCodec, type RawInputPeerUser } from './api.js'",
          "const peer: RawInputPeerUser = { _: 'inputPeerUser', user_id: 1n, access_hash: 2n }",
          "const bytes = encodeTl(apiCodec, { _: 'messages.getHistory', peer, offset_id: 0, offset_date: 0, add_offset: 0, limit: 10, max_id: 0, min_id: 0, hash: 0n })",
          '// @ts-expect-error misspelled constructor',
          "encodeTl(apiCodec, { _: 'inputPeerUsr', user_id: 1n, access_hash: 2n })",
          '// @ts-expect-error misspelled field',
          "encodeTl(apiCodec, { _: 'inputPeerUser', user_id: 1n, acces_hash: 2n })",
          'const o = decodeTl(apiCodec, bytes)',
          "if (o._ === 'messages.getHistory') { const n: number = o.limit; void n }",
          '// @ts-expect-error narrow first',
          'void o.limit',
          '',
        ].join('\n'),
      )
      const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..')
      const program = ts.createProgram([join(dir, 'api.ts'), join(dir, 'use.ts')], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: [],
        lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
        paths: { mtwire: [join(root, 'src/index.ts')] },
      })
      const errors = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file ? `${d.file.fileName.replace(dir, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : ''
        return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 200)}`
      })
      expect(errors).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
