/**
 * The server's RSA keys in the handshake: PEM/DER parsing and writing (PKCS#1 and SPKI public,
 * PKCS#1 and PKCS#8 private), the MTProto fingerprint, Telegram's built-in keys, RSA_PAD
 * (auth_key 4.1) and the legacy `SHA1(data) ‖ data ‖ padding` encoding, both ways, and a key
 * generator for test servers.
 */
import type { Crypto } from '../crypto/types.js'
import { fromBase64, timingSafeEqual, toBase64 } from '../bytes.js'
import { compareBytes, fromBigInt, leftPad, mulAdd, rsaPrivate, rsaPublic, stripLeadingZeros, type BignumOptions } from '../crypto/bignum/index.js'
import type { RsaPrivateKey, RsaPublicKey } from '../crypto/bignum/rsa-types.js'
import { derBitString, derInteger, derOctetString, derSequence, DerReader, TAG_BIT_STRING, TAG_OCTET_STRING, TAG_SEQUENCE } from '../crypto/bignum/der.js'
import { getPlatform } from '../crypto/platform.js'
import { TlWriter } from '../tl/writer.js'
import { fail } from './errors.js'

export type { RsaPrivateKey, RsaPublicKey }

/** A public key as the handshake uses it: n, e and the MTProto fingerprint. */
export interface ServerPublicKey extends RsaPublicKey {
  /** Low 64 bits of SHA1(rsa_public_key n e), as TL's signed `long`. */
  readonly fingerprint: bigint
}

/** A private key as the server role uses it. */
export interface ServerPrivateKey extends RsaPrivateKey {
  readonly fingerprint: bigint
}

// rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters
const RSA_ALGORITHM = /* @__PURE__ */ Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00)

/**
 * "server_public_key_fingerprints is a list of public RSA key fingerprints (64 lower-order bits of
 * SHA1 (server_public_key); the public key is represented as a bare type rsa_public_key n:string
 * e:string = RSAPublicKey, where, as usual, n and e are numbers in big endian format serialized as
 * strings of bytes, following which SHA1 is computed)" (auth_key, step 2).
 */
export function rsaFingerprint(crypto: Crypto, key: RsaPublicKey): bigint {
  const w = new TlWriter(null, 300)
  w.bytes(stripLeadingZeros(key.n))
  w.bytes(stripLeadingZeros(key.e))
  const h = crypto.sha1(w.toBytes())
  return new DataView(h.buffer, h.byteOffset + 12, 8).getBigInt64(0, true)
}

function checkKey(n: Uint8Array, e: Uint8Array): void {
  const bits = (n.length - 1) * 8 + (32 - Math.clz32(n[0]))
  // the handshake's RSA block is 256 bytes: "exactly 256 bytes (2048 bits) long"
  if (n.length !== 256) fail('E_RSA_KEY', `the handshake needs a 2048-bit RSA modulus, got ${bits} bits`)
  if ((n[n.length - 1] & 1) === 0) fail('E_RSA_KEY', 'the RSA modulus is even')
  if (e.length > 8 || (e.length === 1 && e[0] < 3) || (e[e.length - 1] & 1) === 0) fail('E_RSA_KEY', 'unsupported RSA public exponent')
}

/** A public key from n and e (big-endian bytes, or bigints), with its fingerprint. */
export function serverPublicKey(crypto: Crypto, n: Uint8Array | bigint, e: Uint8Array | bigint = 65537n): ServerPublicKey {
  const nb = stripLeadingZeros(typeof n === 'bigint' ? fromBigInt(n) : n).slice()
  const eb = stripLeadingZeros(typeof e === 'bigint' ? fromBigInt(e) : e).slice()
  checkKey(nb, eb)
  const k = { n: nb, e: eb }
  return { ...k, fingerprint: rsaFingerprint(crypto, k) }
}

function pemBody(pem: string, labels: string[]): { label: string; der: Uint8Array } {
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem)
  if (!m || !labels.includes(m[1])) fail('E_RSA_KEY', `expected a PEM block labelled ${labels.join(' or ')}`)
  const der = fromBase64(m[2].replace(/\s+/g, ''))
  if (!der) fail('E_RSA_KEY', 'the PEM body is not base64')
  return { label: m[1], der }
}

function parse<T>(f: () => T): T {
  try {
    return f()
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'E_DER') fail('E_RSA_KEY', `malformed key: ${e.message}`)
    throw e
  }
}

