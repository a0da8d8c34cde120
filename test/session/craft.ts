/**
 * Wire-level helpers for the session tests: build inner messages and containers by hand (so a
 * test can break exactly one rule), seal them with the envelope, and open what a session sent.
 */
import type { AuthKey } from '../../src/crypto/authkey.js'
import type { Crypto } from '../../src/crypto/types.js'
import { encodeTl, mergeCodecs, mtprotoCodec, mtwireCodec, TlReader, type TlObject } from '../../src/tl/index.js'

export const codec = mergeCodecs(mtprotoCodec, mtwireCodec)

export interface Msg {
  msgId: bigint
  seqNo: number
  body: Uint8Array
}

/** A TL object (or raw bytes) serialized with the mtproto + mtwire codec. */
export const tl = (o: TlObject | Uint8Array): Uint8Array => (o instanceof Uint8Array ? o : encodeTl(codec, o as never)) // crafted objects: any constructor of the merged codec

/** msg_container#73f1f8dc of messages (msg_id seqno bytes body each). */
export function container(msgs: Msg[]): Uint8Array {
  const n = msgs.reduce((a, m) => a + 16 + m.body.length, 8)
  const b = new Uint8Array(n)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, 0x73f1f8dc, true)
  dv.setUint32(4, msgs.length, true)
  let o = 8
  for (const m of msgs) {
    dv.setBigInt64(o, m.msgId, true)
    dv.setUint32(o + 8, m.seqNo, true)
    dv.setUint32(o + 12, m.body.length, true)
    b.set(m.body, o + 16)
    o += 16 + m.body.length
  }
  return b
}

/** salt ‖ session_id ‖ msg_id ‖ seq_no ‖ length ‖ body. */
export function inner(salt: bigint, sessionId: bigint, m: Msg): Uint8Array {
  const b = new Uint8Array(32 + m.body.length)
  const dv = new DataView(b.buffer)
  dv.setBigInt64(0, salt, true)
  dv.setBigInt64(8, sessionId, true)
  dv.setBigInt64(16, m.msgId, true)
  dv.setUint32(24, m.seqNo, true)
  dv.setUint32(28, m.body.length, true)
  b.set(m.body, 32)
  return b
}

export function seal(crypto: Crypto, key: AuthKey, salt: bigint, sessionId: bigint, m: Msg, x: 0 | 8): Uint8Array {
  return crypto.encryptMessage(key, inner(salt, sessionId, m), x)
}

export interface Opened {
  salt: bigint
  sessionId: bigint
  msgId: bigint
  seqNo: number
  /** The message, or a container's messages, decoded (raw bytes where the codec does not know the body). */
  messages: { msgId: bigint; seqNo: number; obj: any; raw: Uint8Array }[]
  container: boolean
}

/** Decrypts and parses a packet a session sent (x: 0 client→server, 8 server→client). */
export function open(crypto: Crypto, key: AuthKey, packet: Uint8Array, x: 0 | 8): Opened {
  const b = crypto.decryptMessage(key, packet, x)
  const dv = new DataView(b.buffer, b.byteOffset, b.length)
  const msgId = dv.getBigInt64(16, true)
  const seqNo = dv.getUint32(24, true)
  const len = dv.getUint32(28, true)
  const body = b.subarray(32, 32 + len)
  const decode = (raw: Uint8Array): any => {
    try {
      return new TlReader(codec, raw).objectOrRaw()
    } catch {
      return raw // a query the codec does not know, inside a wrapper
    }
  }
  const out: Opened = { salt: dv.getBigInt64(0, true), sessionId: dv.getBigInt64(8, true), msgId, seqNo, messages: [], container: false }
  if (dv.getUint32(32, true) === 0x73f1f8dc) {
    out.container = true
    const n = dv.getUint32(36, true)
    let o = 40
    for (let i = 0; i < n; i++) {
      const id = dv.getBigInt64(o, true)
      const s = dv.getUint32(o + 8, true)
      const l = dv.getUint32(o + 12, true)
      const raw = b.slice(o + 16, o + 16 + l)
      out.messages.push({ msgId: id, seqNo: s, obj: decode(raw), raw })
      o += 16 + l
    }
  } else out.messages.push({ msgId, seqNo, obj: decode(body.slice()), raw: body.slice() })
  return out
}

/** A msg_id for unix time `ms` with the given low bits (client 0, server 1 or 3). */
export function msgIdAt(ms: number, parity: number, n = 0): bigint {
  const sec = Math.floor(ms / 1000)
  const frac = Math.floor(((ms - sec * 1000) / 1000) * 2 ** 32) & ~3
  return (BigInt(sec) << 32n) + BigInt(((frac + 4 * n) | parity) >>> 0)
}
