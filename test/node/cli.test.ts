/**
 * `mtwire` as a user runs it, a real process: `serve` (its header, clients over several
 * transports with permanent and temporary keys, JSON log lines, a clean stop on SIGTERM and
 * SIGINT, permanent keys kept across a restart with --state and temporary ones not, --rsa-key
 * from `keygen`), and every command's --help, --version and usage errors (exit codes 0 and 2).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import '../../src/node/index.js'
import { parsePrivateKeyPem } from '../../src/auth/rsa.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/index.js'
import { buildCli, mtwire, startServe } from './cli-bin.js'
import { handshake, openLink, TestSession, until, type LinkSpec } from './client.js'

const crypto = createCryptoSync()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
let cli: string
let cleanup: () => void
const dir = mkdtempSync(join(tmpdir(), 'mtwire-cli-'))

beforeAll(async () => {
  ;({ cli, cleanup } = await buildCli())
}, 60_000)
afterAll(() => {
  cleanup?.()
  rmSync(dir, { recursive: true, force: true })
})

describe('mtwire serve (a real process)', () => {
  it('prints its address, public key and fingerprint; clients over every kind of transport, permanent and temporary keys; logs JSON; stops on SIGTERM', async () => {
    const dd = 'dd' + hex(crypto.randomBytes(16))
    const ee = 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex')
    const s = await startServe(crypto, cli, ['--json', '--secret', dd, '--secret', ee])
    try {
      expect(s.host).toBe('127.0.0.1')
      expect(s.fingerprintLine).toBe(`fingerprint ${BigInt.asUintN(64, s.key.fingerprint).toString(16).padStart(16, '0')} ${BigInt.asIntN(64, s.key.fingerprint)}`)
      // mtcute finds only keys whose hex fingerprint does not start with 0 (checklist §1.7)
      expect(s.fingerprintLine).toMatch(/^fingerprint [1-9a-f]/)
      const specs: [string, LinkSpec][] = [
        ['full', { kind: 'tcp', options: { framing: 'full' } }],
        ['obfuscated2', { kind: 'tcp', options: { framing: 'abridged', obfuscated: true, dcId: 2 } }],
        ['dd', { kind: 'tcp', options: { proxySecret: dd, dcId: 2 } }],
        ['ee', { kind: 'tcp', options: { proxySecret: ee, dcId: 2 } }],
        ['WebSocket', { kind: 'ws' }],
        ['HTTP', { kind: 'http' }],
      ]
      for (const [name, spec] of specs) {
        const link = await openLink(crypto, s.port, spec)
        const perm = await handshake(crypto, link, s.key)
        const temp = await handshake(crypto, link, s.key, { expiresIn: 600 })
        const ts = new TestSession(crypto, link, perm)
        try {
          expect(await ts.invoke({ _: 'ping', ping_id: 5n }), name).toMatchObject({ ping_id: 5n })
          ts.session.useTempKey(createAuthKey(temp.authKey), temp.expiresAt!)
          const p = crypto.randomBytes(3000)
          expect(hex(((await ts.invoke({ _: 'mtwire.echo', payload: p })) as { payload: Uint8Array }).payload), name).toBe(hex(p))
          expect(ts.events.some((e) => e.type === 'bound'), name).toBe(true)
        } finally {
          ts.close()
        }
      }
      const events = () => s.lines.map((l) => JSON.parse(l) as { event: string; time: string; transport?: string; temporary?: boolean; websocket?: string })
      await until(() => events().filter((e) => e.event === 'open').length === events().filter((e) => e.event === 'close').length, 5000, 'every connection closed')
      const ev = events()
      expect(ev.every((e) => typeof e.time === 'string')).toBe(true)
      const detected = ev.filter((e) => e.event === 'detected')
      expect(new Set(detected.map((e) => e.transport))).toEqual(new Set(['plain', 'obfuscated2', 'fake-tls', 'http']))
      expect(detected.filter((e) => e.websocket === '/apiws')).toHaveLength(1)
      expect(ev.filter((e) => e.event === 'auth-key').map((e) => e.temporary)).toEqual(specs.flatMap(() => [false, true]))
    } finally {
      expect(await s.stop('SIGTERM')).toBe(0)
    }
  }, 60_000)

  it('--state keeps permanent keys (and the generated RSA key) across a restart; temporary keys are gone; SIGINT stops it', async () => {
    const state = join(dir, 'state.keys')
    const a = await startServe(crypto, cli, ['--quiet', '--state', state])
    const link = await openLink(crypto, a.port, { kind: 'tcp', options: { framing: 'intermediate' } })
    const perm = await handshake(crypto, link, a.key)
    const temp = await handshake(crypto, link, a.key, { expiresIn: 600 })
    link.close()
    expect(await a.stop('SIGINT')).toBe(0)
    expect(statSync(state).mode & 0o777).toBe(0o600)
    expect(a.lines).toEqual([]) // --quiet: nothing after the header
    const b = await startServe(crypto, cli, ['--quiet', '--state', state])
    try {
      expect(b.pem).toBe(a.pem) // the same server to its clients
      const l2 = await openLink(crypto, b.port, { kind: 'tcp', options: { framing: 'abridged' } })
      const ts = new TestSession(crypto, l2, perm)
      try {
        expect(await ts.invoke({ _: 'ping', ping_id: 9n })).toMatchObject({ ping_id: 9n })
      } finally {
        ts.close()
      }
      // the temporary key lived in the first process only: −404
      const l3 = await openLink(crypto, b.port, { kind: 'tcp', options: { framing: 'abridged' } })
      const tt = new TestSession(crypto, l3, temp)
      void tt.session.invoke({ _: 'ping', ping_id: 1n }).catch(() => {})
      tt.flush()
      expect(await l3.closed).toBe('E_TRANSPORT_404')
      tt.close()
    } finally {
      expect(await b.stop('SIGINT')).toBe(0)
    }
    // a damaged file is refused with a clear message
    writeFileSync(join(dir, 'bad.keys'), 'not a key store\n')
    const r = mtwire(cli, ['serve', '--state', join(dir, 'bad.keys')])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/bad\.keys:1: the first line is not "mtwire-keys 1"/)
  }, 60_000)

  it('keygen --out, then serve --rsa-key with it: the same public key and fingerprint', async () => {
    const file = join(dir, 'server.pem')
    const g = mtwire(cli, ['keygen', '--out', file])
    expect(g.code).toBe(0)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const priv = parsePrivateKeyPem(crypto, readFileSync(file, 'utf8'))
    expect(g.out).toMatch(/^-----BEGIN RSA PUBLIC KEY-----\n[\s\S]+\n-----END RSA PUBLIC KEY-----\nfingerprint [1-9a-f][0-9a-f]{15} -?\d+\n$/)
    expect(mtwire(cli, ['keygen', '--out', file]).code).toBe(2) // not overwritten
    const s = await startServe(crypto, cli, ['--quiet', '--rsa-key', file, '--port', '0', '--host', '127.0.0.1'])
    try {
      expect(s.key.fingerprint).toBe(priv.fingerprint)
      expect(`${s.pem}${s.fingerprintLine}\n`).toBe(g.out)
    } finally {
      expect(await s.stop()).toBe(0)
    }
    // keygen without --out: the private key first
    const k = mtwire(cli, ['keygen'])
    expect(k.code).toBe(0)
    expect(k.out).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n-----BEGIN RSA PUBLIC KEY-----/)
  }, 60_000)
})

describe('mtwire usage', () => {
  it('--help on every command prints its usage and exits 0; --version', () => {
    for (const c of ['info', 'decode', 'gen-tl', 'serve', 'keygen']) {
      const r = mtwire(cli, [c, '--help'])
      expect(r.code, c).toBe(0)
      expect(r.out, c).toMatch(new RegExp(`^usage: mtwire ${c}`))
      expect(r.out, c).toContain('--help')
    }
    const top = mtwire(cli, ['--help'])
    expect(top.code).toBe(0)
    for (const c of ['info', 'decode', 'gen-tl', 'serve', 'keygen']) expect(top.out).toContain(`  ${c} `)
    const v = mtwire(cli, ['--version'])
    expect(v.code).toBe(0)
    expect(v.out.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version)
    expect(mtwire(cli, ['serve', '--help']).out).toContain('--tls-fallback HOST:PORT')
  })

  it('unknown arguments, missing values and missing arguments exit 2 with a clear message', () => {
    const cases: [string[], RegExp][] = [
      [[], /mtwire: missing command/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['serve', '--bogus'], /mtwire serve: unknown option --bogus/],
      [['serve', '--port'], /--port needs a value/],
      [['serve', '--port', '70000'], /--port must be 0\.\.65535/],
      [['serve', '--tls-fallback', 'nohost'], /--tls-fallback must be HOST:PORT/],
      [['serve', '--secret', 'zz'], /--secret zz/],
      [['serve', 'extra'], /unexpected argument extra/],
      [['serve', '--quiet=1'], /--quiet takes no value/],
      [['serve', '--rsa-key', '/nonexistent/key.pem'], /cannot read/],
      [['decode'], /mtwire decode: missing argument/],
      [['decode', 'a', 'b'], /unexpected argument b/],
      [['gen-tl'], /mtwire gen-tl: missing argument/],
      [['keygen', 'x'], /unexpected argument x/],
      [['info', '--json'], /unknown option --json/],
    ]
    for (const [args, msg] of cases) {
      const r = mtwire(cli, args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.err, args.join(' ')).toMatch(msg)
    }
  })
})
