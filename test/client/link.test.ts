/**
 * ClientLink in memory (net.ts): the handshake when there is no key, temporary keys and their
 * binding, state export and import, reconnection after drops with the policy's delays, requests
 * answered exactly once across reconnections, HTTP long polling, and the ways a link ends.
 */
import { describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/create.js'
import type { Crypto } from '../../src/crypto/types.js'
import type { ClientLinkEvent, ClientLinkOptions } from '../../src/session/link.js'
import type { StoredKey } from '../../src/auth/keystore.js'
import { seededRandom } from '../envelope/helpers.js'
import { answer, answered, call, runs } from './helpers.js'
import { MemNet, T0 } from './net.js'
import { testKey, type ServerSideOptions } from './server.js'

const crypto: Crypto = createCryptoSync({ random: seededRandom('link') })
const serverCrypto: Crypto = createCryptoSync({ random: seededRandom('link-server') })

async function net(options: Partial<ClientLinkOptions> = {}, server: ServerSideOptions = {}): Promise<MemNet> {
  return new MemNet(crypto, await testKey(serverCrypto), { session: { futureSalts: 0 }, ...options }, { handler: answer, ...server }, serverCrypto)
}

type Result = Extract<ClientLinkEvent, { type: 'result' }>
const results = (n: MemNet): Result[] => n.events.filter((e): e is Result => e.type === 'result' && typeof e.tag === 'number')
const errorCode = (e: unknown): string | undefined => ((e as { error?: { code?: string } }).error)?.code

/** Until ready, then one round trip (the server's salt for a new key comes with it: bad_server_salt). */
function ready(n: MemNet): void {
  n.run(() => n.link.status === 'ready')
  n.link.send({ _: 'ping', ping_id: 1n }, { tag: 'warm-up' })
  n.run(() => n.events.some((e) => e.type === 'result' && e.tag === 'warm-up'))
}
const statuses = (n: MemNet): string[] => n.events.flatMap((e) => (e.type === 'status' ? [e.status] : []))

/** Sends calls 0..count-1 as tagged requests; their outcomes come as result events. */
function sendCalls(n: MemNet, from: number, count: number): void {
  for (let i = from; i < from + count; i++) n.link.send(call(i), { tag: i })
}

/** Each call 0..count-1 answered exactly once with its own number, and run exactly once on the server. */
function expectOnce(n: MemNet, count: number): void {
  const r = results(n)
  const byTag = new Map<number, number>()
  for (const e of r) {
    expect('error' in e ? e.error : undefined).toBeUndefined()
    expect(answered((e as { result: unknown }).result)).toBe(e.tag)
    byTag.set(e.tag as number, (byTag.get(e.tag as number) ?? 0) + 1)
  }
  const ran = runs(n.side.calls)
  for (let i = 0; i < count; i++) {
    expect(byTag.get(i), `answers to call ${i}`).toBe(1)
    expect(ran.get(i), `runs of call ${i}`).toBe(1)
  }
}

describe('ClientLink', () => {
  it('creates a permanent key, becomes ready, answers requests; statuses in order', async () => {
    const n = await net()
    n.start()
    n.run(() => n.link.status === 'ready')
    expect(statuses(n)).toEqual(['connecting', 'handshake', 'ready'])
    const key = n.events.find((e) => e.type === 'authKey')
    expect(key).toMatchObject({ type: 'authKey', temporary: false })
    expect(n.side.keys.get((key as { authKeyId: bigint }).authKeyId, T0 / 1000)).toBeDefined()
    sendCalls(n, 0, 5)
    n.run(() => results(n).length === 5)
    expectOnce(n, 5)
    expect(n.link.stats.connections).toBe(1)
    expect(n.link.stats.handshakes).toHaveLength(1)
    expect(n.link.stats.bytesSent).toBeGreaterThan(0)
    expect(n.link.stats.bytesReceived).toBeGreaterThan(0)
  })

  it('requests made before the key exists wait for it', async () => {
    const n = await net()
    sendCalls(n, 0, 3)
    const p = n.link.invoke(call(3))
    n.start()
    n.run(() => results(n).length === 3)
    expectOnce(n, 3)
    expect(answered(await p)).toBe(3)
  })

  it('exportState → a new link continues without a handshake, and pending requests are answered once', async () => {
    const n = await net()
    n.start()
    n.run(() => n.link.status === 'ready')
    sendCalls(n, 0, 2)
    n.run(() => results(n).length === 2)
    // a request in flight when the process "dies": exported with the state
    n.faults.up = () => ({ cut: 0 })
    const pending = n.link.invoke(call(2))
    pending.catch(() => {})
    n.pump()
    const state = JSON.parse(JSON.stringify(n.link.exportState(), (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
    expect(state.session.pending).toHaveLength(1)
    const accepted = n.side.handshakes
    const m = new MemNet(crypto, n.side.key, { state, session: { futureSalts: 0 } }, { handler: answer }, serverCrypto)
    // the same server (its keys and sessions)
    ;(m as { side: unknown }).side = n.side
    m.start()
    m.run(() => m.link.status === 'ready')
    expect(m.events.some((e) => e.type === 'authKey')).toBe(false)
    expect(m.side.handshakes).toBe(accepted)
    const restored = m.link.session!.restored
    expect(restored).toHaveLength(1)
    let value: unknown
    restored[0].promise.then((v) => (value = v))
    m.run(() => runs(m.side.calls).get(2) === 1)
    await Promise.resolve()
    m.advance(100)
    await new Promise((r) => setImmediate(r))
    expect(answered(value)).toBe(2)
    expect(runs(n.side.calls).get(2)).toBe(1)
  })

  it('a dropped connection reconnects after the backoff; unanswered requests are answered exactly once', async () => {
    const n = await net({ reconnect: { initialDelay: 1000, jitter: 0 } })
    n.start()
    ready(n)
    // the answers are lost with the connection: the server has run the calls
    let drop = true
    n.faults.down = (c, _o, data) => (drop && c.down > 0 ? { cut: 0 } : data)
    sendCalls(n, 0, 10)
    n.pump()
    expect(runs(n.side.calls).size).toBe(10)
    drop = false
    const t = n.now()
    n.run(() => results(n).length === 10)
    expectOnce(n, 10)
    const waiting = n.events.find((e) => e.type === 'status' && e.status === 'waiting')
    expect(waiting).toMatchObject({ delay: 1000 })
    expect(n.now() - t).toBeGreaterThanOrEqual(1000)
    expect(n.link.stats.connections).toBe(2)
    expect(statuses(n).slice(-2)).toEqual(['connecting', 'ready'])
  })

  it('delays grow while connections keep failing, and reset after one that proved itself', async () => {
    const n = await net({ reconnect: { initialDelay: 100, multiplier: 2, jitter: 0, stableAfter: 1000 } })
    n.start()
    n.run(() => n.link.status === 'ready')
    let refuse = true
    n.faults.refuse = () => refuse
    for (const c of n.conns.values()) n.kill(c)
    n.pump()
    n.advance(100 + 200 + 400 + 50)
    const delays = n.events.flatMap((e) => (e.type === 'status' && e.status === 'waiting' ? [e.delay] : []))
    expect(delays).toEqual([100, 200, 400, 800])
    refuse = false
    // ready, and proved by an answer
    ready(n)
    n.advance(2000)
    for (const c of n.conns.values()) n.kill(c)
    n.pump()
    const last = n.events.filter((e) => e.type === 'status' && e.status === 'waiting').pop()
    expect(last).toMatchObject({ delay: 100 })
  })

  it('the first connection failing rejects at once (E_CONNECT), no retry', async () => {
    const n = await net()
    n.faults.refuse = () => true
    n.start()
    n.pump()
    expect(n.link.status).toBe('closed')
    const closed = n.events.find((e) => e.type === 'status' && e.status === 'closed') as { error: { code: string } }
    expect(closed.error.code).toBe('E_CONNECT')
    expect(n.conns.size).toBe(1)
  })

  it('reconnect: false closes the link when the connection drops; pending requests fail with E_CLOSED', async () => {
    const n = await net({ reconnect: false })
    n.start()
    n.run(() => n.link.status === 'ready')
    n.faults.up = () => ({ cut: 0 })
    sendCalls(n, 0, 1)
    n.pump()
    expect(n.link.status).toBe('closed')
    expect(results(n)).toHaveLength(1)
    expect(errorCode(results(n)[0])).toBe('E_CLOSED')
  })

  it('PFS: a temporary key is made and bound before any request; requests go under it', async () => {
    const n = await net({ pfs: true })
    sendCalls(n, 0, 3)
    n.start()
    n.run(() => n.link.status === 'ready')
    const keys = n.events.filter((e) => e.type === 'authKey') as { temporary: boolean; authKeyId: bigint; expiresAt?: number }[]
    expect(keys.map((k) => k.temporary)).toEqual([false, true])
    expect(n.events.some((e) => e.type === 'bound')).toBe(true)
    n.run(() => results(n).length === 3)
    expectOnce(n, 3)
    for (const c of n.side.calls) expect(c.authKeyId).toBe(keys[1].authKeyId)
    expect(n.side.keys.bindingOfTemp(keys[1].authKeyId, T0 / 1000)?.permId).toBe(keys[0].authKeyId)
    expect(n.link.session!.authKey.idLong).toBe(keys[1].authKeyId)
  })

  it('PFS: the temporary key is replaced before it expires, and requests keep going', async () => {
    const n = await net({ pfs: { expiresIn: 600 }, session: { futureSalts: 0, tempKeyMargin: 120, tempKeyJitter: 0, pingInterval: 0 } })
    n.start()
    n.run(() => n.link.status === 'ready')
    n.advance(600_000 - 120_000 + 1000)
    const keys = n.events.filter((e) => e.type === 'authKey' && e.temporary)
    expect(keys).toHaveLength(2)
    sendCalls(n, 0, 2)
    n.run(() => results(n).length === 2)
    expectOnce(n, 2)
    expect(n.side.calls.at(-1)!.authKeyId).toBe((keys[1] as { authKeyId: bigint }).authKeyId)
  })

  it('a restarted server that lost the temporary key (-404): a new temporary key, bound to the permanent one', async () => {
    const n = await net({ pfs: true, reconnect: { initialDelay: 10, jitter: 0 } })
    n.start()
    n.run(() => n.link.status === 'ready')
    // a restart that kept the permanent keys (mtwire serve --state) but not the temporary ones
    const stored = [...(n.side.keys as unknown as { keys: Map<bigint, StoredKey> }).keys.values()]
    n.restartServer({ handler: answer })
    for (const k of stored) if (!k.temporary) n.side.keys.put(k)
    sendCalls(n, 0, 2)
    n.run(() => results(n).length === 2)
    expectOnce(n, 2)
    expect(n.events.filter((e) => e.type === 'authKey' && e.temporary)).toHaveLength(2)
  })

  it('a server that does not know the permanent key at all: E_AUTH_KEY_UNKNOWN after -404 on several connections', async () => {
    const n = await net({ reconnect: { initialDelay: 10, jitter: 0 } })
    n.start()
    n.run(() => n.link.status === 'ready')
    n.restartServer({ handler: answer })
    sendCalls(n, 0, 1)
    n.run(() => n.link.status === 'closed')
    const closed = n.events.find((e) => e.type === 'status' && e.status === 'closed') as { error: { code: string } }
    expect(closed.error.code).toBe('E_AUTH_KEY_UNKNOWN')
    expect(errorCode(results(n)[0])).toBe('E_CLOSED')
    expect(n.link.stats.connections).toBe(4)
  })

  it('close(): pending requests reject with E_CLOSED, the acknowledgments owed are written, connections closed', async () => {
    const n = await net({ session: { futureSalts: 0, ackDelay: 60_000 } })
    n.start()
    n.run(() => n.link.status === 'ready')
    sendCalls(n, 0, 2)
    n.run(() => results(n).length === 2)
    const before = n.link.stats.bytesSent
    n.link.send(call(99), { tag: 99 })
    n.faults.up = (c, o, d) => d
    n.events.push(...n.link.close(n.now()))
    n.pump()
    expect(n.link.status).toBe('closed')
    expect(n.link.stats.bytesSent).toBeGreaterThan(before)
    expect([...n.conns.values()].every((c) => c.closed)).toBe(true)
    expect(results(n).at(-1)).toMatchObject({ tag: 99 })
    expect(n.link.exportState()).toBeDefined()
  })
})

describe('ClientLink over HTTP', () => {
  it('handshake and requests; an update pushed while idle arrives through the long poll', async () => {
    const n = await net({ transport: 'http', host: 'localhost' })
    n.start()
    n.run(() => n.link.status === 'ready')
    sendCalls(n, 0, 4)
    n.run(() => results(n).length === 4)
    expectOnce(n, 4)
    // idle: a poll is outstanding; the server pushes an update 3 s later
    n.advance(3000)
    const session = n.side.sessions.findSession(n.link.session!.authKey.idLong, n.link.session!.sessionId)!
    session.send({ _: 'mtwire.payload', payload: new Uint8Array([1, 2, 3]) })
    n.pump()
    const upd = n.events.find((e) => e.type === 'update')
    expect(upd).toMatchObject({ type: 'update', body: { _: 'mtwire.payload' } })
  })

  it('a request while the poll waits gives the poll up and is answered at once', async () => {
    const n = await net({ transport: 'http', host: 'localhost' })
    n.start()
    n.run(() => n.link.status === 'ready')
    n.advance(1000)
    const t = n.now()
    sendCalls(n, 0, 1)
    n.pump()
    expect(results(n)).toHaveLength(1)
    expect(n.now()).toBe(t)
    expectOnce(n, 1)
  })

  it('polls again after max_wait (the server answers an empty container)', async () => {
    const n = await net({ transport: 'http', host: 'localhost', httpWait: { maxWait: 5000 } })
    n.start()
    n.run(() => n.link.status === 'ready')
    const sent = n.link.stats.bytesSent
    n.advance(5000 * 3 + 100)
    expect(n.link.stats.bytesSent).toBeGreaterThan(sent)
    sendCalls(n, 0, 2)
    n.run(() => results(n).length === 2)
    expectOnce(n, 2)
    expect(n.link.status).toBe('ready')
  })
})

describe('ClientLink: chunking does not matter', () => {
  const transports = ['abridged', 'full', 'obfuscated2', 'websocket', 'http'] as const
  it.each(transports)('%s: bytes one at a time and in random chunks, both ways, give the same outcome', async (transport) => {
    for (const mode of ['bytes', 'random'] as const) {
      let seed = 12345
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296)
      const n = await net({ transport, host: 'localhost' })
      n.split = (len) => {
        const out: number[] = []
        for (let left = len; left > 0; ) {
          const k = mode === 'bytes' ? 1 : Math.min(left, 1 + Math.floor(rnd() * 200))
          out.push(k)
          left -= k
        }
        return out
      }
      n.start()
      ready(n)
      sendCalls(n, 0, 6)
      n.run(() => results(n).length === 6)
      expectOnce(n, 6)
      expect(n.events.filter((e) => e.type === 'error'), `${transport} ${mode}`).toEqual([])
    }
  })
})
