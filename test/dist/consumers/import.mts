// ESM under `--module node16`: dist/types/node/index.d.ts.
import { createCrypto, enableRelaxedSimd, MtwireError, type Crypto } from 'mtwire'

const c: Crypto = await createCrypto()
const on: boolean = enableRelaxedSimd()
export const used = [c.backend, on, MtwireError]
