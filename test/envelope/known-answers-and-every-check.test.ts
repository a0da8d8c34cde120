/**
 * MTProto envelope: known answers against an independent node:crypto computation
 * (reference.ts), every decryption check violated once, round trips, layouts, versions,
 * argument errors and batches. Key: the official samples-auth_key example (helpers.ts).
 */
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { bucketSize } from '../../src/crypto/envelope.js'
import { CryptoError, SecurityError } from '../../src/errors.js'
import { toHex } from '../vectors/samples-auth-key.js'
import { backends, body, cloudInner, e2eInner, SAMPLE_KEY, seededRandom } from './helpers.js'
import { decryptRawRef, encryptRef, keyId, sha1 } from './reference.js'

const BODY_SIZES = [0, 4, 8, 12, 16, 20, 28, 60, 100, 252, 1000, 1020, 1024, 4096]

/** The failure names the debug hook reported, and the error thrown. */
function failure(fn: (onFailure: (f: readonly string[]) => void) => unknown): { names: readonly string[]; err: unknown } {
  let names: readonly string[] = []
  try {
    fn((f) => (names = f))
  } catch (err) {
    return { names, err }
  }
  throw new Error('expected a failure')
}

function expectUniform(err: unknown): void {
  expect(err).toBeInstanceOf(SecurityError)
  expect((err as SecurityError).code).toBe('E_DECRYPT')
  expect((err as SecurityError).message).toBe('message decryption failed')
}

describe('createAuthKey', () => {
  it('computes auth_key_id as SHA-1(key)[12..20] and its TL long', () => {
    const k = createAuthKey(SAMPLE_KEY)
    expect(toHex(k.id)).toBe(keyId(SAMPLE_KEY).toString('hex'))
    expect(k.idLong).toBe(Buffer.from(k.id).readBigInt64LE(0))
  })
  it('rejects anything but 256 bytes', () => {
    for (const n of [0, 255, 257]) expect(() => createAuthKey(new Uint8Array(n))).toThrow(expect.objectContaining({ code: 'E_KEY_LENGTH' }))
    expect(() => createAuthKey('x' as unknown as Uint8Array)).toThrow(CryptoError)
  })
  it('copies the key, and dispose() makes later use fail with E_DISPOSED', () => {
    const bytes = SAMPLE_KEY.slice()
    const k = createAuthKey(bytes)
    bytes.fill(0)
    const c = backends()[0].make()
    const p = c.encryptMessage(k, cloudInner(body(16)), 0)
    expect(c.decryptMessage(k, p, 0)).toEqual(cloudInner(body(16)))
    let cleaned = 0
    ;(k as unknown as Record<symbol, { onDispose: (() => void)[] }>)[Object.getOwnPropertySymbols(k)[0]].onDispose.push(() => cleaned++)
    k.dispose()
    expect(k.disposed).toBe(true)
    expect(cleaned).toBe(1)
    expect(() => c.encryptMessage(k, cloudInner(body(16)), 0)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }))
    expect(() => c.decryptMessage(k, p, 0)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }))
  })
  it('does not print the key when logged', () => {
    const shown = inspect(createAuthKey(SAMPLE_KEY), { depth: 5 })
    expect(shown).toContain('id')
    expect(shown).not.toContain(`${SAMPLE_KEY[0]}, ${SAMPLE_KEY[1]}, ${SAMPLE_KEY[2]}`)
    expect(Object.keys(createAuthKey(SAMPLE_KEY))).toEqual(['id', 'idLong'])
  })
})

