/**
 * Telethon 1.25 (Debian's `python3-telethon`, run by Debian's python3) against `mtwire serve` as
 * a real process, over every TCP transport it has: full, abridged, intermediate, obfuscated2 and
 * MTProxy with a plain and a `dd` secret. test/interop/telethon_client.py drives its
 * MTProtoSender (checklist B3): Telethon's own handshake (p_q_inner_data without dc, the legacy
 * RSA encoding), its first message with salt 0, pings, help.getNearestDc, an RPC error, then a
 * connection cut right after a ping went out: Telethon reconnects (a new session) and sends it
 * again. Telethon retries a failed handshake on its own, so its 255-byte-key quirk (§1.13) needs
 * no tolerance here.
 *
 * Where Telethon is missing the suite is skipped, saying so; CI installs it and sets
 * MTWIRE_REQUIRE_TELETHON=1, which turns the skip into a failure. MTWIRE_PYTHON picks another
 * interpreter (default /usr/bin/python3, Debian's, where the package installs).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cutRelay, startInterop, type CutRelay, type Interop } from './serve.js'

const python = process.env.MTWIRE_PYTHON ?? '/usr/bin/python3'
const driver = fileURLToPath(new URL('./telethon_client.py', import.meta.url))
const probe = spawnSync(python, ['-c', 'import telethon, sys; sys.stdout.write(telethon.__version__)'], { encoding: 'utf8' })
const version = probe.status === 0 ? probe.stdout : undefined
if (!version && process.env.MTWIRE_REQUIRE_TELETHON) throw new Error(`MTWIRE_REQUIRE_TELETHON is set but ${python} cannot import telethon: ${probe.stderr ?? probe.error}`)
if (!version) console.warn(`telethon interop skipped: ${python} cannot import telethon (Debian: apt-get install python3-telethon)`)

const TRANSPORTS = ['full', 'abridged', 'intermediate', 'obfuscated2', 'MTProxy plain', 'MTProxy dd'] as const
type Transport = (typeof TRANSPORTS)[number]
const DETECTED: Record<Transport, { transport: string; framing: string; secret: boolean }> = {
  full: { transport: 'plain', framing: 'full', secret: false },
  abridged: { transport: 'plain', framing: 'abridged', secret: false },
  intermediate: { transport: 'plain', framing: 'intermediate', secret: false },
  obfuscated2: { transport: 'obfuscated2', framing: 'abridged', secret: false },
  'MTProxy plain': { transport: 'obfuscated2', framing: 'abridged', secret: true },
  'MTProxy dd': { transport: 'obfuscated2', framing: 'padded', secret: true },
}

interface Line {
  step: string
  [k: string]: unknown
}

let io: Interop
let dir: string
let pemFile: string

beforeAll(async () => {
  if (!version) return
  io = await startInterop()
  dir = mkdtempSync(join(tmpdir(), 'mtwire-telethon-'))
  pemFile = join(dir, 'server.pem')
  writeFileSync(pemFile, io.serve.pem)
}, 60_000)
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  await io?.stop()
})

/**
 * Runs the driver for `t` through `relay`; when it asks (`cut?`), arms the relay to cut after
 * its next request and lets it go on. Resolves with its lines, its exit code and its stderr.
 */
function runTelethon(t: Transport | 'http', relay: CutRelay): Promise<{ lines: Line[]; code: number | null; stderr: string }> {
  const secret = t === 'MTProxy plain' ? io.secrets.plain : t === 'MTProxy dd' ? io.secrets.dd : undefined
  const child = spawn(python, ['-B', driver, '127.0.0.1', String(relay.port), pemFile, t, ...(secret ? [secret] : [])], { stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: Line[] = []
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  createInterface({ input: child.stdout }).on('line', (l) => {
    const line = JSON.parse(l) as Line
    lines.push(line)
    if (line.step === 'cut?') {
      void relay.cutAfterNextRequest()
      child.stdin.write('\n')
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ lines, code, stderr })
    }),
  )
}

