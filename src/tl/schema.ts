/**
 * The TL schema language as Telegram uses it (core.telegram.org/mtproto/TL, TL-formal,
 * TL-combinators): one combinator per declaration, `//` and block comments,
 * `---functions---` / `---types---`, explicit `#id`s, `{X:Type}` generics with `!X`,
 * `flags:#` fields with `flags.N?T` conditional fields, `Vector<T>` / `vector<%T>`, and
 * layer markers (`// LAYER 198` in api.tl, `===8===` sections in the end-to-end schema).
 *
 * Ids are computed as CRC32 of the normalized declaration (see `normalize`) and checked
 * against explicit ids. Built-in declarations (`int ? = Int;`, `vector {t:Type} # [ t ] = Vector t;`)
 * are recognized and kept apart from the combinators that need code.
 */
import { crc32 } from '../crypto/crc32.js'
import { TlSchemaError } from './errors.js'

export type TlPrimitive = 'int' | 'long' | 'double' | 'int128' | 'int256' | 'bytes' | 'string' | 'Bool' | 'true' | '#'

export type TlType =
  | { kind: 'prim'; name: TlPrimitive }
  /** `Vector<T>` (boxed: id + count) or `vector<T>` (bare: count) */
  | { kind: 'vector'; boxed: boolean; of: TlType }
  /** `X` or `!X` where `{X:Type}` is a generic of the combinator: any boxed object */
  | { kind: 'generic'; name: string; bang: boolean }
  /** `Object`: any boxed object */
  | { kind: 'object' }
  /** a type name (`InputPeer`, `help.ConfigSimple`): a boxed object of that type */
  | { kind: 'boxed'; name: string }
  /** `%Type` or a constructor name (`future_salt`): that constructor's fields, no id */
  | { kind: 'bare'; name: string }

export interface TlParam {
  name: string
  type: TlType
  /** The type as written (without the flag condition). */
  text: string
  /** `flags.3?T`: present when bit 3 of field `flags` is set. */
  flag?: { field: string; bit: number }
}

export interface TlCombinator {
  kind: 'constructor' | 'method'
  name: string
  /** The id in effect: the explicit one if given, else the computed one. */
  id: number
  /** CRC32 of the normalized declaration. */
  computedId: number
  explicitId?: number
  generics: { name: string; type: string }[]
  params: TlParam[]
  /** Result type as written (`ResPQ`, `X`, `Vector<long>`). */
  result: string
  resultType: TlType
  /** The layer section the declaration is in (`===N===`), if any. */
  layer?: number
  line: number
}

export interface TlWarning {
  code: string
  message: string
  line: number
  column: number
}

export interface TlSchema {
  constructors: TlCombinator[]
  methods: TlCombinator[]
  /** Built-in declarations (`int ? = Int;`, `vector ...`), by name. */
  builtins: string[]
  /** From a `// LAYER N` comment, or the last `===N===` section. */
  layer?: number
  warnings: TlWarning[]
}

export interface ParseOptions {
  /**
   * Names whose explicit id may differ from the computed one (a warning, not an error).
   * Default: the service constructors of mtproto.tl that are known not to follow the rule.
   */
  allowIdMismatch?: readonly string[]
}

/**
 * Service constructors whose published id is not CRC32 of their declaration as printed:
 * `msg_container` is printed with `vector<%Message>` but its id is computed from
 * `vector message`; the layer-143 `decryptedMessageMediaDocument#6abd9782` of the
 * end-to-end schema was hashed without the bytes->string respelling; and the DNS-config
 * constructors of the mtproto.tl that tdesktop and GramJS carry (`ipPortSecret`,
 * `accessPointRule`, `help.configSimple`) do not hash to their ids either.
 */
export const KNOWN_ID_EXCEPTIONS: readonly string[] = [
  'msg_container', 'decryptedMessageMediaDocument', 'ipPortSecret', 'accessPointRule', 'help.configSimple',
]

const PRIMS = new Set<string>(['int', 'long', 'double', 'int128', 'int256', 'bytes', 'string', 'Bool', 'true', '#'])
/** Declarations of the language itself; no code is generated for them. */
const BUILTIN_NAMES = new Set(['int', 'long', 'double', 'string', 'bytes', 'int128', 'int256', 'vector', 'boolFalse', 'boolTrue', 'true'])
const NAME = /^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)?$/
const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/

interface Tok {
  text: string
  line: number
  col: number
}

