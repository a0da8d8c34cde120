/**
 * `mtwire connect HOST:PORT --rsa-pub FILE`: connects to an MTProto server (`mtwire serve`, or
 * any server whose key you have), creates an auth key (and a bound temporary key with --pfs),
 * pings it and prints the timings. With --state FILE the keys are kept between runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { MtwireError } from '../errors.js'
import { TRANSPORT_NAMES, type TransportName } from '../session/carrier.js'
import type { ClientState } from '../session/link.js'
import { connect } from './client.js'
import { createCrypto } from './index.js'

type Command = { summary: string; run(args: string[]): Promise<number> }

const USAGE = `usage: mtwire connect HOST:PORT --rsa-pub FILE [options]

Connects to an MTProto server (mtwire serve prints its address and key), creates an auth key
with the DH handshake, sends pings and prints the timings.

  --rsa-pub FILE     the server's RSA public key (PEM: PKCS#1 or SPKI)
  --transport NAME   ${TRANSPORT_NAMES.join(' | ')} (default: intermediate,
                     obfuscated2 with --secret)
  --secret HEX       MTProxy secret: 32 hex digits, dd + 32 (padded), ee + 32 + domain (fake-TLS)
  --dc N             DC id (default 2)
  --pfs              create a temporary key, bind it and send everything under it
  --count N          pings to send (default 10)
  --state FILE       keys and session from FILE if it exists (no handshake), saved back after
  --json             print one JSON object instead of text`

const FLAGS = new Set(['pfs', 'json', 'help'])
const VALUES = new Set(['rsa-pub', 'transport', 'secret', 'dc', 'count', 'state'])

function usage(message: string): never {
  throw new MtwireError('E_USAGE', `${message}\n\n${USAGE}`)
}

/** HOST:PORT, [IPv6]:PORT. */
function address(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s)
  const port = m ? Number(m[3]) : 0
  if (!m || port < 1 || port > 65535) usage(`not HOST:PORT: ${s}`)
  return { host: m[1] ?? m[2], port }
}

function integer(name: string, v: string, min: number, max: number): number {
  const n = Number(v)
  if (!/^\d+$/.test(v) || n < min || n > max) usage(`--${name} must be an integer in ${min}..${max}`)
  return n
}

const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`

export const connectCommand: Command = {
  summary: 'connect HOST:PORT --rsa-pub FILE: handshake with a server and ping it, printing timings',
  async run(args) {
    try {
      return await run(args)
    } catch (e) {
      // wrong arguments: exit 2 with the usage; anything else (refused, a failed check): 1
      const code = (e as { code?: string }).code
      console.error(code === 'E_USAGE' ? (e as Error).message : `mtwire connect: ${code ? `${code} ` : ''}${e instanceof Error ? e.message : String(e)}`)
      return code === 'E_USAGE' ? 2 : 1
    }
  },
}

async function run(args: string[]): Promise<number> {
  const opt: Record<string, string | true> = {}
  const pos: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '-h') opt.help = true
    else if (a.startsWith('--')) {
      const k = a.slice(2)
      if (FLAGS.has(k)) opt[k] = true
      else if (VALUES.has(k)) {
        if (i + 1 >= args.length) usage(`--${k} needs a value`)
        opt[k] = args[++i]
      } else usage(`unknown option --${k}`)
    } else pos.push(a)
  }
  if (opt.help) {
    console.log(USAGE)
    return 0
  }
  if (pos.length !== 1) usage(pos.length ? `unexpected arguments: ${pos.slice(1).join(' ')}` : 'HOST:PORT is missing')
  if (typeof opt['rsa-pub'] !== 'string') usage('--rsa-pub FILE is missing')
  const { host, port } = address(pos[0])
  const transport = (opt.transport ?? (opt.secret ? 'obfuscated2' : 'intermediate')) as TransportName
  if (!TRANSPORT_NAMES.includes(transport)) usage(`--transport must be one of ${TRANSPORT_NAMES.join(', ')}`)
  const dcId = opt.dc === undefined ? 2 : integer('dc', opt.dc as string, 1, 9999)
  const count = opt.count === undefined ? 10 : integer('count', opt.count as string, 0, 1_000_000)
  const secret = typeof opt.secret === 'string' ? opt.secret : undefined
  const statePath = typeof opt.state === 'string' ? opt.state : undefined
  let pem: string
  try {
    pem = readFileSync(opt['rsa-pub'], 'utf8')
  } catch (e) {
    usage(`cannot read --rsa-pub ${opt['rsa-pub']}: ${(e as Error).message}`)
  }
  const state = statePath !== undefined && existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as ClientState) : undefined
  const json = opt.json === true
  const say = (s: string): void => {
    if (!json) console.log(s)
  }

  const crypto = await createCrypto()
  say(`mtwire connect ${host}:${port} over ${transport}${secret ? ` (MTProxy ${secret.slice(0, 2) === 'ee' ? 'ee, fake-TLS' : secret.slice(0, 2) === 'dd' ? 'dd' : 'plain'} secret)` : ''}${opt.pfs ? ', PFS' : ''}; backend ${crypto.backend}`)
  const t0 = performance.now()
  const client = await connect({
    host, port, dcId, transport, secret, crypto, rsaKeys: [pem], state, pfs: opt.pfs === true, reconnect: false,
  })
  const ready = performance.now() - t0
  const hs = client.stats.handshakes
  for (const h of hs) say(`${h.temporary ? 'temporary' : 'permanent'} key created in ${ms(h.ms)}${h.temporary ? ' and bound' : ''}`)
  if (state) say('permanent key from the state file: no handshake')
  say(`ready in ${ms(ready)}`)
  const rtts: number[] = []
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await client.invoke({ _: 'ping', ping_id: BigInt(i + 1) })
    rtts.push(performance.now() - t)
  }
  const sorted = [...rtts].sort((a, b) => a - b)
  const stats = client.stats
  if (statePath !== undefined) writeFileSync(statePath, JSON.stringify(client.exportState(), null, 2) + '\n')
  await client.close()
  if (json) {
    console.log(JSON.stringify({ host, port, transport, backend: crypto.backend, readyMs: ready, handshakes: hs, pingsMs: rtts, bytesSent: stats.bytesSent, bytesReceived: stats.bytesReceived }))
  } else if (count > 0) {
    say(`${count} ping${count > 1 ? 's' : ''}: min ${ms(sorted[0])}, median ${ms(sorted[sorted.length >> 1])}, max ${ms(sorted[sorted.length - 1])}`)
    say(`${stats.bytesSent} bytes sent, ${stats.bytesReceived} received`)
  }
  return 0
}