/** Parses `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1) or `-----BEGIN PUBLIC KEY-----` (SPKI). */
export function parsePublicKeyPem(crypto: Crypto, pem: string): ServerPublicKey {
  const { label, der } = pemBody(pem, ['RSA PUBLIC KEY', 'PUBLIC KEY'])
  return parse(() => {
    let body = new DerReader(der)
    if (label === 'PUBLIC KEY') {
      const spki = body.read(TAG_SEQUENCE)
      const alg = spki.read(TAG_SEQUENCE).bytes()
      if (compareAlg(alg)) fail('E_RSA_KEY', 'not an RSA key')
      const bits = spki.read(TAG_BIT_STRING)
      if (bits.data[bits.pos] !== 0) fail('E_RSA_KEY', 'malformed BIT STRING')
      bits.pos++
      body = bits
    }
    const seq = body.read(TAG_SEQUENCE)
    const n = seq.uint()
    const e = seq.uint()
    return serverPublicKey(crypto, n, e)
  })
}

/** Whether an AlgorithmIdentifier body is NOT rsaEncryption. */
function compareAlg(alg: Uint8Array): boolean {
  const want = RSA_ALGORITHM.subarray(2)
  return !(alg.length >= 11 && alg.subarray(0, 11).every((b, i) => b === want[i]))
}

/** Parses `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) or `-----BEGIN PRIVATE KEY-----` (PKCS#8). */
export function parsePrivateKeyPem(crypto: Crypto, pem: string): ServerPrivateKey {
  const { label, der } = pemBody(pem, ['RSA PRIVATE KEY', 'PRIVATE KEY'])
  return parse(() => {
    let body = new DerReader(der)
    if (label === 'PRIVATE KEY') {
      const info = body.read(TAG_SEQUENCE)
      info.uint() // version
      if (compareAlg(info.read(TAG_SEQUENCE).bytes())) fail('E_RSA_KEY', 'not an RSA key')
      body = info.read(TAG_OCTET_STRING)
    }
    const seq = body.read(TAG_SEQUENCE)
    seq.uint() // version 0
    const [n, e, d, p, q, dp, dq, qinv] = Array.from({ length: 8 }, () => seq.uint().slice())
    const pub = serverPublicKey(crypto, n, e)
    // n = p·q, computed on the constant-time path (p and q are secret) and compared without an early exit
    const pq = mulAdd(p, q, new Uint8Array(0), pub.n.length + 1)
    if (pq[0] !== 0 || !timingSafeEqual(pq.subarray(1), pub.n)) fail('E_RSA_KEY', 'inconsistent private key: n ≠ p·q')
    return { ...pub, d, p, q, dp, dq, qinv }
  })
}

