/**
 * An AES-256-CTR stream over two engines: the core's (WASM or TS) for short calls and a native
 * one (node:crypto, AES-NI) for calls of at least `from` bytes, where the native call's fixed
 * cost (~1 µs) is repaid. Each engine keeps its own counter. The stream position `pos` (bytes)
 * is the truth; an engine that is behind is re-created at `pos`: counter block iv + ⌊pos/16⌋
 * (128-bit big-endian, wrapping like the CTR counter itself), then pos mod 16 keystream bytes
 * skipped. A stream whose calls stay on one side of `from` (the common case: a transport's
 * frames are of similar size) never switches.
 *
 * The key and IV are kept (copies) to re-create engines; dispose() zeroes them. The native
 * engine's own key schedule lives in OpenSSL memory, freed (not zeroed by us) when collected.
 */
import { copyBytes } from '../bytes.js'
import type { CtrCore, CryptoCore, NativeProvider } from './types.js'

/** iv + blocks, as a 128-bit big-endian counter (mod 2^128). */
function counterAt(iv: Uint8Array, blocks: number): Uint8Array {
  const c = copyBytes(iv)
  for (let i = 15, add = blocks, carry = 0; i >= 0 && (add > 0 || carry > 0); i--) {
    const s = c[i] + (add % 256) + carry
    c[i] = s & 255
    carry = s >> 8
    add = Math.floor(add / 256)
  }
  return c
}

/** `engine` advanced by `n` < 16 keystream bytes. */
function skip(engine: CtrCore, n: number): void {
  if (n === 0) return
  const z = new Uint8Array(n)
  engine.process(z, z)
  z.fill(0)
}

export function hybridCtr(core: CryptoCore, nat: Pick<Required<NativeProvider>, 'ctrCreate'>, key: Uint8Array, iv: Uint8Array, from: number): CtrCore {
  // copies: dispose() zeroes them
  const k = copyBytes(key)
  const v = copyBytes(iv)
  let pos = 0
  // each engine with the stream position it has reached
  type Side = { engine: CtrCore | undefined; at: number; create: (key: Uint8Array, iv: Uint8Array) => CtrCore }
  const small: Side = { engine: undefined, at: 0, create: (a, b) => core.ctrCreate(a, b) }
  const large: Side = { engine: undefined, at: 0, create: (a, b) => nat.ctrCreate(a, b) }
  return {
    process(data, out) {
      const side = data.length >= from ? large : small
      let e = side.engine
      if (e === undefined || side.at !== pos) {
        e?.dispose()
        const c = counterAt(v, Math.floor(pos / 16))
        e = side.engine = side.create(k, c)
        c.fill(0)
        skip(e, pos % 16)
      }
      e.process(data, out)
      pos += data.length
      side.at = pos
    },
    dispose() {
      for (const side of [small, large]) {
        side.engine?.dispose()
        side.engine = undefined
      }
      k.fill(0)
      v.fill(0)
    },
  }
}
