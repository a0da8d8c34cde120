// A Node project with `--moduleResolution bundler` and `customConditions: ["node"]`: the Node typings.
import { createCryptoSync, enableRelaxedSimd } from 'mtwire'

export const used = [createCryptoSync().backend, enableRelaxedSimd()]
