/**
 * Who does the big-number arithmetic: modular exponentiation for Diffie–Hellman, SRP and
 * Miller–Rabin, and raw RSA. Three providers, tried in order for each operation:
 *
 * 1. a native provider the runtime's entry point installs (Node: src/node/bignum.ts, OpenSSL's
 *    constant-time DH and RSA through node:crypto);
 * 2. the WASM Montgomery core (assembly/bignum/, a separate small module compiled the first time
 *    a handshake needs it): fixed-window exponentiation with constant-time table selection;
 * 3. BigInt (src/crypto/js/modexp.ts): everywhere, NOT constant-time.
 *
 * A provider may decline an input (return undefined), e.g. node:crypto's DH for a modulus it
 * will not take; the next one then runs. Results are byte-identical whoever computes them.
 */
import type { RsaPrivateKey, RsaPublicKey } from './rsa-types.js'

export interface BignumProvider {
  /** 'node:crypto', 'wasm', 'bigint'. */
  readonly name: string
  /** Whether `modPow` with `secret` and `rsaPrivate` are constant-time in the secret. */
  readonly constantTime: boolean
  /**
   * base^exp mod mod, as exactly `mod.length` big-endian bytes. `mod` is odd and > 1 with no
   * leading zero byte, `base < mod`. `secret`: exp is a secret (DH, SRP), so the provider must use
   * its constant-time path or decline.
   */
  modPow?(base: Uint8Array, exp: Uint8Array, mod: Uint8Array, secret: boolean): Uint8Array | undefined
  /** Raw RSA: block^e mod n as n's length in bytes; `block < n`. */
  rsaPublic?(key: RsaPublicKey, block: Uint8Array): Uint8Array | undefined
  /** Raw RSA: block^d mod n (with CRT) as n's length in bytes; `block < n`. */
  rsaPrivate?(key: RsaPrivateKey, block: Uint8Array): Uint8Array | undefined
  /** Miller–Rabin with `rounds` random bases (the provider's CSPRNG); undefined = decline. */
  isProbablePrime?(n: Uint8Array, rounds: number): boolean | undefined
}

let native: BignumProvider | undefined

/** Installs a native provider (the Node entry point does, with node:crypto); `undefined` removes it. */
export function setBignumProvider(p: BignumProvider | undefined): void {
  native = p
}

/** The native provider installed, if any. */
export function getBignumProvider(): BignumProvider | undefined {
  return native
}

/**
 * Which providers run, in order. `native: false` skips the installed native provider, `wasm:
 * false` the WASM core (tests and benchmarks compare the paths this way).
 */
export interface BignumOptions {
  native?: BignumProvider | false
  wasm?: boolean
}

/** The native provider the options select: the installed one by default. */
export function nativeFor(opts: BignumOptions | undefined): BignumProvider | undefined {
  const n = opts?.native
  return n === undefined ? native : n || undefined
}
