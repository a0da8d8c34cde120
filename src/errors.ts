/**
 * Typed errors. Every error mtwire raises is an `MtwireError` with a stable `code`
 * (machine-readable, never changes between versions) and a human-readable message.
 */
export class MtwireError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
    this.name = new.target.name
  }
}

/** Bad arguments to a crypto primitive: wrong key/IV length, unaligned data, wrong type. */
export class CryptoError extends MtwireError {}

/**
 * A decryption or integrity check failed. Deliberately carries no detail: every failure of
 * one operation raises the same code and message, so it cannot serve as an oracle.
 */
export class SecurityError extends MtwireError {}

/** Malformed TL data or schema. */
export class TlError extends MtwireError {}

/** Malformed transport framing, or a transport-level error code from the peer. */
export class TransportError extends MtwireError {}

/** Auth-key creation failed a check. */
export class HandshakeError extends MtwireError {}

/**
 * SecretChatError's codes, `CODE: 'when it is raised'` (the shape of a class's block in main's
 * ERROR_CODES registry, into which it moves as it is).
 */
export const SECRET_CHAT_ERROR_CODES = {
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
} as const

export type SecretChatErrorCode = keyof typeof SECRET_CHAT_ERROR_CODES

/**
 * Secret chats (end-to-end): a rule of the key exchange, sequence numbers or re-keying was
 * broken (the chat aborts with this error), an encrypted file failed its size or key
 * fingerprint check, or a SecretChat was called in a state that does not allow the call.
 */
export class SecretChatError extends MtwireError {
  declare readonly code: SecretChatErrorCode
  constructor(code: SecretChatErrorCode, message: string) {
    super(code, message)
  }
}
