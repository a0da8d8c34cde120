/**
 * `mtwire connect HOST:PORT --rsa-pub FILE`: connects to an MTProto server (`mtwire serve`, or
 * any server whose key you have), creates an auth key (and a bound temporary key with --pfs),
 * pings it and prints the timings. With --state FILE the keys are kept between runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { TRANSPORT_NAMES, type TransportName } from '../session/carrier.js'
import type { ClientState } from '../session/link.js'
import { type Command, usageError } from './cli-args.js'

/** HOST:PORT, [IPv6]:PORT. */
function address(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s)
  const port = m ? Number(m[3]) : 0
  if (!m || port < 1 || port > 65535) usageError(`not HOST:PORT: ${s}`)
  return { host: m[1] ?? m[2], port }
}

function integer(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!/^\d+$/.test(v) || n < min || n > max) usageError(`--${name} must be an integer in ${min}..${max}`)
  return n
}

const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`

export const connectCommand: Command = {
  summary: 'Connects to an MTProto server, creates an auth key with the DH handshake (with --pfs, a temporary key bound to it too), sends pings and prints the timings.',
  usage: 'mtwire connect HOST:PORT --rsa-pub FILE [--transport NAME] [--secret HEX] [--pfs] [--count N] [--state FILE] [--json]',
  about: 'mtwire serve prints its address, its public key and the key\'s fingerprint: put the key in a file for --rsa-pub.',
  options: [
    { name: 'rsa-pub', value: 'FILE', help: "the server's RSA public key (PEM: PKCS#1 or SPKI); required" },
    { name: 'transport', value: 'NAME', help: `${TRANSPORT_NAMES.join(' | ')} (default intermediate; obfuscated2 with --secret)` },
    { name: 'secret', value: 'HEX', help: 'MTProxy secret: 32 hex digits, dd + 32 (padded), ee + 32 + domain (fake-TLS)' },
    { name: 'dc', value: 'N', help: 'DC id (default 2)' },
    { name: 'pfs', help: 'create a temporary key, bind it, send everything under it' },
    { name: 'count', value: 'N', help: 'pings to send (default 10)' },
    { name: 'state', value: 'FILE', help: 'the keys and session from FILE when it exists (no handshake), saved back after' },
    { name: 'json', help: 'print one JSON object instead of text' },
  ],
  args: { min: 1, max: 1 },
  async run(a) {
    const rsaPub = a.value('rsa-pub') ?? usageError('--rsa-pub FILE is missing')
    const { host, port } = address(a.pos[0])
    const secret = a.value('secret')
    const transport = (a.value('transport') ?? (secret !== undefined ? 'obfuscated2' : 'intermediate')) as TransportName
    if (!TRANSPORT_NAMES.includes(transport)) usageError(`--transport must be one of ${TRANSPORT_NAMES.join(', ')}`)
    const dcId = integer('dc', a.value('dc'), 2, 1, 9999)
    const count = integer('count', a.value('count'), 10, 0, 1_000_000)
    const statePath = a.value('state')
    const pfs = a.flag('pfs')
    const json = a.flag('json')
    let pem: string
    try {
      pem = readFileSync(rsaPub, 'utf8')
    } catch (e) {
      return usageError(`--rsa-pub: cannot read ${rsaPub}: ${(e as Error).message}`)
    }
    const state = statePath !== undefined && existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as ClientState) : undefined
    const say = (s: string): void => {
      if (!json) console.log(s)
    }
    const { connect, createCrypto } = await import('./index.js')
    const crypto = await createCrypto()
    const kind = secret === undefined ? '' : secret.startsWith('ee') ? ' (MTProxy ee secret, fake-TLS)' : secret.startsWith('dd') ? ' (MTProxy dd secret)' : ' (MTProxy secret)'
    say(`mtwire connect ${host}:${port} over ${transport}${kind}${pfs ? ', PFS' : ''}; backend ${crypto.backend}`)
    const t0 = performance.now()
    let client
    try {
      client = await connect({ host, port, dcId, transport, secret, crypto, rsaKeys: [pem], state, pfs, reconnect: false })
    } catch (e) {
      const code = (e as { code?: string }).code
      console.error(`mtwire connect: ${code ? `${code} ` : ''}${e instanceof Error ? e.message : String(e)}`)
      return 1
    }
    const ready = performance.now() - t0
    const hs = client.stats.handshakes
    if (state) say('permanent key from the state file: no handshake')
    for (const h of hs) say(`${h.temporary ? 'temporary' : 'permanent'} key created in ${ms(h.ms)}${h.temporary ? ' and bound' : ''}`)
    say(`ready in ${ms(ready)}`)
    const rtts: number[] = []
    for (let i = 0; i < count; i++) {
      const t = performance.now()
      await client.invoke({ _: 'ping', ping_id: BigInt(i + 1) })
      rtts.push(performance.now() - t)
    }
    const stats = client.stats
    if (statePath !== undefined) writeFileSync(statePath, JSON.stringify(client.exportState(), null, 2) + '\n', { mode: 0o600 })
    await client.close()
    const sorted = [...rtts].sort((x, y) => x - y)
    if (json) {
      console.log(JSON.stringify({ host, port, transport, backend: crypto.backend, readyMs: ready, handshakes: hs, pingsMs: rtts, bytesSent: stats.bytesSent, bytesReceived: stats.bytesReceived }))
    } else if (count > 0) {
      say(`${count} ping${count > 1 ? 's' : ''}: min ${ms(sorted[0])}, median ${ms(sorted[sorted.length >> 1])}, max ${ms(sorted[sorted.length - 1])}`)
      say(`${stats.bytesSent} bytes sent, ${stats.bytesReceived} received`)
    }
    return 0
  },
}
