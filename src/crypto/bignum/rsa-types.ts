/** RSA keys as the big-number code sees them: unsigned big-endian byte strings without leading zeros. */
export interface RsaPublicKey {
  readonly n: Uint8Array
  readonly e: Uint8Array
}

/** A private key with its CRT parts (PKCS#1 order). */
export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: Uint8Array
  readonly p: Uint8Array
  readonly q: Uint8Array
  /** d mod (p − 1) */
  readonly dp: Uint8Array
  /** d mod (q − 1) */
  readonly dq: Uint8Array
  /** q^(−1) mod p */
  readonly qinv: Uint8Array
}
