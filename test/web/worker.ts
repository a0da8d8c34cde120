import { run } from './entry.js'
run(location.search).then(
  (r) => postMessage(r),
  (e) => postMessage([{ name: 'run', ok: false, error: String(e) }]),
)
