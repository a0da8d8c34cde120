/**
 * Unencrypted MTProto messages, the only kind the handshake exchanges:
 * "auth_key_id = 0 (64 bits) ‖ message_id (64 bits) ‖ message_data_length (32 bits) ‖
 * message_data" (mtproto/description, "Unencrypted Message"), and their msg_ids.
 */
import { fail } from './errors.js'

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
 * The next msg_id for time `nowMs`: "approximately equal to unixtime·2^32", divisible by 4 for
 * the client (≡ 1 mod 4 for a server's answer), strictly increasing (mtproto/description). The
 * low 32 bits carry the fraction of the second, so they are never all zero.
 */
export function nextMsgId(nowMs: number, last: bigint, role: 'client' | 'server'): bigint {
  const sec = BigInt(Math.floor(nowMs / 1000))
  const frac = BigInt(Math.floor(((nowMs % 1000) / 1000) * 2 ** 32)) & ~3n || 4n
  let id = (sec << 32n) | frac | (role === 'server' ? 1n : 0n)
  if (id <= last) id = (last & ~3n) + 4n + (role === 'server' ? 1n : 0n)
  return id
}
