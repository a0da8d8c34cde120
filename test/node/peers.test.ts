/**
 * Real third-party clients against the server driver (in-process): mtcute with PFS (a
 * permanent and a temporary key, bound) over intermediate, obfuscated2 and MTProxy dd / ee, and
 * GramJS (its own handshake, then pings) over full, abridged, obfuscated2 and WebSocket. The
 * keys are injected as checklist section B says; the full interop suite against `mtwire serve`
 * as a process is the interop work's.
 */
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import '../../src/node/index.js'
import { createCryptoSync } from '../../src/crypto/index.js'
import { publicKeyToPem } from '../../src/auth/rsa.js'
import { createServer, type MtwireServer, type ServerLogEvent } from '../../src/node/server.js'

const require = createRequire(import.meta.url)
const crypto = createCryptoSync()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const DD = 'dd' + hex(crypto.randomBytes(16))
const EE = 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex')
let server: MtwireServer
let port: number
const log: ServerLogEvent[] = []

beforeAll(async () => {
  server = createServer({ crypto, secrets: [DD, EE], log: (e) => log.push(e) })
  port = (await server.listen(0, '127.0.0.1')).port
}, 30_000)
afterAll(() => server.close())

/**
 * GramJS and mtcute drop a leading zero byte of the auth key (checklist §1.13): about one
 * handshake in 256 fails their own check against a correct server. Such a failure is retried once.
 */
async function retryOnce<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch {
    return f()
  }
}

describe('mtcute 0.30 (BaseTelegramClient, usePfs)', () => {
  const transports = ['intermediate', 'obfuscated2', 'MTProxy dd', 'MTProxy ee'] as const
  it.each(transports)('%s: permanent + temporary key bound, an RPC answered', async (name) => {
    const { BaseTelegramClient, TcpTransport, MtProxyTcpTransport } = await import('@mtcute/node')
    const { MemoryStorage, ObfuscatedPacketCodec, IntermediatePacketCodec } = await import('@mtcute/core')
    const { addPublicKey, NodeCryptoProvider } = await import('@mtcute/node/utils.js')
    addPublicKey(new NodeCryptoProvider(), publicKeyToPem(server.rsaKeys[0]))
    const dc = { id: 2, ipAddress: '127.0.0.1', port }
    const transport =
      name === 'intermediate' ? new TcpTransport()
        : name === 'obfuscated2' ? { connect: (d: never) => new TcpTransport().connect(d), packetCodec: () => new ObfuscatedPacketCodec(new IntermediatePacketCodec()) }
          : new MtProxyTcpTransport({ host: '127.0.0.1', port, secret: name === 'MTProxy dd' ? DD : EE })
    const before = log.length
    await retryOnce(async () => {
      const tg = new BaseTelegramClient({
        apiId: 1, apiHash: '0'.repeat(32), storage: new MemoryStorage(), defaultDcs: { main: dc, media: dc },
        transport: transport as never, logLevel: 0, network: { usePfs: true },
      })
      try {
        await tg.connect()
        const r = await tg.call({ _: 'help.getNearestDc' })
        expect(r).toMatchObject({ _: 'nearestDc', thisDc: 2 })
      } finally {
        await tg.destroy()
      }
    })
    const mine = log.slice(before)
    const keys = mine.filter((e) => e.event === 'auth-key') as { keyId: string; temporary: boolean }[]
    expect(keys.map((e) => e.temporary)).toEqual(expect.arrayContaining([false, true]))
    // the temporary key was bound to the permanent one (auth.bindTempAuthKey accepted)
    const temp = BigInt.asIntN(64, BigInt('0x' + keys.find((e) => e.temporary)!.keyId))
    const perm = BigInt.asIntN(64, BigInt('0x' + keys.filter((e) => !e.temporary).at(-1)!.keyId))
    expect(server.keyStore.bindingOfTemp(temp, Math.floor(Date.now() / 1000))?.permId).toBe(perm)
    const detected = mine.find((e) => e.event === 'detected') as { transport: string; secret?: number }
    expect(detected.transport).toBe(name === 'intermediate' ? 'plain' : name === 'MTProxy ee' ? 'fake-tls' : 'obfuscated2')
  }, 30_000)
})

describe('GramJS 2.26 (MTProtoSender, its own handshake)', () => {
  it.each(['ConnectionTCPFull', 'ConnectionTCPAbridged', 'ConnectionTCPObfuscated', 'WebSocket'])('%s: handshake, then pings (from salt 0: bad_server_salt handled)', async (kind) => {
    const bigInt = require('big-integer')
    const { Api } = require('telegram')
    const { MTProtoSender } = require('telegram/network')
    const { PromisedNetSockets, PromisedWebSockets, Logger } = require('telegram/extensions')
    const { LogLevel } = require('telegram/extensions/Logger')
    const conn = require('telegram/network/connection')
    const { _serverKeys } = require('telegram/crypto/RSA')
    const k = server.rsaKeys[0]
    _serverKeys.set(BigInt.asIntN(64, k.fingerprint).toString(), { n: bigInt(hex(k.n), 16), e: 65537 })
    const logger = new Logger(LogLevel.NONE)
    const socket = kind === 'WebSocket' ? PromisedWebSockets : PromisedNetSockets
    await retryOnce(async () => {
      const sender = new MTProtoSender(undefined, {
        logger, dcId: 2, retries: 1, reconnectRetries: 0, delay: 100, autoReconnect: false, connectTimeout: 10,
        authKeyCallback: undefined, isMainSender: true, client: { networkSocket: socket, _errorHandler: undefined }, securityChecks: true, _exportedSenderPromises: new Map(),
      })
      const Conn = conn[kind === 'WebSocket' ? 'ConnectionTCPObfuscated' : kind]
      expect(await sender.connect(new Conn({ ip: '127.0.0.1', port, dcId: 2, loggers: logger, socket, testServers: false }), false)).toBe(true)
      try {
        for (const id of [1, 2]) expect((await sender.send(new Api.Ping({ pingId: bigInt(id) }))).pingId.toString()).toBe(String(id))
      } finally {
        await sender.disconnect()
      }
    })
  }, 30_000)

  it('the server saw a WebSocket connection among them', () => {
    expect(log.some((e) => e.event === 'detected' && (e as { websocket?: string }).websocket === '/apiws')).toBe(true)
  })
})
