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
