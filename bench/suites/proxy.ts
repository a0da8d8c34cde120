/**
 * `mtwire proxy` on loopback: relay throughput and CPU per relayed MB, against the floor — a
 * plain Node TCP pipe relaying the same bytes without crypto (`client.pipe(upstream)` both
 * ways) — and new fake-TLS handshakes per second.
 *
 * Each relay runs in a child process of its own (bench/proxy-child.ts), so process.cpuUsage()
 * there is the relay's CPU alone; the clients and the DC (a sink, or a source for downloads)
 * run here and do the same work for both relays: after our client's obfuscated2 header
 * (dd secret, padded framing) they send random bytes, which the relay decrypts and re-encrypts
 * like any stream (it never deframes). Upload: clients write, the DC counts; download: the DC
 * writes, the clients count. 1 and 100 connections, 64 KiB and 1 KiB writes. The two relays are
 * measured in turn, round after round (median of the rounds), so a busy spell of the shared
 * machine hits both.
 *
 * `mtwire proxy --fast-mode` (the DC keyed with the client's download key: its bytes pass
 * without re-encryption) is measured on downloads, the one direction it changes.
 *
 * Rows: `… MB/s` ops are the throughput (writes/s, MB/s); `… CPU` ops count relayed bytes per
 * CPU-second of the relay (higher is better), so their ratio to the pipe is the floor's CPU per
 * MB over ours: the target is ≥ 0.67 (ours within 1.5x of the floor's CPU per MB).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import * as net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResult, BenchSuite } from '../harness.js'
import { createCrypto } from '../../src/node/index.js'
import { buildClientHello, createObfuscated2Client } from '../../src/transport/index.js'

type Row = Omit<BenchResult, 'suite'>
/** The repository: the first folder up from this file (bundled into .bench/ or not) with a package.json. */
const root = ((): string => {
  let d = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d)
  return d
})()
const here = (...p: string[]): string => join(root, ...p)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const spread = (xs: number[]): number => {
  const m = median(xs)
  return m === 0 ? 0 : (100 * median(xs.map((x) => Math.abs(x - m)))) / m
}

const KEY = randomFillSync(new Uint8Array(16))
const KEY_EE = randomFillSync(new Uint8Array(16))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const DOMAIN = 'example.com'
const SECRETS = [`dd${hex(KEY)}`, `ee${hex(KEY_EE)}${Buffer.from(DOMAIN).toString('hex')}`]

interface Child {
  port: number
  cpu(): Promise<number>
  exit(): Promise<void>
}

/** Bundles the child entry once (esbuild, like scripts/bench.mjs does for the harness). */
let childFile: Promise<string> | undefined
function childEntry(): Promise<string> {
  return (childFile ??= (async () => {
    const { build } = await import('esbuild')
    const outfile = here('.bench/proxy-child.mjs')
    await build({ entryPoints: [here('bench/proxy-child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node18', packages: 'external', outfile, logLevel: 'warning' })
    return outfile
  })())
}

type Impl = 'ours' | 'fast' | 'pipe'
const NAMES: Record<Impl, string> = { ours: 'mtwire proxy', fast: 'mtwire proxy --fast-mode', pipe: 'node pipe (no crypto)' }

async function startChild(mode: Impl, sinkPort: number): Promise<Child> {
  const cp: ChildProcess = fork(await childEntry(), [mode, String(sinkPort), ...SECRETS], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] })
  // the child's next message; its exit instead rejects (one listener at a time: none piles up)
  const next = (): Promise<any> => new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`proxy child exited with ${code}`))
    cp.once('message', (m) => {
      cp.off('exit', onExit)
      resolve(m)
    })
    cp.once('exit', onExit)
  })
  const { port } = await next()
  return {
    port,
    cpu: async () => {
      const reply = next()
      cp.send('cpu')
      return ((await reply) as { cpu: number }).cpu
    },
    exit: () => new Promise<void>((r) => {
      cp.once('exit', () => r())
      cp.send('exit')
    }),
  }
}

/** The DC side: counts what arrives (upload) or writes `size`-byte chunks as fast as it may (download). */
class Dc {
  port = 0
  received = 0
  mode: { dir: 'upload' } | { dir: 'download'; chunk: Uint8Array } = { dir: 'upload' }
  readonly sockets = new Set<net.Socket>()
  private srv = net.createServer({ noDelay: true }, (s) => {
    this.sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => this.sockets.delete(s))
    s.on('data', (d: Buffer) => {
      this.received += d.length
    })
    const m = this.mode
    if (m.dir === 'download') pump(s, m.chunk)
  })
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.srv.listen(0, '127.0.0.1', r))
    this.port = (this.srv.address() as net.AddressInfo).port
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    return new Promise((r) => this.srv.close(() => r()))
  }
}

/** Writes `chunk` again and again, waiting for 'drain' whenever the socket says so. */
function pump(s: net.Socket, chunk: Uint8Array): void {
  const go = (): void => {
    while (!s.destroyed && s.write(chunk));
    if (!s.destroyed) s.once('drain', go)
  }
  go()
}

interface Measured {
  bytesPerSec: number
  /** Relayed bytes per CPU-second of the relay. */
  bytesPerCpuSec: number
}

