/**
 * A random X25519 public key for the fake-TLS key_share extensions. Nobody ever computes a shared
 * secret with it; it only has to look like a real key to a censor that checks it: an x on
 * Curve25519 (x³ + 486662x² + x is a square mod p) in the prime-order subgroup (doubled three
 * times to clear the cofactor 8), as TDLib does. BigInt math; about a millisecond.
 */
const P = (1n << 255n) - 19n

function modPow(b: bigint, e: bigint): bigint {
  let r = 1n
  b %= P
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P
    b = (b * b) % P
    e >>= 1n
  }
  return r
}

function y2(x: bigint): bigint {
  return (((((x + 486662n) * x) % P) + 1n) * x) % P
}

/** x-coordinate of 2·(x, y) on the Montgomery curve: (x² − 1)² / (4y²). */
function doubleX(x: bigint): bigint {
  const num = (((x * x - 1n) % P) + P) % P
  const den = (4n * y2(x)) % P
  return (((num * num) % P) * modPow(den, P - 2n)) % P
}

export function randomX25519Key(randomBytes: (n: number) => Uint8Array): Uint8Array {
  for (let tries = 0; tries < 256; tries++) {
    const b = randomBytes(32)
    b[31] &= 127
    let x = 0n
    for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[i])
    x %= P
    const s = y2(x)
    if (s === 0n || modPow(s, (P - 1n) / 2n) !== 1n) continue
    for (let i = 0; i < 3; i++) x = doubleX(x)
    const out = new Uint8Array(32)
    for (let i = 0; i < 32; i++) {
      out[i] = Number(x & 255n)
      x >>= 8n
    }
    return out
  }
  // a broken injected RNG: fall back to the bytes as they are (still 32 bytes, top bit clear)
  const b = randomBytes(32)
  b[31] &= 127
  return b
}

/** Whether 32 bytes (little-endian x) lie on Curve25519 — used by tests. */
export function isOnCurve25519(key: Uint8Array): boolean {
  let x = 0n
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(key[i])
  const s = y2(x % P)
  return s === 0n || modPow(s, (P - 1n) / 2n) === 1n
}
