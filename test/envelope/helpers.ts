/** Shared fixtures for the envelope tests. */
import { createHash } from 'node:crypto'
import { buildCrypto } from '../../src/crypto/api.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { jsCore } from '../../src/crypto/js/index.js'
import { nodeProvider } from '../../src/node/provider.js'
import type { AuthKeyState } from '../../src/crypto/authkey.js'
import type { Crypto, DecryptJob, EncryptJob } from '../../src/crypto/types.js'
import { hex, samplesAuthKey } from '../vectors/samples-auth-key.js'

/** The official example auth key (core.telegram.org/mtproto/samples-auth_key, pinned snapshot). */
export const SAMPLE_KEY = hex(samplesAuthKey.authKey)

/**
 * A deterministic byte stream for injected randomness: SHA-256(seed ‖ counter) blocks, used in
 * order whatever the sizes of the fill calls.
 */
export function seededRandom(seed: string): (buf: Uint8Array) => void {
  let block = Buffer.alloc(0)
  let pos = 0
  let counter = 0
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      if (pos === block.length) {
        block = createHash('sha256').update(`${seed}:${counter++}`).digest()
        pos = 0
      }
      buf[i] = block[pos++]
    }
  }
}

/**
 * The pure-TS core without its allocation-free hashes: the composed envelope must also work over
 * a core that offers only the allocating `sha256`/`sha1` (as a third-party core might).
 */
export const jsCoreNoInto = { ...jsCore, sha256Into: undefined, sha1Into: undefined }

/** Which backends to run: the pure-TS one (with and without sha*Into) always, WASM when built. */
export function backends(): { name: string; make: (random?: (b: Uint8Array) => void) => Crypto }[] {
  const list = [
    { name: 'js', make: (random?: (b: Uint8Array) => void) => createCryptoSync({ backend: 'js', random }) },
    { name: 'js without sha*Into', make: (random?: (b: Uint8Array) => void) => buildCrypto(jsCoreNoInto, random) },
  ]
  try {
    createCryptoSync({ backend: 'wasm' })
    list.push({ name: 'wasm', make: (random) => createCryptoSync({ backend: 'wasm', random }) })
    // Node's default: node:crypto for large messages (the host-hash and composed paths)
    list.push({ name: 'wasm + node:crypto', make: (random) => createCryptoSync({ backend: 'wasm', random, native: nodeProvider }) })
  } catch {
    // not built yet
  }
  return list
}

/** A cloud inner message: salt ‖ session_id ‖ msg_id ‖ seq_no ‖ length ‖ body. */
export function cloudInner(body: Uint8Array, msgId = 0x65c53d500006720cn): Uint8Array {
  const m = new Uint8Array(32 + body.length)
  const dv = new DataView(m.buffer)
  dv.setBigUint64(0, 0x1122334455667788n, true) // salt
  dv.setBigUint64(8, 0x0102030405060708n, true) // session_id
  dv.setBigUint64(16, msgId, true)
  dv.setUint32(24, 1, true) // seq_no
  dv.setUint32(28, body.length, true)
  m.set(body, 32)
  return m
}

/** A secret-chat plaintext: length ‖ body. */
export function e2eInner(body: Uint8Array): Uint8Array {
  const m = new Uint8Array(4 + body.length)
  new DataView(m.buffer).setUint32(0, body.length, true)
  m.set(body, 4)
  return m
}

/** Deterministic body bytes of a given length. */
export function body(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n)
  seededRandom(`body${seed}`)(b)
  return b
}

/** A core's encryption job (`CryptoCore.encryptMessage`) from its fields. */
export function encJob(
  key: AuthKeyState, inner: Uint8Array, pad: Uint8Array, padOff: number, padLen: number, x: number, flags: number, out: Uint8Array,
): EncryptJob {
  return { key, inner, pad, padOff, padLen, x, flags, out, msgKeyHead: 0 }
}

/** A core's decryption job (`CryptoCore.decryptMessage`) from its fields. */
export function decJob(key: AuthKeyState, packet: Uint8Array, x: number, flags: number, out: Uint8Array): DecryptJob {
  return { key, packet, x, flags, out, msgKeyHead: 0 }
}
