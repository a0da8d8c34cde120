/**
 * A codec for a schema known only at run time (an embedder's api.tl, `mtwire decode --schema`):
 * the generator's JavaScript evaluated with `new Function`. Where a Content-Security-Policy
 * forbids eval, generate code ahead of time with `mtwire gen-tl` instead (which is typed too:
 * objects from a compiled codec are only `TlObject`s).
 */
import type { TlCodec, TlObject } from './codec.js'
import { generateJs } from './codegen.js'
import { parseSchema, type ParseOptions, type TlSchema } from './schema.js'

export function compileCodec(schema: TlSchema | string, options?: ParseOptions): TlCodec<TlObject> {
  const s = typeof schema === 'string' ? parseSchema(schema, options) : schema
  return new Function(generateJs(s))() as TlCodec<TlObject>
}
