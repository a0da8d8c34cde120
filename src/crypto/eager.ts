/**
 * Everything the library otherwise loads on demand, imported statically: the pure-TS backend
 * and every embedded WASM module, as plain base64 (no inflate). The Node entry point calls
 * `loadEagerly()` (a Node bundle does not care about size, and `createCryptoSync` then works from
 * the start); the browser build never imports this file, so that bundlers split the modules into
 * chunks of their own. A new embedded module adds its line here.
 */
import { provideJsCore } from './create.js'
import { jsCore } from './js/index.js'
import * as relaxed from './wasm/embedded/mtwire-relaxed-simd.raw.js'
import * as simd from './wasm/embedded/mtwire-simd.raw.js'
import * as none from './wasm/embedded/mtwire.raw.js'
import { provideEmbedded } from './wasm/embedded.js'
import { FLAVOUR_WASM } from './wasm/index.js'

export function loadEagerly(): void {
  provideJsCore(jsCore)
  provideEmbedded(FLAVOUR_WASM.relaxed, relaxed)
  provideEmbedded(FLAVOUR_WASM.baseline, simd)
  provideEmbedded(FLAVOUR_WASM.none, none)
}