for (const { name, make } of backends()) {
  describe(`envelope (${name})`, () => {
    const key = createAuthKey(SAMPLE_KEY)

    it('pins one vector: first message of a seeded stream, x = 0', () => {
      // padding = the first 12 bytes of the injected stream; expected packet = reference.ts
      const c = make(seededRandom('vector'))
      const inner = cloudInner(Uint8Array.from([0x78, 0x97, 0x46, 0x60])) // ping-like 4-byte body
      const pad = new Uint8Array(12)
      seededRandom('vector')(pad)
      const p = c.encryptMessage(key, inner, 0)
      expect(p.length).toBe(24 + 48)
      expect(toHex(p)).toBe(encryptRef(SAMPLE_KEY, inner, pad, 0).toString('hex'))
    })

    for (const x of [0, 8] as const) {
      for (const padding of ['random', 'buckets'] as const) {
        it(`2.0 cloud x=${x} padding=${padding}: equals the reference and round-trips`, () => {
          const c = make(seededRandom(`c${x}${padding}`))
          for (const n of BODY_SIZES) {
            const inner = cloudInner(body(n, n))
            const p = c.encryptMessage(key, inner, x, undefined, { padding })
            const padLen = p.length - 24 - inner.length
            expect(padLen).toBeGreaterThanOrEqual(12)
            expect(padLen).toBeLessThanOrEqual(1024)
            expect((inner.length + padLen) % 16).toBe(0)
            if (padding === 'random') expect(padLen).toBeLessThan(28)
            else expect(inner.length + padLen).toBe(bucketSize(inner.length + 12))
            const plain = decryptRawRef(SAMPLE_KEY, p, x)
            expect(plain.subarray(0, inner.length)).toEqual(Buffer.from(inner))
            expect(Buffer.from(p)).toEqual(encryptRef(SAMPLE_KEY, inner, plain.subarray(inner.length), x))
            expect(c.decryptMessage(key, p, x)).toEqual(inner)
          }
        })
      }
      it(`2.0 x=${x}: decrypts packets made by the reference`, () => {
        const c = make()
        for (const n of [0, 36, 500, 4096]) {
          const inner = cloudInner(body(n, 7))
          const padLen = 12 + ((16 - ((inner.length + 12) % 16)) % 16) + 32
          const p = encryptRef(SAMPLE_KEY, inner, body(padLen, 9), x)
          expect(c.decryptMessage(key, p, x)).toEqual(inner)
        }
      })
      it(`2.0 e2e x=${x}: fingerprint in front, length at offset 0, reference and round trip`, () => {
        const c = make(seededRandom('e2e'))
        for (const n of [0, 4, 24, 1000, 4100]) {
          const inner = e2eInner(body(n, n))
          const p = c.encryptMessage(key, inner, x, undefined, { layout: 'e2e' })
          expect(toHex(p.subarray(0, 8))).toBe(keyId(SAMPLE_KEY).toString('hex'))
          const plain = decryptRawRef(SAMPLE_KEY, p, x)
          expect(Buffer.from(p)).toEqual(encryptRef(SAMPLE_KEY, inner, plain.subarray(inner.length), x))
          expect(c.decryptMessage(key, p, x, undefined, { layout: 'e2e' })).toEqual(inner)
        }
      })
      for (const layout of ['cloud', 'e2e'] as const) {
        it(`1.0 ${layout} x=${x}: SHA-1 msg_key of inner, 0..15 padding, reference and round trip`, () => {
          const c = make(seededRandom('v1'))
          const opts = { version: 1, layout } as const
          for (const n of [0, 4, 8, 12, 16, 100, 4096]) {
            const inner = layout === 'cloud' ? cloudInner(body(n, n)) : e2eInner(body(n, n))
            const p = c.encryptMessage(key, inner, x, undefined, opts)
            const padLen = p.length - 24 - inner.length
            expect(padLen).toBe((16 - (inner.length % 16)) % 16)
            expect(toHex(p.subarray(8, 24))).toBe(sha1(inner).subarray(4, 20).toString('hex'))
            const plain = decryptRawRef(SAMPLE_KEY, p, x, 1)
            expect(Buffer.from(p)).toEqual(encryptRef(SAMPLE_KEY, inner, plain.subarray(inner.length), x, 1))
            expect(c.decryptMessage(key, p, x, undefined, opts)).toEqual(inner)
          }
        })
      }
    }

    it('a 64 KiB message equals the reference and round-trips', () => {
      const c = make(seededRandom('big'))
      const inner = cloudInner(body(65536, 64))
      const p = c.encryptMessage(key, inner, 0)
      const plain = decryptRawRef(SAMPLE_KEY, p, 0)
      expect(Buffer.from(p)).toEqual(encryptRef(SAMPLE_KEY, inner, plain.subarray(inner.length), 0))
      expect(c.decryptMessage(key, p, 0)).toEqual(inner)
    })

    it('a throwing debug hook does not change the error', () => {
      const c = make()
      const p = c.encryptMessage(key, cloudInner(body(64)), 0)
      p[30] ^= 1
      const onFailure = (): void => {
        throw new Error('hook')
      }
      expectUniform(failure(() => c.decryptMessage(key, p, 0, undefined, { onFailure })).err)
    })

    it('a packet for one direction does not decrypt as the other', () => {
      const c = make()
      const p = c.encryptMessage(key, cloudInner(body(64)), 0)
      const { names, err } = failure((onFailure) => c.decryptMessage(key, p, 8, undefined, { onFailure }))
      expectUniform(err)
      expect(names).toContain('msg_key')
    })

    describe('every check violated once raises the same SecurityError', () => {
      const c = make()
      const inner = cloudInner(body(100))
      const good = Buffer.from(c.encryptMessage(key, inner, 8))
      /** A packet with a valid msg_key over an arbitrary plaintext (so only the later checks fail). */
      const forged = (plain: Uint8Array): Buffer => encryptRef(SAMPLE_KEY, plain, new Uint8Array(0), 8)
      const withLength = (n: number, len: number): Uint8Array => {
        const p = body(n, 3)
        new DataView(p.buffer).setUint32(28, len, true)
        return p
      }
      const cases: [string, Uint8Array, string[]][] = [
        ['auth_key_id', Buffer.concat([Buffer.from([good[0] ^ 1]), good.subarray(1)]), ['auth_key_id']],
        ['shape (not 24 + 16k bytes)', Buffer.concat([good, Buffer.from([0])]), ['shape']],
        ['shape (too short: 8 bytes)', good.subarray(0, 8), ['shape', 'msg_key', 'length', 'padding']],
        // (the garbage plaintext then usually fails the length checks as well: all are reported)
        ['msg_key (flipped bit in msg_key)', Buffer.concat([good.subarray(0, 9), Buffer.from([good[9] ^ 0x80]), good.subarray(10)]), ['msg_key', '...']],
        ['msg_key (flipped bit in the ciphertext)', Buffer.concat([good.subarray(0, 40), Buffer.from([good[40] ^ 1]), good.subarray(41)]), ['msg_key', '...']],
        ['length > remaining', forged(withLength(160, 132)), ['length', 'padding']],
        ['length not divisible by 4', forged(withLength(160, 110)), ['alignment']],
        ['padding < 12', forged(withLength(160, 120)), ['padding']],
        ['padding > 1024', forged(withLength(32 + 1040 + 16, 8)), ['padding']],
      ]
      for (const [what, packet, expected] of cases) {
        it(what, () => {
          const out = new Uint8Array(packet.length + 1024).fill(0xaa)
          const { names, err } = failure((onFailure) => c.decryptMessage(key, packet, 8, out, { onFailure }))
          expectUniform(err)
          if (expected[1] === '...') {
            expect(names[0]).toBe(expected[0])
            expect(names).not.toContain('auth_key_id')
            expect(names).not.toContain('shape')
          } else expect(names).toEqual(expected)
          expect(out.every((b) => b === 0xaa)).toBe(true) // no plaintext left behind
          // and the same without the hook or out
          expectUniform(failure(() => c.decryptMessage(key, packet, 8)).err)
        })
      }
      it('a shape-only failure still does the full decryption work (its msg_key is checked too)', () => {
        // appending a byte leaves the aligned part intact, so only `shape` fails
        const { names } = failure((onFailure) => c.decryptMessage(key, Buffer.concat([good, Buffer.alloc(15)]), 8, undefined, { onFailure }))
        expect(names).toEqual(['shape'])
      })
      it('the wrong key fails like any other packet', () => {
        const other = createAuthKey(body(256, 99))
        expectUniform(failure(() => c.decryptMessage(other, good, 8)).err)
      })
      it('1.0 and e2e checks', () => {
        const v1 = c.encryptMessage(key, inner, 8, undefined, { version: 1 })
        expect(c.decryptMessage(key, v1, 8, undefined, { version: 1 })).toEqual(inner)
        const f1 = failure((onFailure) => c.decryptMessage(key, v1, 8, undefined, { onFailure }))
        expectUniform(f1.err)
        // 1.0 with padding ≥ 16: the forged msg_key covers inner only, padding check must fail
        const plain = Buffer.concat([cloudInner(body(16)), Buffer.alloc(16)])
        const msgKey = sha1(plain.subarray(0, 48)).subarray(4, 20)
        const p1 = encryptRef(SAMPLE_KEY, plain.subarray(0, 48), plain.subarray(48), 8, 1)
        expect(toHex(p1.subarray(8, 24))).toBe(msgKey.toString('hex'))
        const f2 = failure((onFailure) => c.decryptMessage(key, p1, 8, undefined, { version: 1, onFailure }))
        expectUniform(f2.err)
        expect(f2.names).toEqual(['padding'])
        const e = c.encryptMessage(key, e2eInner(body(40)), 8, undefined, { layout: 'e2e' })
        const f3 = failure((onFailure) => c.decryptMessage(key, e, 8, undefined, { onFailure })) // read as cloud
        expectUniform(f3.err)
      })
    })

    describe('out buffers', () => {
      const c = make(seededRandom('out'))
      const inner = cloudInner(body(200))
      it('encryptMessageInto / decryptMessageInto write in place and return lengths', () => {
        const out = new Uint8Array(24 + inner.length + 1024)
        const n = c.encryptMessageInto(key, inner, 0, out)
        expect(n).toBe(24 + 256) // 232 + 12 rounded up to 16
        const back = new Uint8Array(n)
        expect(c.decryptMessageInto(key, out.subarray(0, n), 0, back)).toBe(inner.length)
        expect(back.subarray(0, inner.length)).toEqual(inner)
        expect(c.encryptMessage(key, inner, 0, out).length).toBe(n)
      })
      it('decrypts in place (out = packet)', () => {
        const p = c.encryptMessage(key, inner, 0)
        const r = c.decryptMessage(key, p, 0, p)
        expect(r.buffer).toBe(p.buffer)
        expect(r).toEqual(inner)
      })
      it('rejects short or overlapping out with CryptoError', () => {
        const p = c.encryptMessage(key, inner, 0)
        expect(() => c.encryptMessage(key, inner, 0, new Uint8Array(100))).toThrow(expect.objectContaining({ code: 'E_OUT_LENGTH' }))
        expect(() => c.decryptMessage(key, p, 0, new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'E_OUT_LENGTH' }))
        const big = new Uint8Array(2000)
        big.set(inner, 100)
        expect(() => c.encryptMessage(key, big.subarray(100, 100 + inner.length), 0, big.subarray(50))).toThrow(
          expect.objectContaining({ code: 'E_OVERLAP' }),
        )
        const buf = new Uint8Array(p.length + 100)
        buf.set(p)
        expect(() => c.decryptMessage(key, buf.subarray(0, p.length), 0, buf.subarray(40))).toThrow(expect.objectContaining({ code: 'E_OVERLAP' }))
      })
    })

    describe('argument errors are CryptoError, not SecurityError', () => {
      const c = make()
      const inner = cloudInner(body(8))
      it.each([
        ['x', () => c.encryptMessage(key, inner, 4 as 0, undefined), 'E_DIRECTION'],
        ['x (decrypt)', () => c.decryptMessage(key, new Uint8Array(72), 1 as 0), 'E_DIRECTION'],
        ['inner too short', () => c.encryptMessage(key, new Uint8Array(28), 0), 'E_INNER_LAYOUT'],
        ['inner length field', () => c.encryptMessage(key, cloudInner(body(8)).subarray(0, 36), 0), 'E_INNER_LAYOUT'],
        ['inner unaligned', () => c.encryptMessage(key, e2eInner(body(3)), 0, undefined, { layout: 'e2e' }), 'E_INNER_LAYOUT'],
        ['version', () => c.encryptMessage(key, inner, 0, undefined, { version: 3 as 2 }), 'E_OPTION'],
        ['layout', () => c.encryptMessage(key, inner, 0, undefined, { layout: 'x' as 'e2e' }), 'E_OPTION'],
        ['padding', () => c.encryptMessage(key, inner, 0, undefined, { padding: 'none' as 'random' }), 'E_OPTION'],
        ['buckets with 1.0', () => c.encryptMessage(key, inner, 0, undefined, { padding: 'buckets', version: 1 }), 'E_OPTION'],
        ['not an AuthKey', () => c.encryptMessage(SAMPLE_KEY as never, inner, 0), 'E_TYPE'],
        ['packet type', () => c.decryptMessage(key, 'abc' as never, 0), 'E_TYPE'],
      ])('%s', (_, fn, code) => {
        expect(fn).toThrow(CryptoError)
        expect(fn).toThrow(expect.objectContaining({ code }))
      })
    })

    it('batches: packets in order; one bad packet yields its SecurityError, the rest decrypt', () => {
      const c = make(seededRandom('batch'))
      const other = createAuthKey(body(256, 5))
      const inners = [cloudInner(body(10 * 4)), cloudInner(body(4096)), e2eInner(body(12))]
      const packets = c.encryptMessages([
        { authKey: key, inner: inners[0], x: 0 },
        { authKey: other, inner: inners[1], x: 8 },
        { authKey: key, inner: inners[2], x: 8, options: { layout: 'e2e' } },
      ])
      expect(packets.length).toBe(3)
      const bad = packets[1].slice()
      bad[100] ^= 1
      const res = c.decryptMessages([
        { authKey: key, packet: packets[0], x: 0 },
        { authKey: other, packet: bad, x: 8 },
        { authKey: key, packet: packets[2], x: 8, options: { layout: 'e2e' } },
        { authKey: other, packet: packets[1], x: 8 },
      ])
      expect(res[0]).toEqual(inners[0])
      expectUniform(res[1])
      expect(res[2]).toEqual(inners[2])
      expect(res[3]).toEqual(inners[1])
      expect(() => c.decryptMessages([{ authKey: key, packet: packets[0], x: 3 as 0 }])).toThrow(CryptoError)
    })

    it('randomness: consecutive messages get fresh padding from the injected RNG', () => {
      const c = make(seededRandom('fresh'))
      const inner = cloudInner(body(20))
      const a = c.encryptMessage(key, inner, 0)
      const b = c.encryptMessage(key, inner, 0)
      expect(toHex(a)).not.toBe(toHex(b))
      // same seed, same packets: outputs depend only on the injected stream
      const d = make(seededRandom('fresh'))
      expect(toHex(d.encryptMessage(key, inner, 0))).toBe(toHex(a))
      expect(toHex(d.encryptMessage(key, inner, 0))).toBe(toHex(b))
    })
  })
}

describe('bucketSize', () => {
  it('rounds up to 64..1024 powers of two, then multiples of 512, keeping padding in 12..1024', () => {
    expect([1, 64, 65, 129, 1000, 1024, 1025, 1537, 5000].map(bucketSize)).toEqual([64, 64, 128, 256, 1024, 1024, 1536, 2048, 5120])
    for (let len = 0; len < 9000; len += 4) {
      const pad = bucketSize(len + 12) - len
      expect(pad >= 12 && pad <= 1024 && (len + pad) % 16 === 0).toBe(true)
    }
  })
})
