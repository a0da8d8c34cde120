/**
 * The error codes: ERROR_CODES (src/errors.ts) is the one list. Every code src/ names is in it
 * (TypeScript already checks the throw sites, since each class's constructor takes only its own
 * codes; this catches codes built at run time or given to untyped helpers), every code in it is
 * raised somewhere, and the README's list is the one generated from it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CryptoError, ERROR_CODES, MtwireError, TlError, TransportError, type ErrorCode } from '../src/errors.js'
import { TransportStatusError } from '../src/transport/errors.js'
// @ts-expect-error plain JavaScript module without typings
import { renderErrorCodes, withList } from '../scripts/error-codes.mjs'

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const src = join(root, 'src')

/** Every quoted `'E_…'` / `"E_…"` in src/ (comments too: a code named in a comment must exist), outside the registry. */
function codesInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>()
  for (const f of readdirSync(src, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts') || f === 'errors.ts') continue
    const lines = readFileSync(join(src, f), 'utf8').split('\n')
    lines.forEach((l, i) => {
      for (const m of l.matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g)) {
        const at = `${relative(root, join(src, f))}:${i + 1}`
        found.set(m[1], [...(found.get(m[1]) ?? []), at])
      }
    })
  }
  return found
}

const registered = new Set(Object.values(ERROR_CODES).flatMap((list) => Object.keys(list)))

describe('error codes', () => {
  it('every code src/ names is in ERROR_CODES', () => {
    const missing = [...codesInSource()].filter(([code]) => !registered.has(code)).map(([code, at]) => `${code} (${at.join(', ')})`)
    expect(missing, 'add each to its class in ERROR_CODES (src/errors.ts), then npm run errors:readme').toEqual([])
  })

  it('every code in ERROR_CODES is raised somewhere in src/', () => {
    const used = codesInSource()
    expect([...registered].filter((c) => !used.has(c)), 'codes nothing raises: remove them or raise them').toEqual([])
  })

  it("the README's list is generated from ERROR_CODES", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(withList(readme, renderErrorCodes(ERROR_CODES)) === readme, 'README.md is stale: npm run errors:readme').toBe(true)
  })

  it('every code is described, and shaped E_UPPER_CASE', () => {
    for (const [cls, list] of Object.entries(ERROR_CODES)) {
      for (const [code, when] of Object.entries(list)) {
        expect(code, cls).toMatch(/^E_[A-Z0-9]+(_[A-Z0-9]+)*$/)
        expect((when as string).length, `${cls}.${code}`).toBeGreaterThan(10)
      }
    }
  })

  it("the codes are typed per class: a class's constructor takes only its own", () => {
    const e = new CryptoError('E_KEY_LENGTH', 'x')
    const code: ErrorCode<'CryptoError'> = e.code
    // @ts-expect-error a TL code is not a CryptoError code
    expect(new CryptoError('E_TL_DEPTH', 'x').code).toBe('E_TL_DEPTH')
    // @ts-expect-error nor an unknown one
    expect(new TlError('E_NOPE', 'x')).toBeInstanceOf(MtwireError)
    // a caught MtwireError's code is the union of every class's codes
    const any: ErrorCode = new TransportError('E_BAD_CRC', 'x').code
    expect([code, any]).toEqual(['E_KEY_LENGTH', 'E_BAD_CRC'])
  })

  it('transport status errors map the known statuses to their own codes', () => {
    expect([404, 429, 444, 500].map((s) => new TransportStatusError(s).code)).toEqual(['E_TRANSPORT_404', 'E_TRANSPORT_429', 'E_TRANSPORT_444', 'E_TRANSPORT_STATUS'])
    expect(new TransportStatusError(429).message).toContain('transport flood')
  })
})
