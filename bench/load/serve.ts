/**
 * `mtwire serve` in its own process for the load bench: the CLI bundled from the sources with
 * esbuild (as scripts/build.mjs makes dist/cli.mjs), run with plain `node` plus `--expose-gc`
 * and the probe (probe.cjs) that reports the server's memory and CPU over IPC. Reads the header
 * (address, public key) the CLI prints.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

/** The checkout: `npm run bench` runs from there (this file is bundled into .bench/, so not import.meta.url). */
export const root = process.cwd()
const out = join(root, '.bench', 'load')

/** Bundles a TypeScript entry (peers and deps external) into .bench/load/NAME.mjs. */
export async function bundle(entry: string, name: string): Promise<string> {
  mkdirSync(out, { recursive: true })
  const outfile = join(out, `${name}.mjs`)
  await build({ entryPoints: [join(root, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node18', packages: 'external', outfile, logLevel: 'error', absWorkingDir: root })
  return outfile
}

export interface ServerMem {
  rss: number
  heapUsed: number
  /** V8 heap committed (what of the heap counts in RSS). */
  heapTotal: number
  external: number
  arrayBuffers: number
  /** CPU time of the server process so far (µs, user + system). */
  cpuUs: number
}

export interface LoadServer {
  proc: ChildProcess
  port: number
  pem: string
  /** The server's memory after two full collections, and its CPU time so far. */
  mem(): Promise<ServerMem>
  stop(): Promise<void>
}

export async function startServer(): Promise<LoadServer> {
  const cli = await bundle('src/node/cli.ts', 'cli')
  const proc = spawn(process.execPath, ['--expose-gc', '-r', join(root, 'bench/load/probe.cjs'), cli, 'serve', '--quiet'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)))
  let buf = ''
  const header = await new Promise<RegExpExecArray>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('mtwire serve printed no header in 30 s')), 30_000)
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      const m = /^mtwire listening on (.+):(\d+)\n(-----BEGIN RSA PUBLIC KEY-----\n[\s\S]+?-----END RSA PUBLIC KEY-----\n)/.exec(buf)
      if (m) {
        clearTimeout(t)
        resolve(m)
      }
    })
    void exited.then((c) => reject(new Error(`mtwire serve exited with ${c}`)))
  })
  return {
    proc,
    port: Number(header[2]),
    pem: header[3],
    mem: () =>
      new Promise<ServerMem>((resolve) => {
        proc.once('message', (m: { mem: NodeJS.MemoryUsage; cpu: NodeJS.CpuUsage }) =>
          resolve({ rss: m.mem.rss, heapUsed: m.mem.heapUsed, heapTotal: m.mem.heapTotal, external: m.mem.external, arrayBuffers: m.mem.arrayBuffers, cpuUs: m.cpu.user + m.cpu.system }),
        )
        proc.send('mem')
      }),
    stop: async () => {
      proc.kill('SIGTERM')
      const code = await exited
      if (code !== 0) throw new Error(`mtwire serve exited with ${code}`)
    },
  }
}

/** The soft limit on open files of this process (Linux; Infinity elsewhere). */
export function openFilesLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return !m || m[1] === 'unlimited' ? Infinity : Number(m[1])
  } catch {
    return Infinity
  }
}
