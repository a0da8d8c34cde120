/**
 * Code generator: from a parsed schema, typed TypeScript (interfaces, a union per type, a
 * method map) plus a reader and a writer per combinator, gathered into a `TlCodec`. The same
 * code without types (`generateJs`) is what `compileCodec` evaluates at run time for a
 * schema only known then (the `decode --schema` command, embedders' own api.tl).
 *
 * Objects are plain: `{ _: 'resPQ', nonce, server_nonce, ... }` with the schema's field names.
 * `flags:#` fields are not stored: they are computed from which optional fields are set.
 */
import { TlSchemaError } from './errors.js'
import type { TlCombinator, TlParam, TlSchema, TlType } from './schema.js'

export interface GenerateOptions {
  /** Prefix of the exported names: `mtproto` gives `mtprotoCodec`, `MtprotoMethods`, `MtprotoObject`. */
  name: string
  /** Where generated TypeScript imports the runtime types from (default '../index.js'). */
  runtimeImport?: string
  /** First comment lines (the source and how to regenerate). */
  header?: string[]
}

interface Ctx {
  ts: boolean
  combos: Map<string, TlCombinator>
  types: Map<string, TlCombinator[]>
  helpers: Map<string, string>
}

/**
 * Gives every combinator a unique name: when a name is declared again in a later layer
 * section (the end-to-end schema), the last declaration keeps it and earlier ones become
 * `name_layerN`.
 */
export function uniqueNames(schema: TlSchema): TlCombinator[] {
  const all = [...schema.constructors, ...schema.methods]
  const last = new Map<string, TlCombinator>()
  for (const c of all) last.set(c.name, c)
  const seen = new Set<string>()
  return all.map((c) => {
    if (last.get(c.name) === c) return c
    let name = c.layer !== undefined ? `${c.name}_layer${c.layer}` : `${c.name}_${c.id.toString(16)}`
    if (seen.has(name)) name = `${c.name}_${c.id.toString(16)}`
    seen.add(name)
    return { ...c, name }
  })
}

const ucfirst = (s: string) => s[0].toUpperCase() + s.slice(1)
const ident = (s: string) => s.replace(/\./g, '_')
export const rawName = (c: { name: string; kind: string }) => `Raw${ucfirst(ident(c.name))}${c.kind === 'method' ? 'Request' : ''}`
export const typeName = (t: string) => `Type${ucfirst(ident(t))}`
const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0')
const prop = (s: string) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : JSON.stringify(s))

function context(schema: TlSchema, ts: boolean): { ctx: Ctx; all: TlCombinator[] } {
  const all = uniqueNames(schema)
  const combos = new Map<string, TlCombinator>()
  const types = new Map<string, TlCombinator[]>()
  for (const c of all) {
    combos.set(c.name, c)
    if (c.kind === 'constructor') {
      const list = types.get(c.result) ?? []
      list.push(c)
      types.set(c.result, list)
    }
  }
  return { ctx: { ts, combos, types, helpers: new Map() }, all }
}

/** The constructor a bare type (`%Message`, `future_salt`) refers to. */
function bareTarget(ctx: Ctx, name: string, owner: TlCombinator): TlCombinator {
  const direct = ctx.combos.get(name)
  if (direct && direct.kind === 'constructor') return direct
  const ofType = ctx.types.get(name)
  if (ofType && ofType.length === 1) return ofType[0]
  throw new TlSchemaError('E_TL_SCHEMA', `${owner.name}: bare type '%${name}' needs exactly one constructor`, owner.line, 1)
}

const fn = (c: TlCombinator, dir: 'r' | 'w') => `${dir}_${ident(c.name)}`

function minSize(ctx: Ctx, t: TlType, guard = new Set<string>()): number {
  switch (t.kind) {
    case 'prim':
      return { int: 4, long: 8, double: 8, int128: 16, int256: 32, bytes: 4, string: 4, Bool: 4, true: 0, '#': 4 }[t.name]
    case 'bare': {
      const c = ctx.combos.get(t.name) ?? ctx.types.get(t.name)?.[0]
      if (!c || guard.has(c.name)) return 0
      guard.add(c.name)
      return c.params.reduce((n, p) => n + (p.flag ? 0 : minSize(ctx, p.type, guard)), 0)
    }
    default:
      return 4
  }
}

