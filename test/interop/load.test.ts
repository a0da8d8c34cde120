/**
 * The load bench's smoke (bench/suites/load.ts runs the real thing by hand: 1000 clients, minutes):
 * 50 of our clients connect at once to `mtwire serve` as a process, with the bench's own client
 * code (bench/load/clients.ts); every handshake succeeds, each client gets one 1 KiB echo and a
 * short echo loop through, the server logged a key per client, and every connection closes.
 * Nothing here is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectAll, echoLoop } from '../../bench/load/clients.js'
import { crypto, startInterop, until, type Interop } from './serve.js'

let io: Interop

beforeAll(async () => {
  io = await startInterop()
}, 60_000)
afterAll(() => io?.stop())

describe('load smoke', () => {
  it('50 clients at once: every handshake succeeds, each is answered, all close', async () => {
    const N = 50
    const { clients, failures } = await connectAll(crypto, { port: io.port, pem: io.serve.pem }, N)
    try {
      expect(failures).toEqual([])
      expect(clients).toHaveLength(N)
      const payload = crypto.randomBytes(1024)
      const got = await Promise.all(clients.map((c) => c.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload })))
      for (const r of got) expect(Buffer.compare(Buffer.from(r.payload), Buffer.from(payload))).toBe(0)
      const lat = await echoLoop(crypto, clients, 1024, 200)
      expect(lat.length).toBeGreaterThanOrEqual(N)
    } finally {
      await Promise.all(clients.map((c) => c.close()))
    }
    const ev = () => io.events()
    expect(ev().filter((e) => e.event === 'auth-key' && !e.temporary).length).toBeGreaterThanOrEqual(N)
    await until(() => ev().filter((e) => e.event === 'open').length === ev().filter((e) => e.event === 'close').length, 10_000)
  }, 60_000)

  it('answers kept while more arrive stay intact: the Node driver reads every socket into one shared buffer, small packets come from slabs', async () => {
    // Each result's bytes are views of the packet they came in (TL is zero-copy): if a packet were
    // a view of the driver's read buffer, or a slab region were handed out twice, the answers
    // kept here would change as later ones arrive. Sizes on both sides of the 1 KiB slab limit.
    const N = 12
    const { clients, failures } = await connectAll(crypto, { port: io.port, pem: io.serve.pem }, N)
    try {
      expect(failures).toEqual([])
      const sent: Uint8Array[] = []
      const pending: Promise<{ payload: Uint8Array }>[] = []
      for (let round = 0; round < 4; round++) {
        for (const c of clients) {
          for (let k = 0; k < 4; k++) {
            const payload = crypto.randomBytes(1 + (crypto.randomBytes(2)[0] * 11) % 2500)
            sent.push(payload)
            pending.push(c.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload }))
          }
        }
        await new Promise((r) => setTimeout(r, 5))
      }
      const got = await Promise.all(pending)
      expect(got.map((r) => Buffer.from(r.payload).toString('hex'))).toEqual(sent.map((p) => Buffer.from(p).toString('hex')))
    } finally {
      await Promise.all(clients.map((c) => c.close()))
    }
  }, 60_000)
})
