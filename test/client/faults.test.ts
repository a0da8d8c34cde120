/**
 * Faults on the wire, exhaustively, in the in-memory network (net.ts): a sample exchange (three
 * requests in flight, their answers, the acknowledgments) is replayed once per byte of each
 * direction, with the connection cut after that byte, and once per byte with a bit of that
 * byte flipped. Every time, the link must recover on a new connection and each request must
 * be answered exactly once, with its own answer, and run exactly once on the server: no
 * request lost or doubled, nothing corrupted accepted.
 */
import { describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/create.js'
import type { ClientLinkEvent, ClientLinkOptions, ClientState } from '../../src/session/link.js'
import type { TransportName } from '../../src/session/carrier.js'
import { seededRandom } from '../envelope/helpers.js'
import { answer, answered, call, runs } from './helpers.js'
import { type MemConn, MemNet } from './net.js'
import { testKey } from './server.js'
import type { GeneratedRsaKey } from '../../src/auth/rsa.js'

const crypto = createCryptoSync({ random: seededRandom('faults') })
const saltSecret = new Uint8Array(32).fill(7)
const CALLS = 3

type Result = Extract<ClientLinkEvent, { type: 'result' }>

interface Sample {
  key: GeneratedRsaKey
  state: ClientState
  stored: Parameters<MemNet['side']['keys']['put']>[0]
  up: number
  down: number
}

async function sample(transport: TransportName, options: Partial<ClientLinkOptions>): Promise<Sample> {
  const key = await testKey(crypto)
  const n = new MemNet(crypto, key, { transport, session: { futureSalts: 0 }, ...options }, { handler: answer, session: { saltSecret } })
  n.start()
  n.run(() => n.link.status === 'ready')
  // one round trip: the server's salt
  n.link.send({ _: 'ping', ping_id: 1n }, { tag: 'warm-up' })
  n.run(() => n.events.some((e) => e.type === 'result'))
  const id = n.link.session!.authKey.idLong
  const stored = n.side.keys.get(id, Math.floor(n.now() / 1000))!
  const state = n.link.exportState()!
  // the clean exchange, from that state: its byte counts bound the offsets to try
  const m = run(transport, options, { key, state, stored, up: 0, down: 0 }, () => undefined)
  return { key, state, stored, up: m.first.up, down: m.first.down }
}

/** The sample exchange from `state`, with `fault` applied to the first connection. */
function run(
  transport: TransportName,
  options: Partial<ClientLinkOptions>,
  s: Sample,
  fault: (dir: 'up' | 'down', offset: number, data: Uint8Array) => Uint8Array | { cut: number } | undefined,
): { net: MemNet; first: MemConn } {
  // the same random bytes every run: the same exchange, byte for byte (padding included)
  const crypto = createCryptoSync({ random: seededRandom('faults-run') })
  const n = new MemNet(crypto, s.key, { transport, state: s.state, session: { futureSalts: 0 }, ...options }, { handler: answer, session: { saltSecret } })
  n.side.keys.put(s.stored)
  let first: MemConn | undefined
  const hook = (dir: 'up' | 'down') => (c: MemConn, offset: number, data: Uint8Array) => {
    first ??= c
    if (c !== first) return data
    return fault(dir, offset, data) ?? data
  }
  n.faults = { up: hook('up'), down: hook('down') }
  n.start()
  for (let i = 0; i < CALLS; i++) n.link.send(call(i), { tag: i })
  n.run(() => results(n).length === CALLS, 3_600_000)
  // the acknowledgments of the answers
  n.advance(2000)
  return { net: n, first: first! }
}

const results = (n: MemNet): Result[] => n.events.filter((e): e is Result => e.type === 'result' && typeof e.tag === 'number')

/** Each call answered once with its own answer, run once by the server; the link ready again. */
function check(n: MemNet, what: string): void {
  const r = results(n)
  expect(r.length, what).toBe(CALLS)
  for (const e of r) {
    expect('error' in e ? String(e.error) : undefined, what).toBeUndefined()
    expect(answered((e as { result: unknown }).result), what).toBe(e.tag)
  }
  expect(new Set(r.map((e) => e.tag)).size, what).toBe(CALLS)
  const ran = runs(n.side.calls)
  for (let i = 0; i < CALLS; i++) expect(ran.get(i), `${what}: runs of call ${i}`).toBe(1)
  expect(n.link.status, what).toBe('ready')
}

const CASES: [TransportName, Partial<ClientLinkOptions>][] = [
  ['intermediate', {}],
  ['obfuscated2', { framing: 'padded' }],
]

describe.each(CASES)('faults over %s', (transport, options) => {
  it('a cut after every byte of the exchange, either way: reconnects, every request answered and run exactly once', async () => {
    const s = await sample(transport, options)
    expect(s.up).toBeGreaterThan(100)
    expect(s.down).toBeGreaterThan(100)
    for (const dir of ['up', 'down'] as const) {
      const total = dir === 'up' ? s.up : s.down
      for (let k = 0; k < total; k++) {
        const { net, first } = run(transport, options, s, (d, offset, data) => {
          if (d !== dir || offset + data.length <= k) return undefined
          return { cut: k - offset }
        })
        check(net, `cut ${dir} after ${k} bytes`)
        expect(first.closed, `cut ${dir} after ${k}`).toBe(true)
        expect(net.link.stats.connections, `cut ${dir} after ${k}`).toBeGreaterThanOrEqual(2)
      }
    }
  }, 300_000)

  it('a flipped bit at every byte of the exchange, either way: rejected, recovered on a new connection, nothing accepted twice', async () => {
    const s = await sample(transport, options)
    let reconnected = 0
    for (const dir of ['up', 'down'] as const) {
      const total = dir === 'up' ? s.up : s.down
      for (let k = 0; k < total; k++) {
        const { net } = run(transport, options, s, (d, offset, data) => {
          if (d !== dir || k < offset || k >= offset + data.length) return undefined
          const out = data.slice()
          out[k - offset] ^= 1 << (k % 8)
          return out
        })
        check(net, `bit ${k % 8} of byte ${k} ${dir}`)
        if (net.link.stats.connections > 1) reconnected++
      }
    }
    // a flip the peer must notice closes the connection: nearly every one (a flip in an
    // obfuscated2 header's DC bytes, or in padding the framing strips, may pass unnoticed)
    expect(reconnected).toBeGreaterThan(0.9 * (s.up + s.down))
  }, 300_000)
})
