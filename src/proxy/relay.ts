/**
 * One MTProxy connection, sans-IO: a client comes in with obfuscated2 keyed by one of our
 * secrets (plain, `dd`, or inside fake-TLS for `ee`), its header names a DC, and the relay
 * opens a fresh obfuscated2 connection to that DC (no secret, as a client connects to
 * Telegram) and passes the byte stream both ways: decrypted with the client's keys, encrypted
 * with the DC's, the framing inside left as it is (the DC reads the same protocol tag).
 *
 * A client that fails the checks (no secret gives its header a protocol tag, a replayed
 * header or ClientHello, a fake-TLS hello with a wrong MAC, SNI or clock) is never told: with a
 * fallback target every byte it sent, and every byte it sends later, goes to that target
 * unchanged and the target's answers come back unchanged, so a prober sees the site the secret
 * pretends to be (domain fronting); without one it is closed (after a TLS alert if it looked
 * like TLS), as a TLS server refusing it would.
 *
 * The driver owns two sockets, the client and the upstream (the DC, or the fallback target),
 * and follows the events: `connect` says where the upstream goes, `close` ends both.
 * Time comes only from `now`: `nextDeadline()` and `tick()` carry the handshake and idle timeouts.
 */
import type { Crypto } from '../crypto/index.js'
import { ProxyError } from '../errors.js'
import type { Layer } from '../layer.js'
import { parseClientHello, type ReplayCache } from '../transport/faketls.js'
import { createObfuscated2Client, type Obfuscated2Cipher } from '../transport/obfuscated2.js'
import { ServerTransport, type ConnectionInfo, type ServerEvent } from '../transport/server.js'
import type { FramingKind } from '../transport/framing.js'
import type { ProxySecretEntry } from './secrets.js'
import type { DcRef, HostPort } from './upstream.js'

/** Bytes from one side. The relay consumes `data` (it decrypts in place): hand over a buffer not used again. */
export interface RelayInput {
  from: 'client' | 'upstream'
  data: Uint8Array
}

export interface RelayOutput {
  to: 'client' | 'upstream'
  data: Uint8Array
}

/** Why a handshake failed, as a stable label (metrics). */
export type HandshakeFailure =
  | 'tls-mac'
  | 'tls-sni'
  | 'tls-skew'
  | 'tls-replay'
  | 'tls-malformed'
  | 'obfuscated2-header'
  | 'obfuscated2-replay'
  | 'not-mtproxy'
  | 'unknown-dc'
  | 'timeout'

export type RelayEvent =
  /** The client is ours: connect the upstream to `target` (its DC) and write what the relay gives it. */
  | {
      type: 'connect'
      fallback: false
      target: HostPort
      secret: ProxySecretEntry
      transport: 'obfuscated2' | 'fake-tls'
      framing: FramingKind
      dc: DcRef
    }
  /** The client failed a check: connect the upstream to `target`; bytes pass unchanged both ways. */
  | { type: 'connect'; fallback: true; target: HostPort; failure: HandshakeFailure; reason: string }
  /**
   * Write what is queued for the client, then close both sides. `failure` is set for a refused
   * handshake; `reason` is for local logs only.
   */
  | { type: 'close'; reason: string; failure?: HandshakeFailure }

export interface ProxyRelayOptions {
  crypto: Crypto
  /** The secrets a client may use (from `parseSecrets`); at least one. */
  secrets: readonly ProxySecretEntry[]
  /** The DC's address, or undefined for a DC the relay must not reach (the client is closed). */
  upstream: (dc: DcRef) => HostPort | undefined
  /** Shared by every connection of a proxy: refuses replayed headers and ClientHellos. */
  replayCache: ReplayCache
  /**
   * Where refused clients go. Default: the domain of an `ee` secret, port 443 (the one the
   * ClientHello's SNI names if it names one, else the first); none without `ee` secrets.
   */
  fallback?: HostPort
  /** Fake-TLS clock skew tolerated, seconds (default 120). */
  skewSec?: number
  /** From the first byte to a DC connection (default 10 s). */
  handshakeTimeoutMs?: number
  /** With no byte either way (default 5 min). */
  idleTimeoutMs?: number
  /**
   * The DC connection keyed with the key we encrypt to the client with (as mtprotoproxy's
   * FAST_MODE): the DC's bytes reach the client without a decryption and an encryption, about
   * half the relay's CPU for downloads. The price: the DC connection's header carries that key
   * in the clear (as every obfuscated2 header without a secret carries its keys), so whoever
   * sees both legs links them byte for byte and can strip the obfuscation of what the client
   * receives (MTProto's own encryption is untouched). Default false.
   */
  fastMode?: boolean
}

type State = 'handshake' | 'relay' | 'fallback' | 'closed'

