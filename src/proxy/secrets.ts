/**
 * The proxy's secrets: one per user, each with a label for metrics and logs, given on the
 * command line (`--secret HEX`, `--secret NAME=HEX`) or in a file (`--secrets FILE`, reloaded on
 * SIGHUP): one secret per line, optionally after a name, `#` starting a comment.
 *
 *     # name    secret (hex or base64: 16 bytes, dd + 16 bytes, or ee + 16 bytes + domain)
 *     alice     dd0123456789abcdef0123456789abcdef
 *     bob       ee0123456789abcdef0123456789abcdef7777772e6578616d706c652e636f6d
 *
 * A label never shows the secret: unnamed secrets are labelled by a hash of their key.
 */
import type { Crypto } from '../crypto/index.js'
import { ProxyError } from '../errors.js'
import { parseProxySecret, type ProxySecret } from '../transport/secret.js'
import { MtwireError } from '../errors.js'

export interface ProxySecretEntry {
  /** For metrics and logs: the name given, else `key-` and 8 hex digits of SHA-256(key). */
  readonly label: string
  readonly secret: ProxySecret
  /** The secret as clients are given it (hex: `dd`/`ee` prefix, key, domain). */
  readonly hex: string
}

export type SecretInput = string | { name?: string; secret: string | Uint8Array }

const NAME = /^[A-Za-z0-9_.-]{1,64}$/
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

function fail(code: 'E_PROXY_OPTION' | 'E_PROXY_SECRETS', message: string): never {
  throw new ProxyError(code, message)
}

/** Canonical hex of a parsed secret. */
export function secretHex(s: ProxySecret): string {
  if (s.mode === 'plain') return hex(s.key)
  if (s.mode === 'padded') return `dd${hex(s.key)}`
  return `ee${hex(s.key)}${hex(new TextEncoder().encode(s.domain!))}`
}

/**
 * Parses secrets (`NAME=SECRET` or `SECRET` strings, or `{ name, secret }`), refusing duplicate
 * names and keys: two secrets with one key could not be told apart, so their counters would mix.
 */
export function parseSecrets(crypto: Crypto, inputs: readonly SecretInput[]): ProxySecretEntry[] {
  return parse(crypto, inputs, (i, name) => `secret ${name ?? i + 1}`)
}

function parse(crypto: Crypto, inputs: readonly SecretInput[], where: (i: number, name?: string) => string): ProxySecretEntry[] {
  if (!Array.isArray(inputs)) fail('E_PROXY_OPTION', 'secrets must be an array')
  const out: ProxySecretEntry[] = []
  const names = new Set<string>()
  const keys = new Set<string>()
  inputs.forEach((input, i) => {
    let name: string | undefined
    let value: string | Uint8Array
    if (typeof input === 'string') {
      const eq = input.indexOf('=')
      // base64 may end in '=': a name is only what precedes an '=' followed by more
      if (eq > 0 && eq < input.length - 1 && NAME.test(input.slice(0, eq))) {
        name = input.slice(0, eq)
        value = input.slice(eq + 1)
      } else value = input
    } else if (typeof input === 'object' && input !== null) {
      name = input.name
      value = input.secret
    } else return fail('E_PROXY_OPTION', `${where(i)}: a string or { name, secret }`)
    if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) fail('E_PROXY_OPTION', `${where(i)}: a name is 1..64 of A-Z a-z 0-9 _ . -`)
    let secret: ProxySecret
    try {
      secret = parseProxySecret(value)
    } catch (e) {
      return fail('E_PROXY_OPTION', `${where(i, name)}: ${e instanceof MtwireError ? e.message : String(e)}`)
    }
    const k = hex(secret.key)
    if (keys.has(k)) fail('E_PROXY_OPTION', `${where(i, name)}: the same key twice`)
    keys.add(k)
    const label = name ?? `key-${hex(crypto.sha256(secret.key).subarray(0, 4))}`
    if (names.has(label)) fail('E_PROXY_OPTION', `${where(i, name)}: the name ${label} is used twice`)
    names.add(label)
    out.push({ label, secret, hex: secretHex(secret) })
  })
  return out
}

/** The secrets of a secrets file (format above). Errors name the line. */
export function parseSecretsFile(crypto: Crypto, text: string): ProxySecretEntry[] {
  if (typeof text !== 'string') fail('E_PROXY_SECRETS', 'the secrets file must be text')
  const inputs: SecretInput[] = []
  const at: number[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, '').trim()
    if (!line) continue
    const parts = line.split(/\s+/)
    if (parts.length > 2) fail('E_PROXY_SECRETS', `line ${i + 1}: expected "[name] secret"`)
    const [name, secret] = parts.length === 2 ? parts : [undefined, parts[0]]
    if (name !== undefined && !NAME.test(name)) fail('E_PROXY_SECRETS', `line ${i + 1}: a name is 1..64 of A-Z a-z 0-9 _ . -`)
    inputs.push({ name, secret })
    at.push(i + 1)
  }
  try {
    return parse(crypto, inputs, (i) => `line ${at[i]}`)
  } catch (e) {
    return fail('E_PROXY_SECRETS', e instanceof MtwireError ? e.message : String(e))
  }
}

/** The link Telegram apps open to add the proxy. */
export function proxyLink(server: string, port: number, secret: ProxySecretEntry): string {
  return `tg://proxy?server=${encodeURIComponent(server)}&port=${port}&secret=${secret.hex}`
}
