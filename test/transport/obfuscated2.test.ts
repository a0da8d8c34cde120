import * as nodeCrypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/index.js'
import { TransportError } from '../../src/errors.js'
import { createFraming } from '../../src/transport/framing.js'
import { acceptObfuscated2, createObfuscated2Client, isValidInitHeader } from '../../src/transport/obfuscated2.js'
import { parseProxySecret } from '../../src/transport/secret.js'
import { gramjsObfuscated, mtcuteObfuscated } from './peers.js'
import { hex, mtprotoPacket, prng, seededCrypto, unb64, unhex } from './helpers.js'

const crypto = seededCrypto(42)

/**
 * Snapshot from the Go MTProxy mtg: repository 9seconds/mtg, file
 * mtglib/internal/obfuscation/testdata/client-handshake-snapshot-585c944d672f60a2.json at commit
 * d0065d35c25228ff05cfccbedab06dd0b6e933a0 (read by its obfuscator_test.go: the proxy reads `frame`,
 * expects DC 2, decrypts `decrypted.cipher` to `decrypted.text` and encrypts `encrypted.text` to
 * `encrypted.cipher`).
 */
const MTG = {
  secret: 'NnoYmu4Y+jHBkAVO/UqOlQ',
  frame: 'M2WyxeiwIQB+ZOFxNzSNHtu9OdESkfxv3JkKFimCxUoYA3BD/Ql9nXB/OIonCKLUKCcS0VzZ2P6/+5oQ9GI8YA',
  dc: 2,
  encrypted: { text: 'AQIDBAUGBwgJCg', cipher: 'tzAwrCz00odERg' },
  decrypted: { text: 'QkIvwGQDgA', cipher: 'YWJjZGVmZw' },
}

