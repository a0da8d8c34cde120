/** Random values for any combinator of a parsed schema (for round-trip tests). */
import { uniqueNames, type TlCombinator, type TlSchema, type TlType } from '../../src/tl/index.js'

export type Rng = () => number

/** xorshift32: reproducible runs from a seed */
export function rng(seed: number): Rng {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 2 ** 32
  }
}

const STRINGS = ['', 'a', 'hello world', 'héllo', '日本語', '😀', 'x'.repeat(253), 'y'.repeat(254), 'ü'.repeat(140)]

export class RandomValues {
  readonly byName = new Map<string, TlCombinator>()
  readonly byType = new Map<string, TlCombinator[]>()
  constructor(
    schema: TlSchema,
    readonly r: Rng,
    /** a small object for `Object` / `!X` fields */
    readonly anyObject: () => { _: string },
  ) {
    for (const c of uniqueNames(schema)) {
      this.byName.set(c.name, c)
      if (c.kind === 'constructor') this.byType.set(c.result, [...(this.byType.get(c.result) ?? []), c])
    }
  }

  int(): number {
    return (this.r() * 2 ** 32) | 0
  }

  bytes(): Uint8Array {
    const lens = [0, 1, 3, 4, 16, 253, 254, 300]
    const n = lens[Math.floor(this.r() * lens.length)]
    return Uint8Array.from({ length: n }, () => (this.r() * 256) | 0)
  }

  value(t: TlType, depth: number): unknown {
    const r = this.r
    switch (t.kind) {
      case 'prim':
        switch (t.name) {
          case 'int':
          case '#':
            return this.int()
          case 'long':
            return BigInt.asIntN(64, (BigInt(this.int() >>> 0) << 32n) | BigInt(this.int() >>> 0))
          case 'double':
            return [0, -0, 1.5, -1e300, Number.MIN_VALUE, this.int() / 7][Math.floor(r() * 6)]
          case 'int128':
            return Uint8Array.from({ length: 16 }, () => (r() * 256) | 0)
          case 'int256':
            return Uint8Array.from({ length: 32 }, () => (r() * 256) | 0)
          case 'bytes':
            return this.bytes()
          case 'string':
            return STRINGS[Math.floor(r() * STRINGS.length)]
          case 'Bool':
          case 'true':
            return r() < 0.5
        }
        break
      case 'vector': {
        const n = depth > 3 ? 0 : Math.floor(r() * 3)
        return Array.from({ length: n }, () => this.value(t.of, depth + 1))
      }
      case 'bare':
        return this.object(this.byName.get(t.name) ?? this.byType.get(t.name)![0], depth + 1)
      case 'boxed': {
        const cs = this.byType.get(t.name)
        if (!cs) return this.anyObject()
        // deep down, prefer the simplest constructor so that recursive types end
        const pick = depth > 3 ? [...cs].sort((a, b) => weight(a) - weight(b))[0] : cs[Math.floor(r() * cs.length)]
        return this.object(pick, depth + 1)
      }
      default:
        return this.anyObject()
    }
  }

  object(c: TlCombinator, depth = 0): Record<string, unknown> {
    const o: Record<string, unknown> = { _: c.name }
    // fields on the same flag bit are present together
    const bits = new Map<string, boolean>()
    const on = (f: { field: string; bit: number }) => {
      const k = `${f.field}.${f.bit}`
      if (!bits.has(k)) bits.set(k, this.r() < 0.5)
      return bits.get(k)!
    }
    for (const p of c.params) {
      if (p.type.kind === 'prim' && p.type.name === '#') continue
      if (c.name === 'message' && p.name === 'bytes') continue // computed by the writer
      if (p.flag) {
        if (p.type.kind === 'prim' && p.type.name === 'true') o[p.name] = on(p.flag)
        else o[p.name] = on(p.flag) ? this.value(p.type, depth) : undefined
      } else o[p.name] = this.value(p.type, depth)
    }
    return o
  }
}

const weight = (c: TlCombinator) => c.params.filter((p) => !p.flag && p.type.kind !== 'prim').length
