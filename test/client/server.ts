/**
 * A loopback server for the client tests, in this process: node:net, `ServerTransport` (every
 * framing, obfuscated2, MTProxy secrets, fake-TLS, HTTP) plus WebSocket upgrades, the auth
 * layer's `HandshakeServer` for unencrypted packets and a `SessionServer` for the rest, sharing
 * one key store. Counts what each request did, so tests can check that nothing ran twice.
 */
import * as net from 'node:net'
import { HandshakeServer } from '../../src/auth/server.js'
import { generateRsaKey, type GeneratedRsaKey } from '../../src/auth/rsa.js'
import { MemoryKeyStore } from '../../src/auth/keystore.js'
import type { Crypto } from '../../src/crypto/types.js'
import { type RpcCall, type ServerConnection, SessionServer, type SessionServerOptions } from '../../src/session/server.js'
import { ServerTransport } from '../../src/transport/server.js'
import { ReplayCache } from '../../src/transport/faketls.js'
import { WebSocketFrameCodec, WebSocketServerHandshake } from '../../src/transport/websocket.js'

export interface TestServer {
  port: number
  key: GeneratedRsaKey
  sessions: SessionServer
  keys: MemoryKeyStore
  /** API calls the handler ran, by constructor id. */
  calls: RpcCall[]
  /** Sockets accepted. */
  accepted: number
  /** Closes every connection (the clients see them drop) but keeps listening. */
  dropAll(): void
  close(): Promise<void>
}

let cachedKey: GeneratedRsaKey | undefined

export async function startServer(crypto: Crypto, options: { secrets?: string[]; session?: Partial<SessionServerOptions> } = {}): Promise<TestServer> {
  const key = (cachedKey ??= await generateRsaKey(crypto))
  const keys = new MemoryKeyStore()
  const handshakes = new HandshakeServer(crypto, { keys: [key.privateKey], keyStore: keys })
  const calls: RpcCall[] = []
  const conns = new Map<ServerConnection, Link>()
  const sockets = new Set<net.Socket>()
  const replayCache = new ReplayCache()
  const sessions = new SessionServer({
    crypto,
    keys,
    handler: (c) => {
      calls.push(c)
      return true
    },
    ...options.session,
    onOutgoing: (conn) => conns.get(conn)?.flush(),
  })

  /** One accepted socket: its transport, its handshake, its session connection(s). */
  class Link {
    readonly hs = handshakes.connection('127.0.0.1')
    t: ServerTransport | undefined
    conn: ServerConnection | undefined
    timer: ReturnType<typeof setTimeout> | undefined
    ws: WebSocketFrameCodec | undefined
    wsHs: WebSocketServerHandshake | undefined
    first = true
    constructor(readonly sock: net.Socket) {}

    out(bytes: Uint8Array): void {
      if (this.sock.destroyed) return
      this.sock.write(this.ws ? this.ws.encode(bytes) : bytes)
    }

    input(chunk: Uint8Array): void {
      if (this.first) {
        this.first = false
        // "GET " with an Upgrade: a WebSocket (ServerTransport takes every GET as HTTP)
        if (chunk[0] === 0x47 && chunk[1] === 0x45 && chunk[2] === 0x54) {
          this.wsHs = new WebSocketServerHandshake(crypto)
        }
      }
      if (this.wsHs) {
        const r = this.wsHs.receive(chunk)
        if (r === null) return
        this.wsHs = undefined
        this.sock.write(r.response)
        if (!r.ok) return void this.sock.end()
        this.ws = new WebSocketFrameCodec({ role: 'server', crypto })
        chunk = r.rest
      }
      if (this.ws) {
        for (const e of this.ws.decode(chunk)) {
          if (e.type === 'message') this.transport(e.data)
          else if (e.type === 'write') this.sock.write(e.data)
          else return void this.sock.destroy()
        }
        return
      }
      this.transport(chunk)
    }

    transport(chunk: Uint8Array): void {
      this.t ??= new ServerTransport({ crypto, secrets: options.secrets, allowPlain: true, allowHttp: true, allowObfuscatedWithoutSecret: true, replayCache })
      let ev
      try {
        ev = this.t.receive(chunk)
      } catch {
        return void this.sock.destroy()
      }
      for (const e of ev) {
        if (e.type === 'write') this.out(e.data)
        else if (e.type === 'close' || e.type === 'error') return void this.sock.destroy()
        else if (e.type === 'packet') this.packet(e.data, e.quickAck)
      }
      this.flush()
    }

    packet(p: Uint8Array, quickAck: boolean): void {
      const http = this.t!.connection?.transport === 'http'
      if (p.length >= 8 && p.subarray(0, 8).every((b) => b === 0)) {
        this.hs.receive(p, Date.now())
        for (const o of this.hs.takeOutgoing()) this.out(o.type === 'packet' ? this.t!.send(o.data) : this.t!.sendError(o.status))
        return
      }
      if (http || this.conn === undefined) {
        // HTTP: one session connection per request
        if (this.conn) this.retire(this.conn)
        this.conn = sessions.connection({ http })
        conns.set(this.conn, this)
      }
      for (const e of this.conn.receive(p, Date.now(), quickAck)) if (e.type === 'close') this.sock.end()
    }

    retire(c: ServerConnection): void {
      conns.delete(c)
      c.close()
    }

    flush(): void {
      const c = this.conn
      if (c === undefined || this.sock.destroyed) return
      for (const o of c.takeOutgoing(Date.now())) {
        if (o.type === 'packet') this.out(this.t!.send(o.data))
        else if (o.type === 'quickAck') this.out(this.t!.sendQuickAck(o.token))
        else {
          this.out(this.t!.sendError(o.status))
          this.sock.end()
        }
      }
      clearTimeout(this.timer)
      const d = c.nextDeadline()
      if (d !== undefined) {
        this.timer = setTimeout(() => {
          for (const e of c.tick(Date.now())) if (e.type === 'close') this.sock.end()
          this.flush()
        }, Math.max(0, d - Date.now()))
      }
    }

    closed(): void {
      clearTimeout(this.timer)
      if (this.conn) this.retire(this.conn)
      this.t?.dispose()
    }
  }

  const s: TestServer = {
    port: 0,
    key,
    sessions,
    keys,
    calls,
    accepted: 0,
    dropAll() {
      for (const x of sockets) x.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const x of sockets) x.destroy()
        tcp.close(() => resolve())
      }),
  }
  const tcp = net.createServer((sock) => {
    s.accepted++
    sockets.add(sock)
    sock.setNoDelay(true)
    const l = new Link(sock)
    sock.on('data', (b: Buffer) => l.input(new Uint8Array(b)))
    sock.on('error', () => {})
    sock.on('close', () => {
      sockets.delete(sock)
      l.closed()
    })
  })
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
  s.port = (tcp.address() as net.AddressInfo).port
  return s
}
