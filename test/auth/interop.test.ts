/**
 * Third-party clients' own auth routines against our server over loopback TCP (checklist B):
 * GramJS (`telegram`, network/Authenticator doAuthentication over its MTProtoPlainSender and TCP
 * connection classes), teleproto (GramJS's maintained successor; permanent and temporary keys),
 * and mtcute (@mtcute/core's doAuthorization; p_q_inner_data_dc, RSA_PAD and the legacy
 * encoding for `old` keys). Our server's public key is injected into each; the key both sides
 * hold must be the same.
 *
 * GramJS and mtcute drop a leading zero byte of the auth key (checklist §1.13; teleproto pads to
 * 256 bytes): when our key starts with 0 (1 run in 256) their new_nonce_hash check fails. Exactly
 * that case is retried, and the test says how often it happened.
 */
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/index.js'
import { ClientTransport } from '../../src/transport/client.js'
import { nodeBignumProvider } from '../../src/node/bignum.js'
import { serverKey } from './pair.js'
import { startServer, type TestServer } from './tcp-server.js'
import { hex } from './helpers.js'

const require = createRequire(import.meta.url)
const crypto = createCryptoSync()
let server: TestServer
let key: Awaited<ReturnType<typeof serverKey>>

beforeAll(async () => {
  key = await serverKey(crypto)
  server = await startServer(crypto, { keys: [key.privateKey], bignum: { native: nodeBignumProvider } })
})
afterAll(async () => {
  await server?.close()
})

/** Runs `attempt` until it yields a key, retrying only when our key began with a zero byte. */
async function withZeroByteRetry(attempt: () => Promise<Uint8Array>): Promise<{ theirs: Uint8Array; retries: number }> {
  let retries = 0
  for (;;) {
    const before = server.keys.length
    try {
      return { theirs: await attempt(), retries }
    } catch (e) {
      const made = server.keys.slice(before)
      if (retries < 5 && made.length === 1 && made[0].authKey[0] === 0) {
        retries++
        continue
      }
      throw new Error(`${String(e)}; server: ${server.refusals.slice(-3).join(' | ')}`)
    }
  }
}

/** The key the server made in the last handshake, checked against the client's. */
function expectSameKey(theirs: Uint8Array): void {
  const ours = server.keys[server.keys.length - 1].authKey
  expect(ours.length).toBe(256)
  // a client that kept 255 bytes would have failed new_nonce_hash1 and been retried above
  expect(hex(theirs)).toBe(hex(ours))
}

type GramLike = {
  name: string
  prefix: 'telegram' | 'teleproto'
}

for (const lib of [{ name: 'GramJS', prefix: 'telegram' }, { name: 'teleproto', prefix: 'teleproto' }] as GramLike[]) {
  describe(`${lib.name} doAuthentication against our server`, () => {
    const load = () => {
      const bigInt = require('big-integer')
      const { _serverKeys } = require(`${lib.prefix}/crypto/RSA`)
      const { doAuthentication } = require(`${lib.prefix}/network/Authenticator`)
      const { MTProtoPlainSender } = require(`${lib.prefix}/network/MTProtoPlainSender`)
      const conns = require(`${lib.prefix}/network/connection`)
      const { PromisedNetSockets, Logger } = require(`${lib.prefix}/extensions`)
      const { LogLevel } = require(`${lib.prefix}/extensions/Logger`)
      // GramJS looks keys up by the signed decimal fingerprint (TL longs are read signed)
      _serverKeys.set(key.publicKey.fingerprint.toString(), { n: bigInt(BigInt('0x' + hex(key.publicKey.n)).toString()), e: 65537 })
      return { doAuthentication, MTProtoPlainSender, conns, PromisedNetSockets, log: new Logger(LogLevel.NONE) }
    }
    const run = async (connection: string, temp?: { expiresIn: number; dc: number }) => {
      const { doAuthentication, MTProtoPlainSender, conns, PromisedNetSockets, log } = load()
      return withZeroByteRetry(async () => {
        const conn = new conns[connection]({ ip: '127.0.0.1', port: server.port, dcId: 2, loggers: log, socket: PromisedNetSockets, testServers: false })
        await conn.connect()
        try {
          const sender = new MTProtoPlainSender(conn, log)
          const { authKey } = temp ? await doAuthentication(sender, log, temp) : await doAuthentication(sender, log)
          return new Uint8Array(authKey.getKey())
        } finally {
          await conn.disconnect()
        }
      })
    }
    for (const connection of ['ConnectionTCPFull', 'ConnectionTCPAbridged', 'ConnectionTCPObfuscated']) {
      it(`over ${connection}: a permanent key (p_q_inner_data, RSA_PAD), the same on both sides`, async () => {
        const { theirs, retries } = await run(connection)
        expectSameKey(theirs)
        const k = server.keys[server.keys.length - 1]
        expect(k.innerData).toBe('p_q_inner_data')
        expect(k.encoding).toBe('rsa_pad')
        expect(k.temporary).toBe(false)
        if (retries) console.log(`${lib.name}: retried ${retries}x for a key starting with 0`)
      })
    }
    if (lib.prefix === 'teleproto') {
      it('a temporary key (p_q_inner_data_temp_dc)', async () => {
        const { theirs } = await run('ConnectionTCPFull', { expiresIn: 3600, dc: 2 })
        expectSameKey(theirs)
        const k = server.keys[server.keys.length - 1]
        expect(k.innerData).toBe('p_q_inner_data_temp_dc')
        expect(k.temporary).toBe(true)
        expect(k.dc).toBe(2)
      })
    }
  })
}

