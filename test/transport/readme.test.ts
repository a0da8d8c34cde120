/**
 * The README's transport example, run as written: the code block under "### Transports" (its
 * import line aside) gets a loopback TCP connection (`socket` for the client, `conn` for the
 * server) through a fake-TLS secret, so the client's first packet only leaves in a `write`
 * event. A driver that ignored that event (as the README's earlier example did) hangs here.
 */
import { readFileSync } from 'node:fs'
import * as net from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as mtwire from '../../src/index.js'
import { hex, mtprotoPacket, prng } from './helpers.js'

function readmeBlock(): string {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Transports'))
  const m = /```ts\n([\s\S]*?)```/.exec(section)
  if (!m) throw new Error('no code block under ### Transports')
  return m[1].replace(/^import .*\n/m, '')
}

describe('README transport example', () => {
  it('runs as written: a fake-TLS client and server over loopback, packets both ways', async () => {
    const code = readmeBlock()
    const sockets = await new Promise<{ socket: net.Socket; conn: net.Socket; server: net.Server }>((resolve) => {
      const server = net.createServer((conn) => resolve({ socket, conn, server }))
      let socket: net.Socket
      server.listen(0, '127.0.0.1', () => {
        socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
      })
    })
    const { socket, conn, server } = sockets
    const proxySecret = 'ee' + hex(mtwire.createCryptoSync().randomBytes(16)) + Buffer.from('example.com').toString('hex')
    const packet = mtprotoPacket(prng(1), 20)
    const answer = (p: Uint8Array) => Uint8Array.from(p, (b, i) => (i < 8 ? b : b ^ 0x5a))
    const errors: unknown[] = []
    try {
      const got = await new Promise<Uint8Array>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the README driver hangs: no answer in 5 s')), 5000)
        const onPacket = (p: Uint8Array) => {
          clearTimeout(timer)
          resolve(p)
        }
        const fail = (what: string) => () => reject(new Error(`unexpected ${what}`))
        const run = new Function(
          'ClientTransport', 'ServerTransport', 'createCrypto', 'socket', 'conn', 'proxySecret', 'packet', 'onPacket', 'onQuickAck', 'answer', 'pipeTo', 'upstream',
          `return (async () => {\n${code}\n})()`,
        )
        socket.on('error', (e) => errors.push(e))
        conn.on('error', (e) => errors.push(e))
        run(mtwire.ClientTransport, mtwire.ServerTransport, mtwire.createCrypto, socket, conn, proxySecret, packet, onPacket, fail('quick ACK'), answer, fail('fallback'), null).catch(reject)
      })
      expect(hex(got)).toBe(hex(answer(packet)))
      expect(errors).toEqual([])
    } finally {
      socket.destroy()
      conn.destroy()
      server.close()
    }
  }, 10_000)
})
