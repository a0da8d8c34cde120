/**
 * The README's transport example in `npm test`: the code block under "### Transports" runs as
 * written (its imports bound to the sources and node:net) and must print what its last comment
 * says. It drives a fake-TLS client through a proxy over loopback TCP, so the client's packet only
 * leaves in `takeOutgoing()` after the proxy's hello was received: a driver that wrote only what
 * `send` queued at once hangs here. CI also runs every README block against the packed tarball
 * (scripts/test-readme.mjs).
 */
import { readFileSync } from 'node:fs'
import * as net from 'node:net'
import { join } from 'node:path'
import { transform } from 'esbuild'
import { describe, expect, it } from 'vitest'
import * as mtwire from '../../src/node/index.js' // what `import 'mtwire'` gives on Node

function readmeBlock(): string {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Transports'))
  const m = /```ts\n([\s\S]*?)```/.exec(section)
  if (!m) throw new Error('no code block under ### Transports')
  return m[1]
}

describe('README transport example', () => {
  it('runs as written: a fake-TLS client and proxy over loopback, the packet echoed', async () => {
    const block = readmeBlock()
    const expected = /\/\/ (echoed \d+ bytes)\s*$/.exec(block)?.[1]
    expect(expected).toBeDefined()
    // TypeScript to JavaScript, then each `import { a, b } from 'x'` to `const { a, b } = modules['x']`
    const js = (await transform(block, { loader: 'ts', format: 'esm', target: 'es2022' })).code.replace(
      /^import \{([^}]*)\} from "([^"]+)";$/gm,
      (_, names: string, from: string) => `const {${names.replace(/\bas\b/g, ':')}} = modules[${JSON.stringify(from)}];`,
    )
    expect(js).not.toMatch(/^import /m)
    const printed: string[] = []
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the README driver hangs: no "${expected}" in 5 s`)), 5000)
      const console = {
        log: (...a: unknown[]) => {
          printed.push(a.join(' '))
          if (printed.at(-1) === expected) {
            clearTimeout(timer)
            resolve()
          }
        },
      }
      const run = new Function('modules', 'console', `return (async () => {\n${js}\n})()`)
      run({ 'node:net': net, mtwire }, console).catch(reject)
    })
    await done
    expect(printed).toEqual([expected])
  }, 10_000)
})
