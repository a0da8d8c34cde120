/**
 * The client role of auth-key creation as a sans-IO state machine (DESIGN.md's Layer shape):
 * `start(now)`, then `receive(packet, now)` with each unencrypted message (or a transport error)
 * from the server, `takeOutgoing()` for the requests to send, `nextDeadline()` / `tick(now)` for
 * resends and the overall timeout. Randomness comes from the Crypto object, time only from `now`.
 * Ends with one `done` event (the key) or one `error` event (a `HandshakeError`); never throws
 * for anything the server sent.
 */
import type { Crypto } from '../crypto/types.js'
import { equalBytes } from '../bytes.js'
import type { BignumOptions } from '../crypto/bignum/index.js'
import type { PrimeOptions } from '../crypto/bignum/prime.js'
import { decodeTl, encodeTl } from '../tl/api.js'
import { type MtprotoObject, type MtprotoRequest, mtprotoCodec } from '../tl/generated/mtproto.js'
import { HandshakeError } from '../errors.js'
import {
  clientCheckDhParams, clientFinish, clientSetDhParams, clientStep1, clientStep2,
  type AuthKeyResult, type ClientDhParams, type ClientStep1, type ClientStep2, type ClientStep3,
} from './client-steps.js'
import { DH_BYTES } from './dh.js'
import { fail, handshakeError } from './errors.js'
import { decodePlainMessage, encodePlainMessage, HANDSHAKE_TL, nextMsgId } from './plain.js'
import { telegramPublicKey, type ServerPublicKey } from './rsa.js'

export interface ClientHandshakeOptions {
  /** The DC's id (1..5 for Telegram's); sent in p_q_inner_data_dc. */
  dcId: number
  /** A test DC: 10000 is added to the id, and Telegram's test key is the default. */
  testMode?: boolean
  /** A media DC: the id is sent negative. */
  media?: boolean
  /** The server's RSA keys; default Telegram's production key (test key in testMode). */
  keys?: readonly ServerPublicKey[]
  /** Make a temporary key for PFS that expires after this many seconds (p_q_inner_data_temp_dc). */
  expiresIn?: number
  /** 'dc' (default) or 'legacy' inner data (p_q_inner_data without dc), as older clients send. */
  innerData?: 'dc' | 'legacy'
  /** 'rsa_pad' (default) or the legacy RSA encoding. */
  encoding?: 'rsa_pad' | 'legacy'
  /** Give up after this long (default 30 000 ms). */
  timeoutMs?: number
  /** Resend an unanswered request, identical, after this long (default 5 000 ms); 0 never. */
  resendMs?: number
  /** Follow at most this many dh_gen_retry answers (default 5). */
  maxRetries?: number
  bignum?: BignumOptions
  /** Options of the safe-prime check for a dh_prime other than Telegram's (rounds, RNG). */
  prime?: PrimeOptions
}

export type ClientHandshakeEvent =
  | { readonly type: 'done'; readonly result: AuthKeyResult }
  | { readonly type: 'error'; readonly error: HandshakeError }
  /** The server answered dh_gen_retry; a new set_client_DH_params is queued. */
  | { readonly type: 'retry'; readonly attempt: number }

/** A transport error the framing decoded (e.g. −404), handed to the handshake as input. */
export interface TransportErrorInput {
  readonly type: 'transportError'
  readonly status: number
}

type Phase = 'idle' | 'pq' | 'dh' | 'gen' | 'done' | 'failed'

export class ClientHandshake {
  private readonly crypto: Crypto
  private readonly opts: ClientHandshakeOptions
  private readonly keys: readonly ServerPublicKey[]
  private phase: Phase = 'idle'
  private s1?: ClientStep1
  private s2?: ClientStep2
  private params?: ClientDhParams
  private s3?: ClientStep3
  private retries = 0
  private lastMsgId = 0n
  private startedAt = 0
  private sentAt = 0
  private last?: Uint8Array
  /** The previous answer: the server resends identical answers to identical requests. */
  private lastAnswer?: Uint8Array
  private readonly out: Uint8Array[] = []
  private res?: AuthKeyResult

  constructor(crypto: Crypto, options: ClientHandshakeOptions) {
    const o = options
    if (!o || !Number.isInteger(o.dcId) || o.dcId < 1 || o.dcId >= 10000) fail('E_OPTION', 'dcId must be an integer in 1..9999')
    if (o.expiresIn !== undefined && (!Number.isInteger(o.expiresIn) || o.expiresIn < 1)) fail('E_OPTION', 'expiresIn must be a positive integer (seconds)')
    this.crypto = crypto
    this.opts = o
    this.keys = o.keys ?? [telegramPublicKey(crypto, o.testMode ? 'test' : 'production')]
    if (this.keys.length === 0) fail('E_OPTION', 'options.keys is empty')
  }

  /** The key, once `done`. */
  get result(): AuthKeyResult | undefined {
    return this.res
  }

  get state(): Phase {
    return this.phase
  }

  /** Queues req_pq_multi. */
  start(now: number): void {
    if (this.phase !== 'idle') fail('E_STATE', 'the handshake was already started')
    this.startedAt = now
    const { request, state } = clientStep1(this.crypto.randomBytes(16))
    this.s1 = state
    this.phase = 'pq'
    this.send(request, now)
  }

