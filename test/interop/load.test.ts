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
})
