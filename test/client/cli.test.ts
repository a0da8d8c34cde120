// `mtwire connect`, run in-process against the loopback test server, console captured: the
// timings it prints, --state (no handshake the second time), --json, PFS, MTProxy secrets,
// and the exit codes (0 done, 1 failed, 2 wrong arguments; --help 0).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connectCommand } from '../../src/node/cli-connect.js'
import { runCommand } from '../../src/node/cli-args.js'
import { createCrypto } from '../../src/node/index.js'
import { startServer, type TestServer } from './server.js'

const dir = mkdtempSync(join(tmpdir(), 'mtwire-connect-'))
const SECRET = '00112233445566778899aabbccddeeff'
let srv: TestServer
let pub: string

beforeAll(async () => {
  srv = await startServer(await createCrypto(), { secrets: [SECRET, 'dd' + SECRET, 'ee' + SECRET + Buffer.from('example.com').toString('hex')] })
  pub = join(dir, 'server.pem')
  writeFileSync(pub, srv.key.publicKeyPem)
})
afterAll(() => srv.close())

async function run(args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')))
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')))
  try {
    const code = await runCommand('connect', connectCommand, args)
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}

describe('mtwire connect', () => {
  it('creates a key, pings, prints the timings and bytes', async () => {
    const r = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--count', '5'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^mtwire connect 127\.0\.0\.1:\d+ over intermediate; backend \S+/)
    expect(r.out).toMatch(/permanent key created in [\d.]+ ms/)
    expect(r.out).toMatch(/5 pings: min [\d.]+ ms, median [\d.]+ ms, max [\d.]+ ms/)
    expect(r.out).toMatch(/\d+ bytes sent, \d+ received/)
  })

  it('--pfs --transport http; --secret dd and ee; --transport websocket', async () => {
    const pfs = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--pfs', '--transport', 'http', '--count', '2'])
    expect(pfs.code, pfs.err).toBe(0)
    expect(pfs.out).toMatch(/temporary key created in [\d.]+ ms and bound/)
    const dd = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--secret', 'dd' + SECRET, '--count', '1'])
    expect(dd.code, dd.err).toBe(0)
    expect(dd.out).toContain('over obfuscated2 (MTProxy dd secret)')
    const ee = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--secret', 'ee' + SECRET + Buffer.from('example.com').toString('hex'), '--count', '1'])
    expect(ee.code, ee.err).toBe(0)
    expect(ee.out).toContain('(MTProxy ee secret, fake-TLS)')
    const ws = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--transport', 'websocket', '--count', '1'])
    expect(ws.code, ws.err).toBe(0)
  })

  it('--state keeps the key: the second run makes no handshake; --json', async () => {
    const state = join(dir, 'state.json')
    const a = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--state', state, '--count', '1'])
    expect(a.code, a.err).toBe(0)
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ version: 1, dcId: 2 })
    const b = await run([`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--state', state, '--count', '3', '--json'])
    expect(b.code, b.err).toBe(0)
    const j = JSON.parse(b.out)
    expect(j.handshakes).toEqual([])
    expect(j.pingsMs).toHaveLength(3)
    expect(j.bytesSent).toBeGreaterThan(0)
  })

  it('exit codes: --help 0; missing or wrong arguments 2 with the usage; a refused connection 1', async () => {
    const h = await run(['--help'])
    expect(h.code).toBe(0)
    expect(h.out).toMatch(/^usage: mtwire connect HOST:PORT --rsa-pub FILE/)
    for (const args of [[], [`127.0.0.1:${srv.port}`], ['nohost', '--rsa-pub', pub], [`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--bogus'], [`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--transport', 'carrier-pigeon'], [`127.0.0.1:${srv.port}`, '--rsa-pub', pub, '--count'], [`127.0.0.1:${srv.port}`, '--rsa-pub', join(dir, 'missing.pem')]]) {
      const r = await run(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.err, args.join(' ')).toMatch(/^mtwire connect: .+\nRun 'mtwire connect --help' for its usage\.$/)
    }
    const refused = await run(['127.0.0.1:1', '--rsa-pub', pub])
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/^mtwire connect: E_CONNECT /)
  })
})
