/** The pure-TypeScript backend: table AES (not constant-time), hashes from @noble/hashes. */
import type { CryptoCore } from '../types.js'
import { ctrCreate } from './ctr.js'
import { igeDecrypt, igeEncrypt } from './ige.js'
import { sha1 } from './sha1.js'
import { sha256 } from './sha256.js'

export const jsCore: CryptoCore = {
  backend: 'js/table',
  igeEncrypt,
  igeDecrypt,
  ctrCreate,
  sha1: (d) => sha1(d),
  sha256: (d) => sha256(d),
}
