/** The pure-TypeScript backend: table AES (not constant-time), allocation-free SHA-1/SHA-256. */
import type { CryptoCore } from '../types.js'
import { ctrCreate } from './ctr.js'
import { igeDecrypt, igeEncrypt } from './ige.js'
import { sha1, sha1Into } from './sha1.js'
import { sha256, sha256Into } from './sha256.js'

export const jsCore: CryptoCore = {
  backend: 'js/table',
  igeEncrypt,
  igeDecrypt,
  ctrCreate,
  sha1,
  sha256,
  sha1Into,
  sha256Into,
}
