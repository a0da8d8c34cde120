// `mtwire decode` and `mtwire gen-tl`, run in-process with console output captured.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runCommand } from '../../src/node/cli-args.js'
import { decodeCommand, genTlCommand } from '../../src/node/cli-tl.js'
import { encodeTl, mtprotoCodec, TlWriter, type RawMsg_container } from '../../src/tl/index.js'
import { samplesAuthKey as S, toHex } from '../vectors/samples-auth-key.js'

const require = createRequire(import.meta.url)
const dir = mkdtempSync(join(tmpdir(), 'mtwire-tl-'))

async function run(cmd: typeof decodeCommand, args: string[]) {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')))
  const code = await runCommand(cmd === decodeCommand ? 'decode' : 'gen-tl', cmd, args)
  return { code, out: out.join('\n'), err: err.join('\n') }
}
afterEach(() => vi.restoreAllMocks())

describe('mtwire decode', () => {
  it('prints an unencrypted resPQ message from hex', async () => {
    const { code, out } = await run(decodeCommand, [S.packets.resPQ])
    expect(code).toBe(0)
    expect(out).toContain('unencrypted message: auth_key_id 0')
    expect(out).toContain('resPQ {')
    expect(out).toContain(`  nonce: bytes(16) ${S.nonce.slice(0, 16)} ${S.nonce.slice(16)}`)
    expect(out).toMatch(/server_public_key_fingerprints: \[ -?\d+n, -?\d+n, -?\d+n \]/)
  })

  it('reads binary and hex files, nested containers indented', async () => {
    const c: RawMsg_container = { _: 'msg_container', messages: [{ _: 'message', msg_id: 5n, seqno: 1, body: { _: 'rpc_result', req_msg_id: 4n, result: { _: 'rpc_error', error_code: 400, error_message: 'BAD' } } }] }
    const bin = join(dir, 'c.bin')
    writeFileSync(bin, encodeTl(mtprotoCodec, c))
    const a = await run(decodeCommand, [bin])
    writeFileSync(join(dir, 'c.hex'), toHex(encodeTl(mtprotoCodec, c)) + '\n')
    const b = await run(decodeCommand, [join(dir, 'c.hex')])
    expect(a.out).toBe(b.out)
    expect(a.out).toBe(
      ['msg_container {', '  messages: [', '    message {', '      msg_id: 5n', '      seqno: 1', '      bytes: 24', '      body: rpc_result {', '        req_msg_id: 4n',
        '        result: rpc_error {', '          error_code: 400', '          error_message: "BAD"', '        }', '      }', '    }', '  ]', '}'].join('\n'),
    )
  })

  it('decodes API objects with --schema', async () => {
    const api = join(dir, 'api.tl')
    writeFileSync(api, require('telegram/tl/apiTl.js'))
    const w = new TlWriter(null)
    w.int(0xdde8a54c) // inputPeerUser#dde8a54c user_id:long access_hash:long
    w.long(777n)
    w.long(-1n)
    const { code, out } = await run(decodeCommand, [toHex(w.result()), '--schema', api])
    expect(code).toBe(0)
    expect(out).toBe('inputPeerUser {\n  user_id: 777n\n  access_hash: -1n\n}')
    const bad = await run(decodeCommand, [toHex(w.result())])
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('E_TL_UNKNOWN_CONSTRUCTOR')
  })

  it('reports truncated input with its offset', async () => {
    const { code, err } = await run(decodeCommand, [S.packets.resPQ.slice(0, 100)])
    expect(code).toBe(1)
    expect(err).toMatch(/E_TL_(TRUNCATED|LENGTH): .* \(at offset \d+\)/)
  })
})

describe('mtwire gen-tl', () => {
  it('writes TypeScript for a schema', async () => {
    const tl = join(dir, 'tiny.tl')
    writeFileSync(tl, 'point x:int y:int = Point;\n---functions---\ngetPoint id:long = Point;\n')
    const out = join(dir, 'tiny.ts')
    const { code, err } = await run(genTlCommand, [tl, '--out', out])
    expect(code).toBe(0)
    expect(err).toContain('1 constructors, 1 methods')
    const ts = readFileSync(out, 'utf8')
    expect(ts).toContain("from 'mtwire'")
    expect(ts).toContain('export interface RawPoint {')
    expect(ts).toContain('export const tinyCodec: TlCodec')
    expect(ts).toContain('m.set(0xe3fe70f4, r_point)') // CRC32 of "point x:int y:int = Point"
  })

  it('refuses a schema whose explicit id is wrong, naming the line', async () => {
    const tl = join(dir, 'bad.tl')
    writeFileSync(tl, 'a = A;\npoint#1 x:int y:int = Point;\n')
    await expect(runCommand('gen-tl', genTlCommand, [tl])).rejects.toThrow(/line 2, column 1/)
  })
})
