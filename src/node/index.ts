/**
 * The Node entry point: everything in the universal API, plus `node:crypto`'s WebCrypto as
 * the CSPRNG and PBKDF2 provider (Node 18 has no `globalThis.crypto`).
 */
import { webcrypto } from 'node:crypto'
import { setPlatform } from '../crypto/platform.js'

setPlatform({
  getRandomValues: (b) => {
    webcrypto.getRandomValues(b)
  },
  subtle: webcrypto.subtle as unknown as SubtleCrypto,
})

export * from '../index.js'
