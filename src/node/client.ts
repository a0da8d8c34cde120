/**
 * The Node client driver: `connect()` opens TCP connections (node:net) for a `ClientLink` and
 * runs it with the shared loop (`Client`, src/session/runner.ts). Every protocol decision is in
 * the link and below; this file only turns options into the link's and sockets into reports.
 *
 *   const client = await connect({ host: '127.0.0.1', port, rsaKeys: [pem], transport: 'obfuscated2' })
 *   const pong = await client.invoke({ _: 'ping', ping_id: 1n })
 *   client.on('update', (e) => console.log(e.body))
 *   save(client.exportState())   // and connect({ ..., state }) next time: no handshake
 *   await client.close()
 */
import * as net from 'node:net'
import { parsePublicKeyPem, type ServerPublicKey } from '../auth/rsa.js'
import { createCrypto } from '../crypto/create.js'
import type { Crypto } from '../crypto/types.js'
import { SessionError } from '../errors.js'
import type { ClientLinkOptions } from '../session/link.js'
import { Client, type Dialer } from '../session/runner.js'

export interface ConnectOptions extends Omit<ClientLinkOptions, 'crypto' | 'rsaKeys' | 'dcId' | 'onOutgoing' | 'webSocketFrames'> {
  /** Default 127.0.0.1. */
  host?: string
  port: number
  /** Default 2. */
  dcId?: number
  /** The server's RSA public keys, as `parsePublicKeyPem` results or PEM text (PKCS#1 or SPKI). Default: Telegram's. */
  rsaKeys?: readonly (ServerPublicKey | string)[]
  /** Default: `createCrypto()` (the best backend here). */
  crypto?: Crypto
}

/** Connects (handshake first when `state` has no key) and resolves once the client is ready. */
export async function connect(options: ConnectOptions): Promise<Client> {
  if (!options || typeof options !== 'object') throw new SessionError('E_OPTION', 'connect() needs options')
  const { host = '127.0.0.1', port } = options
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SessionError('E_OPTION', 'port must be an integer in 1..65535')
  if (typeof host !== 'string' || host === '') throw new SessionError('E_OPTION', 'host must be a host name or address')
  const crypto = options.crypto ?? (await createCrypto())
  const rsaKeys = options.rsaKeys?.map((k) => (typeof k === 'string' ? parsePublicKeyPem(crypto, k) : k))
  // the Host header of HTTP and WebSocket requests: as a browser would send it
  const hostHeader = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const client = new Client({ ...options, crypto, rsaKeys, dcId: options.dcId ?? 2, host: hostHeader }, tcpDialer(host, port))
  await client.start()
  return client
}

/** Where every client socket reads (see `onread` below); 64 KiB, as Node's own reads; made at the first connection. */
let readBuffer: Uint8Array | undefined

/** Opens TCP connections to host:port. */
export function tcpDialer(host: string, port: number): Dialer {
  return {
    dial(report) {
      // `onread`: Node reads into one buffer shared by every client socket, with no stream
      // machinery and no allocation per read. Safe because the layers copy what they keep
      // before report.data() returns. A runtime without `onread` emits 'data' instead.
      let viaOnread = false
      const sock = net.connect({
        host,
        port,
        onread: {
          buffer: (readBuffer ??= new Uint8Array(65536)),
          callback: (n: number, b: Uint8Array) => {
            viaOnread = true
            report.data(b.subarray(0, n))
            return true // keep reading (false would pause the socket)
          },
        },
      })
      sock.setNoDelay(true)
      let failure: Error | undefined
      sock.on('connect', () => report.open())
      sock.on('data', (b: Buffer) => {
        if (!viaOnread) report.data(new Uint8Array(b.buffer, b.byteOffset, b.length))
      })
      sock.on('error', (e) => (failure = e))
      sock.on('close', () => report.closed(failure))
      return {
        write: (data) => void sock.write(data),
        close: () => {
          sock.end()
          // a peer that never closes its side does not keep us waiting
          setTimeout(() => sock.destroy(), 1000).unref()
        },
      }
    },
  }
}
