/**
 * Two parties exchange thousands of messages over a network that loses, duplicates and
 * reorders them (the resend requests and the re-keying messages too), while re-keying every
 * ~100 messages. At the end both logs must be complete and in the order sent. Seeded: a failure
 * names its seed.
 */
import { describe, expect, it } from 'vitest'
import type { RawUpdateNewEncryptedMessage } from '../../src/tl/generated/api-secret.js'
import { ofType, pair, type Party, texts, toUpdate } from './helpers.js'

/** mulberry32: a small seeded PRNG for reproducible schedules. */
function rng(seed: number): () => number {
  let t = seed >>> 0
  return () => {
    t = (t + 0x6d2b79f5) >>> 0
    let x = Math.imul(t ^ (t >>> 15), 1 | t)
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

interface Net {
  loss: number
  dup: number
  /** How far out of order a delivery may reach into what is in flight. */
  window: number
}

function run(seed: number, total: number, net: Net): { a: Party; b: Party; sentA: string[]; sentB: string[] } {
  const r = rng(seed)
  const { a, b } = pair({ resendTimeoutMs: 2000, maxHeld: 5000 }, 0)
  let now = 0
  const sentA: string[] = []
  const sentB: string[] = []
  const lossy = { ...net }
  const move = (from: Party, to: Party): void => {
    for (const q of from.chat.takeOutgoing()) {
      const u = toUpdate(q, Math.floor(now / 1000))
      if (!u) from.requests.push(q)
      else if (r() >= lossy.loss) to.inbox.push(u)
    }
  }
  const step = (p: Party): void => {
    if (p.inbox.length === 0) return
    const i = Math.floor(r() * Math.min(lossy.window, p.inbox.length))
    const u = p.inbox[i] as RawUpdateNewEncryptedMessage
    if (r() < lossy.dup) p.inbox.push(u)
    else p.inbox.splice(i, 1)
    p.events.push(...p.chat.receive(u, now))
  }
  const timers = (): void => {
    for (const p of [a, b]) {
      const d = p.chat.nextDeadline()
      if (d !== undefined && d <= now) p.events.push(...p.chat.tick(now))
    }
  }
  let sent = 0
  while (sent < total) {
    now += Math.floor(r() * 50)
    if (r() < 0.25) {
      const p = r() < 0.5 ? a : b
      const t = `${p === a ? 'a' : 'b'}${sent++}`
      ;(p === a ? sentA : sentB).push(t)
      p.chat.send({ message: t })
    }
    move(a, b)
    move(b, a)
    if (r() < 0.8) step(a)
    if (r() < 0.8) step(b)
    move(a, b)
    move(b, a)
    timers()
    if (a.chat.status !== 'ready' || b.chat.status !== 'ready') break
  }
  // the end: a reliable network, one last message each (so that a lost tail shows up as a gap), then quiet
  lossy.loss = 0
  lossy.dup = 0
  for (const [p, list] of [[a, sentA], [b, sentB]] as const) {
    if (p.chat.status !== 'ready') continue
    list.push(`${p === a ? 'a' : 'b'}-end`)
    p.chat.send({ message: list[list.length - 1] })
  }
  for (let i = 0; i < 200_000 && a.chat.status === 'ready' && b.chat.status === 'ready'; i++) {
    move(a, b)
    move(b, a)
    if (a.inbox.length + b.inbox.length === 0) {
      const next = Math.min(a.chat.nextDeadline() ?? Infinity, b.chat.nextDeadline() ?? Infinity)
      const done = texts(b).length === sentA.length && texts(a).length === sentB.length
      if (done || next === Infinity) break
      now = Math.max(now, next)
      timers()
      continue
    }
    step(r() < 0.5 ? a : b)
  }
  return { a, b, sentA, sentB }
}

describe('thousands of messages over a lossy, duplicating, reordering network, with re-keying', () => {
  it.each([
    [1, 3000, { loss: 0.05, dup: 0.05, window: 4 }],
    [2, 3000, { loss: 0.15, dup: 0.1, window: 8 }],
    [3, 1500, { loss: 0, dup: 0.3, window: 16 }],
  ])('seed %i: %i messages, %o: both logs complete and in order', (seed, total, net) => {
    const { a, b, sentA, sentB } = run(seed, total, net)
    const problems = [...a.events, ...b.events].filter((e) => e.type === 'aborted')
    expect(problems).toEqual([])
    expect(texts(b)).toEqual(sentA)
    expect(texts(a)).toEqual(sentB)
    // re-keying happened, more than once, and both ended on the same key
    const rekeys = ofType(a.events, 'rekeyed').length
    expect(rekeys).toBeGreaterThan(total / 400)
    expect(ofType(b.events, 'rekeyed').length).toBe(rekeys)
    expect(a.chat.keyFingerprint).toBe(b.chat.keyFingerprint)
    // and the gap machinery did real work
    if (net.loss > 0) expect(ofType(a.events, 'gap').length + ofType(b.events, 'gap').length).toBeGreaterThan(10)
    // no decryption failure: duplicates under erased keys are dropped quietly, not reported
    expect([...a.events, ...b.events].filter((e) => e.type === 'error')).toEqual([])
  })
})
