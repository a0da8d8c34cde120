/**
 * Wire constants of the session layer (core.telegram.org/mtproto/service_messages,
 * /service_messages_about_messages, /description) and the limits the spec sets. The ids are the
 * schema's (src/tl/schema/mtproto.tl); test/session/wire.test.ts checks that they agree.
 */

// constructors and methods the session reads or writes itself
export const ID_MSG_CONTAINER = 0x73f1f8dc
export const ID_MSG_COPY = 0xe06046b2
export const ID_GZIP_PACKED = 0x3072cfa1
export const ID_RPC_RESULT = 0xf35c6d01
export const ID_RPC_ERROR = 0x2144ca19
export const ID_MSGS_ACK = 0x62d6b459
export const ID_BAD_MSG_NOTIFICATION = 0xa7eff811
export const ID_BAD_SERVER_SALT = 0xedab447b
export const ID_NEW_SESSION_CREATED = 0x9ec20908
export const ID_PING = 0x7abe77ec
export const ID_PING_DELAY_DISCONNECT = 0xf3427b8c
export const ID_PONG = 0x347773c5
export const ID_GET_FUTURE_SALTS = 0xb921bd04
export const ID_FUTURE_SALTS = 0xae500895
export const ID_FUTURE_SALT = 0x0949d9dc
export const ID_MSGS_STATE_REQ = 0xda69fb52
export const ID_MSGS_STATE_INFO = 0x04deb57d
export const ID_MSGS_ALL_INFO = 0x8cc0d131
export const ID_MSG_RESEND_REQ = 0x7d861a08
export const ID_MSG_DETAILED_INFO = 0x276d3ec6
export const ID_MSG_NEW_DETAILED_INFO = 0x809db6df
export const ID_DESTROY_SESSION = 0xe7512126
export const ID_DESTROY_SESSION_OK = 0xe22045fc
export const ID_DESTROY_SESSION_NONE = 0x62d350c9
export const ID_DESTROY_AUTH_KEY = 0xd1435160
export const ID_DESTROY_AUTH_KEY_OK = 0xf660e1d4
export const ID_DESTROY_AUTH_KEY_NONE = 0x0a9f2259
export const ID_DESTROY_AUTH_KEY_FAIL = 0xea109b13
export const ID_RPC_DROP_ANSWER = 0x58e4a740
export const ID_RPC_ANSWER_UNKNOWN = 0x5e2ad36e
export const ID_RPC_ANSWER_DROPPED_RUNNING = 0xcd78e586
export const ID_RPC_ANSWER_DROPPED = 0xa43ad8b7
export const ID_HTTP_WAIT = 0x9299359f
export const ID_VECTOR = 0x1cb5c415
export const ID_BOOL_TRUE = 0x997275b5
// API-layer wrappers a server unwraps (api.tl)
export const ID_INVOKE_AFTER_MSG = 0xcb9f372d
export const ID_INVOKE_AFTER_MSGS = 0x3dc4b4f0
export const ID_INIT_CONNECTION = 0xc1cd5ea9
export const ID_INVOKE_WITH_LAYER = 0xda9b0d0d
export const ID_INVOKE_WITHOUT_UPDATES = 0xbf9459b7
// auth.bindTempAuthKey#cdd42a05 perm_auth_key_id:long nonce:long expires_at:int encrypted_message:bytes = Bool
export const ID_BIND_TEMP_AUTH_KEY = 0xcdd42a05
// mtwire.tl (ids computed by the TL rules)
export const ID_MTWIRE_ECHO = 0x8a5fbec8
export const ID_MTWIRE_SLEEP = 0xfa27713c
export const ID_MTWIRE_PAYLOAD = 0xdab7c255

/** service_messages: "MTProto container can have at most 1024 messages". */
export const MAX_CONTAINER_MESSAGES = 1024
/**
 * Payload of one container: beyond ~1 MiB Telegram drops the connection (GramJS's
 * MessageContainer: "Telegram will close the connection if the payload is bigger"; 1 044 456
 * minus the 8-byte container header). The largest single message body allowed too.
 */
export const MAX_CONTAINER_BYTES = 1_044_448
/** "Max 8192 IDs are allowed per constructor" (msgs_ack, msgs_state_req, msg_resend_req). */
export const MAX_IDS = 8192
/** description: a server salt "changes every 30 minutes" and the old one stays valid "for another 1800 seconds". */
export const SALT_PERIOD_S = 1800
/** description: "msg_id ... approximately equal unixtime*2^32"; accepted from 300 s past to 30 s future. */
export const TIME_PAST_MS = 300_000
export const TIME_FUTURE_MS = 30_000

export function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
}

export function i32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v
  b[o + 1] = v >>> 8
  b[o + 2] = v >>> 16
  b[o + 3] = v >>> 24
}

/** 8 bytes little-endian of a TL long. */
export function longBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, BigInt.asIntN(64, v), true)
  return b
}

export function longOf(b: Uint8Array, o = 0): bigint {
  return new DataView(b.buffer, b.byteOffset + o, 8).getBigInt64(0, true)
}
