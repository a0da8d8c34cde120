#!/usr/bin/env node
/**
 * The floor under the load bench's client CPU per ping: a Node socket that writes SIZE bytes to
 * an echo server (a process of its own, on loopback) and waits for them to come back, N times,
 * with no protocol at all, warmed up and timed as the pingers are (steady.mjs). Its CPU per
 * request (process.cpuUsage(): user + system) is what any Node client pays for one request and
 * its answer over TCP; the load bench's pingers (bench/load/pinger.ts) pay it plus their
 * protocol work.
 *   node bench/load/floor.mjs [N=20000] [SIZE=92]   (92 B: the size of our ping packet)
 */
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { timedAfterWarmUp } from './steady.mjs'

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
  const { cpuUs: c, wallUs } = await timedAfterWarmUp(n, once)
  console.log(JSON.stringify({ impl: 'raw socket', n, size, cpuUsPerReq: (c.user + c.system) / n, userUsPerReq: c.user / n, systemUsPerReq: c.system / n, wallUsPerReq: wallUs / n }))
  sock.destroy()
  server.kill()
}
