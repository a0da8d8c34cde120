// noble's PBKDF2-SHA512, for runtimes without WebCrypto: a module of its own that api.ts imports
// on demand, so that bundlers emit it (and noble) as one chunk that only such runtimes fetch.
import { pbkdf2Async } from '@noble/hashes/pbkdf2'
import { sha512 } from '@noble/hashes/sha2'

export const noblePbkdf2Sha512 = (password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> =>
  pbkdf2Async(sha512, password, salt, { c: iterations, dkLen: 64 })
