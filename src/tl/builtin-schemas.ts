/**
 * The schemas whose generated code is committed, and how their files are rendered. Used by
 * scripts/tl-gen.mjs (writes them) and test/tl/generated.test.ts (checks they are current).
 */
import { generateTs } from './codegen.js'
import { parseSchema } from './schema.js'

export interface BuiltinSchema {
  /** The .tl file, from the repository root. */
  tl: string
  /** The generated file, from the repository root. */
  out: string
  name: string
}

export const BUILTIN_SCHEMAS: readonly BuiltinSchema[] = [
  { tl: 'src/tl/schema/mtproto.tl', out: 'src/tl/generated/mtproto.ts', name: 'mtproto' },
  { tl: 'src/tl/schema/secret.tl', out: 'src/tl/generated/secret.ts', name: 'secret' },
  { tl: 'src/tl/schema/mtwire.tl', out: 'src/tl/generated/mtwire.ts', name: 'mtwire' },
  { tl: 'src/tl/schema/api-secret.tl', out: 'src/tl/generated/api-secret.ts', name: 'apiSecret' },
]

/** The generated TypeScript for one builtin schema, given its .tl text. */
export function renderBuiltin(b: BuiltinSchema, tlText: string): string {
  return generateTs(parseSchema(tlText), {
    name: b.name,
    runtimeImport: '../runtime.js',
    header: [`Source: ${b.tl}. Regenerate with: node scripts/tl-gen.mjs`],
  })
}
