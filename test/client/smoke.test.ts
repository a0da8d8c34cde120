import { describe, expect, it } from 'vitest'
import { connect, createCrypto } from '../../src/node/index.js'
import { startServer } from './server.js'

describe('smoke', () => {
  it.each(['abridged', 'intermediate', 'padded', 'full', 'obfuscated2', 'websocket', 'http'] as const)('%s', async (transport) => {
    const crypto = await createCrypto()
    const srv = await startServer(crypto)
    const client = await connect({ port: srv.port, rsaKeys: [srv.key.publicKey], transport, crypto })
    const pong = await client.invoke({ _: 'ping', ping_id: 7n })
    expect(pong).toMatchObject({ _: 'pong', ping_id: 7n })
    const echo = await client.invoke({ _: 'mtwire.echo', payload: new Uint8Array(1000).fill(3) })
    expect((echo as { payload: Uint8Array }).payload.length).toBe(1000)
    await client.close()
    await srv.close()
  })
})
