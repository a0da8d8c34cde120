/**
 * `mtwire proxy` in-process: argument checks, --print-links, and a running proxy that reloads
 * its --secrets file on a real SIGHUP (established connections go on) and stops on SIGTERM.
 */
import { randomFillSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCryptoSync } from '../../src/crypto/create.js'
import { runCommand } from '../../src/node/cli-args.js'
import { formatLogLine, parseProxyArgs, proxyCommand } from '../../src/node/cli-proxy.js'
import { echoDc, mtConnect, recordingSite, SITE_BANNER, type EchoDc, type Site } from './helpers.js'

const crypto = createCryptoSync({ random: (b) => void randomFillSync(b) })
const KEY = '0123456789abcdef0123456789abcdef'
const KEY2 = 'aa'.repeat(16)
const EE = `ee${'11'.repeat(16)}${Buffer.from('example.com').toString('hex')}`
const dir = mkdtempSync(join(tmpdir(), 'mtwire-proxy-'))
/** The command as `mtwire proxy ARGS` runs it: a usage error prints and gives 2. */
const run = (argv: string[]): Promise<number> => runCommand('proxy', proxyCommand, argv)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

let out: string[] = []
let err: string[] = []
const capture = (): void => {
  out = []
  err = []
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')))
}
afterEach(() => vi.restoreAllMocks())

let dc: EchoDc
let site: Site
beforeAll(async () => {
  dc = await echoDc(crypto)
  site = await recordingSite()
})
afterAll(async () => {
  await dc.close()
  await site.close()
})

describe('mtwire proxy arguments', () => {
  it('refuses what it cannot run, with the usage', () => {
    expect(() => parseProxyArgs([])).toThrow(/give --secret or --secrets/)
    expect(() => parseProxyArgs(['--secret', KEY, '--secrets', 'f'])).toThrow(/not both/)
    expect(() => parseProxyArgs(['--secret', KEY, '--bogus'])).toThrow(/unknown option --bogus/)
    expect(() => parseProxyArgs(['--secret'])).toThrow(/needs a value/)
    expect(() => parseProxyArgs(['--secret', KEY, '--port', 'x'])).toThrow(/--port must be a number/)
    expect(() => parseProxyArgs(['--secret', KEY, '--upstream', '2'])).toThrow(/DC=HOST:PORT/)
    expect(() => parseProxyArgs(['--secret', KEY])).not.toThrow()
    expect(parseProxyArgs(['--secret', `a=${KEY}`, '--upstream', '2=127.0.0.1:1', '--upstream', '*=h:2', '--idle-timeout', '1.5']).options).toMatchObject({
      port: 443, host: '0.0.0.0', upstream: { '2': '127.0.0.1:1', '*': 'h:2' }, idleTimeoutMs: 1500,
    })
  })

  it('--print-links: one tg://proxy link per secret; --public-host required on every interface', async () => {
    capture()
    expect(await run(['--secret', KEY, '--print-links'])).toBe(2)
    expect(err.join('\n')).toMatch(/--print-links needs --public-host/)
    expect(await run(['--secret', `alice=dd${KEY}`, '--secret', EE, '--port', '8443', '--public-host', 'proxy.example', '--print-links'])).toBe(0)
    expect(out).toEqual([
      `alice tg://proxy?server=proxy.example&port=8443&secret=dd${KEY}`,
      expect.stringMatching(new RegExp(`^key-[0-9a-f]{8} tg://proxy\\?server=proxy\\.example&port=8443&secret=${EE}$`)),
    ])
    expect(await run(['--secret', KEY, '--host', '127.0.0.1', '--print-links'])).toBe(0)
    expect(out[2]).toMatch(/tg:\/\/proxy\?server=127\.0\.0\.1&port=443&secret=/)
  })

  it('a secret it cannot use is a usage error (exit 2) naming it', async () => {
    capture()
    expect(await run(['--secret', 'zz', '--print-links', '--public-host', 'h'])).toBe(2)
    expect(await run(['--secret', `a=${KEY}`, '--secret', `a=${KEY2}`, '--print-links', '--public-host', 'h'])).toBe(2)
    expect(err.join('\n')).toMatch(/mtwire proxy: secret 1: [\s\S]*mtwire proxy: secret a: the name a is used twice/)
  })

  it('--help prints every option, exit 0', async () => {
    capture()
    expect(await run(['--help'])).toBe(0)
    for (const o of ['--secrets FILE', '--upstream DC=HOST:PORT', '--print-links', '--public-host NAME', '--metrics HOST:PORT', '--max-buffer BYTES']) expect(out.join('\n')).toContain(o)
  })

  it('formats a text log line', () => {
    expect(formatLogLine({ time: 't', client: '1.2.3.4:5', result: 'relayed', secret: 'a', transport: 'fake-tls', dc: 2, upstream: 'h:443', reason: 'client closed', bytesFromClient: 10, bytesToClient: 20, durationMs: 3 }))
      .toBe('t 1.2.3.4:5 relayed secret=a fake-tls dc=2 upstream=h:443 in=10 out=20 3ms: client closed')
  })
})

