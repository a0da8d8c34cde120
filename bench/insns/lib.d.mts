// Types of lib.mjs (plain JavaScript, so that run.mjs runs on Node without a build step).

export interface Planned {
  op: string
  size: number
  calls: number
  warm: number
  /** The case's first mark; its eight marks are base .. base + 7 (probe.ts). */
  base: number
}
export interface ProcessRun {
  target: string
  implId: string
  /** Set when the process failed; then there is no plan. */
  error?: string
  plan?: { impl: string; id: string; peer: boolean; node: string; arch: string; v8: string; results: Planned[]; skipped: { op: string; size: number; reason: string }[] }
  /** Mark number -> instructions counted so far, from the plugin's log. */
  marks?: Record<string, number>
  total?: number
  seconds?: number
}
export interface Run {
  meta: {
    date: string
    qemu: string
    nodeFlags: string[]
    partial?: boolean
    targets: Record<string, { cpu: string; env: Record<string, string>; node: string; debian: boolean }>
    [k: string]: unknown
  }
  runs: ProcessRun[]
}
export interface Result {
  target: string
  implId: string
  impl: string
  peer: boolean
  op: string
  size: number
  calls: number
  warm: number
  insns: number
  spread: number
  steady: boolean
  node: string
  v8: string
}
export interface Baseline {
  tolerance: number
  nodeFlags: string[]
  targets: Record<string, { date: string; qemu: string; cpu: string; node: string; v8: string; insns: Record<string, { impl: string; peer: boolean; insns: number }> }>
}

export const STEADY: number
export function resultsOf(run: Pick<Run, 'runs'>): Result[]
export function formatTable(run: Run, results: Result[]): string
export function formatReport(run: Run, results: Result[]): string
export function formatSummary(run: Run, results: Result[]): string
export function makeBaseline(run: Run, results: Result[], tolerance: number, old?: Baseline): Baseline
export function compare(results: Result[], baseline: Baseline, options?: { partial?: boolean }): { failed: boolean; lines: string[] }
export function buildPlugin(root: string, out: string): string
