/**
 * Faults found by driving `mtwire serve` as a process (test/node/limits.test.ts has the driver's
 * own: a client that stops reading, with the server's memory measured in its own process; cut
 * connections; unknown keys). Each case here once made the server process throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/node/index.js'
import { handshake, openLink, TestSession } from '../node/client.js'
import { crypto, startInterop, type Interop } from './serve.js'

let io: Interop

beforeAll(async () => {
  io = await startInterop()
}, 60_000)
afterAll(() => io?.stop())

describe('mtwire serve survives', () => {
  it('a WebSocket request and the close frame in one segment (its answer has nowhere to go)', async () => {
    for (let i = 0; i < 3; i++) {
      const link = await openLink(crypto, io.port, { kind: 'ws' })
      const key = await handshake(crypto, link, io.serve.key)
      const s = new TestSession(crypto, link, key)
      const sock = link.sock!
      try {
        // the request and a masked close frame (code 1000, zero mask) written together
        sock.cork()
        void s.invoke({ _: 'mtwire.echo', payload: crypto.randomBytes(64) }).catch(() => {})
        sock.write(Uint8Array.of(0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8))
        sock.uncork()
        await link.closed
      } finally {
        s.close()
        link.close()
      }
    }
    // still serving
    const c = await connect({ port: io.port, rsaKeys: [io.serve.pem], transport: 'websocket' })
    try {
      expect(await c.invoke({ _: 'ping', ping_id: 3n })).toMatchObject({ ping_id: 3n })
    } finally {
      await c.close()
    }
    expect(io.serve.proc.exitCode).toBe(null)
  })
})