describe.skipIf(!version).concurrent(`Telethon ${version ?? ''} (MTProtoSender, Debian's python3-telethon) against mtwire serve`, () => {
  it.each(TRANSPORTS)('%s: its handshake, salt 0, pings, help.getNearestDc, an RPC error, a ping sent again after a cut', async (t) => {
    const relay = await cutRelay(io.port)
    try {
      const { lines, code, stderr } = await runTelethon(t, relay)
      const steps = lines.map((l) => l.step)
      expect(steps, `${JSON.stringify(lines)}\n${stderr}`).toEqual(['connected', 'ping', 'ping', 'ping', 'nearestDc', 'getConfig', 'cut?', 'ping after cut', 'done'])
      expect(code).toBe(0)
      expect(lines.filter((l) => l.step.startsWith('ping')).map((l) => l.pingId)).toEqual([1, 2, 3, 4])
      expect(lines.find((l) => l.step === 'nearestDc')).toMatchObject({ thisDc: 2, nearestDc: 2 })
      expect(lines.find((l) => l.step === 'getConfig')).toMatchObject({ error: 'BadRequestError', code: 400, message: 'INPUT_METHOD_INVALID_c4f9186b' })
      // the ping after the cut went out again on a second connection
      expect(relay.accepted).toBe(2)
      await new Promise((r) => setTimeout(r, 100))
      const conns = io.connsOf(relay)
      const mine = io.events().filter((e) => e.conn !== undefined && conns.has(e.conn))
      // Telethon's key is the server's permanent key made on this test's first connection
      const keys = mine.filter((e) => e.event === 'auth-key')
      expect(keys.length).toBeGreaterThanOrEqual(1)
      expect(keys.every((e) => !e.temporary)).toBe(true)
      // its first message carried salt 0: the server answered bad_server_salt (48), once per session
      expect(mine.filter((e) => e.event === 'error' && e.message === 'bad_msg_notification 48').length).toBeGreaterThanOrEqual(1)
      // one session per connection (Telethon resets its session when it reconnects)
      const sessions = new Set(mine.filter((e) => e.event === 'session').map((e) => e.sessionId))
      expect(sessions.size).toBe(2)
      const d = DETECTED[t]
      const det = mine.filter((e) => e.event === 'detected')
      expect(det.length).toBe(2)
      for (const e of det) expect({ transport: e.transport, framing: e.framing, secret: e.secret !== undefined }).toEqual(d)
    } finally {
      await relay.close()
    }
  }, 45_000)

  /**
   * Telethon 1.25's HTTP transport cannot read any response: `HttpPacketCodec.read_packet`
   * checks `line[-1] != b'\n'`, which compares an int with bytes in Python 3 and is always
   * true, so it gives up on the status line, whatever the server sent. This pins that peer bug
   * down (the server detected HTTP and answered the first request); when Debian's Telethon fixes
   * it, this test fails and 'http' joins the list above.
   */
  it('http: refused by Telethon itself (its HTTP reader rejects every status line)', async () => {
    const relay = await cutRelay(io.port)
    try {
      const { lines } = await runTelethon('http', relay)
      expect(lines.at(-1)).toMatchObject({ step: 'error', error: 'ConnectionError' })
      await new Promise((r) => setTimeout(r, 100))
      const conns = io.connsOf(relay)
      const mine = io.events().filter((e) => e.conn !== undefined && conns.has(e.conn))
      expect(mine.filter((e) => e.event === 'detected').every((e) => e.transport === 'http')).toBe(true)
      const closes = mine.filter((e) => e.event === 'close')
      expect(closes.length).toBeGreaterThan(0)
      for (const c of closes) expect(c).toMatchObject({ reason: 'the client closed' })
      for (const c of closes) expect(c.bytesOut).toBeGreaterThan(100)
    } finally {
      await relay.close()
    }
  }, 45_000)
})
