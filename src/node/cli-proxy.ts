/**
 * `mtwire proxy`: an MTProxy relay (createProxy) as a command. Runs until SIGINT or SIGTERM;
 * SIGHUP reloads `--secrets FILE` (established connections go on with the secrets they used).
 */
import { readFileSync } from 'node:fs'
import { parseSecrets, parseSecretsFile, proxyLink, type ProxySecretEntry, type SecretInput } from '../proxy/secrets.js'
// the Node entry: node:crypto's CSPRNG and AES-CTR for every Crypto made here
import { type Command, type OptionSpec, type ParsedArgs, parseArgs, usageError } from './cli-args.js'
import { createCrypto } from './index.js'
import { createProxy, type ProxyLogEntry, type ProxyOptions } from './proxy.js'

const OPTIONS: OptionSpec[] = [
  { name: 'port', value: 'N', help: 'port to listen on (default 443)' },
  { name: 'host', value: 'ADDR', help: 'address to listen on (default 0.0.0.0; :: for IPv4 and IPv6)' },
  { name: 'secret', value: '[NAME=]SECRET', repeat: true, help: 'a client secret: 32 hex digits, dd + 32 (padded), or ee + 32 + the hex of a domain (fake-TLS)' },
  { name: 'secrets', value: 'FILE', help: 'one "[name] secret" per line, # comments; reloaded on SIGHUP' },
  { name: 'tls-fallback', value: 'HOST:PORT', help: 'where refused clients go (default: the ee secret\'s domain, port 443)' },
  { name: 'upstream', value: 'DC=HOST:PORT', repeat: true, help: 'connect DC there instead of Telegram\'s address (DC: N, tN for test DCs, -N for media DCs, * for all)' },
  { name: 'ipv6', help: 'Telegram\'s IPv6 addresses' },
  { name: 'fast-mode', help: 'DC bytes to clients without re-encryption (about half the CPU for downloads); the DC connection then carries the client\'s download key in the clear' },
  { name: 'metrics', value: 'HOST:PORT', help: 'Prometheus metrics at http://HOST:PORT/metrics' },
  { name: 'public-host', value: 'NAME', help: 'the server in the printed links (required with --print-links when listening on every interface)' },
  { name: 'print-links', help: 'print a tg://proxy link per secret and exit' },
  { name: 'json', help: 'one JSON line per connection on stdout (default: a text line)' },
  { name: 'max-connections', value: 'N', help: 'open at once (default 10000)' },
  { name: 'max-connections-per-ip', value: 'N', help: 'open at once from one address (default 64)' },
  { name: 'handshake-timeout', value: 'SEC', help: 'to prove a secret (default 10)' },
  { name: 'idle-timeout', value: 'SEC', help: 'with no byte either way (default 300)' },
  { name: 'max-buffer', value: 'BYTES', help: 'queued toward one side before the other waits (default 262144)' },
]

export interface ProxyArgs {
  options: Omit<ProxyOptions, 'secrets' | 'crypto'>
  secrets: string[]
  secretsFile?: string
  publicHost?: string
  printLinks: boolean
  json: boolean
}

/** The command's options from parsed arguments (a usage error for values it cannot run with). */
export function proxyArgs(a: ParsedArgs): ProxyArgs {
  const int = (name: string, scale = 1): number | undefined => {
    const v = a.value(name)
    if (v === undefined) return undefined
    const n = Number(v)
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || !Number.isInteger(n * scale)) usageError(`--${name} must be a number`)
    return n * scale
  }
  const upstream: Record<string, string> = {}
  for (const u of a.values('upstream')) {
    const eq = u.indexOf('=')
    if (eq < 1) usageError(`--upstream takes DC=HOST:PORT, got ${JSON.stringify(u)}`)
    upstream[u.slice(0, eq)] = u.slice(eq + 1)
  }
  const secrets = a.values('secret')
  const secretsFile = a.value('secrets')
  if (secrets.length === 0 && secretsFile === undefined) usageError('give --secret or --secrets')
  if (secrets.length > 0 && secretsFile !== undefined) usageError('give --secret or --secrets, not both')
  return {
    options: {
      port: int('port') ?? 443,
      host: a.value('host') ?? '0.0.0.0',
      tlsFallback: a.value('tls-fallback'),
      upstream,
      ipv6: a.flag('ipv6'),
      fastMode: a.flag('fast-mode'),
      metrics: a.value('metrics'),
      maxConnections: int('max-connections'),
      maxConnectionsPerIp: int('max-connections-per-ip'),
      handshakeTimeoutMs: int('handshake-timeout', 1000),
      idleTimeoutMs: int('idle-timeout', 1000),
      maxBufferBytes: int('max-buffer'),
    },
    secrets,
    secretsFile,
    publicHost: a.value('public-host'),
    printLinks: a.flag('print-links'),
    json: a.flag('json'),
  }
}