async function measure(crypto: Awaited<ReturnType<typeof createCrypto>>, child: Child, dc: Dc, ours: boolean, dir: 'upload' | 'download', conns: number, size: number, windowMs: number): Promise<Measured> {
  const chunk = randomFillSync(new Uint8Array(size))
  dc.mode = dir === 'upload' ? { dir } : { dir, chunk }
  let received = 0
  const clients: net.Socket[] = []
  await Promise.all(
    Array.from({ length: conns }, () => new Promise<void>((resolve, reject) => {
      const c = net.connect({ host: '127.0.0.1', port: child.port, noDelay: true }, () => {
        // a real MTProxy client's header (dd secret: padded framing); the rest is any bytes
        if (ours) c.write(createObfuscated2Client(crypto, { framing: 'padded', dcId: 2, secret: KEY }).header)
        if (dir === 'upload') pump(c, chunk)
        resolve()
      })
      c.on('error', reject)
      c.on('data', (d: Buffer) => {
        received += d.length
      })
      clients.push(c)
    })),
  )
  while (dc.sockets.size < conns) await sleep(5)
  const count = (): number => (dir === 'upload' ? dc.received : received)
  await sleep(Math.min(300, windowMs / 2))
  const c0 = await child.cpu()
  const b0 = count()
  const t0 = performance.now()
  await sleep(windowMs)
  const c1 = await child.cpu()
  const b1 = count()
  const t1 = performance.now()
  for (const c of clients) c.destroy()
  while (dc.sockets.size > 0) await sleep(5)
  const bytes = b1 - b0
  return { bytesPerSec: (bytes * 1000) / (t1 - t0), bytesPerCpuSec: (bytes * 1e6) / Math.max(1, c1 - c0) }
}

/** New fake-TLS handshakes: ClientHello in, server hello (3 records) out, then close; 4 at a time. */
async function handshakes(child: Child, crypto: Awaited<ReturnType<typeof createCrypto>>, count: number): Promise<{ perSec: number; cpuMs: number; n: number }> {
  // built beforehand (a ClientHello costs the client milliseconds of BigInt math for its key share)
  const now = Math.floor(Date.now() / 1000)
  const hellos = Array.from({ length: count }, () => buildClientHello(crypto, KEY_EE, DOMAIN, now))
  const one = (hello: Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = net.connect({ host: '127.0.0.1', port: child.port, noDelay: true }, () => c.write(hello))
      let buf = Buffer.alloc(0)
      c.on('error', reject)
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d])
        // ServerHello, ChangeCipherSpec, application data: three records
        let at = 0
        for (let i = 0; i < 3; i++) {
          if (buf.length < at + 5) return
          at += 5 + buf.readUInt16BE(at + 3)
        }
        if (buf.length < at) return
        c.destroy()
        resolve()
      })
    })
  let next = 0
  const c0 = await child.cpu()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < hellos.length) await one(hellos[next++])
  }))
  const t1 = performance.now()
  const c1 = await child.cpu()
  return { perSec: (count * 1000) / (t1 - t0), cpuMs: (c1 - c0) / 1000 / count, n: count }
}

const notes: string[] = []

const suite: BenchSuite = {
  name: 'proxy',
  async cases() {
    return []
  },
  async extra({ quick }) {
    notes.length = 0
    const crypto = await createCrypto()
    const dc = new Dc()
    await dc.listen()
    const relays = { ours: await startChild('ours', dc.port), fast: await startChild('fast', dc.port), pipe: await startChild('pipe', dc.port) }
    const rows: Row[] = []
    const rounds = quick ? 2 : 3
    const windowMs = quick ? 400 : 1500
    try {
      for (const dir of ['upload', 'download'] as const) {
        for (const conns of [1, 100]) {
          for (const size of [65536, 1024]) {
            // fast mode changes only what comes from the DC: measured on downloads
            const impls: Impl[] = dir === 'download' ? ['ours', 'fast', 'pipe'] : ['ours', 'pipe']
            const got: Partial<Record<Impl, Measured[]>> = {}
            for (let r = 0; r < rounds; r++) {
              const order = r % 2 ? [...impls].reverse() : impls
              for (const impl of order) (got[impl] ??= []).push(await measure(crypto, relays[impl], dc, impl !== 'pipe', dir, conns, size, windowMs))
            }
            const cpu: Partial<Record<Impl, number>> = {}
            for (const impl of impls) {
              const bps = got[impl]!.map((m) => m.bytesPerSec)
              const bpc = got[impl]!.map((m) => m.bytesPerCpuSec)
              const base = { impl: NAMES[impl], peer: impl === 'pipe', size, samples: got[impl]!.length }
              rows.push({ ...base, op: `${dir} x${conns} MB/s`, opsPerSec: median(bps) / size, bytesPerSec: median(bps), rme: spread(bps) })
              rows.push({ ...base, op: `${dir} x${conns} CPU`, opsPerSec: median(bpc) / size, bytesPerSec: median(bpc), rme: spread(bpc) })
              cpu[impl] = 1000 / (median(bpc) / 1e6)
            }
            const fastNote = cpu.fast === undefined ? '' : `; --fast-mode ${cpu.fast.toFixed(2)} ms = ${(cpu.fast / cpu.pipe!).toFixed(2)}x`
            notes.push(`${dir} x${conns} ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`} writes: CPU per relayed MB ${cpu.ours!.toFixed(2)} ms (mtwire proxy) vs ${cpu.pipe!.toFixed(2)} ms (node pipe) = ${(cpu.ours! / cpu.pipe!).toFixed(2)}x the floor${fastNote}`)
          }
        }
      }
      const hs = await handshakes(relays.ours, crypto, quick ? 60 : 200)
      rows.push({ impl: 'mtwire proxy', peer: false, op: 'fake-TLS handshakes', size: 0, opsPerSec: hs.perSec, bytesPerSec: 0, samples: hs.n, rme: 0 })
      notes.push(`fake-TLS: ${hs.perSec.toFixed(0)} new handshakes/s (4 at a time), ${hs.cpuMs.toFixed(2)} ms of relay CPU each`)
    } finally {
      for (const r of Object.values(relays)) await r.exit()
      await dc.close()
    }
    return rows
  },
  async notes() {
    return notes
  },
}

export default suite
