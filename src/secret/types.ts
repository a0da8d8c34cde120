/**
 * The public types of a secret chat: what `SecretChat` takes (inputs, messages to send,
 * options), what it gives (events, API requests) and its exported state.
 */
import type { Crypto } from '../crypto/types.js'
import type { MtwireError, SecretChatError, TlError } from '../errors.js'
import type {
  TypeDecryptedMessage, TypeDecryptedMessageAction, TypeDecryptedMessageMedia, TypeMessageEntity,
} from '../tl/generated/secret.js'
import type {
  RawMessages_acceptEncryptionRequest, RawMessages_discardEncryptionRequest, RawMessages_requestEncryptionRequest,
  RawMessages_sendEncryptedFileRequest, RawMessages_sendEncryptedRequest, RawMessages_sendEncryptedServiceRequest,
  RawUpdateEncryptedChatTyping, RawUpdateEncryptedMessagesRead, RawUpdateEncryption, RawUpdateNewEncryptedMessage,
  TypeEncryptedChat, TypeEncryptedFile, TypeEncryptedMessage, TypeInputEncryptedFile,
} from '../tl/generated/api-secret.js'
import type { SecretDh } from './dh.js'

/** The API requests a chat asks its embedder to make, in order. */
export type SecretChatRequest =
  | RawMessages_requestEncryptionRequest
  | RawMessages_acceptEncryptionRequest
  | RawMessages_discardEncryptionRequest
  | RawMessages_sendEncryptedRequest
  | RawMessages_sendEncryptedServiceRequest
  | RawMessages_sendEncryptedFileRequest

/** What `receive` takes: anything the server sends about this chat. */
export type SecretChatInput =
  | TypeEncryptedChat
  | TypeEncryptedMessage
  | RawUpdateEncryption
  | RawUpdateNewEncryptedMessage
  | RawUpdateEncryptedMessagesRead
  | RawUpdateEncryptedChatTyping

/** Where a received message belongs: `seq` is its raw out_seq_no, `after` how many of our messages the sender had seen. */
export interface Placed {
  /** The sender's raw out_seq_no (0, 1, 2, ...): its position in the chat's incoming order. */
  seq: number
  /** The sender's raw in_seq_no: the message goes after our `after`-th message (seq_no "Checking and handling in_seq_no"). */
  after: number
  /** The layer the sender stated in decryptedMessageLayer. */
  layer: number
  /** encryptedMessage.date (server time, s). */
  date: number
}

export type SecretChatEvent =
  /** Initiator: the server created the chat (encryptedChatWaiting); the peer has not accepted yet. */
  | { type: 'waiting'; chatId: number }
  /** The key exchange completed: messages can be sent. `visualization` is the 288 bits to show (see visualize.ts). */
  | { type: 'ready'; chatId: number; keyFingerprint: bigint; visualization: Uint8Array }
  /** A message, in the chat's order. `ttl`: its self-destruct time in seconds (0: none). */
  | ({ type: 'message'; randomId: bigint; message: TypeDecryptedMessage; ttl: number; file: TypeEncryptedFile | undefined } & Placed)
  /** A service action for the embedder (read, delete, screenshot, flush history, typing, set TTL), in order. */
  | ({ type: 'action'; randomId: bigint; action: TypeDecryptedMessageAction } & Placed)
  /** A message in order whose content this schema cannot decode (a newer layer): it keeps its place. */
  | ({ type: 'unsupported'; error: TlError } & Placed)
  /** The peer's layer went up. `outdated`: it is newer than ours (tell the user to update). */
  | { type: 'layer'; layer: number; outdated: boolean }
  /** Their messages `from..to` (raw seq) are missing: later ones are held and a resend was requested. */
  | { type: 'gap'; from: number; to: number }
  /** We re-sent our messages `from..to` (raw seq) at the peer's request. */
  | { type: 'resent'; from: number; to: number }
  /** Re-keying (PFS) finished: messages are now sent under the key with this fingerprint. */
  | { type: 'rekeyed'; exchangeId: bigint; keyFingerprint: bigint }
  /** A re-keying instance ended without a new key (aborted by either side or superseded). */
  | { type: 'rekeyAborted'; exchangeId: bigint; error: SecretChatError | undefined }
  /** An old key was no longer needed and was erased. */
  | { type: 'keyDiscarded'; keyFingerprint: bigint }
  /** updateEncryptedMessagesRead: the peer read our messages up to `maxDate`. */
  | { type: 'read'; maxDate: number; date: number }
  /** updateEncryptedChatTyping. */
  | { type: 'typing' }
  /** One input was dropped: `SecurityError` (decryption; uniform, no detail), `TlDecodeError`, or `SecretChatError`. */
  | { type: 'error'; error: MtwireError }
  /** The chat broke a rule and is over; a discardEncryption request is queued. */
  | { type: 'aborted'; error: SecretChatError }
  /** The chat was discarded by the peer or the server. */
  | { type: 'discarded'; historyDeleted: boolean }

