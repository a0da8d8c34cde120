/**
 * What `invoke()` rejects with, besides `SessionError` itself (its codes are listed, with
 * when each is raised, in ERROR_CODES.SessionError in src/errors.ts).
 */
import { SessionError } from '../errors.js'

/** The server answered the request with `rpc_error error_code error_message`. */
export class RpcError extends SessionError {
  /** The server's `error_code` (400, 401, 420, 500, ...). */
  readonly errorCode: number
  /** The server's `error_message` (`FLOOD_WAIT_5`, `AUTH_KEY_PERM_EMPTY`, ...). */
  readonly errorMessage: string
  constructor(errorCode: number, errorMessage: string) {
    super('E_RPC', `RPC error ${errorCode}: ${errorMessage}`)
    this.errorCode = errorCode
    this.errorMessage = errorMessage
  }
}

/** `invoke(request, { timeout })` ran out of time (the request may still run on the server). */
export class TimeoutError extends SessionError {
  constructor(ms: number) {
    super('E_TIMEOUT', `no answer within ${ms} ms`)
  }
}

/** `invoke(request, { signal })`: the signal was aborted (the session asked the server to drop the answer). */
export class AbortError extends SessionError {
  constructor(reason?: unknown) {
    super('E_ABORTED', `aborted${reason === undefined ? '' : `: ${reason instanceof Error ? reason.message : String(reason)}`}`)
  }
}
