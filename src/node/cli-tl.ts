/**
 * `mtwire decode` and `mtwire gen-tl`: TL for protocol developers at the command line.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import {
  compileCodec, formatTl, generateTs, mergeCodecs, mtprotoCodec, parseSchema, secretCodec, TlReader, type TlCodec,
} from '../tl/index.js'
import { MtwireError } from '../errors.js'
import { type Command, usageError } from './cli-args.js'

const HEX = /^(0x)?[0-9a-fA-F\s:]*$/

/** A file (binary, or hex text) or a hex string given on the command line. */
function input(arg: string): Uint8Array {
  let text: string
  if (existsSync(arg)) {
    const raw = readFileSync(arg)
    const asText = raw.toString('latin1')
    if (!HEX.test(asText)) return new Uint8Array(raw)
    text = asText
  } else text = arg
  const clean = text.replace(/^0x/, '').replace(/[\s:]/g, '')
  if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length % 2) usageError(`not a file and not hex: ${arg.slice(0, 40)}`)
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16))
}

export const decodeCommand: Command = {
  summary: 'Decodes one boxed TL object with the MTProto service and secret-chat schemas (plus the given schema) and prints it as indented text.',
  usage: 'mtwire decode <hex | file> [--schema api.tl]',
  about: 'An unencrypted MTProto message (auth_key_id 0, msg_id, length, body) is recognized and its\nheader printed first. A file may hold binary TL or hex text.',
  options: [{ name: 'schema', value: 'FILE', help: 'a .tl schema whose types may appear (api.tl)' }],
  args: { min: 1, max: 1 },
  async run(a) {
    const pos = a.pos
    const schema = a.value('schema')
    const codecs: TlCodec[] = [secretCodec, mtprotoCodec]
    if (schema !== undefined) {
      const s = parseSchema(readFileSync(schema, 'utf8'))
      for (const w of s.warnings) console.error(`warning: ${schema}:${w.line}: ${w.message}`)
      codecs.push(compileCodec(s))
    }
    const data = input(pos[0])
    const r = new TlReader(mergeCodecs(...codecs), data)
    if (data.length >= 20 && data.subarray(0, 8).every((b) => b === 0)) {
      r.pos = 8
      const msgId = r.long()
      const len = r.int()
      console.log(`unencrypted message: auth_key_id 0, msg_id ${msgId}, length ${len}`)
    }
    try {
      console.log(formatTl(r.object()))
    } catch (e) {
      if (e instanceof MtwireError) {
        console.error(`${e.code}: ${e.message}`)
        return 1
      }
      throw e
    }
    if (r.pos < r.end) console.log(`(${r.end - r.pos} more bytes after the object)`)
    return 0
  },
}

export const genTlCommand: Command = {
  summary: 'Generates typed interfaces, readers and writers and a TlCodec (exported as <name>Codec) from a .tl schema.',
  usage: 'mtwire gen-tl <schema.tl> [--out file.ts] [--name api] [--import mtwire]',
  options: [
    { name: 'out', value: 'FILE', help: 'write the TypeScript there (default: stdout)' },
    { name: 'name', value: 'NAME', help: 'the codec is exported as <NAME>Codec (default: from the file name)' },
    { name: 'import', value: 'MODULE', help: 'where the generated code imports the TL runtime from (default: mtwire)' },
  ],
  args: { min: 1, max: 1 },
  async run(a) {
    const pos = a.pos
    const schema = parseSchema(readFileSync(pos[0], 'utf8'))
    for (const w of schema.warnings) console.error(`warning: ${pos[0]}:${w.line}: ${w.message}`)
    const name = a.value('name') ?? basename(pos[0]).replace(/\..*$/, '').replace(/\W/g, '_')
    const code = generateTs(schema, {
      name,
      runtimeImport: a.value('import') ?? 'mtwire',
      header: [`Source: ${basename(pos[0])}. Regenerate with: mtwire gen-tl ${basename(pos[0])} --name ${name}`],
    })
    const out = a.value('out')
    if (out !== undefined) {
      writeFileSync(out, code)
      console.error(`wrote ${out}: ${schema.constructors.length} constructors, ${schema.methods.length} methods`)
    } else process.stdout.write(code)
    return 0
  },
}
