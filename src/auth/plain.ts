/**
 * Unencrypted MTProto messages, the only kind the handshake exchanges:
 * "auth_key_id = 0 (64 bits) ‖ message_id (64 bits) ‖ message_data_length (32 bits) ‖
 * message_data" (mtproto/description, "Unencrypted Message"), and their msg_ids.
 */
import type { TlReaderOptions } from '../tl/reader.js'
import { fail } from './errors.js'
import { CLIENT, halvesOf, idOf, MsgIdClock, RESPONSE } from './msgid.js'

/**
 * How handshake objects are decoded: no gzip_packed (never legitimate here; p_q_inner_data is
 * RSA-encrypted to a public key, so anyone could otherwise make the server inflate 16 MiB) and
 * shallow nesting.
 */
export const HANDSHAKE_TL: TlReaderOptions = { maxGzipSize: 0, maxDepth: 8 }

/** The largest handshake message body accepted (set_client_DH_params is ~380 bytes). */
export const MAX_HANDSHAKE_BODY = 1024

/** auth_key_id 0 ‖ msg_id ‖ length ‖ body. */
export function encodePlainMessage(msgId: bigint, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + body.length)
  const dv = new DataView(out.buffer)
  dv.setBigInt64(8, msgId, true)
  dv.setInt32(16, body.length, true)
  out.set(body, 20)
  return out
}

export interface PlainMessage {
  readonly msgId: bigint
  /** A view of the body inside the packet. */
  readonly body: Uint8Array
}

/** Parses an unencrypted message; `E_MALFORMED` unless auth_key_id is 0 and the length is exact. */
export function decodePlainMessage(packet: Uint8Array): PlainMessage {
  if (packet.length < 24) fail('E_MALFORMED', `an unencrypted message is at least 24 bytes, got ${packet.length}`)
  const dv = new DataView(packet.buffer, packet.byteOffset, packet.length)
  if (dv.getUint32(0, true) !== 0 || dv.getUint32(4, true) !== 0) fail('E_MALFORMED', 'auth_key_id is not 0: not an unencrypted message')
  const len = dv.getUint32(16, true)
  if (len !== packet.length - 20) fail('E_MALFORMED', `message_data_length ${len} does not match the ${packet.length - 20} bytes present`)
  return { msgId: dv.getBigInt64(8, true), body: packet.subarray(20) }
}

/**
 * The next msg_id for time `nowMs` after `last`: divisible by 4 for the client, ≡ 1 mod 4 for a
 * server's answer, strictly increasing. Issued by MsgIdClock (msgid.ts), the session's clock too.
 */
export function nextMsgId(nowMs: number, last: bigint, role: 'client' | 'server'): bigint {
  const clock = new MsgIdClock()
  halvesOf(last, halves)
  clock.hi = halves[0]
  clock.lo = halves[1]
  clock.next(nowMs, role === 'server' ? RESPONSE : CLIENT)
  return idOf(clock.hi, clock.lo)
}
const halves = [0, 0]
