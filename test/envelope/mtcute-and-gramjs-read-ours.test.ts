/**
 * Interop with the peers a user would otherwise pick: mtcute's `AuthKey` (@mtcute/core 0.30.3,
 * NodeCryptoProvider from @mtcute/node) and GramJS's `MTProtoState` (telegram). Both are
 * client-side: they encrypt with x = 0 and decrypt with x = 8. So: their packets decrypt with
 * ours at x = 0, and ours (x = 8, as a server would send) decrypt with theirs.
 */
import { beforeAll, describe, expect, it } from 'vitest'
// AuthKey is internal to @mtcute/core (not in its exports map): import the file itself
import { AuthKey as MtcuteAuthKey } from '../../node_modules/@mtcute/core/network/auth-key.js'
import { createAesIgeForMessageOld } from '../../node_modules/@mtcute/core/utils/crypto/mtproto.js'
import { NodeCryptoProvider } from '@mtcute/node/utils.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { body, cloudInner, SAMPLE_KEY } from './helpers.js'
import { createCryptoSync } from '../../src/crypto/create.js'

// GramJS is CommonJS and loads its whole TL schema: import lazily
type GramState = {
  salt: unknown
  id: unknown
  encryptMessageData(d: Buffer): Promise<Buffer>
  decryptMessageData(d: Buffer): Promise<{ msgId: { toString(): string }; obj: { className: string; msgId: { toString(): string }; pingId: { toString(): string } } }>
}

/**
 * mtcute takes long.js `Long`s; a plain { low, high, unsigned } works wherever it reads
 * `.low` / `.high` or passes the value to Long's comparisons, and spares a direct dependency
 * on `long` (only a transitive one of @mtcute/core).
 */
const long = (high: number, low: number) => ({ low: low | 0, high: high | 0, unsigned: false }) as never
type Long = { toString(): string }

const quiet = { verbose() {}, warn() {}, debug() {}, info() {}, error() {} }
const crypto = createCryptoSync({ backend: 'js' })
const key = createAuthKey(SAMPLE_KEY)
const SIZES = [0, 4, 100, 1000, 4096, 65536]

/** pong#347773c5 msg_id:long ping_id:long — a TL object both peers can parse. */
function pong(msgId: bigint, pingId: bigint): Uint8Array {
  const b = Buffer.alloc(20)
  b.writeUInt32LE(0x347773c5, 0)
  b.writeBigInt64LE(msgId, 4)
  b.writeBigInt64LE(pingId, 12)
  return b
}

describe('mtcute AuthKey (Node provider)', () => {
  const provider = new NodeCryptoProvider()
  const mt = new MtcuteAuthKey(provider as never, quiet as never, {} as never)
  const sessionId = long(0x01020304, 0x05060708) // helpers.cloudInner writes 0x0102030405060708
  beforeAll(async () => {
    await provider.initialize()
    mt.setup(SAMPLE_KEY)
  })

  it('same auth_key_id', () => {
    expect(Buffer.from(mt.id)).toEqual(Buffer.from(key.id))
  })

  it('theirs (x = 0) decrypts with ours', () => {
    for (const n of SIZES) {
      const msg = cloudInner(body(n, n)).subarray(16) // msg_id ‖ seq_no ‖ length ‖ body
      const salt = long(0x11223344, 0x55667788)
      const packet = mt.encryptMessage(msg, salt, sessionId)
      expect(crypto.decryptMessage(key, packet, 0)).toEqual(cloudInner(body(n, n)))
    }
  })

  it('ours (x = 8) decrypts with theirs', () => {
    for (const n of SIZES) {
      const inner = cloudInner(body(n, n), 0x65c53d5000067201n)
      const packet = crypto.encryptMessage(key, inner, 8)
      let got: Uint8Array | undefined
      mt.decryptMessage(packet, sessionId, (msgId: Long, seqNo: number, reader: { raw(n: number): Uint8Array }) => {
        expect(msgId.toString()).toBe(0x65c53d5000067201n.toString())
        expect(seqNo).toBe(1)
        got = reader.raw(n)
      })
      expect(got).toEqual(inner.subarray(32))
    }
  })
})

describe('mtcute MTProto 1.0 KDF (createAesIgeForMessageOld)', () => {
  it('decrypts our 1.0 packets in both directions', async () => {
    const provider = new NodeCryptoProvider()
    await provider.initialize()
    for (const x of [0, 8] as const) {
      for (const n of [0, 100, 4096]) {
        const inner = cloudInner(body(n, n))
        const p = crypto.encryptMessage(key, inner, x, undefined, { version: 1 })
        const ige = createAesIgeForMessageOld(provider as never, SAMPLE_KEY, p.subarray(8, 24), x === 0)
        expect(Buffer.from(ige.decrypt(p.subarray(24)).subarray(0, inner.length))).toEqual(Buffer.from(inner))
      }
    }
  })
})

describe('GramJS MTProtoState', () => {
  let state: GramState
  beforeAll(async () => {
    const { MTProtoState } = await import('telegram/network/MTProtoState.js')
    const { AuthKey } = await import('telegram/crypto/AuthKey.js')
    const { readBigIntFromBuffer } = await import('telegram/Helpers.js')
    const ak = new AuthKey()
    await ak.setKey(Buffer.from(SAMPLE_KEY))
    state = new MTProtoState(ak, quiet as never) as unknown as GramState
    state.salt = readBigIntFromBuffer(Buffer.from('8877665544332211', 'hex'), true, true) // GramJS's bigInt, without importing big-integer
  })

  it('theirs (x = 0) decrypts with ours', async () => {
    for (const n of SIZES) {
      const msg = Buffer.from(cloudInner(body(n, n)).subarray(16))
      const packet = await state.encryptMessageData(msg)
      const inner = crypto.decryptMessage(key, packet, 0)
      expect(Buffer.from(inner.subarray(16))).toEqual(msg)
      expect(Buffer.from(inner).readBigUInt64LE(0)).toBe(0x1122334455667788n)
    }
  })

  it('ours (x = 8) decrypts with theirs', async () => {
    for (const [i, pad] of [0, 1, 2].entries()) {
      const msgId = 0x65c53d5000067301n + BigInt(i * 4)
      const inner = cloudInner(pong(0x65c53d500006720cn, 0x1234567890n + BigInt(pad)), msgId)
      const packet = crypto.encryptMessage(key, inner, 8, undefined, { padding: pad === 2 ? 'buckets' : 'random' })
      const m = await state.decryptMessageData(Buffer.from(packet))
      expect(m.msgId.toString()).toBe(msgId.toString())
      expect(m.obj.className).toBe('Pong')
      expect(m.obj.pingId.toString()).toBe((0x1234567890n + BigInt(pad)).toString())
    }
  })
})
