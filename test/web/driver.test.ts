/**
 * The web driver (src/web/) in Node, with a W3C WebSocket implementation (the `websocket`
 * package; browsers run the same test in Chromium: scripts/test-browser.mjs): handshake, RPCs,
 * PFS, a dropped connection, option checks.
 */
import { describe, expect, it } from 'vitest'
import websocket from 'websocket'
import { connect, type WebSocketConstructor } from '../../src/web/index.js'
import { createCrypto } from '../../src/node/index.js'
import { startServer } from '../client/server.js'
import { answer, answered, call, runs } from '../client/helpers.js'

const WS = (websocket as unknown as { w3cwebsocket: WebSocketConstructor }).w3cwebsocket

describe('web driver (W3C WebSocket)', () => {
  it('connects, creates a key, answers RPCs; PFS; survives a dropped connection', async () => {
    const crypto = await createCrypto()
    const srv = await startServer(crypto, { handler: answer })
    const url = `ws://127.0.0.1:${srv.port}/apiws`
    const statuses: string[] = []
    const client = await connect({ url, rsaKeys: [srv.key.publicKeyPem], crypto, WebSocket: WS, pfs: true, reconnect: { initialDelay: 20 } })
    client.on('status', (e) => statuses.push(e.status))
    expect(client.status).toBe('ready')
    expect(await client.invoke({ _: 'ping', ping_id: 5n })).toMatchObject({ _: 'pong', ping_id: 5n })
    const echo = await client.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload: new Uint8Array(4096).fill(9) })
    expect(echo.payload).toEqual(new Uint8Array(4096).fill(9))
    const answers = await Promise.all([0, 1, 2, 3].map((i) => client.invoke(call(i))))
    expect(answers.map(answered)).toEqual([0, 1, 2, 3])
    // the server drops every connection: the client reconnects (new temporary key if needed) and goes on
    await srv.dropAll()
    const later = await client.invoke(call(4))
    expect(answered(later)).toBe(4)
    expect(statuses).toContain('waiting')
    expect([...runs(srv.calls).values()].every((n) => n === 1)).toBe(true)
    expect(client.stats.connections).toBeGreaterThanOrEqual(2)
    const state = client.exportState()!
    await client.close()
    expect(client.status).toBe('closed')
    // again from the state: no new permanent key
    const again = await connect({ url, rsaKeys: [srv.key.publicKeyPem], crypto, WebSocket: WS, state })
    expect(again.stats.handshakes).toEqual([])
    expect(answered(await again.invoke(call(5)))).toBe(5)
    await again.close()
    await srv.close()
  })

  it('bad options: E_OPTION; an unreachable server: E_CONNECT', async () => {
    await expect(connect({ url: 'http://x/apiws', WebSocket: WS })).rejects.toMatchObject({ code: 'E_OPTION' })
    await expect(connect({ url: 'ws://x/other', WebSocket: WS })).rejects.toMatchObject({ code: 'E_OPTION' })
    await expect(connect({ url: 'ws://127.0.0.1:1/apiws', WebSocket: WS })).rejects.toMatchObject({ code: 'E_CONNECT' })
  })
})
