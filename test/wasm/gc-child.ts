/**
 * Runs in a child `node --expose-gc` (spawned by flags-in-child-node-relaxed-simd-and-gc.test.ts): CTR streams dropped without
 * dispose() get their WASM slot zeroed and recycled once the GC collects them.
 * Prints one JSON line: { before, created, after, zeroed }.
 */
import { _wasmInstance, loadWasmCoreSync } from '../../src/crypto/wasm/index.js'
import { SLOT_SIZE } from '../../src/crypto/wasm/layout.generated.js'
import { loadEagerly } from '../../src/crypto/eager.js'

loadEagerly() // as the Node entry does: synchronous loading from src/

const core = loadWasmCoreSync({ simd: 'baseline' })
const inst = _wasmInstance('baseline')!
const before = inst.liveSlots
const slots: number[] = []

function leak(n: number): void {
  for (let i = 0; i < n; i++) {
    const s = core.ctrCreate(new Uint8Array(32).fill(i), new Uint8Array(16)) as ReturnType<typeof core.ctrCreate> & { slot: number }
    s.process(new Uint8Array(10), new Uint8Array(10))
    slots.push(s.slot)
  }
}
leak(2000)
const created = inst.liveSlots
const gc = (globalThis as { gc?: () => void }).gc!
for (let i = 0; i < 20 && inst.liveSlots > before; i++) {
  gc()
  await new Promise((r) => setTimeout(r, 20))
}
const mem = inst.mem()
const zeroed = slots.every((p) => mem.subarray(p, p + SLOT_SIZE).every((b) => b === 0))
console.log(JSON.stringify({ before, created, after: inst.liveSlots, zeroed }))
