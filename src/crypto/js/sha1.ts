// SHA-1 for the pure-TS backend: @noble/hashes does this well; mirrors assembly/sha1.ts.
export { sha1 } from '@noble/hashes/legacy'
