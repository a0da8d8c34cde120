/**
 * Every code block of README.md is accounted for: ts/js blocks run, shell blocks are marked
 * `<!-- readme: run -->` or `<!-- readme: skip: why -->` (scripts/readme-blocks.mjs). CI runs
 * them all against the packed tarball (scripts/test-pack.sh → scripts/test-readme.mjs); this
 * catches an unmarked block in `npm test` already.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error plain JavaScript module without typings
import { blocks, classify } from '../scripts/readme-blocks.mjs'

type Block = { line: number; lang: string; code: string; directive?: string; reason: string }
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README code blocks', () => {
  it('each one runs or says why not', () => {
    const all = blocks(README) as Block[]
    expect(all.length).toBeGreaterThan(5)
    const errors = all.map((b) => ({ b, c: classify(b) })).filter(({ c }) => c.kind === 'error').map(({ b, c }) => `README.md:${b.line}: ${c.message}`)
    expect(errors).toEqual([])
    expect(all.filter((b) => classify(b).kind === 'module').length).toBeGreaterThanOrEqual(5)
  })

  it('the parser: languages, directives, reasons, nested fences', () => {
    const md = [
      '```ts', 'a()', '```', '',
      '<!-- readme: skip: needs a server -->', '', '```sh', 'x', '```',
      '<!-- readme: run -->', '````sh', 'echo hi', '# hi', '```', '````',
      '<!-- readme: skip -->', '```json', '{}', '```',
      '```', 'plain', '```',
      '<!-- readme: run -->', '```ts', 'b()', '```',
    ].join('\n')
    const all = blocks(md) as Block[]
    expect(all.map((b) => [b.line, b.lang, b.directive, classify(b).kind])).toEqual([
      [1, 'ts', undefined, 'module'],
      [7, 'sh', 'skip', 'skip'],
      [11, 'sh', 'run', 'shell'],
      [17, 'json', 'skip', 'error'],
      [20, '', undefined, 'error'],
      [24, 'ts', 'run', 'error'],
    ])
    expect(all[2].code).toBe('echo hi\n# hi\n```')
    expect(all[1].reason).toBe('needs a server')
  })
})
