// bench/insns, host side without emulation: counts from marks, tables, the report, the gate.
// run.mjs measures; everything here works on its JSON, so `run.mjs --from FILE` (and the
// tests, test/bench/insns.test.ts) replay a run without qemu.

import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Builds the counting plugin (bench/insns/plugin.c) into `out`/insns.so unless it is there and
 * newer than its source; installs gcc with apt-get when there is none. Returns the .so's path.
 */
export function buildPlugin(root, out) {
  const so = join(out, 'insns.so')
  const src = join(root, 'bench/insns/plugin.c')
  if (!existsSync(so) || statSync(so).mtimeMs < statSync(src).mtimeMs) {
    const cc = process.env.CC || 'gcc'
    if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) {
      if (cc !== 'gcc') throw new Error(`bench/insns: ${cc} (CC) not found`)
      console.log('bench/insns: installing gcc with apt-get, to build the plugin')
      const [cmd, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get']
      execFileSync(cmd, [...pre, 'install', '-y', '-qq', 'gcc', 'libc6-dev'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    }
    mkdirSync(out, { recursive: true })
    execFileSync(cc, ['-shared', '-fPIC', '-O2', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter', '-o', so, src], { stdio: 'inherit' })
  }
  return so
}

/** How far the second cheapest counted loop may stray from the cheapest for a steady count: 1%. */
export const STEADY = 0.01

/**
 * Per case, instructions per call from the plugin's marks (probe.ts numbers them): the
 * cheapest of three loops of N calls (W, C, R) minus the loop of 0 calls (Z), over N. The
 * three do the same work from the same state, so they differ only by what happened once (a
 * compile of a function V8 found hot). `spread` is how far the next cheapest strayed from the
 * cheapest: within 1% the count is `steady`; beyond, a one-time cost landed in two loops.
 */
export function resultsOf(run) {
  const out = []
  for (const r of run.runs) {
    if (r.error) continue
    for (const c of r.plan.results) {
      const at = (k) => {
        const v = r.marks[c.base + k]
        if (v === undefined) throw new Error(`${r.target} ${r.implId} ${c.op} ${c.size}: mark ${c.base + k} missing from the plugin's log`)
        return v
      }
      const span = (k) => at(k + 1) - at(k)
      const loops = [span(0), span(4), span(6)].map((x) => x - span(2)).sort((a, b) => a - b)
      const spread = (loops[1] - loops[0]) / loops[0]
      out.push({
        target: r.target,
        implId: r.implId,
        impl: r.plan.impl,
        peer: r.plan.peer,
        op: c.op,
        size: c.size,
        calls: c.calls,
        warm: c.warm,
        insns: Math.round(loops[0] / c.calls),
        spread: Number(spread.toFixed(4)),
        steady: spread <= STEADY,
        node: r.plan.node,
        v8: r.plan.v8,
      })
    }
  }
  return out
}

const key = (r) => `${r.implId} ${r.op} ${r.size}`
const sizeLabel = (n) => (n === 0 ? '-' : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`)
const count = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n))

/**
 * The row of ours a board gets by default for this op: `default` (createCrypto(): node:crypto
 * where it is faster) where it was measured, else `core` (the same flavour alone).
 */
function reference(rows) {
  return rows.find((r) => r.implId === 'default') ?? rows.find((r) => r.implId === 'core')
}

function groups(results, target) {
  const mine = results.filter((r) => r.target === target)
  const impls = [...new Set(mine.map((r) => r.impl))]
  const rows = new Map()
  for (const r of mine) {
    const k = `${r.op}\0${r.size}`
    if (!rows.has(k)) rows.set(k, [])
    rows.get(k).push(r)
  }
  return { impls, rows: [...rows.values()] }
}

/** Ratios of each peer's count to ours: how many times the instructions we execute the peer does. */
function ratios(rows) {
  const ref = reference(rows)
  const js = rows.find((r) => r.implId === 'js')
  const out = []
  for (const p of rows.filter((r) => r.peer)) {
    if (ref) out.push({ ours: ref, peer: p, ratio: p.insns / ref.insns })
    // pure TS against the pure-JS peer (GramJS's AES): the fallback where WebAssembly is missing
    if (js && p.implId === 'gramjs-aes') out.push({ ours: js, peer: p, ratio: p.insns / js.insns })
  }
  return out
}

function targetTitle(run, t, results) {
  const m = run.meta.targets[t]
  const r = results.find((x) => x.target === t)
  const node = r ? `${m.debian ? "Debian's" : 'official'} Node ${r.node} (V8 ${r.v8})` : 'no results'
  return `${t}: ${node}, qemu -cpu ${m.cpu}${m.env.OPENSSL_armcap ? `, OPENSSL_armcap=${m.env.OPENSSL_armcap}` : ''}`
}

function pad(cells, widths) {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
}

/** The terminal table: instructions per call per implementation, then the ratios. */
export function formatTable(run, results) {
  const lines = []
  for (const t of Object.keys(run.meta.targets)) {
    const { impls, rows } = groups(results, t)
    lines.push('', `${targetTitle(run, t, results)} - instructions per call (deterministic; not a time)`)
    if (!rows.length) continue
    const head = ['op', 'size', ...impls]
    const body = rows.map((rs) => [rs[0].op, sizeLabel(rs[0].size), ...impls.map((i) => {
      const r = rs.find((x) => x.impl === i)
      return r ? `${count(r.insns)}${r.steady ? '' : '*'}` : ''
    })])
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
    lines.push(pad(head, widths), ...body.map((b) => pad(b, widths)))
    const rl = rows.flatMap((rs) => ratios(rs).map((x) => `  ${x.peer.op} ${sizeLabel(x.peer.size)}: ${x.peer.impl} / ${x.ours.impl} = ${x.ratio.toFixed(2)}x`))
    if (rl.length) lines.push('peer instructions / ours (above 1: we execute fewer):', ...rl)
    if (results.some((r) => r.target === t && !r.steady)) lines.push('* not steady: no two of the three counted loops agreed within 1% (`spread` in the JSON)')
  }
  const skipped = new Map()
  for (const r of run.runs) for (const s of r.plan?.skipped ?? []) skipped.set(s.op, s.reason)
  for (const [op, reason] of skipped) lines.push(`skipped ${op}: ${reason}`)
  return lines.join('\n')
}

/**
 * The comparisons the README quotes, one row each across the targets: [op, size (0: any),
 * ours, peer, label]. `core` is the flavour a board picks alone; `default` adds node:crypto
 * where createCrypto() on Node does.
 */
const HEADLINE = [
  ['ige-encrypt', 256, 'core', 'mtcute-wasm', 'AES-256-IGE encrypt 256 B, WASM core / `@mtcute/wasm`'],
  ['ige-encrypt', 4096, 'core', 'mtcute-wasm', 'AES-256-IGE encrypt 4 KiB, WASM core / `@mtcute/wasm`'],
  ['ige-decrypt', 4096, 'core', 'mtcute-wasm', 'AES-256-IGE decrypt 4 KiB, WASM core / `@mtcute/wasm`'],
  ['ctr', 4096, 'core', 'mtcute-wasm', 'AES-256-CTR 4 KiB, WASM core / `@mtcute/wasm`'],
  ['sha256', 4096, 'core', 'mtcute-wasm', 'SHA-256 4 KiB, WASM core / `@mtcute/wasm`'],
  ['encrypt-message', 256, 'default', 'mtcute-authkey', 'encrypt message 256 B, Node default / mtcute AuthKey (node)'],
  ['encrypt-message', 4096, 'default', 'mtcute-authkey', 'encrypt message 4 KiB, same'],
  ['encrypt-message', 65536, 'default', 'mtcute-authkey', 'encrypt message 64 KiB, same'],
  ['decrypt-message', 256, 'default', 'mtcute-authkey', 'decrypt message 256 B, same'],
  ['decrypt-message', 4096, 'default', 'mtcute-authkey', 'decrypt message 4 KiB, same'],
  ['decrypt-message', 65536, 'default', 'mtcute-authkey', 'decrypt message 64 KiB, same'],
  ['encrypt-message', 256, 'default', 'gramjs-state', 'encrypt message 256 B, Node default / GramJS MTProtoState'],
  ['decrypt-message', 256, 'default', 'gramjs-state', 'decrypt message 256 B, same'],
  ['ige-encrypt', 4096, 'js', 'gramjs-aes', 'AES-256-IGE encrypt 4 KiB, pure TS / GramJS (`@cryptography/aes`)'],
  ['tl-encode-container100', 0, 'core', 'mtcute-tl', 'TL msg_container of 100, encode / `@mtcute/tl-runtime`'],
  ['tl-decode-container100', 0, 'core', 'mtcute-tl', 'TL msg_container of 100, decode / `@mtcute/tl-runtime`'],
]

/** The README's table: per headline comparison and target, the peer's count over ours. */
export function formatSummary(run, results) {
  const targets = Object.keys(run.meta.targets)
  const find = (t, impl, op, size) => results.find((r) => r.target === t && r.implId === impl && r.op === op && (size === 0 || r.size === size))
  const md = [`| peer's instructions / ours | ${targets.join(' | ')} |`, `|---|${targets.map(() => '---:').join('|')}|`]
  for (const [op, size, ours, peer, label] of HEADLINE) {
    const cells = targets.map((t) => {
      const a = find(t, ours, op, size)
      const b = find(t, peer, op, size)
      return a && b ? `${(b.insns / a.insns).toFixed(2)}x${a.steady && b.steady ? '' : '\\*'}` : ''
    })
    if (cells.some(Boolean)) md.push(`| ${label} | ${cells.join(' | ')} |`)
  }
  return md.join('\n')
}

/** The markdown report (docs/bench/insns.md). */
export function formatReport(run, results) {
  const md = [
    '# Instructions per call (qemu, deterministic)',
    '',
    'Guest instructions executed per call, counted by a qemu-user TCG plugin (`bench/insns/`), for',
    'ARM boards measured without one. **Not a time**: on in-order and narrow cores (Cortex-A53, A72)',
    "cost follows instruction count closely, but memory stalls, SIMD width and a core's issue",
    'rate are not in it. Ratios are the peer\'s count over ours in the same run: above 1, we execute fewer.',
    'How it is measured: [bench/README.md](../../bench/README.md#instruction-counts-qemu).',
    '',
    `Run: ${run.meta.date}, ${run.meta.qemu}, Node flags \`${run.meta.nodeFlags.join(' ')}\`.`,
    '',
    '## Summary',
    '',
    formatSummary(run, results),
  ]
  for (const t of Object.keys(run.meta.targets)) {
    const { impls, rows } = groups(results, t)
    md.push('', `## ${targetTitle(run, t, results)}`, '')
    if (!rows.length) continue
    md.push(`| op | size | ${impls.join(' | ')} |`, `|---|---|${impls.map(() => '---:').join('|')}|`)
    for (const rs of rows) {
      const cells = impls.map((i) => {
        const r = rs.find((x) => x.impl === i)
        return r ? `${count(r.insns)}${r.steady ? '' : '\\*'}` : ''
      })
      md.push(`| ${rs[0].op} | ${sizeLabel(rs[0].size)} | ${cells.join(' | ')} |`)
    }
    const rl = rows.flatMap(ratios)
    if (rl.length) {
      md.push('', '| op | size | ours | peer | peer / ours |', '|---|---|---|---|---:|')
      for (const x of rl) md.push(`| ${x.peer.op} | ${sizeLabel(x.peer.size)} | ${x.ours.impl} | ${x.peer.impl} | ${x.ratio.toFixed(2)}x |`)
    }
    if (results.some((r) => r.target === t && !r.steady)) md.push('', '\\* not steady: no two of the three counted loops agreed within 1% (`spread` in the JSON).')
  }
  return md.join('\n') + '\n'
}

/**
 * The committed baseline: per target, every result (ours and peers), with what produced it.
 * Targets and implementations this run did not measure keep their old counts (so `--impl ours`
 * refreshes ours and keeps the peers), unless the target's Node changed.
 */
export function makeBaseline(run, results, tolerance, old) {
  const targets = { ...(old?.targets ?? {}) }
  for (const t of Object.keys(run.meta.targets)) {
    const mine = results.filter((r) => r.target === t)
    if (!mine.length) continue
    const measured = new Set(mine.map((r) => r.implId))
    const prev = targets[t]?.node === mine[0].node ? targets[t].insns : {}
    const kept = Object.entries(prev).filter(([k]) => !measured.has(k.split(' ')[0]))
    targets[t] = {
      date: run.meta.date,
      qemu: run.meta.qemu,
      cpu: run.meta.targets[t].cpu,
      node: mine[0].node,
      v8: mine[0].v8,
      insns: Object.fromEntries([...kept, ...mine.map((r) => [key(r), { impl: r.impl, peer: r.peer, insns: r.insns }])]),
    }
  }
  return { tolerance: old?.tolerance ?? tolerance, nodeFlags: run.meta.nodeFlags, targets }
}

/**
 * The gate: each of our counts against the baseline of its target. Fails when one is more than
 * the tolerance above it, or when a case the baseline has was not measured. Counts more than
 * the tolerance below, and peers that moved (a sign that Node, qemu or a peer changed rather
 * than our code), are reported without failing. A target whose Node version differs from the
 * baseline's is not compared: its counts say nothing about our change.
 */
export function compare(results, baseline, { partial = false } = {}) {
  const tol = baseline.tolerance
  const lines = []
  let failed = false
  let checked = 0
  const targets = [...new Set(results.map((r) => r.target))]
  for (const t of targets) {
    const b = baseline.targets[t]
    const mine = results.filter((r) => r.target === t)
    if (!b) {
      lines.push(`insns gate: ${t}: no baseline (write one with --write-baseline)`)
      continue
    }
    if (b.node !== mine[0].node) {
      lines.push(`insns gate: ${t}: NOT COMPARED: baseline from Node ${b.node}, this run ${mine[0].node} (refresh the baseline for this target)`)
      continue
    }
    for (const r of mine) {
      const base = b.insns[key(r)]
      if (!base) {
        if (!r.peer) lines.push(`  new   ${t} ${key(r)}: ${r.insns} (not in the baseline)`)
        continue
      }
      const ratio = r.insns / base.insns
      const what = `${t} ${r.impl} ${r.op} ${sizeLabel(r.size)}: ${r.insns} vs ${base.insns} (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%)`
      if (r.peer) {
        if (Math.abs(ratio - 1) > tol) lines.push(`  peer moved ${what}: the environment (Node, qemu, a peer) changed?`)
        continue
      }
      checked++
      if (ratio > 1 + tol) {
        failed = true
        lines.push(`  FAIL  ${what}`)
      } else if (ratio < 1 - tol) {
        lines.push(`  fewer ${what}: refresh the baseline to keep the gain`)
      }
    }
    if (!partial) {
      const seen = new Set(mine.map(key))
      for (const [k, v] of Object.entries(b.insns)) {
        if (v.peer || seen.has(k)) continue
        failed = true
        lines.push(`  FAIL  ${t} ${k}: in the baseline but not measured (refresh the baseline if it was removed on purpose)`)
      }
    }
  }
  lines.push(`insns gate: ${checked} counts of ours compared, ${failed ? 'FAILED' : 'passed'} (tolerance ${(tol * 100).toFixed(0)}% above the baseline)`)
  return { failed, lines }
}
