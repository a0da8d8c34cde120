/**
 * What every `mtwire` subcommand shares: its options declared once (usage text and parsing come
 * from the same list), `--help` (its usage, exit 0), and usage errors (an unknown option, a
 * missing value or argument: a clear message on stderr, exit 2).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MtwireError } from '../errors.js'

export interface OptionSpec {
  /** Without the dashes. */
  name: string
  /** The value's placeholder (`FILE`, `HOST:PORT`); absent for a flag. */
  value?: string
  /** May be given more than once. */
  repeat?: boolean
  help: string
}

export interface Command {
  /** One line: what it does. */
  summary: string
  /** `mtwire serve [options]`: the first line of the usage. */
  usage: string
  /** Paragraphs after the usage line. */
  about?: string
  options: OptionSpec[]
  /** How many positional arguments it takes. */
  args: { min: number; max: number }
  run(a: ParsedArgs): Promise<number>
}

export interface ParsedArgs {
  readonly pos: readonly string[]
  /** The last value of an option. */
  value(name: string): string | undefined
  /** Every value of a repeatable option, in order. */
  values(name: string): string[]
  flag(name: string): boolean
}

/** A usage error: the command prints it and exits 2. */
export function usageError(message: string): never {
  throw new MtwireError('E_USAGE', message)
}

export function usageText(c: Command): string {
  const lines = [`usage: ${c.usage}`, '', c.summary]
  if (c.about) lines.push('', c.about)
  const opts = [...c.options, { name: 'help', help: 'print this help and exit' }]
  const left = (o: OptionSpec) => `--${o.name}${o.value ? ` ${o.value}` : ''}`
  const w = Math.max(...opts.map((o) => left(o).length))
  lines.push('', 'options:')
  for (const o of opts) lines.push(`  ${left(o).padEnd(w)}  ${o.help}${o.repeat ? ' (repeatable)' : ''}`)
  return lines.join('\n')
}

/** Parses `argv` against the command's options; `'help'` when --help (or -h) is among them. */
export function parseArgs(c: Command, argv: readonly string[]): ParsedArgs | 'help' {
  const byName = new Map(c.options.map((o) => [o.name, o]))
  const pos: string[] = []
  const vals = new Map<string, string[]>()
  let onlyPos = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (onlyPos || !a.startsWith('-') || a === '-') {
      pos.push(a)
      continue
    }
    if (a === '--') {
      onlyPos = true
      continue
    }
    if (a === '--help' || a === '-h') return 'help'
    if (!a.startsWith('--')) usageError(`unknown option ${a}`)
    const eq = a.indexOf('=')
    const name = a.slice(2, eq < 0 ? undefined : eq)
    const o = byName.get(name)
    if (!o) usageError(`unknown option --${name}`)
    let v: string
    if (!o.value) {
      if (eq >= 0) usageError(`--${name} takes no value`)
      v = ''
    } else if (eq >= 0) v = a.slice(eq + 1)
    else {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1] !== '--')) usageError(`--${name} needs a value (${o.value})`)
      v = argv[++i]
    }
    const list = vals.get(name) ?? []
    if (list.length && !o.repeat) usageError(`--${name} given twice`)
    list.push(v)
    vals.set(name, list)
  }
  const { min, max } = c.args
  if (pos.length < min) usageError(min === 1 && max === 1 ? 'missing argument' : `needs at least ${min} argument${min > 1 ? 's' : ''}`)
  if (pos.length > max) usageError(max === 0 ? `unexpected argument ${pos[0]}` : `unexpected argument ${pos[max]}`)
  return {
    pos,
    value: (n) => vals.get(n)?.at(-1),
    values: (n) => vals.get(n) ?? [],
    flag: (n) => vals.has(n),
  }
}

/** Runs a command with its arguments: --help → usage (0); a usage error → message (2); else its exit code. */
export async function runCommand(name: string, c: Command, argv: readonly string[]): Promise<number> {
  let parsed: ParsedArgs | 'help'
  try {
    parsed = parseArgs(c, argv)
    if (parsed === 'help') {
      console.log(usageText(c))
      return 0
    }
    return await c.run(parsed)
  } catch (e) {
    if (e instanceof MtwireError && e.code === 'E_USAGE') {
      console.error(`mtwire ${name}: ${e.message}\nRun 'mtwire ${name} --help' for its usage.`)
      return 2
    }
    throw e
  }
}

/** This package's version (its package.json, found from this file up: src/node/ or dist/). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const f = join(dir, 'package.json')
    if (existsSync(f)) {
      const p = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string }
      if (p.name === 'mtwire' && p.version) return p.version
    }
    dir = dirname(dir)
  }
  return 'unknown'
}