/** A module-level function reading (or writing) one vector element of type `t`. */
function elem(ctx: Ctx, t: TlType, owner: TlCombinator, dir: 'r' | 'w'): string {
  if (t.kind === 'bare') return fn(bareTarget(ctx, t.name, owner), dir)
  const key = `${dir}:${JSON.stringify(t)}`
  const known = ctx.helpers.get(key)
  if (known) return known.split('\n')[0].replace(/^const (\w+).*$/, '$1')
  const name = `${dir === 'r' ? 're' : 'we'}${ctx.helpers.size}`
  const R = ctx.ts ? ': TlReader' : ''
  const W = ctx.ts ? ': TlWriter' : ''
  const A = ctx.ts ? ': any' : ''
  const code =
    dir === 'r'
      ? `const ${name} = (r${R})${A} => ${readExpr(ctx, t, owner)}`
      : `const ${name} = (w${W}, v${A}): void => { ${writeStmt(ctx, t, 'v', owner)} }`
  ctx.helpers.set(key, ctx.ts ? code : code.replace('): void =>', ') =>'))
  return name
}

function readExpr(ctx: Ctx, t: TlType, owner: TlCombinator): string {
  switch (t.kind) {
    case 'prim':
      if (t.name === '#') return 'r.uint()'
      if (t.name === 'true') return 'true'
      return `r.${t.name === 'Bool' ? 'bool' : t.name}()`
    case 'vector': {
      if (t.boxed) {
        const o = t.of
        if (o.kind === 'prim' && (o.name === 'long' || o.name === 'int' || o.name === 'string')) return `r.${o.name}s()`
        if (o.kind === 'prim' && o.name === 'bytes') return 'r.bytesVector()'
        if (o.kind === 'boxed' || o.kind === 'object' || o.kind === 'generic') return 'r.objects()'
      }
      const e = elem(ctx, t.of, owner, 'r')
      const m = minSize(ctx, t.of)
      return t.boxed ? `r.vector(${e}, ${m})` : `r.bareVector(${e}, r.count(${m}))`
    }
    case 'bare':
      return `${fn(bareTarget(ctx, t.name, owner), 'r')}(r)`
    default:
      return 'r.object()'
  }
}

function writeStmt(ctx: Ctx, t: TlType, v: string, owner: TlCombinator): string {
  switch (t.kind) {
    case 'prim':
      if (t.name === 'true') return ''
      return `w.${t.name === 'Bool' ? 'bool' : t.name === '#' ? 'uint' : t.name}(${v})`
    case 'vector': {
      if (t.boxed) {
        const o = t.of
        if (o.kind === 'prim' && (o.name === 'long' || o.name === 'int' || o.name === 'string')) return `w.${o.name}s(${v})`
        if (o.kind === 'prim' && o.name === 'bytes') return `w.bytesVector(${v})`
        if (o.kind === 'boxed' || o.kind === 'object' || o.kind === 'generic') return `w.objects(${v})`
      }
      return `w.${t.boxed ? 'vector' : 'bareVector'}(${elem(ctx, t.of, owner, 'w')}, ${v})`
    }
    case 'bare':
      return `${fn(bareTarget(ctx, t.name, owner), 'w')}(w, ${v})`
    default:
      return `w.object(${v})`
  }
}

function tsType(ctx: Ctx, t: TlType, input: boolean): string {
  switch (t.kind) {
    case 'prim':
      return { int: 'number', long: 'bigint', double: 'number', int128: 'Uint8Array', int256: 'Uint8Array', bytes: 'Uint8Array', string: 'string', Bool: 'boolean', true: 'boolean', '#': 'number' }[t.name]
    case 'vector': {
      const e = tsType(ctx, t.of, input)
      return /^\w+$/.test(e) ? `${e}[]` : `(${e})[]`
    }
    case 'bare': {
      const c = ctx.combos.get(t.name) ?? ctx.types.get(t.name)?.[0]
      return c ? rawName(c) : 'TlObject'
    }
    case 'boxed':
      return ctx.types.has(t.name) ? typeName(t.name) : 'TlObject'
    default:
      // `!X` / `Object`: any object; writers also take an already-serialized one
      return input ? 'TlObject | Uint8Array' : 'unknown'
  }
}

/** `int bytes` right before `body:Object`: the body's length (`message`). */
const isSizedBody = (ps: readonly TlParam[], i: number) =>
  ps[i].name === 'bytes' && ps[i].type.kind === 'prim' && (ps[i].type as { name: string }).name === 'int' && !ps[i].flag && ps[i + 1]?.type.kind === 'object'

