/**
 * Transport throughput: framing plus obfuscated2 (AES-256-CTR) per packet, at 64 KiB (bulk
 * transfers) and 1 KiB (typical RPC traffic), against the obfuscated transports a user would
 * pick instead, each driven without a socket:
 * - GramJS (`telegram`): ObfuscatedIO.write(AbridgedPacketCodec.encodePacket(p)), its
 *   obfuscated TCP connection's send path (abridged only; GramJS's CTR is the pure-JS
 *   @cryptography/aes it ships).
 * - mtcute (`@mtcute/core`): ObfuscatedPacketCodec around IntermediatePacketCodec. Its
 *   `encode` is async (the encryption runs after an `await`), so each call replays its body
 *   synchronously: the inner codec's encode into a fresh Bytes, then `_encryptor.process` into
 *   the output — the same calls in the same order. Two crypto providers: @mtcute/node's
 *   NodeCryptoProvider (node:crypto CTR, AES-NI) and one on @mtcute/wasm's ctr256 (what its web
 *   provider uses).
 * Decoding is measured for mtwire only (client encode + server decrypt/deframe, a round trip):
 * the peers have no server side, and their decoders are async.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Bytes, write } from '@fuman/io'
import { IntermediatePacketCodec, ObfuscatedPacketCodec } from '@mtcute/core'
import { NodeCryptoProvider } from '@mtcute/node/utils.js'
import * as mtcuteWasm from '@mtcute/wasm'
import { rnd, type BenchCase, type BenchSuite } from '../harness.js'
import { availableBackends } from '../backends.js'
import { ClientTransport, ServerTransport } from '../../src/transport/index.js'
import { createCrypto } from '../../src/node/index.js'
import type { Crypto } from '../../src/crypto/types.js'

const require = createRequire(import.meta.url)


const noLog: any = { create: () => noLog, debug() {}, warn() {}, error() {}, info() {}, verbose() {} }

/** mtcute's encode path, synchronously (see the header comment). */
async function mtcuteEncoder(provider: any): Promise<(p: Uint8Array) => Uint8Array> {
  const inner = new IntermediatePacketCodec()
  const codec: any = new ObfuscatedPacketCodec(inner)
  codec.setup(provider, noLog)
  await codec.tag()
  const into = Bytes.alloc(1 << 17)
  return (p) => {
    into.reset()
    const temp = Bytes.alloc(p.length)
    inner.encode(p, temp)
    write.bytes(into, codec._encryptor.process(temp.result()))
    return into.result()
  }
}

function wasmProvider(): any {
  return {
    randomBytes: (n: number) => rnd(n),
    sha256: (d: Uint8Array) => mtcuteWasm.sha256(d),
    createAesCtr(key: Uint8Array, iv: Uint8Array) {
      const h = mtcuteWasm.createCtr256(key, iv)
      return { process: (d: Uint8Array) => mtcuteWasm.ctr256(h, d), close: () => mtcuteWasm.freeCtr256(h) }
    },
  }
}

async function gramjsEncoder(): Promise<(p: Buffer) => unknown> {
  require('telegram') // the connection modules import each other in a cycle; load the root first
  const { AbridgedPacketCodec } = require('telegram/network/connection/TCPAbridged')
  const { ConnectionTCPObfuscated } = require('telegram/network/connection/TCPObfuscated')
  const ObfuscatedIO = new ConnectionTCPObfuscated({ ip: '127.0.0.1', port: 1, dcId: 2, loggers: noLog, socket: class {}, testServers: false }).ObfuscatedIO
  let last: unknown
  const io = new ObfuscatedIO({ socket: { write: (b: Buffer) => (last = b) }, PacketCodecClass: AbridgedPacketCodec })
  await io.initHeader()
  const codec = new AbridgedPacketCodec({})
  return (p) => {
    io.write(codec.encodePacket(p))
    return last
  }
}

const suite: BenchSuite = {
  name: 'transport',
  async cases({ quick }) {
    mtcuteWasm.initSync(readFileSync(require.resolve('@mtcute/wasm/mtcute-simd.wasm')))
    // each backend alone (native: false), and the Node default with node:crypto's AES-CTR
    const backends: { c: Crypto; label: string }[] = (await availableBackends({ native: false })).map((c) => ({ c, label: c.backend }))
    const nodeDefault = await createCrypto()
    backends.push({ c: nodeDefault, label: `${nodeDefault.backend} +node:crypto` })
    const cases: BenchCase[] = []
    const sizes = quick ? [65536] : [1024, 65536]
    for (const size of sizes) {
      const packet = rnd(size)
      const buf = Buffer.from(packet)
      for (const { c, label } of backends) {
        const impl = `mtwire ${label}`
        for (const framing of ['abridged', 'intermediate'] as const) {
          const client = new ClientTransport({ crypto: c, framing, obfuscated: true, dcId: 2 })
          client.start()
          client.takeOutgoing()
          cases.push({ impl, op: `obfuscated2-${framing}-encode`, size, fn: () => (client.send(packet), client.takeOutgoing()) })
        }
        // round trip: client encode, server decrypt + deframe (mtwire only)
        const cl = new ClientTransport({ crypto: c, framing: 'intermediate', obfuscated: true, dcId: 2 })
        const sv = new ServerTransport({ crypto: c })
        cl.start()
        for (const b of cl.takeOutgoing()) sv.receive(b)
        const roundTrip = (client: ClientTransport, server: ServerTransport) => () => {
          client.send(packet)
          let ev
          for (const b of client.takeOutgoing()) ev = server.receive(b)
          return ev
        }
        cases.push({ impl, op: 'obfuscated2-intermediate-roundtrip', size, fn: roundTrip(cl, sv) })
        // fake-TLS client: padded framing, obfuscated2, TLS records
        const secret = 'ee' + '11'.repeat(16) + Buffer.from('example.com').toString('hex')
        const tc = new ClientTransport({ crypto: c, proxySecret: secret, dcId: 2 })
        const ts = new ServerTransport({ crypto: c, secrets: [secret] })
        tc.start()
        for (const b of tc.takeOutgoing()) ts.receive(b)
        for (const b of ts.takeOutgoing()) tc.receive(b)
        for (const b of tc.takeOutgoing()) ts.receive(b)
        cases.push({ impl, op: 'faketls-padded-roundtrip', size, fn: roundTrip(tc, ts) })
      }
      const g = await gramjsEncoder()
      cases.push({ impl: 'telegram (GramJS)', peer: true, op: 'obfuscated2-abridged-encode', size, fn: () => g(buf) })
      const mn = await mtcuteEncoder(new NodeCryptoProvider())
      cases.push({ impl: '@mtcute/core + node:crypto', peer: true, op: 'obfuscated2-intermediate-encode', size, fn: () => mn(packet) })
      const mw = await mtcuteEncoder(wasmProvider())
      cases.push({ impl: '@mtcute/core + @mtcute/wasm', peer: true, op: 'obfuscated2-intermediate-encode', size, fn: () => mw(packet) })
    }
    return cases
  },
}

export default suite
