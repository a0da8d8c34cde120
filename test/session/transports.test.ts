/**
 * The session over every framing, through the transports' public API (ClientTransport /
 * ServerTransport): plain abridged, intermediate, padded intermediate and full; obfuscated2 with
 * and without an MTProxy secret; dd (padded) and ee (fake-TLS) secrets. Bytes cross in random
 * chunks; requests of several sizes and quick ACKs must come through on each.
 */
import { describe, expect, it } from 'vitest'
import { ClientTransport, type ClientTransportOptions } from '../../src/transport/client.js'
import { ReplayCache } from '../../src/transport/faketls.js'
import { ServerTransport } from '../../src/transport/server.js'
import { pair, soon } from './helpers.js'


const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

interface Config {
  name: string
  client: Omit<ClientTransportOptions, 'crypto'>
  secrets?: string[]
  padded: boolean
  quickAck: boolean
}

function configs(secret16: string): Config[] {
  const ee = 'ee' + secret16 + Buffer.from('example.com').toString('hex')
  return [
    { name: 'abridged', client: { framing: 'abridged' }, padded: false, quickAck: true },
    { name: 'intermediate', client: { framing: 'intermediate' }, padded: false, quickAck: true },
    { name: 'padded intermediate', client: { framing: 'padded' }, padded: true, quickAck: true },
    { name: 'full', client: { framing: 'full' }, padded: false, quickAck: false },
    { name: 'obfuscated2 abridged', client: { framing: 'abridged', obfuscated: true, dcId: 2 }, padded: false, quickAck: true },
    { name: 'obfuscated2 intermediate', client: { framing: 'intermediate', obfuscated: true, dcId: 2 }, padded: false, quickAck: true },
    { name: 'obfuscated2 padded', client: { framing: 'padded', obfuscated: true, dcId: 2 }, padded: true, quickAck: true },
    { name: 'MTProxy secret (obfuscated2 intermediate)', client: { proxySecret: secret16, framing: 'intermediate', dcId: 2 }, secrets: [secret16], padded: false, quickAck: true },
    { name: 'MTProxy dd secret (padded)', client: { proxySecret: 'dd' + secret16, dcId: 2 }, secrets: ['dd' + secret16], padded: true, quickAck: true },
    { name: 'MTProxy ee secret (fake-TLS, padded)', client: { proxySecret: ee, dcId: 2 }, secrets: [ee], padded: true, quickAck: true },
  ]
}

describe.each(configs('00112233445566778899aabbccddeeff').map((c) => [c.name, c] as const))('session over %s', (_, cfg) => {
  it('requests of 0 B .. 100 KiB and quick ACKs, in random chunks', async () => {
    const p = pair({ client: { quickAck: cfg.quickAck, gzipMinSize: false } })
    const ct = new ClientTransport({ crypto: p.crypto, ...cfg.client, now: p.now })
    const st = new ServerTransport({ crypto: p.crypto, secrets: cfg.secrets, replayCache: new ReplayCache(), now: p.now })
    let seed = 7
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296)
    ct.start(p.clock.t)
    const up: Uint8Array[] = []
    const down: Uint8Array[] = []
    /** Chunks of a byte stream, random sizes. */
    const chunks = (parts: Uint8Array[]): Uint8Array[] => {
      const all = Buffer.concat(parts)
      const out: Uint8Array[] = []
      for (let i = 0; i < all.length; ) {
        const n = 1 + Math.floor(rnd() * 300)
        out.push(new Uint8Array(all.subarray(i, i + n)))
        i += n
      }
      return out
    }
    // the layers plug together with no adapter: each one's takeOutgoing() items go to the next one's send()
    const step = (): boolean => {
      let moved = false
      for (const o of p.client.takeOutgoing(p.clock.t)) {
        ct.send(o)
        moved = true
      }
      up.push(...ct.takeOutgoing())
      if (up.length) {
        moved = true
        for (const c of chunks(up.splice(0))) {
          for (const e of st.receive(c, p.clock.t)) {
            if (e.type === 'packet') p.conn.receive(e.data, p.clock.t, e.quickAck)
            else if (e.type === 'close' || e.type === 'fallback') throw new Error(`server transport: ${e.type} ${e.reason}`)
          }
          for (const o of p.conn.takeOutgoing(p.clock.t)) st.send(o)
          down.push(...st.takeOutgoing())
        }
      }
      for (const o of p.conn.takeOutgoing(p.clock.t)) st.send(o)
      down.push(...st.takeOutgoing())
      if (down.length) {
        moved = true
        for (const c of chunks(down.splice(0))) {
          for (const e of ct.receive(c, p.clock.t)) {
            if (e.type === 'packet') p.clientEvents.push(...p.client.receive(e.data, p.clock.t))
            else if (e.type === 'quickAck') p.clientEvents.push(...p.client.receiveQuickAck(e.token))
          }
          up.push(...ct.takeOutgoing())
        }
      }
      return moved
    }
    const sizes = [0, 4, 100, 1000, 16_384, 100_000]
    const results = sizes.map((n) => p.client.invoke({ _: 'mtwire.echo', payload: new Uint8Array(n).fill(n & 255) }))
    const pong = p.client.invoke({ _: 'ping', ping_id: 11n })
    for (let i = 0; i < 100 && step(); i++);
    const got = await soon(Promise.all(results))
    expect(got.map((r: any) => hex(r.payload))).toEqual(sizes.map((n) => hex(new Uint8Array(n).fill(n & 255))))
    expect(await soon(pong)).toMatchObject({ _: 'pong', ping_id: 11n })
    const acks = p.clientEvents.filter((e) => e.type === 'quickAck')
    if (cfg.quickAck) expect(acks.length).toBeGreaterThan(0)
    else expect(acks).toEqual([])
    expect(p.clientEvents.filter((e) => e.type === 'error')).toEqual([])
    expect(p.serverEvents.filter((e) => e.type === 'error' || e.type === 'close')).toEqual([])
  })
})
