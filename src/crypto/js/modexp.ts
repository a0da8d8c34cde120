/**
 * Big-number arithmetic on BigInt: the fallback for runtimes without WebAssembly, and the
 * reference the WASM and node:crypto paths are tested against.
 *
 * NOT constant-time: V8's BigInt multiplication and division take time that depends on the
 * operands, and the window lookups below index an array with exponent bits. The README says so;
 * the WASM Montgomery core (assembly/bignum/) is the constant-time path where node:crypto is absent.
 */

/** base^exp mod m for m > 1 (a 4-bit fixed window, left to right). */
export function modPowBigInt(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 1n) return 0n
  base %= m
  if (base < 0n) base += m
  if (exp === 0n) return 1n
  const table: bigint[] = [1n, base]
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * base) % m)
  const hex = exp.toString(16)
  let r = table[parseInt(hex[0], 16)]
  for (let i = 1; i < hex.length; i++) {
    r = (r * r) % m
    r = (r * r) % m
    r = (r * r) % m
    r = (r * r) % m
    const d = parseInt(hex[i], 16)
    if (d !== 0) r = (r * table[d]) % m
  }
  return r
}

/** gcd(a, b) for a, b ≥ 0. */
export function gcdBigInt(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/** a^(-1) mod m, or undefined when gcd(a, m) ≠ 1. */
export function modInverseBigInt(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1] = [((a % m) + m) % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  if (r0 !== 1n) return undefined
  return ((s0 % m) + m) % m
}