describe('obfuscated2', () => {
  it('server side reproduces the mtg client-handshake snapshot', () => {
    const acc = acceptObfuscated2(crypto, unb64(MTG.frame), { secrets: [unb64(MTG.secret)] })
    expect(acc.dc.dcId).toBe(MTG.dc)
    expect(acc.secretIndex).toBe(0)
    expect(hex(acc.cipher.decrypt(unb64(MTG.decrypted.cipher)))).toBe(hex(unb64(MTG.decrypted.text)))
    expect(hex(acc.cipher.encrypt(unb64(MTG.encrypted.text)))).toBe(hex(unb64(MTG.encrypted.cipher)))
    // a wrong secret, or none, finds no protocol tag
    expect(() => acceptObfuscated2(crypto, unb64(MTG.frame), { secrets: [new Uint8Array(16)] })).toThrow(TransportError)
    expect(() => acceptObfuscated2(crypto, unb64(MTG.frame))).toThrow(expect.objectContaining({ code: 'E_BAD_HEADER' }))
  })

  it('client header follows the spec construction (checked with node:crypto AES-CTR)', () => {
    const secret = unhex('99999999999999999999999999999999')
    const { header } = createObfuscated2Client(crypto, { framing: 'padded', dcId: 4, media: true, secret })
    expect(isValidInitHeader(header)).toBe(true)
    // recompute the spec pseudocode independently: encryptedInit = CTR(SHA256(key ‖ secret), iv, init)
    const key = nodeCrypto.createHash('sha256').update(header.subarray(8, 40)).update(secret).digest()
    const init = Buffer.from(header)
    init.set([0xdd, 0xdd, 0xdd, 0xdd, 0xfc, 0xff], 56) // protocol dddddddd, dc 0xfcff (= -4)
    const enc = nodeCrypto.createCipheriv('aes-256-ctr', key, header.subarray(40, 56)).update(init)
    expect(hex(header.subarray(56, 62))).toBe(hex(enc.subarray(56, 62)))
  })

  it('rejects forbidden first words, retries, and gives up on a broken RNG', () => {
    const bad = [
      [0xef], [0x48, 0x45, 0x41, 0x44], [0x50, 0x4f, 0x53, 0x54], [0x47, 0x45, 0x54, 0x20], [0x4f, 0x50, 0x54, 0x49],
      [0x16, 0x03, 0x01, 0x02], [0xdd, 0xdd, 0xdd, 0xdd], [0xee, 0xee, 0xee, 0xee], [1, 2, 3, 4, 0, 0, 0, 0],
    ]
    for (const b of bad) {
      const h = new Uint8Array(64).fill(7)
      h.set(b)
      expect(isValidInitHeader(h)).toBe(false)
    }
    let call = 0
    const r = prng(3)
    const c = createCryptoSync({
      random: (buf) => {
        buf.set(r.bytes(buf.length))
        if (call++ < bad.length) buf.set(bad[call - 1])
      },
    })
    const { header } = createObfuscated2Client(c, { framing: 'abridged' })
    expect(isValidInitHeader(header)).toBe(true)
    expect(call).toBe(bad.length + 1)
    const zero = createCryptoSync({ random: (buf) => buf.fill(0) })
    expect(() => createObfuscated2Client(zero, { framing: 'abridged' })).toThrow(expect.objectContaining({ code: 'E_RANDOM' }))
  })

  it('our client and our server agree: protocol, DC (test +10000, media negative), secret, both directions', () => {
    const secrets = [unhex('00112233445566778899aabbccddeeff'), unhex('ffeeddccbbaa99887766554433221100')]
    for (const [framing, dcId, test, media, secret] of [
      ['abridged', 2, false, false, undefined],
      ['intermediate', 5, true, false, secrets[1]],
      ['padded', 4, false, true, secrets[0]],
      ['padded', 3, true, true, secrets[1]],
    ] as const) {
      const cl = createObfuscated2Client(crypto, { framing, dcId, test, media, secret })
      const sv = acceptObfuscated2(crypto, cl.header, { secrets, allowNoSecret: true })
      expect(sv.framing).toBe(framing)
      expect(sv.dc).toMatchObject({ dcId, test, media, raw: (media ? -1 : 1) * (dcId + (test ? 10000 : 0)) })
      expect(sv.secretIndex).toBe(secret ? secrets.indexOf(secret) : -1)
      const msg = crypto.randomBytes(1000)
      expect(sv.cipher.decrypt(cl.cipher.encrypt(msg))).toEqual(msg)
      expect(cl.cipher.decrypt(sv.cipher.encrypt(msg))).toEqual(msg)
    }
  })

  it('interop: GramJS obfuscated abridged client → our server → GramJS reads our answer', async () => {
    for (let i = 0; i < 5; i++) {
      const g = await gramjsObfuscated()
      const sv = acceptObfuscated2(crypto, g.header)
      expect(sv.framing).toBe('abridged')
      const dec = createFraming('abridged', { role: 'server' })
      const p = crypto.randomBytes(4 * (1 + i * 100))
      const ev = dec.receive(sv.cipher.decrypt(g.encode(p)))
      expect(ev).toEqual([{ type: 'packet', data: p, quickAck: false }])
      const answer = createFraming('abridged', { role: 'server' }).frame(p)
      expect(g.decrypt(sv.cipher.encrypt(answer))).toEqual(answer)
    }
  })

  it('interop: GramJS MTProxy client (secret, DC) → our server', async () => {
    const secret = crypto.randomBytes(16)
    const g = await gramjsObfuscated({ secret, dcId: 3 })
    const sv = acceptObfuscated2(crypto, g.header, { secrets: [secret] })
    expect(sv.dc.dcId).toBe(3)
    const p = crypto.randomBytes(64)
    expect(createFraming('abridged', { role: 'server' }).receive(sv.cipher.decrypt(g.encode(p)))[0]).toMatchObject({ data: p })
  })

  it('interop: mtcute ObfuscatedPacketCodec (MTProxy, test media DC, padded) ↔ our server', async () => {
    const secret = parseProxySecret('dd' + hex(crypto.randomBytes(16)))
    const m = await mtcuteObfuscated({ padded: true, proxy: { dcId: 4, test: true, media: true, secret: secret.key } })
    const sv = acceptObfuscated2(crypto, m.header, { secrets: [secret.key] })
    expect(sv.framing).toBe('padded')
    expect(sv.dc).toMatchObject({ dcId: 4, test: true, media: true, raw: -10004 })
    const dec = createFraming('padded', { role: 'server' })
    const p = mtprotoPacket(prng(4), 14)
    // mtcute's 0..15 padding bytes are stripped: the exact packet
    expect(dec.receive(sv.cipher.decrypt(await m.encode(p)))).toEqual([{ type: 'packet', data: p, quickAck: false }])
    // our server's answers decode in mtcute
    const enc = createFraming('intermediate', { role: 'server' })
    const q = crypto.randomBytes(512)
    expect(await m.decode(sv.cipher.encrypt(enc.frame(q)))).toEqual([q])
  })

  it('our client matches an independent node:crypto server (keys from the header and the reversed header)', () => {
    const cl = createObfuscated2Client(crypto, { framing: 'intermediate' })
    const h = cl.header
    const rev = Buffer.from(h.subarray(8, 56)).reverse()
    const serverDec = nodeCrypto.createDecipheriv('aes-256-ctr', h.subarray(8, 40), h.subarray(40, 56))
    expect(hex(serverDec.update(h).subarray(56, 60))).toBe('eeeeeeee')
    const msg = crypto.randomBytes(300)
    expect(new Uint8Array(serverDec.update(cl.cipher.encrypt(msg)))).toEqual(msg)
    const serverEnc = nodeCrypto.createCipheriv('aes-256-ctr', rev.subarray(0, 32), rev.subarray(32, 48))
    expect(cl.cipher.decrypt(new Uint8Array(serverEnc.update(msg)))).toEqual(msg)
  })
})

describe('MTProxy secrets', () => {
  it('parses plain, dd and ee secrets in hex and base64, and rejects the rest', () => {
    expect(parseProxySecret('00112233445566778899aabbccddeeff')).toMatchObject({ mode: 'plain' })
    expect(parseProxySecret('dd00112233445566778899aabbccddeeff')).toMatchObject({ mode: 'padded', key: unhex('00112233445566778899aabbccddeeff') })
    // the mtg snapshot secret: ee ‖ key ‖ "storage.googleapis.com"
    const ee = parseProxySecret('ee367a189aee18fa31c190054efd4a8e9573746f726167652e676f6f676c65617069732e636f6d')
    expect(ee).toMatchObject({ mode: 'fake-tls', domain: 'storage.googleapis.com', key: unhex('367a189aee18fa31c190054efd4a8e95') })
    expect(parseProxySecret(Buffer.from(unhex('ee367a189aee18fa31c190054efd4a8e9573746f726167652e676f6f676c65617069732e636f6d')).toString('base64url'))).toEqual(ee)
    for (const bad of ['', 'zz', '0011', 'ab' + '00'.repeat(16), 'ee' + '00'.repeat(16) + '2f2f', 'ee' + '00'.repeat(16) + '61'.repeat(300)]) {
      expect(() => parseProxySecret(bad)).toThrow(expect.objectContaining({ code: 'E_BAD_SECRET' }))
    }
  })
})
