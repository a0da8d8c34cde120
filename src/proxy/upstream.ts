/**
 * Where a relay sends a client: the DC its obfuscated2 header names (int16 at offset 60: the DC
 * id, +10000 for test DCs, negative for media DCs). Telegram publishes one address per DC for
 * production and test, IPv4 and IPv6, all on port 443 (the same lists as TDLib, gotd/td and the
 * Python mtprotoproxy); media DCs are reached at their DC's address, as direct-mode MTProxies do.
 * An operator (or a test) overrides any DC, e.g. every DC to a local `mtwire serve`.
 */
import { ProxyError } from '../errors.js'

export interface HostPort {
  host: string
  port: number
}

/** A DC as the client's header names it. */
export interface DcRef {
  dcId: number
  test: boolean
  media: boolean
}

export const TELEGRAM_DCS = {
  production: {
    v4: ['149.154.175.50', '149.154.167.51', '149.154.175.100', '149.154.167.91', '149.154.171.5'],
    v6: ['2001:b28:f23d:f001::a', '2001:67c:4e8:f002::a', '2001:b28:f23d:f003::a', '2001:67c:4e8:f004::a', '2001:b28:f23f:f005::a'],
  },
  test: {
    v4: ['149.154.175.10', '149.154.167.40', '149.154.175.117'],
    v6: ['2001:b28:f23d:f001::e', '2001:67c:4e8:f002::e', '2001:b28:f23d:f003::e'],
  },
} as const

export const TELEGRAM_DC_PORT = 443

export interface UpstreamOptions {
  /** Telegram's IPv6 addresses instead of IPv4. Default false. */
  ipv6?: boolean
  /**
   * Per-DC overrides: key `N` (production DC N), `tN` or `N+10000` (test DC N), `*` (every DC,
   * production and test), each `host:port` or `{ host, port }`. A key `-N` overrides media DC N
   * alone (by default media DCs go where their DC goes).
   */
  overrides?: Readonly<Record<string, string | HostPort>>
}

const fail = (message: string): never => {
  throw new ProxyError('E_PROXY_OPTION', message)
}

/** `host:port`, `[v6]:port`; the port is required (0, any free port, only where `listen`). */
export function parseHostPort(s: string, what = 'address', listen = false): HostPort {
  if (typeof s !== 'string') return fail(`${what} must be host:port`)
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(s.trim()) ?? /^([^:\s[\]]+):(\d{1,5})$/.exec(s.trim())
  const port = m ? Number(m[2]) : -1
  if (!m || port < (listen ? 0 : 1) || port > 65535) return fail(`${what} must be host:port (IPv6 as [addr]:port), got ${JSON.stringify(s)}`)
  return { host: m[1], port }
}

function checkHostPort(v: string | HostPort, what: string): HostPort {
  if (typeof v === 'string') return parseHostPort(v, what)
  if (typeof v !== 'object' || v === null || typeof v.host !== 'string' || !v.host || !Number.isInteger(v.port) || v.port < 1 || v.port > 65535) {
    return fail(`${what} must be host:port or { host, port }`)
  }
  return { host: v.host, port: v.port }
}

/** The overrides' keys, normalized: `p2`, `t2`, `m2` (media 2, production), `mt2`, `*`. */
function overrideKey(k: string): string {
  const m = /^(-)?(t)?(\d{1,5})$/.exec(k)
  if (k === '*') return k
  if (!m) return fail(`upstream DC ${JSON.stringify(k)}: use N, tN, -N, -tN, N+10000 or *`)
  let n = Number(m[3])
  let test = m[2] === 't'
  if (!test && n > 10000) {
    n -= 10000
    test = true
  }
  if (n < 1 || n > 9999) fail(`upstream DC ${JSON.stringify(k)}: the DC id must be in 1..9999`)
  return `${m[1] ? 'm' : ''}${test ? 't' : 'p'}${n}`
}

/**
 * A lookup from a client's DC to the address to connect to; `undefined` for a DC with neither
 * an override nor a published address (the relay then refuses the client: it never connects
 * anywhere a client names freely).
 */
export function createUpstreams(options: UpstreamOptions = {}): (dc: DcRef) => HostPort | undefined {
  if (typeof options !== 'object' || options === null) fail('upstream options must be an object')
  if (options.ipv6 !== undefined && typeof options.ipv6 !== 'boolean') fail('ipv6 must be a boolean')
  const table = new Map<string, HostPort>()
  for (const [k, v] of Object.entries(options.overrides ?? {})) table.set(overrideKey(k), checkHostPort(v, `upstream ${k}`))
  const family = options.ipv6 ? 'v6' : 'v4'
  return (dc) => {
    const key = `${dc.test ? 't' : 'p'}${dc.dcId}`
    const own = (dc.media ? table.get(`m${key}`) : undefined) ?? table.get(key) ?? table.get('*')
    if (own) return own
    const list: readonly string[] = TELEGRAM_DCS[dc.test ? 'test' : 'production'][family]
    const host = dc.dcId >= 1 && dc.dcId <= list.length ? list[dc.dcId - 1] : undefined
    return host === undefined ? undefined : { host, port: TELEGRAM_DC_PORT }
  }
}
