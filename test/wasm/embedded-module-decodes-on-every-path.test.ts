/**
 * The decoder of the embedded modules: each of its paths (the platform's native decoder, atob,
 * the plain loop) gives Buffer's bytes, on the modules themselves and on every tail length.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { getPlatform, setPlatform } from '../../src/crypto/platform.js'
import { fromBase64 } from '../../src/crypto/wasm/base64.js'
import * as relaxed from '../../src/crypto/wasm/embedded/mtwire-relaxed-simd.js'
import * as simd from '../../src/crypto/wasm/embedded/mtwire-simd.js'
import * as none from '../../src/crypto/wasm/embedded/mtwire.js'
import * as relaxedRaw from '../../src/crypto/wasm/embedded/mtwire-relaxed-simd.raw.js'
import * as simdRaw from '../../src/crypto/wasm/embedded/mtwire-simd.raw.js'
import * as noneRaw from '../../src/crypto/wasm/embedded/mtwire.raw.js'

const inputs = [
  ...[relaxed, simd, none].map((m) => m.deflated),
  ...[relaxedRaw, simdRaw, noneRaw].map((m) => m.raw),
  ...Array.from({ length: 70 }, (_, n) => randomBytes(n).toString('base64')),
  randomBytes(100_000).toString('base64'),
]

describe('fromBase64 (embedded WASM)', () => {
  const saved = getPlatform().fromBase64
  afterEach(() => {
    vi.unstubAllGlobals()
    setPlatform({ fromBase64: saved })
  })

  // each path installs what it needs and returns the function that must have done the decoding
  const paths: [string, () => { mock: { calls: unknown[] } }][] = [
    [
      'platform decoder',
      () => {
        const f = vi.fn((s: string) => new Uint8Array(Buffer.from(s, 'base64')))
        setPlatform({ fromBase64: f })
        return f
      },
    ],
    [
      'atob',
      () => {
        setPlatform({ fromBase64: undefined })
        const f = vi.fn((s: string) => Buffer.from(s, 'base64').toString('latin1'))
        vi.stubGlobal('atob', f)
        return f
      },
    ],
    [
      'plain loop',
      () => {
        setPlatform({ fromBase64: undefined })
        vi.stubGlobal('atob', undefined)
        const f = vi.spyOn(String.prototype, 'charCodeAt')
        return f
      },
    ],
  ]
  for (const [name, use] of paths) {
    it(name, () => {
      // a runtime with Uint8Array.fromBase64 would take that path instead
      const U = Uint8Array as { fromBase64?: unknown }
      const fast = U.fromBase64
      delete U.fromBase64
      const decoder = use()
      try {
        for (const s of inputs) expect(Buffer.from(fromBase64(s)).equals(Buffer.from(s, 'base64'))).toBe(true)
        expect(decoder.mock.calls.length).toBeGreaterThan(0)
      } finally {
        vi.restoreAllMocks()
        if (fast !== undefined) U.fromBase64 = fast
      }
    })
  }
})
