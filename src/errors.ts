/**
 * Typed errors. Every error mtwire raises is an `MtwireError` with a stable `code`
 * (machine-readable, never changes between versions) and a human-readable message; the
 * subclass names the layer, and its `code` is a union of that layer's codes.
 *
 * ERROR_CODES below is the one list of codes: adding a code is one line in its class's block.
 * The types follow from it, the README's list is generated from it (`npm run errors:readme`),
 * and test/errors.test.ts fails if src/ throws a code missing here, if a code here is thrown
 * nowhere, or if the README's list is stale.
 */

/** Every code, by error class: `CODE: 'when it is raised'`. */
export const ERROR_CODES = {
  MtwireError: {
    E_USAGE: 'the `mtwire` command was given wrong arguments',
    E_STATE_FILE: "`mtwire serve --state FILE`: the file is not a key store mtwire wrote, or is damaged",
  },
  CryptoError: {
    E_TYPE: 'an argument is not of its type (a Uint8Array, an AuthKey from createAuthKey, an array of items)',
    E_KEY_LENGTH: 'an AES key is not 32 bytes, or an auth key not 256',
    E_IV_LENGTH: 'an IV is not 32 bytes (IGE) or 16 (CTR)',
    E_DATA_ALIGNMENT: 'AES-IGE data is not a multiple of 16 bytes',
    E_OUT_LENGTH: '`out` is too small for the result',
    E_OVERLAP: '`out` partially overlaps the input (the same range, in place, is fine)',
    E_DISPOSED: 'an AES-CTR stream or an AuthKey was used after dispose()',
    E_ITERATIONS: 'PBKDF2 iterations outside 1..2^32 - 1',
    E_LENGTH: 'randomBytes() length is not a non-negative integer',
    E_OPTION: 'an option has a value it does not take',
    E_BACKEND_UNAVAILABLE: 'the backend, WASM flavour or AES core asked for cannot run here (or its module failed to load)',
    E_NOT_LOADED: 'browser build: createCryptoSync() before one await createCrypto() loaded that backend',
    E_NO_RANDOM: 'the runtime has no crypto.getRandomValues and options.random was not given',
    E_DIRECTION: 'an envelope direction `x` other than 0 (client to server) or 8 (server to client)',
    E_INNER_LAYOUT: "an inner message whose size or length field does not fit the envelope's layout",
    E_OUT_OF_MEMORY: 'WebAssembly memory cannot grow for another AES-CTR stream',
    E_MODULUS: 'a big-number modulus that is even or not greater than 1',
    E_RANGE: 'a big-number operand (base, RSA block, product) not below its modulus or too large for its result',
    E_PQ: 'a pq to factor that is malformed, longer than 8 bytes, even, prime or out of range',
    E_DER: 'a DER/PEM RSA key that does not parse',
  },
  SecurityError: {
    E_DECRYPT: 'an MTProto message failed decryption: any check, one code and message (no oracle)',
  },
  TlError: {
    E_TL_TRUNCATED: 'TL data ends inside a value',
    E_TL_LENGTH: 'a length prefix or message length disagrees with the data',
    E_TL_TRAILING: 'bytes after the object (decodeTl without allowTrailing)',
    E_TL_UNKNOWN_CONSTRUCTOR: 'a constructor id (decoding) or name (encoding) the codec does not know',
    E_TL_UNEXPECTED_CONSTRUCTOR: 'a known constructor where the schema wants another type (a vector)',
    E_TL_BAD_BOOL: 'a Bool that is neither boolTrue nor boolFalse',
    E_TL_DEPTH: 'objects nested deeper than the reader allows',
    E_TL_UNTYPED_VECTOR: 'a Vector of primitives where its element type is not known',
    E_TL_VECTOR_COUNT: 'a vector count larger than the data can hold',
    E_TL_BUDGET: 'a decode creating more objects, vector elements and byte views than maxObjects (default 2^19)',
    E_TL_GZIP: 'malformed gzip_packed data',
    E_TL_GZIP_TOO_LARGE: 'gzip_packed data inflating beyond maxGzipSize (default 16 MiB)',
    E_TL_NOT_OBJECT: 'decodeTl on a bare Bool or Vector (read a method result with codec.results)',
    E_TL_ENCODE: 'a value of the wrong type or out of range for its field',
    E_TL_UNKNOWN_FIELD: "an object to encode has a field its constructor lacks (flags:# fields are computed)",
    E_TL_OVERFLOW: "encodeTlInto's target buffer is too small",
    E_TL_SCHEMA: 'a malformed TL schema (TlSchemaError: line and column)',
    E_TL_ID_MISMATCH: "a schema line's explicit id differs from the CRC32 of its declaration",
    E_TYPE: 'an argument to a TL entry point is not of its type (a codec, a Uint8Array, an object to encode)',
    E_OPTION: 'a TL option or argument has a value it does not take (maxObjects, offset, ...)',
  },
  TransportError: {
    E_OPTION: 'a transport option has a value it does not take',
    E_TYPE: 'an argument is not a Uint8Array',
    E_STATE: 'a call out of order (send() before start(), after the connection closed)',
    E_DISPOSED: 'the transport or connection was closed',
    E_ROLE: 'a server-only operation on a client framing',
    E_UNSUPPORTED: 'an operation the framing lacks (quick ACK on the full transport)',
    E_RANDOM: 'the random source keeps producing forbidden obfuscated2 headers',
    E_INTERNAL: 'a decoder bug turned into an error event instead of a stray exception',
    E_PACKET_TOO_LONG: 'a packet over maxPacketLength (default 16 MiB), checked before allocating',
    E_BAD_LENGTH: 'a packet length that is zero, unaligned or malformed',
    E_BAD_CRC: 'the full transport CRC32 does not match',
    E_BAD_SEQNO: 'the full transport seq_no is not the next one',
    E_BAD_TOKEN: 'a quick-ACK token without its most significant bit',
    E_BAD_HEADER: 'an obfuscated2 header no configured secret decrypts to a protocol tag',
    E_BAD_SECRET: 'an MTProxy secret that is malformed or of an unknown kind',
    E_TLS_MALFORMED: 'a fake-TLS ClientHello that does not parse',
    E_TLS_RECORD: 'an unexpected or oversized TLS record',
    E_TLS_SERVER_HELLO: "the proxy's fake-TLS server hello is wrong or lacks the secret's MAC",
    E_TLS_ALERT: 'the proxy sent a TLS alert',
    E_HTTP_HEADER: 'an HTTP header block too long',
    E_HTTP_MALFORMED: 'a malformed HTTP request, status line, header or Content-Length',
    E_HTTP_NOT_API: 'an HTTP request other than POST /api',
    E_HTTP_UNSUPPORTED: 'HTTP chunked transfer encoding',
    E_WS_HANDSHAKE: 'a WebSocket handshake that is refused or malformed',
    E_WS_PROTOCOL: 'a WebSocket frame that breaks RFC 6455',
    E_WS_TEXT: 'a WebSocket text message (MTProto is binary)',
    E_WS_FRAGMENTS: 'a fragmented WebSocket message of more frames than maxFragments (default 1024)',
    E_WS_CLOSED: 'the WebSocket server sent a close frame (WebSocketClientTransport: close the socket)',
    E_TRANSPORT_404: 'the peer sent transport error -404 (auth key not found, or malformed request)',
    E_TRANSPORT_429: 'the peer sent transport error -429 (transport flood)',
    E_TRANSPORT_444: 'the peer sent transport error -444 (invalid DC)',
    E_TRANSPORT_STATUS: 'the peer sent another transport error code (TransportStatusError.status)',
  },
  HandshakeError: {
    E_DH_PRIME: 'dh_prime is not a 2048-bit safe prime',
    E_DH_G: "g is outside 2..7 or fails its quadratic-residue rule for dh_prime",
    E_DH_RANGE: 'g_a or g_b outside 1 < v < p - 1 and 2^(2048-64) <= v <= p - 2^(2048-64)',
    E_NONCE: "an answer's nonce differs from ours",
    E_SERVER_NONCE: "an answer's server_nonce differs from the one of resPQ",
    E_NEW_NONCE_HASH: 'new_nonce_hash (dh_gen_*, server_DH_params_fail) does not match',
    E_ANSWER_HASH: 'the SHA-1 in front of an encrypted answer does not match the answer',
    E_FINGERPRINT: "none of the server's fingerprints is a key we know",
    E_PQ: 'pq is malformed, prime, too large or cannot be factored',
    E_DH_PARAMS_FAIL: 'the server answered server_DH_params_fail',
    E_DH_GEN_FAIL: 'the server answered dh_gen_fail',
    E_DH_GEN_RETRY: 'the server kept answering dh_gen_retry',
    E_UNEXPECTED: 'a message that is not the expected handshake step (wrong constructor, order, after the end)',
    E_MALFORMED: 'a handshake message that does not decode (TL, framing, lengths, encrypted data)',
    E_TRANSPORT: 'the peer answered the handshake with a transport error (-404, -444, ...)',
    E_TIMEOUT: 'no handshake answer before the deadline',
    E_RSA_KEY: 'an RSA key that cannot be used (PEM/DER malformed, modulus size, exponent)',
    E_RSA_DATA: 'RSA-encrypted data too long, or padding that does not check out',
    E_SRP: 'SRP: a parameter of the password algorithm failed a check',
    E_OPTION: 'a wrong argument to a handshake function (a programming mistake, not the peer)',
    E_STATE: 'a handshake used after it failed or finished',
  },
  SessionError: {
    E_RPC: 'invoke(): the server answered rpc_error (RpcError: errorCode, errorMessage)',
    E_TIMEOUT: 'invoke(): no answer within options.timeout (TimeoutError)',
    E_ABORTED: "invoke(): options.signal was aborted (AbortError; the server is asked to drop the answer)",
    E_CLOSED: 'invoke() on a closed session, or pending when it was closed',
    E_RESEND_LIMIT: 'a request re-sent maxResends times without an answer',
    E_TOO_LARGE: 'a request larger than a message may be (1,044,448 bytes)',
    E_TYPE: 'invoke() given something that is not a TL object or its serialization',
    E_OPTION: 'a session option or limit with a value it does not take',
    E_STATE: 'an exported session state that cannot be imported',
    E_AUTH_KEY_ID: 'a packet for an auth key the session does not use',
    E_SESSION_ID: 'a message for another session (dropped)',
    E_UNENCRYPTED: 'an unencrypted message reached the session layer (handshakes go to the auth layer)',
    E_MSG_ID: 'a message whose msg_id has the wrong parity for its sender (dropped)',
    E_MSG_ID_TIME: 'a message more than 300 s old or 30 s in the future, once the clock is synced (dropped)',
    E_MSG_ID_TOO_OLD: 'a message older than every msg_id remembered (dropped)',
    E_MSG_ID_DUPLICATE: 'a message or container received twice (dropped)',
    E_DUPLICATE: 'server: a container received twice (ignored)',
    E_BAD_CONTAINER: 'a msg_container that breaks the rules (nesting, ids, lengths, count)',
    E_BAD_MSG: 'server: a message answered with bad_msg_notification (the event carries the code)',
    E_BAD_MSG_UNKNOWN: 'a bad_msg_notification about a msg_id the client did not send recently (ignored)',
    E_UNEXPECTED: 'a service answer matching no request of ours (future_salts, ...)',
    E_TL: 'a message body that does not decode',
    E_BIND: 'auth.bindTempAuthKey was refused (server) or not answered boolTrue (client)',
    E_PING_TIMEOUT: 'no pong within the ping interval: the connection is presumed dead',
    E_HANDLER: "server: the embedder's RPC handler threw (the client gets rpc_error 500)",
    E_CONNECT: 'client: the connection could not be opened or was lost, and no reconnection follows (error.cause: how the last one ended)',
    E_AUTH_KEY_UNKNOWN: 'client: the server does not know the permanent auth key (-404 on connection after connection, or ENCRYPTED_MESSAGE_INVALID binding a temporary key)',
  },
  SecretChatError: {
  E_SECRET_ARGUMENT: 'a SecretChat, SecretRelay, file or key-visualization call got a malformed argument',
  E_SECRET_STATE: 'send() or deleteMessages() on a secret chat that is not ready',
  E_SECRET_STATE_INVALID: 'SecretChat.restore() got a state that exportState() could not have written',
  E_SECRET_DH_CONFIG: "the server's DH prime or generator failed the checks (SecretChat.request / accept)",
  E_SECRET_DH: 'secret chat aborted: a g_a or g_b outside the DH range',
  E_SECRET_FINGERPRINT: "secret chat aborted: the peer's key fingerprint differs; or a re-keying ended: the new key's did",
  E_SECRET_REKEY: 'secret chat aborted: the committed key differs from the accepted one, or too many old keys were needed at once',
  E_SECRET_SEQ_PARITY: 'secret chat aborted: in_seq_no or out_seq_no with the wrong parity, or negative',
  E_SECRET_IN_SEQ: 'secret chat aborted: in_seq_no beyond our last message, or going down',
  E_SECRET_RESEND: 'secret chat aborted: a resend request we cannot satisfy',
  E_SECRET_QUEUE_FULL: 'secret chat aborted: more messages waiting behind a gap (or a wider gap) than maxHeld',
  E_SECRET_INTERNAL: 'secret chat aborted: a bug of ours, turned into an event instead of a stray exception',
  E_SECRET_RANDOM_BYTES: 'secret chat error event: a message with fewer than 15 random bytes was ignored',
  E_SECRET_UNWRAPPED: 'secret chat error event: a message without decryptedMessageLayer (other than NotifyLayer) was dropped',
  E_SECRET_CHAT_ID: 'secret chat error event: an input for another chat id',
  E_SECRET_INPUT: 'secret chat error event: an input that is not an update, EncryptedChat or EncryptedMessage',
  E_SECRET_LAYER: "SecretChat.send(): the peer's layer cannot carry the message (a document over 2 GiB below layer 143)",
  E_SECRET_USERS_FULL: 'SecretRelay: the user limit is reached (answered as rpc_error AUTH_KEY_INVALID)',
  E_FILE_FINGERPRINT: "an encrypted file's key fingerprint does not match md5(key ‖ iv)",
  E_FILE_SIZE: 'an encrypted file is not the size its message states (too short, too long, or a wrong encrypted size)',
  E_FILE_ALIGNMENT: 'an encrypted-file part (but the last, when encrypting) that is not a multiple of 16 bytes',
  E_FILE_STATE: 'a FileEncryptor / FileDecryptor used after final() or dispose()',
  },
  ProxyError: {
    E_PROXY_OPTION: 'a proxy option (secrets, upstreams, limits, addresses) has a value it does not take',
    E_PROXY_SECRETS: 'a secrets file (mtwire proxy --secrets) that does not parse; the message names the line',
  },
} as const satisfies Record<string, Record<`E_${string}`, string>>

