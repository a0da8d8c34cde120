import { describe, it } from 'vitest'
import { createCrypto } from '../../src/node/index.js'
import { vectorChecks } from '../vectors/crypto.js'

// The pure-TS backend against every published vector; the WASM suites reuse the same checks.
describe('published vectors, js backend', async () => {
  const c = await createCrypto({ backend: 'js' })
  for (const v of vectorChecks) it(v.name, () => v.run(c))
})
