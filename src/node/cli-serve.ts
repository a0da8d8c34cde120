/**
 * `mtwire serve`: the test server (src/node/server.ts) from the command line, and `mtwire keygen`:
 * an RSA key for it. What a CI job needs: loopback and a free port by default, the public key and
 * its fingerprint printed for the client under test, one log line per connection event, a clean
 * stop on SIGINT/SIGTERM.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { generateRsaKey, parsePrivateKeyPem, publicKeyToPem, type ServerPrivateKey } from '../auth/rsa.js'
import { MtwireError } from '../errors.js'
import { parseProxySecret } from '../transport/secret.js'
import { type Command, usageError } from './cli-args.js'
import { createCryptoSync } from './index.js'
import { FileKeyStore } from './keystore-file.js'
import { createServer, type ServerLogEvent } from './server.js'

/** `fingerprint 1a2b3c4d5e6f7081 1885261718373117057`: hex (unsigned) and signed decimal, as clients want it. */
export function fingerprintLine(fp: bigint): string {
  return `fingerprint ${BigInt.asUintN(64, fp).toString(16).padStart(16, '0')} ${BigInt.asIntN(64, fp)}`
}

/** `HOST:PORT`, `[v6]:PORT`. */
function hostPort(v: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v)
  const port = m ? Number(m[3]) : NaN
  if (!m || port < 1 || port > 65535) usageError(`${what} must be HOST:PORT, got ${v}`)
  return { host: m[1] ?? m[2], port }
}

