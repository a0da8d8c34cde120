import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    // forks: each test file in its own process, so heavy suites do not share a heap
    pool: 'forks',
  },
})
