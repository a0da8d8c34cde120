export { createCrypto, createCryptoSync } from './create.js'
export { crc32 } from './crc32.js'
export type { AesCtr, Crypto, CryptoOptions } from './types.js'