/** ServerTransport's refusal reasons as stable labels. */
function failureOf(reason: string): HandshakeFailure {
  const tls = /fake-TLS ClientHello refused: (\w+)/.exec(reason)
  if (tls) return tls[1] === 'mac' || tls[1] === 'sni' || tls[1] === 'skew' || tls[1] === 'replay' ? `tls-${tls[1]}` : 'tls-malformed'
  if (reason.includes('replayed obfuscated2')) return 'obfuscated2-replay'
  if (reason.includes('obfuscated2 header')) return 'obfuscated2-header'
  if (reason.includes('TLS')) return 'tls-malformed'
  return 'not-mtproxy'
}

export class ProxyRelay implements Layer<RelayInput, never, RelayEvent, RelayOutput> {
  private readonly opts: ProxyRelayOptions
  private readonly server: ServerTransport
  private readonly defaultFallback: HostPort | undefined
  private state: State = 'handshake'
  private lastActivity: number
  private readonly handshakeDeadline: number
  private readonly idleMs: number
  private up: Obfuscated2Cipher | null = null
  /** Fast mode, once connected: the DC's bytes need no re-encryption. */
  private passthrough = false
  private out: RelayOutput[] = []
  /** Set once the client proved a secret. */
  secret: ProxySecretEntry | null = null

  constructor(options: ProxyRelayOptions, now: number) {
    if (typeof options !== 'object' || options === null) throw new ProxyError('E_PROXY_OPTION', 'options must be an object')
    if (!Array.isArray(options.secrets) || options.secrets.length === 0) throw new ProxyError('E_PROXY_OPTION', 'a proxy needs at least one secret')
    if (typeof options.upstream !== 'function') throw new ProxyError('E_PROXY_OPTION', 'upstream must be a function')
    if (options.fastMode !== undefined && typeof options.fastMode !== 'boolean') throw new ProxyError('E_PROXY_OPTION', 'fastMode must be a boolean')
    for (const k of ['handshakeTimeoutMs', 'idleTimeoutMs'] as const) {
      const v = options[k]
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new ProxyError('E_PROXY_OPTION', `${k} must be a positive number`)
    }
    if (!Number.isFinite(now)) throw new ProxyError('E_PROXY_OPTION', 'now must be a number')
    this.opts = options
    this.lastActivity = now
    this.handshakeDeadline = now + (options.handshakeTimeoutMs ?? 10_000)
    this.idleMs = options.idleTimeoutMs ?? 300_000
    const tlsDomain = options.secrets.find((s) => s.secret.mode === 'fake-tls')?.secret.domain
    this.defaultFallback = options.fallback ?? (tlsDomain !== undefined ? { host: tlsDomain, port: 443 } : undefined)
    this.server = new ServerTransport({
      crypto: options.crypto,
      secrets: options.secrets.map((s) => s.hex),
      allowPlain: false,
      allowHttp: false,
      allowObfuscatedWithoutSecret: false,
      // the real target is chosen per client (fallbackTarget); any value makes refusals fallbacks
      fallback: this.defaultFallback,
      skewSec: options.skewSec,
      replayCache: options.replayCache,
      relay: true,
    })
  }

  receive(input: RelayInput, now: number): RelayEvent[] {
    this.lastActivity = now
    const events: RelayEvent[] = []
    const { data } = input
    switch (this.state) {
      case 'closed':
        return events
      case 'fallback':
        this.out.push({ to: input.from === 'client' ? 'upstream' : 'client', data })
        return events
      case 'relay':
        if (input.from === 'upstream') {
          // fast mode: the DC encrypts with the client's key, its bytes go as they are (in
          // records for fake-TLS); else they are decrypted with the DC's keys and re-encrypted
          // with the client's, in place: the driver hands over buffers it does not use again
          if (this.passthrough) this.server.sendRaw(data, true)
          else this.server.sendRaw(this.up!.decrypt(data, data))
          this.drainServer()
          return events
        }
    }
    if (input.from !== 'client') return events // nothing comes from an upstream not yet connected
    let evs: ServerEvent[]
    try {
      evs = this.server.receive(data, now)
    } catch (e) {
      // receive() throws only once the transport is done; the relay closes then anyway
      return this.close(events, `transport: ${e instanceof Error ? e.message : String(e)}`)
    }
    for (const ev of evs) {
      if ((this.state as State) === 'closed') break
      switch (ev.type) {
        case 'detected':
          if (ev.info.dc) this.accept(ev.info, events)
          break
        case 'data':
        case 'forward':
          this.toUpstream(ev.data)
          break
        case 'fallback': {
          const failure = failureOf(ev.reason)
          this.state = 'fallback'
          events.push({ type: 'connect', fallback: true, target: this.fallbackTarget(ev.data), failure, reason: ev.reason })
          if (ev.data.length > 0) this.out.push({ to: 'upstream', data: ev.data })
          break
        }
        case 'close':
          // the TLS alert, if any, is in the transport's outgoing bytes
          this.close(events, ev.reason, failureOf(ev.reason))
          break
        case 'error':
          this.close(events, `client: ${ev.error.message}`)
          break
        default:
          // packets and quick ACKs never come in relay mode
          break
      }
    }
    // the server hello, or a refusal's TLS alert
    this.drainServer()
    return events
  }

