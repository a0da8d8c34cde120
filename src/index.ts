/**
 * mtwire: the public API for every runtime (browsers, workers, Deno, Bun, Node).
 * Node users get the same API from the Node entry point (src/node/index.ts), which also
 * supplies node:crypto where Node 18 lacks the WebCrypto global.
 */
export * from './crypto/index.js'
export { CryptoError, HandshakeError, MtwireError, SecurityError, TlError, TransportError } from './errors.js'
export * from './transport/index.js'
export * from './tl/index.js'
export { SECRET_CHAT_ERROR_CODES, SecretChatError, type SecretChatErrorCode } from './errors.js'
export * from './secret/index.js'
