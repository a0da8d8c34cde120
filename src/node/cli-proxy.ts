/**
 * `mtwire proxy`: an MTProxy relay (createProxy) as a command. Runs until SIGINT or SIGTERM;
 * SIGHUP reloads `--secrets FILE` (established connections go on with the secrets they used).
 */
import { readFileSync } from 'node:fs'
import { MtwireError } from '../errors.js'
import { parseSecrets, parseSecretsFile, proxyLink, type ProxySecretEntry, type SecretInput } from '../proxy/secrets.js'
// the Node entry: node:crypto's CSPRNG and AES-CTR for every Crypto made here
import { createCrypto } from './index.js'
import { createProxy, type ProxyLogEntry, type ProxyOptions } from './proxy.js'

const USAGE = `usage: mtwire proxy (--secret [NAME=]SECRET ... | --secrets FILE) [options]

  --port N                   port to listen on (default 443)
  --host ADDR                address to listen on (default 0.0.0.0; :: for IPv4 and IPv6)
  --secret [NAME=]SECRET     a client secret: 32 hex digits, dd + 32 (padded), or
                             ee + 32 + the hex of a domain (fake-TLS); repeatable
  --secrets FILE             one "[name] secret" per line, # comments; reloaded on SIGHUP
  --tls-fallback HOST:PORT   where refused clients go (default: the ee secret's domain, port 443)
  --upstream DC=HOST:PORT    connect DC there instead of Telegram's address (DC: N, tN for
                             test DCs, -N for media DCs, * for all); repeatable
  --ipv6                     Telegram's IPv6 addresses
  --metrics HOST:PORT        Prometheus metrics at http://HOST:PORT/metrics
  --public-host NAME         the server in the printed links (required with --print-links
                             when listening on every interface)
  --print-links              print a tg://proxy link per secret and exit
  --json                     one JSON line per connection on stdout (default: a text line)
  --max-connections N        open at once (default 10000)
  --max-connections-per-ip N open at once from one address (default 64)
  --handshake-timeout SEC    to prove a secret (default 10)
  --idle-timeout SEC         with no byte either way (default 300)
  --max-buffer BYTES         queued toward one side before the other waits (default 262144)`

const usage = (msg: string): never => {
  throw new MtwireError('E_USAGE', `${msg}\n\n${USAGE}`)
}

const VALUE = ['port', 'host', 'secret', 'secrets', 'tls-fallback', 'upstream', 'metrics', 'public-host', 'max-connections', 'max-connections-per-ip', 'handshake-timeout', 'idle-timeout', 'max-buffer']
const FLAGS = ['ipv6', 'print-links', 'json', 'help']

export interface ProxyArgs {
  options: Omit<ProxyOptions, 'secrets' | 'crypto'>
  secrets: string[]
  secretsFile?: string
  publicHost?: string
  printLinks: boolean
  json: boolean
  help: boolean
}

export function parseProxyArgs(args: string[]): ProxyArgs {
  const one: Record<string, string> = {}
  const many: Record<string, string[]> = { secret: [], upstream: [] }
  const flags = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const name = a.startsWith('--') ? a.slice(2) : ''
    if (FLAGS.includes(name)) flags.add(name)
    else if (VALUE.includes(name)) {
      const v = args[++i]
      if (v === undefined) usage(`--${name} needs a value`)
      if (name in many) many[name].push(v)
      else if (name in one) usage(`--${name} given twice`)
      else one[name] = v
    } else usage(`unknown argument ${JSON.stringify(a)}`)
  }
  const int = (name: string, scale = 1): number | undefined => {
    if (one[name] === undefined) return undefined
    const n = Number(one[name])
    if (!Number.isFinite(n) || n < 0 || !Number.isInteger(n * scale)) usage(`--${name} must be a number`)
    return n * scale
  }
  const upstream: Record<string, string> = {}
  for (const u of many.upstream) {
    const eq = u.indexOf('=')
    if (eq < 1) usage(`--upstream takes DC=HOST:PORT, got ${JSON.stringify(u)}`)
    upstream[u.slice(0, eq)] = u.slice(eq + 1)
  }
  if (!flags.has('help') && many.secret.length === 0 && one.secrets === undefined) usage('give --secret or --secrets')
  if (many.secret.length > 0 && one.secrets !== undefined) usage('give --secret or --secrets, not both')
  return {
    options: {
      port: int('port') ?? 443,
      host: one.host ?? '0.0.0.0',
      tlsFallback: one['tls-fallback'],
      upstream,
      ipv6: flags.has('ipv6'),
      metrics: one.metrics,
      maxConnections: int('max-connections'),
      maxConnectionsPerIp: int('max-connections-per-ip'),
      handshakeTimeoutMs: int('handshake-timeout', 1000),
      idleTimeoutMs: int('idle-timeout', 1000),
      maxBufferBytes: int('max-buffer'),
    },
    secrets: many.secret,
    secretsFile: one.secrets,
    publicHost: one['public-host'],
    printLinks: flags.has('print-links'),
    json: flags.has('json'),
    help: flags.has('help'),
  }
}

const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '[::]', '::0'])

/** A log entry as one text line. */
export function formatLogLine(e: ProxyLogEntry): string {
  const who = e.secret ? ` secret=${e.secret} ${e.transport} dc=${e.dc}` : ''
  const why = e.failure ? ` failure=${e.failure}` : ''
  return `${e.time} ${e.client} ${e.result}${who}${why}${e.upstream ? ` upstream=${e.upstream}` : ''} in=${e.bytesFromClient} out=${e.bytesToClient} ${e.durationMs}ms: ${e.reason}`
}

export const proxyCommand = {
  summary: 'run an MTProxy relay (obfuscated2, dd, ee fake-TLS); --print-links for tg:// links',
  async run(args: string[]): Promise<number> {
    const a = parseProxyArgs(args)
    if (a.help) {
      console.log(USAGE)
      return 0
    }
    const crypto = await createCrypto()
    const load = (): ProxySecretEntry[] => parseSecretsFile(crypto, readFileSync(a.secretsFile!, 'utf8'))
    const entries = a.secretsFile !== undefined ? load() : parseSecrets(crypto, a.secrets)
    const asInputs = (list: ProxySecretEntry[]): SecretInput[] => list.map((e) => ({ name: e.label, secret: e.hex }))
    const host = a.options.host!
    if (a.printLinks) {
      if (a.publicHost === undefined && EVERY_INTERFACE.has(host)) usage(`--print-links needs --public-host when listening on every interface (${host})`)
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
