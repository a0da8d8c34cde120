/**
 * `npm run bench -- --suite load [--quick] [--load-report FILE]`: `mtwire serve` in its own
 * process on loopback under many clients of ours (`connect()`, in this process), by hand only
 * (minutes; not in CI: test/interop/load-smoke.test.ts runs a small version there).
 *
 * 1. 1000 clients connect at once: each makes its auth key; every handshake must succeed.
 *    Handshakes/s over the whole wave.
 * 2. Each makes one request, then only keeps alive: the server's memory per idle connection,
 *    (RSS and heap at 1000 idle connections − at 0) / 1000, measured in the server process after
 *    full collections (bench/load/probe.cjs).
 * 3. Round trips/s and p50/p99 latency of `mtwire.echo` with 1 KiB and 64 KiB at 1, 100 and 1000
 *    clients, each client one request at a time.
 * 4. Client CPU per ping (process.cpuUsage() in a process per client: bench/load/pinger.ts) of
 *    our client, mtcute, GramJS and teleproto against the same server, interleaved rounds, median;
 *    in the same rounds, what bounds ours from below: the bare envelope loop (bench/load/bare.ts)
 *    and the floor (bench/load/floor.mjs).
 * 5. A fresh server: its heap after 10^4 requests and after 10^6 (100 clients, 8 in flight each).
 *
 * Two cores: this process (the clients) and the server each want one. Each phase reports the CPU
 * time both processes spent over its wall time, so a reader sees which side was the limit.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { createCryptoSync } from '../../src/node/index.js'
import type { BenchResult, BenchSuite } from '../harness.js'
import { connectAll, echoLoop } from '../load/clients.js'
import { bundle, openFilesLimit, root, startServer, type LoadServer, type ServerMem } from '../load/serve.js'

type Row = Omit<BenchResult, 'suite'>
const crypto = createCryptoSync()
const notes: string[] = []
/** A note, shown as it comes (the suite runs for minutes). */
const note = (line: string): void => {
  notes.push(line)
  process.stderr.write(`[load] ${line}\n`)
}
const KiB = 1024
/** How long the server is left idle before its memory is read (ms). */
const SETTLE = 20_000

const pct = (xs: number[], p: number): number => {
  const s = Float64Array.from(xs).sort()
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN
}
const median = (xs: number[]): number => pct(xs, 50)
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1))
const kib = (b: number): string => (b / KiB).toFixed(1)
const sleep = (t: number) => new Promise((r) => setTimeout(r, t))

function row(impl: string, op: string, size: number, opsPerSec: number, samples: number, peer = false): Row {
  return { impl, peer, op, size, opsPerSec, bytesPerSec: opsPerSec * size, samples, rme: 0 }
}

/** CPU of this process and the server's over a phase, as shares of one core (wall time). */
async function phase<T>(server: LoadServer, f: () => Promise<T>): Promise<{ value: T; wallMs: number; ourCpu: number; serverCpu: number; serverUs: number }> {
  const s0 = (await server.mem()).cpuUs
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = await f()
  const wallMs = performance.now() - t0
  const c = process.cpuUsage(c0)
  const serverUs = (await server.mem()).cpuUs - s0
  return { value, wallMs, ourCpu: (c.user + c.system) / 1000 / wallMs, serverCpu: serverUs / 1000 / wallMs, serverUs }
}

const cpuNote = (p: { ourCpu: number; serverCpu: number }): string => `CPU: clients ${(p.ourCpu * 100).toFixed(0)}%, server ${(p.serverCpu * 100).toFixed(0)}% of a core`

const memLine = (m: ServerMem): string => `RSS ${kib(m.rss)} KiB, heap ${kib(m.heapUsed)} KiB (committed ${kib(m.heapTotal)} KiB), external ${kib(m.external)} KiB (array buffers ${kib(m.arrayBuffers)} KiB)`

