/**
 * Our client against our server over loopback TCP, every transport, with a permanent key and
 * with a temporary key bound to it (PFS): ping, echo of 1 KiB and 64 KiB (a fake-TLS record is at
 * most 16 KiB: the big one spans records), numbered calls run exactly once, quick ACKs where the
 * framing has them, a graceful close; and one key made over one transport used over another.
 */
import { describe, expect, it } from 'vitest'
import { connect, createCrypto, type ConnectOptions } from '../../src/node/index.js'
import { answer, answered, call, runs } from './helpers.js'
import { startServer, type TestServer } from './server.js'

const SECRET = '00112233445566778899aabbccddeeff'
const EE = 'ee' + SECRET + Buffer.from('example.com').toString('hex')

const TRANSPORTS: [string, Partial<ConnectOptions>][] = [
  ['abridged', { transport: 'abridged' }],
  ['intermediate', { transport: 'intermediate' }],
  ['padded intermediate', { transport: 'padded' }],
  ['full', { transport: 'full' }],
  ['obfuscated2 (abridged inside)', { transport: 'obfuscated2', framing: 'abridged' }],
  ['obfuscated2 (intermediate inside)', { transport: 'obfuscated2' }],
  ['obfuscated2 (padded inside)', { transport: 'obfuscated2', framing: 'padded' }],
  ['MTProxy plain secret', { transport: 'obfuscated2', secret: SECRET }],
  ['MTProxy dd secret', { transport: 'obfuscated2', secret: 'dd' + SECRET }],
  ['MTProxy ee secret (fake-TLS)', { transport: 'obfuscated2', secret: EE }],
  ['WebSocket', { transport: 'websocket' }],
  ['WebSocket (padded inside)', { transport: 'websocket', framing: 'padded' }],
  ['HTTP', { transport: 'http' }],
]

let server: TestServer | undefined
async function srv(): Promise<TestServer> {
  return (server ??= await startServer(await createCrypto(), { secrets: [SECRET, 'dd' + SECRET, EE], handler: answer }))
}

let n = 0
describe.each(TRANSPORTS)('client over %s', (_name, transport) => {
  it.each([['permanent key', false], ['temporary key (PFS)', true]] as const)('%s: handshake, RPCs, calls once, close', async (_k, pfs) => {
    const s = await srv()
    const quick = transport.transport !== 'full' && transport.transport !== 'http'
    const client = await connect({ port: s.port, rsaKeys: [s.key.publicKey], pfs, session: { quickAck: quick }, ...transport })
    const acks: bigint[] = []
    client.on('quickAck', (e) => acks.push(...e.msgIds))
    expect(client.stats.handshakes.map((h) => h.temporary)).toEqual(pfs ? [false, true] : [false])
    expect(await client.invoke({ _: 'ping', ping_id: 9n })).toMatchObject({ _: 'pong', ping_id: 9n })
    for (const size of [1024, 65536]) {
      const payload = client.link.crypto.randomBytes(size)
      const r = await client.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload })
      expect(Buffer.compare(Buffer.from(r.payload), Buffer.from(payload))).toBe(0)
    }
    const first = n
    n += 5
    const got = await Promise.all([0, 1, 2, 3, 4].map((i) => client.invoke(call(first + i))))
    expect(got.map(answered)).toEqual([0, 1, 2, 3, 4].map((i) => first + i))
    const ran = runs(s.calls)
    for (let i = first; i < first + 5; i++) expect(ran.get(i)).toBe(1)
    if (quick) expect(acks.length).toBeGreaterThan(0)
    if (pfs) expect(client.link.session!.authKey.idLong).not.toBe(BigInt.asIntN(64, 0n))
    // HTTP gives up the long poll's connection when a request must go (carrier.ts): more than one
    if (transport.transport !== 'http') expect(client.stats.connections).toBe(1)
    await client.close()
    expect(client.status).toBe('closed')
  })
})

describe('invoke options and events through connect()', () => {
  it('timeout (E_TIMEOUT), signal (E_ABORTED), rpc_error (E_RPC), status events, invoke after close (E_CLOSED)', async () => {
    const s = await srv()
    const client = await connect({ port: s.port, rsaKeys: [s.key.publicKey] })
    const statuses: string[] = []
    client.on('status', (e) => statuses.push(e.status))
    await expect(client.invoke({ _: 'mtwire.sleep', ms: 2000 }, { timeout: 30 })).rejects.toMatchObject({ code: 'E_TIMEOUT' })
    const ac = new AbortController()
    const p = client.invoke({ _: 'mtwire.sleep', ms: 2000 }, { signal: ac.signal })
    setTimeout(() => ac.abort(), 20)
    await expect(p).rejects.toMatchObject({ code: 'E_ABORTED' })
    await expect(client.invoke({ _: 'mtwire.sleep', ms: 10_000_000 })).rejects.toMatchObject({ code: 'E_RPC', errorCode: 400 })
    expect(await client.invoke({ _: 'mtwire.sleep', ms: 20 })).toBe(true)
    const pending = client.invoke({ _: 'mtwire.sleep', ms: 2000 })
    // handled before close() rejects it (else an unhandled rejection while close() waits for the socket)
    const rejected = expect(pending).rejects.toMatchObject({ code: 'E_CLOSED' })
    await client.close()
    await rejected
    await expect(client.invoke({ _: 'ping', ping_id: 1n })).rejects.toMatchObject({ code: 'E_CLOSED' })
    expect(statuses).toEqual(['closed'])
  })
})

describe('a key travels across transports', () => {
  it('made over HTTP, used over fake-TLS and WebSocket without a handshake', async () => {
    const s = await srv()
    const a = await connect({ port: s.port, rsaKeys: [s.key.publicKey], transport: 'http' })
    await a.invoke({ _: 'ping', ping_id: 1n })
    const state = a.exportState()!
    await a.close()
    for (const t of [{ transport: 'obfuscated2', secret: EE }, { transport: 'websocket' }] as Partial<ConnectOptions>[]) {
      const b = await connect({ port: s.port, rsaKeys: [s.key.publicKey], state, ...t })
      expect(b.stats.handshakes).toEqual([])
      expect(await b.invoke({ _: 'ping', ping_id: 2n })).toMatchObject({ ping_id: 2n })
      await b.close()
    }
    await server?.close()
  })
})
