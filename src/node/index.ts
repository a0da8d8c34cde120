/**
 * The Node entry point: everything in the universal API, plus `node:crypto` as the CSPRNG and
 * its WebCrypto as the PBKDF2 provider (Node 18 has no `globalThis.crypto`), Buffer's native
 * base64 decoding for the embedded WASM (all of it at hand from the start, not loaded on demand
 * as in the browser build), and node:crypto's native SHA-256 and AES for large MTProto messages.
 */
import { Buffer } from 'node:buffer'
import { randomFillSync, webcrypto } from 'node:crypto'
import { loadEagerly } from '../crypto/eager.js'
import { setPlatform } from '../crypto/platform.js'
import { installNodeProvider } from './provider.js'
import { setBignumProvider } from '../crypto/bignum/provider.js'
import { nodeBignumProvider } from './bignum.js'

setPlatform({
  // OpenSSL's CSPRNG, as behind webcrypto.getRandomValues, but without its lazy set-up: the
  // first webcrypto call costs ~0.8 ms (x64), which landed on the first message's padding
  getRandomValues: (b) => {
    randomFillSync(b)
  },
  subtle: webcrypto.subtle as unknown as SubtleCrypto,
  fromBase64: (s) => Buffer.from(s, 'base64') as Uint8Array<ArrayBuffer>,
})
// every backend and WASM module at hand, so createCryptoSync never waits for a load
loadEagerly()
// node:crypto for the envelope's large messages (SHA-NI, AES-NI), above measured thresholds
installNodeProvider()
// node:crypto (OpenSSL, constant-time) for DH, RSA and Miller–Rabin in the handshake
setBignumProvider(nodeBignumProvider)

export * from '../index.js'
export { enableRelaxedSimd } from './relaxed.js'
export { createProxy, type Proxy, type ProxyLogEntry, type ProxyOptions, type ProxyStats, type SecretStats } from './proxy.js'
export { createServer, DRIVER_LIMITS, type DriverLimits, type MtwireServer, type MtwireServerOptions, type ServerLogEvent, type ServerStats } from './server.js'
export { FileKeyStore } from './keystore-file.js'
export { connect, tcpDialer, type ConnectOptions } from './client.js'