  receive(input: Uint8Array | TransportErrorInput, now: number): ClientHandshakeEvent[] {
    if (this.phase === 'done' || this.phase === 'failed') return []
    if (this.phase === 'idle') return this.failWith(handshakeError('E_STATE', 'received a message before start()'))
    if (!(input instanceof Uint8Array)) {
      return this.failWith(handshakeError('E_TRANSPORT', `the server answered transport error -${input.status}${input.status === 404 ? ' (the handshake must be restarted)' : ''}`))
    }
    try {
      const body = decodePlainMessage(input).body
      // an answer repeated by the server (we resent the request): already handled
      if (this.lastAnswer && equalBytes(body, this.lastAnswer)) return []
      let obj: MtprotoObject | MtprotoRequest
      try {
        obj = decodeTl(mtprotoCodec, body, HANDSHAKE_TL)
      } catch (e) {
        throw handshakeError('E_MALFORMED', `the answer does not decode: ${e instanceof Error ? e.message : String(e)}`)
      }
      this.lastAnswer = body.slice()
      return this.step(obj, now)
    } catch (e) {
      // a check that failed is a HandshakeError; anything else the answer made go wrong is malformed input
      return this.failWith(e instanceof HandshakeError ? e : handshakeError('E_MALFORMED', e instanceof Error ? e.message : String(e)))
    }
  }

  private step(obj: MtprotoObject | MtprotoRequest, now: number): ClientHandshakeEvent[] {
    const o = this.opts
    const c = this.crypto
    switch (this.phase) {
      case 'pq': {
        const dc = (o.dcId + (o.testMode ? 10000 : 0)) * (o.media ? -1 : 1)
        const { request, state } = clientStep2(
          c, this.s1!, obj as never,
          { newNonce: c.randomBytes(32), padding: c.randomBytes(235), tempKey: () => c.randomBytes(32) },
          { keys: this.keys, dc, expiresIn: o.expiresIn, innerData: o.innerData, encoding: o.encoding, bignum: o.bignum },
        )
        this.s2 = state
        this.phase = 'dh'
        this.send(request, now)
        return []
      }
      case 'dh': {
        this.params = clientCheckDhParams(c, this.s2!, obj as never, { bignum: o.bignum, prime: o.prime })
        this.sendDh(0n, now)
        this.phase = 'gen'
        return []
      }
      case 'gen': {
        const r = clientFinish(c, this.s3!, obj as never)
        if (r.type === 'retry') {
          if (++this.retries > (o.maxRetries ?? 5)) throw handshakeError('E_DH_GEN_RETRY', `the server answered dh_gen_retry ${this.retries} times`)
          this.s3!.authKey.fill(0)
          this.sendDh(r.retryId, now)
          return [{ type: 'retry', attempt: this.retries }]
        }
        this.res = r.result
        this.phase = 'done'
        this.forget()
        return [{ type: 'done', result: r.result }]
      }
      default:
        return []
    }
  }

  /** set_client_DH_params with a fresh b (a g_b out of the recommended range, chance ~2^-63, draws another). */
  private sendDh(retryId: bigint, now: number): void {
    for (let i = 0; ; i++) {
      const b = this.crypto.randomBytes(DH_BYTES)
      try {
        const { request, state } = clientSetDhParams(this.crypto, this.params!, { b, padding: this.crypto.randomBytes(16) }, Math.floor(now / 1000), retryId, { bignum: this.opts.bignum })
        this.s3 = state
        this.send(request, now)
        return
      } catch (e) {
        if (!(e instanceof HandshakeError && e.code === 'E_DH_RANGE' && i < 8)) throw e
      } finally {
        b.fill(0)
      }
    }
  }

  takeOutgoing(): Uint8Array[] {
    return this.out.splice(0)
  }

  nextDeadline(): number | undefined {
    if (this.phase === 'idle' || this.phase === 'done' || this.phase === 'failed') return undefined
    const timeout = this.startedAt + (this.opts.timeoutMs ?? 30_000)
    const resend = this.opts.resendMs ?? 5_000
    return resend > 0 ? Math.min(timeout, this.sentAt + resend) : timeout
  }

  tick(now: number): ClientHandshakeEvent[] {
    if (this.phase === 'idle' || this.phase === 'done' || this.phase === 'failed') return []
    if (now >= this.startedAt + (this.opts.timeoutMs ?? 30_000)) return this.failWith(handshakeError('E_TIMEOUT', `no key after ${this.opts.timeoutMs ?? 30_000} ms`))
    const resend = this.opts.resendMs ?? 5_000
    if (resend > 0 && now >= this.sentAt + resend && this.last) {
      // "it may simply re-send the query": the same bytes, which the server answers identically
      this.out.push(this.last)
      this.sentAt = now
    }
    return []
  }

  private send(obj: MtprotoObject | MtprotoRequest, now: number): void {
    this.lastMsgId = nextMsgId(now, this.lastMsgId, 'client')
    this.last = encodePlainMessage(this.lastMsgId, encodeTl(mtprotoCodec, obj))
    this.out.push(this.last)
    this.sentAt = now
  }

  private failWith(error: HandshakeError): ClientHandshakeEvent[] {
    this.phase = 'failed'
    this.forget()
    return [{ type: 'error', error }]
  }

  /** Zeroes the temporary secrets; a failed run also drops its key and anything not yet sent. */
  private forget(): void {
    this.params?.tmpAesKey.fill(0)
    this.params?.tmpAesIv.fill(0)
    if (this.phase === 'failed') {
      this.s3?.authKey.fill(0)
      this.out.length = 0
    }
    this.last = undefined
  }
}
