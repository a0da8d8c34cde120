/**
 * A minimal Node TCP driver for SessionServer (what src/node/ will do): per socket a
 * ServerTransport (any framing, detected) and a ServerConnection; timers from nextDeadline();
 * the onOutgoing callback for answers that come later (async handlers).
 */
import * as net from 'node:net'
import type { Crypto } from '../../src/crypto/types.js'
import { ServerTransport } from '../../src/transport/server.js'
import { type ServerConnection, SessionServer, type SessionServerOptions } from '../../src/session/server.js'

export interface Running {
  port: number
  server: SessionServer
  events: { type: string; reason?: string; error?: unknown }[]
  close(): Promise<void>
}

export async function serve(crypto: Crypto, options: Omit<SessionServerOptions, 'crypto' | 'onOutgoing'>): Promise<Running> {
  const links = new Map<ServerConnection, { sock: net.Socket; t: ServerTransport; timer?: ReturnType<typeof setTimeout> }>()
  const events: Running['events'] = []
  const flush = (conn: ServerConnection): void => {
    const l = links.get(conn)
    if (!l || l.sock.destroyed) return
    let end = false
    for (const o of conn.takeOutgoing(Date.now())) {
      l.t.send(o)
      if (o.type === 'transportError') end = true
    }
    for (const b of l.t.takeOutgoing()) l.sock.write(b)
    if (end) l.sock.end()
    if (l.timer) clearTimeout(l.timer)
    const d = conn.nextDeadline()
    if (d !== undefined) {
      l.timer = setTimeout(() => {
        handle(conn, conn.tick(Date.now()))
        flush(conn)
      }, Math.max(0, d - Date.now()))
    }
  }
  const handle = (conn: ServerConnection, ev: ReturnType<ServerConnection['tick']>): void => {
    for (const e of ev) {
      events.push(e)
      if (e.type === 'close') {
        flush(conn)
        links.get(conn)?.sock.end()
      }
    }
  }
  const server = new SessionServer({ crypto, ...options, onOutgoing: (conn) => flush(conn) })
  const tcp = net.createServer((sock) => {
    const t = new ServerTransport({ crypto })
    const conn = server.connection()
    links.set(conn, { sock, t })
    sock.on('error', () => {})
    sock.on('data', (d: Buffer) => {
      let ev
      try {
        ev = t.receive(new Uint8Array(d))
      } catch (e) {
        events.push({ type: 'transport', error: e })
        sock.destroy()
        return
      }
      let close = false
      for (const e of ev) {
        if (e.type === 'packet') handle(conn, conn.receive(e.data, Date.now(), e.quickAck))
        else if (e.type === 'close') close = true
      }
      flush(conn)
      if (close) sock.end()
    })
    sock.on('close', () => {
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
    server,
    events,
    close: () =>
      new Promise<void>((r) => {
        for (const l of links.values()) {
          if (l.timer) clearTimeout(l.timer)
          l.sock.destroy()
        }
        tcp.close(() => r())
      }),
  }
}
