// The README's code blocks and what becomes of each (scripts/test-readme.mjs runs them;
// test/readme.test.ts checks that none is left unaccounted for):
// - ```ts / ```js: a module that runs (always);
// - ```sh with `<!-- readme: run -->` on the line before: commands that run, `# ` lines after
//   a command being its expected output;
// - anything with `<!-- readme: skip: <why> -->` on the line before: not run, for that reason;
// - anything else is an error.

const RUNNABLE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs'])
const SHELL = new Set(['sh', 'bash', 'shell', 'console'])

/** The fenced blocks of a markdown text (1-based `line` of the fence), with the directive before each. */
export function blocks(text) {
  const lines = text.split('\n')
  const out = []
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/)
    if (!open) continue
    const [, indent, fence, lang] = open
    const start = i
    const body = []
    for (i++; i < lines.length && !lines[i].startsWith(indent + fence); i++) body.push(lines[i].slice(indent.length))
    let p = start - 1
    while (p >= 0 && lines[p].trim() === '') p--
    const d = p >= 0 ? lines[p].match(/^\s*<!--\s*readme:\s*(run|skip)\s*(?::\s*(.*?))?\s*-->\s*$/) : null
    out.push({ line: start + 1, lang: lang.toLowerCase(), code: body.join('\n'), directive: d ? d[1] : undefined, reason: d?.[2] ?? '' })
  }
  return out
}

/** `module` (ts/js, runs), `shell` (runs), `skip`, or `error` with a message. */
export function classify(b) {
  if (b.directive === 'skip') {
    return b.reason ? { kind: 'skip' } : { kind: 'error', message: '`<!-- readme: skip -->` needs a reason: `<!-- readme: skip: why -->`' }
  }
  if (RUNNABLE.has(b.lang)) {
    return b.directive === 'run' ? { kind: 'error', message: '`<!-- readme: run -->` is for shell blocks; ts/js blocks always run' } : { kind: 'module' }
  }
  if (SHELL.has(b.lang) && b.directive === 'run') return { kind: 'shell' }
  return { kind: 'error', message: 'neither run nor skipped: put `<!-- readme: run -->` (shell) or `<!-- readme: skip: why -->` on the line before' }
}
