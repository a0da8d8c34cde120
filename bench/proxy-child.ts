/**
 * The relay under measurement, in a process of its own so that its CPU time is its own
 * (bench/suites/proxy.ts drives the clients and the DC from the parent): `ours` is createProxy
 * (Node entry: node:crypto AES-CTR), `fast` the same with fastMode, `pipe` the floor, a plain Node TCP relay without crypto
 * (`client.pipe(upstream)` both ways). Talks over IPC: sends { port } once listening; answers
 * 'cpu' with process.cpuUsage() (user + system, µs); 'exit' ends it.
 */
import * as net from 'node:net'
import { createProxy } from '../src/node/index.js'

const [mode, sinkPort, ...secrets] = process.argv.slice(2)
const send = (m: unknown): void => void process.send!(m)

async function main(): Promise<void> {
  let close: () => Promise<void>
  let port: number
  if (mode === 'ours' || mode === 'fast') {
    const proxy = await createProxy({
      host: '127.0.0.1', port: 0, secrets, upstream: { '*': `127.0.0.1:${sinkPort}` }, fastMode: mode === 'fast',
      // loopback only: nothing is refused in the bench, and nothing may leave the machine
      tlsFallback: '127.0.0.1:9', maxConnectionsPerIp: 100_000, maxConnections: 100_000,
    })
    port = proxy.address.port
    close = () => proxy.close()
  } else {
    const sockets = new Set<net.Socket>()
    const srv = net.createServer({ noDelay: true }, (c) => {
      const up = net.connect({ host: '127.0.0.1', port: Number(sinkPort), noDelay: true })
      for (const s of [c, up]) {
        sockets.add(s)
        s.on('error', () => {})
        s.on('close', () => {
          sockets.delete(s)
          c.destroy()
          up.destroy()
        })
      }
      c.pipe(up)
      up.pipe(c)
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    port = (srv.address() as net.AddressInfo).port
    close = () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        srv.close(() => r())
      })
  }
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage()
      send({ cpu: u.user + u.system })
    } else if (m === 'exit') void close().then(() => process.exit(0))
  })
  send({ port })
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
