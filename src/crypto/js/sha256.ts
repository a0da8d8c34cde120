// SHA-256 for the pure-TS backend: @noble/hashes does this well; mirrors assembly/sha256.ts.
export { sha256 } from '@noble/hashes/sha2'