function readKey(crypto: ReturnType<typeof createCryptoSync>, file: string): ServerPrivateKey {
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (e) {
    return usageError(`--rsa-key: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
  try {
    return parsePrivateKeyPem(crypto, pem)
  } catch (e) {
    return usageError(`--rsa-key: ${file} is not an RSA private key in PEM (${e instanceof Error ? e.message : String(e)})`)
  }
}

/** One log line: `conn 3 detected obfuscated2 padded dc 2 secret 1`. */
function text(e: ServerLogEvent): string {
  const t = new Date().toISOString().slice(11, 23)
  switch (e.event) {
    case 'listening':
      return `${t} listening on ${e.host}:${e.port}`
    case 'open':
      return `${t} conn ${e.conn} open ${e.remote}`
    case 'detected':
      return `${t} conn ${e.conn} detected ${e.transport}${e.framing ? ` ${e.framing}` : ''}${e.dc !== undefined ? ` dc ${e.dc}` : ''}${e.secret !== undefined ? ` secret ${e.secret}` : ''}${e.websocket ? ` websocket ${e.websocket}` : ''}`
    case 'auth-key':
      return `${t} conn ${e.conn} auth-key ${e.keyId} ${e.temporary ? `temporary until ${e.expiresAt}` : 'permanent'}${e.dc !== undefined ? ` dc ${e.dc}` : ''}`
    case 'session':
      return `${t} conn ${e.conn} session ${e.keyId}/${e.sessionId} ${e.created ? 'created' : 'resumed'}`
    case 'refused':
      return `${t} conn ${e.conn} refused ${e.status}: ${e.reason}`
    case 'fallback':
      return `${t} conn ${e.conn} fallback to ${e.target}: ${e.reason}`
    case 'error':
      return `${t} conn ${e.conn} error ${e.code}: ${e.message}`
    case 'limit':
      return `${t}${e.conn !== undefined ? ` conn ${e.conn}` : ''} limit ${e.limit} ${e.remote}${e.detail ? ` (${e.detail})` : ''}`
    case 'close':
      return `${t} conn ${e.conn} close (${e.reason}) in ${e.bytesIn} B out ${e.bytesOut} B ${e.ms} ms`
  }
}

const json = (e: ServerLogEvent): string => JSON.stringify({ time: new Date().toISOString(), ...e })

export const serveCommand: Command = {
  summary: 'Runs an MTProto test server: every transport on one port (abridged, intermediate, padded, full, obfuscated2, MTProxy secrets with fake-TLS, HTTP, WebSocket), auth-key handshakes, sessions, the secret-chat methods, mtwire.echo / mtwire.sleep.',
  usage: 'mtwire serve [--host 127.0.0.1] [--port 0] [--rsa-key FILE] [--state FILE] [--secret HEX]... [--tls-fallback HOST:PORT] [--quiet] [--json]',
  about: [
    'Prints "mtwire listening on HOST:PORT", then the public key (PKCS#1 PEM) and its fingerprint',
    '(hex, signed decimal): inject them into the client under test. Then one line per connection',
    'event. Stops on SIGINT or SIGTERM.',
  ].join('\n'),
  options: [
    { name: 'host', value: 'HOST', help: 'address to listen on (default 127.0.0.1: loopback only)' },
    { name: 'port', value: 'PORT', help: 'port (default 0: one the system picks, printed)' },
    { name: 'rsa-key', value: 'FILE', help: 'the RSA private key (PEM); default: one from --state, or a new one' },
    { name: 'state', value: 'FILE', help: 'keep permanent auth keys (and salts, the generated RSA key) across restarts' },
    { name: 'secret', value: 'HEX', repeat: true, help: 'also accept MTProxy connections with this plain, dd or ee secret' },
    { name: 'tls-fallback', value: 'HOST:PORT', help: 'hand connections that fail the checks (fake-TLS probes) to this site, byte for byte' },
    { name: 'quiet', help: 'no log lines' },
    { name: 'json', help: 'log lines as JSON' },
  ],
  args: { min: 0, max: 0 },
  async run(a) {
    const host = a.value('host') ?? '127.0.0.1'
    const portArg = a.value('port') ?? '0'
    if (!/^\d{1,5}$/.test(portArg) || Number(portArg) > 65535) usageError(`--port must be 0..65535, got ${portArg}`)
    const secrets = a.values('secret')
    for (const s of secrets) {
      try {
        parseProxySecret(s)
      } catch (e) {
        usageError(`--secret ${s.slice(0, 12)}…: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    const fallbackArg = a.value('tls-fallback')
    const tlsFallback = fallbackArg === undefined ? undefined : hostPort(fallbackArg, '--tls-fallback')
    // the signal handlers first: a client that reads the header and stops us at once must find them
    const quiet = a.flag('quiet')
    let stop: (sig: string) => void = () => {}
    const signalled = new Promise<string>((resolve) => (stop = resolve))
    const onInt = () => stop('SIGINT')
    const onTerm = () => stop('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    const crypto = createCryptoSync()
    const statePath = a.value('state')
    const store = statePath === undefined ? undefined : FileKeyStore.open(statePath, (n) => crypto.randomBytes(n))
    const keyFile = a.value('rsa-key')
    let key: ServerPrivateKey
    if (keyFile !== undefined) key = readKey(crypto, keyFile)
    else if (store?.rsaKeyPem) key = parsePrivateKeyPem(crypto, store.rsaKeyPem)
    else {
      const g = await generateRsaKey(crypto)
      key = g.privateKey
      store?.setRsaKeyPem(g.privateKeyPem)
    }
    if (((BigInt.asUintN(64, key.fingerprint) >> 56n) & 0xffn) < 0x10n) {
      console.error('mtwire serve: warning: the key\'s fingerprint starts with 0 in hex: mtcute cannot find it (use `mtwire keygen`)')
    }
    const line = a.flag('json') ? json : text
    const server = createServer({
      crypto,
      rsaKeys: [key],
      keyStore: store,
      secrets,
      tlsFallback,
      saltSecret: store?.saltSecret,
      relay: store ? { secret: store.relaySecret } : undefined,
      log: quiet ? undefined : (e) => {
        if (e.event !== 'listening') process.stdout.write(line(e) + '\n')
      },
    })
    const addr = await server.listen(Number(portArg), host)
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    process.stdout.write(`mtwire listening on ${shown}:${addr.port}\n${publicKeyToPem(key)}${publicKeyToPem(key).endsWith('\n') ? '' : '\n'}${fingerprintLine(key.fingerprint)}\n`)
    const sig = await signalled
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
    if (!quiet) process.stdout.write(`mtwire: ${sig}, stopping\n`)
    await server.close()
    store?.close()
    return 0
  },
}

export const keygenCommand: Command = {
  summary: 'Generates a 2048-bit RSA key for a server (its fingerprint\'s top byte ≥ 0x10: mtcute cannot find keys whose hex fingerprint starts with 0).',
  usage: 'mtwire keygen [--out FILE]',
  about: 'Prints the private key (PKCS#1 PEM), or writes it to FILE (readable by its owner only), then\nthe public key (PKCS#1 PEM) and its fingerprint (hex, signed decimal).',
  options: [{ name: 'out', value: 'FILE', help: 'write the private key there (refused if the file exists)' }],
  args: { min: 0, max: 0 },
  async run(a) {
    const out = a.value('out')
    if (out !== undefined && existsSync(out)) throw new MtwireError('E_USAGE', `--out: ${out} exists (not overwritten)`)
    const k = await generateRsaKey(createCryptoSync())
    if (out !== undefined) writeFileSync(out, k.privateKeyPem, { mode: 0o600, flag: 'wx' })
    else process.stdout.write(k.privateKeyPem.endsWith('\n') ? k.privateKeyPem : k.privateKeyPem + '\n')
    process.stdout.write(`${k.publicKeyPem}${k.publicKeyPem.endsWith('\n') ? '' : '\n'}${fingerprintLine(k.publicKey.fingerprint)}\n`)
    return 0
  },
}
