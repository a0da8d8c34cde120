/**
 * ReconnectPolicy with an injected clock and random source: exact delays, the growth and the
 * cap, jitter bounds and spread, when the count resets, giving up, and option checks.
 */
import { describe, expect, it } from 'vitest'
import { ReconnectPolicy, RECONNECT_DEFAULTS } from '../../src/session/reconnect.js'
import { SessionError } from '../../src/errors.js'

/** A random source that returns these 32-bit values in turn (big-endian, as the policy reads them). */
function fixed(...values: number[]): { randomBytes(n: number): Uint8Array } {
  let i = 0
  return {
    randomBytes(n: number) {
      expect(n).toBe(4)
      const v = values[i++ % values.length]
      return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255])
    },
  }
}

/** A deterministic generator (xorshift32) for the statistical checks. */
function xorshift(seed: number): { randomBytes(n: number): Uint8Array } {
  let x = seed >>> 0 || 1
  return {
    randomBytes(n: number) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) {
        x ^= x << 13
        x >>>= 0
        x ^= x >>> 17
        x ^= x << 5
        x >>>= 0
        out[i] = x & 255
      }
      return out
    },
  }
}

describe('ReconnectPolicy', () => {
  it('without jitter: initialDelay · multiplier^n, capped at maxDelay', () => {
    const p = new ReconnectPolicy(fixed(0), { initialDelay: 100, multiplier: 3, maxDelay: 5000, jitter: 0 })
    const delays = Array.from({ length: 7 }, (_, i) => p.failed(i))
    expect(delays).toEqual([100, 300, 900, 2700, 5000, 5000, 5000])
    expect(p.failures).toBe(7)
  })

  it('jitter takes a random share off: r = 0 gives the full delay, r → 1 gives (1 − jitter) of it', () => {
    const top = 0xffffffff
    const p = new ReconnectPolicy(fixed(0, top, 0x80000000), { initialDelay: 1000, multiplier: 2, jitter: 0.5 })
    expect(p.failed(0)).toBe(1000) // r = 0
    expect(p.failed(0)).toBe(Math.round(2000 * (1 - 0.5 * (top / 2 ** 32)))) // r just under 1: ~1000
    expect(p.failed(0)).toBe(3000) // r = 0.5: 4000 · 0.75
  })

  it('full jitter (1) spreads delays over [0, base): a thousand clients do not come back at once', () => {
    const p = new ReconnectPolicy(xorshift(7), { initialDelay: 1000, maxDelay: 1000, jitter: 1 })
    const d = Array.from({ length: 1000 }, () => p.failed(0)!)
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...d)).toBeLessThanOrEqual(1000)
    // ten buckets of 100 ms, each with a fair share (expected 100, far from 0 or 1000)
    const buckets = new Array(10).fill(0)
    for (const x of d) buckets[Math.min(9, Math.floor(x / 100))]++
    for (const b of buckets) expect(b).toBeGreaterThan(60)
  })

  it('the count resets only after a connection that carried a server message and stayed up stableAfter ms', () => {
    const o = { initialDelay: 100, multiplier: 2, jitter: 0, stableAfter: 5000 }
    const p = new ReconnectPolicy(fixed(0), o)
    expect(p.failed(0)).toBe(100)
    // opened, proven, but dropped after 1 s: not stable
    p.opened(1000)
    p.proven(1100)
    expect(p.failed(2000)).toBe(200)
    // open for 10 s without a message from the server (a server that accepts and says nothing)
    p.opened(3000)
    expect(p.failed(13_000)).toBe(400)
    // proven and up for 5 s: the next failure starts over
    p.opened(20_000)
    p.proven(20_050)
    expect(p.failed(25_000)).toBe(100)
    expect(p.failures).toBe(1)
  })

  it('proven() before opened() (no connection) does not count', () => {
    const p = new ReconnectPolicy(fixed(0), { initialDelay: 10, jitter: 0, stableAfter: 0 })
    p.failed(0)
    p.proven(1)
    expect(p.failed(100_000)).toBe(20)
  })

  it('maxAttempts failures in a row: undefined (give up); reset() starts over', () => {
    const p = new ReconnectPolicy(fixed(0), { initialDelay: 10, jitter: 0, maxAttempts: 3 })
    expect([p.failed(0), p.failed(0), p.failed(0), p.failed(0)]).toEqual([10, 20, 40, undefined])
    p.reset()
    expect(p.failed(0)).toBe(10)
  })

  it('defaults: 250 ms growing by 2 to 30 s, half jitter, never gives up', () => {
    expect(RECONNECT_DEFAULTS).toMatchObject({ initialDelay: 250, maxDelay: 30_000, multiplier: 2, jitter: 0.5, maxAttempts: Infinity, stableAfter: 5000 })
    const p = new ReconnectPolicy(fixed(0))
    const d = Array.from({ length: 12 }, () => p.failed(0))
    expect(d.slice(0, 4)).toEqual([250, 500, 1000, 2000])
    expect(d.at(-1)).toBe(30_000)
  })

  it('same random bytes and clock, same decisions', () => {
    const run = () => {
      const p = new ReconnectPolicy(xorshift(42), { jitter: 0.7 })
      const out: (number | undefined)[] = []
      for (let i = 0; i < 20; i++) {
        if (i % 5 === 4) {
          p.opened(i * 10_000)
          p.proven(i * 10_000 + 1)
          out.push(p.failed(i * 10_000 + 6000))
        } else out.push(p.failed(i * 10_000))
      }
      return out
    }
    expect(run()).toEqual(run())
  })

  it('bad options are SessionError E_OPTION', () => {
    const r = fixed(0)
    const bad: Record<string, unknown>[] = [
      { initialDelay: -1 }, { jitter: 1.5 }, { multiplier: 0.5 }, { maxDelay: 10, initialDelay: 100 }, { stableAfter: Number.NaN }, { bogus: 1 }, { initialDelay: '5' },
    ]
    for (const o of bad) {
      expect(() => new ReconnectPolicy(r, o as never), JSON.stringify(o)).toThrow(SessionError)
      try {
        new ReconnectPolicy(r, o as never)
      } catch (e) {
        expect((e as SessionError).code).toBe('E_OPTION')
      }
    }
    expect(() => new ReconnectPolicy({} as never)).toThrow(SessionError)
  })
})
