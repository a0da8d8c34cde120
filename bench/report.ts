/**
 * `--report DIR`: a markdown page with one SVG chart per (suite, op) — throughput against
 * payload size on log axes, one line per implementation — and the table of ratios.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fmtSize, ratios, type BenchResult } from './harness.js'

const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** One chart: x = payload size (log2), y = MB/s (log10), a polyline per implementation. */
export function chart(title: string, rows: BenchResult[]): string {
  const W = 640, H = 360, L = 60, R = 200, T = 30, B = 40
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b)
  const ys = rows.map((r) => r.bytesPerSec / 1e6).filter((y) => y > 0)
  const yLo = Math.floor(Math.log10(Math.min(...ys))), yHi = Math.ceil(Math.log10(Math.max(...ys)))
  const x = (s: number): number => L + (sizes.length < 2 ? 0 : ((W - L - R) * sizes.indexOf(s)) / (sizes.length - 1))
  const y = (v: number): number => T + (H - T - B) * (1 - (Math.log10(v) - yLo) / Math.max(1, yHi - yLo))
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${L}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`]
  for (let e = yLo; e <= yHi; e++) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${y(10 ** e) + 4}" text-anchor="end">${10 ** e} MB/s</text>`)
  }
  for (const s of sizes) parts.push(`<text x="${x(s)}" y="${H - B + 16}" text-anchor="middle">${fmtSize(s)}</text>`)
  const impls = [...new Set(rows.map((r) => r.impl))]
  impls.forEach((impl, i) => {
    const pts = rows.filter((r) => r.impl === impl && r.bytesPerSec > 0).sort((a, b) => a.size - b.size)
    const c = COLORS[i % COLORS.length]
    const ours = !pts[0]?.peer
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="${ours ? 2.5 : 1.5}"${ours ? '' : ' stroke-dasharray="5,3"'} points="${pts.map((p) => `${x(p.size)},${y(p.bytesPerSec / 1e6)}`).join(' ')}"/>`)
    for (const p of pts) parts.push(`<circle cx="${x(p.size)}" cy="${y(p.bytesPerSec / 1e6)}" r="3" fill="${c}"/>`)
    parts.push(`<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${T + 12 + 16 * i}" y2="${T + 12 + 16 * i}" stroke="${c}" stroke-width="2.5"${ours ? '' : ' stroke-dasharray="5,3"'}/>`,
      `<text x="${W - R + 38}" y="${T + 16 + 16 * i}">${esc(impl)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n')
}

export function writeReport(dir: string, meta: Record<string, unknown>, results: BenchResult[], notes: string[] = []): void {
  mkdirSync(dir, { recursive: true })
  const md = [`# mtwire benchmarks`, '', `Machine: ${meta.cpu}, ${meta.arch}, ${meta.cores} cores, Node ${meta.node} (V8 ${meta.v8}), ${meta.date}.` +
    (meta.emulated ? ` **Emulated (${meta.emulated}): timings are not real speeds.**` : ''), `Backends: ${(meta.backends as string[]).join(', ')}.`, '',
    'Solid lines are mtwire, dashed lines the peers. Medians of interleaved rounds; ratios are ours / peer in the same run.', '',
    'Instructions per call on arm64, armv7 and x86-64 under qemu (deterministic, not a time): [insns.md](insns.md).', '']
  const groups = new Map<string, BenchResult[]>()
  for (const r of results) groups.set(`${r.suite}-${r.op}`, [...(groups.get(`${r.suite}-${r.op}`) ?? []), r])
  for (const [key, rows] of groups) {
    const file = `${key.replace(/[^a-z0-9-]+/gi, '_')}.svg`
    if (rows.some((r) => r.size > 0)) {
      writeFileSync(join(dir, file), chart(key, rows))
      md.push(`## ${key}`, '', `![${key}](${file})`, '')
    } else md.push(`## ${key}`, '')
    md.push('| size | impl | ops/s | MB/s | ±% |', '|---|---|---:|---:|---:|')
    for (const r of rows) md.push(`| ${fmtSize(r.size)} | ${r.peer ? '' : '**'}${r.impl}${r.peer ? '' : '**'} | ${r.opsPerSec.toFixed(0)} | ${(r.bytesPerSec / 1e6).toFixed(1)} | ${r.rme.toFixed(1)} |`)
    const rs = ratios(rows)
    if (rs.length) {
      md.push('', '| size | ours | peer | ratio |', '|---|---|---|---:|')
      for (const q of rs) md.push(`| ${fmtSize(q.size)} | ${q.impl} | ${q.peer} | ${q.ratio.toFixed(2)}x |`)
    }
    md.push('')
  }
  if (notes.length) md.push('## Notes', '', ...notes.map((n) => `- ${n}`), '')
  writeFileSync(join(dir, 'README.md'), md.join('\n'))
}
