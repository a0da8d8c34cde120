/**
 * A test-only loopback TCP server for the handshake: node:net, our ServerTransport (detects
 * abridged, intermediate, padded, full, obfuscated2 from the first bytes) and one
 * HandshakeServer connection per socket. The real driver (`mtwire serve`) is issue 19's; this
 * stays small and in test/.
 */
import * as net from 'node:net'
import { HandshakeServer, type HandshakeServerOptions, type NewAuthKey } from '../../src/auth/index.js'
import type { Crypto } from '../../src/crypto/index.js'
import { ServerTransport } from '../../src/transport/server.js'

export interface TestServer {
  readonly port: number
  readonly handshakes: HandshakeServer
  /** Keys created, in order. */
  readonly keys: NewAuthKey[]
  /** Refusals (−404/−444/dh_gen_fail) with their reasons, for failing tests' messages. */
  readonly refusals: string[]
  close(): Promise<void>
}

export async function startServer(crypto: Crypto, options: HandshakeServerOptions): Promise<TestServer> {
  const handshakes = new HandshakeServer(crypto, options)
  const keys: NewAuthKey[] = []
  const refusals: string[] = []
  const sockets = new Set<net.Socket>()
  const srv = net.createServer((sock) => {
    sockets.add(sock)
    const t = new ServerTransport({ crypto })
    const hs = handshakes.connection(sock.remoteAddress ?? '')
    sock.on('error', () => {})
    sock.on('close', () => {
      sockets.delete(sock)
      t.dispose()
    })
    sock.on('data', (chunk: Buffer) => {
      try {
        let close = false
        for (const ev of t.receive(new Uint8Array(chunk))) {
          if (ev.type === 'close') close = true
          if (ev.type !== 'packet') continue
          for (const e of hs.receive(ev.data, Date.now())) {
            if (e.type === 'auth-key') keys.push(e.key)
            else refusals.push(`${e.status}: ${e.reason}`)
          }
          for (const o of hs.takeOutgoing()) t.send(o)
        }
        for (const b of t.takeOutgoing()) sock.write(b)
        if (close) sock.end()
      } catch (e) {
        refusals.push(`transport: ${String(e)}`)
        sock.destroy()
      }
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    port: (srv.address() as net.AddressInfo).port,
    handshakes,
    keys,
    refusals,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        srv.close(() => r())
      }),
  }
}
