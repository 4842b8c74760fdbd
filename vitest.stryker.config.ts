import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The vitest setup for mutation testing (`npm run mutation`, not part of CI): the same tests, without
// the type-check pass (a mutant is a runtime change), so each mutant runs the covering tests only. As in
// vitest.config.ts, gpu.js kernels run for every size (TENSORFOLD_GPUJS_FORWARD=0): the optimizer test
// that compares a jitted step with the eager one bit for bit fails with forwarding on, which stops
// Stryker's initial run (measured again 2026-12-02: forwarding on was no faster per mutant either).
// MUTATION_TESTS (comma-separated globs) scopes the tests, e.g. MUTATION_TESTS='test/losses/**/*.test.ts'
// for a run over src/losses alone.
// `isolate: false`: each mutant's run is one fresh worker (vitest starts one per `start`, and Stryker
// switches mutants at run time through `__stryker__.activeMutant`), so mutants never share module state;
// within that run the covering test files share one import of the library instead of one each (about
// 2-3 s saved per extra file under load; docs/laws.md).
const include = process.env.MUTATION_TESTS?.split(',') ?? ['test/**/*.test.ts']

export default defineConfig({
  resolve: { alias: { '#platform': fileURLToPath(new URL('./src/platform/node.ts', import.meta.url)) } },
  test: {
    include,
    exclude: ['test/docs/**', 'test/browser/**', 'test/bundle/**', 'test/install/**', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    isolate: false,
    maxWorkers: 1,
    env: { TENSORFOLD_GPUJS_FORWARD: '0' }
  }
})
