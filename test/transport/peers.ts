/**
 * Drives the peers' obfuscated2 codecs without sockets, for interop tests and the benchmark:
 * GramJS (`telegram`): ObfuscatedIO / MTProxyIO from network/connection; mtcute: the exported
 * ObfuscatedPacketCodec with an IntermediatePacketCodec inside. Their randomness comes from
 * their own RNG (GramJS) or from a node:crypto provider given to mtcute, never from mtwire.
 */
import * as nodeCrypto from 'node:crypto'
import { createRequire } from 'node:module'
import { Bytes } from '@fuman/io'
import { IntermediatePacketCodec, ObfuscatedPacketCodec, PaddedIntermediatePacketCodec } from '@mtcute/core'

const require = createRequire(import.meta.url)

/** A minimal mtcute crypto provider on node:crypto (the surface the transport codecs use). */
export function mtcuteCrypto(): any {
  return {
    randomBytes: (n: number) => new Uint8Array(nodeCrypto.randomBytes(n)),
    randomFill: (b: Uint8Array) => nodeCrypto.randomFillSync(b),
    sha256: (d: Uint8Array) => new Uint8Array(nodeCrypto.createHash('sha256').update(d).digest()),
    hmacSha256: async (d: Uint8Array, k: Uint8Array) => new Uint8Array(nodeCrypto.createHmac('sha256', k).update(d).digest()),
    createAesCtr(key: Uint8Array, iv: Uint8Array) {
      const c = nodeCrypto.createCipheriv('aes-256-ctr', key, iv)
      return { process: (d: Uint8Array) => new Uint8Array(c.update(d)), close() {} }
    },
  }
}

const noLog: any = { create: () => noLog, debug() {}, warn() {}, error() {}, info() {}, verbose() {} }

export interface MtcuteObfuscated {
  header: Uint8Array
  encode(packet: Uint8Array): Promise<Uint8Array>
  decode(wire: Uint8Array): Promise<Uint8Array[]>
}

export async function mtcuteObfuscated(opts: { padded?: boolean; proxy?: { dcId: number; media: boolean; test: boolean; secret: Uint8Array } } = {}): Promise<MtcuteObfuscated> {
  const inner = opts.padded ? new PaddedIntermediatePacketCodec() : new IntermediatePacketCodec()
  const codec = new ObfuscatedPacketCodec(inner, opts.proxy as any)
  codec.setup(mtcuteCrypto(), noLog)
  const header = await codec.tag()
  const into = Bytes.alloc(1 << 16)
  const reader = Bytes.alloc(1 << 16)
  return {
    header,
    async encode(packet) {
      into.reset()
      await codec.encode(packet, into)
      return into.result().slice()
    },
    async decode(wire) {
      reader.writeSync(wire.length).set(wire)
      const out: Uint8Array[] = []
      for (;;) {
        const p = await codec.decode(reader, false)
        if (!p) break
        out.push(p.slice())
      }
      return out
    },
  }
}

export interface GramjsObfuscated {
  header: Uint8Array
  /** Abridged-encodes and encrypts one packet (what GramJS writes to its socket). */
  encode(packet: Uint8Array): Uint8Array
  /** Decrypts bytes as GramJS's reader would. */
  decrypt(wire: Uint8Array): Uint8Array
}

export async function gramjsObfuscated(opts: { secret?: Uint8Array; dcId?: number } = {}): Promise<GramjsObfuscated> {
  require('telegram') // load the package root first: its connection modules import each other in a cycle
  const { AbridgedPacketCodec } = require('telegram/network/connection/TCPAbridged')
  const written: Buffer[] = []
  let pending: Buffer = Buffer.alloc(0)
  const socket = {
    write: (b: Buffer) => written.push(b),
    readExactly: async (n: number) => {
      const r = pending.subarray(0, n)
      pending = pending.subarray(n)
      return r
    },
  }
  // The IO classes are not exported: reach them through the connection classes that hold them.
  const connArgs = { ip: '127.0.0.1', port: 1, dcId: 2, loggers: noLog, socket: class {}, testServers: false }
  let io: any
  if (opts.secret) {
    const { ConnectionTCPMTProxyAbridged } = require('telegram/network/connection/TCPMTProxy')
    const proxy = { ip: '127.0.0.1', port: 1, secret: Buffer.from(opts.secret).toString('hex'), MTProxy: true }
    const MTProxyIO = new ConnectionTCPMTProxyAbridged({ ...connArgs, proxy }).ObfuscatedIO
    io = new MTProxyIO({ socket, PacketCodecClass: AbridgedPacketCodec, _secret: Buffer.from(opts.secret), _dcId: opts.dcId })
  } else {
    const { ConnectionTCPObfuscated } = require('telegram/network/connection/TCPObfuscated')
    const ObfuscatedIO = new ConnectionTCPObfuscated({ ...connArgs, proxy: undefined }).ObfuscatedIO
    io = new ObfuscatedIO({ socket, PacketCodecClass: AbridgedPacketCodec })
  }
  await io.initHeader()
  const codec = new AbridgedPacketCodec({})
  return {
    header: new Uint8Array(io.header),
    encode(packet) {
      written.length = 0
      io.write(codec.encodePacket(Buffer.from(packet.buffer, packet.byteOffset, packet.length)))
      return new Uint8Array(Buffer.concat(written))
    },
    decrypt(wire) {
      return new Uint8Array(io._decrypt.encrypt(Buffer.from(wire)))
    },
  }
}


/**
 * mtcute's fake-TLS client, driven without a socket: its BaseMtProxyTransport performs the
 * handshake (its own ClientHello generator and server-hello MAC check) over an in-memory
 * connection whose other end is `serve`, then its FakeTlsPacketCodec frames traffic.
 */
export async function mtcuteFakeTls(
  secretHex: string,
  dc: { dcId: number; test: boolean; media: boolean },
  serve: (bytes: Uint8Array) => Uint8Array,
): Promise<{ encode(p: Uint8Array): Promise<Uint8Array>; decode(wire: Uint8Array): Promise<Uint8Array[]> }> {
  const { BaseMtProxyTransport } = await import('@mtcute/core')
  const crypto = mtcuteCrypto()
  const t: any = new (BaseMtProxyTransport as any)({ host: '127.0.0.1', port: 1, secret: secretHex })
  t.setup(crypto, noLog)
  let inbox = new Uint8Array(0)
  const conn = {
    async write(b: Uint8Array) {
      const answer = serve(new Uint8Array(b))
      const n = new Uint8Array(inbox.length + answer.length)
      n.set(inbox)
      n.set(answer, inbox.length)
      inbox = n
    },
    async read(into: Uint8Array) {
      const k = Math.min(into.length, inbox.length)
      into.set(inbox.subarray(0, k))
      inbox = inbox.subarray(k)
      return k
    },
  }
  await t._handleConnectFakeTls(conn)
  const codec = t.packetCodec({ id: dc.dcId, testMode: dc.test, mediaOnly: dc.media })
  if (codec.constructor.name !== 'FakeTlsPacketCodec') throw new Error('expected a fake-TLS codec')
  codec.setup(crypto, noLog)
  await codec.tag()
  const into = Bytes.alloc(1 << 16)
  const reader = Bytes.alloc(1 << 16)
  return {
    async encode(p) {
      into.reset()
      await codec.encode(p, into)
      return into.result().slice()
    },
    async decode(wire) {
      reader.writeSync(wire.length).set(wire)
      const out: Uint8Array[] = []
      for (;;) {
        const p = await codec.decode(reader, false)
        if (!p) break
        out.push(p.slice())
      }
      return out
    },
  }
}
