import { defineConfig } from 'vitest/config'

// The vitest setup for mutation testing (`npm run mutation`, not part of CI): the same tests, without
// the type-check pass (a mutant is a runtime change) and with gpu.js forwarding left at its default,
// so each mutant runs the covering tests only and fast.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/docs/**', 'test/browser/**', 'test/bundle/**', 'test/install/**', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1
  }
})