function reader(ctx: Ctx, c: TlCombinator): string {
  const R = ctx.ts ? ': TlReader' : ''
  const out: string[] = []
  const fields: string[] = [`_: ${JSON.stringify(c.name)}`]
  const ps = c.params
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]
    const v = `v${i}`
    const isFlags = p.type.kind === 'prim' && p.type.name === '#'
    if (isSizedBody(ps, i)) {
      out.push(`const ${v} = r.int()`, `const v${i + 1} = r.sizedObjectOrRaw(${v})`)
      fields.push(`${prop(p.name)}: ${v}`, `${prop(ps[i + 1].name)}: v${i + 1}`)
      i++
      continue
    }
    // the last field of type Object (rpc_result.result) depends on the request: raw bytes if not an object
    const expr = p.type.kind === 'object' && i === ps.length - 1 ? 'r.objectOrRaw()' : readExpr(ctx, p.type, c)
    if (p.flag) {
      const f = `v${ps.findIndex((q) => q.name === p.flag!.field)}`
      const bit = `(${f} & ${hex(2 ** p.flag.bit)}) !== 0`
      out.push(`const ${v} = ${p.type.kind === 'prim' && p.type.name === 'true' ? bit : `${bit} ? ${expr} : undefined`}`)
    } else out.push(`const ${v} = ${expr}`)
    if (!isFlags) fields.push(`${prop(p.name)}: ${v}`)
  }
  const ret = ctx.ts ? `: ${rawName(c)}` : ''
  return `function ${fn(c, 'r')}(r${R})${ret} {\n${out.map((l) => `  ${l}\n`).join('')}  return { ${fields.join(', ')} }\n}`
}

function writer(ctx: Ctx, c: TlCombinator): string {
  const sig = ctx.ts ? `(w: TlWriter, o: ${rawName(c)}): void` : '(w, o)'
  // every key must be one of the constructor's fields (flags:# fields are not stored)
  const known = ['_', ...c.params.filter((p) => !(p.type.kind === 'prim' && p.type.name === '#')).map((p) => p.name)]
  const out: string[] = [`for (const k in o) if (${known.map((k) => `k !== ${JSON.stringify(k)}`).join(' && ')}) w.unknownField(o, k)`]
  const ps = c.params
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]
    const val = `o.${/^[A-Za-z_$][\w$]*$/.test(p.name) ? p.name : `[${JSON.stringify(p.name)}]`}`
    if (p.type.kind === 'prim' && p.type.name === '#') {
      const bits = ps
        .filter((q) => q.flag?.field === p.name)
        .map((q) => {
          const qv = `o.${q.name}`
          return q.type.kind === 'prim' && q.type.name === 'true' ? `(${qv} ? ${hex(2 ** q.flag!.bit)} : 0)` : `(${qv} !== undefined ? ${hex(2 ** q.flag!.bit)} : 0)`
        })
      out.push(`const f${i} = ${bits.length ? bits.join(' | ') : '0'}`, `w.uint(f${i})`)
      continue
    }
    if (isSizedBody(ps, i)) {
      const body = `o.${ps[i + 1].name}`
      out.push('const at = w.reserveInt()', 'const start = w.pos', `w.object(${body})`, 'w.patchInt(at, w.pos - start)')
      i++
      continue
    }
    const stmt = writeStmt(ctx, p.type, p.flag && ctx.ts ? `${val}!` : val, c)
    if (!stmt) continue
    // fields may share a bit (invoice: max_tip_amount and suggested_tip_amounts on flags.8):
    // write by the bit, so a missing partner fails loudly instead of corrupting the layout
    const f = `f${ps.findIndex((q) => q.name === p.flag?.field)}`
    out.push(p.flag ? `if ((${f} & ${hex(2 ** p.flag.bit)}) !== 0) ${stmt}` : stmt)
  }
  return `function ${fn(c, 'w')}${sig} {\n${out.map((l) => `  ${l}\n`).join('')}}`
}

function resultReader(ctx: Ctx, c: TlCombinator): string {
  const t = c.resultType
  if (t.kind === 'generic') return '(r) => r.object()'
  return `(r) => ${readExpr(ctx, t, c)}`
}

