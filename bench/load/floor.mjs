#!/usr/bin/env node
/**
 * The floor under the load bench's client CPU per ping: a Node socket that writes SIZE bytes to
 * an echo server (a process of its own, on loopback) and waits for them to come back, N times,
 * with no protocol at all. Its CPU per request (process.cpuUsage(): user + system) is what any
 * Node client pays for one request and its answer over TCP; the load bench's pingers
 * (bench/load/pinger.ts) pay it plus their protocol work.
 *   node bench/load/floor.mjs [N=20000] [SIZE=92]   (92 B: the size of our ping packet)
 */
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

if (process.argv[2] === 'echo-server') {
  const srv = net.createServer((s) => {
    s.setNoDelay(true)
    s.on('data', (d) => s.write(d))
  })
  srv.listen(0, '127.0.0.1', () => console.log(srv.address().port))
} else {
  const n = Number(process.argv[2] ?? 20000)
  const size = Number(process.argv[3] ?? 92)
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), 'echo-server'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((r) => server.stdout.once('data', (d) => r(Number(String(d).trim()))))
  const sock = net.connect(port, '127.0.0.1')
  sock.setNoDelay(true)
  await new Promise((r) => sock.once('connect', r))
  const buf = Buffer.alloc(size, 1)
  let got = 0
  let answered = () => {}
  sock.on('data', (d) => {
    got += d.length
    if (got >= size) {
      got -= size
      answered()
    }
  })
  const once = () => new Promise((r) => ((answered = r), sock.write(buf)))
  for (let i = 0; i < 2000; i++) await once()
  const marks = process.env.MTWIRE_INSNS_MARKS === '1' // bench/load/insns.mjs
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  // after the first cpuUsage() (~10M instructions once, 3.6k a ping over 3000 pings)
  if (marks) process.umask(0x7a5e0000)
  for (let i = 0; i < n; i++) await once()
  const c = process.cpuUsage(c0)
  if (marks) process.umask(0x7a5e0001)
  const ms = performance.now() - t0
  console.log(JSON.stringify({ impl: 'raw socket', n, size, cpuUsPerReq: (c.user + c.system) / n, userUsPerReq: c.user / n, systemUsPerReq: c.system / n, wallUsPerReq: (ms * 1000) / n }))
  sock.destroy()
  server.kill()
}
