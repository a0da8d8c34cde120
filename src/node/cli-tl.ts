/**
 * `mtwire decode` and `mtwire gen-tl`: TL for protocol developers at the command line.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import {
  compileCodec, formatTl, generateTs, mergeCodecs, mtprotoCodec, parseSchema, secretCodec, TlReader, type TlCodec,
} from '../tl/index.js'
import { MtwireError } from '../errors.js'

type Command = { summary: string; run(args: string[]): Promise<number> }

/** `--name value` options and positional arguments. */
function parseArgs(args: string[], flags: string[]): { pos: string[]; opt: Record<string, string | true> } {
  const pos: string[] = []
  const opt: Record<string, string | true> = {}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a.startsWith('--')) {
      const k = a.slice(2)
      if (flags.includes(k)) opt[k] = true
      else if (i + 1 < args.length) opt[k] = args[++i]
      else throw new MtwireError('E_USAGE', `--${k} needs a value`)
    } else pos.push(a)
  }
  return { pos, opt }
}

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
  if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length % 2) throw new MtwireError('E_USAGE', `not a file and not hex: ${arg.slice(0, 40)}`)
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16))
}

export const decodeCommand: Command = {
  summary: 'decode <hex | file> [--schema api.tl]: print a TL object as indented text',
  async run(args) {
    const { pos, opt } = parseArgs(args, [])
    if (pos.length !== 1) {
      console.log('usage: mtwire decode <hex | file> [--schema api.tl]\n\n' +
        'Decodes one boxed TL object with the MTProto service and secret-chat schemas (plus the\n' +
        'given schema). An unencrypted MTProto message (auth_key_id 0, msg_id, length, body) is\n' +
        'recognized and its header printed first.')
      return pos.length === 0 ? 0 : 2
    }
    const codecs: TlCodec[] = [secretCodec, mtprotoCodec]
    if (typeof opt.schema === 'string') {
      const s = parseSchema(readFileSync(opt.schema, 'utf8'))
      for (const w of s.warnings) console.error(`warning: ${opt.schema}:${w.line}: ${w.message}`)
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
  summary: 'gen-tl <schema.tl> [--out file.ts] [--name api] [--import mtwire]: generate TypeScript',
  async run(args) {
    const { pos, opt } = parseArgs(args, [])
    if (pos.length !== 1) {
      console.log('usage: mtwire gen-tl <schema.tl> [--out file.ts] [--name api] [--import mtwire]\n\n' +
        'Generates typed interfaces, readers and writers and a TlCodec (exported as <name>Codec).')
      return pos.length === 0 ? 0 : 2
    }
    const schema = parseSchema(readFileSync(pos[0], 'utf8'))
    for (const w of schema.warnings) console.error(`warning: ${pos[0]}:${w.line}: ${w.message}`)
    const name = typeof opt.name === 'string' ? opt.name : basename(pos[0]).replace(/\..*$/, '').replace(/\W/g, '_')
    const code = generateTs(schema, {
      name,
      runtimeImport: typeof opt.import === 'string' ? opt.import : 'mtwire',
      header: [`Source: ${basename(pos[0])}. Regenerate with: mtwire gen-tl ${basename(pos[0])} --name ${name}`],
    })
    if (typeof opt.out === 'string') {
      writeFileSync(opt.out, code)
      console.error(`wrote ${opt.out}: ${schema.constructors.length} constructors, ${schema.methods.length} methods`)
    } else process.stdout.write(code)
    return 0
  },
}
