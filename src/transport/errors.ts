import { TransportError, type ErrorCode } from '../errors.js'

/**
 * A transport-level error code sent by the peer: a 4-byte packet holding a negative
 * little-endian int32 (−404 auth key not found, −429 transport flood, −444 invalid DC), or an
 * HTTP status on the HTTP transport. `status` is the positive code (404, 429, 444, ...).
 */
export class TransportStatusError extends TransportError {
  readonly status: number
  constructor(status: number) {
    const k = KNOWN_STATUS[status]
    super(k?.[0] ?? 'E_TRANSPORT_STATUS', `peer sent transport error -${status}${k ? ` (${k[1]})` : ''}`)
    this.status = status
  }
}

const KNOWN_STATUS: Record<number, [ErrorCode<'TransportError'>, string] | undefined> = {
  404: ['E_TRANSPORT_404', 'auth key not found or malformed request'],
  429: ['E_TRANSPORT_429', 'transport flood'],
  444: ['E_TRANSPORT_444', 'invalid DC'],
}

export function fail(code: ErrorCode<'TransportError'>, message: string): never {
  throw new TransportError(code, message)
}

/**
 * What every decoder emits, last, when the peer's bytes are malformed or carry a transport error
 * code: the events decoded before it come first, and the decoder stays failed (later calls
 * throw `error` again: the connection must be closed).
 */
export interface ErrorEvent {
  type: 'error'
  error: TransportError
}

/** `e` as the error a decoder reports: a `TransportError` as it is; anything else (a bug) as `E_INTERNAL`. */
export function asTransportError(e: unknown): TransportError {
  return e instanceof TransportError ? e : new TransportError('E_INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`)
}

/**
 * The one decode path every stateful decoder shares: throws the stored error if an earlier
 * call failed; runs `step`, which pushes events to `out` and throws a `TransportError` on bad
 * input; a throw becomes the final `error` event. Returns the error to store (null if none).
 */
export function decodeStep<E>(broken: TransportError | null, out: (E | ErrorEvent)[], step: () => void): TransportError | null {
  if (broken) throw broken
  try {
    step()
    return null
  } catch (e) {
    const error = asTransportError(e)
    out.push({ type: 'error', error })
    return error
  }
}

const toStr = Object.prototype.toString

/** Throws `E_TYPE` unless `v` is a Uint8Array (Node Buffers and other realms' arrays count). */
export function checkBytes(v: unknown, name: string): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array) && toStr.call(v) !== '[object Uint8Array]') {
    fail('E_TYPE', `${name} must be a Uint8Array, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`)
  }
}

/** Throws `E_OPTION` unless `v` looks like a `Crypto` from `createCrypto()` (the methods transports call). */
export function checkCrypto(v: unknown): void {
  const c = v as Record<string, unknown> | null
  if (typeof c !== 'object' || c === null || typeof c.randomBytes !== 'function' || typeof c.createAesCtr !== 'function' || typeof c.sha256 !== 'function' || typeof c.hmacSha256 !== 'function') {
    fail('E_OPTION', 'options.crypto must be a Crypto from createCrypto()')
  }
}

/** Throws `E_OPTION` unless `v` is undefined or a boolean. */
export function checkFlag(v: unknown, name: string): void {
  if (v !== undefined && typeof v !== 'boolean') fail('E_OPTION', `${name} must be a boolean`)
}

/** Throws `E_OPTION` unless `v` is undefined or a function. */
export function checkFunction(v: unknown, name: string): void {
  if (v !== undefined && typeof v !== 'function') fail('E_OPTION', `${name} must be a function`)
}

/** `now` if it is a clock reading (finite milliseconds), else `E_TYPE`. */
export function checkNow(now: unknown): number {
  if (typeof now !== 'number' || !Number.isFinite(now)) fail('E_TYPE', `now must be a finite number of milliseconds, got ${typeof now}`)
  return now
}
