/**
 * `npm start`, the main job: on loopback, with no configuration, in seconds. Starts `mtwire
 * serve` in its own process, connects a client over every transport (plain framings,
 * obfuscated2, MTProxy secrets including dd and ee fake-TLS, WebSocket, HTTP with long
 * polling), creates a permanent and a temporary key on each and binds them, exchanges a few
 * thousand encrypted RPCs, then opens a secret chat between two clients through the server
 * (messages both ways, a re-keying, the key visualization, an encrypted file in parts). Prints
 * progress as it goes and a summary; exits 1 if anything failed.
 *
 * It uses the built package (dist/), as an embedder would, in plain `node`: the backend shown
 * is the one a user gets without V8 flags.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as built from '../dist/node.mjs'
import { type ChatEvent, SecretPeer } from './demo-secret.js'
import type { Client } from '../src/session/runner.js'
import type { ConnectOptions } from '../src/node/client.js'

const lib = built as typeof import('../src/node/index.js')
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** RPCs per transport, and how many in flight at once. */
const RPCS = 300
const IN_FLIGHT = 32
/** Secret messages each way, and the file sent in parts. */
const SECRET_MESSAGES = 150
const FILE_BYTES = 1_200_000
/** The MTProxy secret the server is started with: its 16 bytes serve plain, dd and ee (fake-TLS) clients. */
const SECRET16 = '6d747769726520737461727420646d6f'
const TLS_DOMAIN = 'example.com'