/** Parses `text`; throws `TlSchemaError` (with line and column) on the first malformed declaration. */
export function parseSchema(text: string, options: ParseOptions = {}): TlSchema {
  const allow = new Set(options.allowIdMismatch ?? KNOWN_ID_EXCEPTIONS)
  const schema: TlSchema = { constructors: [], methods: [], builtins: [], warnings: [] }
  let section: 'constructor' | 'method' = 'constructor'
  let layer: number | undefined
  let toks: Tok[] = []
  let line = 1
  let col = 1
  let i = 0
  const n = text.length

  const flush = (endLine: number, endCol: number) => {
    if (toks.length === 0) throw new TlSchemaError('E_TL_SCHEMA', 'empty declaration', endLine, endCol)
    const c = parseDeclaration(toks, section, layer, endLine, endCol)
    toks = []
    if (c === null) return
    if ('builtin' in c) {
      schema.builtins.push(c.builtin)
      return
    }
    if (c.explicitId !== undefined && c.explicitId !== c.computedId) {
      const msg = `${c.name}: explicit id ${hex(c.explicitId)} differs from computed ${hex(c.computedId)}`
      if (!allow.has(c.name)) throw new TlSchemaError('E_TL_ID_MISMATCH', msg, c.line, 1)
      schema.warnings.push({ code: 'W_TL_ID_MISMATCH', message: msg, line: c.line, column: 1 })
    }
    ;(c.kind === 'method' ? schema.methods : schema.constructors).push(c)
  }

  while (i < n) {
    const ch = text[i]
    if (ch === '\n') {
      line++
      col = 1
      i++
      continue
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++
      col++
      continue
    }
    if (ch === '/' && text[i + 1] === '/') {
      let j = text.indexOf('\n', i)
      if (j < 0) j = n
      const m = /^\/\/\s*LAYER\s+(\d+)/.exec(text.slice(i, j))
      if (m) schema.layer = Number(m[1])
      col += j - i
      i = j
      continue
    }
    if (ch === '/' && text[i + 1] === '*') {
      const j = text.indexOf('*/', i + 2)
      if (j < 0) throw new TlSchemaError('E_TL_SCHEMA', 'unterminated comment', line, col)
      for (; i < j + 2; i++) {
        if (text[i] === '\n') {
          line++
          col = 1
        } else col++
      }
      continue
    }
    // a token runs to whitespace, ';' or a comment
    let j = i
    while (j < n && !' \t\r\n;'.includes(text[j]) && !(text[j] === '/' && (text[j + 1] === '/' || text[j + 1] === '*'))) j++
    const word = text.slice(i, j)
    if (word) {
      const sep = /^---(functions|types)---$/.exec(word)
      const lay = /^===(\d+)===$/.exec(word)
      if (sep || lay) {
        if (toks.length) throw new TlSchemaError('E_TL_SCHEMA', `'${word}' inside a declaration (missing ';'?)`, line, col)
        if (sep) section = sep[1] === 'functions' ? 'method' : 'constructor'
        else schema.layer = layer = Number(lay![1])
      } else toks.push({ text: word, line, col })
    }
    col += j - i
    i = j
    if (text[i] === ';') {
      flush(line, col)
      i++
      col++
    }
  }
  if (toks.length) throw new TlSchemaError('E_TL_SCHEMA', `declaration not terminated by ';'`, toks[0].line, toks[0].col)
  return schema
}

const hex = (v: number) => '#' + (v >>> 0).toString(16).padStart(8, '0')

function fail(t: Tok, msg: string): never {
  throw new TlSchemaError('E_TL_SCHEMA', msg, t.line, t.col)
}

