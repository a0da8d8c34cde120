/**
 * End to end over loopback TCP with a minimal driver (what src/node/ will do): our client and
 * server across real sockets, and a fake-TLS server handing a prober to the fallback host,
 * which must see the prober's bytes unchanged and answer it directly.
 */
import * as net from 'node:net'
import { describe, expect, it } from 'vitest'
import { ClientTransport } from '../../src/transport/client.js'
import { ReplayCache } from '../../src/transport/faketls.js'
import { ServerTransport, type ServerTransportOptions } from '../../src/transport/server.js'
import { concatAll, hex, mtprotoPacket, prng, seededCrypto, started } from './helpers.js'

const crypto = seededCrypto(99)

/** A driver: one ServerTransport per connection; echoes packets XOR 0x5a; honours fallback. */
async function serve(opts: Omit<ServerTransportOptions, 'crypto'>): Promise<{ port: number; close(): void }> {
  const srv = net.createServer((sock) => {
    const t = new ServerTransport({ crypto, ...opts })
    let upstream: net.Socket | null = null
    sock.on('error', () => {})
    sock.on('data', (d: Buffer) => {
      // nothing the client sends throws: a bad stream ends with an error event
      let close = false
      for (const e of t.receive(new Uint8Array(d))) {
        if (e.type === 'error') return void sock.destroy()
        else if (e.type === 'packet') t.send(e.data.map((b) => b ^ 0x5a))
        else if (e.type === 'close') close = true
        else if (e.type === 'fallback') {
          upstream = net.connect(e.port, e.host, () => upstream!.write(e.data))
          upstream.on('data', (x) => sock.write(x))
          upstream.on('end', () => sock.end())
          upstream.on('error', () => sock.destroy())
        } else if (e.type === 'forward') upstream!.write(e.data)
      }
      if (upstream) return
      for (const b of t.takeOutgoing()) sock.write(b) // the fake-TLS server hello, the answers
      if (close) sock.end()
    })
    sock.on('close', () => {
      upstream?.destroy()
      t.dispose()
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => res(s))
    s.on('error', rej)
  })
}

describe('loopback TCP', () => {
  it('fake-TLS client ↔ server over real sockets', async () => {
    const secret = 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex')
    const s = await serve({ secrets: [secret], replayCache: new ReplayCache() })
    try {
      const sock = await connect(s.port)
      const c = new ClientTransport({ crypto, proxySecret: secret, dcId: 2 })
      const packets = [mtprotoPacket(prng(1), 5), mtprotoPacket(prng(2), 3000)]
      c.start()
      for (const p of packets) c.send(p) // queued until the server hello checks out
      for (const b of c.takeOutgoing()) sock.write(b) // the ClientHello alone
      const got: Uint8Array[] = []
      await new Promise<void>((resolve, reject) => {
        sock.on('data', (d: Buffer) => {
          for (const e of c.receive(new Uint8Array(d))) {
            if (e.type === 'packet') got.push(e.data)
            if (e.type === 'error') reject(e.error)
          }
          for (const b of c.takeOutgoing()) sock.write(b) // the packets, once the server hello checked out
          if (got.length === packets.length) resolve()
        })
      })
      sock.destroy()
      // padded framing, its padding stripped: exact packets
      expect(got.map(hex)).toEqual(packets.map((p) => hex(p.map((b) => b ^ 0x5a))))
    } finally {
      s.close()
    }
  }, 10_000)

  it('a prober without the secret reaches the fallback site, bytes unchanged both ways', async () => {
    // the "real site": answers with a banner and the bytes it received
    const seen: Buffer[] = []
    const site = net.createServer((sock) => {
      sock.on('data', (d: Buffer) => {
        seen.push(d)
        sock.write(Buffer.concat([Buffer.from('SITE:'), d]))
      })
    })
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    const sitePort = (site.address() as net.AddressInfo).port
    const secret = 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex')
    const s = await serve({ secrets: [secret], fallback: { host: '127.0.0.1', port: sitePort }, replayCache: new ReplayCache() })
    try {
      // a ClientHello made with another key: what a censor's probe or a browser looks like
      const other = 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex')
      const hello = started(new ClientTransport({ crypto, proxySecret: other, dcId: 2 }))
      const sock = await connect(s.port)
      sock.write(hello.subarray(0, 100))
      sock.write(hello.subarray(100))
      const more = new Uint8Array([1, 2, 3, 4])
      let answer = Buffer.alloc(0)
      await new Promise<void>((resolve) => {
        sock.on('data', (d: Buffer) => {
          answer = Buffer.concat([answer, d])
          if (answer.length >= 5 + hello.length && answer.length < 5 + hello.length + 9) sock.write(more)
          if (answer.length === 5 + hello.length + 9) resolve()
        })
      })
      sock.destroy()
      expect(hex(Buffer.concat(seen))).toBe(hex(concatAll([hello, more])))
      expect(answer.subarray(0, 5).toString()).toBe('SITE:')
    } finally {
      s.close()
      site.close()
    }
  }, 10_000)
})
