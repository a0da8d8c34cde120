import { run } from './entry.js'
;(globalThis as { __mtwire?: Promise<unknown> }).__mtwire = run(location.search).catch((e) => [{ name: 'run', ok: false, error: String(e) }])