async function run(quick: boolean): Promise<Row[]> {
  const N = quick ? 200 : 1000
  const rows: Row[] = []
  const limit = openFilesLimit()
  if (limit < N + 256) throw new Error(`the load suite opens ${N} sockets in this process and as many in the server: raise the open-files limit (ulimit -n, now ${limit}) to at least ${N + 256}`)
  note(`machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}, open-files limit ${limit}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start (other processes share the cores: the CPU-time figures are the steadier ones); the server is \`mtwire serve\` (bundled from src/node/cli.ts) in its own process with plain node; the clients are ours, in the bench process, one crypto backend shared (${crypto.backend})`)
  const server = await startServer()
  try {
    // warm up (JIT, pools), then the baseline at 0 connections
    {
      const { clients } = await connectAll(crypto, server, 10)
      await echoLoop(crypto, clients, KiB, 500)
      await Promise.all(clients.map((c) => c.close()))
    }
    // V8 keeps the young generation it grew for a burst of allocations (the handshakes) until its
    // memory reducer sees the process idle (some seconds): both figures are taken in that state,
    // which is the state of a server whose clients only keep alive
    await sleep(SETTLE)
    const m0 = await server.mem()

    // 1. the handshake wave
    const hs = await phase(server, () => connectAll(crypto, server, N))
    const { clients, failures } = hs.value
    if (failures.length) throw new Error(`${failures.length} of ${N} handshakes failed: ${[...new Set(failures)].slice(0, 3).join('; ')}`)
    const hsRate = N / (hs.wallMs / 1000)
    rows.push(row('mtwire connect() → mtwire serve', `handshakes, ${N} clients at once`, 0, hsRate, N))
    const hsMs = clients.map((c) => c.stats.handshakes[0].ms)
    note(`${N} clients connected at once: all ${N} handshakes succeeded in ${(hs.wallMs / 1000).toFixed(2)} s, ${hsRate.toFixed(0)} handshakes/s; per client handshake time p50 ${ms(median(hsMs))} ms, p99 ${ms(pct(hsMs, 99))} ms; server CPU ${(hs.serverUs / N / 1000).toFixed(2)} ms per handshake; ${cpuNote(hs)}`)

    // 2. one request each, then idle
    await Promise.all(clients.map((c) => c.invoke({ _: 'mtwire.echo', payload: crypto.randomBytes(KiB) })))
    const busy = await server.mem()
    await sleep(SETTLE)
    const m1 = await server.mem()
    const perConn = (k: keyof ServerMem) => (m1[k] - m0[k]) / N
    note(`server memory at 0 connections: ${memLine(m0)}; at ${N} idle connections (handshake, one 1 KiB echo, then only keep-alive): ${memLine(m1)}`)
    note(`**server memory per idle connection: RSS ${kib(perConn('rss'))} KiB, heap used ${kib(perConn('heapUsed'))} KiB (committed ${kib(perConn('heapTotal'))} KiB), external ${kib(perConn('external'))} KiB** (target ≤ 32 KiB RSS), ${SETTLE / 1000} s after the last request; right after it: RSS ${kib((busy.rss - m0.rss) / N)} KiB, heap committed ${kib((busy.heapTotal - m0.heapTotal) / N)} KiB per connection. The auth layer forgets each handshake run at its key's first use, so none is left in it`)
    rows.push(row('mtwire serve', 'idle connection, server RSS bytes (lower is better)', 0, perConn('rss'), N))
    rows.push(row('mtwire serve', 'idle connection, server heap bytes (lower is better)', 0, perConn('heapUsed'), N))

    // 3. round trips
    const dur = quick ? 1000 : 3000
    for (const size of [KiB, 64 * KiB]) {
      for (const n of [1, 100, N]) {
        const p = await phase(server, () => echoLoop(crypto, clients.slice(0, n), size, dur))
        const lat = p.value
        const rate = lat.length / (p.wallMs / 1000)
        rows.push(row('mtwire connect() → mtwire serve', `echo round trips, ${n} clients`, size, rate, lat.length))
        note(`echo ${size / KiB} KiB, ${n} client${n > 1 ? 's' : ''} (one request each at a time): ${rate.toFixed(0)} round trips/s, latency p50 ${ms(median(lat))} ms, p99 ${ms(pct(lat, 99))} ms; server CPU ${(p.serverUs / lat.length).toFixed(0)} µs per round trip; ${cpuNote(p)}`)
      }
    }
    await Promise.all(clients.map((c) => c.close()))
    await sleep(500)

    // 4. client CPU per ping, each library in a process of its own, same server; beside them the
    // bare envelope loop (ours without the layers) and the floor (a socket, no protocol)
    const pinger = await bundle('bench/load/pinger.ts', 'pinger')
    const bare = await bundle('bench/load/bare.ts', 'bare')
    const libs = ['mtwire', 'mtcute', 'gramjs', 'teleproto']
    const impls = [...libs, 'bare', 'floor']
    const names: Record<string, string> = { mtwire: 'mtwire connect()', mtcute: '@mtcute/node 0.30', gramjs: 'GramJS 2.26', teleproto: 'teleproto' }
    const per = new Map<string, number[]>(impls.map((i) => [i, []]))
    const pings = quick ? 5000 : 20_000
    const args = (impl: string): string[] =>
      impl === 'bare' ? [bare, String(server.port), String(pings)] : impl === 'floor' ? [join(root, 'bench/load/floor.mjs'), String(pings)] : [pinger, impl, String(server.port), String(pings)]
    for (let r = 0; r < (quick ? 1 : 5); r++) {
      for (let k = 0; k < impls.length; k++) {
        const impl = impls[(k + r) % impls.length]
        const out = spawnSync(process.execPath, args(impl), { input: server.pem, encoding: 'utf8', cwd: root, timeout: 300_000 })
        const line = out.stdout.trim().split('\n').pop() ?? ''
        if (out.status !== 0 || !line.startsWith('{')) throw new Error(`pinger ${impl} failed: ${out.stderr.slice(0, 500)}`)
        per.get(impl)!.push((JSON.parse(line) as { cpuUsPerReq: number }).cpuUsPerReq)
      }
    }
    const ours = median(per.get('mtwire')!)
    const rounds = (impl: string): string => `${pings} sequential pings after a warm-up of at least 2000 pings and 1.5 s, median of rounds ${per.get(impl)!.map((x) => x.toFixed(1)).join(', ')} µs`
    for (const impl of libs) {
      const us = median(per.get(impl)!)
      rows.push(row(names[impl], 'ping, client CPU (requests per CPU-second)', 0, 1e6 / us, pings, impl !== 'mtwire'))
      note(`client CPU per ping (${rounds(impl)}): ${names[impl]} ${us.toFixed(1)} µs${impl === 'mtwire' ? '' : `: ours is ${(ours / us).toFixed(2)} of it (target ≤ 1/3 of mtcute's)`}`)
    }
    const mtcute = median(per.get('mtcute')!)
    for (const [impl, what] of [['bare', 'the bare envelope loop (bench/load/bare.ts: our envelope and a socket, no session layers)'], ['floor', 'the floor (bench/load/floor.mjs: a socket and an echo process, no protocol)']]) {
      const us = median(per.get(impl)!)
      note(`client CPU per ping (${rounds(impl)}): ${what} ${us.toFixed(1)} µs, ${(us / mtcute).toFixed(2)} of mtcute's`)
    }
  } finally {
    await server.stop()
  }

  // 5. heap growth, a fresh server
  const s2 = await startServer()
  try {
    const { clients, failures } = await connectAll(crypto, s2, 100)
    if (failures.length) throw new Error(`handshakes failed: ${failures[0]}`)
    let sent = 0
    const runTo = async (total: number) => {
      await Promise.all(
        clients.flatMap((c) =>
          Array.from({ length: 8 }, async () => {
            while (sent < total) {
              sent++
              await c.invoke({ _: 'ping', ping_id: BigInt(sent) })
            }
          }),
        ),
      )
    }
    const small = 10_000
    const big = quick ? 100_000 : 1_000_000
    await runTo(small)
    await sleep(300)
    const a = await s2.mem()
    const t0 = performance.now()
    await runTo(big)
    const wall = performance.now() - t0
    await sleep(300)
    const b = await s2.mem()
    const growth = (b.heapUsed - a.heapUsed) / a.heapUsed
    note(`a fresh server, 100 clients with 8 pings in flight each: heap ${kib(a.heapUsed)} KiB after ${small} requests, ${kib(b.heapUsed)} KiB after ${big} (**${(growth * 100).toFixed(1)}% growth**, target ≤ 5%); RSS ${kib(a.rss)} → ${kib(b.rss)} KiB; ${((big - small) / (wall / 1000)).toFixed(0)} pings/s meanwhile`)
    rows.push(row('mtwire serve', `heap growth % from ${small} to ${big} requests (lower is better)`, 0, growth * 100, big))
    await Promise.all(clients.map((c) => c.close()))
  } finally {
    await s2.stop()
  }
  return rows
}

const suite: BenchSuite = {
  name: 'load',
  cases: async () => [],
  extra: ({ quick }) => run(quick),
  async notes() {
    const i = process.argv.indexOf('--load-report')
    if (i >= 0 && process.argv[i + 1]) {
      writeFileSync(process.argv[i + 1], ['# Load: `mtwire serve` under many clients', '', '`npm run bench -- --suite load` (see bench/suites/load.ts for what each phase does).', '', ...notes.map((n) => `- ${n}`), ''].join('\n'))
    }
    return notes
  },
}
export default suite
