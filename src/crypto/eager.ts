/**
 * Everything the library otherwise loads on demand, imported statically: the pure-TS backend
 * and every embedded WASM module. The Node entry point calls `loadEagerly()` (a Node bundle does
 * not care about size, and `createCryptoSync` then works from the start); the browser build
 * never imports this file, so that bundlers split the modules into chunks of their own.
 * A new embedded module adds its line here.
 */
import { unzlibSync } from 'fflate'
import { provideJsCore } from './create.js'
import { jsCore } from './js/index.js'
import { getPlatform, setPlatform } from './platform.js'
import * as relaxed from './wasm/embedded/mtwire-relaxed-simd.js'
import * as simd from './wasm/embedded/mtwire-simd.js'
import * as none from './wasm/embedded/mtwire.js'
import { provideEmbedded } from './wasm/embedded.js'
import { FLAVOUR_WASM } from './wasm/index.js'

export function loadEagerly(): void {
  provideJsCore(jsCore)
  provideEmbedded(FLAVOUR_WASM.relaxed, relaxed)
  provideEmbedded(FLAVOUR_WASM.baseline, simd)
  provideEmbedded(FLAVOUR_WASM.none, none)
  // a synchronous inflate, unless the runtime's entry point installed a native one (node:zlib)
  if (!getPlatform().inflate) setPlatform({ inflate: unzlibSync })
}
