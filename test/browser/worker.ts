import { run } from './entry.js'
run().then(
  (r) => postMessage(r),
  (e) => postMessage([{ backend: '-', name: 'run', ok: false, error: String(e) }]),
)
