/** Shared by the client tests: numbered API calls whose every execution the server records. */
import type { RpcCall } from '../../src/session/server.js'

/** A made-up API method (not in any schema): the server hands it to the handler, which records it. */
export const CALL_ID = 0x0badf00d

/** The serialization of call number `n`. */
export function call(n: number): Uint8Array {
  const b = new Uint8Array(8)
  const v = new DataView(b.buffer)
  v.setUint32(0, CALL_ID, true)
  v.setUint32(4, n, true)
  return b
}

/** The number of a recorded call, or -1 for another method. */
export function callNumber(c: RpcCall): number {
  return c.constructorId >>> 0 === CALL_ID && c.raw.length >= 8 ? new DataView(c.raw.buffer, c.raw.byteOffset).getUint32(4, true) : -1
}

/** The handler's answer to call n: an mtwire.payload holding n, so a test can tell answers apart (other calls: undefined, passed on). */
export function answer(c: RpcCall): unknown {
  const n = callNumber(c)
  if (n < 0) return undefined
  const payload = new Uint8Array(4)
  new DataView(payload.buffer).setUint32(0, n, true)
  return { _: 'mtwire.payload', payload }
}

/** n from an answer made by `answer`. */
export function answered(v: unknown): number {
  const p = (v as { payload?: Uint8Array }).payload
  if (!(p instanceof Uint8Array) || p.length !== 4) throw new Error(`not a numbered answer: ${String(v)}`)
  return new DataView(p.buffer, p.byteOffset).getUint32(0, true)
}

/** How many times each call number ran on the server. */
export function runs(calls: RpcCall[]): Map<number, number> {
  const m = new Map<number, number>()
  for (const c of calls) {
    const n = callNumber(c)
    if (n >= 0) m.set(n, (m.get(n) ?? 0) + 1)
  }
  return m
}

/** Settled outcomes of promises, counting how often each settled (a promise settles once: this checks our plumbing). */
export function track<T>(p: Promise<T>): { value?: T; error?: unknown; settled: number } {
  const r: { value?: T; error?: unknown; settled: number } = { settled: 0 }
  p.then(
    (v) => {
      r.value = v
      r.settled++
    },
    (e) => {
      r.error = e
      r.settled++
    },
  )
  return r
}

/** Lets promise callbacks run (the in-memory network is synchronous; promises settle in microtasks). */
export const flushPromises = (): Promise<void> => new Promise((r) => setImmediate(r))