function body(schema: TlSchema, ts: boolean): { ctx: Ctx; all: TlCombinator[]; code: string[] } {
  const { ctx, all } = context(schema, ts)
  const fns: string[] = []
  for (const c of all) fns.push(reader(ctx, c), writer(ctx, c))
  const results = all.filter((c) => c.kind === 'method').map((c) => `  ${prop(c.name)}: ${resultReader(ctx, c)},`)
  const code = [
    ...ctx.helpers.values(),
    '',
    fns.join('\n\n'),
    '',
    // one set() per reader: an array literal of thousands of [id, reader] pairs makes TypeScript
    // compute their union (TS2590 "too complex to represent" on a full api.tl), typed or not;
    // in a function marked pure, so that a bundle that does not use the codec drops it all
    `const readers = /* @__PURE__ */ (() => {`,
    `  const m = new Map${ts ? '<number, TlReadFn>' : ''}()`,
    ...all.map((c) => `  m.set(${hex(c.id)}, ${fn(c, 'r')})`),
    '  return m',
    '})()',
    `const writers${ts ? ': Record<string, TlWriteFn>' : ''} = {\n${all.map((c) => `  ${prop(c.name)}: ${fn(c, 'w')},`).join('\n')}\n}`,
    `const ids${ts ? ': Record<string, number>' : ''} = {\n${all.map((c) => `  ${prop(c.name)}: ${hex(c.id)},`).join('\n')}\n}`,
    `const results${ts ? ': Record<string, TlReadFn>' : ''} = {\n${results.join('\n')}\n}`,
  ]
  return { ctx, all, code }
}

/** TypeScript module source for `schema`. */
export function generateTs(schema: TlSchema, options: GenerateOptions): string {
  const { ctx, all, code } = body(schema, true)
  const P = ucfirst(options.name)
  const lines: string[] = []
  for (const h of options.header ?? []) lines.push(`// ${h}`.trimEnd())
  lines.push('// Generated by mtwire (src/tl/codegen.ts). Do not edit: change the schema and regenerate.', '/* eslint-disable */')
  lines.push(`import type { TlObject, TlCodec, TlReadFn, TlWriteFn, TlReader, TlWriter } from '${options.runtimeImport ?? '../index.js'}'`, '')
  if (schema.layer !== undefined) lines.push(`export const ${options.name.toUpperCase()}_LAYER = ${schema.layer}`, '')
  for (const c of all) {
    const fields = [`_: ${JSON.stringify(c.name)}`]
    c.params.forEach((p, i) => {
      if (p.type.kind === 'prim' && p.type.name === '#') return
      const opt = p.flag !== undefined || isSizedBody(c.params, i)
      fields.push(`${prop(p.name)}${opt ? '?' : ''}: ${tsType(ctx, p.type, c.kind === 'method' || p.type.kind === 'generic')}`)
    })
    lines.push(`/** ${c.name}#${(c.id >>> 0).toString(16)}${c.layer !== undefined ? ` (layer ${c.layer})` : ''} */`)
    lines.push(`export interface ${rawName(c)} {\n${fields.map((f) => `  ${f}\n`).join('')}}`)
  }
  lines.push('')
  for (const [t, cs] of ctx.types) lines.push(`export type ${typeName(t)} = ${cs.map(rawName).join(' | ')}`)
  lines.push('')
  const cons = all.filter((c) => c.kind === 'constructor')
  const meths = all.filter((c) => c.kind === 'method')
  lines.push(`/** Every constructor of the schema. */`, `export type ${P}Object = ${cons.length ? cons.map(rawName).join(' | ') : 'never'}`)
  lines.push(`/** Every method call of the schema. */`, `export type ${P}Request = ${meths.length ? meths.map(rawName).join(' | ') : 'never'}`)
  lines.push(`/** Every method: its request and its result type. */`)
  lines.push(`export interface ${P}Methods {\n${meths.map((m) => `  ${prop(m.name)}: { params: ${rawName(m)}; result: ${m.resultType.kind === 'generic' ? 'unknown' : tsType(ctx, m.resultType, false)} }\n`).join('')}}`)
  lines.push('', ...code, '')
  lines.push(`/** Readers, writers, ids and method result readers of the ${options.name} schema (typed: decodeTl gives ${P}Object | ${P}Request). */`)
  lines.push(`export const ${options.name}Codec: TlCodec<${P}Object | ${P}Request> = { readers, writers, ids, results }`, '')
  return lines.join('\n').replace(/\n{3,}/g, '\n\n')
}

/** JavaScript function body for `schema` that returns its `TlCodec` (for `new Function`). */
export function generateJs(schema: TlSchema): string {
  const { code } = body(schema, false)
  return `'use strict'\n${code.join('\n')}\nreturn { readers, writers, ids, results }\n`
}
