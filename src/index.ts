/**
 * mtwire: the public API for every runtime (browsers, workers, Deno, Bun, Node).
 * Node users get the same API from the Node entry point (src/node/index.ts), which also
 * supplies node:crypto where Node 18 lacks the WebCrypto global.
 */
export * from './crypto/index.js'
export { CryptoError, HandshakeError, MtwireError, SecretChatError, SecurityError, SessionError, TlError, TransportError, ERROR_CODES, SECRET_CHAT_ERROR_CODES, type ErrorCode, type ErrorClassName, type SecretChatErrorCode } from './errors.js'
export * from './transport/index.js'
export type { Layer, TransportItem } from './layer.js'
export * from './tl/index.js'
export * from './auth/index.js'
export * from './session/index.js'
export * from './secret/index.js'
export { ProxyError } from './errors.js'
export * from './proxy/index.js'
export * from './web/index.js'
