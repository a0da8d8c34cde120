/**
 * The tables generated code fills in, and the ids the runtime handles natively.
 * A codec maps constructor ids to field readers and constructor names to field writers;
 * several schemas (MTProto service + API layer, say) combine with `mergeCodecs`.
 */
import type { TlReader } from './reader.js'
import type { TlWriter } from './writer.js'
import { TlError } from '../errors.js'
import { checkCodec } from './errors.js'

/** A decoded TL object: `_` is the constructor name as in the schema, fields keep their schema names. */
export type TlObject = { _: string; [field: string]: unknown }

/** Reads the fields of one constructor (its id already consumed) and returns the object. */
export type TlReadFn = (r: TlReader) => any
/** Writes the fields of one constructor (bare: no id). */
export type TlWriteFn = (w: TlWriter, o: any) => void

/** Key of `TlCodec`'s type-only member (declared, never present at run time). */
declare const TL_TYPES: unique symbol

/**
 * The readers and writers of a schema. `O` and `I` exist for the type checker only: the
 * objects `decodeTl` returns with this codec and the objects `encodeTl` takes (a generated codec
 * names its schema's union, so that a misspelled constructor or field does not compile). The
 * bare `TlCodec` (`any`) is any codec.
 */
export interface TlCodec<O = any, I = O> {
  /** Types only: never set. */
  readonly [TL_TYPES]?: { readonly decodes: O; readonly encodes: I }
  /** boxed id -> field reader */
  readonly readers: ReadonlyMap<number, TlReadFn>
  /** constructor (or method) name -> field writer */
  readonly writers: Readonly<Record<string, TlWriteFn>>
  /** constructor (or method) name -> id */
  readonly ids: Readonly<Record<string, number>>
  /** method name -> reader of its result (for `rpc_result.result` kept as raw bytes, e.g. a `Vector<long>`) */
  readonly results?: Readonly<Record<string, TlReadFn>>
}

/** What `decodeTl` returns with codec `C`: its schema's constructors and methods (or `any`). */
export type TlDecoded<C> = C extends TlCodec<infer O, any> ? O : never
/** What `encodeTl` takes with codec `C`. */
export type TlEncodable<C> = C extends TlCodec<any, infer I> ? I : never

export const ID_VECTOR = 0x1cb5c415
export const ID_BOOL_TRUE = 0x997275b5
export const ID_BOOL_FALSE = 0xbc799737
export const ID_GZIP_PACKED = 0x3072cfa1

/** One codec that knows every constructor of `codecs`; later ones win on a clash. */
export function mergeCodecs<C extends TlCodec[]>(...codecs: C): TlCodec<TlDecoded<C[number]>, TlEncodable<C[number]>> {
  const readers = new Map<number, TlReadFn>()
  const writers: Record<string, TlWriteFn> = Object.create(null)
  const ids: Record<string, number> = Object.create(null)
  const results: Record<string, TlReadFn> = Object.create(null)
  for (const c of codecs) checkCodec(c)
  for (const c of codecs) {
    for (const [id, f] of c.readers) readers.set(id, f)
    Object.assign(writers, c.writers)
    Object.assign(ids, c.ids)
    if (c.results) Object.assign(results, c.results)
  }
  return { readers, writers, ids, results }
}

/** Name of the constructor with `id` in `codec`, if any (for messages and tools; linear scan). */
export function constructorName(codec: TlCodec, id: number): string | undefined {
  checkCodec(codec)
  if (!Number.isInteger(id)) throw new TlError('E_TYPE', 'id must be an integer')
  for (const name in codec.ids) if (codec.ids[name] === id) return name
  return undefined
}
