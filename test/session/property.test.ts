/**
 * Property: between a client and a server session, packets are lost, duplicated and reordered
 * at random (and the client reconnects now and then); once the network calms down, every
 * invoke has resolved exactly once with its own answer, and the server's handler ran each
 * query at most once (exactly once for the answered ones).
 */
import { describe, expect, it } from 'vitest'
import type { Outgoing } from '../../src/session/core.js'
import { pair } from './helpers.js'

/** xorshift32: a small deterministic PRNG for the schedule. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 4294967296
  }
}

const idOf = (raw: Uint8Array): number => new DataView(raw.buffer, raw.byteOffset).getUint32(4, true)

async function run(seed: number): Promise<{ requests: number; delivered: number; dropped: number; duplicated: number }> {
  const rnd = prng(seed)
  const ran = new Map<number, number>()
  const p = pair({
    seed: `property${seed}`,
    client: { maxResends: 1000, stateRequestAfter: 3000 },
    server: {
      handler: async (c) => {
        const id = idOf(c.raw)
        ran.set(id, (ran.get(id) ?? 0) + 1)
        // some answers take a while
        if (id % 3 === 0) await new Promise((r) => setTimeout(r, 1))
        return { _: 'mtwire.payload', payload: c.raw.slice(4) }
      },
    },
  })
  const up: Outgoing[] = []
  const down: Outgoing[] = []
  const results = new Map<number, { value?: unknown; settled: number }>()
  const total = 40
  let sent = 0
  let stats = { requests: total, delivered: 0, dropped: 0, duplicated: 0 }
  const invoke = (): void => {
    const id = ++sent
    const q = new Uint8Array(8)
    const dv = new DataView(q.buffer)
    dv.setUint32(0, 0x0badf00d, true) // an API method our codec does not know
    dv.setUint32(4, id, true)
    const r = { settled: 0 } as { value?: unknown; settled: number }
    results.set(id, r)
    p.client.invoke(q).then(
      (v) => {
        r.settled++
        r.value = v
      },
      (e) => {
        r.settled++
        r.value = e
      },
    )
  }
  /** One network step; `calm`: no loss, duplication or reordering. */
  const step = (calm: boolean): void => {
    for (const o of p.client.takeOutgoing(p.clock.t)) up.push(o)
    for (const o of p.conn.takeOutgoing(p.clock.t)) down.push(o)
    const queue = rnd() < 0.5 ? up : down
    if (queue.length === 0) return
    const i = calm ? 0 : Math.floor(rnd() * queue.length) // reorder
    const [o] = queue.splice(i, 1)
    if (!calm && rnd() < 0.25) {
      stats.dropped++
      return
    }
    if (!calm && rnd() < 0.2) {
      queue.push(o) // duplicate: delivered now and again later
      stats.duplicated++
    }
    stats.delivered++
    if (o.type !== 'packet') return
    const data = o.data.slice()
    if (queue === up) p.conn.receive(data, p.clock.t, o.quickAck)
    else p.client.receive(data, p.clock.t)
  }
  const tick = (ms: number): void => {
    p.clock.t += ms
    p.client.tick(p.clock.t)
    p.conn.tick(p.clock.t)
  }
  // the storm
  for (let i = 0; i < 4000; i++) {
    const r = rnd()
    if (sent < total && r < 0.05) invoke()
    else if (r < 0.07) tick(Math.floor(rnd() * 2000))
    else if (r < 0.072) {
      // the connection breaks: what was in flight is lost
      up.length = 0
      down.length = 0
      p.conn.close()
      p.conn = p.server.connection()
      p.client.reconnected(p.clock.t)
    } else step(false)
    if (i % 200 === 0) await new Promise((r) => setTimeout(r, 0))
  }
  while (sent < total) invoke()
  // calm: everything delivered in order, time moving so that state checks run
  for (let round = 0; round < 400; round++) {
    for (let k = 0; k < 50; k++) step(true)
    await new Promise((r) => setTimeout(r, 2))
    for (let k = 0; k < 50; k++) step(true)
    if ([...results.values()].every((r) => r.settled > 0)) break
    tick(1000)
  }
  await new Promise((r) => setTimeout(r, 5))
  for (const [id, r] of results) {
    expect(r.settled, `request ${id} settled once`).toBe(1)
    expect(r.value, `request ${id} got its own answer`).toEqual({ _: 'mtwire.payload', payload: new Uint8Array(new Uint32Array([id]).buffer) })
    expect(ran.get(id), `request ${id} ran once`).toBe(1)
  }
  return stats
}

describe('loss, duplication and reordering', () => {
  const seeds = Array.from({ length: Number(process.env.MTWIRE_PROPERTY_SEEDS ?? 24) }, (_, i) => i + 1)
  it.each(seeds.map((s) => [s]))('seed %i: every invoke resolves exactly once, no query runs twice', async (seed) => {
    const s = await run(seed)
    // the schedule did what it claims
    expect(s.dropped).toBeGreaterThan(5)
    expect(s.duplicated).toBeGreaterThan(3)
  }, 60_000)
})