const tty = process.stdout.isTTY === true
const green = (s: string): string => (tty ? `\x1b[32m${s}\x1b[0m` : s)
const red = (s: string): string => (tty ? `\x1b[31m${s}\x1b[0m` : s)
const dim = (s: string): string => (tty ? `\x1b[2m${s}\x1b[0m` : s)
const ms = (x: number): string => (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`)
const kb = (n: number): string => (n < 10_000 ? `${n} B` : `${(n / 1024).toFixed(0)} KiB`)
const num = (n: number): string => Math.round(n).toLocaleString('en-US')

interface Server {
  host: string
  port: number
  pem: string
  fingerprint: string
  proc: ChildProcess
  /** The secret-chat relay's users as the server derives them (from the relay secret in its --state file). */
  users: InstanceType<typeof lib.SecretRelay>
  stop(): Promise<void>
}

/**
 * `mtwire serve` on a free loopback port, in its own process: its address and key come from its
 * first lines. It keeps its state in a fresh file made here first, so that we know the relay's
 * secret: that is how the main job hands Alice Bob's user id and access_hash out of band (to the
 * test server each permanent auth key is a user, both derived from that secret).
 */
function startServer(crypto: Awaited<ReturnType<typeof lib.createCrypto>>): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'mtwire-main-job-'))
  const state = join(dir, 'state')
  const store = lib.FileKeyStore.open(state, (n) => crypto.randomBytes(n))
  const users = new lib.SecretRelay({ crypto, secret: store.relaySecret })
  store.close()
  const secrets = [SECRET16, `dd${SECRET16}`, `ee${SECRET16}${Buffer.from(TLS_DOMAIN).toString('hex')}`].flatMap((s) => ['--secret', s])
  const proc = spawn(process.execPath, [join(root, 'dist/cli.mjs'), 'serve', '--host', '127.0.0.1', '--port', '0', ...secrets, '--state', state, '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  let out = ''
  let err = ''
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('mtwire serve did not print its address within 20 s')), 20_000)
    const fail = (e: Error): void => {
      clearTimeout(timer)
      proc.kill()
      reject(new Error(`${e.message}${err ? `\n${err.trim()}` : ''}`))
    }
    proc.on('exit', (code) => fail(new Error(`mtwire serve exited (${code})`)))
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const addr = /mtwire listening on (\S+):(\d+)/.exec(out)
      const pem = /-----BEGIN RSA PUBLIC KEY-----[\s\S]+?-----END RSA PUBLIC KEY-----/.exec(out)
      if (!addr || !pem) return
      // the fingerprint line follows the key
      const fp = /fingerprint\D*([0-9a-f]{16})/i.exec(out.slice(pem.index + pem[0].length))
      if (!fp && !/\n.*\n/.test(out.slice(pem.index + pem[0].length))) return
      clearTimeout(timer)
      proc.removeAllListeners('exit')
      resolve({
        host: addr[1].replace(/^\[|\]$/g, ''),
        port: Number(addr[2]),
        pem: pem[0],
        fingerprint: fp?.[1] ?? '?',
        proc,
        users,
        stop: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null) return done()
            proc.once('exit', () => done())
            proc.kill('SIGTERM')
            setTimeout(() => proc.kill('SIGKILL'), 3000).unref()
          }),
      })
    })
  })
}

interface Row {
  name: string
  options: Partial<ConnectOptions>
  ok?: boolean
  error?: string
  permMs?: number
  tempMs?: number
  readyMs?: number
  rps?: number
  rpcs?: number
  up?: number
  down?: number
}

const ROWS: Row[] = [
  { name: 'abridged', options: { transport: 'abridged' } },
  { name: 'intermediate', options: { transport: 'intermediate' } },
  { name: 'padded intermediate', options: { transport: 'padded' } },
  { name: 'full', options: { transport: 'full' } },
  { name: 'obfuscated2', options: { transport: 'obfuscated2' } },
  { name: 'MTProxy secret', options: { transport: 'obfuscated2', secret: SECRET16 } },
  { name: 'MTProxy dd', options: { transport: 'obfuscated2', secret: `dd${SECRET16}` } },
  { name: 'MTProxy ee (fake-TLS)', options: { transport: 'obfuscated2', secret: `ee${SECRET16}${Buffer.from(TLS_DOMAIN).toString('hex')}` } },
  { name: 'WebSocket', options: { transport: 'websocket' } },
  { name: 'HTTP (long poll)', options: { transport: 'http' } },
]

async function transportRun(server: Server, crypto: Awaited<ReturnType<typeof lib.createCrypto>>, row: Row): Promise<void> {
  const t0 = performance.now()
  const client = await lib.connect({ host: server.host, port: server.port, rsaKeys: [server.pem], crypto, pfs: true, reconnect: false, ...row.options })
  try {
    row.readyMs = performance.now() - t0
    const hs = client.stats.handshakes
    row.permMs = hs.find((h) => !h.temporary)?.ms
    row.tempMs = hs.find((h) => h.temporary)?.ms
    if (row.permMs === undefined || row.tempMs === undefined) throw new Error('a key is missing')
    // mtwire.echo: 256 random bytes each way, every answer checked
    const payload = crypto.randomBytes(256)
    let next = 0
    let done = 0
    const t1 = performance.now()
    const worker = async (): Promise<void> => {
      while (next < RPCS) {
        next++
        const r = await client.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload })
        if (r.payload.length !== payload.length || r.payload.some((b, i) => b !== payload[i])) throw new Error('an echo came back different')
        done++
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    row.rps = done / ((performance.now() - t1) / 1000)
    row.rpcs = done
    row.up = client.stats.bytesSent
    row.down = client.stats.bytesReceived
    row.ok = true
  } finally {
    await client.close()
  }
}

/** The 12×12 key visualization in the terminal: four shades, two characters per cell. */
function drawVisualization(bits: Uint8Array): string[] {
  const cells = lib.visualizationCells(bits)
  const shades = ['  ', '░░', '▓▓', '██']
  const lines: string[] = []
  for (let y = 0; y < lib.VISUALIZATION_GRID; y++) {
    let l = ''
    for (let x = 0; x < lib.VISUALIZATION_GRID; x++) l += shades[cells[y * lib.VISUALIZATION_GRID + x]]
    lines.push(l)
  }
  return lines
}

async function secretRun(server: Server, crypto: Awaited<ReturnType<typeof lib.createCrypto>>): Promise<string[]> {
  const codec = lib.mergeCodecs(lib.mtprotoCodec, lib.mtwireCodec, lib.apiSecretCodec)
  const opts = { host: server.host, port: server.port, rsaKeys: [server.pem], crypto, pfs: true, session: { codec } }
  const clients: Client[] = await Promise.all([lib.connect(opts), lib.connect(opts)])
  const [alice, bob] = clients
  const events: ChatEvent[] = []
  const pa = new SecretPeer(lib, alice, 'alice', (e) => events.push(e))
  const pb = new SecretPeer(lib, bob, 'bob', (e) => events.push(e))
  const lines: string[] = []
  try {
    const t0 = performance.now()
    const bobUser = userOf(server, bob)
    await pb.dhConfig()
    const chatA = await pa.request(bobUser)
    await until(() => pb.chats.size === 1, 'Bob accepts the chat')
    const chatB = [...pb.chats.values()][0]
    const exchange = performance.now() - t0
    if (!same(chatA.visualization!, chatB.visualization!)) throw new Error('the two sides see different keys')
    lines.push(`key exchange (DH through the server, which never sees the key): ${ms(exchange)}`)
    lines.push('key visualization, the same on both sides (compare it out of band):')
    for (const l of drawVisualization(chatA.visualization!)) lines.push(`    ${l}`)
    lines.push(`    ${lib.visualizationHex(chatA.visualization!).replace(/\s+/g, ' ')}`)

    const t1 = performance.now()
    for (let i = 0; i < SECRET_MESSAGES; i++) {
      pa.send(chatA, `hello Bob, #${i}`)
      pb.send(chatB, `hi Alice, #${i}`)
    }
    const texts = (p: SecretPeer): string[] => events.filter((e) => e.peer === p && e.event.type === 'message').map((e) => (e.event as { message: { message: string } }).message.message)
    await until(() => texts(pa).length >= SECRET_MESSAGES && texts(pb).length >= SECRET_MESSAGES, 'the messages arrive')
    const inOrder = texts(pb).every((t, i) => t === `hello Bob, #${i}`) && texts(pa).every((t, i) => t === `hi Alice, #${i}`)
    if (!inOrder) throw new Error('messages arrived out of order or changed')
    const sent = performance.now() - t1
    await until(() => events.some((e) => e.event.type === 'rekeyed') && chatA.keyFingerprint === chatB.keyFingerprint, 'the re-keying completes')
    const rekeys = events.filter((e) => e.event.type === 'rekeyed' && e.peer === pa).length
    lines.push(`${2 * SECRET_MESSAGES} messages both ways in ${ms(sent)} (${num((2 * SECRET_MESSAGES) / (sent / 1000))} msg/s), in order; ` +
      `re-keyed ${rekeys}x after 100 messages (PFS), visualization unchanged: ${same(chatA.visualization!, chatB.visualization!) ? 'yes' : 'NO'}`)

    const t2 = performance.now()
    const file = crypto.randomBytes(FILE_BYTES)
    await pa.sendFile(chatA, file, 'holiday.jpg')
    await until(() => events.some((e) => e.peer === pb && e.event.type === 'message' && e.event.file?._ === 'encryptedFile'), 'the file arrives')
    const m = events.find((e) => e.peer === pb && e.event.type === 'message' && e.event.file?._ === 'encryptedFile')!.event as Extract<ChatEvent['event'], { type: 'message' }>
    const got = await pb.download(m.file!, (m.message as { media: { key: Uint8Array; iv: Uint8Array; size: bigint } }).media)
    if (!same(got, file)) throw new Error('the file came back different')
    const parts = Math.ceil(FILE_BYTES / lib.FILE_PART_SIZE)
    lines.push(`an encrypted file of ${kb(FILE_BYTES)} in ${parts} parts of 512 KiB: uploaded, announced, downloaded and decrypted in ${ms(performance.now() - t2)}, identical`)
    await Promise.all([pa.ackQueue(), pb.ackQueue()])
    const bad = events.filter((e) => e.event.type === 'error' || e.event.type === 'aborted')
    if (bad.length) throw new Error(`${bad.length} chat errors, first: ${String((bad[0].event as { error?: Error }).error)}`)
    if (pa.failures.length + pb.failures.length) throw new Error(`a chat request failed: ${String([...pa.failures, ...pb.failures][0])}`)
    return lines
  } finally {
    pa.close()
    pb.close()
    await Promise.all(clients.map((c) => c.close()))
  }
}

