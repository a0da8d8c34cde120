// Types of steady.mjs (plain JavaScript, so that floor.mjs runs on Node without a build step).

/** Requests before the timed part, at least. */
export declare const WARM_MIN: number
/** Milliseconds before the timed part, at least. */
export declare const WARM_MS: number
/** The warm-up, then `n` timed requests, one after another; CPU (every thread) and wall time of the timed part, µs. */
export declare function timedAfterWarmUp(n: number, request: (i: number) => Promise<unknown>): Promise<{ cpuUs: NodeJS.CpuUsage; wallUs: number }>
