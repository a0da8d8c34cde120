/**
 * A recording loopback DC for the proxy's packet-level tests (`mtwire serve` cannot show which
 * packets it received): per socket our ServerTransport (any framing, obfuscated2 without a secret, as a DC
 * accepts), unencrypted packets to the handshake server and encrypted ones to the session
 * server, both on one key store, so a client can create a permanent and a temporary key, bind
 * them (PFS) and ping. Records every packet it received and sent.
 */
import * as net from 'node:net'
import { HandshakeServer, MemoryKeyStore, type Binding, type GeneratedRsaKey, type StoredKey } from '../../src/auth/index.js'
import type { Crypto } from '../../src/crypto/types.js'
import { nodeBignumProvider } from '../../src/node/bignum.js'
import { SessionServer, type RpcCall, type ServerConnection } from '../../src/session/server.js'
import { TlWriter } from '../../src/tl/writer.js'
import { ServerTransport, type ConnectionInfo } from '../../src/transport/server.js'

/** The key store, recording the keys made and the bindings. */
export class RecordingStore extends MemoryKeyStore {
  readonly made: StoredKey[] = []
  readonly bindings: Binding[] = []
  override put(key: StoredKey): void {
    super.put(key)
    this.made.push(key)
  }
  override bind(binding: Binding): void {
    super.bind(binding)
    this.bindings.push(binding)
  }
}

export interface TestDc {
  port: number
  /** Packets received / sent, per connection, in order. */
  received: Uint8Array[][]
  sent: Uint8Array[][]
  connections: ConnectionInfo[]
  calls: string[]
  keys: RecordingStore
  /** Sockets open now. */
  open(): number
  close(): Promise<void>
}

/** help.getNearestDc → nearestDc#8e1a1775 country:string this_dc:int nearest_dc:int; anything else INPUT_METHOD_INVALID. */
function handler(calls: string[]) {
  return (c: RpcCall): unknown => {
    calls.push(c.constructorId.toString(16))
    if (c.constructorId === 0x1fb33026) {
      const w = new TlWriter(null, 32)
      w.int(0x8e1a1775 | 0)
      w.string('ZZ')
      w.int(2)
      w.int(2)
      return w.result().slice()
    }
    return { _: 'rpc_error', error_code: 400, error_message: 'INPUT_METHOD_INVALID' }
  }
}

export async function startDc(crypto: Crypto, key: GeneratedRsaKey): Promise<TestDc> {
  const keys = new RecordingStore()
  const handshakes = new HandshakeServer(crypto, { keys: [key.privateKey], keyStore: keys, bignum: { native: nodeBignumProvider } })
  const calls: string[] = []
  const received: Uint8Array[][] = []
  const sent: Uint8Array[][] = []
  const connections: ConnectionInfo[] = []
  const links = new Map<ServerConnection, { sock: net.Socket; t: ServerTransport; out: Uint8Array[]; timer?: ReturnType<typeof setTimeout> }>()
  const flush = (conn: ServerConnection): void => {
    const l = links.get(conn)
    if (!l || l.sock.destroyed) return
    let end = false
    for (const o of conn.takeOutgoing(Date.now())) {
      if (o.type === 'packet') l.out.push(o.data.slice())
      l.t.send(o)
      if (o.type === 'transportError') end = true
    }
    for (const b of l.t.takeOutgoing()) l.sock.write(b)
    if (end) l.sock.end()
    if (l.timer) clearTimeout(l.timer)
    const d = conn.nextDeadline()
    if (d !== undefined) {
      l.timer = setTimeout(() => {
        for (const e of conn.tick(Date.now())) if (e.type === 'close') l.sock.end()
        flush(conn)
      }, Math.max(0, d - Date.now()))
    }
  }
  const sessions = new SessionServer({ crypto, keys, handler: handler(calls), onOutgoing: (c) => flush(c) })
  const sockets = new Set<net.Socket>()
  const tcp = net.createServer((sock) => {
    sockets.add(sock)
    const t = new ServerTransport({ crypto })
    const hs = handshakes.connection(sock.remoteAddress ?? '')
    const conn = sessions.connection()
    const inbox: Uint8Array[] = []
    const out: Uint8Array[] = []
    received.push(inbox)
    sent.push(out)
    links.set(conn, { sock, t, out })
    sock.on('error', () => {})
    sock.on('data', (d: Buffer) => {
      let evs
      try {
        evs = t.receive(new Uint8Array(d))
      } catch {
        sock.destroy()
        return
      }
      for (const e of evs) {
        if (e.type === 'detected') connections.push(e.info)
        else if (e.type === 'close') sock.end()
        else if (e.type === 'packet') {
          inbox.push(e.data.slice())
          const plain = e.data.length >= 8 && e.data.subarray(0, 8).every((b) => b === 0)
          if (plain) {
            hs.receive(e.data, Date.now())
            for (const o of hs.takeOutgoing()) {
              if (o.type === 'packet') out.push(o.data.slice())
              t.send(o)
            }
          } else {
            for (const ev of conn.receive(e.data, Date.now(), e.quickAck)) if (ev.type === 'close') sock.end()
            flush(conn)
          }
        }
      }
      for (const b of t.takeOutgoing()) sock.write(b)
    })
    sock.on('close', () => {
      sockets.delete(sock)
      const l = links.get(conn)
      if (l?.timer) clearTimeout(l.timer)
      links.delete(conn)
      conn.close()
      t.dispose()
    })
  })
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
  return {
    port: (tcp.address() as net.AddressInfo).port,
    received,
    sent,
    connections,
    calls,
    keys,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        for (const l of links.values()) if (l.timer) clearTimeout(l.timer)
        tcp.close(() => r())
      }),
  }
}
