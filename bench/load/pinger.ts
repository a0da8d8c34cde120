/**
 * One client library pinging a server, in a process of its own, for the load bench's CPU per
 * request: `node pinger.mjs IMPL PORT N` (the server's PEM on stdin). It connects (its own
 * handshake), warms up, then sends N pings one after another, and prints one JSON line: the CPU
 * time of this process over the N pings (process.cpuUsage(): user + system, every thread) per
 * request, and the wall time per request.
 *
 * The warm-up (bench/load/steady.mjs) is at least 2000 pings and 1.5 s, in the same loop as the
 * timed pings, so that the timed part measures the steady state, not the JIT: msg_ids carry the
 * fraction of the second, and a client whose warm-up saw only part of that range is optimized
 * for it and compiled again inside the timed part; a second loop would be compiled there too.
 *
 * - mtwire: `connect()` (the Node driver), intermediate, `invoke({ _: 'ping' })`;
 * - mtcute 0.30: `BaseTelegramClient`, its default transport (intermediate), the ping inside
 *   `invokeWithoutUpdates` (mtcute resolves a call() only from an rpc_result: checklist §1.16);
 * - GramJS 2.26 and teleproto: `MTProtoSender` (checklist B1), `ConnectionTCPFull` (GramJS's Node
 *   default), `send(new Api.Ping)`.
 */
import { createRequire } from 'node:module'
import { connect } from '../../src/node/index.js'
import { parsePublicKeyPem } from '../../src/auth/rsa.js'
import { createCryptoSync } from '../../src/node/index.js'
import { timedAfterWarmUp } from './steady.mjs'

const require = createRequire(import.meta.url)
const [impl, portArg, nArg] = process.argv.slice(2)
const port = Number(portArg)
const n = Number(nArg)
const pem = await new Promise<string>((r) => {
  let s = ''
  process.stdin.on('data', (d) => (s += d)).on('end', () => r(s))
})
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

async function pinger(): Promise<{ ping(i: number): Promise<unknown>; close(): Promise<void> }> {
  if (impl === 'mtwire') {
    const c = await connect({ port, rsaKeys: [pem], crypto: createCryptoSync() })
    return { ping: (i) => c.invoke({ _: 'ping', ping_id: BigInt(i) }), close: () => c.close() }
  }
  if (impl === 'mtcute') {
    const { BaseTelegramClient, TcpTransport } = await import('@mtcute/node')
    const { MemoryStorage, Long } = await import('@mtcute/core')
    const { addPublicKey, NodeCryptoProvider } = await import('@mtcute/node/utils.js')
    addPublicKey(new NodeCryptoProvider(), pem)
    const dc = { id: 2, ipAddress: '127.0.0.1', port }
    const tg = new BaseTelegramClient({ apiId: 1, apiHash: '0'.repeat(32), storage: new MemoryStorage(), defaultDcs: { main: dc, media: dc }, transport: new TcpTransport(), logLevel: 0 })
    await tg.connect()
    return {
      ping: (i) => tg.call({ _: 'invokeWithoutUpdates', query: { _: 'mt_ping', pingId: Long.fromNumber(i) } } as never),
      close: () => tg.destroy(),
    }
  }
  const lib = impl === 'gramjs' ? 'telegram' : 'teleproto'
  const bigInt = require('big-integer')
  const { Api } = require(lib)
  const { MTProtoSender } = require(`${lib}/network`)
  const { PromisedNetSockets, Logger } = require(`${lib}/extensions`)
  const { LogLevel } = require(`${lib}/extensions/Logger`)
  const { ConnectionTCPFull } = require(`${lib}/network/connection`)
  const { _serverKeys } = require(`${lib}/crypto/RSA`)
  const k = parsePublicKeyPem(createCryptoSync(), pem)
  _serverKeys.set(BigInt.asIntN(64, k.fingerprint).toString(), { n: bigInt(hex(k.n), 16), e: 65537 })
  const logger = new Logger(LogLevel.NONE)
  const s = new MTProtoSender(undefined, {
    logger, dcId: 2, retries: 1, reconnectRetries: 0, delay: 100, autoReconnect: false, connectTimeout: 10,
    authKeyCallback: undefined, isMainSender: true, client: { networkSocket: PromisedNetSockets, _errorHandler: undefined }, securityChecks: true, _exportedSenderPromises: new Map(),
  })
  await s.connect(new ConnectionTCPFull({ ip: '127.0.0.1', port, dcId: 2, loggers: logger, socket: PromisedNetSockets, testServers: false }), false)
  return { ping: (i) => s.send(new Api.Ping({ pingId: bigInt(i) })), close: () => s.disconnect() }
}

// a handshake that fails (the 255-byte key of GramJS/teleproto/mtcute, checklist §1.13) is tried again
let p
for (let attempt = 0; ; attempt++) {
  try {
    p = await pinger()
    break
  } catch (e) {
    if (attempt >= 2) throw e
  }
}
const { cpuUs, wallUs } = await timedAfterWarmUp(n, (i) => p.ping(i))
await p.close()
console.log(JSON.stringify({ impl, n, cpuUsPerReq: (cpuUs.user + cpuUs.system) / n, userUsPerReq: cpuUs.user / n, systemUsPerReq: cpuUs.system / n, wallUsPerReq: wallUs / n }))
process.exit(0)
