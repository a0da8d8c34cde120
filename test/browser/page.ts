import { run } from './entry.js'
;(globalThis as { __mtwire?: Promise<unknown> }).__mtwire = run().catch((e) => [{ backend: '-', name: 'run', ok: false, error: String(e) }])
