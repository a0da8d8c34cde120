/**
 * The load bench's clients (bench/suites/load.ts), shared with its CI smoke
 * (test/interop/load.test.ts): many of our clients connecting at once, and echo loops.
 */
import { connect } from '../../src/node/index.js'
import type { Crypto } from '../../src/crypto/types.js'
import type { Client } from '../../src/session/runner.js'

/** `n` clients connect at once (each makes its permanent key); the ones that failed, by message. */
export async function connectAll(crypto: Crypto, server: { port: number; pem: string }, n: number): Promise<{ clients: Client[]; failures: string[] }> {
  const results = await Promise.allSettled(
    Array.from({ length: n }, () => connect({ port: server.port, rsaKeys: [server.pem], crypto, connectTimeout: 120_000, reconnect: false })),
  )
  const clients: Client[] = []
  const failures: string[] = []
  for (const r of results) {
    if (r.status === 'fulfilled') clients.push(r.value)
    else failures.push(String((r.reason as Error)?.message ?? r.reason))
  }
  return { clients, failures }
}

/** Each client sends echo requests one after another for `durMs`; latencies in ms. */
export async function echoLoop(crypto: Crypto, clients: Client[], size: number, durMs: number): Promise<number[]> {
  const payload = crypto.randomBytes(size)
  const lat: number[] = []
  const end = performance.now() + durMs
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const t = performance.now()
        const r = await c.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload })
        lat.push(performance.now() - t)
        if (r.payload.length !== size) throw new Error('echo: wrong payload length')
      }
    }),
  )
  return lat
}

