// The timed loop of the load bench's client CPU per request, shared by the pingers
// (bench/load/pinger.ts) and the floor (bench/load/floor.mjs). Plain JavaScript, so that the
// floor runs on Node without a build step; types in steady.d.mts.
//
// One loop warms up and then times: at least WARM_MIN requests and WARM_MS of warm-up, so that
// the timed part measures a client's steady state, not its JIT. MTProto msg_ids carry the
// fraction of the second in their low half: a warm-up shorter than a second may have seen only
// small values, and code optimized for them is deoptimized and compiled again inside the timed
// part (seen with --trace-deopt: "not a Smi", 50-70 ms of TurboFan work in 20 000 pings). A
// second loop for the timed part would itself be compiled there (~20 ms: it inlines the client).

/** Requests before the timed part, at least. */
export const WARM_MIN = 2000
/** Milliseconds before the timed part, at least. */
export const WARM_MS = 1500

/**
 * Sends `request(i)` one after another: the warm-up, then `n` timed. Returns the CPU time of the
 * whole process (process.cpuUsage(): every thread) and the wall time over the `n`, in µs.
 * With MTWIRE_INSNS_MARKS=1 the timed part is marked for bench/load/insns.mjs (bench/insns/probe.ts).
 */
export async function timedAfterWarmUp(n, request) {
  const marks = process.env.MTWIRE_INSNS_MARKS === '1'
  process.cpuUsage() // its first call costs ~10M instructions once: not in the timed part
  let c0 = { user: 0, system: 0 }
  const start = performance.now()
  let t0 = 0
  let timedFrom = -1
  for (let i = 0; timedFrom < 0 || i < timedFrom + n; i++) {
    if (timedFrom < 0 && i >= WARM_MIN && performance.now() - start >= WARM_MS) {
      timedFrom = i
      c0 = process.cpuUsage()
      t0 = performance.now()
      if (marks) process.umask(0x7a5e0000)
    }
    await request(i)
  }
  const wallUs = (performance.now() - t0) * 1000
  const cpuUs = process.cpuUsage(c0)
  if (marks) process.umask(0x7a5e0001)
  return { cpuUs, wallUs }
}
