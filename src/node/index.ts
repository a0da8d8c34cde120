/**
 * The Node entry point: everything in the universal API, plus `node:crypto`'s WebCrypto as
 * the CSPRNG and PBKDF2 provider (Node 18 has no `globalThis.crypto`), and node:crypto's
 * native SHA-256 and AES for large MTProto messages.
 */
import { webcrypto } from 'node:crypto'
import { setPlatform } from '../crypto/platform.js'
import { installNodeProvider } from './provider.js'

setPlatform({
  getRandomValues: (b) => {
    webcrypto.getRandomValues(b)
  },
  subtle: webcrypto.subtle as unknown as SubtleCrypto,
})
// node:crypto for the envelope's large messages (SHA-NI, AES-NI), above measured thresholds
installNodeProvider()

export * from '../index.js'