/** A file of @mtcute/core that its package exports do not expose (doAuthorization, the TL maps). */
const mtcuteFile = (path: string): string => require.resolve('@mtcute/core').replace(/index\.c?js$/, path)

describe('mtcute doAuthorization against our server', () => {
  /** The parts of mtcute's SessionConnection that doAuthorization touches, over our client transport on node:net. */
  async function mtcuteConnection(mc: unknown, dc: { id: number; mediaOnly?: boolean }) {
    const net = await import('node:net')
    const { __tlReaderMap } = require(mtcuteFile('tl/binary/reader.cjs'))
    const { __tlWriterMap } = require(mtcuteFile('tl/binary/writer.cjs'))
    const sock = net.connect(server.port, '127.0.0.1')
    await new Promise((r, j) => sock.once('connect', r).once('error', j))
    const t = new ClientTransport({ crypto, framing: 'intermediate' })
    const flush = (): void => void t.takeOutgoing().forEach((b) => sock.write(b))
    t.start()
    flush()
    const queue: Uint8Array[] = []
    const waiters: ((p: Uint8Array) => void)[] = []
    let failed: unknown
    const rejecters: ((e: unknown) => void)[] = []
    sock.on('data', (d: Buffer) => {
      try {
        for (const ev of t.receive(new Uint8Array(d))) {
          if (ev.type !== 'packet') continue
          const w = waiters.shift()
          rejecters.shift()
          if (w) w(ev.data)
          else queue.push(ev.data)
        }
      } catch (e) {
        failed = e
        for (const j of rejecters.splice(0)) j(e)
      }
    })
    const noop = () => {}
    const log: any = { debug: noop, verbose: noop, info: noop, warn: noop, error: noop, prefix: '' }
    log.create = () => log
    const { MtprotoSession } = require(mtcuteFile('network/mtproto-session.cjs'))
    const { ServerSaltManager } = require(mtcuteFile('network/server-salt.cjs'))
    return {
      conn: {
        _session: new MtprotoSession(mc, log, __tlReaderMap, __tlWriterMap, new ServerSaltManager()),
        log,
        params: { dc, testMode: false },
        send: async (b: Uint8Array) => {
          t.send(b)
          flush()
        },
        waitForUnencryptedMessage: () =>
          new Promise<Uint8Array>((res, rej) => {
            if (failed) return rej(failed)
            const q = queue.shift()
            if (q) return res(q)
            waiters.push(res)
            rejecters.push(rej)
          }),
      },
      close: () => sock.destroy(),
    }
  }

  const run = async (old: boolean, expiresIn?: number, dc: { id: number; mediaOnly?: boolean } = { id: 2 }) => {
    // all CommonJS: the key index addPublicKey writes must be the one doAuthorization reads
    const { addPublicKey, NodeCryptoProvider } = require('@mtcute/node/utils.js')
    const { doAuthorization } = require(mtcuteFile('network/authorization.cjs'))
    const mc = new NodeCryptoProvider()
    await mc.initialize?.()
    addPublicKey(mc, key.publicKeyPem, old)
    return withZeroByteRetry(async () => {
      const { conn, close } = await mtcuteConnection(mc, dc)
      try {
        const [authKey] = await doAuthorization(conn, mc, expiresIn)
        return new Uint8Array(authKey)
      } finally {
        close()
      }
    })
  }

  it('a permanent key: p_q_inner_data_dc, RSA_PAD, the same on both sides', async () => {
    const { theirs } = await run(false)
    expectSameKey(theirs)
    const k = server.keys[server.keys.length - 1]
    expect(k.innerData).toBe('p_q_inner_data_dc')
    expect(k.encoding).toBe('rsa_pad')
    expect(k.dc).toBe(2)
  })
  it('a temporary key (p_q_inner_data_temp_dc) for a media DC (dc −2)', async () => {
    const { theirs } = await run(false, 86400, { id: 2, mediaOnly: true })
    expectSameKey(theirs)
    const k = server.keys[server.keys.length - 1]
    expect(k.innerData).toBe('p_q_inner_data_temp_dc')
    expect(k.dc).toBe(-2)
    expect(k.temporary).toBe(true)
  })
  it('the legacy RSA encoding (mtcute with an `old` key)', async () => {
    const { theirs } = await run(true)
    expectSameKey(theirs)
    expect(server.keys[server.keys.length - 1].encoding).toBe('legacy')
  })
})