/** The inputUser of a client's user on the test server (its permanent key's id, through the relay's secret). */
function userOf(server: Server, client: Client): { _: 'inputUser'; user_id: bigint; access_hash: bigint } {
  const key = lib.createAuthKey(Buffer.from(client.exportState()!.session.authKey, 'base64'))
  const u = server.users.user(key.idLong)
  key.dispose()
  return { _: 'inputUser', user_id: u.id, access_hash: u.accessHash }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

async function until(f: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

async function main(): Promise<number> {
  const t0 = performance.now()
  const crypto = await lib.createCrypto()
  console.log(`mtwire: the main job. A server and clients over every transport, on this machine (loopback only).`)
  console.log(`node ${process.version} ${process.platform}/${process.arch}; crypto backend ${crypto.backend}` +
    `${crypto.backend.endsWith('/table') ? ' (table AES: not constant-time)' : ''} (what plain \`node\` picks, no V8 flags)\n`)

  process.stdout.write('starting `mtwire serve` in its own process ... ')
  const server = await startServer(crypto)
  console.log(`listening on ${server.host}:${server.port} (pid ${server.proc.pid}), RSA key fingerprint ${server.fingerprint}\n`)
  let failed = 0
  try {
    console.log(`Each client: a permanent key (DH handshake, RSA_PAD), a temporary key bound to it (PFS), then ${RPCS} mtwire.echo RPCs of 256 B (${IN_FLIGHT} in flight).`)
    const head = `${'transport'.padEnd(24)}${'perm key'.padStart(10)}${'temp+bind'.padStart(11)}${'RPCs/s'.padStart(9)}${'bytes up / down'.padStart(22)}`
    console.log(dim(head))
    for (const row of ROWS) {
      process.stdout.write(`${row.name.padEnd(24)}`)
      try {
        await transportRun(server, crypto, row)
        console.log(`${ms(row.permMs!).padStart(10)}${ms(row.readyMs! - row.permMs!).padStart(11)}${num(row.rps!).padStart(9)}${`${kb(row.up!)} / ${kb(row.down!)}`.padStart(22)}  ${green('ok')}`)
      } catch (e) {
        failed++
        row.ok = false
        row.error = e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e)
        console.log(`  ${red('FAILED')} ${row.error}`)
      }
    }

    console.log('\nA secret chat between two clients (Alice, Bob) through the server, end-to-end encrypted:')
    try {
      for (const l of await secretRun(server, crypto)) console.log(`  ${l}`)
      console.log(`  ${green('ok')}`)
    } catch (e) {
      failed++
      console.log(`  ${red('FAILED')} ${e instanceof Error ? e.message : String(e)}`)
    }
  } finally {
    await server.stop()
  }
  const ok = ROWS.filter((r) => r.ok)
  const rpcs = ok.reduce((n, r) => n + (r.rpcs ?? 0), 0)
  const bytes = ok.reduce((n, r) => n + (r.up ?? 0) + (r.down ?? 0), 0)
  console.log(`\n${failed ? red('verdict: FAILED') : green('verdict: everything worked')}: ${ok.length} of ${ROWS.length} transports, ${num(rpcs)} encrypted RPCs, ` +
    `${2 * ok.length} keys, ${kb(bytes)} on the wire, the secret chat ${failed > ROWS.length - ok.length ? 'FAILED' : 'ok'}; ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(red(`\nthe main job failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`))
    process.exit(1)
  },
)
