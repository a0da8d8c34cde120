/**
 * Our client (`connect()`, the Node driver) against `mtwire serve` as a real process: what
 * crosses the process boundary. test/client/ covers the client against the server driver in
 * process (every transport, keys, faults at every byte); here, per transport: a permanent key and
 * a temporary key bound to it, ping and mtwire.echo of 1 KiB and 64 KiB, the connection cut right
 * after a request went out (answered once, on the next connection: the server kept the session),
 * then the saved state on a new client without a handshake, under the permanent key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type ConnectOptions } from '../../src/node/index.js'
import { crypto, cutRelay, hex, startInterop, type Interop } from './serve.js'

let io: Interop

beforeAll(async () => {
  io = await startInterop()
}, 60_000)
afterAll(() => io?.stop())

type Spec = (s: Interop['secrets']) => Partial<ConnectOptions>
const TRANSPORTS: [string, Spec][] = [
  ['abridged', () => ({ transport: 'abridged' })],
  ['intermediate', () => ({ transport: 'intermediate' })],
  ['padded intermediate', () => ({ transport: 'padded' })],
  ['full', () => ({ transport: 'full' })],
  ['obfuscated2 (abridged inside)', () => ({ transport: 'obfuscated2', framing: 'abridged' })],
  ['obfuscated2 (intermediate inside)', () => ({ transport: 'obfuscated2' })],
  ['obfuscated2 (padded inside)', () => ({ transport: 'obfuscated2', framing: 'padded' })],
  ['MTProxy plain secret', (s) => ({ transport: 'obfuscated2', secret: s.plain })],
  ['MTProxy dd secret', (s) => ({ transport: 'obfuscated2', secret: s.dd })],
  ['MTProxy ee secret (fake-TLS)', (s) => ({ transport: 'obfuscated2', secret: s.ee })],
  ['WebSocket', () => ({ transport: 'websocket' })],
  ['WebSocket (padded inside)', () => ({ transport: 'websocket', framing: 'padded' })],
  ['HTTP', () => ({ transport: 'http' })],
]

const echo = async (c: Awaited<ReturnType<typeof connect>>, size: number): Promise<void> => {
  const payload = crypto.randomBytes(size)
  const r = await c.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload })
  expect(hex(r.payload)).toBe(hex(payload))
}

describe.concurrent('our client against mtwire serve', () => {
  it.each(TRANSPORTS)('%s: permanent and temporary keys, echo, a cut connection, the saved state', async (name, spec) => {
    const relay = await cutRelay(io.port)
    const base = { port: relay.port, rsaKeys: [io.serve.pem], reconnect: { initialDelay: 20, maxDelay: 200 }, ...spec(io.secrets) }
    try {
      const a = await connect({ ...base, pfs: true })
      let state
      try {
        expect(a.stats.handshakes.map((h) => h.temporary)).toEqual([false, true])
        expect(await a.invoke({ _: 'ping', ping_id: 7n })).toMatchObject({ _: 'pong', ping_id: 7n })
        await echo(a, 1024)
        await echo(a, 65536)
        if (name !== 'HTTP') {
          // HTTP's requests each open or reuse a connection of their own: a cut there is test/client's
          const cut = relay.cutAfterNextRequest()
          const p = echo(a, 4096)
          await cut
          await p
          expect(a.stats.connections).toBe(2)
        }
        state = a.exportState()
      } finally {
        await a.close()
      }
      const b = await connect({ ...base, state })
      try {
        expect(b.stats.handshakes).toEqual([])
        await echo(b, 1024)
      } finally {
        await b.close()
      }
      // the server's view: a permanent and a temporary key made here, the temporary one used
      // first, the permanent one by the second client
      await new Promise((r) => setTimeout(r, 100))
      const mine = io.eventsOf(relay)
      const keys = mine.filter((e) => e.event === 'auth-key')
      expect(keys.map((e) => e.temporary)).toEqual([false, true])
      const sessions = mine.filter((e) => e.event === 'session').map((e) => e.keyId)
      expect(sessions[0]).toBe(keys[1].keyId)
      expect(sessions.at(-1)).toBe(keys[0].keyId)
    } finally {
      await relay.close()
    }
  }, 30_000)
})
