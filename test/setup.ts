// vitest setup (every test file): the backends and WASM modules the library loads on demand are
// provided up front, as the Node entry point does, so that tests importing src/ directly can
// use createCryptoSync. test/wasm/flavour-loads-on-demand.test.ts checks the on-demand path in fresh module graphs.
import { loadEagerly } from '../src/crypto/eager.js'

loadEagerly()
