// The page of the bundle check (scripts/test-bundle.mjs), written as a user would: import the
// package by name, create a Crypto object, use the MTProto envelope, AES-IGE and AES-CTR. Built
// with esbuild and with Vite (no configuration), it must fetch one WASM flavour and stay small.
import { createAuthKey, createCrypto } from 'mtwire'

const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16))
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

async function run() {
  const crypto = await createCrypto()
  const checks = {}

  // MTProto 2.0: salt, session_id, msg_id, seq_no, length, then a 16-byte body
  const inner = new Uint8Array(48)
  const view = new DataView(inner.buffer)
  view.setBigUint64(16, 0x65c53d500006720cn, true)
  view.setUint32(28, 16, true)
  inner.set(crypto.randomBytes(16), 32)
  const key = createAuthKey(crypto.randomBytes(256))
  const packet = crypto.encryptMessage(key, inner, 0)
  checks.envelope = same(crypto.decryptMessage(key, packet, 0), inner)
  key.dispose()

  // FIPS-197 C.3 (AES-256): one IGE block with a zero IV is one AES block
  const k = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
  const ige = crypto.aesIgeEncrypt(hex('00112233445566778899aabbccddeeff'), k, new Uint8Array(32))
  checks.ige = same(ige, hex('8ea2b7ca516745bfeafc49904b496089'))

  // NIST SP 800-38A F.5.5 (CTR-AES256), first block, in two calls
  const ctr = crypto.createAesCtr(
    hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'),
    hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'),
  )
  const pt = hex('6bc1bee22e409f96e93d7e117393172a')
  const ct = new Uint8Array([...ctr.process(pt.subarray(0, 5)), ...ctr.process(pt.subarray(5))])
  ctr.dispose()
  checks.ctr = same(ct, hex('601ec313775789a5b7a7f504bbf3d228'))

  return { backend: crypto.backend, checks, ok: Object.values(checks).every(Boolean) }
}

globalThis.__result = run().catch((e) => ({ ok: false, error: String(e && e.stack || e) }))
