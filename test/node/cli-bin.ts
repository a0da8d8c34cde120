/**
 * The `mtwire` command as a real process, from the sources: src/node/cli.ts bundled with esbuild
 * (as scripts/build.mjs makes dist/cli.mjs) into .cache/ inside the checkout (so that it finds
 * the package's version), once per test file; `startServe` runs `mtwire serve` and reads its
 * header (address, public key, fingerprint).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { ServerPublicKey } from '../../src/auth/rsa.js'
import { parsePublicKeyPem } from '../../src/auth/rsa.js'
import type { Crypto } from '../../src/crypto/types.js'

const root = join(__dirname, '../..')

export async function buildCli(): Promise<{ cli: string; cleanup(): void }> {
  const dir = join(root, '.cache', `cli-test-${process.pid}-${Math.random().toString(36).slice(2)}`)
  mkdirSync(dir, { recursive: true })
  const cli = join(dir, 'cli.mjs')
  await build({ entryPoints: [join(root, 'src/node/cli.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node18', packages: 'external', outfile: cli, logLevel: 'error', absWorkingDir: root })
  return { cli, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Runs `mtwire args...` to its end. */
export function mtwire(cli: string, args: string[], timeout = 60_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout, cwd: root })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

export interface Serve {
  proc: ChildProcess
  host: string
  port: number
  pem: string
  key: ServerPublicKey
  fingerprintLine: string
  /** Lines printed after the header (log lines). */
  lines: string[]
  /** Resolves with the exit code (or the signal that ended it, and what it printed on stderr). */
  exited: Promise<number | string>
  stop(signal?: NodeJS.Signals): Promise<number | string>
}

/** Starts `mtwire serve args...` and waits for its header. */
export function startServe(crypto: Crypto, cli: string, args: string[]): Promise<Serve> {
  const proc = spawn(process.execPath, [cli, 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let buf = ''
  let err = ''
  const exited = new Promise<number | string>((r) => proc.on('exit', (code, signal) => r(code ?? `${signal}: ${err}`)))
  const lines: string[] = []
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise<Serve>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`mtwire serve printed no header in 20 s: ${buf}${err}`))
    }, 20_000)
    let header: Serve | undefined
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      if (!header) {
        const m = /^mtwire listening on (.+):(\d+)\n(-----BEGIN RSA PUBLIC KEY-----\n[\s\S]+?-----END RSA PUBLIC KEY-----\n)(fingerprint [0-9a-f]{16} -?\d+)\n/.exec(buf)
        if (!m) return
        clearTimeout(timer)
        buf = buf.slice(m[0].length)
        header = {
          proc,
          host: m[1],
          port: Number(m[2]),
          pem: m[3],
          key: parsePublicKeyPem(crypto, m[3]),
          fingerprintLine: m[4],
          lines,
          exited,
          stop: async (signal = 'SIGTERM') => {
            proc.kill(signal)
            return exited
          },
        }
        resolve(header)
      }
      const parts = buf.split('\n')
      buf = parts.pop()!
      lines.push(...parts)
    })
    void exited.then((code) => {
      clearTimeout(timer)
      if (!header) reject(new Error(`mtwire serve exited with ${code}: ${buf}${err}`))
    })
  })
}

/** The resident set size of a process, in bytes (Linux). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : NaN
}