/** Fields of a message to send: a decryptedMessage (text, media), or `action` for a service message. */
export interface SecretMessageInput {
  /** Text (may be empty with media). */
  message?: string
  media?: TypeDecryptedMessageMedia
  entities?: TypeMessageEntity[]
  /** Self-destruct timer in seconds (0: none). Default: the chat's TTL as last set. */
  ttl?: number
  silent?: boolean
  noWebpage?: boolean
  replyToRandomId?: bigint
  viaBotName?: string
  groupedId?: bigint
  /** Default: random. */
  randomId?: bigint
  /** The uploaded encrypted file the media refers to: sent with messages.sendEncryptedFile. */
  file?: TypeInputEncryptedFile
  /**
   * A service action instead of a message: setMessageTTL, readMessages, deleteMessages,
   * screenshotMessages, flushHistory, typing. (Resend, notifyLayer and the re-keying actions
   * belong to the chat itself.)
   */
  action?: TypeDecryptedMessageAction
}

/** p and g from messages.dhConfig (cached by the embedder), with the response's fresh `random`. */
export interface SecretDhConfig {
  g: number
  p: Uint8Array
  /** messages.dhConfig / dhConfigNotModified `random`: mixed with local entropy, never used raw. */
  random?: Uint8Array
}

export interface SecretChatOptions {
  crypto: Crypto
  /** The DH operations. Default: the handshake's (src/auth/dh.ts, `handshakeDh`). */
  dh?: SecretDh
  /** Our secret-chat layer (default: the schema's, 144). Must be ≥ 73 (MTProto 2.0). */
  layer?: number
  /** Re-key after the key encrypted and decrypted more than this many messages (spec: 100). */
  rekeyAfterMessages?: number
  /** Re-key after the key has been in use this long, ms (spec: one week). */
  rekeyAfterMs?: number
  /** Ask again for messages still missing this long (ms) after a resend request. Default 30 s. */
  resendTimeoutMs?: number
  /** Most messages held while a gap is open (and largest gap); beyond, the chat aborts. Default 1000. */
  maxHeld?: number
  /** Most own messages kept for the peer's resend requests (those it has not confirmed). Default 1000. */
  maxHistory?: number
}

/** A key as exported: the 256 bytes (base64) and its use counters. */
export interface SecretKeyState {
  key: string
  since: number
  used: number
  encrypted: number
}

/**
 * Everything a chat needs to resume in another process (`exportState()`, `SecretChat.restore`):
 * plain JSON (bytes as base64, 64-bit values as decimal strings, TL objects as base64 of their
 * api-secret encoding). It holds the chat's keys: store it as the secret it is.
 */
export interface SecretChatState {
  version: 1
  originator: boolean
  chatId: number
  accessHash: string
  status: 'requesting' | 'ready' | 'closed'
  p: string
  g: number
  initPriv: string | null
  peerLayer: number
  ttl: number
  visualization: string | null
  key: SecretKeyState | null
  retained: { key: SecretKeyState; until: number | null }[]
  erased: string[]
  rekey: { s: 'idle' } | { s: 'requested'; id: string; priv: string; pub: string } | { s: 'accepted'; id: string; key: SecretKeyState }
  switchedEarly: { id: string; fp: string } | null
  outRaw: number
  inRaw: number
  peerIn: number
  v2From: number | null
  top: number
  asked: { from: number; to: number; at: number }[]
  held: { plain: string; date: number; file: string | null; resendDone: boolean }[]
  history: { seq: number; inRaw: number; randomId: string; method: string; data: string; file: string | null; silent: boolean }[]
  outgoing: string[]
  early: string[]
}
