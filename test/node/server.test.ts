/**
 * The server driver in-process (src/node/server.ts) with clients built from our sans-IO layers
 * over node:net (test/node/client.ts): every transport on one port, permanent and temporary
 * keys, the handler chain (service messages, mtwire.*, help.getNearestDc, rpc_error, an
 * embedder's handler), HTTP long polling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import '../../src/node/index.js' // the Node platform (node:crypto CSPRNG and big numbers)
import { createCryptoSync } from '../../src/crypto/index.js'
import type { ServerPublicKey } from '../../src/auth/rsa.js'
import { createServer, type MtwireServer, type ServerLogEvent } from '../../src/node/server.js'
import { RpcError } from '../../src/session/errors.js'
import { handshake, linkSpecs, openLink, TestSession, until } from './client.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { SecretChat, type SecretChatEvent } from '../../src/secret/chat.js'
import type { SecretDhConfig } from '../../src/secret/types.js'
import { mergeCodecs } from '../../src/tl/codec.js'
import { apiSecretCodec } from '../../src/tl/generated/api-secret.js'
import { mtprotoCodec } from '../../src/tl/generated/mtproto.js'
import { mtwireCodec } from '../../src/tl/generated/mtwire.js'

const crypto = createCryptoSync()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const SECRETS = {
  plain: hex(crypto.randomBytes(16)),
  dd: 'dd' + hex(crypto.randomBytes(16)),
  ee: 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex'),
}

let server: MtwireServer
let port: number
let key: ServerPublicKey
const log: ServerLogEvent[] = []

beforeAll(async () => {
  server = createServer({
    crypto,
    secrets: [SECRETS.plain, SECRETS.dd, SECRETS.ee],
    log: (e) => log.push(e),
    handler: (call) => (call.constructorId === 0xdeadbeef ? new RpcError(403, 'EMBEDDER_SAYS_NO') : undefined),
  })
  port = (await server.listen(0, '127.0.0.1')).port
  const k = server.rsaKeys[0]
  key = { n: k.n, e: k.e, fingerprint: k.fingerprint }
}, 30_000)
afterAll(() => server.close())

describe.each(linkSpecs(SECRETS))('over %s', (name, spec) => {
  it('a permanent key, then ping, mtwire.echo, help.getNearestDc and an unknown method on the same connection', async () => {
    const link = await openLink(crypto, port, spec)
    try {
      const k = await handshake(crypto, link, key)
      expect(k.authKey.length).toBe(256)
      expect(server.keyStore.get(k.authKeyId, Math.floor(Date.now() / 1000))?.temporary).toBe(false)
      const s = new TestSession(crypto, link, k)
      try {
        expect(await s.invoke({ _: 'ping', ping_id: 7n })).toMatchObject({ _: 'pong', ping_id: 7n })
        const payload = crypto.randomBytes(1024)
        expect(hex(((await s.invoke({ _: 'mtwire.echo', payload })) as { payload: Uint8Array }).payload)).toBe(hex(payload))
        // help.getNearestDc#1fb33026 → nearestDc#8e1a1775 country:string this_dc:int nearest_dc:int
        const dc = (await s.invoke(new Uint8Array([0x26, 0x30, 0xb3, 0x1f]))) as Uint8Array
        expect(hex(dc.subarray(0, 4))).toBe('75171a8e')
        await expect(s.invoke(new Uint8Array([0x01, 0x02, 0x03, 0x04]))).rejects.toMatchObject({ errorCode: 400, errorMessage: 'INPUT_METHOD_INVALID_4030201' })
        await expect(s.invoke(new Uint8Array([0xef, 0xbe, 0xad, 0xde]))).rejects.toMatchObject({ errorCode: 403, errorMessage: 'EMBEDDER_SAYS_NO' })
        // the key's first message made the server forget its handshake's remembered answers
        expect(server.handshakes.inFlight).toBe(0)
      } finally {
        s.close()
      }
    } finally {
      link.close()
    }
    void name
  }, 30_000)
})

describe('temporary keys (PFS)', () => {
  it.each(['intermediate', 'obfuscated2', 'MTProxy ee secret (fake-TLS)', 'WebSocket', 'HTTP'])('over %s: a permanent key, a temporary one bound to it, RPCs under the temporary key', async (name) => {
    const spec = linkSpecs(SECRETS).find(([n]) => n === name)![1]
    const link = await openLink(crypto, port, spec)
    try {
      const perm = await handshake(crypto, link, key)
      const temp = await handshake(crypto, link, key, { expiresIn: 3600 })
      expect(temp.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3000)
      const nowSec = Math.floor(Date.now() / 1000)
      expect(server.keyStore.get(temp.authKeyId, nowSec)).toMatchObject({ temporary: true })
      const s = new TestSession(crypto, link, perm)
      try {
        // an unbound temporary key serves only the binding (api/pfs): the session holds requests until bound
        s.session.useTempKey(createAuthKey(temp.authKey), temp.expiresAt!)
        const echo = s.invoke({ _: 'mtwire.echo', payload: new Uint8Array([1, 2, 3]) })
        s.flush()
        expect(await echo).toMatchObject({ payload: new Uint8Array([1, 2, 3]) })
        expect(s.events.filter((e) => e.type === 'bound')).toHaveLength(1)
        expect(server.keyStore.bindingOfTemp(temp.authKeyId, nowSec)).toMatchObject({ permId: perm.authKeyId, tempId: temp.authKeyId })
        // both handshakes are forgotten: the temporary key's at its first message, the permanent key's at the bind
        expect(server.handshakes.inFlight).toBe(0)
      } finally {
        s.close()
      }
    } finally {
      link.close()
    }
  }, 30_000)
})

describe('HTTP long polling (http_wait)', () => {
  it('an http_wait request is held until the server has something, then answered with it; else an empty container at max_wait', async () => {
    const link = await openLink(crypto, port, { kind: 'http' })
    try {
      const k = await handshake(crypto, link, key)
      const s = new TestSession(crypto, link, k)
      try {
        expect(await s.invoke({ _: 'ping', ping_id: 1n })).toMatchObject({ _: 'pong' })
        const keyId = k.authKeyId
        const sessionId = s.session.sessionId
        // the long poll: max_wait 3 s; after 300 ms the server pushes an update to the session
        const sent = Date.now()
        s.session.httpWait(0, 0, 3000)
        s.flush()
        setTimeout(() => server.sessions.findSession(keyId, sessionId)!.send({ _: 'mtwire.payload', payload: new Uint8Array([9, 9, 9, 9]) }), 300)
        await until(() => s.events.some((e) => e.type === 'update'), 5000, 'the pushed update')
        const took = Date.now() - sent
        expect(took).toBeGreaterThanOrEqual(250)
        expect(took).toBeLessThan(2500) // not held until max_wait
        expect(s.events.find((e) => e.type === 'update')).toMatchObject({ body: { _: 'mtwire.payload', payload: new Uint8Array([9, 9, 9, 9]) } })
        // nothing to say: answered at max_wait (an empty container), not before
        const arrivals: number[] = []
        const onPacket = link.onPacket
        link.onPacket = (p) => {
          arrivals.push(Date.now())
          onPacket(p)
        }
        const t0 = Date.now()
        s.session.httpWait(0, 0, 500)
        s.flush()
        await until(() => arrivals.length > 0, 5000, 'the empty answer at max_wait')
        expect(arrivals[0] - t0).toBeGreaterThanOrEqual(450)
        expect(arrivals[0] - t0).toBeLessThan(2000)
        expect(s.events.filter((e) => e.type === 'error')).toEqual([])
        // a poll on one connection, a query on another (each request is its own here): the query
        // is answered at once, the poll it left behind at its max_wait, and nothing spins meanwhile
        arrivals.length = 0
        const t1 = Date.now()
        const cpu0 = process.cpuUsage()
        s.session.httpWait(0, 0, 1200)
        s.flush()
        await new Promise((r) => setTimeout(r, 50))
        expect(await s.invoke({ _: 'ping', ping_id: 3n })).toMatchObject({ ping_id: 3n })
        expect(Date.now() - t1).toBeLessThan(1000)
        await until(() => arrivals.some((t) => t - t1 >= 1100), 5000, 'the poll answered at max_wait')
        const cpu = process.cpuUsage(cpu0)
        expect((cpu.user + cpu.system) / 1000).toBeLessThan(600) // ms of CPU in ~1.2 s: no hot loop
      } finally {
        s.close()
      }
    } finally {
      link.close()
    }
  }, 30_000)
})

describe('secret chats between two clients of the server', () => {
  it('Alice and Bob (each its own key and connection) open a secret chat and exchange messages both ways', async () => {
    const codec = mergeCodecs(mtprotoCodec, mtwireCodec, apiSecretCodec)
    const clients = await Promise.all(['intermediate', 'WebSocket'].map(async (name) => {
      const link = await openLink(crypto, port, linkSpecs(SECRETS).find(([n]) => n === name)![1])
      const k = await handshake(crypto, link, key)
      return { link, k, s: new TestSession(crypto, link, k, { codec }), chat: undefined as SecretChat | undefined, seen: [] as string[] }
    }))
    const [alice, bob] = clients
    try {
      const dh = await alice.s.invoke<SecretDhConfig>({ _: 'messages.getDhConfig', version: 0, random_length: 256 })
      await bob.s.invoke({ _: 'updates.getState' }) // Bob is online: his session gets the pushes
      const b = server.relay!.user(bob.k.authKeyId) // Bob's user id and access_hash, handed to Alice out of band
      alice.chat = SecretChat.request({ crypto, dhConfig: dh, userId: { _: 'inputUser', user_id: b.id, access_hash: b.accessHash }, now: Date.now() })
      const note = (c: (typeof clients)[number], evs: SecretChatEvent[]) => {
        for (const e of evs) {
          if (e.type === 'ready') c.seen.push('ready')
          if (e.type === 'message') c.seen.push((e.message as { message: string }).message)
        }
      }
      /** Each chat's requests in order (results fed back where the chat wants them), each session's updates into its chat. */
      const pump = async () => {
        for (const c of clients) {
          for (const q of c.chat?.takeOutgoing() ?? []) {
            const r = await c.s.invoke(q)
            if (q._ === 'messages.requestEncryption') note(c, c.chat!.receive(r as never, Date.now()))
          }
          for (const e of c.s.events.splice(0)) {
            if (e.type !== 'update') continue
            const u = (e.body as { _: string; update: { _: string; chat?: { _: string } } }).update
            if (u._ === 'updateEncryption' && u.chat?._ === 'encryptedChatRequested') {
              c.chat = SecretChat.accept({ crypto, dhConfig: dh, chat: u.chat as never, now: Date.now() }) // Bob's user says yes
              note(c, c.chat.takeEvents())
            } else if (c.chat) note(c, c.chat.receive(u as never, Date.now()))
          }
        }
      }
      const settle = async (done: () => boolean) => {
        for (let i = 0; i < 200 && !done(); i++) {
          await pump()
          await new Promise((r) => setTimeout(r, 10))
        }
      }
      await settle(() => alice.seen.includes('ready') && bob.seen.includes('ready'))
      expect(alice.seen).toContain('ready')
      expect(bob.seen).toContain('ready')
      alice.chat!.send({ message: 'hello, Bob' })
      bob.chat!.send({ message: 'hi Alice' })
      await settle(() => alice.seen.includes('hi Alice') && bob.seen.includes('hello, Bob'))
      expect(bob.seen).toContain('hello, Bob')
      expect(alice.seen).toContain('hi Alice')
    } finally {
      for (const c of clients) {
        c.s.close()
        c.link.close()
      }
    }
  }, 30_000)
})
