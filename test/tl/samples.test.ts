// The payloads of the official auth-key example decode to the values the page documents.
// Fixture: test/vectors/samples-auth-key.ts (core.telegram.org/mtproto/samples-auth_key,
// pinned snapshot MarshalX/telegram-crawler@130dde83966a265ebbed6837fae51f34a07069a4).
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeTl, encodeTl, mtprotoCodec, TlReader } from '../../src/tl/index.js'
import { hex, samplesAuthKey as S, toHex } from '../vectors/samples-auth-key.js'

/** big-endian bytes of a decimal number, as TL carries pq, p and q */
const be = (dec: string) => {
  let h = BigInt(dec).toString(16)
  if (h.length % 2) h = '0' + h
  return h
}
/** a long as its 8 wire bytes */
const leHex = (v: bigint) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, v, true)
  return toHex(b)
}

/** body of an unencrypted message: auth_key_id(8) msg_id(8) length(4) body */
function body(packet: string) {
  const b = hex(packet)
  const r = new TlReader(null, b)
  expect(r.long()).toBe(0n)
  const msgId = r.long()
  // the page's printed message_length matches the body for req_pq_multi (0x14) but not for
  // resPQ (0xa8) or dh_gen_ok (0x74): take the body as the rest of the packet
  r.int()
  return { msgId, body: b.subarray(20) }
}

describe('samples-auth_key payloads', () => {
  it('req_pq_multi', () => {
    const { msgId, body: b } = body(S.packets.req_pq_multi)
    expect(leHex(msgId)).toBe(S.msgIds.reqPqMulti)
    const o = decodeTl(mtprotoCodec, b)
    if (o._ !== 'req_pq_multi') throw new Error(`decoded ${o._}`) // narrows the schema's union
    expect(toHex(o.nonce)).toBe(S.nonce)
    expect(toHex(encodeTl(mtprotoCodec, o))).toBe(toHex(b))
  })

  it('resPQ', () => {
    const { msgId, body: b } = body(S.packets.resPQ)
    expect(leHex(msgId)).toBe(S.msgIds.resPQ)
    const o = decodeTl(mtprotoCodec, b)
    if (o._ !== 'resPQ') throw new Error(`decoded ${o._}`) // narrows the schema's union
    expect(toHex(o.nonce)).toBe(S.nonce)
    expect(toHex(o.server_nonce)).toBe(S.serverNonce)
    expect(toHex(o.pq)).toBe(be(S.pq))
    // three fingerprints offered; the page's client picks the last one
    const fps = o.server_public_key_fingerprints.map(leHex)
    expect(fps).toHaveLength(3)
    expect(fps[2]).toBe(S.fingerprint)
    expect(toHex(encodeTl(mtprotoCodec, o))).toBe(toHex(b))
  })

  it('p_q_inner_data_dc', () => {
    const b = hex(S.pQInnerDataDc)
    const o = decodeTl(mtprotoCodec, b)
    if (o._ !== 'p_q_inner_data_dc') throw new Error(`decoded ${o._}`) // narrows the schema's union
    expect(toHex(o.pq)).toBe(be(S.pq))
    expect(toHex(o.p)).toBe(be(S.p))
    expect(toHex(o.q)).toBe(be(S.q))
    expect(toHex(o.nonce)).toBe(S.nonce)
    expect(toHex(o.server_nonce)).toBe(S.serverNonce)
    expect(toHex(o.new_nonce)).toBe(S.newNonce)
    expect(o.dc).toBe(2) // the last 4 bytes as printed: 02000000
    expect(toHex(encodeTl(mtprotoCodec, o))).toBe(S.pQInnerDataDc)
  })

  it('server_DH_inner_data: answer_with_hash minus the SHA-1 prefix and padding', () => {
    const all = hex(S.answerWithHash)
    const r = new TlReader(mtprotoCodec, all, undefined, 20)
    const o = r.object()
    expect(o._).toBe('server_DH_inner_data')
    expect(toHex(o.nonce)).toBe(S.nonce)
    expect(toHex(o.server_nonce)).toBe(S.serverNonce)
    expect(o.g).toBe(Number(S.g))
    expect(toHex(o.dh_prime)).toBe(S.dhPrime)
    expect(toHex(o.g_a)).toBe(S.gA)
    expect(o.server_time).toBe(Number(S.serverTime))
    // the object ends exactly where the hash says: SHA-1 over what was read
    const answer = all.subarray(20, r.pos)
    expect(createHash('sha1').update(answer).digest('hex')).toBe(toHex(all.subarray(0, 20)))
    expect(all.length - r.pos).toBeLessThan(16) // only padding after it
    expect(toHex(encodeTl(mtprotoCodec, o))).toBe(toHex(answer))
  })

  it('req_DH_params and server_DH_params_ok encode to the layout the page prints', () => {
    // req_DH_params: p at 56, q at 64, fingerprint at 72, encrypted_data at 80 (4-byte prefix fe000100, 256 bytes)
    const req = encodeTl(mtprotoCodec, {
      _: 'req_DH_params', nonce: hex(S.nonce), server_nonce: hex(S.serverNonce), p: hex(be(S.p)), q: hex(be(S.q)),
      public_key_fingerprint: new TlReader(null, hex(S.fingerprint)).long(),
      encrypted_data: hex(S.encryptedData),
    })
    expect(req.length).toBe(320) // message_length 0x140 as printed
    expect(toHex(req)).toBe('bee412d7' + S.nonce + S.serverNonce + '045a300d4b000000' + '046a26db65000000' + S.fingerprint + 'fe000100' + S.encryptedData)
    // server_DH_params_ok: encrypted_answer at 56 with prefix fe500200 (592 bytes)
    const ok = encodeTl(mtprotoCodec, { _: 'server_DH_params_ok', nonce: hex(S.nonce), server_nonce: hex(S.serverNonce), encrypted_answer: hex(S.encryptedAnswer) })
    expect(toHex(ok.subarray(0, 4))).toBe('5c07e8d0')
    expect(toHex(ok.subarray(36, 40))).toBe('fe500200')
    const back = decodeTl(mtprotoCodec, ok)
    expect(back._ === 'server_DH_params_ok' && back.encrypted_answer).toEqual(hex(S.encryptedAnswer))
  })

  it('client_DH_inner_data', () => {
    const o = decodeTl(mtprotoCodec, hex(S.clientDhInnerData))
    if (o._ !== 'client_DH_inner_data') throw new Error(`decoded ${o._}`) // narrows the schema's union
    expect(toHex(o.nonce)).toBe(S.nonce)
    expect(toHex(o.server_nonce)).toBe(S.serverNonce)
    expect(o.retry_id).toBe(0n)
    expect(toHex(o.g_b)).toBe(S.gB)
    expect(toHex(encodeTl(mtprotoCodec, o))).toBe(S.clientDhInnerData)
  })

  it('dh_gen_ok', () => {
    const { msgId, body: b } = body(S.packets.dh_gen_ok)
    expect(leHex(msgId)).toBe(S.msgIds.dhGenOk)
    const o = decodeTl(mtprotoCodec, b)
    if (o._ !== 'dh_gen_ok') throw new Error(`decoded ${o._}`) // narrows the schema's union
    expect(toHex(o.nonce)).toBe(S.nonce)
    expect(toHex(o.server_nonce)).toBe(S.serverNonce)
    expect(toHex(o.new_nonce_hash1)).toBe(S.newNonceHash1)
  })
})
