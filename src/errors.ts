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
 * Secret chats (end-to-end): a rule of the key exchange, sequence numbers or re-keying was
 * broken (the chat aborts with this error), an encrypted file failed its size or key
 * fingerprint check, or a SecretChat was called in a state that does not allow the call.
 */
export class SecretChatError extends MtwireError {}