/** The error classes that have codes. */
export type ErrorClassName = keyof typeof ERROR_CODES
/** The codes of an error class (of every class by default). */
export type ErrorCode<K extends ErrorClassName = ErrorClassName> = K extends ErrorClassName ? keyof (typeof ERROR_CODES)[K] & string : never

export class MtwireError<C extends string = ErrorCode> extends Error {
  readonly code: C
  constructor(code: C, message: string) {
    super(message)
    this.code = code
    this.name = new.target.name
  }
}

/** Bad arguments to a crypto primitive: wrong key/IV length, unaligned data, wrong type. */
export class CryptoError extends MtwireError<ErrorCode<'CryptoError'>> {}

/**
 * A decryption or integrity check failed. Deliberately carries no detail: every failure of
 * one operation raises the same code and message, so it cannot serve as an oracle.
 */
export class SecurityError extends MtwireError<ErrorCode<'SecurityError'>> {}

/** Malformed TL data or schema. */
export class TlError extends MtwireError<ErrorCode<'TlError'>> {}

/** Malformed transport framing, or a transport-level error code from the peer. */
export class TransportError extends MtwireError<ErrorCode<'TransportError'>> {}

/** Auth-key creation failed a check. */
export class HandshakeError extends MtwireError<ErrorCode<'HandshakeError'>> {}

/** The session layer: a request that failed, timed out or was aborted, a message the peer sent that was dropped. */
export class SessionError extends MtwireError<ErrorCode<'SessionError'>> {}

/**
 * Secret chats (end-to-end): a rule of the key exchange, sequence numbers or re-keying was
 * broken (the chat aborts with this error), an encrypted file failed its size or key
 * fingerprint check, or a SecretChat was called in a state that does not allow the call.
 */
export class SecretChatError extends MtwireError<ErrorCode<'SecretChatError'>> {}

/** The MTProxy relay (`mtwire proxy`, `createProxy`): its configuration. What clients send is never an exception. */
export class ProxyError extends MtwireError<ErrorCode<'ProxyError'>> {}

/** SecretChatError's codes (the SecretChatError block of ERROR_CODES). */
// (a property read is a possible side effect to a bundler, which would keep ERROR_CODES in every page)
export const SECRET_CHAT_ERROR_CODES = /* @__PURE__ */ (() => ERROR_CODES.SecretChatError)()
export type SecretChatErrorCode = ErrorCode<'SecretChatError'>
