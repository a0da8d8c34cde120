// A browser project (`--moduleResolution bundler`, with or without `customConditions: ["browser"]`):
// the universal typings, dist/types/index.d.ts, which declare exactly what dist/browser.mjs exports.
import { createCrypto, type Crypto } from 'mtwire'
// @ts-expect-error enableRelaxedSimd is Node-only: the browser bundle does not export it
import { enableRelaxedSimd } from 'mtwire'

const c: Crypto = await createCrypto()
export const used = [c.backend, enableRelaxedSimd]
