/**
 * Our sans-IO client (test/proxy/client.ts) → createProxy (the runner of `mtwire proxy`) → a
 * recording loopback DC (test/proxy/dc.ts) with plain, dd and ee secrets: a permanent and a
 * temporary key, bound (PFS), pings and queries, and the packets the DC received are the ones
 * the client sent, and the client received the ones the DC sent, byte for byte. The same through
 * real `mtwire proxy` and `mtwire serve` processes, with the client driver, mtcute and GramJS:
 * serve.test.ts.
 */
import { randomFillSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateRsaKey, type GeneratedRsaKey } from '../../src/auth/index.js'
import { createCryptoSync } from '../../src/crypto/create.js'
// the Node entry: node:crypto where Node 18 has no WebCrypto global (RSA key generation)
import '../../src/node/index.js'
import { createProxy, type Proxy } from '../../src/node/proxy.js'
import { TlWriter } from '../../src/tl/writer.js'
import { connectOurs } from './client.js'
import { startDc, type TestDc } from './dc.js'

const crypto = createCryptoSync({ random: (b) => void randomFillSync(b) })
const KEY = '0123456789abcdef0123456789abcdef'
const KEY_DD = 'fedcba9876543210fedcba9876543210'
const KEY_EE = '11223344556677889900aabbccddeeff'
const domain = Buffer.from('example.com').toString('hex')
const SECRETS = { plain: KEY, dd: `dd${KEY_DD}`, ee: `ee${KEY_EE}${domain}` }
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

let key: GeneratedRsaKey
let dc: TestDc
let proxy: Proxy

beforeAll(async () => {
  key = await generateRsaKey(crypto)
  dc = await startDc(crypto, key)
  proxy = await createProxy({
    crypto, host: '127.0.0.1', port: 0,
    secrets: [`plain=${SECRETS.plain}`, `padded=${SECRETS.dd}`, `tls=${SECRETS.ee}`],
    upstream: { '*': `127.0.0.1:${dc.port}` },
    // refused clients would go to example.com: nothing here is refused, and nothing leaves loopback
    tlsFallback: '127.0.0.1:9',
  })
}, 30_000)
afterAll(async () => {
  await proxy?.close()
  await dc?.close()
})

/** The DC connection that received exactly these packets first. */
function dcConnectionOf(first: Uint8Array): number {
  return dc.received.findIndex((r) => r.length > 0 && hex(r[0]) === hex(first))
}

const getNearestDc = (): Uint8Array => {
  const w = new TlWriter(null, 8)
  w.int(0x1fb33026)
  return w.result().slice()
}

describe('our client through the proxy', () => {
  it.each(Object.keys(SECRETS) as (keyof typeof SECRETS)[])('%s secret: perm and temp keys, binding, ping, a query; bytes unchanged both ways', async (kind) => {
    const c = await connectOurs(crypto, proxy.address.port, SECRETS[kind], key.publicKey)
    try {
      const pong = (await c.session.invoke({ _: 'ping', ping_id: 77n })) as { ping_id: bigint }
      expect(pong.ping_id).toBe(77n)
      expect(c.events.some((e) => e.type === 'bound')).toBe(true)
      const r = (await c.session.invoke(getNearestDc())) as Uint8Array
      expect(hex(r.subarray(0, 4))).toBe('75171a8e')
      // the binding reached the DC: the temp key, bound to the perm key
      expect(dc.keys.bindings.some((b) => b.permId === c.perm.authKeyId && b.tempId === c.temp.authKeyId)).toBe(true)
      const i = dcConnectionOf(c.sent[0])
      expect(i).toBeGreaterThanOrEqual(0)
      // let the last answers arrive, then compare both directions
      await new Promise((res) => setTimeout(res, 100))
      expect(dc.received[i].map(hex)).toEqual(c.sent.map(hex))
      expect(c.received.map(hex)).toEqual(dc.sent[i].map(hex))
      expect(dc.connections[i]).toMatchObject({ transport: 'obfuscated2', dc: { dcId: 2 }, secretIndex: -1 })
    } finally {
      c.close()
    }
    await c.closed
  }, 30_000)
})
