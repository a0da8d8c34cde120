/**
 * SecretChatError's codes: every code src/secret names is in SECRET_CHAT_ERROR_CODES and every
 * code there is raised somewhere (as main's registry test does for the other classes).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SECRET_CHAT_ERROR_CODES } from '../../src/errors.js'

describe('SecretChatError codes', () => {
  it('are exactly the ones src/secret raises, each described', () => {
    const dir = new URL('../../src/secret/', import.meta.url)
    const named = new Set<string>()
    for (const f of readdirSync(dir)) {
      for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/['"`](E_(?:SECRET|FILE)_[A-Z0-9_]+)['"`]/g)) named.add(m[1])
    }
    expect([...named].sort()).toEqual(Object.keys(SECRET_CHAT_ERROR_CODES).sort())
    for (const [code, when] of Object.entries(SECRET_CHAT_ERROR_CODES)) {
      expect(code).toMatch(/^E_[A-Z0-9]+(_[A-Z0-9]+)*$/)
      expect(when.length).toBeGreaterThan(10)
    }
  })
})