function parseDeclaration(
  toks: Tok[],
  kind: 'constructor' | 'method',
  layer: number | undefined,
  endLine: number,
  endCol: number,
): TlCombinator | { builtin: string } | null {
  const head = toks[0]
  const m = /^([^#]+)(?:#([0-9a-fA-F]{1,8}))?$/.exec(head.text)
  if (!m || !NAME.test(m[1])) fail(head, `bad combinator name '${head.text}'`)
  const name = m[1]
  const explicitId = m[2] === undefined ? undefined : parseInt(m[2], 16) >>> 0
  const eq = toks.findIndex((t) => t.text === '=')
  if (eq < 0) throw new TlSchemaError('E_TL_SCHEMA', `${name}: missing '=' before ';'`, endLine, endCol)
  const resultToks = toks.slice(eq + 1)
  if (resultToks.length === 0) throw new TlSchemaError('E_TL_SCHEMA', `${name}: missing result type`, endLine, endCol)
  const body = toks.slice(1, eq)
  // the language's own declarations: `int ? = Int;`, `int128 4*[ int ] = Int128;`, `vector {t:Type} # [ t ] = Vector t;`
  if (BUILTIN_NAMES.has(name) || body.some((t) => t.text === '?' || t.text.includes('['))) return { builtin: name }

  const generics: { name: string; type: string }[] = []
  const params: TlParam[] = []
  const flagFields = new Set<string>()
  for (const t of body) {
    const g = /^\{([a-zA-Z_]\w*):(\w+)\}$/.exec(t.text)
    if (g) {
      if (params.length) fail(t, `${name}: generic '${t.text}' after the fields`)
      if (g[2] !== 'Type') fail(t, `${name}: only {X:Type} generics are supported`)
      generics.push({ name: g[1], type: g[2] })
      continue
    }
    const colon = t.text.indexOf(':')
    if (colon <= 0) fail(t, `${name}: expected 'name:type', got '${t.text}'`)
    const pname = t.text.slice(0, colon)
    if (!IDENT.test(pname)) fail(t, `${name}: bad field name '${pname}'`)
    if (params.some((p) => p.name === pname)) fail(t, `${name}: duplicate field '${pname}'`)
    let ttext = t.text.slice(colon + 1)
    let flag: TlParam['flag']
    const fm = /^([a-zA-Z_]\w*)\.(\d+)\?(.+)$/.exec(ttext)
    if (fm) {
      if (!flagFields.has(fm[1])) fail(t, `${name}: '${fm[1]}' is not an earlier '#' field`)
      const bit = Number(fm[2])
      if (bit > 31) fail(t, `${name}: flag bit ${bit} out of range 0..31`)
      flag = { field: fm[1], bit }
      ttext = fm[3]
    }
    const type = parseType(ttext, t, generics)
    if (type.kind === 'prim' && type.name === '#') {
      if (flag) fail(t, `${name}: a '#' field cannot be conditional`)
      flagFields.add(pname)
    }
    if (type.kind === 'prim' && type.name === 'true' && !flag) fail(t, `${name}: 'true' is only meaningful as a flag`)
    params.push({ name: pname, type, text: ttext, ...(flag ? { flag } : {}) })
  }
  const resultText = resultToks.map((r) => r.text).join(' ')
  if (generics.length && resultToks.length === 1 && generics.some((g) => g.name === resultText)) {
    // `= X` in a generic method: the result is the wrapped query's
  } else if (!/^[A-Za-z][\w.]*(<[\w.%<>]+>)?$/.test(resultToks[0].text)) fail(resultToks[0], `${name}: bad result type '${resultText}'`)
  const resultType = parseType(resultToks.length === 1 ? resultText : `${resultToks[0].text}<${resultToks.slice(1).map((r) => r.text).join(' ')}>`, resultToks[0], generics)
  const computedId = crc32(new TextEncoder().encode(normalize(name, generics, params, resultText)))
  return {
    kind,
    name,
    id: explicitId ?? computedId,
    computedId,
    ...(explicitId !== undefined ? { explicitId } : {}),
    generics,
    params,
    result: resultText,
    resultType,
    ...(layer !== undefined ? { layer } : {}),
    line: head.line,
  }
}

/** Parses a field or result type. */
export function parseType(text: string, at: Tok, generics: readonly { name: string }[] = []): TlType {
  if (PRIMS.has(text)) return { kind: 'prim', name: text as TlPrimitive }
  if (text === 'Object') return { kind: 'object' }
  if (text.startsWith('!')) {
    const g = text.slice(1)
    if (!generics.some((x) => x.name === g)) fail(at, `'!${g}' does not name a generic of this combinator`)
    return { kind: 'generic', name: g, bang: true }
  }
  if (generics.some((x) => x.name === text)) return { kind: 'generic', name: text, bang: false }
  const v = /^([Vv]ector)<(.+)>$/.exec(text)
  if (v) return { kind: 'vector', boxed: v[1] === 'Vector', of: parseType(v[2], at, generics) }
  if (text.startsWith('%')) {
    if (!NAME.test(text.slice(1))) fail(at, `bad type '${text}'`)
    return { kind: 'bare', name: text.slice(1) }
  }
  if (!NAME.test(text)) fail(at, `bad type '${text}'`)
  const last = text.slice(text.lastIndexOf('.') + 1)
  // TL convention: type names are capitalized; a lowercase name refers to a constructor, bare
  return last[0] >= 'a' && last[0] <= 'z' ? { kind: 'bare', name: text } : { kind: 'boxed', name: text }
}

/**
 * The declaration as the id is computed from (core.telegram.org/mtproto/TL-abstract-types):
 * no id, a `bytes` field written `string` (not inside `Vector<bytes>`), `{X:Type}` written `X:Type`, `flags.N?true` fields left
 * out, `Vector<T>` written `Vector T`, single spaces.
 */
export function normalize(name: string, generics: readonly { name: string; type: string }[], params: readonly TlParam[], result: string): string {
  const parts = [name]
  for (const g of generics) parts.push(`${g.name}:${g.type}`)
  for (const p of params) {
    if (p.flag && p.type.kind === 'prim' && p.type.name === 'true') continue
    // only a whole `bytes` type is respelled: `Vector<bytes>` keeps its spelling (as Telegram computes it)
    const t = p.text === 'bytes' ? 'string' : p.text.replace(/</g, ' ').replace(/>/g, '')
    parts.push(`${p.name}:${p.flag ? `${p.flag.field}.${p.flag.bit}?` : ''}${t}`)
  }
  parts.push('=', result.replace(/</g, ' ').replace(/>/g, ''))
  return parts.join(' ')
}
