// CommonJS under `--module node16`: `require('mtwire')` is typed by dist/types/node/index.d.cts
// (TS1479 "masquerading as ESM" without it). The Node entry has enableRelaxedSimd.
import mtwire = require('mtwire')
import { createCryptoSync, enableRelaxedSimd, type Crypto } from 'mtwire'

const c: Crypto = createCryptoSync()
const on: boolean = enableRelaxedSimd()
const e: InstanceType<typeof mtwire.MtwireError> | undefined = undefined
export const used = [c.backend, on, e, mtwire.createCrypto]
