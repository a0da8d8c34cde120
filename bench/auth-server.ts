/**
 * The `auth` suite's server, run as a separate process (the client-side measurements must not
 * count the server's CPU): our HandshakeServer behind ServerTransport on 127.0.0.1, node:crypto
 * for the arithmetic, a fresh RSA key. Prints one JSON line: { port, publicKeyPem }.
 */
import * as net from 'node:net'
import { createCryptoSync, generateRsaKey, HandshakeServer, ServerTransport } from '../src/node/index.js'

const crypto = createCryptoSync()
const key = await generateRsaKey(crypto)
// a benchmark makes thousands of keys: plenty of room, nothing remembered for long
const server = new HandshakeServer(crypto, { keys: [key.privateKey], maxInFlight: 100_000, maxInFlightPerAddress: 100_000, answerTtlMs: 5_000 })
const srv = net.createServer((sock) => {
  const t = new ServerTransport({ crypto })
  const hs = server.connection(sock.remoteAddress ?? '')
  sock.setNoDelay(true)
  sock.on('error', () => {})
  sock.on('close', () => t.dispose())
  sock.on('data', (d: Buffer) => {
    try {
      for (const ev of t.receive(new Uint8Array(d))) {
        if (ev.type !== 'packet') continue
        hs.receive(ev.data, Date.now())
        for (const o of hs.takeOutgoing()) t.send(o)
      }
      for (const b of t.takeOutgoing()) sock.write(b)
    } catch {
      sock.destroy()
    }
  })
})
srv.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (srv.address() as net.AddressInfo).port, publicKeyPem: key.publicKeyPem }) + '\n')
})
// the parent closes our stdin when it is done (or dies)
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