/** `proxyArgs` from a command line (for tests and embedders). */
export function parseProxyArgs(argv: readonly string[]): ProxyArgs {
  const p = parseArgs(proxyCommand, argv)
  if (p === 'help') return usageError('--help')
  return proxyArgs(p)
}

const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '[::]', '::0'])

/** A log entry as one text line. */
export function formatLogLine(e: ProxyLogEntry): string {
  const who = e.secret ? ` secret=${e.secret} ${e.transport} dc=${e.dc}` : ''
  const why = e.failure ? ` failure=${e.failure}` : ''
  return `${e.time} ${e.client} ${e.result}${who}${why}${e.upstream ? ` upstream=${e.upstream}` : ''} in=${e.bytesFromClient} out=${e.bytesToClient} ${e.durationMs}ms: ${e.reason}`
}

export const proxyCommand: Command = {
  summary: 'Runs an MTProxy relay: clients with plain, dd or ee (fake-TLS) secrets, each to a fresh obfuscated2 connection to the DC its header names; refused fake-TLS clients forwarded byte for byte to the domain their secret names.',
  usage: 'mtwire proxy (--secret [NAME=]SECRET ... | --secrets FILE) [options]',
  about: 'One log line per connection. Stops on SIGINT or SIGTERM; SIGHUP reloads --secrets FILE\n(established connections go on with the secrets they used). --print-links prints the\ntg://proxy links and exits.',
  options: OPTIONS,
  args: { min: 0, max: 0 },
  async run(parsed: ParsedArgs): Promise<number> {
    const a = proxyArgs(parsed)
    const crypto = await createCrypto()
    const load = (): ProxySecretEntry[] => parseSecretsFile(crypto, readFileSync(a.secretsFile!, 'utf8'))
    const fromArgs = (): ProxySecretEntry[] => {
      try {
        return parseSecrets(crypto, a.secrets)
      } catch (e) {
        // a --secret the proxy cannot use is a usage error (exit 2), as in `mtwire serve`
        return usageError(e instanceof Error ? e.message : String(e))
      }
    }
    const entries = a.secretsFile !== undefined ? load() : fromArgs()
    const asInputs = (list: ProxySecretEntry[]): SecretInput[] => list.map((e) => ({ name: e.label, secret: e.hex }))
    const host = a.options.host!
    if (a.printLinks) {
      if (a.publicHost === undefined && EVERY_INTERFACE.has(host)) usageError(`--print-links needs --public-host when listening on every interface (${host})`)
      for (const e of entries) console.log(`${e.label} ${proxyLink(a.publicHost ?? host, a.options.port!, e)}`)
      return 0
    }
    const proxy = await createProxy({
      ...a.options,
      crypto,
      secrets: asInputs(entries),
      onLog: (e) => console.log(a.json ? JSON.stringify(e) : formatLogLine(e)),
    })
    const where = `${proxy.address.host.includes(':') ? `[${proxy.address.host}]` : proxy.address.host}:${proxy.address.port}`
    console.error(`mtwire proxy: listening on ${where} with ${entries.length} secret(s)${proxy.metricsAddress ? `, metrics on http://${proxy.metricsAddress.host}:${proxy.metricsAddress.port}/metrics` : ''}`)
    const linkHost = a.publicHost ?? (EVERY_INTERFACE.has(host) ? undefined : host)
    if (linkHost !== undefined) for (const e of entries) console.error(`  ${e.label} ${proxyLink(linkHost, proxy.address.port, e)}`)
    return new Promise<number>((resolve) => {
      const reload = (): void => {
        if (a.secretsFile === undefined) {
          console.error('mtwire proxy: SIGHUP ignored (no --secrets file)')
          return
        }
        try {
          const next = load()
          proxy.reload(asInputs(next))
          console.error(`mtwire proxy: reloaded ${a.secretsFile}: ${next.length} secret(s)`)
        } catch (e) {
          console.error(`mtwire proxy: reload failed, keeping the previous secrets: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
      const stop = (): void => {
        process.off('SIGHUP', reload)
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        void proxy.close().then(() => resolve(0))
      }
      process.on('SIGHUP', reload)
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  },
}
