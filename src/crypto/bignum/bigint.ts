/** The BigInt provider: always available, NOT constant-time (see src/crypto/js/modexp.ts). */
import { modPowBigInt } from '../js/modexp.js'
import { fromBigInt, toBigInt } from './convert.js'
import type { BignumProvider } from './provider.js'

export const bigintProvider: BignumProvider = {
  name: 'bigint',
  constantTime: false,
  modPow(base, exp, mod) {
    return fromBigInt(modPowBigInt(toBigInt(base), toBigInt(exp), toBigInt(mod)), mod.length)
  },
  rsaPublic(key, block) {
    return fromBigInt(modPowBigInt(toBigInt(block), toBigInt(key.e), toBigInt(key.n)), key.n.length)
  },
  rsaPrivate(key, block) {
    // CRT (Garner): m1 = c^dp mod p, m2 = c^dq mod q, h = qinv·(m1 − m2) mod p, m = m2 + h·q
    const c = toBigInt(block)
    const p = toBigInt(key.p), q = toBigInt(key.q)
    const m1 = modPowBigInt(c % p, toBigInt(key.dp), p)
    const m2 = modPowBigInt(c % q, toBigInt(key.dq), q)
    const h = (toBigInt(key.qinv) * (((m1 - m2) % p) + p)) % p
    return fromBigInt(m2 + h * q, key.n.length)
  },
}
