import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The vitest setup for mutation testing (`npm run mutation`, not part of CI): the same tests, without
// the type-check pass (a mutant is a runtime change), so each mutant runs the covering tests only. As in
// vitest.config.ts, gpu.js kernels run for every size (TENSORFOLD_GPUJS_FORWARD=0): the optimizer test
// that compares a jitted step with the eager one bit for bit fails with forwarding on, which stops
// Stryker's initial run. MUTATION_TESTS (comma-separated globs) scopes
// the tests, e.g. MUTATION_TESTS='test/losses/**/*.test.ts' for a run over src/losses alone.
const include = process.env.MUTATION_TESTS?.split(',') ?? ['test/**/*.test.ts']

export default defineConfig({
  resolve: { alias: { '#platform': fileURLToPath(new URL('./src/platform/node.ts', import.meta.url)) } },
  test: {
    include,
    exclude: ['test/docs/**', 'test/browser/**', 'test/bundle/**', 'test/install/**', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    env: { TENSORFOLD_GPUJS_FORWARD: '0' }
  }
})