function pem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '')
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`
}

/** PEM of a public key: PKCS#1 (`RSA PUBLIC KEY`, default: what mtcute and Telethon read) or SPKI. */
export function publicKeyToPem(key: RsaPublicKey, format: 'pkcs1' | 'spki' = 'pkcs1'): string {
  const pkcs1 = derSequence(derInteger(key.n), derInteger(key.e))
  return format === 'pkcs1' ? pem('RSA PUBLIC KEY', pkcs1) : pem('PUBLIC KEY', derSequence(RSA_ALGORITHM, derBitString(pkcs1)))
}

/** PEM of a private key: PKCS#1 (`RSA PRIVATE KEY`, default) or PKCS#8. */
export function privateKeyToPem(key: RsaPrivateKey, format: 'pkcs1' | 'pkcs8' = 'pkcs1'): string {
  const pkcs1 = derSequence(derInteger(Uint8Array.of(0)), ...[key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qinv].map(derInteger))
  return format === 'pkcs1' ? pem('RSA PRIVATE KEY', pkcs1) : pem('PRIVATE KEY', derSequence(derInteger(Uint8Array.of(0)), RSA_ALGORITHM, derOctetString(pkcs1)))
}

/**
 * Telegram's RSA keys (the ones current clients carry: the production key and the test-DC key;
 * the same moduli as in grammers' `key_for_fingerprint` and mtcute's key table).
 */
const TELEGRAM_N = {
  production:
    '29379598170669337022986177149456128565388431120058863768162556424047512191330847455146576344487764408661701890505066208632169112269581063774293102577308490531282748465986139880977280302242772832972539403531316010870401287642763009136156734339538042419388722777357134487746169093539093850251243897188928735903389451772730245253062963384108812842079887538976360465290946139638691491496062099570836476454855996319192747663615955633778034897140982517446405334423701359108810182097749467210509584293428076654573384828809574217079944388301239431309115013843331317877374435868468779972014486325557807783825502498215169806323',
  test:
    '25342889448840415564971689590713473206898847759084779052582026594546022463853940585885215951168491965708222649399180603818074200620463776135424884632162512403163793083921641631564740959529419359595852941166848940585952337613333022396096584117954892216031229237302943701877588456738335398602461675225081791820393153757504952636234951323237820036543581047826906120927972487366805292115792231423684261262330394324750785450942589751755390156647751460719351439969059949569615302809050721500330239005077889855323917509948255722081644689442127297605422579707142646660768825302832201908302295573257427896031830742328565032949',
}

/** Telegram's production (fingerprint 0xd09d1d85de64fd85) or test-DC (0xb25898df208d2603) key. */
export function telegramPublicKey(crypto: Crypto, which: 'production' | 'test'): ServerPublicKey {
  return serverPublicKey(crypto, BigInt(TELEGRAM_N[which]), 65537n)
}

/** "One has to check that data is not longer than 144 bytes." (auth_key 4.1) */
export const RSA_PAD_MAX_DATA = 144

/**
 * RSA_PAD(data, server_public_key), exactly as auth_key 4.1 gives it:
 *
 * data_with_padding := data + random_padding_bytes (to 192 bytes); data_pad_reversed :=
 * BYTE_REVERSE(data_with_padding); a random 32-byte temp_key; data_with_hash :=
 * data_pad_reversed + SHA256(temp_key + data_with_padding); aes_encrypted :=
 * AES256_IGE(data_with_hash, temp_key, 0); temp_key_xor := temp_key XOR SHA256(aes_encrypted);
 * key_aes_encrypted := temp_key_xor + aes_encrypted; "If key_aes_encrypted turns out to be
 * greater than or equal to the RSA modulus, the previous steps starting from the generation of
 * new random temp_key are repeated"; encrypted_data := RSA(key_aes_encrypted, server_pubkey),
 * 256 bytes "with leading zero bytes if required".
 *
 * The random inputs are arguments: `padding` (at least 192 − data.length bytes; the first ones
 * are used) and `tempKey(attempt)` (a fresh 32-byte key per attempt; 0, 1, ...).
 */
export function rsaPadEncrypt(
  crypto: Crypto, key: RsaPublicKey, data: Uint8Array, padding: Uint8Array, tempKey: (attempt: number) => Uint8Array, opts?: BignumOptions,
): Uint8Array {
  if (data.length > RSA_PAD_MAX_DATA) fail('E_RSA_DATA', `RSA_PAD data is ${data.length} bytes; at most ${RSA_PAD_MAX_DATA} are allowed`)
  if (key.n.length !== 256 && stripLeadingZeros(key.n).length !== 256) fail('E_RSA_KEY', 'RSA_PAD needs a 2048-bit modulus')
  const padLen = 192 - data.length
  if (padding.length < padLen) fail('E_OPTION', `RSA_PAD needs ${padLen} random padding bytes`)
  const withPadding = new Uint8Array(192)
  withPadding.set(data)
  withPadding.set(padding.subarray(0, padLen), data.length)
  const block = new Uint8Array(256)
  for (let attempt = 0; attempt < 64; attempt++) {
    const tk = tempKey(attempt)
    if (tk.length !== 32) fail('E_OPTION', 'temp_key must be 32 bytes')
    const withHash = new Uint8Array(224)
    for (let i = 0; i < 192; i++) withHash[i] = withPadding[191 - i]
    const h = new Uint8Array(224)
    h.set(tk)
    h.set(withPadding, 32)
    withHash.set(crypto.sha256(h), 192)
    const aes = crypto.aesIgeEncrypt(withHash, tk, new Uint8Array(32))
    const hx = crypto.sha256(aes)
    for (let i = 0; i < 32; i++) block[i] = tk[i] ^ hx[i]
    block.set(aes, 32)
    if (compareBytes(block, key.n) < 0) return rsaPublic(key, block, opts)
  }
  // each attempt fails with probability below 1/2 for any 2048-bit modulus (top bit set)
  return fail('E_RSA_DATA', 'RSA_PAD found no block below the modulus in 64 attempts')
}

/**
 * The legacy encoding real clients still send (Telethon 1.x, mtcute with `old` keys; checklist
 * §1.3): RSA(SHA1(data) ‖ data ‖ random), the block 255 bytes, so below any 2048-bit modulus.
 */
export function rsaLegacyEncrypt(crypto: Crypto, key: RsaPublicKey, data: Uint8Array, padding: Uint8Array, opts?: BignumOptions): Uint8Array {
  if (data.length > 255 - 20) fail('E_RSA_DATA', 'data too long for the legacy RSA encoding')
  const block = new Uint8Array(255)
  block.set(crypto.sha1(data))
  block.set(data, 20)
  const padLen = 255 - 20 - data.length
  if (padding.length < padLen) fail('E_OPTION', `the legacy encoding needs ${padLen} random padding bytes`)
  block.set(padding.subarray(0, padLen), 20 + data.length)
  return rsaPublic(key, block, opts)
}

/** What the server found inside encrypted_data: the (padded) TL data and which encoding carried it. */
export interface RsaDecrypted {
  /** RSA_PAD: data_with_padding (192 bytes). Legacy: everything after the SHA-1 (235 bytes). */
  readonly data: Uint8Array
  readonly encoding: 'rsa_pad' | 'legacy'
  /** Legacy only: the SHA-1 the client put in front, to check against the TL object's bytes. */
  readonly sha1?: Uint8Array
}

/**
 * The server's side of both encodings: RSA with the private key, then RSA_PAD inverted (temp_key
 * = temp_key_xor ⊕ SHA256(aes_encrypted); AES-IGE decryption; the reversed data and
 * SHA256(temp_key ‖ data_with_padding) compared in constant time); failing that, a legacy block
 * (leading zero byte; the caller checks the SHA-1 over the TL object it parses). Null when
 * neither fits. The RSA operation always runs, whatever the block holds.
 */
export function rsaDecryptInnerData(crypto: Crypto, key: RsaPrivateKey, encrypted: Uint8Array, opts?: BignumOptions): RsaDecrypted | null {
  if (encrypted.length !== 256 && !(encrypted.length < 256 && encrypted.length > 0)) return null
  const c = leftPad(encrypted, 256)
  if (!c || compareBytes(c, key.n) >= 0) return null
  const m = rsaPrivate(key, c, opts)
  try {
    const aes = m.subarray(32)
    const hx = crypto.sha256(aes)
    const tk = new Uint8Array(32)
    for (let i = 0; i < 32; i++) tk[i] = m[i] ^ hx[i]
    const withHash = crypto.aesIgeDecrypt(aes, tk, new Uint8Array(32))
    const withPadding = new Uint8Array(192)
    for (let i = 0; i < 192; i++) withPadding[i] = withHash[191 - i]
    const h = new Uint8Array(224)
    h.set(tk)
    h.set(withPadding, 32)
    const ok = timingSafeEqual(crypto.sha256(h), withHash.subarray(192))
    withHash.fill(0)
    h.fill(0)
    tk.fill(0)
    if (ok) return { data: withPadding, encoding: 'rsa_pad' }
    withPadding.fill(0)
    if (m[0] === 0) return { data: m.slice(21), encoding: 'legacy', sha1: m.slice(1, 21) }
    return null
  } finally {
    m.fill(0)
  }
}

export interface GeneratedRsaKey {
  readonly privateKey: ServerPrivateKey
  readonly publicKey: ServerPublicKey
  /** PKCS#1 PEMs (what mtcute's addPublicKey and Telethon's rsa.add_key read). */
  readonly privateKeyPem: string
  readonly publicKeyPem: string
}

/**
 * A fresh 2048-bit RSA key (e = 65537) for a test server, from WebCrypto. By default it retries
 * until the fingerprint's top byte is ≥ 0x10: mtcute looks keys up by the fingerprint's unpadded
 * hex, so it cannot find one whose top byte is below 0x10 (checklist §1.7; 1 key in 16).
 */
export async function generateRsaKey(crypto: Crypto, options: { anyFingerprint?: boolean } = {}): Promise<GeneratedRsaKey> {
  const subtle = getPlatform().subtle
  if (!subtle) fail('E_OPTION', 'generating RSA keys needs WebCrypto (crypto.subtle)')
  for (;;) {
    const pair = await subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )
    const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey))
    const privateKey = parsePrivateKeyPem(crypto, pem('PRIVATE KEY', pkcs8))
    const top = Number((BigInt.asUintN(64, privateKey.fingerprint) >> 56n) & 0xffn)
    if (!options.anyFingerprint && top < 0x10) continue
    const publicKey: ServerPublicKey = { n: privateKey.n, e: privateKey.e, fingerprint: privateKey.fingerprint }
    return { privateKey, publicKey, privateKeyPem: privateKeyToPem(privateKey), publicKeyPem: publicKeyToPem(publicKey) }
  }
}
