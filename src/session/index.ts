/** Sessions: the message layer above the envelope, in both roles (sans-IO). */
export {
  ClientSession,
  type BindBuilder,
  type ClientSessionEvent,
  type ClientSessionOptions,
  type ClientSessionState,
  type InvokeOptions,
  type RestoredRequest,
} from './client.js'
export {
  SessionServer,
  ServerConnection,
  ServerSession,
  SERVER_LIMITS,
  rpcErrorBody,
  type RpcCall,
  type RpcHandler,
  type ServerConnectionEvent,
  type ServerKey,
  type ServerKeys,
  type SimpleKeys,
  type ServerLimits,
  type SessionServerOptions,
} from './server.js'
export type { Outgoing } from './core.js'
export { AbortError, RpcError, TimeoutError } from './errors.js'
export { MsgIdClock } from './msgid.js'
export { ReconnectPolicy, RECONNECT_DEFAULTS, type ReconnectOptions } from './reconnect.js'
export { ClientLink, type ClientLinkEvent, type ClientLinkOptions, type ClientState, type LinkInput, type LinkOutput, type LinkStats, type LinkStatus, type TransportName } from './link.js'
export { Client, type Dialer, type DialedConnection } from './runner.js'