describe('mtwire proxy running', () => {
  it('serves, reloads --secrets on SIGHUP without dropping connections, logs JSON lines, stops on SIGTERM', async () => {
    const file = join(dir, 'secrets')
    writeFileSync(file, `# users\nalice ${KEY}\n`)
    capture()
    const done = run([
      '--host', '127.0.0.1', '--port', '0', '--secrets', file, '--json',
      '--upstream', `*=127.0.0.1:${dc.port}`, '--tls-fallback', `127.0.0.1:${site.port}`,
    ])
    let port = 0
    for (let i = 0; i < 200 && !port; i++) {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err.join('\n'))
      if (m) port = Number(m[1])
      else await sleep(10)
    }
    expect(port).toBeGreaterThan(0)
    const alice = await mtConnect(crypto, port, KEY)
    alice.send(randomFillSync(new Uint8Array(40)))
    await alice.next()

    writeFileSync(file, `bob ${KEY2}\n`)
    process.kill(process.pid, 'SIGHUP')
    for (let i = 0; i < 200 && !err.some((l) => l.includes('reloaded')); i++) await sleep(10)
    expect(err.join('\n')).toContain('1 secret(s)')
    // alice's connection goes on; a new one with her secret goes to the fallback; bob's is relayed
    alice.send(randomFillSync(new Uint8Array(56)))
    expect((await alice.next()).length).toBe(56)
    const again = await mtConnect(crypto, port, KEY)
    await again.raw.waitFor(SITE_BANNER.length)
    expect(again.raw.received().equals(SITE_BANNER)).toBe(true)
    again.raw.sock.destroy()
    const bob = await mtConnect(crypto, port, KEY2)
    bob.send(randomFillSync(new Uint8Array(24)))
    await bob.next()

    // a broken file keeps the secrets in force
    writeFileSync(file, 'bob nothex\n')
    process.kill(process.pid, 'SIGHUP')
    for (let i = 0; i < 200 && !err.some((l) => l.includes('reload failed')); i++) await sleep(10)
    expect(err.join('\n'), err.join('\n')).toMatch(/reload failed, keeping the previous secrets: line 1/)

    alice.raw.sock.end()
    bob.raw.sock.end()
    await Promise.all([alice.raw.closed, bob.raw.closed])
    for (let i = 0; i < 200 && out.length < 3; i++) await sleep(10)
    process.kill(process.pid, 'SIGTERM')
    expect(await done).toBe(0)
    const lines = out.map((l) => JSON.parse(l) as { result: string; secret?: string })
    expect(lines.filter((l) => l.result === 'relayed').map((l) => l.secret).sort()).toEqual(['alice', 'bob'])
    expect(lines.some((l) => l.result === 'fallback')).toBe(true)
  }, 30_000)
})
