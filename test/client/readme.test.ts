/**
 * The README's client example ("### Clients: `connect()`") in `npm test`: the block runs as
 * written (its imports bound to the sources and node:fs), given `port` and `serverPublicKeyPem`
 * of a loopback server, twice: the first run makes a key and saves the state, the second
 * continues from it without a handshake.
 */
import * as fs from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { transform } from 'esbuild'
import { describe, expect, it } from 'vitest'
import * as mtwire from '../../src/node/index.js'
import { startServer } from './server.js'

function readmeBlock(): string {
  const readme = fs.readFileSync(join(__dirname, '../../README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Clients: `connect()`'))
  const m = /```ts\n([\s\S]*?)```/.exec(section)
  if (!m) throw new Error('no code block under ### Clients')
  return m[1]
}

describe('README client example', () => {
  it('runs as written: a key, a saved state, the next run without a handshake', async () => {
    const srv = await startServer(await mtwire.createCrypto())
    const dir = mkdtempSync(join(tmpdir(), 'mtwire-readme-'))
    const js = (await transform(readmeBlock(), { loader: 'ts', format: 'esm', target: 'es2022' })).code
      .replace(/^import \{([^}]*)\} from "([^"]+)";$/gm, (_, names: string, from: string) => `const {${names.replace(/\bas\b/g, ':')}} = modules[${JSON.stringify(from)}];`)
      .split('"client.json"').join(JSON.stringify(join(dir, 'client.json')))
    expect(js).not.toMatch(/^import /m)
    const run = async (): Promise<string[]> => {
      const printed: string[] = []
      const console = { log: (...a: unknown[]) => printed.push(a.join(' ').trim()) }
      const f = new Function('modules', 'console', 'port', 'serverPublicKeyPem', `return (async () => {\n${js}\n})()`)
      await f({ 'node:fs': fs, mtwire }, console, srv.port, srv.key.publicKeyPem)
      return printed
    }
    const first = await run()
    expect(first).toContain('E_TIMEOUT')
    expect(first).toContain('closed')
    const state = JSON.parse(fs.readFileSync(join(dir, 'client.json'), 'utf8'))
    expect(state).toMatchObject({ version: 1, dcId: 2 })
    const accepted = srv.keys.size
    const second = await run()
    expect(second).toContain('E_TIMEOUT')
    // the saved permanent key was used: only a new temporary key on the server
    expect(srv.keys.size).toBe(accepted + 1)
    await srv.close()
  })
})
