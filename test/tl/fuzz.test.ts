// The reader and the gzip path on random and mutated input: only TlError, no hang, bounded memory.
import { gzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { TlError } from '../../src/errors.js'
import { compileCodec, decodeTl, encodeTl, gzipPacked, mtprotoCodec, parseSchema, secretCodec, TlWriter, ID_GZIP_PACKED, type TlCodec, type RawFuture_salts } from '../../src/tl/index.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RandomValues, rng, type Rng } from './random.js'

function onlyTlErrors(codec: TlCodec, input: Uint8Array): void {
  try {
    decodeTl(codec, input, { maxGzipSize: 4 << 20 })
  } catch (e) {
    if (!(e instanceof TlError)) throw new Error(`non-TlError on ${Buffer.from(input).toString('hex').slice(0, 200)}: ${String(e)}`)
  }
}

function mutate(r: Rng, b: Uint8Array): Uint8Array {
  const out = b.slice()
  switch (Math.floor(r() * 5)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n && out.length; i++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8)
      return out
    case 1: // truncate
      return out.subarray(0, Math.floor(r() * out.length))
    case 2: // a big number somewhere (counts, lengths)
      if (out.length >= 4) new DataView(out.buffer).setUint32(Math.floor(r() * (out.length - 3)), [0xffffffff, 0x7fffffff, 0x00fffffe, 0x1000][Math.floor(r() * 4)], true)
      return out
    case 3: // 0xfe length prefix
      if (out.length) out[Math.floor(r() * out.length)] = 0xfe
      return out
    default: // splice random bytes in
      return Uint8Array.from([...out.subarray(0, out.length >> 1), ...Array.from({ length: 8 }, () => (r() * 256) | 0), ...out.subarray(out.length >> 1)])
  }
}

describe('fuzz', () => {
  const r = rng(0xf00d)

  it('random bytes', () => {
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from({ length: Math.floor(r() * 64) }, () => (r() * 256) | 0)
      // half the time start with a real id so the field readers run
      if (b.length >= 4 && r() < 0.5) {
        const ids = Object.values(mtprotoCodec.ids)
        new DataView(b.buffer).setUint32(0, ids[Math.floor(r() * ids.length)], true)
      }
      onlyTlErrors(mtprotoCodec, b)
    }
  })

  for (const [name, codec, tl] of [['mtproto', mtprotoCodec, 'mtproto'], ['secret', secretCodec, 'secret']] as const) {
    it(`mutated valid ${name} objects`, () => {
      const schema = parseSchema(readFileSync(join(__dirname, `../../src/tl/schema/${tl}.tl`), 'utf8'))
      const gen = new RandomValues(schema, r, () => ({ _: 'ping', ping_id: 1n }))
      const all = [...gen.byName.values()]
      for (let i = 0; i < 3000; i++) {
        const obj = gen.object(all[Math.floor(r() * all.length)])
        const b = encodeTl(codec, obj as any)
        onlyTlErrors(codec, mutate(r, b))
      }
    })
  }

  it('mutated gzip_packed, and gzip_packed of random data', () => {
    const salts: RawFuture_salts = { _: 'future_salts', req_msg_id: 1n, now: 2, salts: Array.from({ length: 40 }, (_, i) => ({ _: 'future_salt', valid_since: i, valid_until: i, salt: 3n })) }
    const good = gzipPacked(encodeTl(mtprotoCodec, salts))
    expect(decodeTl(mtprotoCodec, good)).toEqual(salts)
    for (let i = 0; i < 1500; i++) onlyTlErrors(mtprotoCodec, mutate(r, good))
    for (let i = 0; i < 300; i++) {
      const w = new TlWriter(null)
      w.int(ID_GZIP_PACKED)
      const junk = Uint8Array.from({ length: Math.floor(r() * 200) }, () => (r() * 256) | 0)
      w.bytes(r() < 0.5 ? junk : gzipSync(junk))
      onlyTlErrors(mtprotoCodec, w.result())
    }
  })

  it('memory stays bounded on hostile counts and lengths', () => {
    const before = process.memoryUsage().rss
    const w = new TlWriter(null)
    for (let i = 0; i < 2000; i++) {
      w.reset()
      w.int(0x62d6b459) // msgs_ack
      w.int(0x1cb5c415)
      w.int(0x7fffffff - i) // count claims billions of longs
      onlyTlErrors(mtprotoCodec, w.toBytes())
      w.reset()
      w.int(0x2144ca19) // rpc_error error_code:int error_message:string
      w.int(1)
      w.int(0xfffffffe) // string length prefix 0xffffff
      onlyTlErrors(mtprotoCodec, w.toBytes())
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20)
  })
})

describe('schema parser fuzz', () => {
  it('mutated declarations parse and compile, or raise TlError; never crash', async () => {
    const { createRequire } = await import('node:module')
    const lines: string[] = (createRequire(import.meta.url)('telegram/tl/apiTl.js') as string).split('\n').filter((l) => l.includes('#'))
    const r = rng(0xabc)
    const junk = ['{', '}', '<', '>', '?', '!', '#', ':', '.', '=', ';', ' ', '%', '[', ']', '\n', '//', '/*', 'flags.40?', 'Vector<', '---functions---', '===3===']
    for (let i = 0; i < 4000; i++) {
      let text = lines[Math.floor(r() * lines.length)] + '\n' + lines[Math.floor(r() * lines.length)]
      for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) {
        const at = Math.floor(r() * text.length)
        const cut = Math.floor(r() * 4)
        text = text.slice(0, at) + junk[Math.floor(r() * junk.length)] + text.slice(at + cut)
      }
      try {
        // what parses must also generate valid code (names are validated, nothing is injected)
        compileCodec(parseSchema(text))
      } catch (e) {
        if (!(e instanceof TlError)) throw new Error(`non-TlError for ${JSON.stringify(text)}: ${String(e)}`)
      }
    }
  })
})