  /** A relay only passes bytes on: it has nothing of its own to send. */
  send(_output: never): void {
    throw new ProxyError('E_PROXY_OPTION', 'a relay sends nothing of its own')
  }

  /** Bytes for each socket, in order. */
  takeOutgoing(): RelayOutput[] {
    const o = this.out
    this.out = []
    return o
  }

  /** When `tick` must run: the handshake deadline, then the idle one. */
  nextDeadline(): number | undefined {
    if (this.state === 'closed') return undefined
    const idle = this.lastActivity + this.idleMs
    return this.state === 'handshake' ? Math.min(idle, this.handshakeDeadline) : idle
  }

  tick(now: number): RelayEvent[] {
    const events: RelayEvent[] = []
    if (this.state === 'handshake' && now >= this.handshakeDeadline) return this.close(events, 'handshake timeout', 'timeout')
    if (this.state !== 'closed' && now >= this.lastActivity + this.idleMs) return this.close(events, 'idle timeout')
    return events
  }

  /** How the client connected, once known. */
  get connection(): ConnectionInfo | null {
    return this.server.connection
  }

  /** Ends the relay (either socket closed): zeroes the keys. */
  dispose(): void {
    this.state = 'closed'
    this.server.dispose()
    this.up?.dispose()
    this.up = null
    this.out = []
  }

  private accept(info: ConnectionInfo, events: RelayEvent[]): void {
    const dc = info.dc!
    const ref: DcRef = { dcId: dc.dcId, test: dc.test, media: dc.media }
    const target = dc.dcId >= 1 && dc.dcId <= 9999 ? this.opts.upstream(ref) : undefined
    if (!target) {
      this.close(events, `no upstream for DC ${dc.raw}`, 'unknown-dc')
      return
    }
    this.secret = this.opts.secrets[info.secretIndex]
    // a fresh connection to the DC, as a client makes one: same protocol tag, the DC id in the
    // header (Telegram ignores it; a server of ours can check it), no secret
    const keyIv = this.server.takeEncryptKeyIv()
    const { header, cipher } = createObfuscated2Client(this.opts.crypto, {
      framing: info.framing as Exclude<FramingKind, 'full'>,
      dcId: ref.dcId,
      test: ref.test,
      media: ref.media,
      decryptKeyIv: this.opts.fastMode && keyIv ? keyIv : undefined,
    })
    this.passthrough = this.opts.fastMode === true && keyIv !== null
    keyIv?.fill(0)
    this.up = cipher
    this.state = 'relay'
    this.out.push({ to: 'upstream', data: header })
    events.push({
      type: 'connect',
      fallback: false,
      target,
      secret: this.secret,
      transport: info.transport === 'fake-tls' ? 'fake-tls' : 'obfuscated2',
      framing: info.framing!,
      dc: ref,
    })
  }

  private drainServer(): void {
    for (const b of this.server.takeOutgoing()) this.out.push({ to: 'client', data: b })
  }

  private toUpstream(data: Uint8Array): void {
    // `data` is the transport's fresh plaintext buffer: encrypted in place
    this.out.push({ to: 'upstream', data: this.state === 'relay' ? this.up!.encrypt(data, data) : data })
  }

  /**
   * The fallback target for a refused client: `--tls-fallback` if given, else the `ee` domain
   * its ClientHello names (the secret it claims), else the first `ee` domain.
   */
  private fallbackTarget(received: Uint8Array): HostPort {
    if (this.opts.fallback) return this.opts.fallback
    let names: string[] = []
    try {
      names = parseClientHello(received).serverNames
    } catch {
      // not a ClientHello: the default domain
    }
    for (const s of this.opts.secrets) {
      const d = s.secret.domain
      if (d !== undefined && names.some((n) => n.toLowerCase() === d.toLowerCase())) return { host: d, port: 443 }
    }
    return this.defaultFallback!
  }

  private close(events: RelayEvent[], reason: string, failure?: HandshakeFailure): RelayEvent[] {
    const wasHandshake = this.state === 'handshake'
    this.state = 'closed'
    this.drainServer()
    this.server.dispose()
    this.up?.dispose()
    this.up = null
    events.push(failure !== undefined && wasHandshake ? { type: 'close', reason, failure } : { type: 'close', reason })
    return events
  }
}
