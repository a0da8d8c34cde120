import { TransportError } from '../errors.js'

/**
 * A transport-level error code sent by the peer: a 4-byte packet holding a negative
 * little-endian int32 (−404 auth key not found, −429 transport flood, −444 invalid DC), or an
 * HTTP status on the HTTP transport. `status` is the positive code (404, 429, 444, ...).
 */
export class TransportStatusError extends TransportError {
  readonly status: number
  constructor(status: number) {
    const known: Record<number, string> = {
      404: 'auth key not found or malformed request',
      429: 'transport flood',
      444: 'invalid DC',
    }
    const code = status in known ? `E_TRANSPORT_${status}` : 'E_TRANSPORT_STATUS'
    super(code, `peer sent transport error -${status}${status in known ? ` (${known[status]})` : ''}`)
    this.status = status
  }
}

export function fail(code: string, message: string): never {
  throw new TransportError(code, message)
}
