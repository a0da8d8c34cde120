/**
 * An AES-256-CTR stream over two engines: the core's (WASM or TS) for short calls and a native
 * one (node:crypto, AES-NI) for the calls src/crypto/route.ts sends it (from a size where the
 * native call's fixed cost, ~1 µs, is repaid). Each engine keeps its own counter. The stream position `pos` (bytes)
 * is the truth; an engine that is behind is re-created at `pos`: counter block iv + ⌊pos/16⌋
 * (128-bit big-endian, wrapping like the CTR counter itself), then pos mod 16 keystream bytes
 * skipped. A stream whose calls stay on one side of `from` (the common case: a transport's
 * frames are of similar size) never switches.
 *
 * The key and IV are kept (copies) to re-create engines; dispose() zeroes them. The native
 * engine's own key schedule lives in OpenSSL memory, freed (not zeroed by us) when collected.
 */
import { copyBytes } from '../bytes.js'
import type { Router } from './route.js'
import type { CtrCore, CryptoCore } from './types.js'

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

/** One engine of a hybrid stream, with the stream position it has reached. */
interface Side {
  engine: CtrCore | undefined
  at: number
  readonly create: (key: Uint8Array, iv: Uint8Array) => CtrCore
}

/** `HybridCtr` as a function: a native provider's `ctrStream` (NativeProvider in types.ts says why). */
export function hybridCtr(core: CryptoCore, router: Router, key: Uint8Array, iv: Uint8Array): CtrCore {
  return new HybridCtr(core, router, key, iv)
}

/** A stream over `core`'s CTR and the router's native one (which the caller checked it has). */
export class HybridCtr implements CtrCore {
  // copies: dispose() zeroes them
  private readonly key: Uint8Array
  private readonly iv: Uint8Array
  private pos = 0
  private readonly small: Side
  private readonly large: Side

  constructor(core: CryptoCore, private readonly router: Router, key: Uint8Array, iv: Uint8Array) {
    const native = router.native!
    this.key = copyBytes(key)
    this.iv = copyBytes(iv)
    this.small = { engine: undefined, at: 0, create: (k, v) => core.ctrCreate(k, v) }
    this.large = { engine: undefined, at: 0, create: (k, v) => native.ctrCreate!(k, v) }
  }

  process(data: Uint8Array, out: Uint8Array): void {
    const side = this.router.nativeCtr(data.length) ? this.large : this.small
    let e = side.engine
    if (e === undefined || side.at !== this.pos) {
      e?.dispose()
      const c = counterAt(this.iv, Math.floor(this.pos / 16))
      e = side.engine = side.create(this.key, c)
      c.fill(0)
      skip(e, this.pos % 16)
    }
    e.process(data, out)
    this.pos += data.length
    side.at = this.pos
  }

  dispose(): void {
    for (const side of [this.small, this.large]) {
      side.engine?.dispose()
      side.engine = undefined
    }
    this.key.fill(0)
    this.iv.fill(0)
  }
}
