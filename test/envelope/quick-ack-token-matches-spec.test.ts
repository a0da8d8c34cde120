/**
 * EnvelopeOptions.quickAck: the quick-ACK token (mtproto-transports#quick-ack: msg_key_large[0:4]
 * as a little-endian uint32 with the MSB set) from encryption and from decryption, checked
 * against the spec recipe computed by the independent reference (node:crypto), on every backend
 * and every per-message path (fused WASM, host hash, composed over node:crypto, chunked > 256 KiB).
 */
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { buildCrypto } from '../../src/crypto/api.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { jsCore } from '../../src/crypto/js/index.js'
import { _wasmInstance, availableFlavours } from '../../src/crypto/wasm/index.js'
import { ENV_QACK } from '../../src/crypto/wasm/layout.generated.js'
import { CryptoError, SecurityError } from '../../src/errors.js'
import type { Crypto } from '../../src/crypto/types.js'
import { quickAckToken } from '../../src/transport/framing.js'
import { backends, body, cloudInner, e2eInner, seededRandom } from './helpers.js'
import { decryptRawRef, sha256 } from './reference.js'

const KEY = body(256, 7)
const key = createAuthKey(KEY)

/** The spec's token for a packet: SHA-256(key[88+x..120+x] ‖ plaintext ‖ padding)[0:4] | MSB. */
function refToken(packet: Uint8Array, x: 0 | 8): number {
  const plain = decryptRawRef(KEY, packet, x)
  return quickAckToken(sha256(Buffer.concat([KEY.subarray(88 + x, 120 + x), plain])))
}

// sizes crossing every path: fused (small), host hash (≥ 512 B with node:crypto), composed over
// node:crypto (≥ 1 KiB decrypting / ≥ 4 KiB encrypting), chunked (> 256 KiB of scratch)
const SIZES = [0, 4, 96, 508, 1020, 4092, 70_000, 300_000]

describe.each(backends().map((b) => [b.name, b] as const))('%s', (_, b) => {
  const c: Crypto = b.make(seededRandom('qa'))
  it.each(SIZES.map((n) => [n]))('body %i: encryption and decryption give the spec token', (n) => {
    for (const x of [0, 8] as const) {
      const inner = cloudInner(body(n, n + x))
      const q = { token: -1 }
      const packet = c.encryptMessage(key, inner, x, undefined, { quickAck: q })
      const want = refToken(packet, x)
      expect(q.token >>> 31).toBe(1)
      expect(q.token).toBe(want)
      const r = { token: -1 }
      expect(c.decryptMessage(key, packet, x, undefined, { quickAck: r })).toEqual(inner)
      expect(r.token).toBe(want)
      // the Into variants and a caller's out buffer too
      const out = new Uint8Array(packet.length + 64)
      const s = { token: 0 }
      const len = c.encryptMessageInto(key, inner, x, out, { quickAck: s })
      expect(s.token).toBe(refToken(out.subarray(0, len), x))
    }
  })

  it('a failed decryption leaves 0, a good one after it the right token', () => {
    const inner = cloudInner(body(64, 3))
    const packet = c.encryptMessage(key, inner, 0)
    const bad = packet.slice()
    bad[40] ^= 1
    const q = { token: 5 }
    expect(() => c.decryptMessage(key, bad, 0, undefined, { quickAck: q })).toThrow(SecurityError)
    expect(q.token).toBe(0)
    c.decryptMessage(key, packet, 0, undefined, { quickAck: q })
    expect(q.token).toBe(refToken(packet, 0))
  })

  it('the e2e layout and bucket padding have a token too; MTProto 1.0 refuses the option', () => {
    const q = { token: 0 }
    const packet = c.encryptMessage(key, e2eInner(body(40, 1)), 8, undefined, { layout: 'e2e', quickAck: q })
    expect(q.token).toBe(refToken(packet, 8))
    const p2 = c.encryptMessage(key, cloudInner(body(100, 2)), 0, undefined, { padding: 'buckets', quickAck: q })
    expect(q.token).toBe(refToken(p2, 0))
    expect(() => c.encryptMessage(key, cloudInner(body(8, 1)), 0, undefined, { version: 1, quickAck: q })).toThrow(CryptoError)
    expect(() => c.encryptMessage(key, cloudInner(body(8, 1)), 0, undefined, { quickAck: 7 as never })).toThrow(CryptoError)
  })

  it('batches: items with quickAck get their own token, the others stay batched and identical', () => {
    const items = Array.from({ length: 6 }, (_, i) => ({
      authKey: key, inner: cloudInner(body(32 * i, i)), x: 0 as const, options: i % 2 ? { quickAck: { token: 0 } } : undefined,
    }))
    const packets = c.encryptMessages(items)
    items.forEach((it, i) => {
      if (it.options) expect(it.options.quickAck.token).toBe(refToken(packets[i], 0))
      expect(c.decryptMessage(key, packets[i], 0)).toEqual(it.inner)
    })
    const q = { token: 0 }
    const res = c.decryptMessages([{ authKey: key, packet: packets[1], x: 0, options: { quickAck: q } }, { authKey: key, packet: packets[2], x: 0 }])
    expect(res[0]).toEqual(items[1].inner)
    expect(q.token).toBe(refToken(packets[1], 0))
  })
})

it('no hash is added: the token comes with the msg_key hash (one SHA-256 over the plaintext per message)', () => {
  // count the big hashes a composed-path message does, with and without the option
  let calls = 0
  const counting = { ...jsCore, sha256Into: (d: Uint8Array, o: Uint8Array) => { if (d.length > 52) calls++; jsCore.sha256Into!(d, o) } }
  const c = buildCrypto(counting, seededRandom('count'), false)
  const inner = cloudInner(body(200, 1))
  c.encryptMessage(key, inner, 0)
  const plain = calls
  c.encryptMessage(key, inner, 0, undefined, { quickAck: { token: 0 } })
  expect(calls - plain).toBe(plain)
  expect(plain).toBe(1)
})

it.each(availableFlavours().map((f) => [f]))('WASM %s: the token is zeroed in WASM memory once taken, and never written without the option', (f) => {
  const c = createCryptoSync({ backend: 'wasm', simd: f, native: false })
  const mem = (): Uint8Array => _wasmInstance(f)!.mem().subarray(ENV_QACK, ENV_QACK + 4)
  const q = { token: 0 }
  const packet = c.encryptMessage(key, cloudInner(body(100, 9)), 0, undefined, { quickAck: q })
  expect(q.token).not.toBe(0)
  expect(mem().every((b) => b === 0)).toBe(true)
  c.decryptMessage(key, packet, 0, undefined, { quickAck: q })
  expect(q.token).toBe(refToken(packet, 0))
  expect(mem().every((b) => b === 0)).toBe(true)
  c.decryptMessage(key, packet, 0)
  c.encryptMessage(key, cloudInner(body(100, 9)), 0)
  expect(mem().every((b) => b === 0)).toBe(true)
})
