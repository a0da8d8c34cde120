/**
 * Relaxed SIMD on Node 20, whose V8 (11.3) implements it with the final opcodes but only behind
 * `--experimental-wasm-relaxed-simd` (V8 11.4 turned it on: Node >= 22 has it by default; Node
 * 18's V8 10.2 has older opcodes, which our module does not use). Without it, Node 20 runs the
 * baseline-SIMD flavour, whose `i8x16.swizzle` costs V8 an extra instruction per table lookup
 * on x86-64: the constant-time AES core then decrypts ~25% slower.
 */
import * as v8 from 'node:v8'
import { availableFlavours, forgetFeatureProbes } from '../crypto/wasm/index.js'

/**
 * Turns V8's relaxed-SIMD flag on for this process where that makes the relaxed flavour
 * available (Node 20), so that Crypto objects created afterwards pick `wasm-relaxed-simd`.
 * A process-wide V8 setting, hence an explicit call, never done on import. Returns whether the
 * relaxed flavour is available now (true at once where it already was; false on Node 18).
 */
export function enableRelaxedSimd(): boolean {
  if (availableFlavours().includes('relaxed')) return true
  const major = Number.parseInt(process.versions.v8 ?? '', 10)
  const set = (v8 as { setFlagsFromString?: (flags: string) => void }).setFlagsFromString
  // only where the flag guards the final opcodes; elsewhere there is nothing to gain
  if (major !== 11 || typeof set !== 'function') return false
  try {
    set('--experimental-wasm-relaxed-simd')
  } catch {
    return false
  }
  forgetFeatureProbes()
  return availableFlavours().includes('relaxed')
}
